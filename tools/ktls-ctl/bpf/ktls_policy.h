/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls-ctl policy: the maps its BPF programs share with ktls-ctl.  Built
 * into the BPF objects (clang -target bpf) and into ktls-ctl.
 *
 * A policy object (ktls-ctl policy load) holds one SK_MSG program, at
 * most one stream-verdict program and one BPF_MAP_TYPE_SOCKHASH whose keys
 * are socket cookies (__u64).  ktls-ctl knows two more maps by name:
 *   sock_stats     LRU hash, struct ktls_sock_key -> struct ktls_sock_stats:
 *                  what the SK_MSG program judged, per socket
 *   deny_prefixes  array of KTLS_DENY_MAX struct ktls_deny_prefix
 * The cgroup hook (sockops.bpf.c) adds its own map, cgroup_stats.
 */
#ifndef KTLS_POLICY_H
#define KTLS_POLICY_H

#include <linux/types.h>

#define KTLS_POLICY_SOCKETS 16384	/* sockhash entries */
#define KTLS_POLICY_STATS 4096		/* sock_stats entries (LRU) */
#define KTLS_DENY_MAX 16		/* deny_prefixes slots */
#define KTLS_DENY_LEN 64		/* longest prefix, bytes */

/*
 * A socket as the SK_MSG program sees it.  Ports in host order, addresses
 * in network order; IPv4 addresses in [0].
 */
struct ktls_sock_key {
	__u32 family;
	__u32 local_port;
	__u32 remote_port;
	__u32 local_addr[4];
	__u32 remote_addr[4];
};

/* Messages (program runs) and their bytes, by verdict. */
struct ktls_verdicts {
	__u64 pass_msgs;
	__u64 pass_bytes;
	__u64 drop_msgs;
	__u64 drop_bytes;
};

/*
 * tls: the socket has a TCP ULP (ktls): the program judged plaintext, one
 * run per record closed (docs/policy.md).  tcp: no ULP yet: what went out
 * as plain TCP, e.g. the TLS library's handshake before the hand-off.
 */
struct ktls_sock_stats {
	struct ktls_verdicts tls;
	struct ktls_verdicts tcp;
};

/* A denied prefix; len 0 marks a free slot. */
struct ktls_deny_prefix {
	__u32 len;
	__u32 pad;
	__u8 bytes[KTLS_DENY_LEN];
};

/* What the cgroup hook did. */
struct ktls_cgroup_stats {
	__u64 added;	/* established sockets put into the sockhash */
	__u64 failed;	/* ... that could not be (map full, ...) */
};

#endif /* KTLS_POLICY_H */
