// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: our operations on a struct sk_msg scatter-gather ring (the kernel's
 * layout, so a psock verdict can be run on it): append from an iterator,
 * free, and lay it out as a flat scatterlist for the AEAD.
 */
#include <linux/mm.h>
#include <linux/uio.h>

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

/*
 * Copy @len bytes from @from to the end of the ring, filling the last page
 * before taking a new one.  Returns the bytes copied (less than @len only
 * when the ring is full), or -ENOMEM / -EFAULT with nothing added.
 *
 * @hide marks the new bytes' elements in sg.copy, so that an SK_MSG
 * program sees no data pointers for them until it pulls them (spliced
 * data, as with in-tree sockmap); hidden and visible bytes never share an
 * element.
 */
int ktls_msg_append(struct sk_msg *msg, struct iov_iter *from, u32 len,
		    bool hide, gfp_t gfp)
{
	u32 done = 0;

	while (done < len) {
		struct scatterlist *sg = NULL;
		u32 room = 0, n;
		size_t got;

		if (!ktls_ring_empty(msg->sg.start, msg->sg.end)) {
			u32 last = ktls_ring_prev(msg->sg.end);

			sg = &msg->sg.data[last];
			if (test_bit(last, msg->sg.copy) == hide)
				room = PAGE_SIZE - sg->offset - sg->length;
		}
		if (!room) {
			struct page *page;

			if (ktls_ring_full(msg->sg.start, msg->sg.end))
				break;
			page = alloc_page(gfp);
			if (!page)
				goto err_nomem;
			sg = &msg->sg.data[msg->sg.end];
			sg_set_page(sg, page, 0, 0);
			__assign_bit(msg->sg.end, msg->sg.copy, hide);
			msg->sg.end = ktls_ring_next(msg->sg.end);
			room = PAGE_SIZE;
		}
		n = min(room, len - done);
		got = copy_page_from_iter(sg_page(sg), sg->offset + sg->length,
					  n, from);
		sg->length += got;
		msg->sg.size += got;
		done += got;
		if (got != n) {
			iov_iter_revert(from, done);
			goto err_fault;
		}
	}
	return done;

err_fault:
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

/* Undo ktls_msg_split(): put @front back before what remains in @msg. */
void ktls_msg_unsplit(struct sk_msg *msg, struct sk_msg *front)
{
	u32 i;

	for (i = front->sg.start; !ktls_ring_empty(i, front->sg.end);
	     i = ktls_ring_next(i)) {
		struct scatterlist *f = &front->sg.data[i];

		if (i == msg->sg.start && msg->sg.size) {
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
