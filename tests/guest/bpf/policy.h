/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the policy test programs (policy.bpf.c) and their drivers
 * (tests/guest/progs/policy_tx.c, policy_rx.c) share: the per-run steps the
 * test writes into a map, and the log the programs keep of every run.
 *
 * A program looks at how often it has run so far (n) and follows step
 * min(n, PC_NSTEPS - 1) of its configuration map; the test fills every
 * entry, repeating the last step it means.  Each run appends one entry to
 * the log (the first PC_NLOG runs are kept).
 */
#ifndef POLICY_H
#define POLICY_H

#include <linux/types.h>

#define PC_NSTEPS 8
#define PC_NLOG 16
#define PC_HEAD 8 /* bytes of data a run records */
#define PC_FILL_MAX 16 /* bytes a step can overwrite */

enum pc_verdict {
	PC_PASS = 0,
	PC_DROP = 1,
	PC_REDIRECT = 2,
};

enum pc_map {
	PC_HASH = 0, /* sock_hash, bpf_*_redirect_hash() */
	PC_MAP = 1, /* sock_map, bpf_*_redirect_map() */
};

/*
 * One run of the SK_MSG program, in this order: record size and head;
 * prefix match; pull_data(pull_start, pull_end); pop_data; push_data;
 * overwrite (pull_data of [write_off, write_off + write_len), then fill);
 * apply_bytes; cork_bytes; verdict.  A zero length or end skips a helper.
 */
struct pc_step {
	__u32 verdict; /* enum pc_verdict */
	__u32 map; /* enum pc_map, for PC_REDIRECT */
	__u32 key; /* redirect target key */
	__u32 flags; /* redirect flags (BPF_F_INGRESS) */
	__u32 prefix_len; /* > 0: data starting with prefix is dropped, */
	__u8 prefix[PC_HEAD]; /* anything else gets the verdict above */
	__u32 pull_start, pull_end;
	__u32 pop_start, pop_len;
	__u32 push_start, push_len;
	__u32 write_off, write_len;
	__u32 fill; /* byte written by the overwrite */
	__u32 apply;
	__u32 cork;
	/*
	 * Stream verdict only: the skb is the whole record (docs/policy.md),
	 * so the head (and the prefix match) is read at head_off, the
	 * plaintext's offset; before the verdict trim_front bytes are taken
	 * off the front (bpf_skb_adjust_room) and trim_tail off the end
	 * (bpf_skb_change_tail), leaving only the plaintext for a redirect.
	 */
	__u32 head_off;
	__u32 trim_front, trim_tail;
};

struct pc_run {
	__u32 size; /* msg->size or skb->len when the run started */
	__u32 data_len; /* data_end - data when the run started */
	__u32 pulled_len; /* data_end - data after the pull step */
	__u32 final_size; /* msg->size at the verdict */
	__s32 rc_pull, rc_pop, rc_push, rc_write;
	__s32 rc_trim_front, rc_trim_tail;
	__u32 head_len; /* bytes of head[] read (<= PC_HEAD) */
	__u8 head[PC_HEAD];
	__u32 verdict; /* the value returned */
};

struct pc_stats {
	__u64 runs;
	struct pc_run log[PC_NLOG];
};

#endif /* POLICY_H */
