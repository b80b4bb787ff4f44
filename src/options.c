// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: socket options at level SOL_TLS.  Other levels go to the base
 * protocol.  Validation and error codes come from opt_check.c.
 */
#include <linux/uaccess.h>
#include <net/tcp.h>

#include "ktls.h"
#include "opt_check.h"
#include <linux/ktls.h>

static union tls_crypto_context *ktls_info(struct ktls_ctx *ctx, bool tx)
{
	return tx ? &ctx->tls.crypto_send : &ctx->tls.crypto_recv;
}

/*
 * The rest of the crypto_info, after the header that was checked: the
 * header is not read again, so the values checked are the values used
 * even if another thread changes the caller's buffer meanwhile.
 */
static int ktls_copy_rest(union tls_crypto_context *info, sockptr_t optval,
			  const struct ktls_cipher *c)
{
	size_t hdr = sizeof(info->info);

	if (WARN_ON_ONCE(c->info_size > sizeof(*info) || c->info_size < hdr))
		return -EINVAL;
	if (copy_from_sockptr_offset((u8 *)info + hdr, optval, hdr,
				     c->info_size - hdr))
		return -EFAULT;
	return 0;
}

/*
 * A second TLS_TX or TLS_RX: a TLS 1.3 KeyUpdate.  Version and cipher must
 * stay; TLS 1.2 has no rekey.
 */
static int ktls_rekey(struct sock *sk, sockptr_t optval, unsigned int optlen,
		      bool tx)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	union tls_crypto_context *mine = ktls_info(ctx, tx);
	union tls_crypto_context info;
	const struct ktls_cipher *c;
	int err;

	if (mine->info.version != TLS_1_3_VERSION)
		return -EBUSY;
	if (copy_from_sockptr(&info.info, optval, sizeof(info.info)))
		return -EFAULT;
	err = ktls_conf_set_check(&info.info, &mine->info, optlen, &c);
	if (err)
		return err;
	err = ktls_copy_rest(&info, optval, c);
	if (err)
		goto out;
	err = tx ? ktls_tx_rekey(sk, ctx, c, &info.info) :
		   ktls_rx_rekey(sk, ctx, c, &info.info);
	if (!err)
		memcpy(mine, &info, c->info_size);
	if (tx)
		ktls_stat_inc(sk, err ? KTLS_STAT_TX_REKEY_ERROR :
					KTLS_STAT_TX_REKEY_OK);
	else
		ktls_stat_inc(sk, err ? KTLS_STAT_RX_REKEY_ERROR :
					KTLS_STAT_RX_REKEY_OK);
out:
	memzero_explicit(&info, sizeof(info));
	return err;
}

static int ktls_set_crypto(struct sock *sk, sockptr_t optval,
			   unsigned int optlen, bool tx)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	union tls_crypto_context *mine = ktls_info(ctx, tx);
	union tls_crypto_context info;
	const struct ktls_cipher *c;
	int err;

	err = ktls_conf_set_precheck(sockptr_is_null(optval), optlen);
	if (err)
		return err;
	if (mine->info.cipher_type)
		return ktls_rekey(sk, optval, optlen, tx);

	if (copy_from_sockptr(&info.info, optval, sizeof(info.info)))
		return -EFAULT;
	err = ktls_conf_set_check(&info.info, &ktls_info(ctx, !tx)->info,
				  optlen, &c);
	if (err)
		return err;
	err = ktls_copy_rest(&info, optval, c);
	if (err)
		goto out;

	err = tx ? ktls_tx_init(sk, ctx, c, &info.info) :
		   ktls_rx_init(sk, ctx, c, &info.info);
	if (err)
		goto out;

	memcpy(mine, &info, c->info_size);
	ktls_stat_inc(sk, tx ? KTLS_STAT_TX_SW : KTLS_STAT_RX_SW);
	ktls_stat_inc(sk, tx ? KTLS_STAT_CURR_TX_SW : KTLS_STAT_CURR_RX_SW);
	ctx->tls.prot_info.version = info.info.version;
	ctx->tls.prot_info.cipher_type = info.info.cipher_type;
	write_lock_bh(&sk->sk_callback_lock);
	if (tx)
		ctx->tls.tx_conf = TLS_SW;
	else
		ctx->tls.rx_conf = TLS_SW;
	ktls_proto_update(sk);
	write_unlock_bh(&sk->sk_callback_lock);
out:
	memzero_explicit(&info, sizeof(info));
	return err;
}

static int ktls_get_crypto(struct sock *sk, char __user *optval,
			   int __user *optlen, bool tx)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	union tls_crypto_context info;
	const struct ktls_cipher *c;
	int len, n;

	if (get_user(len, optlen))
		return -EFAULT;
	memcpy(&info, ktls_info(ctx, tx), sizeof(info));
	n = ktls_conf_get_len(len, !optval, &info.info);
	if (n > (int)sizeof(info.info)) {
		/* The whole struct, with the current IV and sequence. */
		c = ktls_cipher_find(info.info.cipher_type);
		ktls_iv_state_store(c, tx ? &ctx->tx->dir.st : &ctx->rx->dir.st,
				    &info.info);
	}
	if (n > 0 && copy_to_user(optval, &info, n))
		n = -EFAULT;
	memzero_explicit(&info, sizeof(info));
	return n < 0 ? n : 0;
}

static int ktls_set_zc_ro(struct sock *sk, sockptr_t optval,
			  unsigned int optlen)
{
	u32 val;
	int err;

	err = ktls_zc_ro_set_precheck(sockptr_is_null(optval), optlen);
	if (err)
		return err;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	err = ktls_zc_ro_set_value(val);
	if (err < 0)
		return err;
	ktls_ctx(sk)->tls.zerocopy_sendfile = err;
	return 0;
}

static int ktls_set_no_pad(struct sock *sk, sockptr_t optval,
			   unsigned int optlen)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	u32 val;
	int err, zeroed;

	err = ktls_no_pad_set_precheck(ctx->tls.prot_info.version,
				       sockptr_is_null(optval), optlen);
	if (err)
		return err;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	zeroed =
		check_zeroed_sockptr(optval, sizeof(val), optlen - sizeof(val));
	err = ktls_no_pad_set_value(val, zeroed, ctx->rx);
	if (err < 0)
		return err;
	ctx->tls.rx_no_pad = err;
	return 0;
}

/* TLS_TX_MAX_PAYLOAD_LEN: plaintext bytes per record, RFC 8449's limit. */
static int ktls_set_max_payload(struct sock *sk, sockptr_t optval,
				unsigned int optlen)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	u16 val;

	if (ctx->tx && ctx->tx->pl.sg.size)
		return -EBUSY;
	if (sockptr_is_null(optval) || optlen != sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	if (val < KTLS_TX_MAX_PAYLOAD_LEN_MIN ||
	    val > KTLS_TX_MAX_PAYLOAD_LEN_MAX)
		return -EINVAL;
	ctx->tx_max_payload = val;
	if (ctx->tx)
		ctx->tx->max_payload = val;
	return 0;
}

int ktls_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
		    unsigned int optlen)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	struct ktls_tx *tx = NULL;
	int err;

	if (level != SOL_TLS)
		return ctx->tls.sk_proto->setsockopt(sk, level, optname, optval,
						     optlen);
	/* Changing the TX key waits for a sender in the middle of a record. */
again:
	if (optname == TLS_TX) {
		tx = READ_ONCE(ctx->tx);
		if (tx && ktls_tx_lock_mutex(tx, true))
			return -ERESTARTSYS;
	}
	lock_sock(sk);
	/* Another thread installed TX meanwhile: this is a rekey after all. */
	if (optname == TLS_TX && !tx && ctx->tx) {
		release_sock(sk);
		goto again;
	}
	switch (optname) {
	case TLS_TX:
	case TLS_RX:
		err = ktls_set_crypto(sk, optval, optlen, optname == TLS_TX);
		break;
	case TLS_TX_ZEROCOPY_RO:
		err = ktls_set_zc_ro(sk, optval, optlen);
		break;
	case TLS_RX_EXPECT_NO_PAD:
		err = ktls_set_no_pad(sk, optval, optlen);
		break;
	case TLS_TX_MAX_PAYLOAD_LEN:
		err = ktls_set_max_payload(sk, optval, optlen);
		break;
	default:
		err = -ENOPROTOOPT;
	}
	release_sock(sk);
	if (tx)
		mutex_unlock(&tx->lock);
	return err;
}

int ktls_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	int len, n, err;
	int val;

	if (level != SOL_TLS)
		return ctx->tls.sk_proto->getsockopt(sk, level, optname, optval,
						     optlen);
	if (optname == TLS_TX || optname == TLS_RX) {
		lock_sock(sk);
		err = ktls_get_crypto(sk, optval, optlen, optname == TLS_TX);
		release_sock(sk);
		return err;
	}
	if (get_user(len, optlen))
		return -EFAULT;
	switch (optname) {
	case TLS_TX_ZEROCOPY_RO:
		n = ktls_zc_ro_get_len(len);
		val = ctx->tls.zerocopy_sendfile;
		break;
	case TLS_RX_EXPECT_NO_PAD:
		n = ktls_no_pad_get_len(ctx->tls.prot_info.version, len,
					ctx->rx);
		val = ctx->tls.rx_no_pad;
		if (n > 0 && put_user(n, optlen))
			return -EFAULT;
		break;
	case TLS_TX_MAX_PAYLOAD_LEN: {
		u16 max = ctx->tx_max_payload;

		if (len < (int)sizeof(max))
			return -EINVAL;
		if (put_user(sizeof(max), optlen) ||
		    copy_to_user(optval, &max, sizeof(max)))
			return -EFAULT;
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	if (n < 0)
		return n;
	return copy_to_user(optval, &val, n) ? -EFAULT : 0;
}
