// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl's example deny policy: drop every application message that
 * starts with one of the prefixes in deny_prefixes (set with "ktls-ctl
 * policy deny add PREFIX"), e.g. the request line of an HTTP request for a
 * denied path.  On a kTLS socket the program sees the plaintext before it
 * is encrypted, and the sender's send() fails with EACCES
 * (docs/policy.md).  Counts like the default policy.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KTLS_DENY_MAX);
	__type(key, __u32);
	__type(value, struct ktls_deny_prefix);
} deny_prefixes SEC(".maps");

#define WORDS (KTLS_DENY_LEN / 8)

/* Do the first @got bytes in @head start with prefix @p? */
static __always_inline int ktls_match(const __u64 *head, __u32 got,
				      const struct ktls_deny_prefix *p)
{
	const __u64 *want = (const __u64 *)p->bytes;
	__u32 len = p->len;
	__u64 mask;
	int w;

	if (!len || len > got || len > KTLS_DENY_LEN)
		return 0;
#pragma clang loop unroll(full)
	for (w = 0; w < WORDS; w++) {
		if (len <= w * 8)
			break;
		/* Little-endian: the first bytes are the low ones. */
		mask = len >= (w + 1) * 8 ? ~0ULL :
					    (1ULL << ((len - w * 8) * 8)) - 1;
		if ((head[w] ^ want[w]) & mask)
			return 0;
	}
	return 1;
}

/* Load up to 8 bytes at @p (not beyond @end) as a little-endian word. */
static __always_inline __u64 ktls_word(const __u8 *p, const void *end)
{
	__u64 v = 0;
	int k;

	if ((const void *)(p + 8) <= end)
		return *(const __u64 *)p;
#pragma clang loop unroll(full)
	for (k = 0; k < 8; k++) {
		if ((const void *)(p + k + 1) > end)
			break;
		v |= (__u64)p[k] << (k * 8);
	}
	return v;
}

SEC("sk_msg")
int ktls_deny(struct sk_msg_md *msg)
{
	__u64 head[WORDS] = {};
	int verdict = SK_PASS, w;
	__u32 need, got, i;
	__u8 *data;
	void *end;

	/*
	 * The first bytes of the message, made readable: sendfile()'s pages
	 * are not until pulled, and small MSG_MORE pieces may lie apart.
	 */
	need = msg->size < KTLS_DENY_LEN ? msg->size : KTLS_DENY_LEN;
	if (need && msg->data + need > msg->data_end)
		bpf_msg_pull_data(msg, 0, need, 0);
	data = msg->data;
	end = msg->data_end;
	got = end - (void *)data;
	if (got > need)
		got = need;
#pragma clang loop unroll(full)
	for (w = 0; w < WORDS; w++) {
		if ((void *)(data + w * 8) >= end)
			break;
		head[w] = ktls_word(data + w * 8, end);
	}

	for (i = 0; i < KTLS_DENY_MAX; i++) {
		__u32 slot = i;
		struct ktls_deny_prefix *p;

		p = bpf_map_lookup_elem(&deny_prefixes, &slot);
		if (p && ktls_match(head, got, p)) {
			verdict = SK_DROP;
			break;
		}
	}
	ktls_account(msg, verdict);
	return verdict;
}
