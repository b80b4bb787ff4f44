/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ktls-ctl's policy objects (default.bpf.c, deny.bpf.c) share: the
 * sockhash, the per-socket counters and the test whether a socket already
 * has its TCP ULP (is a kTLS socket) or still speaks plain TCP.
 */
#ifndef KTLS_COMMON_BPF_H
#define KTLS_COMMON_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "ktls_policy.h"

#define KTLS_AF_INET 2
#define KTLS_AF_INET6 10

char _license[] SEC("license") = "GPL";

/* The sockets the programs run on; ktls-ctl's cgroup hook fills it. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, KTLS_POLICY_SOCKETS);
	__type(key, __u64);	/* socket cookie */
	__type(value, __u64);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KTLS_POLICY_STATS);
	__type(key, struct ktls_sock_key);
	__type(value, struct ktls_sock_stats);
} sock_stats SEC(".maps");

/*
 * Just enough of the kernel's types to find the socket's ULP; libbpf
 * relocates the offsets against the running kernel's BTF (CO-RE).
 */
struct tcp_ulp_ops {
	char name[16];
} __attribute__((preserve_access_index));

struct inet_connection_sock {
	const struct tcp_ulp_ops *icsk_ulp_ops;
} __attribute__((preserve_access_index));

struct tcp_sock {
	struct inet_connection_sock inet_conn;
} __attribute__((preserve_access_index));

/* The socket has a TCP ULP: its data is plaintext on its way to kTLS. */
static __always_inline int ktls_has_ulp(struct sk_msg_md *msg)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(msg->sk);

	return tp && tp->inet_conn.icsk_ulp_ops;
}

/* Count one run of the program that returned @verdict. */
static __always_inline void ktls_account(struct sk_msg_md *msg, int verdict)
{
	struct ktls_sock_key key = {};
	struct ktls_sock_stats *st, zero = {};
	struct ktls_verdicts *v;
	__u64 size = msg->size;

	key.family = msg->family;
	key.local_port = msg->local_port;
	key.remote_port = bpf_ntohl(msg->remote_port);
	if (key.family == KTLS_AF_INET) {
		key.local_addr[0] = msg->local_ip4;
		key.remote_addr[0] = msg->remote_ip4;
	} else {
		key.local_addr[0] = msg->local_ip6[0];
		key.local_addr[1] = msg->local_ip6[1];
		key.local_addr[2] = msg->local_ip6[2];
		key.local_addr[3] = msg->local_ip6[3];
		key.remote_addr[0] = msg->remote_ip6[0];
		key.remote_addr[1] = msg->remote_ip6[1];
		key.remote_addr[2] = msg->remote_ip6[2];
		key.remote_addr[3] = msg->remote_ip6[3];
	}
	st = bpf_map_lookup_elem(&sock_stats, &key);
	if (!st) {
		bpf_map_update_elem(&sock_stats, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&sock_stats, &key);
		if (!st)
			return;
	}
	v = ktls_has_ulp(msg) ? &st->tls : &st->tcp;
	if (verdict == SK_PASS) {
		__sync_fetch_and_add(&v->pass_msgs, 1);
		__sync_fetch_and_add(&v->pass_bytes, size);
	} else {
		__sync_fetch_and_add(&v->drop_msgs, 1);
		__sync_fetch_and_add(&v->drop_bytes, size);
	}
}

#endif /* KTLS_COMMON_BPF_H */
