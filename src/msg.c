// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: our operations on a struct sk_msg scatter-gather ring (the kernel's
 * layout, so a psock verdict can be run on it): append from an iterator,
 * free, and lay it out as a flat scatterlist for the AEAD.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "ktls.h"
#include "ring.h"

void ktls_msg_init(struct sk_msg *msg)
{
	memset(msg, 0, sizeof(*msg));
	sg_init_marker(msg->sg.data, NR_MSG_FRAG_IDS);
}

/* Drop every page of the ring and empty it. */
void ktls_msg_free(struct sk_msg *msg)
{
	u32 i;

	for (i = msg->sg.start; !ktls_ring_empty(i, msg->sg.end);
	     i = ktls_ring_next(i))
		put_page(sg_page(&msg->sg.data[i]));
	ktls_msg_init(msg);
}

/* The ring's last element if it holds a page that is not ours, or NULL. */
static struct scatterlist *ktls_msg_last_ref(struct sk_msg *msg)
{
	u32 last = ktls_ring_prev(msg->sg.end);

	if (ktls_ring_empty(msg->sg.start, msg->sg.end) ||
	    !test_bit(last, msg->sg.copy))
		return NULL;
	return &msg->sg.data[last];
}

/*
 * Take references on the pages under the next bytes of @from (at most
 * @len of them) and put them at the end of the ring, marked in sg.copy:
 * the pages are not ours to write.  Bytes that continue the last element's
 * in the same page extend it.  Returns the bytes taken, 0 when the ring is
 * full, -EAGAIN when the bytes are to be copied instead (the first page
 * may not be shared, or they are not in pages at all; @from is
 * unchanged), or -EFAULT.
 */
static int ktls_msg_ref(struct sk_msg *msg, struct iov_iter *from, u32 len)
{
	u32 room = ktls_ring_free(msg->sg.start, msg->sg.end);
	struct page *pages[8];
	u32 done = 0, i, npages;
	bool full = false;
	size_t off;
	ssize_t got;

	if (!room && !ktls_msg_last_ref(msg))
		return 0;
	/* Kernel memory (MSG_SPLICE_PAGES from a kvec) has no pages to get. */
	if (iov_iter_is_kvec(from))
		return -EAGAIN;
	got = iov_iter_get_pages2(from, pages, len,
				  clamp_t(u32, room, 1, ARRAY_SIZE(pages)),
				  &off);
	if (got <= 0)
		return got ?: -EFAULT;
	npages = DIV_ROUND_UP(off + got, PAGE_SIZE);
	for (i = 0; i < npages && sendpage_ok(pages[i]); i++) {
		u32 n = min_t(size_t, got - done, PAGE_SIZE - off);
		struct scatterlist *sg = ktls_msg_last_ref(msg);

		if (sg && sg_page(sg) == pages[i] &&
		    sg->offset + sg->length == off) {
			/* The bytes right after the last element's. */
			sg->length += n;
			put_page(pages[i]);
		} else if (room) {
			room--;
			sg = &msg->sg.data[msg->sg.end];
			sg_set_page(sg, pages[i], n, off);
			__set_bit(msg->sg.end, msg->sg.copy);
			msg->sg.end = ktls_ring_next(msg->sg.end);
		} else {
			full = true;
			break;
		}
		msg->sg.size += n;
		done += n;
		off = 0;
	}
	if (done < got) {
		/* The ring is full, or a slab page (copied instead). */
		while (i < npages)
			put_page(pages[i++]);
		iov_iter_revert(from, got - done);
	}
	return done || full ? done : -EAGAIN;
}

/*
 * Put all @len bytes of @from's pages at the end of the ring by
 * reference, for a record sealed before the caller returns: @len, or
 * -EMSGSIZE (the ring is too small) / -EFAULT with nothing added.
 */
int ktls_msg_pin(struct sk_msg *msg, struct iov_iter *from, u32 len)
{
	u32 size = msg->sg.size, done = 0;
	int ret;

	while (done < len) {
		ret = ktls_msg_ref(msg, from, len - done);
		if (ret <= 0) {
			ktls_msg_trim(msg, size);
			iov_iter_revert(from, done);
			return ret == -EFAULT ? ret : -EMSGSIZE;
		}
		done += ret;
	}
	return done;
}

/*
 * Add @len bytes from @from to the end of the ring.  Returns the bytes
 * added (less than @len only when the ring is full), or -ENOMEM / -EFAULT
 * with nothing added.
 *
 * @hide: spliced data (sendfile, splice).  Its pages are referenced
 * rather than copied where they may be shared, and its elements are marked
 * in sg.copy, so that an SK_MSG program sees no data pointers for them
 * until it pulls them (as with in-tree sockmap).  Other bytes are copied
 * into @sk's page fragment (as TCP copies what it sends), extending the
 * last element while it ends where the fragment's free space begins;
 * hidden and visible bytes never share an element.
 */
int ktls_msg_append(struct sock *sk, struct sk_msg *msg, struct iov_iter *from,
		    u32 len, bool hide)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	u32 done = 0;

	while (done < len) {
		struct scatterlist *sg = NULL;
		u32 room = 0, n;
		size_t got;

		if (hide) {
			int ret = ktls_msg_ref(msg, from, len - done);

			if (ret > 0) {
				done += ret;
				continue;
			}
			if (!ret)
				break;
			if (ret != -EAGAIN)
				goto err_fault;
			/* A page that may not be shared: copy it. */
		} else if (!ktls_ring_empty(msg->sg.start, msg->sg.end)) {
			u32 last = ktls_ring_prev(msg->sg.end);

			sg = &msg->sg.data[last];
			if (!test_bit(last, msg->sg.copy) &&
			    sg_page(sg) == pfrag->page &&
			    sg->offset + sg->length == pfrag->offset)
				room = pfrag->size - pfrag->offset;
		}
		if (!room) {
			if (ktls_ring_full(msg->sg.start, msg->sg.end))
				break;
			if (ktls_fault(KTLS_FAULT_TX_COPY) ||
			    !ktls_frag_refill(sk, pfrag, 1))
				goto err_nomem;
			get_page(pfrag->page);
			sg = &msg->sg.data[msg->sg.end];
			sg_set_page(sg, pfrag->page, 0, pfrag->offset);
			__assign_bit(msg->sg.end, msg->sg.copy, hide);
			msg->sg.end = ktls_ring_next(msg->sg.end);
			room = pfrag->size - pfrag->offset;
		}
		n = min(room, len - done);
		/* Fragment pages are never highmem: one mapping covers them. */
		got = copy_from_iter(page_address(pfrag->page) + pfrag->offset,
				     n, from);
		pfrag->offset += got;
		sg->length += got;
		msg->sg.size += got;
		done += got;
		if (got != n)
			goto err_fault;
	}
	return done;

err_fault:
	iov_iter_revert(from, done);
	ktls_msg_trim(msg, msg->sg.size - done);
	return -EFAULT;
err_nomem:
	if (done) {
		iov_iter_revert(from, done);
		ktls_msg_trim(msg, msg->sg.size - done);
	}
	return -ENOMEM;
}

/* Shrink the ring to its first @size bytes. */
void ktls_msg_trim(struct sk_msg *msg, u32 size)
{
	while (msg->sg.size > size) {
		u32 last = ktls_ring_prev(msg->sg.end);
		struct scatterlist *sg = &msg->sg.data[last];
		u32 cut = min(sg->length, msg->sg.size - size);

		sg->length -= cut;
		msg->sg.size -= cut;
		if (!sg->length) {
			put_page(sg_page(sg));
			sg_set_page(sg, NULL, 0, 0);
			__clear_bit(last, msg->sg.copy);
			msg->sg.end = last;
		}
	}
}

/*
 * Move the first @len bytes of @msg into the empty ring @front, keeping
 * their slots (and sg.copy bits); an element cut in two gets a second page
 * reference.
 */
void ktls_msg_split(struct sk_msg *msg, struct sk_msg *front, u32 len)
{
	u32 i = msg->sg.start;

	front->sg.start = i;
	front->sg.end = i;
	while (len) {
		struct scatterlist *sg = &msg->sg.data[i];
		u32 n = min(len, sg->length);

		front->sg.data[i] = *sg;
		front->sg.data[i].length = n;
		__assign_bit(i, front->sg.copy, test_bit(i, msg->sg.copy));
		front->sg.size += n;
		front->sg.end = ktls_ring_next(i);
		msg->sg.size -= n;
		len -= n;
		if (n < sg->length) {
			get_page(sg_page(sg));
			sg->offset += n;
			sg->length -= n;
			break;
		}
		sg_set_page(sg, NULL, 0, 0);
		__clear_bit(i, msg->sg.copy);
		i = ktls_ring_next(i);
	}
	msg->sg.start = i;
	if (ktls_ring_empty(i, msg->sg.end)) {
		msg->sg.start = 0;
		msg->sg.end = 0;
	}
}

/*
 * Undo ktls_msg_split(): put @front back before what remains in @msg.
 * @front may have lost elements or bytes at its start since (a redirect
 * took them); @msg must not have changed.
 */
void ktls_msg_unsplit(struct sk_msg *msg, struct sk_msg *front)
{
	bool rest = msg->sg.size;
	u32 i;

	if (!rest)
		msg->sg.end = front->sg.end;
	for (i = front->sg.start; !ktls_ring_empty(i, front->sg.end);
	     i = ktls_ring_next(i)) {
		struct scatterlist *f = &front->sg.data[i];

		if (i == msg->sg.start && rest) {
			/* The element that was cut in two. */
			msg->sg.data[i].offset -= f->length;
			msg->sg.data[i].length += f->length;
			put_page(sg_page(f));
		} else {
			msg->sg.data[i] = *f;
			__assign_bit(i, msg->sg.copy,
				     test_bit(i, front->sg.copy));
		}
		msg->sg.size += f->length;
	}
	msg->sg.start = front->sg.start;
	ktls_msg_init(front);
}

/*
 * Copy the bytes of the element @sg (at most a page's worth) into @sk's
 * page fragment and point it there; the page it held is let go.  False,
 * with @sg unchanged, when short of memory.
 */
bool ktls_msg_copy_elem(struct sock *sk, struct scatterlist *sg)
{
	struct page_frag *pfrag = sk_page_frag(sk);

	if (ktls_fault(KTLS_FAULT_TX_COPY) ||
	    !ktls_frag_refill(sk, pfrag, sg->length))
		return false;
	memcpy_from_page(page_address(pfrag->page) + pfrag->offset, sg_page(sg),
			 sg->offset, sg->length);
	get_page(pfrag->page);
	put_page(sg_page(sg));
	sg_set_page(sg, pfrag->page, sg->length, pfrag->offset);
	pfrag->offset += sg->length;
	return true;
}

/* Lay the ring out in @sg from index 0; returns the entries used. */
u32 ktls_msg_to_sg(struct sk_msg *msg, struct scatterlist *sg)
{
	u32 i, n = 0;

	for (i = msg->sg.start; !ktls_ring_empty(i, msg->sg.end);
	     i = ktls_ring_next(i)) {
		struct scatterlist *s = &msg->sg.data[i];

		sg_set_page(&sg[n++], sg_page(s), s->length, s->offset);
	}
	return n;
}
