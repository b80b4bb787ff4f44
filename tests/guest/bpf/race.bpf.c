// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for the policy race tests (tests/guest/progs/policy_race.c).
 * race_cfg[0] picks what the SK_MSG program does to every message, and
 * whether the stream verdict passes every record or redirects it to the
 * receive queue of key 1 of race_bare, a map without programs: trimmed to
 * its plaintext (RACE_SKB_INGRESS) or as it is (RACE_SKB_INGRESS_RAW, for
 * plain TCP).  Key 1 of race_hash is the SK_MSG redirect target.
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

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} race_bare SEC(".maps");

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
	__u32 zero = 0, target = RACE_TARGET_KEY;
	__u32 *mode = bpf_map_lookup_elem(&race_cfg, &zero);

	if (!mode ||
	    (*mode != RACE_SKB_INGRESS && *mode != RACE_SKB_INGRESS_RAW))
		return SK_PASS;
	if (*mode == RACE_SKB_INGRESS &&
	    (skb->len <= RACE_REC_FRONT + RACE_REC_TAIL ||
	     bpf_skb_adjust_room(skb, -RACE_REC_FRONT, 0, 0) ||
	     bpf_skb_change_tail(skb, skb->len - RACE_REC_TAIL, 0)))
		return SK_DROP;
	return bpf_sk_redirect_hash(skb, &race_bare, &target, BPF_F_INGRESS);
}

char _license[] SEC("license") = "GPL";
