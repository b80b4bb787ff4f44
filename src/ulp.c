// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the TCP upper layer protocol: attach, detach, diagnostics.
 */
#include <linux/inet_diag.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/netlink.h>
#include <net/tcp.h>

#include "ktls.h"
#include <linux/ktls.h>

static void ktls_ulp_update(struct sock *sk, struct proto *p,
			    void (*write_space)(struct sock *sk));

/*
 * sockmap calls its psock hook when the socket's map links change
 * (restore false: tcp_bpf would put its own protocol over ours, and the
 * stream verdict's data_ready has just been put back over ours) and once
 * when the psock goes (restore true).  A ktls socket in a sockmap gets
 * this hook instead of tcp_bpf's, for as long as it has a context.
 * sk_callback_lock is held for writing.
 */
static int ktls_psock_update(struct sock *sk, struct sk_psock *psock,
			     bool restore)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);

	if (restore) {
		ktls_ulp_update(sk, psock->sk_proto, psock->saved_write_space);
		return 0;
	}
	/* Our tables stay; they call through to what sockmap installed. */
	if (ctx && ctx->rx)
		ktls_rx_own_data_ready(sk, ctx->rx, psock);
	return 0;
}

/* Put sockmap's own hook back: the context is leaving the socket. */
void ktls_psock_unhook(struct sock *sk, struct ktls_ctx *ctx)
{
	struct sk_psock *psock;

	rcu_read_lock();
	psock = sk_psock(sk);
	if (psock && ctx->psock_update &&
	    psock->psock_update_sk_prot == ktls_psock_update)
		psock->psock_update_sk_prot = ctx->psock_update;
	rcu_read_unlock();
}

static int ktls_ulp_init(struct sock *sk)
{
	struct sk_psock *psock;
	struct ktls_ctx *ctx;
	int err;

	/* Keys are installed after the handshake: only a connected stream. */
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;

	err = ktls_proto_attach(sk, ctx);
	if (err) {
		kfree(ctx);
		return err;
	}
	atomic_long_inc(&ktls_live_ctx);
	refcount_set(&ctx->refs, 1);
	ctx->tls.sk = sk;
	ctx->tx_max_payload = KTLS_MAX_PLAINTEXT;
	ctx->tls.tx_conf = TLS_BASE;
	ctx->tls.rx_conf = TLS_BASE;

	write_lock_bh(&sk->sk_callback_lock);
	ctx->tls.sk_proto = READ_ONCE(sk->sk_prot);
	ctx->tls.sk_write_space = sk->sk_write_space;
	rcu_read_lock();
	psock = sk_psock(sk);
	if (psock) {
		ctx->psock_update = psock->psock_update_sk_prot;
		psock->psock_update_sk_prot = ktls_psock_update;
	}
	rcu_read_unlock();
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	ktls_proto_update(sk);
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}

static void ktls_ctx_free_rcu(struct rcu_head *head)
{
	struct ktls_ctx *ctx = container_of(head, struct ktls_ctx, tls.rcu);

	if (ctx->tx)
		ktls_tx_free_mem(ctx->tx);
	kfree(ctx->rx);
	kfree(ctx);
}

/* Is @sk (any socket a sockmap holds) a TCP socket with our ULP? */
bool ktls_sk_is_ours(const struct sock *sk)
{
	const struct tcp_ulp_ops *ops;

	if (sk->sk_type != SOCK_STREAM || sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return false;
	ops = READ_ONCE(inet_csk(sk)->icsk_ulp_ops);
	return ops == &ktls_ulp_ops || ktls_alias_ops(ops);
}

void ktls_ctx_put(struct ktls_ctx *ctx)
{
	if (refcount_dec_and_test(&ctx->refs))
		call_rcu(&ctx->tls.rcu, ktls_ctx_free_rcu);
}

/*
 * A reference to @sk's context, if @sk is a ktls socket, for a caller that
 * holds only a socket reference (a sockmap redirect).  The memory stays
 * while the reference is held; whether the socket still uses it is checked
 * under its locks (ktls_tx_lock()).
 */
struct ktls_ctx *ktls_ctx_get(struct sock *sk)
{
	struct ktls_ctx *ctx = NULL;

	if (!ktls_sk_is_ours(sk))
		return NULL;
	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (ctx && !refcount_inc_not_zero(&ctx->refs))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/*
 * Free a context that is no longer reachable from the socket.  Keys are
 * wiped and the directions released now; the memory goes after a grace
 * period and after the last redirecting sender let go, because
 * diagnostics, socket callbacks and redirects may still be reading it.
 */
void ktls_ctx_free(struct ktls_ctx *ctx)
{
	if (ctx->tx)
		ktls_tx_free(ctx);
	memzero_explicit(&ctx->tls.crypto_send, sizeof(ctx->tls.crypto_send));
	memzero_explicit(&ctx->tls.crypto_recv, sizeof(ctx->tls.crypto_recv));
	atomic_long_dec(&ktls_live_ctx);
	ktls_ctx_put(ctx);
}

/*
 * The socket is being destroyed without our close() having run (it never
 * does for a socket that was never closed by its owner, e.g. on error
 * paths): free whatever is left.
 */
static void ktls_ulp_release(struct sock *sk)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);

	if (!ctx)
		return;
	write_lock_bh(&sk->sk_callback_lock);
	ktls_psock_unhook(sk, ctx);
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
	if (ctx->rx)
		ktls_rx_free(sk, ctx);
	ktls_ctx_free(ctx);
}

/*
 * sockmap hands the socket back: its psock is going away (map delete, or
 * close) and @p is the protocol from before the psock.  Called with
 * sk_callback_lock held for writing, before the psock puts back the
 * data_ready it saved.  We move to our tables built on @p, so nothing of
 * sockmap's is called any more, and take over the callbacks the psock
 * would restore.
 */
static void ktls_ulp_update(struct sock *sk, struct proto *p,
			    void (*write_space)(struct sock *sk))
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	struct sk_psock *psock;

	if (!ctx) {
		WRITE_ONCE(sk->sk_prot, p);
		WRITE_ONCE(sk->sk_write_space, write_space);
		return;
	}
	ctx->tls.sk_proto = p;
	ctx->tls.sk_write_space = write_space;
	if (!ctx->tx)
		WRITE_ONCE(sk->sk_write_space, write_space);

	rcu_read_lock();
	psock = sk_psock(sk);
	if (ctx->rx && psock && psock->saved_data_ready) {
		/* The psock would put its saved callback over ours. */
		ctx->rx->saved_data_ready = psock->saved_data_ready;
		psock->saved_data_ready = sk->sk_data_ready;
	}
	rcu_read_unlock();
	if (ktls_proto_rebase(sk, ctx, p))
		pr_err_ratelimited("no tables for the restored protocol\n");
}

static u16 ktls_conf_info(u8 conf)
{
	return conf == TLS_SW ? TLS_CONF_SW : TLS_CONF_BASE;
}

static int ktls_ulp_get_info(struct sock *sk, struct sk_buff *skb)
{
	struct ktls_ctx *ctx;
	struct nlattr *nest;
	int err = 0;

	nest = nla_nest_start_noflag(skb, INET_ULP_INFO_TLS);
	if (!nest)
		return -EMSGSIZE;

	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (ctx) {
		u16 version = ctx->tls.prot_info.version;

		if (version && (nla_put_u16(skb, TLS_INFO_VERSION, version) ||
				nla_put_u16(skb, TLS_INFO_CIPHER,
					    ctx->tls.prot_info.cipher_type)))
			err = -EMSGSIZE;
		if (!err && (nla_put_u16(skb, TLS_INFO_TXCONF,
					 ktls_conf_info(ctx->tls.tx_conf)) ||
			     nla_put_u16(skb, TLS_INFO_RXCONF,
					 ktls_conf_info(ctx->tls.rx_conf))))
			err = -EMSGSIZE;
		if (!err && ctx->tls.zerocopy_sendfile &&
		    nla_put_flag(skb, TLS_INFO_ZC_RO_TX))
			err = -EMSGSIZE;
		if (!err && ctx->tls.rx_no_pad &&
		    nla_put_flag(skb, TLS_INFO_RX_NO_PAD))
			err = -EMSGSIZE;
		if (!err && nla_put_u16(skb, KTLS_INFO_TX_MAX_PAYLOAD_LEN,
					ctx->tx_max_payload))
			err = -EMSGSIZE;
	}
	rcu_read_unlock();

	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static size_t ktls_ulp_get_info_size(const struct sock *sk)
{
	return nla_total_size(0) + /* INET_ULP_INFO_TLS */
	       nla_total_size(sizeof(u16)) + /* TLS_INFO_VERSION */
	       nla_total_size(sizeof(u16)) + /* TLS_INFO_CIPHER */
	       nla_total_size(sizeof(u16)) + /* TLS_INFO_TXCONF */
	       nla_total_size(sizeof(u16)) + /* TLS_INFO_RXCONF */
	       nla_total_size(0) + /* TLS_INFO_ZC_RO_TX */
	       nla_total_size(0) + /* TLS_INFO_RX_NO_PAD */
	       nla_total_size(sizeof(u16)); /* ..._TX_MAX_PAYLOAD_LEN */
}

struct tcp_ulp_ops ktls_ulp_ops __read_mostly = {
	.name = "ktls",
	.owner = THIS_MODULE,
	.init = ktls_ulp_init,
	.release = ktls_ulp_release,
	.update = ktls_ulp_update,
	.get_info = ktls_ulp_get_info,
	.get_info_size = ktls_ulp_get_info_size,
};

int ktls_ulp_register(void)
{
	int err = tcp_register_ulp(&ktls_ulp_ops);

	if (err)
		pr_err("cannot register TCP ULP \"ktls\": %d\n", err);
	return err;
}

void ktls_ulp_unregister(void)
{
	tcp_unregister_ulp(&ktls_ulp_ops);
}
