// SPDX-License-Identifier: GPL-2.0
/*
 * TLS record layer logic shared by the datapath, the unit tests and the
 * fuzzer. Limits and error codes follow net/tls in Linux 6.12 so that a
 * peer or an application sees the same behaviour as with the in-tree module.
 */
#include "wire.h"

/*
 * Every cipher fits the fixed-size buffers below: a 12-byte salt || iv that
 * is XORed with an 8-byte sequence number, and a 16-byte tag.
 */
#define KTLS_CIPHER_FITS(ID)                                     \
	((ID##_SALT_SIZE + ID##_IV_SIZE == KTLS_SALT_IV_SIZE) && \
	 (ID##_REC_SEQ_SIZE == KTLS_REC_SEQ_SIZE) &&             \
	 (ID##_TAG_SIZE == KTLS_TAG_SIZE))

/* RFC 5288: the 8-byte iv field travels in each TLS 1.2 record. */
#define KTLS_GCM_NONCE \
	.nonce_explicit = KTLS_EXPLICIT_NONCE_SIZE, .aead_iv_size = 12
/* The kernel's ccm() takes a 16-byte IV that starts with L' (see wire.h). */
#define KTLS_CCM_NONCE                                                  \
	.nonce_explicit = KTLS_EXPLICIT_NONCE_SIZE, .aead_iv_size = 16, \
	.aead_iv_offset = 1
/* RFC 7905: no explicit nonce, iv XOR seq in both versions. */
#define KTLS_CHACHA_NONCE .nonce_explicit = 0, .aead_iv_size = 12

/* @type is the uapi struct tls12_crypto_info_... of cipher @id. */
#define KTLS_CIPHER(id, type, _name, _aead, _nonce, _tls13)                   \
	{                                                                     \
		.name = _name, .aead_name = _aead, .cipher_type = id,         \
		.info_size = sizeof(struct type), .key_size = id##_KEY_SIZE,  \
		.salt_size = id##_SALT_SIZE, .iv_size = id##_IV_SIZE,         \
		.rec_seq_size = id##_REC_SEQ_SIZE, .tag_size = id##_TAG_SIZE, \
		.key_offset = offsetof(struct type, key),                     \
		.iv_offset = offsetof(struct type, iv),                       \
		.salt_offset = offsetof(struct type, salt),                   \
		.rec_seq_offset = offsetof(struct type, rec_seq), _nonce,     \
		.tls13 = _tls13,                                              \
	}

static const struct ktls_cipher ktls_ciphers[] = {
	KTLS_CIPHER(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128,
		    "aes-gcm-128", "gcm(aes)", KTLS_GCM_NONCE, true),
	KTLS_CIPHER(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256,
		    "aes-gcm-256", "gcm(aes)", KTLS_GCM_NONCE, true),
	KTLS_CIPHER(TLS_CIPHER_AES_CCM_128, tls12_crypto_info_aes_ccm_128,
		    "aes-ccm-128", "ccm(aes)", KTLS_CCM_NONCE, true),
	KTLS_CIPHER(TLS_CIPHER_CHACHA20_POLY1305,
		    tls12_crypto_info_chacha20_poly1305, "chacha20-poly1305",
		    "rfc7539(chacha20,poly1305)", KTLS_CHACHA_NONCE, true),
#ifdef TLS_CIPHER_SM4_GCM
	KTLS_CIPHER(TLS_CIPHER_SM4_GCM, tls12_crypto_info_sm4_gcm, "sm4-gcm",
		    "gcm(sm4)", KTLS_GCM_NONCE, true),
#endif
#ifdef TLS_CIPHER_SM4_CCM
	KTLS_CIPHER(TLS_CIPHER_SM4_CCM, tls12_crypto_info_sm4_ccm, "sm4-ccm",
		    "ccm(sm4)", KTLS_CCM_NONCE, true),
#endif
/* RFC 6209 defines ARIA suites for TLS 1.2 only; 6.12 refuses 1.3. */
#ifdef TLS_CIPHER_ARIA_GCM_128
	KTLS_CIPHER(TLS_CIPHER_ARIA_GCM_128, tls12_crypto_info_aria_gcm_128,
		    "aria-gcm-128", "gcm(aria)", KTLS_GCM_NONCE, false),
#endif
#ifdef TLS_CIPHER_ARIA_GCM_256
	KTLS_CIPHER(TLS_CIPHER_ARIA_GCM_256, tls12_crypto_info_aria_gcm_256,
		    "aria-gcm-256", "gcm(aria)", KTLS_GCM_NONCE, false),
#endif
};

static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_AES_GCM_128), "sizes");
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_AES_GCM_256), "sizes");
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_AES_CCM_128), "sizes");
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_CHACHA20_POLY1305), "sizes");
#ifdef TLS_CIPHER_SM4_GCM
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_SM4_GCM), "sizes");
#endif
#ifdef TLS_CIPHER_SM4_CCM
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_SM4_CCM), "sizes");
#endif
#ifdef TLS_CIPHER_ARIA_GCM_128
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_ARIA_GCM_128), "sizes");
#endif
#ifdef TLS_CIPHER_ARIA_GCM_256
static_assert(KTLS_CIPHER_FITS(TLS_CIPHER_ARIA_GCM_256), "sizes");
#endif

const struct ktls_cipher *ktls_cipher_find(u16 cipher_type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ktls_ciphers); i++)
		if (ktls_ciphers[i].cipher_type == cipher_type)
			return &ktls_ciphers[i];
	return NULL;
}

static bool ktls_is_tls13(u16 version)
{
	return version == TLS_1_3_VERSION;
}

/* Bytes in front of the data: the header and TLS 1.2's explicit nonce. */
unsigned int ktls_prepend_size(const struct ktls_cipher *c, u16 version)
{
	return KTLS_HEADER_SIZE +
	       (ktls_is_tls13(version) ? 0 : c->nonce_explicit);
}

/* Bytes behind the data: TLS 1.3's inner content type and the tag. */
unsigned int ktls_tail_size(const struct ktls_cipher *c, u16 version)
{
	return (ktls_is_tls13(version) ? 1 : 0) + c->tag_size;
}

int ktls_prot_init(struct ktls_prot *prot, const struct ktls_cipher *c,
		   u16 version)
{
	bool tls13 = ktls_is_tls13(version);

	if (!c || (version != TLS_1_2_VERSION && !tls13) ||
	    (tls13 && !c->tls13))
		return -EINVAL;

	prot->cipher = c;
	prot->version = version;
	prot->prepend_size = ktls_prepend_size(c, version);
	prot->inner_type_size = tls13 ? 1 : 0;
	prot->tag_size = c->tag_size;
	prot->tail_size = ktls_tail_size(c, version);
	prot->overhead_size = prot->prepend_size + prot->tail_size;
	prot->aad_size = tls13 ? KTLS_AAD13_SIZE : KTLS_AAD12_SIZE;
	/*
	 * net/tls bounds the length field by the cipher's own overhead
	 * (explicit nonce and tag) and, above that, a full plaintext plus
	 * the inner type byte: so TLS 1.3 padding that would push a record
	 * past 2^14 + 1 + tag is refused although RFC 8446 allows 2^14 + 256.
	 */
	prot->min_payload = prot->prepend_size - KTLS_HEADER_SIZE + c->tag_size;
	prot->max_payload =
		KTLS_MAX_PLAINTEXT + prot->min_payload + prot->inner_type_size;
	return 0;
}

static void ktls_put_be16(u8 *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/*
 * Write the record header, and for TLS 1.2 GCM/CCM the explicit nonce taken
 * from @st, in front of @data_len bytes of data (at most KTLS_MAX_PLAINTEXT).
 * TLS 1.3 hides @type inside the record and always shows application data.
 * Returns the number of bytes written, prot->prepend_size.
 */
unsigned int ktls_hdr_build(const struct ktls_prot *prot, u8 *buf, u8 type,
			    unsigned int data_len,
			    const struct ktls_iv_state *st)
{
	const struct ktls_cipher *c = prot->cipher;
	unsigned int explicit = prot->prepend_size - KTLS_HEADER_SIZE;

	buf[0] = prot->inner_type_size ? KTLS_TYPE_DATA : type;
	buf[1] = KTLS_WIRE_VERSION_MAJOR;
	buf[2] = KTLS_WIRE_VERSION_MINOR;
	ktls_put_be16(buf + 3, explicit + data_len + prot->tail_size);
	if (explicit)
		memcpy(buf + KTLS_HEADER_SIZE, st->iv + c->salt_size, explicit);
	return prot->prepend_size;
}

/*
 * Judge the start of a record in the receive stream (@avail bytes at @buf).
 * Returns the full record length including the header, 0 while fewer than
 * prot->prepend_size bytes are there (net/tls waits for the explicit nonce
 * too), or the error net/tls fails the socket with. The checks run in
 * net/tls's order, so a bad version with a bad length reports the length.
 */
int ktls_hdr_parse(const struct ktls_prot *prot, const u8 *buf,
		   unsigned int avail)
{
	unsigned int len;

	if (avail < prot->prepend_size)
		return 0;

	len = (buf[3] << 8) | buf[4];
	if (len > prot->max_payload)
		return -EMSGSIZE;
	if (len < prot->min_payload)
		return -EBADMSG;
	if (buf[1] != KTLS_WIRE_VERSION_MAJOR ||
	    buf[2] != KTLS_WIRE_VERSION_MINOR)
		return -EINVAL;
	return len + KTLS_HEADER_SIZE;
}

/* Take salt, iv and rec_seq from a validated crypto_info of cipher @c. */
void ktls_iv_state_load(const struct ktls_cipher *c, struct ktls_iv_state *st,
			const struct tls_crypto_info *info)
{
	const u8 *p = (const u8 *)info;

	memcpy(st->iv, p + c->salt_offset, c->salt_size);
	memcpy(st->iv + c->salt_size, p + c->iv_offset, c->iv_size);
	memcpy(st->rec_seq, p + c->rec_seq_offset, c->rec_seq_size);
}

/*
 * getsockopt() reports the current iv (the TLS 1.2 explicit nonce counter)
 * and rec_seq, not the ones installed: refresh them in @info.
 */
void ktls_iv_state_store(const struct ktls_cipher *c,
			 const struct ktls_iv_state *st,
			 struct tls_crypto_info *info)
{
	u8 *p = (u8 *)info;

	memcpy(p + c->iv_offset, st->iv + c->salt_size, c->iv_size);
	memcpy(p + c->rec_seq_offset, st->rec_seq, c->rec_seq_size);
}

static bool ktls_be_inc(u8 *p, unsigned int len)
{
	while (len--)
		if (++p[len])
			return false;
	return true;
}

/* Increment a big-endian 64-bit sequence number; true if it wrapped to 0. */
bool ktls_seq_inc(u8 *seq)
{
	return ktls_be_inc(seq, KTLS_REC_SEQ_SIZE);
}

/*
 * Step to the next record. A wrapped sequence number would reuse nonces,
 * so it returns -EBADMSG, the error net/tls fails the socket with.
 */
int ktls_iv_state_advance(const struct ktls_prot *prot,
			  struct ktls_iv_state *st)
{
	const struct ktls_cipher *c = prot->cipher;
	bool wrapped = ktls_seq_inc(st->rec_seq);

	if (prot->prepend_size > KTLS_HEADER_SIZE)
		ktls_be_inc(st->iv + c->salt_size, c->iv_size);
	return wrapped ? -EBADMSG : 0;
}

/*
 * Build the AEAD IV for the current record into @nonce (room for
 * KTLS_MAX_NONCE_SIZE bytes) and return its length, crypto_aead_ivsize().
 * TLS 1.2 GCM/CCM: salt || explicit nonce, where @explicit_nonce is the one
 * read from a received record, or NULL to send our own counter from @st.
 * TLS 1.3 and ChaCha20-Poly1305: (salt || iv) XOR the sequence number.
 * CCM's IV starts with L' and ends with counter bytes the AEAD fills in.
 */
unsigned int ktls_nonce_build(const struct ktls_prot *prot,
			      const struct ktls_iv_state *st,
			      const u8 *explicit_nonce, u8 *nonce)
{
	const struct ktls_cipher *c = prot->cipher;
	u8 *n = nonce + c->aead_iv_offset;
	unsigned int i;

	memset(nonce, 0, c->aead_iv_size);
	if (c->aead_iv_offset)
		nonce[0] = KTLS_CCM_IV_B0;

	if (prot->prepend_size > KTLS_HEADER_SIZE) {
		memcpy(n, st->iv, c->salt_size);
		memcpy(n + c->salt_size,
		       explicit_nonce ?: st->iv + c->salt_size, c->iv_size);
		return c->aead_iv_size;
	}

	memcpy(n, st->iv, KTLS_SALT_IV_SIZE);
	n += KTLS_SALT_IV_SIZE - KTLS_REC_SEQ_SIZE;
	for (i = 0; i < KTLS_REC_SEQ_SIZE; i++)
		n[i] ^= st->rec_seq[i];
	return c->aead_iv_size;
}

/* TLS 1.2 AAD (RFC 5246 6.2.3.3): seq || type || version || length. */
void ktls_aad12_build(u8 *aad, const u8 *seq, u8 type, unsigned int data_len)
{
	memcpy(aad, seq, KTLS_REC_SEQ_SIZE);
	aad[8] = type;
	aad[9] = KTLS_WIRE_VERSION_MAJOR;
	aad[10] = KTLS_WIRE_VERSION_MINOR;
	ktls_put_be16(aad + 11, data_len);
}

/* TLS 1.3 AAD (RFC 8446 5.2): the record header itself. */
void ktls_aad13_build(u8 *aad, unsigned int ciphertext_len)
{
	aad[0] = KTLS_TYPE_DATA;
	aad[1] = KTLS_WIRE_VERSION_MAJOR;
	aad[2] = KTLS_WIRE_VERSION_MINOR;
	ktls_put_be16(aad + 3, ciphertext_len);
}

/*
 * Build the AAD of the current record, whose length field is @data_len +
 * prot->overhead_size - KTLS_HEADER_SIZE (so @data_len counts TLS 1.3
 * padding too), and return its size. TLS 1.3 ignores @type: like net/tls,
 * the AAD always says application data, whatever the outer header said.
 */
unsigned int ktls_aad_build(const struct ktls_prot *prot,
			    const struct ktls_iv_state *st, u8 *aad, u8 type,
			    unsigned int data_len)
{
	if (prot->inner_type_size)
		ktls_aad13_build(aad, data_len + prot->tail_size);
	else
		ktls_aad12_build(aad, st->rec_seq, type, data_len);
	return prot->aad_size;
}

/*
 * Find the real content type of a decrypted TLS 1.3 record (RFC 8446 5.4):
 * @inner holds content || type || zero padding. Returns the type and sets
 * *@pad to the number of padding bytes, or -EBADMSG if no non-zero byte is
 * found, as net/tls does.
 */
int ktls_inner_type(const u8 *inner, unsigned int len, unsigned int *pad)
{
	unsigned int i = len;

	while (i--) {
		if (inner[i]) {
			*pad = len - 1 - i;
			return inner[i];
		}
	}
	return -EBADMSG;
}
