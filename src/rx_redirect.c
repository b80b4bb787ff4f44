// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: where a stream verdict sends a decrypted record (docs/policy.md).
 *
 * sockmap's own way to redirect an skb queues it on the target's psock,
 * whose worker then charges the target's receive memory without the
 * target's socket lock.  That races with everything else that charges or
 * uncharges it (TCP receiving, a reader), and the target's
 * sk_forward_alloc goes wrong; the kernel warns when it frees the socket.
 * So an ingress redirect to a TCP socket does not go that way here: a copy
 * of the record goes to our own ordered worker, which hands it to the
 * target through sockmap's SK_MSG ingress path, under the target's lock.
 * Egress redirects, and ingress ones to other kinds of socket, take
 * sockmap's way, as the in-tree kTLS would.
 */
#include <linux/skmsg.h>
#include <net/tcp.h>

#include "ktls.h"

/* A copy of a record on its way to the target's receive queue. */
struct ktls_redir {
	struct work_struct work;
	struct sock *target; /* held */
	struct sk_msg msg; /* pages of our own */
};

static struct workqueue_struct *ktls_redir_wq;

/* The copy, with those of its pages the target did not take. */
static void ktls_redir_free(struct ktls_redir *r)
{
	ktls_msg_free(&r->msg);
	kfree(r);
}

static void ktls_redir_work(struct work_struct *work)
{
	struct ktls_redir *r = container_of(work, struct ktls_redir, work);
	int err;

	/*
	 * The target's lock is taken there and nothing else is held.  What
	 * it takes leaves our msg (its pages with it); the rest stays.
	 */
	err = tcp_bpf_sendmsg_redir(r->target, true, &r->msg, r->msg.sg.size,
				    0);
	if (err || r->msg.sg.size)
		ktls_stat_inc(r->target, KTLS_STAT_RX_SKB_REDIRECT_LOST);
	sock_put(r->target);
	ktls_redir_free(r);
}

/* A copy of @skb for @target's receive queue; takes both. */
static void ktls_redir_ingress(struct sk_buff *skb, struct sock *target)
{
	struct ktls_redir *r;
	struct page *page;
	u32 off = 0, n;

	r = kmalloc(sizeof(*r), GFP_KERNEL | __GFP_NOWARN);
	if (!r)
		goto lost;
	ktls_msg_init(&r->msg);
	while (off < skb->len) {
		n = min_t(u32, skb->len - off, PAGE_SIZE);
		page = r->msg.sg.end < MAX_MSG_FRAGS ?
			       alloc_page(GFP_KERNEL | __GFP_NOWARN) :
			       NULL;
		if (!page)
			goto free;
		sg_set_page(&r->msg.sg.data[r->msg.sg.end++], page, n, 0);
		if (skb_copy_bits(skb, off, page_address(page), n))
			goto free;
		off += n;
	}
	r->msg.sg.size = off;
	r->target = target;
	consume_skb(skb);
	INIT_WORK(&r->work, ktls_redir_work);
	queue_work(ktls_redir_wq, &r->work);
	return;
free:
	ktls_redir_free(r);
lost:
	ktls_stat_inc(target, KTLS_STAT_RX_SKB_REDIRECT_LOST);
	sock_put(target);
	kfree_skb(skb);
}

/*
 * sockmap's way: the target's psock worker sends the skb (egress) or
 * queues it for the target's reader (ingress).  Takes the skb.
 */
static void ktls_redir_psock(struct sk_buff *skb, struct sock *target)
{
	struct sk_psock *psock;

	rcu_read_lock();
	psock = sk_psock(target);
	if (!psock || sock_flag(target, SOCK_DEAD))
		goto drop;
	spin_lock_bh(&psock->ingress_lock);
	if (!sk_psock_test_state(psock, SK_PSOCK_TX_ENABLED)) {
		spin_unlock_bh(&psock->ingress_lock);
		goto drop;
	}
	skb_queue_tail(&psock->ingress_skb, skb);
	schedule_delayed_work(&psock->work, 0);
	spin_unlock_bh(&psock->ingress_lock);
	rcu_read_unlock();
	return;
drop:
	rcu_read_unlock();
	skb_bpf_redirect_clear(skb);
	kfree_skb(skb);
}

/*
 * Send @skb, a decrypted record a stream verdict redirected to @target,
 * on its way.  Takes the skb and the reference on @target.  Process
 * context; the socket the record came from may be locked.
 */
void ktls_rx_redirect(struct sk_buff *skb, struct sock *target)
{
	if (!skb->len) { /* the program trimmed it all: nothing to hand on */
		consume_skb(skb);
		sock_put(target);
		return;
	}
	if (skb_bpf_ingress(skb) && target->sk_type == SOCK_STREAM &&
	    target->sk_protocol == IPPROTO_TCP) {
		skb_bpf_redirect_clear(skb);
		ktls_redir_ingress(skb, target);
		return;
	}
	ktls_redir_psock(skb, target);
	sock_put(target);
}

int ktls_redirect_init(void)
{
	ktls_redir_wq = alloc_ordered_workqueue("ktls_redirect", 0);
	return ktls_redir_wq ? 0 : -ENOMEM;
}

/* Every copy still on its way reaches its target first. */
void ktls_redirect_exit(void)
{
	destroy_workqueue(ktls_redir_wq);
}
