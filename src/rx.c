// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the receive side.  Our own record parser reads headers straight
 * from the TCP receive queue.  A record stays in TCP until all of it has
 * arrived; it is then decrypted straight out of TCP's buffers, into the
 * reader's own buffer when the plaintext fits there, else into an skb of
 * our own queued on rx->list, where recvmsg, MSG_PEEK and splice read it.
 * Only when TCP's buffer runs short are a record's bytes copied out as
 * they arrive, so that the rest of it can still come.  Readers are woken
 * only when a whole record (or an error) is waiting.
 */
#include <linux/highmem.h>
#include <linux/splice.h>
#include <net/tcp.h>

#include "ktls.h"

/* Scatterlist entries for a record's ciphertext taken from TCP's queue. */
#define KTLS_RX_SRC_SG (MAX_SKB_FRAGS + 8)
/* Reader's pages a record's plaintext is decrypted into, at most. */
#define KTLS_RX_USER_PAGES (KTLS_MAX_PLAINTEXT / PAGE_SIZE + 2)

/* Bytes in the TCP receive queue not yet read. */
static u32 ktls_tcp_unread(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 n = READ_ONCE(tp->rcv_nxt) - READ_ONCE(tp->copied_seq);

	/* A FIN takes a sequence number but is not a byte to read. */
	if (n && sock_flag(sk, SOCK_DONE))
		n--;
	return n;
}

static struct sk_buff *ktls_tcp_next(struct sock *sk, struct sk_buff *skb)
{
	return skb_queue_is_last(&sk->sk_receive_queue, skb) ? NULL : skb->next;
}

/*
 * The skb of TCP's receive queue holding the byte @off bytes past the
 * unread data's start, and that byte's offset in it; NULL if not there.
 */
static struct sk_buff *ktls_tcp_find(struct sock *sk, u32 off, u32 *skb_off)
{
	u32 seq = tcp_sk(sk)->copied_seq + off;
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_receive_queue, skb)
	{
		if (before(seq, TCP_SKB_CB(skb)->seq))
			return NULL;
		if (seq - TCP_SKB_CB(skb)->seq < skb->len) {
			*skb_off = seq - TCP_SKB_CB(skb)->seq;
			return skb;
		}
	}
	return NULL;
}

/* Copy @len bytes from @off into the TCP receive queue, not consuming. */
static int ktls_tcp_peek(struct sock *sk, u32 off, u8 *buf, u32 len)
{
	struct sk_buff *skb;
	u32 skb_off;

	skb = ktls_tcp_find(sk, off, &skb_off);
	while (len) {
		u32 n;

		if (!skb)
			return -EAGAIN;
		n = min(len, skb->len - skb_off);
		if (skb_copy_bits(skb, skb_off, buf, n))
			return -EFAULT;
		buf += n;
		len -= n;
		skb = ktls_tcp_next(sk, skb);
		skb_off = 0;
	}
	return 0;
}

/*
 * Scatterlist entries skb_to_sgvec() needs for @len bytes at @off of
 * @skb, or -EMSGSIZE if its fragment list nests too deep.
 */
static int ktls_skb_nsg(struct sk_buff *skb, u32 off, u32 len, int depth)
{
	u32 pos = 0, end, n;
	struct sk_buff *frag;
	int i, nsg = 0;

	if (depth > 2)
		return -EMSGSIZE;
	end = skb_headlen(skb);
	for (i = -1; len && i < skb_shinfo(skb)->nr_frags; i++) {
		if (i >= 0)
			end = pos + skb_frag_size(&skb_shinfo(skb)->frags[i]);
		if (off < end) {
			n = min(len, end - off);
			nsg++;
			off += n;
			len -= n;
		}
		pos = end;
	}
	skb_walk_frags(skb, frag)
	{
		int ret;

		if (!len)
			break;
		end = pos + frag->len;
		if (off < end) {
			n = min(len, end - off);
			ret = ktls_skb_nsg(frag, off - pos, n, depth + 1);
			if (ret < 0)
				return ret;
			nsg += ret;
			off += n;
			len -= n;
		}
		pos = end;
	}
	return len ? -EMSGSIZE : nsg;
}

/*
 * Map @len bytes of TCP's receive queue, @off bytes past the unread
 * data's start, into @sg without copying them.  Returns the entries used,
 * or -EMSGSIZE when more than @nsg would be needed.
 */
static int ktls_tcp_to_sg(struct sock *sk, u32 off, u32 len,
			  struct scatterlist *sg, int nsg)
{
	struct sk_buff *skb;
	u32 skb_off;
	int used = 0;

	skb = ktls_tcp_find(sk, off, &skb_off);
	while (len) {
		int need;
		u32 n;

		if (!skb)
			return -EAGAIN;
		n = min(len, skb->len - skb_off);
		need = ktls_skb_nsg(skb, skb_off, n, 0);
		if (need < 0 || used + need > nsg)
			return -EMSGSIZE;
		need = skb_to_sgvec_nomark(skb, sg + used, skb_off, n);
		if (need < 0)
			return need;
		used += need;
		len -= n;
		skb = ktls_tcp_next(sk, skb);
		skb_off = 0;
	}
	return used;
}

/* tcp_read_sock() actor that only consumes. */
static int ktls_rx_skip(read_descriptor_t *desc, struct sk_buff *skb,
			unsigned int off, size_t len)
{
	size_t n = min_t(size_t, len, desc->count);

	desc->count -= n;
	return n;
}

/* tcp_read_sock() actor: copy into desc->arg.buf, desc->written so far. */
static int ktls_rx_copy(read_descriptor_t *desc, struct sk_buff *skb,
			unsigned int off, size_t len)
{
	size_t n = min_t(size_t, len, desc->count);

	if (skb_copy_bits(skb, off, desc->arg.buf + desc->written, n))
		return -EFAULT;
	desc->written += n;
	desc->count -= n;
	return n;
}

/* Feed @actor from TCP's receive queue until it has desc->count bytes. */
static void ktls_tcp_read(struct sock *sk, read_descriptor_t *desc,
			  sk_read_actor_t actor)
{
	while (desc->count && tcp_read_sock(sk, desc, actor) > 0)
		;
}

/* Consume @len bytes of TCP's receive queue: the window moves on. */
static void ktls_tcp_consume(struct sock *sk, u32 len)
{
	read_descriptor_t desc = { .count = len };

	ktls_tcp_read(sk, &desc, ktls_rx_skip);
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
 * A record is left in TCP until it is whole only while TCP's buffer can
 * hold all of it with room to spare, and the window the peer was last
 * offered has room for more than a segment; else its bytes are copied out
 * as they come.  TCP offers a new window only as its buffer is read: left
 * in place, part of a record (even part of its header, in the tail of a
 * large skb whose whole truesize counts) could close the window for good.
 */
static bool ktls_rx_short(struct sock *sk, u32 len)
{
	int rcvbuf = READ_ONCE(sk->sk_rcvbuf);

	return len > rcvbuf / 4 ||
	       atomic_read(&sk->sk_rmem_alloc) > rcvbuf / 2 ||
	       tcp_receive_window(tcp_sk(sk)) <=
		       READ_ONCE(inet_csk(sk)->icsk_ack.rcv_mss);
}

/* An skb of @len bytes in pages of its own, or an ERR_PTR. */
static struct sk_buff *ktls_skb_pages(u32 len, gfp_t gfp)
{
	struct sk_buff *skb;
	int err;

	skb = alloc_skb_with_frags(0, len, 0, &err, gfp);
	if (!skb) /* -ENOBUFS is out of memory here: retried, not fatal */
		return ERR_PTR(err == -ENOBUFS ? -ENOMEM : err);
	skb->len = len;
	skb->data_len = len;
	return skb;
}

/*
 * Copy what has arrived of the next record (@len bytes) out of TCP into
 * rx->cur; once all of it is there it moves to rx->ready.
 */
static void ktls_rx_take(struct sock *sk, struct ktls_rx *rx, u32 len,
			 gfp_t gfp)
{
	read_descriptor_t desc = {};
	struct ktls_rx_fill fill;

	if (!rx->cur) {
		rx->cur = ktls_skb_pages(len, gfp);
		if (IS_ERR(rx->cur)) {
			rx->cur = NULL;
			/*
			 * Retried on the next read or packet; with the window
			 * closed there may be no packet: wake a reader.
			 */
			rx->retry = !gfpflags_allow_blocking(gfp);
			return;
		}
		/* The header, if it was taken out on its own. */
		rx->cur_got = rx->hdr_got;
		if (rx->hdr_got)
			skb_store_bits(rx->cur, 0, rx->hdr, rx->hdr_got);
		rx->hdr_got = 0;
	}
	fill.skb = rx->cur;
	fill.done = rx->cur_got;
	desc.arg.data = &fill;
	desc.count = rx->cur->len - rx->cur_got;
	ktls_tcp_read(sk, &desc, ktls_rx_fill);
	rx->cur_got = fill.done;
	if (rx->cur_got < rx->cur->len)
		return;
	rx->ready = rx->cur;
	rx->cur = NULL;
}

/*
 * Parse the next record's header in TCP's queue (once: rx->hdr_len).  A
 * whole record is left there (rx->in_tcp says how long it is) unless TCP
 * runs short of buffer, see ktls_rx_short().  Runs in process context with
 * the socket owned, or from data_ready with the socket spinlock held.
 */
static void ktls_rx_pull(struct sock *sk, struct ktls_rx *rx, gfp_t gfp)
{
	const struct ktls_prot *prot = &rx->dir.prot;
	int len;

	if (gfpflags_allow_blocking(gfp))
		rx->retry = false;
	if (READ_ONCE(rx->arrived))
		WRITE_ONCE(rx->arrived, false);
	if (rx->ready || rx->in_tcp || rx->stopped)
		return;
	if (rx->cur) {
		ktls_rx_take(sk, rx, rx->cur->len, gfp);
		return;
	}
	if (!rx->hdr_len) {
		/* TCP's queue holds exactly the bytes up to rcv_nxt. */
		u32 unread = ktls_tcp_unread(sk);

		if (!rx->hdr_got && unread >= prot->prepend_size) {
			if (ktls_tcp_peek(sk, 0, rx->hdr, prot->prepend_size))
				return;
		} else if (rx->hdr_got ||
			   (unread && ktls_rx_short(sk, prot->prepend_size))) {
			/* Short of buffer: take the header out as it comes. */
			read_descriptor_t desc = {
				.arg.buf = rx->hdr,
				.written = rx->hdr_got,
				.count = prot->prepend_size - rx->hdr_got,
			};

			ktls_tcp_read(sk, &desc, ktls_rx_copy);
			rx->hdr_got = desc.written;
			if (desc.count)
				return;
		} else {
			return;
		}
		len = ktls_hdr_parse(prot, rx->hdr, prot->prepend_size);
		if (len < 0) {
			ktls_rx_framing_error(sk, rx, len);
			return;
		}
		rx->hdr_len = len;
	}
	/* A record whose header left TCP follows it out. */
	if (!rx->hdr_got && ktls_tcp_unread(sk) >= rx->hdr_len) {
		rx->in_tcp = rx->hdr_len;
	} else if (rx->hdr_got || ktls_rx_short(sk, rx->hdr_len)) {
		len = rx->hdr_len;
		rx->hdr_len = 0; /* its bytes are leaving TCP */
		ktls_rx_take(sk, rx, len, gfp);
	}
}

/* Refresh rx->avail, the lockless hint for poll and waiters. */
static bool ktls_rx_check(struct sock *sk, struct ktls_rx *rx)
{
	bool ready = rx->err || rx->retry ||
		     ((rx->ready || rx->in_tcp) && !rx->key_update);

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

/*
 * Wake readers through the callback we took over.  It may be sockmap's
 * verdict data_ready, which calls the psock's saved callback without a
 * lock; a map delete clears that under sk_callback_lock, so the call is
 * made under it too.
 */
static void ktls_rx_wake(struct sock *sk, struct ktls_rx *rx)
{
	read_lock_bh(&sk->sk_callback_lock);
	rx->saved_data_ready(sk);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* New bytes in TCP: parse, take them out if TCP is short, wake readers. */
static void ktls_rx_arrived(struct sock *sk, struct ktls_rx *rx)
{
	ktls_rx_pull(sk, rx, GFP_ATOMIC);
	if (ktls_rx_check(sk, rx) || ktls_psock_has_data(sk))
		ktls_rx_wake(sk, rx);
}

/*
 * TCP calls us with the socket locked: in softirq under its spinlock, or
 * from release_sock() draining the backlog, owned.  sockmap also calls us
 * without either when it queues data redirected to this socket.  Bytes are
 * taken out of TCP at once only in softirq; elsewhere they are marked
 * (rx->arrived) for the next holder of the socket lock: release_sock()
 * (ktls_release_cb), a reader or poll.  While the backlog drains, TCP
 * counts its bytes twice, so a window update sent then (as taking bytes
 * out would) could offer nothing and never be followed by another; and
 * without the lock TCP's queue must not be touched at all.
 */
static void ktls_data_ready(struct sock *sk)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	bool owned;

	if (unlikely(!ctx))
		return; /* raced with close(), which restored the callback */
	owned = sock_owned_by_user_nocheck(sk);
	if (!owned && in_serving_softirq()) {
		ktls_rx_arrived(sk, ctx->rx);
		return;
	}
	WRITE_ONCE(ctx->rx->arrived, true);
	/* Not owned: TCP from a NAPI thread or sockmap; readers take it. */
	if (!owned || ktls_psock_has_data(sk))
		ktls_rx_wake(sk, ctx->rx);
}

/* release_sock(), the backlog drained, socket still owned, BHs off. */
void ktls_rx_release(struct sock *sk, struct ktls_rx *rx)
{
	if (READ_ONCE(rx->arrived))
		ktls_rx_arrived(sk, rx);
}

/*
 * sockmap put its saved data_ready back over ours (a map link with a
 * stream verdict went), or its verdict's over ours (one came): take the
 * callback again, chaining to that one.  sk_callback_lock is held for
 * writing.
 */
void ktls_rx_own_data_ready(struct sock *sk, struct ktls_rx *rx,
			    struct sk_psock *psock)
{
	if (sk->sk_data_ready == ktls_data_ready)
		return;
	/*
	 * A stream verdict started after our RX saved ours as the callback
	 * to wake readers with: ours would call itself through it.
	 */
	if (psock->saved_data_ready == ktls_data_ready)
		psock->saved_data_ready = rx->saved_data_ready;
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
 * The next whole record: its header and length, in rx->ready or in TCP's
 * queue; -EAGAIN while there is none.
 */
static int ktls_rx_record(struct sock *sk, struct ktls_rx *rx, u8 *hdr,
			  u32 *len)
{
	u32 prepend = rx->dir.prot.prepend_size;

	ktls_rx_pull(sk, rx, sk->sk_allocation);
	if (rx->ready) {
		*len = rx->ready->len;
		return skb_copy_bits(rx->ready, 0, hdr, prepend);
	}
	if (!rx->in_tcp)
		return -EAGAIN;
	*len = rx->in_tcp;
	memcpy(hdr, rx->hdr, prepend);
	return 0;
}

/* The record has been read (or failed): let it go. */
static void ktls_rx_record_done(struct sock *sk, struct ktls_rx *rx)
{
	if (rx->ready) {
		consume_skb(rx->ready);
		rx->ready = NULL;
	} else {
		ktls_tcp_consume(sk, rx->in_tcp);
		rx->in_tcp = 0;
		rx->hdr_len = 0;
	}
}

/*
 * Open the next record (@len bytes, header @hdr) into @dst, whose first
 * entry is the AAD; @dst NULL decrypts rx->ready in place.  The source is
 * rx->ready or TCP's queue, read where it lies.  0, -EBADMSG if it does
 * not authenticate, -EMSGSIZE if TCP's buffers are too scattered to map,
 * -ENOMEM.
 */
static int ktls_rx_open(struct sock *sk, struct ktls_rx *rx, const u8 *hdr,
			u32 len, struct scatterlist *dst)
{
	struct ktls_dir *dir = &rx->dir;
	const struct ktls_prot *prot = &dir->prot;
	struct scatterlist src[KTLS_RX_SRC_SG];
	u32 body = len - prot->prepend_size;
	int nsg;

	ktls_nonce_build(prot, &dir->st, hdr + KTLS_HEADER_SIZE, dir->nonce);
	/* TLS 1.3 authenticates type 23 whatever the outer type says. */
	ktls_aad_build(prot, &dir->st, dir->aad, hdr[0],
		       len - prot->overhead_size);

	sg_init_table(src, ARRAY_SIZE(src));
	sg_set_buf(&src[0], dir->aad, prot->aad_size);
	if (rx->ready)
		nsg = skb_to_sgvec(rx->ready, &src[1], prot->prepend_size,
				   body);
	else
		nsg = ktls_tcp_to_sg(sk, prot->prepend_size, body, &src[1],
				     ARRAY_SIZE(src) - 1);
	if (nsg < 0)
		return nsg == -EMSGSIZE ? nsg : -EBADMSG;
	sg_mark_end(&src[nsg]);

	if (ktls_fault(KTLS_FAULT_RX_OPEN))
		return -ENOMEM;
	nsg = ktls_aead_run(dir, src, dst ?: src, body, false);
	return nsg == -ENOMEM ? nsg : nsg ? -EBADMSG : 0;
}

/*
 * An skb for a record of @len bytes, in process context: one piece of the
 * page fragment (as TCP's sends take), so that the pages of records a
 * reader has finished with are used again rather than freed and
 * allocated (and cleared) anew; else pages of its own.
 */
static struct sk_buff *ktls_rx_alloc(struct sock *sk, u32 len)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	struct sk_buff *skb;

	if (!ktls_frag_refill(sk, pfrag, len) ||
	    pfrag->offset + len > pfrag->size)
		return ktls_skb_pages(len, sk->sk_allocation);
	skb = alloc_skb(0, sk->sk_allocation);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	get_page(pfrag->page);
	skb_fill_page_desc(skb, 0, pfrag->page, pfrag->offset, len);
	pfrag->offset += len;
	skb->truesize += len;
	skb->len = len;
	skb->data_len = len;
	return skb;
}

/*
 * Decrypt the record in TCP's queue into a new skb, laid out as the
 * record itself (header and nonce in front, tag behind, as a stream
 * verdict program expects): the skb, or an ERR_PTR.
 */
static struct sk_buff *ktls_rx_open_tcp(struct sock *sk, struct ktls_rx *rx,
					const u8 *hdr, u32 len)
{
	const struct ktls_prot *prot = &rx->dir.prot;
	struct scatterlist dst[KTLS_TX_PAGES + 2];
	u32 tag = prot->tag_size, end = len - tag;
	u8 buf[KTLS_TAG_SIZE];
	struct sk_buff *skb;
	int err, nsg;

	skb = ktls_rx_alloc(sk, len);
	if (IS_ERR(skb))
		return skb;
	err = skb_store_bits(skb, 0, hdr, prot->prepend_size);
	if (!err)
		err = ktls_tcp_peek(sk, end, buf, tag);
	if (!err)
		err = skb_store_bits(skb, end, buf, tag);
	if (err)
		goto out;

	sg_init_table(dst, ARRAY_SIZE(dst));
	sg_set_buf(&dst[0], rx->dir.aad, prot->aad_size);
	nsg = skb_to_sgvec(skb, &dst[1], prot->prepend_size,
			   end - prot->prepend_size);
	if (nsg < 0) {
		err = nsg;
		goto out;
	}
	err = ktls_rx_open(sk, rx, hdr, len, dst);
	if (!err)
		return skb;
out:
	kfree_skb(skb);
	return ERR_PTR(err);
}

/*
 * Decrypt the next whole record and queue it on rx->list: 0, -EAGAIN
 * when no whole record has arrived, -ENOENT when a stream verdict took
 * it, -ENOMEM, else -EBADMSG.
 */
static int ktls_rx_decrypt_next(struct sock *sk, struct ktls_rx *rx)
{
	const struct ktls_prot *prot = &rx->dir.prot;
	u8 hdr[KTLS_MAX_PREPEND_SIZE];
	struct sk_buff *skb;
	u32 len, data_len;
	int err, type;

	err = ktls_rx_record(sk, rx, hdr, &len);
	if (err)
		return err;
	if (rx->ready) {
		skb = rx->ready;
		err = ktls_rx_open(sk, rx, hdr, len, NULL);
		if (err == -ENOMEM)
			return err;
		rx->ready = NULL;
		if (err) {
			kfree_skb(skb);
			skb = ERR_PTR(err);
		}
	} else {
		skb = ktls_rx_open_tcp(sk, rx, hdr, len);
		if (skb == ERR_PTR(-EMSGSIZE)) {
			/* Too scattered to read in place: copy it out. */
			rx->in_tcp = 0;
			rx->hdr_len = 0;
			ktls_rx_take(sk, rx, len, sk->sk_allocation);
			return rx->ready ? ktls_rx_decrypt_next(sk, rx) :
					   -ENOMEM;
		}
		if (skb != ERR_PTR(-ENOMEM))
			ktls_rx_record_done(sk, rx);
	}
	if (IS_ERR(skb)) {
		if (PTR_ERR(skb) == -EBADMSG)
			ktls_stat_inc(sk, KTLS_STAT_DECRYPT_ERROR);
		return PTR_ERR(skb);
	}
	ktls_iv_state_advance(prot, &rx->dir.st);

	data_len = len - prot->overhead_size + prot->inner_type_size;
	if (prot->inner_type_size) {
		u32 full = data_len;

		type = ktls_rx_inner_type(skb, prot->prepend_size, &data_len);
		if (type < 0) {
			kfree_skb(skb);
			ktls_stat_inc(sk, KTLS_STAT_DECRYPT_ERROR);
			return type;
		}
		if (data_len + 1 != full)
			rx->padded = true;
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
	rx->taken++;
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

/* Let go of the reader's pages, marking those of a file as written. */
static void ktls_rx_put_user(struct page **pages, int n)
{
	while (n--) {
		if (!PageAnon(pages[n]))
			set_page_dirty_lock(pages[n]);
		put_page(pages[n]);
	}
}

/*
 * Decrypt the next record straight into the reader's buffer, when it is
 * a data record whose plaintext fits in @room and no stream verdict must
 * see it first: the bytes read, 0 when it was not (the caller reads the
 * record through rx->list as usual), or an error.
 *
 * TLS 1.3 hides the content type (and any padding) inside the record: a
 * record that turns out not to be plain data is decrypted once more, into
 * an skb; a peer seen to pad is not read this way again.
 */
static int ktls_rx_read_direct(struct sock *sk, struct ktls_rx *rx,
			       struct msghdr *msg, size_t room)
{
	const struct ktls_prot *prot = &rx->dir.prot;
	struct scatterlist dst[KTLS_RX_USER_PAGES + 2];
	struct page *pages[KTLS_RX_USER_PAGES];
	u8 hdr[KTLS_MAX_PREPEND_SIZE];
	u32 len, data_len, done = 0;
	int npages = 0, nsg = 1, err;

	if (!skb_queue_empty(&rx->list) || rx->err || rx->stopped ||
	    rx->key_update || (prot->inner_type_size && rx->padded) ||
	    !user_backed_iter(&msg->msg_iter) || ktls_rx_has_verdict(sk))
		return 0;
	if (ktls_rx_record(sk, rx, hdr, &len))
		return 0;
	data_len = len - prot->overhead_size;
	if (!data_len || data_len > room || hdr[0] != KTLS_TYPE_DATA)
		return 0;

	sg_init_table(dst, ARRAY_SIZE(dst));
	sg_set_buf(&dst[0], rx->dir.aad, prot->aad_size);
	while (done < data_len) {
		size_t off;
		ssize_t got;

		got = iov_iter_get_pages2(&msg->msg_iter, pages + npages,
					  data_len - done,
					  ARRAY_SIZE(pages) - npages, &off);
		if (got <= 0)
			goto fallback;
		done += got;
		while (got > 0) {
			u32 n = min_t(size_t, got, PAGE_SIZE - off);

			sg_set_page(&dst[nsg++], pages[npages++], n, off);
			got -= n;
			off = 0;
		}
		if (done < data_len && npages == ARRAY_SIZE(pages))
			goto fallback;
	}
	if (prot->inner_type_size)
		sg_set_buf(&dst[nsg++], &rx->tail, 1);
	sg_mark_end(&dst[nsg - 1]);

	err = ktls_rx_open(sk, rx, hdr, len, dst);
	if (err == -EMSGSIZE || err == -ENOMEM ||
	    (!err && prot->inner_type_size && rx->tail != KTLS_TYPE_DATA))
		goto fallback;
	ktls_rx_put_user(pages, npages);
	ktls_rx_record_done(sk, rx);
	if (err) {
		ktls_stat_inc(sk, KTLS_STAT_DECRYPT_ERROR);
		return ktls_rx_fail(sk, rx, err);
	}
	ktls_iv_state_advance(prot, &rx->dir.st);
	return data_len;

fallback:
	ktls_rx_put_user(pages, npages);
	iov_iter_revert(&msg->msg_iter, done);
	return 0;
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
	if (err == -EAGAIN || err == -ENOMEM)
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

	/* Left on the socket: ktls_rx_report() takes it if nothing was read. */
	if (sk->sk_err)
		return -READ_ONCE(sk->sk_err);
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

/*
 * The first record of a recvmsg() call fixes its content type, reported
 * in a cmsg; a control record that cannot be reported is not read.
 */
static int ktls_rx_put_type(struct msghdr *msg, int type)
{
	u8 t = type;
	int err;

	if (!msg->msg_control && type == KTLS_TYPE_DATA)
		return 0;
	err = put_cmsg(msg, SOL_TLS, TLS_GET_RECORD_TYPE, sizeof(t), &t);
	if (type != KTLS_TYPE_DATA && (err || (msg->msg_flags & MSG_CTRUNC)))
		return -EIO;
	return 0;
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

		if (!peek && (type < 0 || type == KTLS_TYPE_DATA)) {
			err = ktls_rx_read_direct(sk, rx, msg, len - copied);
			if (err > 0) {
				if (type < 0)
					ktls_rx_put_type(msg, KTLS_TYPE_DATA);
				type = KTLS_TYPE_DATA;
				copied += err;
				continue;
			}
			if (err < 0)
				break;
		}
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
			u32 taken = rx->taken;

			if (copied >= target)
				break;
			err = ktls_rx_wait(sk, rx, &timeo);
			if (err <= 0)
				break;
			/*
			 * The wait let go of the socket: another reader may
			 * have taken (and freed) the records this peek went
			 * past.  Stop with what was read, or start again.
			 */
			if (prev && rx->taken != taken) {
				if (copied)
					break;
				prev = NULL;
			}
			continue;
		}
		if (err)
			break;

		rxm = strp_msg(skb);
		if (type < 0) {
			type = ktls_rx_cb(skb)->type;
			err = ktls_rx_put_type(msg, type);
			if (err)
				break;
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
		/* An empty data record: nothing to splice, and not the end. */
		if (!err && ktls_rx_cb(skb)->type == KTLS_TYPE_DATA &&
		    !strp_msg(skb)->full_len) {
			ktls_rx_consume(rx, skb);
			continue;
		}
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
	struct ktls_tx *tx;
	struct ktls_rx *rx;
	__poll_t mask;

	/* Each pairs with the release that publishes it, fully set up. */
	tx = smp_load_acquire(&ctx->tx);
	/* The same for RX. */
	rx = smp_load_acquire(&ctx->rx);

	/* Bytes data_ready could not take (see there): take them now. */
	if (rx && READ_ONCE(rx->arrived)) {
		lock_sock(sk);
		ktls_rx_refresh(sk, rx);
		release_sock(sk);
	}
	mask = ctx->sk_ops->poll(file, sock, wait);

	/* Readable only when a whole record (or an error) is waiting. */
	if (rx && (mask & (EPOLLIN | EPOLLRDNORM)) &&
	    !(mask & (EPOLLERR | EPOLLRDHUP)) && !ktls_sock_is_readable(sk))
		mask &= ~(EPOLLIN | EPOLLRDNORM);
	/*
	 * Not writable while bytes wait for a redirect's target: a send
	 * would try them first (docs/policy.md).  Their delivery wakes us,
	 * or TCP's write space, if TCP is full by then (SOCK_NOSPACE).
	 */
	if (tx && (mask & EPOLLOUT) && !(mask & EPOLLERR) &&
	    !(READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) &&
	    test_bit(KTLS_TX_REDIR_HELD, &tx->flags)) {
		set_bit(SOCK_NOSPACE, &sock->flags);
		/* NOSPACE before the second look, as tcp_poll() does. */
		smp_mb__after_atomic();
		if (test_bit(KTLS_TX_REDIR_HELD, &tx->flags))
			mask &= ~(EPOLLOUT | EPOLLWRNORM);
	}
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
	smp_store_release(&ctx->rx, rx); /* ktls_poll() reads it unlocked */
	ctx->tls.priv_ctx_rx = rx;
	rx->saved_data_ready = sk->sk_data_ready;
	sk->sk_data_ready = ktls_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);

	/* Records may have arrived before the key. */
	if (ktls_rx_refresh(sk, rx))
		ktls_rx_wake(sk, rx);
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
		ktls_rx_wake(sk, rx);
	return 0;
}
