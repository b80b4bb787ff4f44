// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: protocol tables.  A ktls socket runs on a copy of its base
 * protocol (struct proto and struct proto_ops) with the methods of the
 * configured directions replaced.  Tables are built per base protocol
 * (IPv4, IPv6, or whatever sockmap installed) and per TX/RX configuration,
 * and they stay writable because sockmap writes into sk->sk_prot.
 */
#include <linux/module.h>
#include <linux/mutex.h>
#include <net/tcp.h>

#include "ktls.h"

/*
 * Base protocols a ktls socket can have: TCP over IPv4 and IPv6, and each
 * of sockmap's four tables (no program, SK_MSG, stream verdict, both) for
 * each family; room to spare.
 */
#define KTLS_MAX_BASES 16

struct ktls_protos {
	const struct proto *base;
	const struct proto_ops *base_ops;
	struct proto prot[KTLS_NUM_CONF][KTLS_NUM_CONF];
	struct proto_ops ops[KTLS_NUM_CONF][KTLS_NUM_CONF];
};

static DEFINE_MUTEX(ktls_protos_lock);
static struct ktls_protos *ktls_protos[KTLS_MAX_BASES];

static void ktls_close(struct sock *sk, long timeout);

/*
 * connect(AF_UNSPEC): TCP would empty its queues under a record half
 * sent or half parsed, and a new connection would go on with the old
 * keys.  Refused, as in-tree kTLS does.
 */
static int ktls_disconnect(struct sock *sk, int flags)
{
	return -EOPNOTSUPP;
}

static void ktls_protos_build(struct ktls_protos *p)
{
	int tx, rx;

	for (tx = 0; tx < KTLS_NUM_CONF; tx++) {
		for (rx = 0; rx < KTLS_NUM_CONF; rx++) {
			struct proto *prot = &p->prot[tx][rx];
			struct proto_ops *ops = &p->ops[tx][rx];

			*prot = *p->base;
			*ops = *p->base_ops;
			prot->close = ktls_close;
			prot->disconnect = ktls_disconnect;
			prot->setsockopt = ktls_setsockopt;
			prot->getsockopt = ktls_getsockopt;
			if (tx == KTLS_SW) {
				prot->sendmsg = ktls_sendmsg;
#ifdef HAVE_PROTO_SENDPAGE
				prot->sendpage = ktls_sendpage;
#endif
#ifdef HAVE_PROTO_SPLICE_EOF
				prot->splice_eof = ktls_splice_eof;
#endif
				ops->poll = ktls_poll;
				/* In-kernel senders would bypass encryption. */
				ops->sendmsg_locked = NULL;
#ifdef HAVE_PROTO_OPS_SENDPAGE_LOCKED
				ops->sendpage_locked = NULL;
#endif
			}
			if (rx == KTLS_SW) {
				prot->recvmsg = ktls_recvmsg;
				prot->sock_is_readable = ktls_sock_is_readable;
				prot->release_cb = ktls_release_cb;
				ops->poll = ktls_poll;
				ops->splice_read = ktls_splice_read;
#ifdef HAVE_PROTO_OPS_READ_SOCK
				ops->read_sock = NULL;
#endif
			}
		}
	}
}

/* The table set for this socket's current base protocol, built on first use. */
static struct ktls_protos *ktls_protos_get(const struct proto *base,
					   const struct proto_ops *base_ops)
{
	struct ktls_protos *p = NULL;
	int i;

	mutex_lock(&ktls_protos_lock);
	for (i = 0; i < KTLS_MAX_BASES && ktls_protos[i]; i++) {
		if (ktls_protos[i]->base == base &&
		    ktls_protos[i]->base_ops == base_ops) {
			p = ktls_protos[i];
			goto out;
		}
	}
	if (i == KTLS_MAX_BASES) {
		pr_warn_ratelimited("too many distinct base protocols\n");
		goto out;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out;
	p->base = base;
	p->base_ops = base_ops;
	ktls_protos_build(p);
	/* Published for ktls_protos_find(), which takes no lock. */
	smp_store_release(&ktls_protos[i], p);
out:
	mutex_unlock(&ktls_protos_lock);
	return p;
}

/* A table set that exists already; any context, no lock. */
static struct ktls_protos *ktls_protos_find(const struct proto *base,
					    const struct proto_ops *base_ops)
{
	int i;

	for (i = 0; i < KTLS_MAX_BASES; i++) {
		/* Pairs with the release in ktls_protos_get(). */
		struct ktls_protos *p = smp_load_acquire(&ktls_protos[i]);

		if (!p)
			break;
		if (p->base == base && p->base_ops == base_ops)
			return p;
	}
	return NULL;
}

/*
 * Point the socket at the tables for its configuration.  Called with
 * sk_callback_lock held for writing, so sockmap sees a consistent pair.
 */
void ktls_proto_update(struct sock *sk)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	int tx = ctx->tls.tx_conf == TLS_SW ? KTLS_SW : KTLS_BASE;
	int rx = ctx->tls.rx_conf == TLS_SW ? KTLS_SW : KTLS_BASE;

	WRITE_ONCE(sk->sk_prot, &ctx->protos->prot[tx][rx]);
	if (sk->sk_socket)
		WRITE_ONCE(sk->sk_socket->ops, &ctx->protos->ops[tx][rx]);
}

/*
 * At ULP attach: find the tables for this socket's base protocol.  A socket
 * in a sockmap runs on sockmap's protocol; when its psock goes, sockmap
 * hands back the protocol from before it (ktls_ulp_update(), which may not
 * sleep), so the tables for that one are built now too.
 */
int ktls_proto_attach(struct sock *sk, struct ktls_ctx *ctx)
{
	const struct proto *orig = NULL;
	struct sk_psock *psock;

	if (!sk->sk_socket)
		return -EINVAL;
	ctx->sk_ops = READ_ONCE(sk->sk_socket->ops);
	rcu_read_lock();
	psock = sk_psock(sk);
	if (psock)
		orig = psock->sk_proto;
	rcu_read_unlock();
	if (orig && !ktls_protos_get(orig, ctx->sk_ops))
		return -ENOMEM;
	ctx->protos = ktls_protos_get(READ_ONCE(sk->sk_prot), ctx->sk_ops);
	return ctx->protos ? 0 : -ENOMEM;
}

/*
 * sockmap handed the socket back with @base as its protocol: move to our
 * tables built on it.  sk_callback_lock is held for writing.
 */
int ktls_proto_rebase(struct sock *sk, struct ktls_ctx *ctx,
		      const struct proto *base)
{
	struct ktls_protos *p = ktls_protos_find(base, ctx->sk_ops);

	if (!p)
		return -ENOENT;
	ctx->protos = p;
	ktls_proto_update(sk);
	return 0;
}

void ktls_proto_cleanup(void)
{
	int i;

	for (i = 0; i < KTLS_MAX_BASES; i++) {
		kfree(ktls_protos[i]);
		ktls_protos[i] = NULL;
	}
}

/*
 * release_sock(): the base protocol's work, then what our data_ready left
 * for the end of the backlog's drain.
 */
void ktls_release_cb(struct sock *sk)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);

	if (ctx->tls.sk_proto->release_cb)
		ctx->tls.sk_proto->release_cb(sk);
	if (ctx->rx)
		ktls_rx_release(sk, ctx->rx);
}

/*
 * close(): flush what the TX side holds, free both directions, hand the
 * socket back to its base protocol and let that close it.
 */
static void ktls_close(struct sock *sk, long timeout)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct ktls_ctx *ctx = ktls_ctx(sk);
	struct proto *base;

	if (ctx->tx)
		ktls_tx_lock_close(sk, ctx->tx);
	lock_sock(sk);
	if (ctx->tx)
		ktls_tx_close(sk, ctx);

	/*
	 * Nothing may be sent in the clear from here on: a sockmap backlog
	 * holding this socket would reach TCP through the base protocol.
	 */
	if (ctx->tx)
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);

	write_lock_bh(&sk->sk_callback_lock);
	base = ctx->tls.sk_proto;
	ktls_psock_unhook(sk, ctx);
	rcu_assign_pointer(icsk->icsk_ulp_data, NULL);
	WRITE_ONCE(sk->sk_prot, base);
	if (sk->sk_socket)
		WRITE_ONCE(sk->sk_socket->ops, ctx->sk_ops);
	if (ctx->tx)
		sk->sk_write_space = ctx->tls.sk_write_space;
	if (ctx->rx)
		sk->sk_data_ready = ctx->rx->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	if (ctx->rx)
		ktls_rx_free(sk, ctx);
	release_sock(sk);
	if (ctx->tx)
		mutex_unlock(&ctx->tx->lock);

	ktls_ctx_free(ctx);
	base->close(sk, timeout);
}
