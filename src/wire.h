/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLS record layer logic with no kernel dependencies: cipher descriptors,
 * record header framing, nonce and AAD construction, sequence numbers.
 * Builds in the kernel and in userspace (see pure.h) so that it can be unit
 * tested and fuzzed on the host.
 */
#ifndef KTLS_WIRE_H
#define KTLS_WIRE_H

#include "pure.h"

#define KTLS_HEADER_SIZE 5
/* Largest plaintext fragment a record may carry (RFC 8446 5.1, RFC 5246 6.2.1) */
#define KTLS_MAX_PLAINTEXT 16384
#define KTLS_TAG_SIZE 16
#define KTLS_REC_SEQ_SIZE 8
#define KTLS_EXPLICIT_NONCE_SIZE 8
/* salt || iv: 4 + 8 for GCM/CCM, 0 + 12 for ChaCha20-Poly1305 */
#define KTLS_SALT_IV_SIZE 12
/* The AEAD IV: CCM adds the L' byte in front and counter room behind */
#define KTLS_MAX_NONCE_SIZE 16
#define KTLS_AAD12_SIZE 13
#define KTLS_AAD13_SIZE KTLS_HEADER_SIZE
#define KTLS_MAX_AAD_SIZE KTLS_AAD12_SIZE
/* Bytes of the receive stream needed before a header can be judged */
#define KTLS_MAX_PREPEND_SIZE (KTLS_HEADER_SIZE + KTLS_EXPLICIT_NONCE_SIZE)

/* Record header version bytes: 0x03 0x03 for TLS 1.2 and TLS 1.3 alike */
#define KTLS_WIRE_VERSION_MAJOR 3
#define KTLS_WIRE_VERSION_MINOR 3

#define KTLS_TYPE_CHANGE_CIPHER_SPEC 20
#define KTLS_TYPE_ALERT 21
#define KTLS_TYPE_HANDSHAKE 22
#define KTLS_TYPE_DATA 23

/* TLS 1.3 handshake message type of a KeyUpdate (RFC 8446 4.6.3) */
#define KTLS_HANDSHAKE_KEY_UPDATE 24

/* CCM's first IV byte: L' = (3-byte length field) - 1, as net/tls sends it */
#define KTLS_CCM_IV_B0 2

struct ktls_cipher {
	const char *name; /* short name for messages, e.g. "aes-gcm-128" */
	const char *aead_name; /* crypto_alloc_aead() algorithm name */
	u16 cipher_type; /* TLS_CIPHER_* */
	u16 info_size; /* sizeof(struct tls12_crypto_info_...) */
	u8 key_size;
	u8 salt_size;
	u8 iv_size; /* the crypto_info iv field */
	u8 rec_seq_size;
	u8 tag_size;
	u8 nonce_explicit; /* nonce bytes carried in a TLS 1.2 record */
	u8 aead_iv_size; /* crypto_aead_ivsize() of aead_name */
	u8 aead_iv_offset; /* where salt || iv starts in the AEAD IV */
	u8 key_offset; /* offsets inside the crypto_info struct */
	u8 iv_offset;
	u8 salt_offset;
	u8 rec_seq_offset;
	bool tls13; /* usable with TLS 1.3 */
};

/* Record protection parameters for one cipher and version. */
struct ktls_prot {
	const struct ktls_cipher *cipher;
	u16 version; /* TLS_1_2_VERSION or TLS_1_3_VERSION */
	u8 prepend_size; /* header + TLS 1.2 explicit nonce */
	u8 inner_type_size; /* 1 for TLS 1.3's inner content type */
	u8 tag_size;
	u8 tail_size; /* inner type + tag: bytes after the data */
	u8 overhead_size; /* prepend + tail */
	u8 aad_size;
	u16 min_payload; /* header length field bounds, see */
	u16 max_payload; /* ktls_hdr_parse() */
};

/* Per-direction nonce state, initialised from the user's crypto_info. */
struct ktls_iv_state {
	/* salt || iv; for TLS 1.2 GCM/CCM the iv part counts records */
	u8 iv[KTLS_SALT_IV_SIZE];
	u8 rec_seq[KTLS_REC_SEQ_SIZE];
};

const struct ktls_cipher *ktls_cipher_find(u16 cipher_type);

unsigned int ktls_prepend_size(const struct ktls_cipher *c, u16 version);
unsigned int ktls_tail_size(const struct ktls_cipher *c, u16 version);
int ktls_prot_init(struct ktls_prot *prot, const struct ktls_cipher *c,
		   u16 version);

unsigned int ktls_hdr_build(const struct ktls_prot *prot, u8 *buf, u8 type,
			    unsigned int data_len,
			    const struct ktls_iv_state *st);
int ktls_hdr_parse(const struct ktls_prot *prot, const u8 *buf,
		   unsigned int avail);

void ktls_iv_state_load(const struct ktls_cipher *c, struct ktls_iv_state *st,
			const struct tls_crypto_info *info);
void ktls_iv_state_store(const struct ktls_cipher *c,
			 const struct ktls_iv_state *st,
			 struct tls_crypto_info *info);

bool ktls_seq_inc(u8 *seq);
int ktls_iv_state_advance(const struct ktls_prot *prot,
			  struct ktls_iv_state *st);

unsigned int ktls_nonce_build(const struct ktls_prot *prot,
			      const struct ktls_iv_state *st,
			      const u8 *explicit_nonce, u8 *nonce);

void ktls_aad12_build(u8 *aad, const u8 *seq, u8 type, unsigned int data_len);
void ktls_aad13_build(u8 *aad, unsigned int ciphertext_len);
unsigned int ktls_aad_build(const struct ktls_prot *prot,
			    const struct ktls_iv_state *st, u8 *aad, u8 type,
			    unsigned int data_len);

int ktls_inner_type(const u8 *inner, unsigned int len, unsigned int *pad);

#endif /* KTLS_WIRE_H */
