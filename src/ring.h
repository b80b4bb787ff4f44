/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Index arithmetic of the scatterlist ring in struct sk_msg_sg, kept apart
 * from skmsg.h so that it can be tested in userspace. Indices run from 0 to
 * KTLS_RING_SLOTS - 1 and wrap. Elements in use are start .. end - 1; start
 * == end means empty, so at most KTLS_RING_SLOTS - 1 are used at once (the
 * kernel's MAX_MSG_FRAGS) and one slot always stays free.
 */
#ifndef KTLS_RING_H
#define KTLS_RING_H

#include "pure.h"

#ifdef __KERNEL__
#include <linux/skmsg.h>
#define KTLS_RING_SLOTS NR_MSG_FRAG_IDS
#elif !defined(KTLS_RING_SLOTS)
/* NR_MSG_FRAG_IDS with the default CONFIG_MAX_SKB_FRAGS of 17 */
#define KTLS_RING_SLOTS 18
#endif

static inline u32 ktls_ring_next(u32 i)
{
	return i + 1 == KTLS_RING_SLOTS ? 0 : i + 1;
}

static inline u32 ktls_ring_prev(u32 i)
{
	return i == 0 ? KTLS_RING_SLOTS - 1 : i - 1;
}

/* Index @n steps after @i, for @n < KTLS_RING_SLOTS. */
static inline u32 ktls_ring_add(u32 i, u32 n)
{
	return i + n >= KTLS_RING_SLOTS ? i + n - KTLS_RING_SLOTS : i + n;
}

/* Number of elements in use from @start up to, not including, @end. */
static inline u32 ktls_ring_used(u32 start, u32 end)
{
	return end >= start ? end - start : end + KTLS_RING_SLOTS - start;
}

static inline u32 ktls_ring_free(u32 start, u32 end)
{
	return KTLS_RING_SLOTS - 1 - ktls_ring_used(start, end);
}

static inline bool ktls_ring_empty(u32 start, u32 end)
{
	return start == end;
}

static inline bool ktls_ring_full(u32 start, u32 end)
{
	return ktls_ring_used(start, end) == KTLS_RING_SLOTS - 1;
}

#endif /* KTLS_RING_H */
