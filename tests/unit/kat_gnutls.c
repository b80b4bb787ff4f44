// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests of the record framing, nonce and AAD builders in
 * src/wire.c against independent implementations: the RFC 8448 TLS 1.3
 * trace, and GnuTLS. A GnuTLS client and server shake hands over a
 * socketpair; every record the server writes is captured, decrypted with
 * nettle using only our nonce/AAD/header code and the keys GnuTLS reports,
 * re-encrypted to the exact same bytes, and then handed to the GnuTLS
 * client, which must read the same plaintext. Records GnuTLS cannot send
 * (empty TLS 1.2 records) are built by us and must be accepted by GnuTLS.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <nettle/ccm.h>
#include <nettle/chacha-poly1305.h>
#include <nettle/gcm.h>

#include "wire.h"
#include "unit.h"

#define MAX_REC (KTLS_MAX_PREPEND_SIZE + KTLS_MAX_PLAINTEXT + 256 + KTLS_TAG_SIZE)

/* ---- AEAD through nettle, fed the kernel-style IV that wire.c builds ---- */

/*
 * The kernel's ccm() reads L' from iv[0] and takes the nonce from
 * iv[1 .. 15 - L]; do the same so the 16-byte IV format is under test.
 */
static bool ccm_nonce(const u8 *iv, unsigned int ivlen, size_t *nlen)
{
	unsigned int l = iv[0] + 1, i;

	if (ivlen != 16 || l < 2 || l > 8)
		return false;
	for (i = 16 - l; i < 16; i++)
		if (iv[i])
			return false;
	*nlen = 15 - l;
	return true;
}

/* out receives len bytes of ciphertext and the 16-byte tag */
static bool aead_seal(const struct ktls_cipher *c, const u8 *key, const u8 *iv,
		      unsigned int ivlen, const u8 *aad, unsigned int alen,
		      const u8 *in, size_t len, u8 *out)
{
	union {
		struct gcm_aes128_ctx g128;
		struct gcm_aes256_ctx g256;
		struct ccm_aes128_ctx ccm;
		struct chacha_poly1305_ctx cp;
	} x;
	size_t nlen;

	switch (c->cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		if (ivlen != GCM_IV_SIZE)
			return false;
		gcm_aes128_set_key(&x.g128, key);
		gcm_aes128_set_iv(&x.g128, ivlen, iv);
		gcm_aes128_update(&x.g128, alen, aad);
		gcm_aes128_encrypt(&x.g128, len, out, in);
		gcm_aes128_digest(&x.g128, KTLS_TAG_SIZE, out + len);
		return true;
	case TLS_CIPHER_AES_GCM_256:
		if (ivlen != GCM_IV_SIZE)
			return false;
		gcm_aes256_set_key(&x.g256, key);
		gcm_aes256_set_iv(&x.g256, ivlen, iv);
		gcm_aes256_update(&x.g256, alen, aad);
		gcm_aes256_encrypt(&x.g256, len, out, in);
		gcm_aes256_digest(&x.g256, KTLS_TAG_SIZE, out + len);
		return true;
	case TLS_CIPHER_AES_CCM_128:
		if (!ccm_nonce(iv, ivlen, &nlen))
			return false;
		ccm_aes128_set_key(&x.ccm, key);
		ccm_aes128_encrypt_message(&x.ccm, nlen, iv + 1, alen, aad,
					   KTLS_TAG_SIZE, len + KTLS_TAG_SIZE,
					   out, in);
		return true;
	case TLS_CIPHER_CHACHA20_POLY1305:
		if (ivlen != CHACHA_POLY1305_NONCE_SIZE)
			return false;
		chacha_poly1305_set_key(&x.cp, key);
		chacha_poly1305_set_nonce(&x.cp, iv);
		chacha_poly1305_update(&x.cp, alen, aad);
		chacha_poly1305_encrypt(&x.cp, len, out, in);
		chacha_poly1305_digest(&x.cp, KTLS_TAG_SIZE, out + len);
		return true;
	}
	return false;
}

/* in holds len bytes of ciphertext followed by the tag */
static bool aead_open(const struct ktls_cipher *c, const u8 *key, const u8 *iv,
		      unsigned int ivlen, const u8 *aad, unsigned int alen,
		      const u8 *in, size_t len, u8 *out)
{
	static u8 again[MAX_REC];

	/* Decrypting is sealing the plaintext again and comparing. */
	switch (c->cipher_type) {
	case TLS_CIPHER_AES_CCM_128: {
		struct ccm_aes128_ctx ctx;
		size_t nlen;

		if (!ccm_nonce(iv, ivlen, &nlen))
			return false;
		ccm_aes128_set_key(&ctx, key);
		return ccm_aes128_decrypt_message(&ctx, nlen, iv + 1, alen, aad,
						  KTLS_TAG_SIZE, len, out, in);
	}
	case TLS_CIPHER_AES_GCM_128: {
		struct gcm_aes128_ctx ctx;

		gcm_aes128_set_key(&ctx, key);
		gcm_aes128_set_iv(&ctx, ivlen, iv);
		gcm_aes128_update(&ctx, alen, aad);
		gcm_aes128_decrypt(&ctx, len, out, in);
		break;
	}
	case TLS_CIPHER_AES_GCM_256: {
		struct gcm_aes256_ctx ctx;

		gcm_aes256_set_key(&ctx, key);
		gcm_aes256_set_iv(&ctx, ivlen, iv);
		gcm_aes256_update(&ctx, alen, aad);
		gcm_aes256_decrypt(&ctx, len, out, in);
		break;
	}
	case TLS_CIPHER_CHACHA20_POLY1305: {
		struct chacha_poly1305_ctx ctx;

		chacha_poly1305_set_key(&ctx, key);
		chacha_poly1305_set_nonce(&ctx, iv);
		chacha_poly1305_update(&ctx, alen, aad);
		chacha_poly1305_decrypt(&ctx, len, out, in);
		break;
	}
	default:
		return false;
	}
	return aead_seal(c, key, iv, ivlen, aad, alen, out, len, again) &&
	       !memcmp(again + len, in + len, KTLS_TAG_SIZE);
}

/* ---- one direction of a connection, described the way the kernel gets it ---- */

struct kat {
	struct ktls_prot prot;
	struct ktls_iv_state st;
	u8 key[32];
	u8 plain[MAX_REC];
	u8 out[MAX_REC];
};

/*
 * Fill a uapi crypto_info the way tlshd does from GnuTLS' write state, then
 * load it through our descriptor: this also checks the descriptor offsets.
 * GnuTLS sends its sequence number as the TLS 1.2 explicit nonce.
 */
static void kat_init(struct kat *k, u16 version, u16 cipher, const u8 *key,
		     const u8 *iv, unsigned int ivlen, const u8 *seq)
{
	const struct ktls_cipher *c = ktls_cipher_find(cipher);
	u8 info[64] = { 0 };
	struct tls_crypto_info *hdr = (void *)info;

	CHECK(c);
	CHECK_INT(ktls_prot_init(&k->prot, c, version), 0);
	hdr->version = version;
	hdr->cipher_type = cipher;
	memcpy(info + c->key_offset, key, c->key_size);
	memcpy(info + c->salt_offset, iv, c->salt_size);
	if (ivlen == c->salt_size) {
		CHECK_INT(c->iv_size, KTLS_EXPLICIT_NONCE_SIZE);
		memcpy(info + c->iv_offset, seq, c->iv_size);
	} else {
		CHECK_INT(ivlen, c->salt_size + c->iv_size);
		memcpy(info + c->iv_offset, iv + c->salt_size, c->iv_size);
	}
	memcpy(info + c->rec_seq_offset, seq, c->rec_seq_size);
	ktls_iv_state_load(c, &k->st, hdr);
	memcpy(k->key, key, c->key_size);
}

/*
 * Receive side: parse, decrypt and check one record at the current sequence
 * number. Send side: rebuild it from the plaintext and compare every byte.
 * @data may be NULL when the plaintext is not known in advance.
 */
static void kat_record(struct kat *k, const u8 *rec, size_t rec_len, u8 type,
		       const u8 *data, size_t data_len, unsigned int pad)
{
	const struct ktls_prot *p = &k->prot;
	const struct ktls_cipher *c = p->cipher;
	u8 nonce[KTLS_MAX_NONCE_SIZE], aad[KTLS_MAX_AAD_SIZE];
	unsigned int ivlen, alen, got_pad = 0;
	struct ktls_iv_state rx;
	size_t dlen, inner;

	CHECK_INT(ktls_hdr_parse(p, rec, rec_len), rec_len);
	CHECK(rec_len >= p->overhead_size);
	dlen = rec_len - p->overhead_size;
	inner = dlen + p->inner_type_size;
	CHECK_INT(dlen, data_len + pad);

	/*
	 * GnuTLS sends seq as the explicit nonce, which is also our counter:
	 * scramble the counter so only the record's own nonce can work.
	 */
	rx = k->st;
	if (p->prepend_size > KTLS_HEADER_SIZE)
		memset(rx.iv + c->salt_size, 0x5a, c->iv_size);
	ivlen = ktls_nonce_build(p, &rx, p->prepend_size > KTLS_HEADER_SIZE ?
				 rec + KTLS_HEADER_SIZE : NULL, nonce);
	alen = ktls_aad_build(p, &rx, aad, rec[0], dlen);
	if (!aead_open(c, k->key, nonce, ivlen, aad, alen,
		       rec + p->prepend_size, inner, k->plain))
		UNIT_FAIL("record of %zu bytes does not authenticate", rec_len);
	if (p->inner_type_size) {
		CHECK_INT(rec[0], KTLS_TYPE_DATA);
		CHECK_INT(ktls_inner_type(k->plain, inner, &got_pad), type);
		CHECK_INT(got_pad, pad);
	} else {
		CHECK_INT(rec[0], type);
	}
	if (data)
		CHECK_MEM(k->plain, data, data_len);

	CHECK_INT(ktls_hdr_build(p, k->out, type, dlen, &k->st), p->prepend_size);
	ivlen = ktls_nonce_build(p, &k->st, NULL, nonce);
	alen = ktls_aad_build(p, &k->st, aad, type, dlen);
	CHECK(aead_seal(c, k->key, nonce, ivlen, aad, alen, k->plain, inner,
			k->out + p->prepend_size));
	CHECK_MEM(k->out, rec, rec_len);
	CHECK_INT(ktls_iv_state_advance(p, &k->st), 0);
}

/* Build and encrypt a record with our code alone; returns its length. */
static size_t kat_seal(struct kat *k, u8 *rec, u8 type, const u8 *data,
		       size_t len)
{
	const struct ktls_prot *p = &k->prot;
	u8 nonce[KTLS_MAX_NONCE_SIZE], aad[KTLS_MAX_AAD_SIZE];
	unsigned int ivlen, alen, hl;

	memcpy(k->plain, data, len);
	k->plain[len] = type;	/* TLS 1.3 inner type; ignored for 1.2 */
	hl = ktls_hdr_build(p, rec, type, len, &k->st);
	ivlen = ktls_nonce_build(p, &k->st, NULL, nonce);
	alen = ktls_aad_build(p, &k->st, aad, type, len);
	if (!aead_seal(p->cipher, k->key, nonce, ivlen, aad, alen, k->plain,
		       len + p->inner_type_size, rec + hl))
		return 0;
	ktls_iv_state_advance(p, &k->st);
	return hl + len + p->tail_size;
}

/* ---- RFC 8448, section 3: a simple 1-RTT handshake, AES-128-GCM ---- */

static const u8 client_key[16] = {
	0x17, 0x42, 0x2d, 0xda, 0x59, 0x6e, 0xd5, 0xd9, 0xac, 0xd8, 0x90, 0xe3,
	0xc6, 0x3f, 0x50, 0x51,
};

static const u8 client_iv[12] = {
	0x5b, 0x78, 0x92, 0x3d, 0xee, 0x08, 0x57, 0x90, 0x33, 0xe5, 0x23, 0xd9,
};

static const u8 client_rec[72] = {
	0x17, 0x03, 0x03, 0x00, 0x43, 0xa2, 0x3f, 0x70, 0x54, 0xb6, 0x2c, 0x94,
	0xd0, 0xaf, 0xfa, 0xfe, 0x82, 0x28, 0xba, 0x55, 0xcb, 0xef, 0xac, 0xea,
	0x42, 0xf9, 0x14, 0xaa, 0x66, 0xbc, 0xab, 0x3f, 0x2b, 0x98, 0x19, 0xa8,
	0xa5, 0xb4, 0x6b, 0x39, 0x5b, 0xd5, 0x4a, 0x9a, 0x20, 0x44, 0x1e, 0x2b,
	0x62, 0x97, 0x4e, 0x1f, 0x5a, 0x62, 0x92, 0xa2, 0x97, 0x70, 0x14, 0xbd,
	0x1e, 0x3d, 0xea, 0xe6, 0x3a, 0xee, 0xbb, 0x21, 0x69, 0x49, 0x15, 0xe4,
};

static const u8 server_key[16] = {
	0x9f, 0x02, 0x28, 0x3b, 0x6c, 0x9c, 0x07, 0xef, 0xc2, 0x6b, 0xb9, 0xf2,
	0xac, 0x92, 0xe3, 0x56,
};

static const u8 server_iv[12] = {
	0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83, 0x54, 0x9a, 0xad, 0xf1, 0xe9, 0x84,
};

static const u8 server_rec[72] = {
	0x17, 0x03, 0x03, 0x00, 0x43, 0x2e, 0x93, 0x7e, 0x11, 0xef, 0x4a, 0xc7,
	0x40, 0xe5, 0x38, 0xad, 0x36, 0x00, 0x5f, 0xc4, 0xa4, 0x69, 0x32, 0xfc,
	0x32, 0x25, 0xd0, 0x5f, 0x82, 0xaa, 0x1b, 0x36, 0xe3, 0x0e, 0xfa, 0xf9,
	0x7d, 0x90, 0xe6, 0xdf, 0xfc, 0x60, 0x2d, 0xcb, 0x50, 0x1a, 0x59, 0xa8,
	0xfc, 0xc4, 0x9c, 0x4b, 0xf2, 0xe5, 0xf0, 0xa2, 0x1c, 0x00, 0x47, 0xc2,
	0xab, 0xf3, 0x32, 0x54, 0x0d, 0xd0, 0x32, 0xe1, 0x67, 0xc2, 0x95, 0x5d,
};

/* Both records carry the 50 bytes 00 01 02 ... 31. */
static void rfc8448_check(const u8 *key, const u8 *iv, u8 seq_lo, const u8 *rec)
{
	static struct kat k;
	u8 seq[8] = { 0 }, payload[50];
	unsigned int i;

	seq[7] = seq_lo;
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = i;
	kat_init(&k, TLS_1_3_VERSION, TLS_CIPHER_AES_GCM_128, key, iv, 12, seq);
	UNIT_BAIL();
	kat_record(&k, rec, 72, KTLS_TYPE_DATA, payload, sizeof(payload), 0);
}

static void test_rfc8448_client_app_data_seq0(void)
{
	rfc8448_check(client_key, client_iv, 0, client_rec);
}

/* The server's first record under its key was a NewSessionTicket. */
static void test_rfc8448_server_app_data_seq1(void)
{
	rfc8448_check(server_key, server_iv, 1, server_rec);
}

/* ---- GnuTLS ---- */

struct buf {
	u8 *data;
	size_t len, size;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->size) {
		b->size = (b->len + n) * 2;
		b->data = realloc(b->data, b->size);
		if (!b->data)
			abort();
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

struct tls_pair {
	gnutls_session_t srv, cli;
	gnutls_certificate_credentials_t srv_cred, cli_cred;
	gnutls_x509_privkey_t pkey;
	gnutls_x509_crt_t crt;
	int fd[2];		/* fd[0] the server's end, fd[1] the client's */
	bool capture;		/* keep the server's output from the client */
	struct buf handshake;	/* everything the server sent while shaking hands */
	struct buf records;	/* captured since capture was turned on */
};

static ssize_t srv_push(gnutls_transport_ptr_t ptr, const void *data, size_t n)
{
	struct tls_pair *t = ptr;

	if (t->capture) {
		buf_add(&t->records, data, n);
		return n;
	}
	buf_add(&t->handshake, data, n);
	return send(t->fd[0], data, n, MSG_NOSIGNAL);
}

static ssize_t srv_pull(gnutls_transport_ptr_t ptr, void *data, size_t n)
{
	struct tls_pair *t = ptr;

	return recv(t->fd[0], data, n, 0);
}

static int handshake(gnutls_session_t s)
{
	int r;

	do {
		r = gnutls_handshake(s);
	} while (r < 0 && !gnutls_error_is_fatal(r));
	return r;
}

static void *client_thread(void *arg)
{
	struct tls_pair *t = arg;

	return (void *)(intptr_t)handshake(t->cli);
}

/* A throwaway self-signed ECDSA certificate: no files, no network. */
static int make_cert(struct tls_pair *t)
{
	int r;

	r = gnutls_x509_privkey_init(&t->pkey);
	r = r ?: gnutls_x509_privkey_generate(t->pkey, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	r = r ?: gnutls_x509_crt_init(&t->crt);
	r = r ?: gnutls_x509_crt_set_version(t->crt, 3);
	r = r ?: gnutls_x509_crt_set_serial(t->crt, "\x01", 1);
	r = r ?: gnutls_x509_crt_set_activation_time(t->crt, 0);
	r = r ?: gnutls_x509_crt_set_expiration_time(t->crt, 0x7fffffff);
	r = r ?: gnutls_x509_crt_set_dn_by_oid(t->crt, GNUTLS_OID_X520_COMMON_NAME,
					       0, "ktls-kat", 8);
	r = r ?: gnutls_x509_crt_set_key(t->crt, t->pkey);
	r = r ?: gnutls_x509_crt_sign2(t->crt, t->crt, t->pkey, GNUTLS_DIG_SHA256, 0);
	r = r ?: gnutls_certificate_allocate_credentials(&t->srv_cred);
	r = r ?: gnutls_certificate_set_x509_key(t->srv_cred, &t->crt, 1, t->pkey);
	/* The client does not verify: only the record layer is under test. */
	r = r ?: gnutls_certificate_allocate_credentials(&t->cli_cred);
	return r;
}

static void pair_free(struct tls_pair *t)
{
	if (t->srv)
		gnutls_deinit(t->srv);
	if (t->cli)
		gnutls_deinit(t->cli);
	if (t->srv_cred)
		gnutls_certificate_free_credentials(t->srv_cred);
	if (t->cli_cred)
		gnutls_certificate_free_credentials(t->cli_cred);
	if (t->crt)
		gnutls_x509_crt_deinit(t->crt);
	if (t->pkey)
		gnutls_x509_privkey_deinit(t->pkey);
	if (t->fd[0] >= 0)
		close(t->fd[0]);
	if (t->fd[1] >= 0)
		close(t->fd[1]);
	free(t->handshake.data);
	free(t->records.data);
	memset(t, 0, sizeof(*t));
}

static void pair_setup(struct tls_pair *t, const char *prio)
{
	pthread_t thr;
	void *cr;
	int r;

	memset(t, 0, sizeof(*t));
	t->fd[0] = -1;
	t->fd[1] = -1;
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, t->fd), 0);
	CHECK_INT(make_cert(t), 0);
	CHECK_INT(gnutls_init(&t->srv, GNUTLS_SERVER | GNUTLS_NO_TICKETS), 0);
	CHECK_INT(gnutls_init(&t->cli, GNUTLS_CLIENT | GNUTLS_NO_TICKETS), 0);
	CHECK_INT(gnutls_priority_set_direct(t->srv, prio, NULL), 0);
	CHECK_INT(gnutls_priority_set_direct(t->cli, prio, NULL), 0);
	CHECK_INT(gnutls_credentials_set(t->srv, GNUTLS_CRD_CERTIFICATE, t->srv_cred), 0);
	CHECK_INT(gnutls_credentials_set(t->cli, GNUTLS_CRD_CERTIFICATE, t->cli_cred), 0);
	gnutls_transport_set_ptr(t->srv, t);
	gnutls_transport_set_push_function(t->srv, srv_push);
	gnutls_transport_set_pull_function(t->srv, srv_pull);
	gnutls_transport_set_int(t->cli, t->fd[1]);

	CHECK_INT(pthread_create(&thr, NULL, client_thread, t), 0);
	r = handshake(t->srv);
	pthread_join(thr, &cr);
	if (r || cr)
		UNIT_FAIL("handshake: server %s, client %s", gnutls_strerror(r),
			  gnutls_strerror((int)(intptr_t)cr));
	t->capture = true;
}

/* Hand a record the server produced (or we built) to the GnuTLS client. */
static void deliver(struct tls_pair *t, const u8 *rec, size_t len,
		    const u8 *data, size_t data_len)
{
	static u8 got[MAX_REC];
	ssize_t r;

	CHECK_INT(send(t->fd[0], rec, len, MSG_NOSIGNAL), len);
	if (!data)
		return;
	do {
		r = gnutls_record_recv(t->cli, got, sizeof(got));
	} while (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED);
	if (r < 0)
		UNIT_FAIL("GnuTLS client: %s", gnutls_strerror(r));
	CHECK_INT(r, data_len);
	CHECK_MEM(got, data, data_len);
}

/* Let GnuTLS send one record, check it, then let the client read it. */
static void one(struct tls_pair *t, struct kat *k, const u8 *data, size_t len,
		size_t pad)
{
	ssize_t r;

	t->records.len = 0;
	if (pad)
		r = gnutls_record_send2(t->srv, data, len, pad, 0);
	else
		r = gnutls_record_send(t->srv, data, len);
	CHECK_INT(r, len);
	CHECK_INT(ktls_hdr_parse(&k->prot, t->records.data, t->records.len),
		  t->records.len);
	kat_record(k, t->records.data, t->records.len, KTLS_TYPE_DATA, data,
		   len, pad);
	UNIT_BAIL();
	/* GnuTLS reads past an empty record; the next one shows it was fine. */
	deliver(t, t->records.data, t->records.len, len ? data : NULL, len);
}

/*
 * TLS 1.2 only: the server's Finished went out under the same keys at
 * sequence number 0, right after its ChangeCipherSpec.
 */
static void check_finished(struct tls_pair *t, const struct kat *app)
{
	static struct kat k;
	const u8 *p = t->handshake.data, *end = p + t->handshake.len;
	static const u8 finished_hdr[] = { 20, 0, 0, 12 };
	u8 zero[8] = { 0 };
	size_t len;

	while (p + KTLS_HEADER_SIZE <= end && p[0] != KTLS_TYPE_CHANGE_CIPHER_SPEC)
		p += KTLS_HEADER_SIZE + ((p[3] << 8) | p[4]);
	CHECK(p + KTLS_HEADER_SIZE <= end);
	p += KTLS_HEADER_SIZE + ((p[3] << 8) | p[4]);
	CHECK(p + KTLS_HEADER_SIZE <= end);
	len = KTLS_HEADER_SIZE + ((p[3] << 8) | p[4]);
	CHECK(p + len == end);

	k = *app;
	memcpy(k.st.rec_seq, zero, sizeof(zero));
	if (k.prot.prepend_size > KTLS_HEADER_SIZE)	/* explicit nonce = seq */
		memcpy(k.st.iv + k.prot.cipher->salt_size, zero, sizeof(zero));
	kat_record(&k, p, len, KTLS_TYPE_HANDSHAKE, NULL, 16, 0);
	UNIT_BAIL();
	CHECK_MEM(k.plain, finished_hdr, sizeof(finished_hdr));
}

static void kat_gnutls(u16 version, u16 cipher, const char *name)
{
	static struct tls_pair t;
	static struct kat k;
	static u8 data[KTLS_MAX_PLAINTEXT], rec[MAX_REC];
	struct ktls_iv_state server_st;
	gnutls_datum_t mac, iv, key;
	u8 seq[8], z = 'z';
	char prio[160];
	size_t i, len;
	ssize_t r;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + 1;
	snprintf(prio, sizeof(prio), "NORMAL:-VERS-ALL:+VERS-TLS1.%c:-CIPHER-ALL:+%s",
		 version == TLS_1_3_VERSION ? '3' : '2', name);
	pair_setup(&t, prio);
	if (unit_state)
		goto out;
	if (gnutls_protocol_get_version(t.srv) !=
	    (version == TLS_1_3_VERSION ? GNUTLS_TLS1_3 : GNUTLS_TLS1_2)) {
		unit_note(1, __FILE__, __LINE__, "wrong version negotiated");
		goto out;
	}
	r = gnutls_record_get_state(t.srv, 0, &mac, &iv, &key, seq);
	if (r) {
		unit_note(1, __FILE__, __LINE__, "get_state: %s", gnutls_strerror(r));
		goto out;
	}
	kat_init(&k, version, cipher, key.data, iv.data, iv.size, seq);
	if (unit_state)
		goto out;

	if (version == TLS_1_2_VERSION) {
		check_finished(&t, &k);
		if (unit_state)
			goto out;
	}

	/* TLS 1.2 starts at sequence 1 (after Finished), TLS 1.3 at 0. */
	one(&t, &k, data, 1, 0);
	/* Enough records to carry into the second byte of the sequence. */
	for (i = 0; i < 300 && !unit_state; i++)
		one(&t, &k, data + i, 1 + (i * 53) % 1500, 0);
	if (!unit_state)
		one(&t, &k, data, KTLS_MAX_PLAINTEXT, 0);
	if (version == TLS_1_3_VERSION && !unit_state) {
		one(&t, &k, data, 0, 10);	/* empty, padding only */
		if (!unit_state)
			one(&t, &k, data, 2, 200);
	}
	if (unit_state)
		goto out;

	/*
	 * GnuTLS will not send an empty record: build one ourselves, then a
	 * one-byte record, and the client must return just that byte.
	 */
	server_st = k.st;
	len = kat_seal(&k, rec, KTLS_TYPE_DATA, data, 0);
	deliver(&t, rec, len, NULL, 0);
	len = kat_seal(&k, rec, KTLS_TYPE_DATA, &z, 1);
	deliver(&t, rec, len, &z, 1);
	if (unit_state)
		goto out;
	k.st = server_st;

	/*
	 * A TLS 1.3 record one padding byte over 2^14 + 1 + tag is valid per
	 * RFC 8446 but net/tls refuses it, and so must we.
	 */
	if (version == TLS_1_3_VERSION) {
		t.records.len = 0;
		r = gnutls_record_send2(t.srv, data, KTLS_MAX_PLAINTEXT, 1, 0);
		if (r != KTLS_MAX_PLAINTEXT) {
			unit_note(1, __FILE__, __LINE__, "send2: %zd", r);
			goto out;
		}
		if (ktls_hdr_parse(&k.prot, t.records.data, t.records.len) != -EMSGSIZE) {
			unit_note(1, __FILE__, __LINE__, "oversized record accepted");
			goto out;
		}
		ktls_iv_state_advance(&k.prot, &k.st);
	}

	/* An alert: outer type 21 in TLS 1.2, inner type in TLS 1.3. */
	t.records.len = 0;
	r = gnutls_alert_send(t.srv, GNUTLS_AL_WARNING, GNUTLS_A_USER_CANCELED);
	if (r) {
		unit_note(1, __FILE__, __LINE__, "alert: %s", gnutls_strerror(r));
		goto out;
	}
	kat_record(&k, t.records.data, t.records.len, KTLS_TYPE_ALERT,
		   (const u8 *)"\x01\x5a", 2, 0);
out:
	pair_free(&t);
}

#define KAT(ver, id, ID, name)						\
	static void test_kat_tls1##ver##_##id(void)			\
	{								\
		kat_gnutls(TLS_1_##ver##_VERSION, TLS_CIPHER_##ID, name); \
	}

KAT(2, aes_gcm_128, AES_GCM_128, "AES-128-GCM")
KAT(2, aes_gcm_256, AES_GCM_256, "AES-256-GCM")
KAT(2, aes_ccm_128, AES_CCM_128, "AES-128-CCM")
KAT(2, chacha20_poly1305, CHACHA20_POLY1305, "CHACHA20-POLY1305")
KAT(3, aes_gcm_128, AES_GCM_128, "AES-128-GCM")
KAT(3, aes_gcm_256, AES_GCM_256, "AES-256-GCM")
KAT(3, aes_ccm_128, AES_CCM_128, "AES-128-CCM")
KAT(3, chacha20_poly1305, CHACHA20_POLY1305, "CHACHA20-POLY1305")

static const struct unit_case cases[] = {
	UNIT_CASE(rfc8448_client_app_data_seq0),
	UNIT_CASE(rfc8448_server_app_data_seq1),
	UNIT_CASE(kat_tls12_aes_gcm_128),
	UNIT_CASE(kat_tls12_aes_gcm_256),
	UNIT_CASE(kat_tls12_aes_ccm_128),
	UNIT_CASE(kat_tls12_chacha20_poly1305),
	UNIT_CASE(kat_tls13_aes_gcm_128),
	UNIT_CASE(kat_tls13_aes_gcm_256),
	UNIT_CASE(kat_tls13_aes_ccm_128),
	UNIT_CASE(kat_tls13_chacha20_poly1305),
};

int main(void)
{
	int r;

	if (gnutls_global_init())
		return 1;
	r = unit_run(cases, ARRAY_SIZE(cases));
	gnutls_global_deinit();
	return r;
}
