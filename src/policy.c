// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: BPF policy on ktls sockets in a sockmap (docs/policy.md).  The
 * SK_MSG program judges the plaintext of each data record before it is
 * sealed; the stream-verdict program judges each record after it is
 * decrypted.  The verdict state lives in our TX side, not in the psock,
 * so that it goes with the socket whatever happens to the psock.
 */
#include <linux/filter.h>
#include <linux/skmsg.h>
#include <net/tcp.h>

#include "ktls.h"

/* The socket's psock, referenced, if it carries an SK_MSG program. */
static struct sk_psock *ktls_psock_tx(struct sock *sk)
{
	struct sk_psock *psock = sk_psock_get(sk);

	if (psock && !READ_ONCE(psock->progs.msg_parser)) {
		sk_psock_put(sk, psock);
		psock = NULL;
	}
	return psock;
}

bool ktls_tx_has_policy(struct sock *sk)
{
	struct sk_psock *psock = ktls_psock_tx(sk);

	if (psock)
		sk_psock_put(sk, psock);
	return psock;
}

/* Forget the verdict (and the redirect target it holds). */
void ktls_tx_policy_release(struct ktls_tx *tx)
{
	struct ktls_tx_policy *pol = &tx->pol;

	if (pol->redir)
		sock_put(pol->redir);
	memset(pol, 0, sizeof(*pol));
	pol->eval = __SK_NONE;
	tx->pl.cork_bytes = 0;
}

/*
 * Run the program on the open record.  Returns the bytes bpf_msg_pop_data()
 * removed (negative when it pushed more).
 */
static int ktls_tx_run(struct sock *sk, struct ktls_tx *tx,
		       struct sk_psock *psock)
{
	struct ktls_tx_policy *pol = &tx->pol;
	struct sk_msg *msg = &tx->pl;
	u32 before = msg->sg.size;

	msg->apply_bytes = 0;
	msg->cork_bytes = 0;
	msg->sk_redir = NULL;
	msg->flags = 0;
	pol->eval = sk_psock_msg_verdict(sk, psock, msg);
	/*
	 * push/pop charge the socket for what they add or remove; the ring
	 * itself is not charged (our bytes are bounded by one record), so
	 * give that back.
	 */
	if (msg->sg.size > before)
		sk_mem_uncharge(sk, msg->sg.size - before);
	else if (msg->sg.size < before)
		sk_mem_charge(sk, before - msg->sg.size);

	/*
	 * Without bpf_msg_apply_bytes() the verdict covers what the program
	 * saw, and not bytes that may join the open record before it is used.
	 */
	pol->apply = msg->apply_bytes ?: msg->sg.size;
	pol->counted = false;
	msg->apply_bytes = 0;
	msg->sk_redir = NULL;
	if (pol->redir) {
		sock_put(pol->redir);
		pol->redir = NULL;
	}
	if (pol->eval == __SK_REDIRECT) {
		/* Take the reference the psock was given. */
		pol->redir = psock->sk_redir;
		pol->ingress = psock->redir_ingress;
		psock->sk_redir = NULL;
		if (!pol->redir)
			pol->eval = __SK_DROP;
	}
	return (int)before - (int)msg->sg.size;
}

/* @n bytes got the verdict: count it, and forget it once it is used up. */
static void ktls_tx_consume(struct sock *sk, struct ktls_tx *tx, u32 n)
{
	static const enum ktls_stat stat[] = {
		[__SK_PASS] = KTLS_STAT_TX_MSG_PASS,
		[__SK_DROP] = KTLS_STAT_TX_MSG_DROP,
		[__SK_REDIRECT] = KTLS_STAT_TX_MSG_REDIRECT,
	};
	struct ktls_tx_policy *pol = &tx->pol;

	if (!pol->counted && pol->eval >= 0 && pol->eval < ARRAY_SIZE(stat)) {
		ktls_stat_inc(sk, stat[pol->eval]);
		pol->counted = true;
	}
	pol->corked = pol->corked > n ? pol->corked - n : 0;
	if (pol->apply > n) {
		pol->apply -= n;
		return;
	}
	pol->apply = 0;
	pol->eval = __SK_NONE;
	if (pol->redir) {
		sock_put(pol->redir);
		pol->redir = NULL;
	}
}

/* Take up to @n bytes off the end of the open record; returns how many. */
static u32 ktls_tx_cut_tail(struct ktls_tx *tx, u32 n)
{
	n = min(tx->pl.sg.size, n);
	ktls_msg_trim(&tx->pl, tx->pl.sg.size - n);
	tx->pol.corked = min(tx->pol.corked, tx->pl.sg.size);
	return n;
}

/*
 * A verdict ended the call early: the rest of it is not processed, so
 * whatever of it is still open is not taken either.
 */
static void ktls_tx_cut_call(struct ktls_tx *tx, ssize_t *copied)
{
	if (copied && *copied > 0)
		*copied -= ktls_tx_cut_tail(tx, *copied);
}

/*
 * The target could not take it all now: its buffer stayed full (-EAGAIN,
 * past its send time-out unless the caller must not wait), the memory of
 * sockmap's ingress ran out, or a signal came first.
 */
static bool ktls_redirect_may_retry(int err)
{
	return err == -EAGAIN || err == -ENOMEM || err == -ERESTARTSYS ||
	       err == -EINTR;
}

/*
 * A redirect found its target without room for @part, whose first @older
 * bytes calls that have returned took (they are counted as sent; the rest
 * are the running call's, which the caller gives back).  @part goes back
 * to the front of the open record, the verdict covers the @older bytes
 * again, and the work tries again a tick later (as sockmap's own backlog
 * does), or the socket's next sender, which waits for it first.  Both TX
 * locks held, and the open record unchanged since @part was split off.
 */
static void ktls_tx_redirect_later(struct ktls_tx *tx, struct sk_msg *part,
				   u32 older, struct sock *target, bool ingress)
{
	struct ktls_tx_policy *pol = &tx->pol;

	if (pol->eval == __SK_NONE) {
		/* That was the verdict's last part: it covers this again. */
		sock_hold(target);
		pol->redir = target;
		pol->ingress = ingress;
		pol->eval = __SK_REDIRECT;
		pol->counted = true;
	}
	pol->apply += older;
	pol->corked = min(pol->corked + part->sg.size,
			  tx->pl.sg.size + part->sg.size);
	ktls_msg_unsplit(&tx->pl, part);
	set_bit(KTLS_TX_UNSEALED, &tx->flags);
	set_bit(KTLS_TX_REDIR_HELD, &tx->flags);
	set_bit(KTLS_TX_REDIR_AGAIN, &tx->flags);
	if (!test_and_set_bit(KTLS_TX_SCHEDULED, &tx->flags))
		schedule_delayed_work(&tx->work, 1);
}

/*
 * Hand @msg to @target: egress to a ktls socket with TX goes through its
 * record layer (encrypted with its keys); anything else through sockmap's
 * own redirect (plain TCP egress, or the target's receive queue).  Called
 * with none of our locks held.  What was not taken stays in @msg.  @flags
 * are the sender's, as in sockmap's own redirect: without MSG_NOSIGNAL
 * the target's EPIPE raises SIGPIPE in the sender.
 */
static int ktls_redirect(struct sock *target, bool ingress, struct sk_msg *msg,
			 int flags)
{
	struct ktls_ctx *tctx;
	int err;

	if (!ingress && ktls_sk_is_ours(target)) {
		tctx = ktls_tx_lock(target, &err,
				    flags & MSG_DONTWAIT ?
					    KTLS_LOCK_DELIVERY_NOWAIT :
					    KTLS_LOCK_DELIVERY);
		if (tctx) {
			err = ktls_tx_send_msg(target, tctx->tx, msg, flags);
			ktls_tx_unlock(target, tctx);
			return err;
		}
		if (err != -ENOPROTOOPT)
			return err;
	}
	err = tcp_bpf_sendmsg_redir(target, ingress, msg, msg->sg.size, flags);
	return err < 0 ? err : 0;
}

/*
 * Carry out a redirect of the first @send bytes of the open record
 * (@moved: what this flush's runs of the program popped, less what they
 * pushed).  Of what the target does not take, the running call's bytes
 * (@copied) are given back and end the call; those of calls that have
 * returned wait for the target (ktls_tx_redirect_later()) when it may
 * take them later.
 */
static int ktls_tx_redirect(struct sock *sk, struct ktls_tx *tx, u32 send,
			    int flags, ssize_t *copied, int moved)
{
	struct ktls_tx_policy *pol = &tx->pol;
	struct sock *target = pol->redir;
	bool ingress = pol->ingress;
	u32 older = send, before = tx->pl.sg.size;
	struct sk_msg part;
	int err;

	/*
	 * The running call's bytes are at the end of the open record; what
	 * is there beyond @copied came from earlier calls, unless this call's
	 * runs of the program (@moved) pushed or popped bytes: then which are
	 * whose is not known, and none are kept.
	 */
	if (copied && moved)
		older = 0;
	else if (copied && *copied > 0)
		older = tx->pl.sg.size > *copied ?
				min_t(u32, tx->pl.sg.size - *copied, send) :
				0;
	sock_hold(target);
	ktls_tx_consume(sk, tx, send);
	ktls_msg_init(&part);
	ktls_msg_split(&tx->pl, &part, send);

	ktls_tx_relock(sk, tx, true);
	err = ktls_redirect(target, ingress, &part, flags);
	ktls_tx_relock(sk, tx, false);
	/* sockmap's ingress can stop short and say 0. */
	if (!err && part.sg.size)
		err = -ENOMEM;

	/* The target takes the oldest bytes first. */
	older = max_t(s64, (s64)older - (send - part.sg.size), 0);
	if (older && ktls_redirect_may_retry(err) &&
	    !test_bit(KTLS_TX_CLOSING, &tx->flags)) {
		/* The running call's part of it goes with its rest below. */
		ktls_tx_redirect_later(tx, &part, older, target, ingress);
		if (err == -ENOMEM)
			err = -EAGAIN;
	} else if (copied && moved && err) {
		/*
		 * Which bytes are whose is not known: the call's are taken to
		 * be the last @mine of the open record (with what the runs
		 * pushed).  The earlier calls' bytes of @part go with the
		 * call's, the call's after @part are cut, and it counts what
		 * went before the open record and what the target took.
		 */
		s64 ours = max_t(s64, *copied, 0) + max(-moved, 0);
		u32 mine = min_t(s64, ours, before);
		u32 taken = send - part.sg.size;
		u32 kept = taken > before - mine ? taken - (before - mine) : 0;

		ktls_tx_cut_tail(tx, mine);
		if (*copied > 0)
			*copied = clamp_t(s64, ours - mine + kept, 0, *copied);
	} else if (copied) {
		/* The running call loses only its own bytes of it. */
		*copied -= part.sg.size - older;
	}
	sock_put(target);
	ktls_msg_free(&part);
	if (!err && test_bit(KTLS_TX_CLOSING, &tx->flags))
		err = -EPIPE;
	/*
	 * The target did not take it all (its buffer stayed full past the
	 * time-out, or it went): the call ends here with what was taken.
	 */
	if (err)
		ktls_tx_cut_call(tx, copied);
	return err;
}

/*
 * A data record closes (see docs/policy.md for when): run the SK_MSG
 * program, if the socket has one, and carry out its verdicts until the open
 * record is used up or held by a cork.  @full: the record cannot grow, so
 * a cork cannot hold it.  @copied is the caller's count of bytes taken from
 * this call; it loses what is dropped.  NULL: the bytes were taken by
 * calls that have returned, and a redirect whose target has no room is
 * tried again later (ktls_tx_redirect_later()), not dropped.  With both
 * TX locks held; a redirect lets go of them for a while.
 */
static int ktls_tx_judge(struct sock *sk, struct ktls_tx *tx, int flags,
			 bool full, ssize_t *copied)
{
	struct ktls_tx_policy *pol = &tx->pol;
	struct sk_msg *pl = &tx->pl;
	struct sk_psock *psock;
	int err = 0, popped = 0, moved = 0;
	bool corked;

	/* Control records are not shown to the program. */
	if (tx->type != KTLS_TYPE_DATA)
		return ktls_tx_flush(sk, tx, flags);
	psock = ktls_psock_tx(sk);
	if (!psock) {
		/* The socket left its map: what was held goes unjudged. */
		if (pol->eval != __SK_NONE || pl->cork_bytes)
			ktls_tx_policy_release(tx);
		return ktls_tx_flush(sk, tx, flags);
	}

	while (pl->sg.size && !err) {
		struct sk_msg part;
		u32 send, open;

		if (pol->eval == __SK_NONE) {
			if (pl->cork_bytes > pl->sg.size && !full)
				goto hold;
			popped = ktls_tx_run(sk, tx, psock);
			moved += popped;
			corked = pl->cork_bytes > pl->sg.size && !full;
			/*
			 * Pages of the caller are sealed from where they are
			 * only under a pass of all of them.
			 */
			if (tx->sg && tx->sg->pinned_n &&
			    (corked || pol->eval != __SK_PASS ||
			     (pol->apply && pol->apply < pl->sg.size) ||
			     pl->sg.size > tx->max_payload)) {
				err = ktls_tx_own_pinned(sk, tx);
				if (err)
					break;
			}
			/* A cork comes before the verdict and runs it again. */
			if (corked) {
				pol->eval = __SK_NONE;
				goto hold;
			}
			pl->cork_bytes = 0;
			if (!pl->sg.size) {
				/* bpf_msg_pop_data() took everything. */
				ktls_tx_consume(sk, tx, 0);
				break;
			}
		}

		send = pl->sg.size;
		if (pol->apply && pol->apply < send)
			send = pol->apply;

		switch (pol->eval) {
		case __SK_PASS:
			/* A record TCP refused earlier goes first. */
			err = ktls_tx_seal_front(sk, tx, 0, flags);
			if (err)
				break;
			/*
			 * bpf_msg_push_data() may have made more than a
			 * record of it: the verdict covers all, record by
			 * record.
			 */
			send = min_t(u32, send, tx->max_payload);
			open = pl->sg.size;
			err = ktls_tx_seal_front(sk, tx, send, flags);
			/*
			 * Not sealed (no memory): the bytes stay open under
			 * the verdict, and the program does not see them again.
			 */
			if (pl->sg.size < open)
				ktls_tx_consume(sk, tx, send);
			break;
		case __SK_REDIRECT:
			err = ktls_tx_redirect(sk, tx, send, flags, copied,
					       moved);
			break;
		default:
			ktls_tx_consume(sk, tx, send);
			ktls_msg_init(&part);
			ktls_msg_split(pl, &part, send);
			ktls_msg_free(&part);
			ktls_stat_add(sk, KTLS_STAT_TX_MSG_DROPPED_BYTES, send);
			/* With what this verdict's own run popped from them. */
			if (copied)
				*copied -= send + max(popped, 0);
			ktls_tx_cut_call(tx, copied);
			err = -EACCES;
		}
	}
	sk_psock_put(sk, psock);
	return err;

hold:
	if (pl->sg.size > pol->corked) {
		ktls_stat_add(sk, KTLS_STAT_TX_MSG_CORKED_BYTES,
			      pl->sg.size - pol->corked);
		pol->corked = pl->sg.size;
	}
	sk_psock_put(sk, psock);
	return 0;
}

int ktls_tx_policy_flush(struct sock *sk, struct ktls_tx *tx, int flags,
			 bool full, ssize_t *copied)
{
	bool held = test_bit(KTLS_TX_REDIR_HELD, &tx->flags);
	int err;

	/*
	 * After a failed seal the open record may hold bytes encrypted in
	 * place: none of it goes anywhere, redirected or not.
	 */
	if (test_bit(KTLS_TX_BROKEN, &tx->flags)) {
		if (test_and_clear_bit(KTLS_TX_REDIR_HELD, &tx->flags))
			sk->sk_write_space(sk);
		return -EBADMSG;
	}
	clear_bit(KTLS_TX_REDIR_AGAIN, &tx->flags);
	err = ktls_tx_judge(sk, tx, flags, full, copied);
	/*
	 * Bytes left for any reason but a drop (TCP or a target without
	 * room, a signal, no memory) are the next catch-up's: the write-space
	 * work's or the next call's.  Memory does not announce itself as TCP
	 * room does: the work tries again a tick later.
	 */
	if (err && err != -EACCES && tx->pl.sg.size) {
		set_bit(KTLS_TX_UNSEALED, &tx->flags);
		if (err == -ENOMEM && !test_bit(KTLS_TX_CLOSING, &tx->flags) &&
		    !test_and_set_bit(KTLS_TX_SCHEDULED, &tx->flags))
			schedule_delayed_work(&tx->work, 1);
	}
	/* Bytes that waited for a redirect's target are gone: writable. */
	if (held && !test_bit(KTLS_TX_REDIR_AGAIN, &tx->flags)) {
		clear_bit(KTLS_TX_REDIR_HELD, &tx->flags);
		sk->sk_write_space(sk);
	}
	return err;
}

/*
 * close() with a policy: no program runs any more.  Bytes a pass verdict
 * covers are still sent; bytes never judged (corked, or open under
 * MSG_MORE) or judged otherwise are discarded.  Socket locked.
 */
void ktls_tx_policy_close(struct sock *sk, struct ktls_tx *tx)
{
	struct ktls_tx_policy *pol = &tx->pol;
	u32 keep = 0;

	if (tx->type == KTLS_TYPE_DATA && tx->pl.sg.size &&
	    ktls_tx_has_policy(sk)) {
		if (pol->eval == __SK_PASS)
			keep = min(pol->apply, tx->pl.sg.size);
		ktls_stat_add(sk, KTLS_STAT_TX_MSG_DROPPED_BYTES,
			      tx->pl.sg.size - keep);
		ktls_msg_trim(&tx->pl, keep);
	}
	ktls_tx_policy_release(tx);
}

/*
 * The program that judges this socket's records: one attached as
 * BPF_SK_SKB_STREAM_VERDICT, else one attached as BPF_SK_SKB_VERDICT (the
 * order sockmap's own verdict path takes them in).  Under rcu_read_lock().
 */
static struct bpf_prog *ktls_rx_prog(struct sk_psock *psock)
{
	struct bpf_prog *prog = READ_ONCE(psock->progs.stream_verdict);

	return prog ?: READ_ONCE(psock->progs.skb_verdict);
}

/* A stream verdict program must see this socket's records. */
bool ktls_rx_has_verdict(struct sock *sk)
{
	struct sk_psock *psock;
	bool ret;

	rcu_read_lock();
	psock = sk_psock(sk);
	ret = psock && ktls_rx_prog(psock);
	rcu_read_unlock();
	return ret;
}

/*
 * Run the stream verdict on @skb: __SK_NONE when there is no program,
 * __SK_PASS, __SK_DROP, or __SK_REDIRECT with *@target held.  The steps
 * are sockmap's own for in-tree kTLS (sk_psock_tls_strp_read()), but the
 * verdict is carried out by the caller: sockmap's way to carry out an
 * ingress redirect is not safe (see rx_redirect.c).
 */
static int ktls_rx_run(struct sock *sk, struct sk_psock *psock,
		       struct sk_buff *skb, struct sock **target)
{
	struct bpf_prog *prog;
	int ret = __SK_NONE;

	rcu_read_lock();
	prog = ktls_rx_prog(psock);
	if (prog) {
		skb->sk = sk;
		skb_dst_drop(skb);
		skb_bpf_redirect_clear(skb);
		ret = bpf_prog_run_pin_on_cpu(prog, skb);
		skb->sk = NULL;
		*target = skb_bpf_redirect_fetch(skb);
		if (ret != SK_PASS) {
			ret = __SK_DROP;
		} else if (*target) {
			/* Its psock holds it until a grace period ends. */
			sock_hold(*target);
			ret = __SK_REDIRECT;
		} else {
			ret = __SK_PASS;
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * The stream verdict on a decrypted data record: the skb as in-tree kTLS
 * shows it, the record decrypted in place (header and explicit nonce in
 * front of the plaintext at @off, then the tag), so that programs written
 * for in-tree kTLS work unchanged.  Returns true when the caller keeps the
 * record and reads *@len bytes at @off as before (clamped to what the
 * program left), false when the program dropped or redirected it (then it
 * is gone).  Process context, socket locked.
 */
bool ktls_rx_verdict(struct sock *sk, struct sk_buff *skb, u32 off, u32 *len)
{
	struct sk_psock *psock = sk_psock_get(sk);
	struct sock *target = NULL;
	int verdict;

	if (!psock)
		return true;
	verdict = ktls_rx_run(sk, psock, skb, &target);
	sk_psock_put(sk, psock);

	switch (verdict) {
	case __SK_NONE:
		return true;
	case __SK_PASS:
		ktls_stat_inc(sk, KTLS_STAT_RX_SKB_PASS);
		/* bpf_skb_adjust_room() may have shrunk it. */
		*len = skb->len > off ? min(*len, skb->len - off) : 0;
		return true;
	case __SK_REDIRECT:
		ktls_stat_inc(sk, KTLS_STAT_RX_SKB_REDIRECT);
		ktls_rx_redirect(skb, target);
		return false;
	default:
		ktls_stat_inc(sk, KTLS_STAT_RX_SKB_DROP);
		consume_skb(skb);
		return false;
	}
}

/* Data redirected to this socket's receive queue by sockmap. */
bool ktls_psock_has_data(struct sock *sk)
{
	struct sk_psock *psock;
	bool ret;

	rcu_read_lock();
	psock = sk_psock(sk);
	ret = psock && !sk_psock_queue_empty(psock);
	rcu_read_unlock();
	return ret;
}

/* Read it: the number of bytes, 0 when there is none.  Socket locked. */
int ktls_psock_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		       int flags)
{
	struct sk_psock *psock = sk_psock_get(sk);
	int ret = 0;

	if (!psock)
		return 0;
	if (!sk_psock_queue_empty(psock))
		ret = sk_msg_recvmsg(sk, psock, msg, len, flags);
	sk_psock_put(sk, psock);
	return ret;
}
