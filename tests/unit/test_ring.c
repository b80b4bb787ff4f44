// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/ring.h against a plain model of the sk_msg ring:
 * a count of elements pushed at end and popped at start.
 */
#include "ring.h"
#include "unit.h"

#define N KTLS_RING_SLOTS

static void test_slots(void)
{
	/* MAX_SKB_FRAGS (17) + 1, as NR_MSG_FRAG_IDS in Debian's kernels */
	CHECK_INT(N, 18);
}

static void test_next_prev(void)
{
	u32 i;

	CHECK_INT(ktls_ring_next(0), 1);
	CHECK_INT(ktls_ring_next(16), 17);
	CHECK_INT(ktls_ring_next(17), 0);
	CHECK_INT(ktls_ring_prev(0), 17);
	CHECK_INT(ktls_ring_prev(1), 0);
	CHECK_INT(ktls_ring_prev(17), 16);
	for (i = 0; i < N; i++) {
		CHECK_INT(ktls_ring_prev(ktls_ring_next(i)), i);
		CHECK_INT(ktls_ring_next(ktls_ring_prev(i)), i);
		CHECK(ktls_ring_next(i) < N);
		CHECK(ktls_ring_prev(i) < N);
	}
}

static void test_add(void)
{
	u32 i, n, j, k;

	CHECK_INT(ktls_ring_add(17, 1), 0);
	CHECK_INT(ktls_ring_add(10, 17), 9);
	CHECK_INT(ktls_ring_add(5, 0), 5);
	for (i = 0; i < N; i++) {
		for (n = 0, j = i; n < N; n++) {
			CHECK_INT(ktls_ring_add(i, n), j);
			k = ktls_ring_next(j);
			j = k;
		}
	}
}

static void test_used(void)
{
	CHECK_INT(ktls_ring_used(0, 0), 0);
	CHECK_INT(ktls_ring_used(5, 5), 0);
	CHECK_INT(ktls_ring_used(0, 17), 17);
	CHECK_INT(ktls_ring_used(17, 16), 17);
	CHECK_INT(ktls_ring_used(3, 2), 17);
	CHECK_INT(ktls_ring_used(10, 3), 11);
	CHECK_INT(ktls_ring_used(17, 0), 1);
	CHECK_INT(ktls_ring_free(10, 3), 6);
	CHECK_INT(ktls_ring_free(4, 4), 17);
	CHECK_INT(ktls_ring_free(4, 3), 0);
}

/* Push until full and pop until empty from every starting index. */
static void test_model(void)
{
	u32 s, start, end, count;

	for (s = 0; s < N; s++) {
		start = s;
		end = s;
		for (count = 0; !ktls_ring_full(start, end); count++) {
			CHECK_INT(ktls_ring_used(start, end), count);
			CHECK_INT(ktls_ring_free(start, end), N - 1 - count);
			CHECK_INT(ktls_ring_empty(start, end), count == 0);
			CHECK(count < N);
			end = ktls_ring_next(end);
		}
		CHECK_INT(count, N - 1);	/* MAX_MSG_FRAGS */
		CHECK_INT(ktls_ring_next(end), start);
		while (!ktls_ring_empty(start, end)) {
			CHECK(!ktls_ring_full(ktls_ring_next(start), end));
			start = ktls_ring_next(start);
			count--;
			CHECK_INT(ktls_ring_used(start, end), count);
		}
		CHECK_INT(count, 0);
		CHECK_INT(start, ktls_ring_add(s, N - 1));
	}
}

static const struct unit_case cases[] = {
	UNIT_CASE(slots),
	UNIT_CASE(next_prev),
	UNIT_CASE(add),
	UNIT_CASE(used),
	UNIT_CASE(model),
};

UNIT_MAIN(cases)
