// SPDX-License-Identifier: GPL-2.0
/*
 * make bench: the cheapest policy there is.  Both programs pass everything,
 * so tls_bench measures what running a program on every record costs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} bench_hash SEC(".maps");

SEC("sk_msg")
int bench_msg(struct sk_msg_md *msg)
{
	return SK_PASS;
}

SEC("sk_skb/stream_verdict")
int bench_skb(struct __sk_buff *skb)
{
	return SK_PASS;
}

char _license[] SEC("license") = "GPL";
