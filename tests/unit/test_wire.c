// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/wire.c. Expected values are written out by hand from
 * the uapi struct layouts, the RFCs and net/tls in Linux 6.12, not computed
 * with the code under test.
 */
#include "wire.h"
#include "unit.h"

#define V12 TLS_1_2_VERSION
#define V13 TLS_1_3_VERSION

static const struct {
	u16 type;
	const char *aead;
	u8 info, key, salt, iv, explicit, aead_iv, aead_off;
	u8 key_off, iv_off, salt_off, seq_off;
	bool tls13;
} cipher_expect[] = {
	{ 51, "gcm(aes)", 40, 16, 4, 8, 8, 12, 0, 12, 4, 28, 32, true },
	{ 52, "gcm(aes)", 56, 32, 4, 8, 8, 12, 0, 12, 4, 44, 48, true },
	{ 53, "ccm(aes)", 40, 16, 4, 8, 8, 16, 1, 12, 4, 28, 32, true },
	{ 54, "rfc7539(chacha20,poly1305)", 56, 32, 0, 12, 0, 12, 0, 16, 4, 48, 48, true },
	{ 55, "gcm(sm4)", 40, 16, 4, 8, 8, 12, 0, 12, 4, 28, 32, true },
	{ 56, "ccm(sm4)", 40, 16, 4, 8, 8, 16, 1, 12, 4, 28, 32, true },
	{ 57, "gcm(aria)", 40, 16, 4, 8, 8, 12, 0, 12, 4, 28, 32, false },
	{ 58, "gcm(aria)", 56, 32, 4, 8, 8, 12, 0, 12, 4, 44, 48, false },
};

static void test_cipher_table(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cipher_expect); i++) {
		const struct ktls_cipher *c = ktls_cipher_find(cipher_expect[i].type);

		CHECK(c);
		CHECK_INT(c->cipher_type, cipher_expect[i].type);
		CHECK(!strcmp(c->aead_name, cipher_expect[i].aead));
		CHECK(c->name && c->name[0]);
		CHECK_INT(c->info_size, cipher_expect[i].info);
		CHECK_INT(c->key_size, cipher_expect[i].key);
		CHECK_INT(c->salt_size, cipher_expect[i].salt);
		CHECK_INT(c->iv_size, cipher_expect[i].iv);
		CHECK_INT(c->rec_seq_size, 8);
		CHECK_INT(c->tag_size, 16);
		CHECK_INT(c->nonce_explicit, cipher_expect[i].explicit);
		CHECK_INT(c->aead_iv_size, cipher_expect[i].aead_iv);
		CHECK_INT(c->aead_iv_offset, cipher_expect[i].aead_off);
		CHECK_INT(c->key_offset, cipher_expect[i].key_off);
		CHECK_INT(c->iv_offset, cipher_expect[i].iv_off);
		CHECK_INT(c->salt_offset, cipher_expect[i].salt_off);
		CHECK_INT(c->rec_seq_offset, cipher_expect[i].seq_off);
		CHECK_INT(c->tls13, cipher_expect[i].tls13);
	}
	CHECK_INT(sizeof(struct tls12_crypto_info_aes_gcm_256),
		  ktls_cipher_find(TLS_CIPHER_AES_GCM_256)->info_size);
	CHECK_INT(sizeof(struct tls12_crypto_info_chacha20_poly1305),
		  ktls_cipher_find(TLS_CIPHER_CHACHA20_POLY1305)->info_size);
}

static void test_cipher_find_unknown(void)
{
	static const u16 bad[] = { 0, 1, 50, 59, 0x0100 + 51, 0xffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		CHECK(!ktls_cipher_find(bad[i]));
}

static const struct {
	u16 version, cipher;
	u8 prepend, inner, tail, overhead, aad;
	u16 min, max;
} prot_expect[] = {
	{ V12, 51, 13, 0, 16, 29, 13, 24, 16408 },
	{ V12, 52, 13, 0, 16, 29, 13, 24, 16408 },
	{ V12, 53, 13, 0, 16, 29, 13, 24, 16408 },
	{ V12, 54, 5, 0, 16, 21, 13, 16, 16400 },
	{ V12, 57, 13, 0, 16, 29, 13, 24, 16408 },
	{ V13, 51, 5, 1, 17, 22, 5, 16, 16401 },
	{ V13, 52, 5, 1, 17, 22, 5, 16, 16401 },
	{ V13, 53, 5, 1, 17, 22, 5, 16, 16401 },
	{ V13, 54, 5, 1, 17, 22, 5, 16, 16401 },
	{ V13, 56, 5, 1, 17, 22, 5, 16, 16401 },
};

static void test_prot_sizes(void)
{
	struct ktls_prot p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prot_expect); i++) {
		const struct ktls_cipher *c = ktls_cipher_find(prot_expect[i].cipher);

		CHECK_ERR(ktls_prot_init(&p, c, prot_expect[i].version), 0);
		CHECK(p.cipher == c);
		CHECK_INT(p.version, prot_expect[i].version);
		CHECK_INT(p.prepend_size, prot_expect[i].prepend);
		CHECK_INT(p.inner_type_size, prot_expect[i].inner);
		CHECK_INT(p.tag_size, 16);
		CHECK_INT(p.tail_size, prot_expect[i].tail);
		CHECK_INT(p.overhead_size, prot_expect[i].overhead);
		CHECK_INT(p.aad_size, prot_expect[i].aad);
		CHECK_INT(p.min_payload, prot_expect[i].min);
		CHECK_INT(p.max_payload, prot_expect[i].max);
		CHECK_INT(ktls_prepend_size(c, p.version), prot_expect[i].prepend);
		CHECK_INT(ktls_tail_size(c, p.version), prot_expect[i].tail);
	}
}

static void test_prot_init_rejects(void)
{
	const struct ktls_cipher *gcm = ktls_cipher_find(TLS_CIPHER_AES_GCM_128);
	struct ktls_prot p;

	CHECK_ERR(ktls_prot_init(&p, gcm, 0), -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, gcm, 0x0301), -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, gcm, 0x0302), -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, gcm, 0x0305), -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, gcm, 0x0403), -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, NULL, V12), -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, ktls_cipher_find(TLS_CIPHER_ARIA_GCM_128), V13),
		  -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, ktls_cipher_find(TLS_CIPHER_ARIA_GCM_256), V13),
		  -EINVAL);
	CHECK_ERR(ktls_prot_init(&p, ktls_cipher_find(TLS_CIPHER_ARIA_GCM_256), V12), 0);
}

static struct ktls_prot prot(u16 version, u16 cipher)
{
	struct ktls_prot p;

	memset(&p, 0, sizeof(p));
	if (ktls_prot_init(&p, ktls_cipher_find(cipher), version))
		abort();
	return p;
}

/* net/tls waits for the header and the explicit nonce before judging. */
static void test_hdr_parse_needs_prepend(void)
{
	u8 junk[16];
	struct ktls_prot p12 = prot(V12, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot p13 = prot(V13, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot pcp = prot(V12, TLS_CIPHER_CHACHA20_POLY1305);
	unsigned int n;

	memset(junk, 0xff, sizeof(junk));
	for (n = 0; n < 13; n++)
		CHECK_ERR(ktls_hdr_parse(&p12, junk, n), 0);
	CHECK_ERR(ktls_hdr_parse(&p12, junk, 13), -EMSGSIZE);
	for (n = 0; n < 5; n++) {
		CHECK_ERR(ktls_hdr_parse(&p13, junk, n), 0);
		CHECK_ERR(ktls_hdr_parse(&pcp, junk, n), 0);
	}
	CHECK_ERR(ktls_hdr_parse(&p13, junk, 5), -EMSGSIZE);
	CHECK_ERR(ktls_hdr_parse(&pcp, junk, 5), -EMSGSIZE);
}

static int parse_len(const struct ktls_prot *p, unsigned int len)
{
	u8 h[13] = { 23, 3, 3, len >> 8, len & 0xff };

	return ktls_hdr_parse(p, h, sizeof(h));
}

static void test_hdr_parse_limits(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prot_expect); i++) {
		struct ktls_prot p = prot(prot_expect[i].version, prot_expect[i].cipher);
		unsigned int min = prot_expect[i].min, max = prot_expect[i].max;

		CHECK_ERR(parse_len(&p, max), max + 5);
		CHECK_ERR(parse_len(&p, max + 1), -EMSGSIZE);
		CHECK_ERR(parse_len(&p, 0xffff), -EMSGSIZE);
		CHECK_ERR(parse_len(&p, min), min + 5);
		CHECK_ERR(parse_len(&p, min - 1), -EBADMSG);
		CHECK_ERR(parse_len(&p, 0), -EBADMSG);
	}
	/* RFC 8446 allows 2^14 + 256 for TLS 1.3; net/tls does not. */
	struct ktls_prot p13 = prot(V13, TLS_CIPHER_AES_GCM_128);

	CHECK_ERR(parse_len(&p13, 16384 + 256), -EMSGSIZE);
	CHECK_ERR(parse_len(&p13, 16384 + 1 + 16 + 1), -EMSGSIZE);
}

static void test_hdr_parse_version(void)
{
	struct ktls_prot p = prot(V13, TLS_CIPHER_AES_GCM_128);
	static const u8 bad[][2] = { { 3, 1 }, { 3, 2 }, { 3, 4 }, { 2, 3 },
				     { 0, 0 }, { 0xfe, 0xfd } };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		u8 h[5] = { 23, bad[i][0], bad[i][1], 0, 32 };

		CHECK_ERR(ktls_hdr_parse(&p, h, 5), -EINVAL);
		/* Length is judged before the version, as in net/tls. */
		h[3] = 0xff;
		CHECK_ERR(ktls_hdr_parse(&p, h, 5), -EMSGSIZE);
		h[3] = 0;
		h[4] = 15;
		CHECK_ERR(ktls_hdr_parse(&p, h, 5), -EBADMSG);
	}
}

/* The content type is not looked at when framing. */
static void test_hdr_parse_any_type(void)
{
	struct ktls_prot p = prot(V12, TLS_CIPHER_AES_GCM_128);
	u8 h[13] = { 0, 3, 3, 0, 40 };
	unsigned int t;

	for (t = 0; t < 256; t++) {
		h[0] = t;
		CHECK_ERR(ktls_hdr_parse(&p, h, sizeof(h)), 45);
	}
}

static const u8 salt_iv[12] = { 0xa0, 0xa1, 0xa2, 0xa3,
				1, 2, 3, 4, 5, 6, 7, 8 };

static void test_hdr_build(void)
{
	struct ktls_prot p12 = prot(V12, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot p13 = prot(V13, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot pcp = prot(V12, TLS_CIPHER_CHACHA20_POLY1305);
	struct ktls_iv_state st;
	static const u8 h12[] = { 22, 3, 3, 0x00, 0x7c, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const u8 h12max[] = { 23, 3, 3, 0x40, 0x18 };
	static const u8 h13[] = { 23, 3, 3, 0x00, 0x75 };
	static const u8 hcp[] = { 21, 3, 3, 0x00, 0x12 };
	u8 buf[16];

	memcpy(st.iv, salt_iv, sizeof(st.iv));
	memset(st.rec_seq, 0x55, sizeof(st.rec_seq));

	memset(buf, 0xee, sizeof(buf));
	CHECK_INT(ktls_hdr_build(&p12, buf, 22, 100, &st), 13);
	CHECK_MEM(buf, h12, sizeof(h12));
	CHECK_INT(buf[13], 0xee);
	CHECK_ERR(ktls_hdr_parse(&p12, buf, 13), 5 + 124);

	CHECK_INT(ktls_hdr_build(&p12, buf, 23, 16384, &st), 13);
	CHECK_MEM(buf, h12max, sizeof(h12max));
	CHECK_ERR(ktls_hdr_parse(&p12, buf, 13), 5 + 16408);

	/* TLS 1.3 always shows application data outside. */
	memset(buf, 0xee, sizeof(buf));
	CHECK_INT(ktls_hdr_build(&p13, buf, 22, 100, &st), 5);
	CHECK_MEM(buf, h13, sizeof(h13));
	CHECK_INT(buf[5], 0xee);
	CHECK_INT(ktls_hdr_build(&p13, buf, 23, 16384, &st), 5);
	CHECK_ERR(ktls_hdr_parse(&p13, buf, 5), 5 + 16401);

	memset(buf, 0xee, sizeof(buf));
	CHECK_INT(ktls_hdr_build(&pcp, buf, 21, 2, &st), 5);
	CHECK_MEM(buf, hcp, sizeof(hcp));
	CHECK_INT(buf[5], 0xee);
}

static void test_nonce_tls12_gcm(void)
{
	struct ktls_prot p = prot(V12, TLS_CIPHER_AES_GCM_128);
	struct ktls_iv_state st;
	static const u8 own[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const u8 peer_explicit[8] = { 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8 };
	static const u8 peer[12] = { 0xa0, 0xa1, 0xa2, 0xa3,
				     0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8 };
	u8 n[16];

	memcpy(st.iv, salt_iv, sizeof(st.iv));
	memset(st.rec_seq, 0x11, sizeof(st.rec_seq));	/* not part of it */
	memset(n, 0xee, sizeof(n));
	CHECK_INT(ktls_nonce_build(&p, &st, NULL, n), 12);
	CHECK_MEM(n, own, 12);
	CHECK_INT(n[12], 0xee);
	CHECK_INT(ktls_nonce_build(&p, &st, peer_explicit, n), 12);
	CHECK_MEM(n, peer, 12);
}

static void test_nonce_ccm(void)
{
	struct ktls_prot p12 = prot(V12, TLS_CIPHER_AES_CCM_128);
	struct ktls_prot p13 = prot(V13, TLS_CIPHER_AES_CCM_128);
	struct ktls_iv_state st;
	static const u8 n12[16] = { 2, 0xa0, 0xa1, 0xa2, 0xa3,
				    1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0 };
	static const u8 n13[16] = { 2, 0xa0, 0xa1, 0xa2, 0xa3,
				    1, 2, 3, 4, 5, 6, 6, 0x0a, 0, 0, 0 };
	static const u8 seq[8] = { 0, 0, 0, 0, 0, 0, 1, 2 };
	u8 n[16];

	memcpy(st.iv, salt_iv, sizeof(st.iv));
	memcpy(st.rec_seq, seq, sizeof(seq));
	memset(n, 0xee, sizeof(n));
	CHECK_INT(ktls_nonce_build(&p12, &st, NULL, n), 16);
	CHECK_MEM(n, n12, 16);
	memset(n, 0xee, sizeof(n));
	CHECK_INT(ktls_nonce_build(&p13, &st, NULL, n), 16);
	CHECK_MEM(n, n13, 16);
}

/* RFC 7905 for TLS 1.2, RFC 8446 5.3 for TLS 1.3: iv XOR padded seq. */
static void test_nonce_xor(void)
{
	struct ktls_prot pcp12 = prot(V12, TLS_CIPHER_CHACHA20_POLY1305);
	struct ktls_prot pcp13 = prot(V13, TLS_CIPHER_CHACHA20_POLY1305);
	struct ktls_prot pgcm13 = prot(V13, TLS_CIPHER_AES_GCM_256);
	struct ktls_iv_state st;
	static const u8 seq[8] = { 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88 };
	static const u8 want[12] = { 0, 1, 2, 3, 0xfb, 0xeb, 0xdb, 0xcb,
				     0xb3, 0xa3, 0x93, 0x83 };
	static const u8 junk[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	unsigned int i;
	u8 n[16];

	for (i = 0; i < 12; i++)
		st.iv[i] = i;
	memcpy(st.rec_seq, seq, sizeof(seq));
	CHECK_INT(ktls_nonce_build(&pcp12, &st, NULL, n), 12);
	CHECK_MEM(n, want, 12);
	/* ChaCha20 has no explicit nonce: a record's bytes are not used. */
	CHECK_INT(ktls_nonce_build(&pcp12, &st, junk, n), 12);
	CHECK_MEM(n, want, 12);
	CHECK_INT(ktls_nonce_build(&pcp13, &st, NULL, n), 12);
	CHECK_MEM(n, want, 12);
	CHECK_INT(ktls_nonce_build(&pgcm13, &st, junk, n), 12);
	CHECK_MEM(n, want, 12);
}

/* RFC 8448 section 3: the server's application data at sequence 1. */
static void test_nonce_aad_rfc8448(void)
{
	struct ktls_prot p = prot(V13, TLS_CIPHER_AES_GCM_128);
	struct ktls_iv_state st = {
		.iv = { 0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83, 0x54, 0x9a,
			0xad, 0xf1, 0xe9, 0x84 },
		.rec_seq = { 0, 0, 0, 0, 0, 0, 0, 1 },
	};
	static const u8 nonce[12] = { 0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83,
				      0x54, 0x9a, 0xad, 0xf1, 0xe9, 0x85 };
	static const u8 aad[5] = { 0x17, 0x03, 0x03, 0x00, 0x43 };
	u8 n[16], a[13];

	CHECK_INT(ktls_nonce_build(&p, &st, NULL, n), 12);
	CHECK_MEM(n, nonce, 12);
	/* 50 bytes of data, the inner type and the tag make 0x43. */
	CHECK_INT(ktls_aad_build(&p, &st, a, KTLS_TYPE_DATA, 50), 5);
	CHECK_MEM(a, aad, 5);
}

static void test_aad(void)
{
	struct ktls_prot p12 = prot(V12, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot p13 = prot(V13, TLS_CIPHER_CHACHA20_POLY1305);
	struct ktls_iv_state st = { .rec_seq = { 0, 1, 2, 3, 4, 5, 6, 7 } };
	static const u8 seq[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const u8 a12[13] = { 0, 1, 2, 3, 4, 5, 6, 7, 23, 3, 3, 0x12, 0x34 };
	static const u8 a12b[13] = { 0, 1, 2, 3, 4, 5, 6, 7, 21, 3, 3, 0, 2 };
	static const u8 a13[5] = { 23, 3, 3, 0x40, 0x11 };
	static const u8 a13b[5] = { 23, 3, 3, 0, 0x11 };
	u8 a[16];

	ktls_aad12_build(a, seq, 23, 0x1234);
	CHECK_MEM(a, a12, 13);
	ktls_aad13_build(a, 0x4011);
	CHECK_MEM(a, a13, 5);

	memset(a, 0xee, sizeof(a));
	CHECK_INT(ktls_aad_build(&p12, &st, a, 21, 2), 13);
	CHECK_MEM(a, a12b, 13);
	CHECK_INT(a[13], 0xee);
	/* The type is hidden in TLS 1.3; an empty record is all tail. */
	memset(a, 0xee, sizeof(a));
	CHECK_INT(ktls_aad_build(&p13, &st, a, 21, 0), 5);
	CHECK_MEM(a, a13b, 5);
	CHECK_INT(a[5], 0xee);
	CHECK_INT(ktls_aad_build(&p13, &st, a, 23, 16384), 5);
	CHECK_MEM(a, a13, 5);
}

static void test_seq_inc(void)
{
	static const struct {
		u8 in[8], out[8];
		bool wrap;
	} v[] = {
		{ { 0, 0, 0, 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0, 0, 1 }, false },
		{ { 0, 0, 0, 0, 0, 0, 0, 0xff }, { 0, 0, 0, 0, 0, 0, 1, 0 }, false },
		{ { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		  { 1, 0, 0, 0, 0, 0, 0, 0 }, false },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe },
		  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, false },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		  { 0, 0, 0, 0, 0, 0, 0, 0 }, true },
	};
	unsigned int i;
	u8 s[8];

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		memcpy(s, v[i].in, 8);
		CHECK_INT(ktls_seq_inc(s), v[i].wrap);
		CHECK_MEM(s, v[i].out, 8);
	}
}

static void test_iv_state_advance(void)
{
	struct ktls_prot p12 = prot(V12, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot p13 = prot(V13, TLS_CIPHER_AES_GCM_128);
	struct ktls_prot pcp = prot(V12, TLS_CIPHER_CHACHA20_POLY1305);
	static const u8 iv_ff[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0xff };
	static const u8 iv_100[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const u8 iv_max[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff };
	static const u8 iv_wrapped[12] = { 0xa0, 0xa1, 0xa2, 0xa3 };
	static const u8 s5[8] = { 0, 0, 0, 0, 0, 0, 0, 5 };
	static const u8 s6[8] = { 0, 0, 0, 0, 0, 0, 0, 6 };
	static const u8 zero[8];
	struct ktls_iv_state st;

	/* TLS 1.2 GCM/CCM: the explicit nonce counts along, not into the salt */
	memcpy(st.iv, iv_ff, 12);
	memcpy(st.rec_seq, s5, 8);
	CHECK_ERR(ktls_iv_state_advance(&p12, &st), 0);
	CHECK_MEM(st.iv, iv_100, 12);
	CHECK_MEM(st.rec_seq, s6, 8);
	memcpy(st.iv, iv_max, 12);
	CHECK_ERR(ktls_iv_state_advance(&p12, &st), 0);
	CHECK_MEM(st.iv, iv_wrapped, 12);

	/* The static iv stays for TLS 1.3 and ChaCha20. */
	memcpy(st.iv, iv_ff, 12);
	memcpy(st.rec_seq, s5, 8);
	CHECK_ERR(ktls_iv_state_advance(&p13, &st), 0);
	CHECK_MEM(st.iv, iv_ff, 12);
	CHECK_MEM(st.rec_seq, s6, 8);
	memcpy(st.rec_seq, s5, 8);
	CHECK_ERR(ktls_iv_state_advance(&pcp, &st), 0);
	CHECK_MEM(st.iv, iv_ff, 12);
	CHECK_MEM(st.rec_seq, s6, 8);

	/* A wrapping sequence number is fatal. */
	memset(st.rec_seq, 0xff, 8);
	CHECK_ERR(ktls_iv_state_advance(&p13, &st), -EBADMSG);
	CHECK_MEM(st.rec_seq, zero, 8);
	memset(st.rec_seq, 0xff, 8);
	CHECK_ERR(ktls_iv_state_advance(&p12, &st), -EBADMSG);
}

static void test_iv_state_load_store(void)
{
	const struct ktls_cipher *gcm = ktls_cipher_find(TLS_CIPHER_AES_GCM_128);
	const struct ktls_cipher *cp = ktls_cipher_find(TLS_CIPHER_CHACHA20_POLY1305);
	struct ktls_prot p12 = prot(V12, TLS_CIPHER_AES_GCM_128);
	struct tls12_crypto_info_aes_gcm_128 g = { 0 }, g0;
	struct tls12_crypto_info_chacha20_poly1305 c = { 0 };
	static const u8 st_iv[12] = { 0x30, 0x31, 0x32, 0x33,
				      0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17 };
	static const u8 iv_after[8] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x18 };
	static const u8 seq_after[8] = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x48 };
	struct ktls_iv_state st;
	unsigned int i;

	g.info.version = V12;
	g.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	for (i = 0; i < 8; i++) {
		g.iv[i] = 0x10 + i;
		g.rec_seq[i] = 0x40 + i;
	}
	for (i = 0; i < 16; i++)
		g.key[i] = 0x20 + i;
	for (i = 0; i < 4; i++)
		g.salt[i] = 0x30 + i;
	g0 = g;

	ktls_iv_state_load(gcm, &st, &g.info);
	CHECK_MEM(st.iv, st_iv, 12);
	CHECK_MEM(st.rec_seq, g.rec_seq, 8);

	/* getsockopt() reports the advanced iv and seq, nothing else moves */
	CHECK_ERR(ktls_iv_state_advance(&p12, &st), 0);
	ktls_iv_state_store(gcm, &st, &g.info);
	CHECK_MEM(g.iv, iv_after, 8);
	CHECK_MEM(g.rec_seq, seq_after, 8);
	CHECK_MEM(g.key, g0.key, 16);
	CHECK_MEM(g.salt, g0.salt, 4);
	CHECK_MEM(&g.info, &g0.info, sizeof(g.info));

	for (i = 0; i < 12; i++)
		c.iv[i] = 0x10 + i;
	for (i = 0; i < 8; i++)
		c.rec_seq[i] = 0x40 + i;
	ktls_iv_state_load(cp, &st, &c.info);
	CHECK_MEM(st.iv, c.iv, 12);
	CHECK_MEM(st.rec_seq, c.rec_seq, 8);
}

static void test_inner_type(void)
{
	static const u8 plain[] = { 'h', 'i', 23 };
	static const u8 padded[] = { 'h', 'i', 22, 0, 0, 0 };
	static const u8 inside[] = { 0, 0, 23, 0 };
	static const u8 zeros[3];
	static u8 big[16385];
	unsigned int pad = 77;

	CHECK_ERR(ktls_inner_type(plain, sizeof(plain), &pad), 23);
	CHECK_INT(pad, 0);
	CHECK_ERR(ktls_inner_type(padded, sizeof(padded), &pad), 22);
	CHECK_INT(pad, 3);
	CHECK_ERR(ktls_inner_type(inside, sizeof(inside), &pad), 23);
	CHECK_INT(pad, 1);
	CHECK_ERR(ktls_inner_type(plain + 2, 1, &pad), 23);
	CHECK_INT(pad, 0);

	pad = 77;
	CHECK_ERR(ktls_inner_type(zeros, sizeof(zeros), &pad), -EBADMSG);
	CHECK_ERR(ktls_inner_type(zeros, 0, &pad), -EBADMSG);
	CHECK_INT(pad, 77);

	big[0] = 0xff;
	CHECK_ERR(ktls_inner_type(big, sizeof(big), &pad), 0xff);
	CHECK_INT(pad, 16384);
}

static const struct unit_case cases[] = {
	UNIT_CASE(cipher_table),
	UNIT_CASE(cipher_find_unknown),
	UNIT_CASE(prot_sizes),
	UNIT_CASE(prot_init_rejects),
	UNIT_CASE(hdr_parse_needs_prepend),
	UNIT_CASE(hdr_parse_limits),
	UNIT_CASE(hdr_parse_version),
	UNIT_CASE(hdr_parse_any_type),
	UNIT_CASE(hdr_build),
	UNIT_CASE(nonce_tls12_gcm),
	UNIT_CASE(nonce_ccm),
	UNIT_CASE(nonce_xor),
	UNIT_CASE(nonce_aad_rfc8448),
	UNIT_CASE(aad),
	UNIT_CASE(seq_inc),
	UNIT_CASE(iv_state_advance),
	UNIT_CASE(iv_state_load_store),
	UNIT_CASE(inner_type),
};

UNIT_MAIN(cases)
