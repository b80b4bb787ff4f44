// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the receive side.  Our own record parser reads headers straight
 * from the TCP receive queue; only when a whole record is there is it taken
 * out of TCP, decrypted into an skb of its own and queued on rx->list,
 * where recvmsg, MSG_PEEK and splice read it.  Readers are woken only when
 * a whole record (or an error) is waiting.
 */
#include <linux/highmem.h>
#include <linux/splice.h>
#include <net/tcp.h>

#include "ktls.h"

/* Bytes in the TCP receive queue not yet read. */
static u32 ktls_tcp_unread(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);
}

/* Copy @len bytes from the front of the TCP receive queue, not consuming. */
static int ktls_tcp_peek(struct sock *sk, u8 *buf, u32 len)
{
	u32 seq = tcp_sk(sk)->copied_seq, done = 0;
	struct sk_buff *skb;
	u32 off;

	skb_queue_walk(&sk->sk_receive_queue, skb)
	{
		u32 n;

		if (before(seq + done, TCP_SKB_CB(skb)->seq))
			return -EINVAL;
		off = seq + done - TCP_SKB_CB(skb)->seq;
		if (off >= skb->len)
			continue;
		n = min(len - done, skb->len - off);
		if (skb_copy_bits(skb, off, buf + done, n))
			return -EFAULT;
		done += n;
		if (done == len)
			return 0;
	}
	return -EAGAIN;
}

struct ktls_rx_fill {
	struct sk_buff *skb;
	u32 done;
};

/* tcp_read_sock() actor: copy record bytes into our skb's pages. */
static int ktls_rx_fill(read_descriptor_t *desc, struct sk_buff *src,
			unsigned int off, size_t len)
{
	struct ktls_rx_fill *f = desc->arg.data;
	size_t want = min_t(size_t, len, desc->count), done = 0;

	while (done < want) {
		u32 fi = 0, foff = f->done, pos;
		skb_frag_t *frag;
		u32 n;
		u8 *dst;
		int err;

		while (foff >= skb_frag_size(&skb_shinfo(f->skb)->frags[fi])) {
			foff -= skb_frag_size(&skb_shinfo(f->skb)->frags[fi]);
			fi++;
		}
		frag = &skb_shinfo(f->skb)->frags[fi];
		pos = skb_frag_off(frag) + foff;
		n = min_t(u32, want - done, skb_frag_size(frag) - foff);
		n = min_t(u32, n, PAGE_SIZE - offset_in_page(pos));
		dst = kmap_local_page(skb_frag_page(frag) + pos / PAGE_SIZE);
		err = skb_copy_bits(src, off + done, dst + offset_in_page(pos),
				    n);
		kunmap_local(dst);
		if (err)
			break;
		done += n;
		f->done += n;
	}
	desc->count -= done;
	return done;
}

/*
 * A framing error stops the parser for good.  It is raised on the socket
 * (the next read reports it, once); later reads find no more data.
 */
static void ktls_rx_framing_error(struct sock *sk, struct ktls_rx *rx, int err)
{
	rx->stopped = true;
	WRITE_ONCE(rx->avail, false);
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
}

/*
 * Move the bytes of the next record out of TCP into a record skb of our
 * own as they arrive, so TCP's receive window stays open however the
 * record is split.  Once a whole record sits in rx->ready nothing more is
 * taken until it has been decrypted.  Runs in process context with the
 * socket owned, or from data_ready with the socket spinlock held.
 */
static void ktls_rx_pull(struct sock *sk, struct ktls_rx *rx, gfp_t gfp)
{
	const struct ktls_prot *prot = &rx->dir.prot;

	while (!rx->ready && !rx->stopped) {
		u32 unread = ktls_tcp_unread(sk);
		read_descriptor_t desc = {};
		struct ktls_rx_fill fill;
		int n;

		if (!rx->cur) {
			u8 hdr[KTLS_MAX_PREPEND_SIZE];
			int len, err;

			if (unread < prot->prepend_size ||
			    ktls_tcp_peek(sk, hdr, prot->prepend_size))
				return;
			len = ktls_hdr_parse(prot, hdr, prot->prepend_size);
			if (len < 0) {
				ktls_rx_framing_error(sk, rx, len);
				return;
			}
			rx->cur = alloc_skb_with_frags(0, len, 0, &err, gfp);
			if (!rx->cur)
				return; /* retried on the next read or packet */
			rx->cur->len = len;
			rx->cur->data_len = len;
			rx->cur_got = 0;
		}
		if (!unread)
			return;

		fill.skb = rx->cur;
		fill.done = rx->cur_got;
		desc.arg.data = &fill;
		desc.count = min_t(u32, unread, rx->cur->len - rx->cur_got);
		n = tcp_read_sock(sk, &desc, ktls_rx_fill);
		if (n <= 0)
			return;
		rx->cur_got = fill.done;
		if (rx->cur_got < rx->cur->len)
			return;
		rx->ready = rx->cur;
		rx->cur = NULL;
	}
}

/* Refresh rx->avail, the lockless hint for poll and waiters. */
static bool ktls_rx_check(struct sock *sk, struct ktls_rx *rx)
{
	bool ready = rx->err || (rx->ready && !rx->key_update);

	WRITE_ONCE(rx->avail, ready);
	return ready || !skb_queue_empty(&rx->list);
}

/*
 * Process context, socket owned: take what TCP holds (a read may have
 * emptied rx->ready while more bytes waited in TCP) and refresh the hint.
 */
static bool ktls_rx_refresh(struct sock *sk, struct ktls_rx *rx)
{
	ktls_rx_pull(sk, rx, sk->sk_allocation);
	return ktls_rx_check(sk, rx);
}

static void ktls_data_ready(struct sock *sk)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);

	if (unlikely(!ctx))
		return; /* raced with close(), which restored the callback */
	ktls_rx_pull(sk, ctx->rx, GFP_ATOMIC);
	if (ktls_rx_check(sk, ctx->rx) || ktls_psock_has_data(sk))
		ctx->rx->saved_data_ready(sk);
}

/*
 * sockmap put its saved data_ready back over ours (a map link with a
 * stream verdict went): take the callback again, chaining to that one.
 * sk_callback_lock is held for writing.
 */
void ktls_rx_own_data_ready(struct sock *sk, struct ktls_rx *rx)
{
	if (sk->sk_data_ready == ktls_data_ready)
		return;
	rx->saved_data_ready = sk->sk_data_ready;
	WRITE_ONCE(sk->sk_data_ready, ktls_data_ready);
}

static u8 ktls_rx_first_byte(struct sk_buff *skb, u32 off)
{
	u8 b = 0;

	skb_copy_bits(skb, off, &b, 1);
	return b;
}

/* Find the TLS 1.3 content type: the last non-zero plaintext byte. */
static int ktls_rx_inner_type(struct sk_buff *skb, u32 off, u32 *len)
{
	u8 buf[64];

	while (*len) {
		u32 n = min_t(u32, *len, sizeof(buf));
		unsigned int pad;
		int type;

		if (skb_copy_bits(skb, off + *len - n, buf, n))
			return -EFAULT;
		type = ktls_inner_type(buf, n, &pad);
		if (type >= 0) {
			*len -= pad + 1;
			return type;
		}
		*len -= n;
	}
	return -EBADMSG;
}

/*
 * Decrypt the next whole record and queue it on rx->list: 0, -EAGAIN
 * when no whole record has arrived, -ENOENT when a stream verdict took
 * it, else -EBADMSG.
 */
static int ktls_rx_decrypt_next(struct sock *sk, struct ktls_rx *rx)
{
	struct ktls_dir *dir = &rx->dir;
	const struct ktls_prot *prot = &dir->prot;
	struct scatterlist sg[MAX_SKB_FRAGS + 2];
	u8 hdr[KTLS_MAX_PREPEND_SIZE];
	struct sk_buff *skb;
	u32 data_len;
	int len, err, nsg, type;

	ktls_rx_pull(sk, rx, sk->sk_allocation);
	skb = rx->ready;
	if (!skb)
		return -EAGAIN;
	rx->ready = NULL;
	len = skb->len;
	/* Keep TCP's window moving while this one is decrypted. */
	ktls_rx_pull(sk, rx, sk->sk_allocation);

	skb_copy_bits(skb, 0, hdr, prot->prepend_size);
	data_len = len - prot->overhead_size;
	ktls_nonce_build(prot, &dir->st, hdr + KTLS_HEADER_SIZE, dir->nonce);
	/* TLS 1.3 authenticates type 23 whatever the outer type says. */
	ktls_aad_build(prot, &dir->st, dir->aad, hdr[0], data_len);

	sg_init_table(sg, ARRAY_SIZE(sg));
	sg_set_buf(&sg[0], dir->aad, prot->aad_size);
	nsg = skb_to_sgvec(skb, &sg[1], prot->prepend_size,
			   len - prot->prepend_size);
	if (nsg < 0) {
		kfree_skb(skb);
		return -EBADMSG;
	}
	sg_mark_end(&sg[nsg]);

	err = ktls_aead_run(dir, sg, sg, len - prot->prepend_size, false);
	if (err) {
		kfree_skb(skb);
		ktls_stat_inc(sk, KTLS_STAT_DECRYPT_ERROR);
		return -EBADMSG;
	}
	ktls_iv_state_advance(prot, &dir->st);

	data_len += prot->inner_type_size;
	if (prot->inner_type_size) {
		u32 full = data_len;

		type = ktls_rx_inner_type(skb, prot->prepend_size, &data_len);
		if (type < 0) {
			kfree_skb(skb);
			ktls_stat_inc(sk, KTLS_STAT_DECRYPT_ERROR);
			return type;
		}
		/* The peer promised no padding (TLS_RX_EXPECT_NO_PAD). */
		if (ktls_ctx(sk)->tls.rx_no_pad &&
		    (data_len + 1 != full || type != KTLS_TYPE_DATA)) {
			ktls_stat_inc(sk, KTLS_STAT_RX_NO_PAD_VIOLATION);
			ktls_stat_inc(sk, KTLS_STAT_DECRYPT_RETRY);
		}
		if (type == KTLS_TYPE_HANDSHAKE && data_len &&
		    ktls_rx_first_byte(skb, prot->prepend_size) ==
			    KTLS_HANDSHAKE_KEY_UPDATE) {
			/* Later records are under a key we do not have yet. */
			rx->key_update = true;
			ktls_stat_inc(sk, KTLS_STAT_RX_REKEY_RECEIVED);
		}
	} else {
		type = hdr[0];
	}

	if (type == KTLS_TYPE_DATA &&
	    !ktls_rx_verdict(sk, skb, prot->prepend_size, &data_len))
		return -ENOENT;
	ktls_rx_cb(skb)->type = type;
	strp_msg(skb)->offset = prot->prepend_size;
	strp_msg(skb)->full_len = data_len;
	__skb_queue_tail(&rx->list, skb);
	atomic_long_inc(&ktls_live_rx_records);
	return 0;
}

static void ktls_rx_consume(struct ktls_rx *rx, struct sk_buff *skb)
{
	__skb_unlink(skb, &rx->list);
	consume_skb(skb);
	atomic_long_dec(&ktls_live_rx_records);
}

static void ktls_rx_purge(struct ktls_rx *rx)
{
	struct sk_buff *skb;

	while ((skb = skb_peek(&rx->list)))
		ktls_rx_consume(rx, skb);
}

/*
 * A record failed authentication.  Like in-tree kTLS, the error sticks:
 * every later read fails the same way.  It is also raised on the socket.
 */
static int ktls_rx_fail(struct sock *sk, struct ktls_rx *rx, int err)
{
	rx->err = err;
	WRITE_ONCE(rx->avail, true);
	WRITE_ONCE(sk->sk_err, -err);
	sk_error_report(sk);
	return err;
}

/* An error returned to the caller is the socket error: it is consumed. */
static int ktls_rx_report(struct sock *sk, size_t copied, int err)
{
	if (copied)
		return copied;
	if (err < 0 && READ_ONCE(sk->sk_err) == -err)
		sock_error(sk);
	return err;
}

/*
 * The next record to read: the head of the list, or the one after @prev
 * when peeking.  Decrypts another record out of TCP when needed.
 */
static int ktls_rx_next(struct sock *sk, struct ktls_rx *rx,
			struct sk_buff *prev, struct sk_buff **skbp)
{
	int err;

	if (prev ? !skb_queue_is_last(&rx->list, prev) :
		   !skb_queue_empty(&rx->list)) {
		*skbp = prev ? skb_peek_next(prev, &rx->list) :
			       skb_peek(&rx->list);
		return 0;
	}
	if (rx->err)
		return rx->err;
	if (rx->stopped)
		return -EAGAIN;
	if (rx->key_update)
		return -EKEYEXPIRED;
	do {
		err = ktls_rx_decrypt_next(sk, rx);
	} while (err == -ENOENT);
	if (err == -EAGAIN)
		return err;
	if (err)
		return ktls_rx_fail(sk, rx, err);
	*skbp = skb_peek_tail(&rx->list);
	return 0;
}

/* Wait until a record, an error or the end of the stream arrives. */
static int ktls_rx_wait(struct sock *sk, struct ktls_rx *rx, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & RCV_SHUTDOWN || sock_flag(sk, SOCK_DONE))
		return 0;
	if (!*timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(*timeo);

	/*
	 * Wait for a new record in TCP, not for the rx list: a peek may be
	 * past its end.  The condition runs without the socket lock, so it
	 * reads the hint that data_ready keeps fresh.
	 */
	ktls_rx_refresh(sk, rx);
	add_wait_queue(sk_sleep(sk), &wait);
	sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	sk_wait_event(sk, timeo,
		      READ_ONCE(rx->avail) || READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
			      ktls_psock_has_data(sk),
		      &wait);
	sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	remove_wait_queue(sk_sleep(sk), &wait);
	return 1;
}

int ktls_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		 int *addr_len)
{
	struct ktls_rx *rx = ktls_ctx(sk)->rx;
	bool peek = flags & MSG_PEEK;
	struct sk_buff *skb, *prev = NULL;
	size_t copied = 0;
	int type = -1, err = 0, target;
	long timeo;

	if (unlikely(flags & MSG_ERRQUEUE))
		return sock_recv_errqueue(sk, msg, len, SOL_IP, IP_RECVERR);

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);

	while (copied < len) {
		struct strp_msg *rxm;
		u32 n;

		err = ktls_rx_next(sk, rx, prev, &skb);
		if (err == -EAGAIN && !copied && type < 0) {
			/* Bytes a sockmap redirect queued here, if any. */
			err = ktls_psock_recvmsg(sk, msg, len, flags);
			if (err) {
				copied = max(err, 0);
				break;
			}
			err = -EAGAIN;
		}
		if (err == -EAGAIN) {
			if (copied >= target)
				break;
			err = ktls_rx_wait(sk, rx, &timeo);
			if (err > 0)
				continue;
			break;
		}
		if (err)
			break;

		rxm = strp_msg(skb);
		if (type < 0) {
			type = ktls_rx_cb(skb)->type;
			if (msg->msg_control || type != KTLS_TYPE_DATA) {
				u8 t = type;

				err = put_cmsg(msg, SOL_TLS,
					       TLS_GET_RECORD_TYPE, sizeof(t),
					       &t);
				if (type != KTLS_TYPE_DATA &&
				    (err || (msg->msg_flags & MSG_CTRUNC))) {
					err = -EIO;
					break;
				}
				err = 0;
			}
		} else if (ktls_rx_cb(skb)->type != type) {
			break;
		}

		n = min_t(size_t, rxm->full_len, len - copied);
		if (n) {
			err = skb_copy_datagram_msg(skb, rxm->offset, msg, n);
			if (err)
				break;
		}
		copied += n;

		if (peek) {
			prev = skb;
		} else if (n == rxm->full_len) {
			ktls_rx_consume(rx, skb);
		} else {
			rxm->offset += n;
			rxm->full_len -= n;
		}
		/* Control records are read one per call. */
		if (type != KTLS_TYPE_DATA)
			break;
	}

	ktls_rx_refresh(sk, rx);
	release_sock(sk);
	return ktls_rx_report(sk, copied, err);
}

ssize_t ktls_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags)
{
	struct sock *sk = sock->sk;
	struct ktls_rx *rx = ktls_ctx(sk)->rx;
	struct strp_msg *rxm;
	struct sk_buff *skb;
	long timeo;
	int err;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, flags & SPLICE_F_NONBLOCK);
	for (;;) {
		err = ktls_rx_next(sk, rx, NULL, &skb);
		if (err != -EAGAIN)
			break;
		err = ktls_rx_wait(sk, rx, &timeo);
		if (err <= 0)
			goto out;
	}
	if (err)
		goto out;

	/* splice carries no record type: only data records go this way. */
	if (ktls_rx_cb(skb)->type != KTLS_TYPE_DATA) {
		err = -EINVAL;
		goto out;
	}
	rxm = strp_msg(skb);
	err = skb_splice_bits(skb, sk, rxm->offset, pipe,
			      min_t(size_t, len, rxm->full_len), flags);
	if (err > 0) {
		if (err == rxm->full_len) {
			ktls_rx_consume(rx, skb);
		} else {
			rxm->offset += err;
			rxm->full_len -= err;
		}
	}
out:
	ktls_rx_refresh(sk, rx);
	release_sock(sk);
	return ktls_rx_report(sk, 0, err);
}

bool ktls_sock_is_readable(struct sock *sk)
{
	struct ktls_rx *rx = ktls_ctx(sk)->rx;

	return READ_ONCE(rx->avail) || !skb_queue_empty_lockless(&rx->list) ||
	       ktls_psock_has_data(sk);
}

__poll_t ktls_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait)
{
	struct sock *sk = sock->sk;
	struct ktls_ctx *ctx = ktls_ctx(sk);
	__poll_t mask = ctx->sk_ops->poll(file, sock, wait);

	/* Readable only when a whole record (or an error) is waiting. */
	if ((mask & (EPOLLIN | EPOLLRDNORM)) &&
	    !(mask & (EPOLLERR | EPOLLRDHUP)) && !ktls_sock_is_readable(sk))
		mask &= ~(EPOLLIN | EPOLLRDNORM);
	return mask;
}

int ktls_rx_init(struct sock *sk, struct ktls_ctx *ctx,
		 const struct ktls_cipher *c,
		 const struct tls_crypto_info *info)
{
	struct ktls_rx *rx;
	int err;

	rx = kzalloc(sizeof(*rx), GFP_KERNEL);
	if (!rx)
		return -ENOMEM;
	err = ktls_dir_init(&rx->dir, c, info);
	if (err) {
		kfree(rx);
		return err;
	}
	skb_queue_head_init(&rx->list);

	write_lock_bh(&sk->sk_callback_lock);
	ctx->rx = rx;
	ctx->tls.priv_ctx_rx = rx;
	rx->saved_data_ready = sk->sk_data_ready;
	sk->sk_data_ready = ktls_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	/* Records may have arrived before the key. */
	if (ktls_rx_refresh(sk, rx))
		rx->saved_data_ready(sk);
	return 0;
}

/* Called with the socket locked, callbacks already restored. */
void ktls_rx_free(struct sock *sk, struct ktls_ctx *ctx)
{
	struct ktls_rx *rx = ctx->rx;

	ktls_rx_purge(rx);
	kfree_skb(rx->cur);
	kfree_skb(rx->ready);
	rx->cur = NULL;
	rx->ready = NULL;
	ktls_dir_free(&rx->dir);
	ktls_stat_add(sk, KTLS_STAT_CURR_RX_SW, -1);
}

/*
 * TLS 1.3 KeyUpdate on RX: records after the KeyUpdate decrypt with the
 * new key; readers waiting in poll learn that data is readable again.
 */
int ktls_rx_rekey(struct sock *sk, struct ktls_ctx *ctx,
		  const struct ktls_cipher *c,
		  const struct tls_crypto_info *info)
{
	struct ktls_rx *rx = ctx->rx;
	int err;

	err = ktls_dir_rekey(&rx->dir, c, info);
	if (err)
		return err;
	rx->key_update = false;
	if (ktls_rx_refresh(sk, rx))
		rx->saved_data_ready(sk);
	return 0;
}
