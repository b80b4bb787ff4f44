/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls-ctl handshake: shared by handshake.c (arguments, GnuTLS session,
 * hand-off, control records), hs_client.c and hs_server.c.
 */
#ifndef KTLS_CTL_HANDSHAKE_H
#define KTLS_CTL_HANDSHAKE_H

#include <stdbool.h>
#include <sys/types.h>

#include "libktls.h"

struct hs_opts {
	const char *host, *port;
	const char *cafile, *servername;	/* client */
	const char *cert, *key, *root, *bind;	/* server */
	const char *priority, *ulp;
	bool insecure, once;
};

/* A connection after the hand-off. */
struct hs_conn {
	int fd;
	char peer[64];
	char version[8];	/* "1.2", "1.3" */
	const char *cipher;	/* "aes-gcm-128" */
	char ulp[16];
	size_t hs_skip;		/* rest of a handshake message split over records */
	bool peer_closed;	/* close_notify or end of stream seen */
};

/* GnuTLS handshake on c->fd, as set up by the caller; 0 or p_err()'s 1. */
int hs_handshake(gnutls_session_t s, struct hs_conn *c);

/*
 * Drain what GnuTLS has buffered (up to @cap bytes into @buf, *@n set),
 * move both directions into the kernel through ULP @ulp (NULL: "ktls"),
 * fill the version, cipher and ULP of @c.  The session may only be
 * deinitialised afterwards.  0 or p_err()'s 1.
 */
int hs_handoff(gnutls_session_t s, struct hs_conn *c, const char *ulp,
	       char *buf, size_t cap, size_t *n);

/*
 * Receive application data: >0 bytes, 0 when the peer has closed
 * (close_notify or end of stream; c->peer_closed set), -1 on error
 * (reported), -2 if @flags has MSG_DONTWAIT and nothing is ready.
 * Session tickets are skipped, a TLS 1.2 HelloRequest is declined, a
 * KeyUpdate or fatal alert ends the connection with an error.
 */
ssize_t hs_recv(struct hs_conn *c, void *buf, size_t len, int flags);

/* Send close_notify and shut down the write side. */
void hs_close_notify(struct hs_conn *c);

/* "addr:port" of a socket's peer. */
void hs_peer_name(int fd, char *buf, size_t len);

/*
 * Write all @n bytes of @buf to @fd, again after EINTR: send() without
 * SIGPIPE if @sock, write() otherwise.  0 or -errno.
 */
int hs_write_all(int fd, const void *buf, size_t n, bool sock);

/* The JSON fields "peer", "version", "cipher" and "ulp" of @c. */
void hs_json_conn(const struct hs_conn *c);

int hs_client(const struct hs_opts *o);
int hs_server(const struct hs_opts *o);

#endif /* KTLS_CTL_HANDSHAKE_H */
