// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl's cgroup hook ("ktls-ctl policy cgroup CGROUP"): a sock_ops
 * program that puts every TCP connection of the cgroup into the policy's
 * sockhash the moment it is established (active or passive), keyed by its
 * socket cookie.  That is before any application can attach the "ktls"
 * ULP, so the sockmap-before-ULP order the kernel requires holds without
 * changing applications.  ktls-ctl points sock_hash at the loaded
 * policy's map (bpf_map__reuse_fd) before loading this program.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "ktls_policy.h"

char _license[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, KTLS_POLICY_SOCKETS);
	__type(key, __u64);
	__type(value, __u64);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ktls_cgroup_stats);
} cgroup_stats SEC(".maps");

SEC("sockops")
int ktls_sockops(struct bpf_sock_ops *skops)
{
	struct ktls_cgroup_stats *st;
	__u32 zero = 0;
	__u64 cookie;
	long err;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		break;
	default:
		return 1;
	}
	cookie = bpf_get_socket_cookie(skops);
	err = bpf_sock_hash_update(skops, &sock_hash, &cookie, BPF_NOEXIST);
	st = bpf_map_lookup_elem(&cgroup_stats, &zero);
	if (st)
		__sync_fetch_and_add(err ? &st->failed : &st->added, 1);
	return 1;
}
