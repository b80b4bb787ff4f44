// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for the policy race tests (tests/guest/progs/policy_race.c).
 * race_cfg[0] picks what the SK_MSG program does to every message; the
 * stream verdict passes everything.  Key 1 of race_hash is the redirect
 * target.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "race.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} race_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} race_cfg SEC(".maps");

SEC("sk_msg")
int race_msg(struct sk_msg_md *msg)
{
	__u32 zero = 0, target = RACE_TARGET_KEY;
	__u32 *mode = bpf_map_lookup_elem(&race_cfg, &zero);

	if (!mode)
		return SK_PASS;
	switch (*mode) {
	case RACE_CORK:
		bpf_msg_cork_bytes(msg, RACE_CORK_BYTES);
		return SK_PASS;
	case RACE_REDIRECT:
		return bpf_msg_redirect_hash(msg, &race_hash, &target, 0);
	case RACE_REDIRECT_INGRESS:
		return bpf_msg_redirect_hash(msg, &race_hash, &target,
					     BPF_F_INGRESS);
	case RACE_DROP:
		return SK_DROP;
	default:
		return SK_PASS;
	}
}

SEC("sk_skb/stream_verdict")
int race_skb(struct __sk_buff *skb)
{
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
