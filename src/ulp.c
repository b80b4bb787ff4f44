// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the TCP upper layer protocol: attach, detach, diagnostics.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/inet_diag.h>
#include <net/netlink.h>
#include <net/tcp.h>

#include "ktls.h"

static int ktls_ulp_init(struct sock *sk)
{
	struct ktls_ctx *ctx;

	/* Keys are installed after the handshake: only a connected stream. */
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;

	ctx->tls.sk = sk;
	ctx->tls.sk_proto = READ_ONCE(sk->sk_prot);
	ctx->tls.sk_write_space = sk->sk_write_space;
	ctx->tls.tx_conf = TLS_BASE;
	ctx->tls.rx_conf = TLS_BASE;

	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	return 0;
}

/*
 * Called when the socket is destroyed.  Diagnostics may still be reading
 * the context under RCU, so it is freed after a grace period.
 */
static void ktls_ulp_release(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct ktls_ctx *ctx = ktls_ctx(sk);

	if (!ctx)
		return;
	rcu_assign_pointer(icsk->icsk_ulp_data, NULL);
	kfree_rcu(ctx, tls.rcu);
}

/*
 * sockmap hands the socket back (psock removed) or swaps in its own
 * protocol: remember the new base protocol and write_space callback.
 */
static void ktls_ulp_update(struct sock *sk, struct proto *p,
			    void (*write_space)(struct sock *sk))
{
	struct ktls_ctx *ctx = ktls_ctx(sk);

	if (ctx) {
		ctx->tls.sk_proto = p;
		ctx->tls.sk_write_space = write_space;
	}
	WRITE_ONCE(sk->sk_prot, p);
	sk->sk_write_space = write_space;
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
		if (nla_put_u16(skb, TLS_INFO_TXCONF, TLS_CONF_BASE) ||
		    nla_put_u16(skb, TLS_INFO_RXCONF, TLS_CONF_BASE))
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
	       nla_total_size(sizeof(u16)) + /* TLS_INFO_TXCONF */
	       nla_total_size(sizeof(u16)); /* TLS_INFO_RXCONF */
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
