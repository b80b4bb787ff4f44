// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the code that reads bytes a peer or an application
 * controls: record framing, the TLS 1.3 trailer scan, the nonce and AAD
 * builders and the SOL_TLS option checks. Besides the sanitizers, each part
 * asserts the properties the datapath relies on.
 *
 * Input: byte 0 picks cipher (bits 0-2) and version (bit 3); the rest is
 * the receive stream, the decrypted plaintext and the option bytes alike.
 */
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"
#include "opt_check.h"

#define ASSERT(c) do { if (!(c)) abort(); } while (0)

static void fuzz_framing(const struct ktls_prot *p, const u8 *buf, size_t size)
{
	size_t off = 0;

	/* Walk the stream record by record, as the strparser would. */
	while (off < size) {
		const u8 *h = buf + off;
		size_t avail = size - off;
		int r = ktls_hdr_parse(p, h, avail);
		u8 again[KTLS_MAX_PREPEND_SIZE];
		unsigned int dlen;

		if (!r) {
			ASSERT(avail < p->prepend_size);
			return;
		}
		if (r < 0) {
			ASSERT(r == -EINVAL || r == -EMSGSIZE || r == -EBADMSG);
			return;
		}
		ASSERT(avail >= p->prepend_size);
		ASSERT(h[1] == 3 && h[2] == 3);
		ASSERT(r == KTLS_HEADER_SIZE + ((h[3] << 8) | h[4]));
		ASSERT(r - KTLS_HEADER_SIZE >= p->prepend_size - KTLS_HEADER_SIZE + p->tag_size);
		ASSERT(r - KTLS_HEADER_SIZE <= KTLS_MAX_PLAINTEXT + p->overhead_size -
					       KTLS_HEADER_SIZE);

		/* What we accept, we can also produce byte for byte. */
		if ((unsigned int)r >= p->overhead_size &&
		    (!p->inner_type_size || h[0] == KTLS_TYPE_DATA)) {
			struct ktls_iv_state st = { 0 };

			dlen = r - p->overhead_size;
			if (p->prepend_size > KTLS_HEADER_SIZE)
				memcpy(st.iv + p->cipher->salt_size,
				       h + KTLS_HEADER_SIZE, KTLS_EXPLICIT_NONCE_SIZE);
			ASSERT(ktls_hdr_build(p, again, h[0], dlen, &st) ==
			       p->prepend_size);
			ASSERT(!memcmp(again, h, p->prepend_size));
		}
		off += r;
	}
}

static void fuzz_crypto_inputs(const struct ktls_prot *p, const u8 *buf,
			       size_t size)
{
	const struct ktls_cipher *c = p->cipher;
	struct ktls_iv_state st;
	u8 *nonce, *aad;
	unsigned int n, len;

	if (size < sizeof(st) + 2)
		return;
	memcpy(&st, buf, sizeof(st));
	len = (buf[sizeof(st)] << 8 | buf[sizeof(st) + 1]) % (KTLS_MAX_PLAINTEXT + 1);

	/* Exact-size buffers, so ASan sees any write past what is promised. */
	nonce = malloc(c->aead_iv_size);
	aad = malloc(p->aad_size);
	ASSERT(nonce && aad);
	n = ktls_nonce_build(p, &st, size >= sizeof(st) + 10 ?
			     buf + sizeof(st) + 2 : NULL, nonce);
	ASSERT(n == c->aead_iv_size);
	ASSERT(ktls_aad_build(p, &st, aad, buf[0], len) == p->aad_size);
	free(nonce);
	free(aad);

	if (ktls_iv_state_advance(p, &st))
		ASSERT(!memcmp(st.rec_seq, "\0\0\0\0\0\0\0\0", 8));
}

static void fuzz_trailer(const u8 *buf, size_t size)
{
	unsigned int pad = ~0U, i;
	int t = ktls_inner_type(buf, size, &pad);

	if (t < 0) {
		ASSERT(t == -EBADMSG);
		for (i = 0; i < size; i++)
			ASSERT(!buf[i]);
		return;
	}
	ASSERT(t >= 1 && t <= 255);
	ASSERT(pad < size && buf[size - 1 - pad] == t);
	for (i = size - pad; i < size; i++)
		ASSERT(!buf[i]);
}

static void fuzz_options(const u8 *buf, size_t size)
{
	struct tls_crypto_info info, other;
	const struct ktls_cipher *c = NULL;
	int optlen, r;
	u32 val;

	if (size < 12)
		return;
	memcpy(&info, buf, sizeof(info));
	memcpy(&other, buf + 4, sizeof(other));
	memcpy(&optlen, buf + 8, sizeof(optlen));
	val = (u32)optlen;

	r = ktls_conf_set_precheck(false, size);
	ASSERT(r == 0 || r == -EINVAL);
	r = ktls_conf_set_check(&info, buf[0] & 1 ? &other : NULL, size, &c);
	if (!r) {
		ASSERT(c && c->cipher_type == info.cipher_type && c->info_size == size);
		ASSERT(info.version == TLS_1_2_VERSION || info.version == TLS_1_3_VERSION);
		ASSERT(c->tls13 || info.version == TLS_1_2_VERSION);
	} else {
		ASSERT(r == -EINVAL && !c);
	}

	r = ktls_conf_get_len(optlen, false, &info);
	if (r >= 0)
		ASSERT(r == optlen &&
		       (r == 4 || r == ktls_cipher_find(info.cipher_type)->info_size));
	else
		ASSERT(r == -EINVAL || r == -EBUSY);

	r = ktls_zc_ro_set_value(val);
	ASSERT(r == -EINVAL || (u32)r == val);
	r = ktls_no_pad_set_value(val, buf[0] & 2 ? 1 : -EFAULT, buf[0] & 4);
	ASSERT(r == -EINVAL || r == -EFAULT || (r == (int)val && val <= 1));
	r = ktls_no_pad_get_len(info.version, optlen, buf[0] & 4);
	ASSERT(r == -EINVAL || r == 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u16 version[] = { TLS_1_2_VERSION, TLS_1_3_VERSION };
	const struct ktls_cipher *c;
	struct ktls_prot p;

	if (size < 1)
		return 0;
	c = ktls_cipher_find(TLS_CIPHER_AES_GCM_128 + (data[0] & 7));
	if (c && !ktls_prot_init(&p, c, version[(data[0] >> 3) & 1])) {
		fuzz_framing(&p, data + 1, size - 1);
		fuzz_crypto_inputs(&p, data + 1, size - 1);
	}
	fuzz_trailer(data + 1, size - 1);
	fuzz_options(data + 1, size - 1);
	return 0;
}
