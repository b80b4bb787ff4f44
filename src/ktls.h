/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls: private declarations shared by the module's source files.
 */
#ifndef _KTLS_KTLS_H
#define _KTLS_KTLS_H

#include <linux/types.h>
#include <net/sock.h>
#include <net/tls.h>
#include <net/inet_connection_sock.h>

#include "compat.h"

/*
 * Per-socket state, reached through icsk_ulp_data.  Core kernel code
 * (skmsg.c, tcp_bpf.c, filter.c) reads icsk_ulp_data of a socket in a
 * sockmap as a struct tls_context, so that structure must come first and
 * its tx_conf/rx_conf must tell the truth.
 */
struct ktls_ctx {
	struct tls_context tls;
};

static inline struct ktls_ctx *ktls_ctx(const struct sock *sk)
{
	/* Callers hold the socket lock or an RCU read section. */
	return (__force struct ktls_ctx *)inet_csk(sk)->icsk_ulp_data;
}

/* ulp.c */
extern struct tcp_ulp_ops ktls_ulp_ops;
int ktls_ulp_register(void);
void ktls_ulp_unregister(void);

/* tls_alias.c: the optional "tls" ULP name */
int ktls_alias_register(void);
void ktls_alias_unregister(void);

extern bool ktls_register_tls;

#endif /* _KTLS_KTLS_H */
