// SPDX-License-Identifier: GPL-2.0
/*
 * Page fragments whose pages come back.
 *
 * Sealed records, records decrypted for a verdict and copied plaintext
 * live in pieces of the socket's page fragment (sk_page_frag()).  When a
 * fragment is used up, skb_page_frag_refill() lets go of it and allocates
 * a new one, which the page allocator clears first (init_on_alloc, on in
 * Debian's kernels) although every byte of it is about to be written.
 * Here a used-up fragment is parked on a small per-CPU shelf instead, and
 * a parked one the network has finished with (the shelf's reference is
 * its only one) takes its place: no allocation, no clearing, and memory
 * that is likely still in the cache.  The shelf holds at most
 * frag_shelf fragments (32 KiB each) per CPU; when none has come back,
 * the oldest is let go as skb_page_frag_refill() would have done.  A
 * fragment comes back once the peer has acknowledged and read all of it,
 * so the shelf pays off when less than its size is in flight (loopback,
 * a LAN); beyond that it costs a look at each parked page's count.
 */
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "ktls.h"

#define KTLS_SHELF_MAX 64

static unsigned int ktls_shelf_len = 16;
module_param_named(frag_shelf, ktls_shelf_len, uint, 0444);
MODULE_PARM_DESC(frag_shelf, "32 KiB fragments kept per CPU for reuse (0-64)");

struct ktls_shelf {
	struct page *page[KTLS_SHELF_MAX];
	unsigned int next; /* the slot to empty when none has come back */
};

static DEFINE_PER_CPU(struct ktls_shelf, ktls_shelves);

/*
 * Park @pfrag's page and give @pfrag a parked page that has come back,
 * or none (the caller allocates).  With bottom halves off, so that a
 * receive path in softirq on this CPU cannot interleave.
 */
static void ktls_frag_swap(struct sock *sk, struct page_frag *pfrag)
{
	struct page *old = pfrag->page, *drop = NULL;
	struct ktls_shelf *sh;
	unsigned int i;

	local_bh_disable();
	sh = this_cpu_ptr(&ktls_shelves);
	pfrag->page = NULL;
	for (i = 0; i < ktls_shelf_len; i++) {
		struct page *page = sh->page[i];

		if (page && page_ref_count(page) == 1) {
			pfrag->page = page;
			break;
		}
	}
	if (!pfrag->page) {
		i = sh->next;
		sh->next = (i + 1) % ktls_shelf_len;
		drop = sh->page[i];
	}
	sh->page[i] = old;
	local_bh_enable();

	if (pfrag->page) {
		pfrag->offset = 0;
		pfrag->size = page_size(pfrag->page);
		ktls_stat_inc(sk, KTLS_STAT_FRAG_REUSED);
	}
	if (drop)
		put_page(drop);
}

/*
 * skb_page_frag_refill() for @sk's page fragment, taking a used-up
 * fragment's pages back from the shelf when it can.
 */
bool ktls_frag_refill(struct sock *sk, struct page_frag *pfrag, unsigned int sz)
{
	if (ktls_shelf_len && pfrag->page && page_ref_count(pfrag->page) != 1 &&
	    pfrag->offset + sz > pfrag->size)
		ktls_frag_swap(sk, pfrag);
	return skb_page_frag_refill(sz, pfrag, sk->sk_allocation);
}

int ktls_frag_init(void)
{
	if (ktls_shelf_len > KTLS_SHELF_MAX) {
		pr_err("frag_shelf=%u: at most %u\n", ktls_shelf_len,
		       KTLS_SHELF_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Module exit: every socket is gone; the shelves let go of their pages. */
void ktls_frag_cleanup(void)
{
	unsigned int cpu, i;

	for_each_possible_cpu(cpu) {
		struct ktls_shelf *sh = per_cpu_ptr(&ktls_shelves, cpu);

		for (i = 0; i < KTLS_SHELF_MAX; i++) {
			if (sh->page[i])
				put_page(sh->page[i]);
			sh->page[i] = NULL;
		}
	}
}
