// SPDX-License-Identifier: GPL-2.0
/*
 * BPF programs for the policy suite (tests/guest/suites/55-policy.sh):
 *   msg_policy  SK_MSG verdict (BPF_SK_MSG_VERDICT), TX plaintext
 *   skb_policy  stream verdict (BPF_SK_SKB_STREAM_VERDICT), RX records
 * Both follow the per-run steps the test writes into msg_steps/skb_steps
 * and log every run into msg_stats/skb_stats (see policy.h).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "policy.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} sock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_NSTEPS);
	__type(key, __u32);
	__type(value, struct pc_step);
} msg_steps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PC_NSTEPS);
	__type(key, __u32);
	__type(value, struct pc_step);
} skb_steps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_stats);
} msg_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pc_stats);
} skb_stats SEC(".maps");

/* The step for this run and a fresh log entry; NULL if a map lookup fails. */
static __always_inline struct pc_run *begin(void *stats_map, void *steps_map,
					    struct pc_step **step)
{
	struct pc_stats *st;
	struct pc_run *run;
	__u32 zero = 0, idx;

	st = bpf_map_lookup_elem(stats_map, &zero);
	if (!st)
		return NULL;
	idx = st->runs < PC_NSTEPS ? st->runs : PC_NSTEPS - 1;
	*step = bpf_map_lookup_elem(steps_map, &idx);
	if (!*step)
		return NULL;
	run = &st->log[st->runs & (PC_NLOG - 1)];
	__builtin_memset(run, 0, sizeof(*run));
	st->runs++;
	return run;
}

/* The recorded head starts with the step's prefix. */
static __always_inline int has_prefix(const struct pc_run *run,
				      const struct pc_step *s)
{
	__u32 diff = 0;
	int i;

	if (!s->prefix_len || s->prefix_len > run->head_len)
		return 0;
#pragma clang loop unroll(full)
	for (i = 0; i < PC_HEAD; i++)
		if (i < s->prefix_len)
			diff |= run->head[i] ^ s->prefix[i];
	return !diff;
}

SEC("sk_msg")
int msg_policy(struct sk_msg_md *msg)
{
	struct pc_step *s = NULL;
	struct pc_run *run;
	__u8 *d, *de;
	__u32 key;
	int i, ret;

	run = begin(&msg_stats, &msg_steps, &s);
	if (!run || !s)
		return SK_PASS;

	run->size = msg->size;
	d = (void *)(long)msg->data;
	de = (void *)(long)msg->data_end;
	run->data_len = de - d;
#pragma clang loop unroll(full)
	for (i = 0; i < PC_HEAD; i++) {
		if (d + i + 1 > de)
			break;
		run->head[i] = d[i];
		run->head_len = i + 1;
	}

	if (s->pull_end)
		run->rc_pull =
			bpf_msg_pull_data(msg, s->pull_start, s->pull_end, 0);
	run->pulled_len = (__u32)((long)msg->data_end - (long)msg->data);
	if (s->pop_len)
		run->rc_pop =
			bpf_msg_pop_data(msg, s->pop_start, s->pop_len, 0);
	if (s->push_len)
		run->rc_push =
			bpf_msg_push_data(msg, s->push_start, s->push_len, 0);
	if (s->write_len) {
		run->rc_write = bpf_msg_pull_data(
			msg, s->write_off, s->write_off + s->write_len, 0);
		d = (void *)(long)msg->data;
		de = (void *)(long)msg->data_end;
#pragma clang loop unroll(full)
		for (i = 0; i < PC_FILL_MAX; i++) {
			if (i >= s->write_len || d + i + 1 > de)
				break;
			d[i] = s->fill;
		}
	}
	if (s->apply)
		bpf_msg_apply_bytes(msg, s->apply);
	if (s->cork)
		bpf_msg_cork_bytes(msg, s->cork);
	run->final_size = msg->size;

	if (has_prefix(run, s)) {
		ret = SK_DROP;
	} else if (s->verdict == PC_DROP) {
		ret = SK_DROP;
	} else if (s->verdict == PC_REDIRECT) {
		key = s->key;
		if (s->map == PC_MAP)
			ret = bpf_msg_redirect_map(msg, &sock_map, key,
						   s->flags);
		else
			ret = bpf_msg_redirect_hash(msg, &sock_hash, &key,
						    s->flags);
	} else {
		ret = SK_PASS;
	}
	run->verdict = ret;
	return ret;
}

SEC("sk_skb/stream_verdict")
int skb_policy(struct __sk_buff *skb)
{
	struct pc_step *s = NULL;
	struct pc_run *run;
	__u32 key, len, off;
	int i, ret;

	run = begin(&skb_stats, &skb_steps, &s);
	if (!run || !s)
		return SK_PASS;

	len = skb->len;
	off = s->head_off;
	run->size = len;
	run->data_len = (__u32)((long)skb->data_end - (long)skb->data);
	if (off <= len && len - off >= PC_HEAD) {
		if (!bpf_skb_load_bytes(skb, off, run->head, PC_HEAD))
			run->head_len = PC_HEAD;
	} else if (off < len) {
#pragma clang loop unroll(full)
		for (i = 0; i < PC_HEAD; i++)
			if (off + i < len &&
			    !bpf_skb_load_bytes(skb, off + i, &run->head[i], 1))
				run->head_len = i + 1;
	}
	if (s->trim_front)
		run->rc_trim_front =
			bpf_skb_adjust_room(skb, -(__s32)s->trim_front, 0, 0);
	if (s->trim_tail)
		run->rc_trim_tail =
			skb->len >= s->trim_tail ?
				bpf_skb_change_tail(
					skb, skb->len - s->trim_tail, 0) :
				-1;
	run->final_size = skb->len;

	if (has_prefix(run, s)) {
		ret = SK_DROP;
	} else if (s->verdict == PC_DROP) {
		ret = SK_DROP;
	} else if (s->verdict == PC_REDIRECT) {
		key = s->key;
		if (s->map == PC_MAP)
			ret = bpf_sk_redirect_map(skb, &sock_map, key,
						  s->flags);
		else
			ret = bpf_sk_redirect_hash(skb, &sock_hash, &key,
						   s->flags);
	} else {
		ret = SK_PASS;
	}
	run->verdict = ret;
	return ret;
}

char _license[] SEC("license") = "GPL";
