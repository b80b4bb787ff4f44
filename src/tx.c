// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the transmit side.  send() appends plaintext to the open record
 * (an sk_msg ring); a record is sealed when it is full, when the caller
 * does not say MSG_MORE, or when its content type changes.  A sealed
 * record is kept in pieces of pages until TCP has taken all of it; TCP
 * takes page references rather than copies where the kernel allows.
 */
#include <linux/mm.h>
#include <linux/uio.h>
#include <net/tcp.h>

#include "ktls.h"
#include "ring.h"

#define KTLS_SEND_FLAGS                                                       \
	(MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CMSG_COMPAT | MSG_EOR | \
	 KTLS_MSG_SPLICE_PAGES | KTLS_MSG_SENDPAGE_NOTLAST)

#ifdef MSG_SPLICE_PAGES
#define KTLS_MSG_SPLICE_PAGES MSG_SPLICE_PAGES
#else
#define KTLS_MSG_SPLICE_PAGES 0
#endif
#ifdef MSG_SENDPAGE_NOTLAST
#define KTLS_MSG_SENDPAGE_NOTLAST MSG_SENDPAGE_NOTLAST
#else
#define KTLS_MSG_SENDPAGE_NOTLAST 0
#endif

/* Ask TCP to take references on our pages instead of copying them. */
#ifdef HAVE_TCP_MSG_SPLICE_PAGES
#define KTLS_TCP_TAKES_PAGES MSG_SPLICE_PAGES
#else
#define KTLS_TCP_TAKES_PAGES 0
#endif

/*
 * tx->lock, and for a @sender no redirect in its window either.  Non-zero
 * when a signal came first.
 */
int ktls_tx_lock_mutex(struct ktls_tx *tx, bool sender)
{
	for (;;) {
		if (sender && (wait_on_bit(&tx->flags, KTLS_TX_REDIRECTING,
					   TASK_INTERRUPTIBLE) ||
			       wait_on_bit(&tx->flags, KTLS_TX_CLOSE_WAIT,
					   TASK_INTERRUPTIBLE)))
			return -ERESTARTSYS;
		if (mutex_lock_interruptible(&tx->lock))
			return -ERESTARTSYS;
		if (!sender || (!test_bit(KTLS_TX_REDIRECTING, &tx->flags) &&
				!test_bit(KTLS_TX_CLOSE_WAIT, &tx->flags)))
			return 0;
		mutex_unlock(&tx->lock);
	}
}

/*
 * TCP may drop the socket lock while it waits for send buffer space, in
 * the middle of our record.  tx->lock keeps other senders (and the push
 * work) out until the record is fully handed over.
 *
 * A sender may hold only a socket reference (a sockmap redirect, or the
 * psock's backlog sending on this socket), so close() can run at any time:
 * the context is pinned with a reference, and a socket found closing under
 * the locks is refused with -EPIPE.
 *
 * KTLS_LOCK_SENDER: the caller adds to the open record (send, sendfile,
 * the psock's backlog), so it also waits while one of the SK_MSG policy's
 * redirects has let go of the locks (KTLS_TX_REDIRECTING, see
 * ktls_tx_relock()).  A redirect delivering to this socket does not: it
 * leaves the open record alone, and two sockets redirecting to each other
 * must not wait on each other.  A delivery that must not wait (-EAGAIN)
 * does not wait for the lock either: its holder may be waiting for TCP,
 * for as long as this socket's send time-out.
 */
struct ktls_ctx *ktls_tx_lock(struct sock *sk, int *err,
			      enum ktls_tx_locker who)
{
	bool sender = who == KTLS_LOCK_SENDER;
	struct ktls_ctx *ctx;

	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (ctx && !refcount_inc_not_zero(&ctx->refs))
		ctx = NULL;
	rcu_read_unlock();
	*err = -EPIPE;
	if (!ctx)
		return NULL;
	*err = -ENOPROTOOPT; /* no TX configured (only a redirect asks) */
	if (!ctx->tx)
		goto put;
	if (who == KTLS_LOCK_DELIVERY_NOWAIT) {
		*err = -EAGAIN;
		if (!mutex_trylock(&ctx->tx->lock))
			goto put;
	} else {
		*err = -ERESTARTSYS;
		if (ktls_tx_lock_mutex(ctx->tx, sender))
			goto put;
	}
	lock_sock(sk);
	if (likely(ktls_ctx(sk) == ctx &&
		   !test_bit(KTLS_TX_CLOSING, &ctx->tx->flags))) {
		if (sender)
			return ctx;
		/* A delivery does not wait for close(): the target is going. */
		if (!test_bit(KTLS_TX_CLOSE_WAIT, &ctx->tx->flags)) {
			set_bit(KTLS_TX_DELIVERING, &ctx->tx->flags);
			return ctx;
		}
	}
	*err = -EPIPE;
	release_sock(sk);
	mutex_unlock(&ctx->tx->lock);
put:
	ktls_ctx_put(ctx);
	return NULL;
}

void ktls_tx_unlock(struct sock *sk, struct ktls_ctx *ctx)
{
	clear_bit(KTLS_TX_DELIVERING, &ctx->tx->flags);
	/* close() shut TCP to end our wait: open it for close()'s flush. */
	if (test_and_clear_bit(KTLS_TX_SHUT_FOR_CLOSE, &ctx->tx->flags))
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown & ~SEND_SHUTDOWN);
	release_sock(sk);
	mutex_unlock(&ctx->tx->lock);
	ktls_ctx_put(ctx);
}

/*
 * Let go of both locks for a while (a redirect locks another socket) or
 * take them back.  The caller keeps @tx alive (a context reference, or it
 * is the push work, which close() waits for); close() may run meanwhile
 * and leave the socket without our context: KTLS_TX_CLOSING says so.
 */
void ktls_tx_relock(struct sock *sk, struct ktls_tx *tx, bool unlock)
{
	if (unlock) {
		/* Other senders would add to the record between its verdicts. */
		set_bit(KTLS_TX_REDIRECTING, &tx->flags);
		release_sock(sk);
		mutex_unlock(&tx->lock);
	} else {
		mutex_lock(&tx->lock);
		lock_sock(sk);
		clear_and_wake_up_bit(KTLS_TX_REDIRECTING, &tx->flags);
	}
}

static bool ktls_tx_pending(const struct ktls_tx *tx)
{
	return tx->en_sent < tx->en_len;
}

static void ktls_tx_drop_sealed(struct ktls_tx *tx)
{
	while (tx->en_n)
		put_page(tx->en_page[--tx->en_n]);
	tx->en_len = 0;
	tx->en_sent = 0;
}

/* Add a piece to the sealed record, which takes over the page reference. */
static void ktls_en_add(struct ktls_tx *tx, struct page *page, u32 off, u32 len)
{
	tx->en_page[tx->en_n] = page;
	tx->en_poff[tx->en_n] = off;
	tx->en_plen[tx->en_n++] = len;
}

/* The piece holding byte @off of the sealed record; @poff: where in it. */
static unsigned int ktls_en_piece(const struct ktls_tx *tx, u32 off, u32 *poff)
{
	unsigned int i = 0;

	while (off >= tx->en_plen[i])
		off -= tx->en_plen[i++];
	*poff = off;
	return i;
}

/*
 * Room for a sealed record of @total bytes, from the socket's page
 * fragment (as TCP's own sends use): what is left of it, then a new one.
 * The first piece holds at least the record's header.  Short of memory
 * for a new fragment, pages of its own make up the rest.
 */
static int ktls_en_alloc(struct sock *sk, struct ktls_tx *tx, u32 total)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	u32 want = tx->dir.prot.prepend_size;
	bool frag = true;

	BUILD_BUG_ON(KTLS_MAX_RECORD > U16_MAX);
	while (total) {
		struct page *page;
		u32 n, off = 0;

		if (tx->en_n == KTLS_EN_PIECES) { /* not for a valid record */
			ktls_tx_drop_sealed(tx);
			return -EMSGSIZE;
		}
		if (frag && ktls_frag_refill(sk, pfrag, want)) {
			page = pfrag->page;
			off = pfrag->offset;
			n = min_t(u32, total, pfrag->size - off);
			get_page(page);
			pfrag->offset += n;
		} else {
			frag = false;
			page = alloc_page(sk->sk_allocation);
			if (!page) {
				ktls_tx_drop_sealed(tx);
				return -ENOMEM;
			}
			n = min_t(u32, total, PAGE_SIZE);
		}
		ktls_en_add(tx, page, off, n);
		total -= n;
		want = 1;
	}
	return 0;
}

/* Hand @len bytes of the sealed record at @off to TCP. */
static int ktls_tcp_send(struct sock *sk, struct ktls_tx *tx, u32 off, u32 len,
			 int flags)
{
	unsigned int i;
	u32 o;

	i = ktls_en_piece(tx, off, &o);
#ifdef HAVE_DO_TCP_SENDPAGES
	if (len > tx->en_plen[i] - o) {
		len = tx->en_plen[i] - o;
		flags |= MSG_SENDPAGE_NOTLAST;
	}
	return do_tcp_sendpages(sk, tx->en_page[i], tx->en_poff[i] + o, len,
				flags);
#else
	{
		struct bio_vec bv[KTLS_EN_PIECES];
		struct msghdr msg = {};
		unsigned int n = 0;
		u32 left = len;

		for (; left; i++, o = 0) {
			u32 l = min_t(u32, left, tx->en_plen[i] - o);

			bvec_set_page(&bv[n++], tx->en_page[i], l,
				      tx->en_poff[i] + o);
			left -= l;
		}
		msg.msg_flags = flags | KTLS_TCP_TAKES_PAGES;
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
		return tcp_sendmsg_locked(sk, &msg, len);
	}
#endif
}

/*
 * Push what remains of the sealed record.  0 once all of it is with TCP,
 * else TCP's error (-EAGAIN when it would block and the caller must not).
 */
static int ktls_tx_push(struct sock *sk, struct ktls_tx *tx, int flags)
{
	flags &= MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE;
	while (ktls_tx_pending(tx)) {
		int ret = ktls_tcp_send(sk, tx, tx->en_sent,
					tx->en_len - tx->en_sent, flags);

		if (ret <= 0)
			return ret ?: -EAGAIN;
		tx->en_sent += ret;
	}
	ktls_tx_drop_sealed(tx);
	return 0;
}

/*
 * Our own copy of the plaintext, in few enough pieces, is sealed where it
 * lies.  Pages of the caller or of a file (marked in sg.copy, and all of
 * the ring while it holds pages pinned for a judged record) are never
 * written.
 */
static bool ktls_tx_in_place(const struct ktls_tx *tx, const struct sk_msg *pl)
{
	u32 i, n = 0;

	if (tx->sg->pinned_n)
		return false;

	for (i = pl->sg.start; !ktls_ring_empty(i, pl->sg.end);
	     i = ktls_ring_next(i)) {
		const struct scatterlist *s = &pl->sg.data[i];

		if (test_bit(i, pl->sg.copy) || ++n > KTLS_EN_PIECES - 2 ||
		    s->offset + s->length > U16_MAX)
			return false;
	}
	return n;
}

/*
 * For a record sealed in place: piece 0 for the header, piece 1 for the
 * tail (content type and tag), side by side in the page fragment.
 */
static int ktls_en_alloc_ends(struct sock *sk, struct ktls_tx *tx)
{
	const struct ktls_prot *prot = &tx->dir.prot;
	struct page_frag *pfrag = sk_page_frag(sk);
	u32 ends = prot->prepend_size + prot->tail_size;

	if (!ktls_frag_refill(sk, pfrag, ends))
		return -ENOMEM;
	get_page(pfrag->page);
	get_page(pfrag->page);
	ktls_en_add(tx, pfrag->page, pfrag->offset, prot->prepend_size);
	ktls_en_add(tx, pfrag->page, pfrag->offset + prot->prepend_size,
		    prot->tail_size);
	pfrag->offset += ends;
	return 0;
}

/* The sealed record becomes header, @pl's pieces (its pages now), tail. */
static void ktls_en_take_msg(struct ktls_tx *tx, struct sk_msg *pl)
{
	struct page *tail = tx->en_page[1];
	u16 toff = tx->en_poff[1], tlen = tx->en_plen[1];
	u32 i;

	tx->en_n = 1;
	for (i = pl->sg.start; !ktls_ring_empty(i, pl->sg.end);
	     i = ktls_ring_next(i)) {
		struct scatterlist *s = &pl->sg.data[i];

		ktls_en_add(tx, sg_page(s), s->offset, s->length);
	}
	ktls_en_add(tx, tail, toff, tlen);
	ktls_msg_init(pl);
}

static struct ktls_tx_sg *ktls_tx_get_sg(struct sock *sk, struct ktls_tx *tx)
{
	if (!tx->sg)
		tx->sg = kzalloc(sizeof(*tx->sg), sk->sk_allocation);
	return tx->sg;
}

/*
 * Encrypt @pl; it becomes the sealed record.  Our own copy of the
 * plaintext is encrypted where it lies, anything else into pieces of the
 * page fragment.
 */
static int ktls_tx_seal(struct sock *sk, struct ktls_tx *tx, struct sk_msg *pl,
			u8 type)
{
	struct ktls_dir *dir = &tx->dir;
	const struct ktls_prot *prot = &dir->prot;
	u32 len = pl->sg.size;
	u32 total = prot->prepend_size + len + prot->tail_size;
	struct ktls_tx_sg *sg = ktls_tx_get_sg(sk, tx);
	struct scatterlist *dst;
	unsigned int i, n;
	bool in_place;
	int err;

	if (!sg || ktls_fault(KTLS_FAULT_TX_SEAL))
		return -ENOMEM;
	in_place = ktls_tx_in_place(tx, pl);
	err = in_place ? ktls_en_alloc_ends(sk, tx) :
			 ktls_en_alloc(sk, tx, total);
	if (err)
		return err;

	ktls_hdr_build(prot, page_address(tx->en_page[0]) + tx->en_poff[0],
		       type, len, &dir->st);
	ktls_nonce_build(prot, &dir->st, NULL, dir->nonce);
	ktls_aad_build(prot, &dir->st, dir->aad, type, len);
	tx->seal_type = type;

	sg_init_table(sg->src, ARRAY_SIZE(sg->src));
	sg_set_buf(&sg->src[0], dir->aad, prot->aad_size);
	n = 1 + ktls_msg_to_sg(pl, &sg->src[1]);
	if (in_place) {
		u8 *tail = page_address(tx->en_page[1]) + tx->en_poff[1];

		/* The tail piece: the content type goes in, the tag comes out. */
		if (prot->inner_type_size)
			*tail = type;
		sg_set_page(&sg->src[n++], tx->en_page[1], tx->en_plen[1],
			    tx->en_poff[1]);
		sg_mark_end(&sg->src[n - 1]);
		dst = sg->src;
	} else {
		if (prot->inner_type_size)
			sg_set_buf(&sg->src[n++], &tx->seal_type, 1);
		sg_mark_end(&sg->src[n - 1]);

		dst = sg->dst;
		sg_init_table(dst, ARRAY_SIZE(sg->dst));
		sg_set_buf(&dst[0], dir->aad, prot->aad_size);
		/* The header and explicit nonce are not the AEAD's to write. */
		for (i = 0, n = 1; i < tx->en_n; i++) {
			u32 skip = i ? 0 : prot->prepend_size;

			if (tx->en_plen[i] > skip)
				sg_set_page(&dst[n++], tx->en_page[i],
					    tx->en_plen[i] - skip,
					    tx->en_poff[i] + skip);
		}
		sg_mark_end(&dst[n - 1]);
	}

	err = ktls_aead_run(dir, sg->src, dst, len + prot->inner_type_size,
			    true);
	if (err) {
		ktls_tx_drop_sealed(tx);
		return err;
	}
	if (ktls_iv_state_advance(prot, &dir->st))
		pr_warn_ratelimited("TX record sequence number wrapped\n");

	tx->en_len = total;
	tx->en_sent = 0;
	if (in_place)
		ktls_en_take_msg(tx, pl);
	else
		ktls_msg_free(pl);
	return 0;
}

/*
 * Seal the first @len bytes of @pl as a record of their own and push it;
 * whatever follows stays.  On -ENOMEM @pl is as it was; on -EAGAIN the
 * bytes are sealed (or still in @pl) and go out later.  -EBADMSG: a seal
 * failed (now or earlier), and the socket seals nothing any more.
 */
static int ktls_tx_seal_msg(struct sock *sk, struct ktls_tx *tx,
			    struct sk_msg *pl, u8 type, u32 len, int flags)
{
	struct sk_msg front;
	int err;

	if (ktls_tx_pending(tx)) {
		err = ktls_tx_push(sk, tx, flags);
		if (err)
			return err;
	}
	if (test_bit(KTLS_TX_BROKEN, &tx->flags))
		return -EBADMSG;
	if (!len)
		return 0;
	if (len == pl->sg.size) {
		err = ktls_tx_seal(sk, tx, pl, type);
	} else {
		ktls_msg_init(&front);
		ktls_msg_split(pl, &front, len);
		err = ktls_tx_seal(sk, tx, &front, type);
		if (err)
			ktls_msg_unsplit(pl, &front);
	}
	if (err == -ENOMEM)
		return err;
	if (err) {
		/*
		 * The AEAD failed: the stream cannot go on, and bytes it may
		 * have encrypted in place are never sealed again.
		 */
		set_bit(KTLS_TX_BROKEN, &tx->flags);
		WRITE_ONCE(sk->sk_err, EBADMSG);
		sk_error_report(sk);
		return -EBADMSG;
	}
	return ktls_tx_push(sk, tx, flags);
}

/* The first @len bytes of the open record, as a record of their own. */
int ktls_tx_seal_front(struct sock *sk, struct ktls_tx *tx, u32 len, int flags)
{
	return ktls_tx_seal_msg(sk, tx, &tx->pl, tx->type, len, flags);
}

/*
 * Seal the open record (if it holds data) and push it.  A policy's
 * bpf_msg_push_data() or cork can have grown it past a record's payload:
 * then it goes out as several records.
 */
int ktls_tx_flush(struct sock *sk, struct ktls_tx *tx, int flags)
{
	int err = 0;

	while (!err && tx->pl.sg.size > tx->max_payload)
		err = ktls_tx_seal_front(sk, tx, tx->max_payload, flags);
	return err ?: ktls_tx_seal_front(sk, tx, tx->pl.sg.size, flags);
}

/*
 * A sockmap redirect hands @msg to this socket: it goes out as data
 * records of its own, ahead of the open record (which its own sender has
 * not finished), and no policy of this socket judges it.  Both TX locks
 * are held.  What is not sent stays in @msg.  A record once sealed counts
 * as sent, as the socket's own records do: if close() cuts TCP's wait
 * short (ktls_tx_lock_close()), it pushes the rest as far as TCP takes it.
 */
int ktls_tx_send_msg(struct sock *sk, struct ktls_tx *tx, struct sk_msg *msg,
		     int flags)
{
	int err = 0;

	while (msg->sg.size && !err) {
		u32 n = min_t(u32, msg->sg.size, tx->max_payload);

		/* Not taken where TCP would not take it either. */
		err = sock_error(sk);
		if (!err && (sk->sk_shutdown & SEND_SHUTDOWN))
			err = -EPIPE;
		if (!err)
			err = ktls_tx_seal_msg(sk, tx, msg, KTLS_TYPE_DATA, n,
					       flags);
	}
	/* Sealed and waiting for TCP counts as sent; left in @msg does not. */
	if (err == -EAGAIN && ktls_tx_pending(tx) && !msg->sg.size)
		return 0;
	return err;
}

/*
 * The record type a TLS_SET_RECORD_TYPE cmsg asks for: 1 and *@type if
 * there is one, 0 if not, or -EINVAL.
 */
static int ktls_cmsg_type(struct msghdr *msg, u8 *type)
{
	struct cmsghdr *cmsg;
	int found = 0;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_TLS)
			continue;
		if (cmsg->cmsg_type != TLS_SET_RECORD_TYPE ||
		    cmsg->cmsg_len < CMSG_LEN(sizeof(*type)))
			return -EINVAL;
		/* A control record is never merged with later data. */
		if (msg->msg_flags & MSG_MORE)
			return -EINVAL;
		*type = *(u8 *)CMSG_DATA(cmsg);
		found = 1;
	}
	return found;
}

/*
 * Push the sealed record TCP refused earlier; then seal and push what a
 * call that ran into a full TCP left of the records it closed (the rest
 * of a policy's verdicts).  Bytes held for a redirect's target do not wait
 * for that record: they go to another socket, and once this one is shut
 * down for writing or has an error, the record never goes; that flush
 * does not wait again.  0 when nothing is left behind, else the first
 * error (-EAGAIN: later, from the write-space work or the redirect's
 * retry).
 */
static int ktls_tx_catch_up(struct sock *sk, struct ktls_tx *tx, int flags)
{
	int err = 0, ferr;

	if (ktls_tx_pending(tx))
		err = ktls_tx_push(sk, tx, flags);
	if (err && !test_bit(KTLS_TX_REDIR_HELD, &tx->flags))
		return err;
	if (!test_and_clear_bit(KTLS_TX_UNSEALED, &tx->flags))
		return err;
	ferr = ktls_tx_policy_flush(sk, tx, err ? flags | MSG_DONTWAIT : flags,
				    false, NULL);
	return err ?: ferr;
}

/*
 * A whole record can be sealed straight from the caller's pages, without
 * copying them first: it fills a record on its own (or ends the call), no
 * sealed record waits (so nothing lets go of the locks before it is
 * sealed) and no verdict of an SK_MSG program carries over to it.
 */
static bool ktls_tx_direct(struct ktls_tx *tx, struct msghdr *msg, u32 n,
			   bool eor)
{
	return !tx->pl.sg.size && user_backed_iter(&msg->msg_iter) &&
	       (n == tx->max_payload || (eor && n == msg_data_left(msg))) &&
	       !ktls_tx_pending(tx) && tx->pol.eval == __SK_NONE;
}

/*
 * Seal @n bytes of the caller's pages as a record and push it; @copied
 * counts them once they are sealed.  -EMSGSIZE: they are spread over too
 * many pages for the ring, copy them instead.
 */
static int ktls_tx_send_direct(struct sock *sk, struct ktls_tx *tx,
			       struct msghdr *msg, u32 n, ssize_t *copied)
{
	int err;

	err = ktls_msg_pin(&tx->pl, &msg->msg_iter, n);
	if (err < 0)
		return err;
	err = ktls_tx_flush(sk, tx, msg->msg_flags);
	if (!tx->pl.sg.size) {
		*copied += n;
		return err;
	}
	/* Not sealed: the caller's pages are not kept. */
	ktls_msg_free(&tx->pl);
	iov_iter_revert(&msg->msg_iter, n);
	return err ?: -ENOMEM;
}

/*
 * The same with an SK_MSG program, which judges the record first.  It
 * reads (and may write) a copy of the bytes in the caller's first page;
 * the rest stay hidden (sg.copy) until it pulls them, and are never
 * written.  A pass of the whole record seals it from the caller's pages;
 * before any other verdict acts they are copied (ktls_tx_own_pinned()),
 * since a record must not keep them past the call.
 */
static int ktls_tx_send_judged(struct sock *sk, struct ktls_tx *tx,
			       struct msghdr *msg, u32 n, ssize_t *copied)
{
	struct ktls_tx_sg *sg = ktls_tx_get_sg(sk, tx);
	struct sk_msg *pl = &tx->pl;
	u32 i;
	int err;

	if (!sg)
		return -ENOMEM;
	err = ktls_msg_pin(pl, &msg->msg_iter, n);
	if (err < 0)
		return err;
	for (i = pl->sg.start; !ktls_ring_empty(i, pl->sg.end);
	     i = ktls_ring_next(i))
		sg->pinned[sg->pinned_n++] = sg_page(&pl->sg.data[i]);
	err = -ENOMEM;
	if (!ktls_msg_copy_elem(sk, &pl->sg.data[pl->sg.start]))
		goto unwind;
	__clear_bit(pl->sg.start, pl->sg.copy);

	*copied += n;
	err = ktls_tx_policy_flush(sk, tx, msg->msg_flags, n == tx->max_payload,
				   copied);
	if (!pl->sg.size || !sg->pinned_n) {
		sg->pinned_n = 0;
		return err;
	}
	/* Neither sealed nor copied: as if the call never got to them. */
	*copied -= n;
	err = err ?: -ENOMEM;
unwind:
	ktls_msg_free(pl);
	ktls_tx_policy_release(tx);
	sg->pinned_n = 0;
	iov_iter_revert(&msg->msg_iter, n);
	return err;
}

/*
 * The open record holds pages of the caller (ktls_tx_send_judged()) and
 * is to go anywhere but straight into a record sealed from them: copy
 * them.  -ENOMEM when short of memory (the caller then drops the record).
 */
int ktls_tx_own_pinned(struct sock *sk, struct ktls_tx *tx)
{
	struct ktls_tx_sg *sg = tx->sg;
	struct sk_msg *pl = &tx->pl;
	u32 i, k;

	for (i = pl->sg.start; !ktls_ring_empty(i, pl->sg.end);
	     i = ktls_ring_next(i)) {
		struct scatterlist *s = &pl->sg.data[i];

		for (k = 0; k < sg->pinned_n; k++)
			if (sg_page(s) == sg->pinned[k])
				break;
		if (k == sg->pinned_n)
			continue;
		if (!ktls_msg_copy_elem(sk, s))
			return -ENOMEM;
		__clear_bit(i, pl->sg.copy);
	}
	sg->pinned_n = 0;
	return 0;
}

/*
 * The body of send(): with both TX locks held.  @spliced: the pages come
 * from a file (sendfile, splice), and an SK_MSG program does not see them
 * until it pulls them.  Returns the bytes taken, or an error if none were.
 */
int ktls_sendmsg_locked(struct sock *sk, struct msghdr *msg, bool spliced)
{
	struct ktls_tx *tx = ktls_ctx(sk)->tx;
	long timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	bool eor = !(msg->msg_flags & MSG_MORE);
	u8 type = KTLS_TYPE_DATA;
	ssize_t copied = 0;
	int err, typed = 0;

	if (msg->msg_controllen) {
		typed = ktls_cmsg_type(msg, &type);
		if (typed < 0)
			return typed;
	}
	/* After a failed seal nothing is taken: it would never be sent. */
	if (test_bit(KTLS_TX_BROKEN, &tx->flags))
		return -EBADMSG;

	/* Whatever TCP did not take last time goes first. */
	err = ktls_tx_catch_up(sk, tx, msg->msg_flags);
	if (err)
		return err;
	/* A record-type cmsg closes the open record, whatever its type. */
	if (tx->pl.sg.size && (tx->type != type || typed)) {
		err = ktls_tx_policy_flush(sk, tx, msg->msg_flags, true, NULL);
		if (err)
			return err;
	}
	tx->type = type;

	while (msg_data_left(msg)) {
		/* A policy's push or cork can leave more than a record open. */
		u32 open = min_t(u32, tx->pl.sg.size, tx->max_payload);
		u32 room = tx->max_payload - open;
		u32 n = min_t(size_t, room, msg_data_left(msg));
		bool full;

		if (sk->sk_err) {
			err = sock_error(sk);
			goto out;
		}
		/*
		 * New bytes only while TCP's send buffer has room, as in-tree
		 * kTLS: a full socket blocks (for the send time-out) or says
		 * EAGAIN, rather than queueing behind it.
		 */
		if (!sk_stream_memory_free(sk)) {
			err = sk_stream_wait_memory(sk, &timeo);
			if (err)
				goto out;
			continue;
		}
		if (!spliced && ktls_tx_direct(tx, msg, n, eor)) {
			/* Control records are not shown to a program. */
			err = type == KTLS_TYPE_DATA && ktls_tx_has_policy(sk) ?
				      ktls_tx_send_judged(sk, tx, msg, n,
							  &copied) :
				      ktls_tx_send_direct(sk, tx, msg, n,
							  &copied);
			if (!err)
				continue;
			if (err != -EMSGSIZE)
				goto out;
		}
		err = ktls_msg_append(sk, &tx->pl, &msg->msg_iter, n, spliced);
		if (err < 0)
			goto out;
		copied += err;

		/* Hidden and visible bytes do not share ring elements. */
		full = tx->pl.sg.size >= tx->max_payload ||
		       ktls_ring_full(tx->pl.sg.start, tx->pl.sg.end);
		if (full || (eor && !msg_data_left(msg))) {
			err = ktls_tx_policy_flush(sk, tx, msg->msg_flags, full,
						   &copied);
			/*
			 * -EAGAIN: TCP is full and the caller must not wait;
			 * the bytes taken so far go out later, sealed now or
			 * (a policy's verdicts cut the record up) once TCP
			 * has room.  -EACCES: a policy dropped bytes; @copied
			 * no longer counts them.
			 */
			if (err)
				goto out;
		}
	}
	err = 0;
out:
	return copied > 0 ? copied : err;
}

int ktls_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct ktls_ctx *ctx;
	int ret;

	if (msg->msg_flags & ~KTLS_SEND_FLAGS)
		return -EOPNOTSUPP;

	ctx = ktls_tx_lock(sk, &ret, KTLS_LOCK_SENDER);
	if (!ctx)
		return ret;
	ret = ktls_sendmsg_locked(sk, msg,
				  msg->msg_flags & KTLS_MSG_SPLICE_PAGES);
	ktls_tx_unlock(sk, ctx);
	return ret;
}

#ifdef HAVE_PROTO_SENDPAGE
/* sendfile and splice on kernels that still hand over pages one by one. */
int ktls_sendpage(struct sock *sk, struct page *page, int offset, size_t size,
		  int flags)
{
	struct bio_vec bv = { .bv_page = page,
			      .bv_offset = offset,
			      .bv_len = size };
	struct ktls_ctx *ctx;
	struct msghdr msg = {};
	int ret;

	if (flags & ~KTLS_SEND_FLAGS)
		return -EOPNOTSUPP;
	msg.msg_flags = flags & ~KTLS_MSG_SENDPAGE_NOTLAST;
	if (flags & KTLS_MSG_SENDPAGE_NOTLAST)
		msg.msg_flags |= MSG_MORE;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, size);

	ctx = ktls_tx_lock(sk, &ret, KTLS_LOCK_SENDER);
	if (!ctx)
		return ret;
	ret = ktls_sendmsg_locked(sk, &msg, true);
	ktls_tx_unlock(sk, ctx);
	return ret;
}
#endif

/* splice has no more data for now: close the open record. */
void ktls_splice_eof(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct ktls_ctx *ctx;
	int err;

	ctx = ktls_tx_lock(sk, &err, KTLS_LOCK_SENDER);
	if (!ctx)
		return;
	/* What TCP had no room for yet goes out from the write-space work. */
	ktls_tx_policy_flush(sk, ctx->tx, MSG_DONTWAIT, false, NULL);
	ktls_tx_unlock(sk, ctx);
}

static void ktls_tx_work(struct work_struct *work)
{
	struct ktls_tx *tx =
		container_of(to_delayed_work(work), struct ktls_tx, work);
	struct sock *sk = tx->sk;

	clear_bit(KTLS_TX_SCHEDULED, &tx->flags);
	/*
	 * close() sets SCHEDULED for good, after CLOSING: put it back, or a
	 * sender could queue the work again once close() has cancelled it.
	 */
	smp_mb__after_atomic();
	if (test_bit(KTLS_TX_CLOSING, &tx->flags)) {
		set_bit(KTLS_TX_SCHEDULED, &tx->flags);
		return;
	}
	mutex_lock(&tx->lock);
	lock_sock(sk);
	/*
	 * In a redirect's window the open record is the redirecting
	 * sender's; it seals what it leaves, and TCP's next write space
	 * brings this work back for a record still pending.
	 */
	if (!test_bit(KTLS_TX_CLOSING, &tx->flags) &&
	    !test_bit(KTLS_TX_CLOSE_WAIT, &tx->flags) &&
	    !test_bit(KTLS_TX_REDIRECTING, &tx->flags))
		ktls_tx_catch_up(sk, tx, MSG_DONTWAIT);
	release_sock(sk);
	mutex_unlock(&tx->lock);
}

/* TCP has room again: push a sealed record that it refused earlier. */
static void ktls_write_space(struct sock *sk)
{
	struct ktls_ctx *ctx = ktls_ctx(sk);
	struct ktls_tx *tx;

	if (unlikely(!ctx))
		return; /* raced with close(), which restored the callback */
	tx = ctx->tx;
	/* close() sets SCHEDULED for good, so nothing is queued after it. */
	if (ktls_tx_pending(tx) &&
	    !test_and_set_bit(KTLS_TX_SCHEDULED, &tx->flags))
		schedule_delayed_work(&tx->work, 0);
	ctx->tls.sk_write_space(sk);
}

int ktls_tx_init(struct sock *sk, struct ktls_ctx *ctx,
		 const struct ktls_cipher *c,
		 const struct tls_crypto_info *info)
{
	struct ktls_tx *tx;
	int err;

	tx = kzalloc(sizeof(*tx), GFP_KERNEL);
	if (!tx)
		return -ENOMEM;
	err = ktls_dir_init(&tx->dir, c, info);
	if (err) {
		kfree(tx);
		return err;
	}
	tx->sk = sk;
	tx->pol.eval = __SK_NONE;
	tx->max_payload = ctx->tx_max_payload;
	ktls_msg_init(&tx->pl);
	INIT_DELAYED_WORK(&tx->work, ktls_tx_work);
	mutex_init(&tx->lock);

	write_lock_bh(&sk->sk_callback_lock);
	smp_store_release(&ctx->tx, tx); /* ktls_poll() reads it unlocked */
	ctx->tls.priv_ctx_tx = tx;
	ctx->tls.sk_write_space = sk->sk_write_space;
	sk->sk_write_space = ktls_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}

/*
 * close() takes tx->lock first.  A redirect delivering to this socket
 * (KTLS_TX_DELIVERING) may hold it while TCP waits for send buffer space
 * (with the socket lock let go), for as long as this socket's send
 * time-out: SEND_SHUTDOWN ends that wait (the delivery fails with -EPIPE),
 * as it would after close(), and the delivery takes it off again as it
 * lets go (ktls_tx_unlock()).  Other holders do not wait for TCP and are
 * left alone.  Meanwhile KTLS_TX_CLOSE_WAIT refuses further deliveries and
 * holds the socket's own senders (its psock's backlog) back until close()
 * is done.
 */
void ktls_tx_lock_close(struct sock *sk, struct ktls_tx *tx)
{
	struct socket_wq *wq;

	if (mutex_trylock(&tx->lock))
		return;
	lock_sock(sk);
	set_bit(KTLS_TX_CLOSE_WAIT, &tx->flags);
	if (test_bit(KTLS_TX_DELIVERING, &tx->flags) &&
	    !(sk->sk_shutdown & SEND_SHUTDOWN)) {
		set_bit(KTLS_TX_SHUT_FOR_CLOSE, &tx->flags);
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | SEND_SHUTDOWN);
	}
	release_sock(sk);

	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_all(&wq->wait);
	rcu_read_unlock();

	mutex_lock(&tx->lock);
	/* Senders held back now queue on tx->lock behind us. */
	clear_and_wake_up_bit(KTLS_TX_CLOSE_WAIT, &tx->flags);
}

/*
 * close(): the open record is sealed and pushed as far as TCP takes it
 * without waiting; then no more work may run.  Called with the socket
 * locked; the caller cancels the work once the callbacks are restored.
 */
void ktls_tx_close(struct sock *sk, struct ktls_ctx *ctx)
{
	struct ktls_tx *tx = ctx->tx;

	set_bit(KTLS_TX_CLOSING, &tx->flags);
	set_bit(KTLS_TX_SCHEDULED, &tx->flags);
	/* No program runs now: data it has not judged is not sent. */
	ktls_tx_policy_close(sk, tx);
	if (!sk->sk_err)
		ktls_tx_flush(sk, tx, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/*
 * TLS 1.3 KeyUpdate on TX: what was sent so far (including the open
 * record) goes under the old key, everything after under the new one.
 * Called with tx->lock and the socket lock held.
 */
int ktls_tx_rekey(struct sock *sk, struct ktls_ctx *ctx,
		  const struct ktls_cipher *c,
		  const struct tls_crypto_info *info)
{
	struct ktls_tx *tx = ctx->tx;
	int err;

	/*
	 * A policy judges the open data when its record closes: it goes out
	 * under the new key.  Without one, or if what is open is a control
	 * record (the KeyUpdate itself, short of memory when it was sent),
	 * it is sealed under the old key now.
	 */
	if (tx->type == KTLS_TYPE_DATA && ktls_tx_has_policy(sk))
		err = ktls_tx_seal_front(sk, tx, 0, MSG_DONTWAIT);
	else
		err = ktls_tx_flush(sk, tx, MSG_DONTWAIT);
	/* Data that TCP has no room for yet: try again later. */
	if (err && (err != -EAGAIN || tx->pl.sg.size))
		return err;
	return ktls_dir_rekey(&tx->dir, c, info);
}

/*
 * The context has left the socket.  A sender that let go of the locks for
 * a redirect (the psock's backlog) may still take them back: under
 * tx->lock it finds KTLS_TX_CLOSING and stops, and what it then looks at
 * of the open record is empty but valid.  tx->sg, which it may hold a
 * pointer to, goes with the context's memory (ktls_tx_free_mem()).
 */
void ktls_tx_free(struct ktls_ctx *ctx)
{
	struct ktls_tx *tx = ctx->tx;

	ktls_stat_add(ctx->tls.sk, KTLS_STAT_CURR_TX_SW, -1);

	/* As after close(), also when the socket goes without it. */
	set_bit(KTLS_TX_CLOSING, &tx->flags);
	set_bit(KTLS_TX_SCHEDULED, &tx->flags);
	cancel_delayed_work_sync(&tx->work);
	mutex_lock(&tx->lock);
	ktls_tx_policy_release(tx);
	ktls_msg_free(&tx->pl);
	ktls_tx_drop_sealed(tx);
	ktls_dir_free(&tx->dir);
	mutex_unlock(&tx->lock);
}

/* The last reference to the context is gone. */
void ktls_tx_free_mem(struct ktls_tx *tx)
{
	kfree(tx->sg);
	kfree(tx);
}
