// SPDX-License-Identifier: GPL-2.0
/*
 * libktls: take the traffic keys of a GnuTLS session
 * (gnutls_record_get_state()) into the kernel's tls12_crypto_info_*.
 *
 * How GnuTLS's record state maps onto the kernel's fields:
 *
 *   TLS 1.2, AES-GCM / AES-CCM:  GnuTLS's IV is the 4-byte implicit part
 *     (the kernel's salt); the 8-byte explicit nonce in each record is the
 *     record sequence number, so the kernel's iv starts at the sequence
 *     number GnuTLS reports.
 *   TLS 1.3, AES-GCM / AES-CCM:  GnuTLS's IV is the 12-byte static IV;
 *     salt = its first 4 bytes, iv = its last 8.
 *   ChaCha20-Poly1305 (1.2 and 1.3):  iv = the 12-byte IV, no salt.
 *
 * rec_seq is the sequence number of the next record in that direction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "libktls.h"

static int gnutls_to_kernel(gnutls_session_t s, uint16_t *version,
			    uint16_t *cipher)
{
	switch (gnutls_protocol_get_version(s)) {
	case GNUTLS_TLS1_2:
		*version = TLS_1_2_VERSION;
		break;
	case GNUTLS_TLS1_3:
		*version = TLS_1_3_VERSION;
		break;
	default:
		return -EPROTONOSUPPORT;
	}

	switch (gnutls_cipher_get(s)) {
	case GNUTLS_CIPHER_AES_128_GCM:
		*cipher = TLS_CIPHER_AES_GCM_128;
		break;
	case GNUTLS_CIPHER_AES_256_GCM:
		*cipher = TLS_CIPHER_AES_GCM_256;
		break;
	case GNUTLS_CIPHER_AES_128_CCM:
		*cipher = TLS_CIPHER_AES_CCM_128;
		break;
	case GNUTLS_CIPHER_CHACHA20_POLY1305:
		*cipher = TLS_CIPHER_CHACHA20_POLY1305;
		break;
	default:
		return -EOPNOTSUPP;
	}
	return 0;
}

int ktls_gnutls_crypto_info(gnutls_session_t s, unsigned int dir,
			    union ktls_crypto_info *ci)
{
	const struct ktls_cipher *c;
	gnutls_datum_t mac, iv, key;
	unsigned char seq[8];
	struct ktls_fields f;
	uint16_t version, cipher;
	int err;

	if (dir != KTLS_TX && dir != KTLS_RX)
		return -EINVAL;
	err = gnutls_to_kernel(s, &version, &cipher);
	if (err)
		return err;
	/* The datums point into the session; only seq is a copy. */
	if (gnutls_record_get_state(s, dir == KTLS_RX, &mac, &iv, &key, seq))
		return -EINVAL;
	c = ktls_crypto_info_init(ci, version, cipher, &f);
	if (!c || key.size != c->key_size || c->seq_size != sizeof(seq)) {
		err = -EINVAL;
		goto out;
	}

	if (!c->salt_size) {
		if (iv.size != c->iv_size)
			goto bad_iv;
		memcpy(f.iv, iv.data, c->iv_size);
	} else if (version == TLS_1_3_VERSION) {
		if (iv.size != c->salt_size + c->iv_size)
			goto bad_iv;
		memcpy(f.salt, iv.data, c->salt_size);
		memcpy(f.iv, iv.data + c->salt_size, c->iv_size);
	} else {
		if (iv.size < c->salt_size || c->iv_size != sizeof(seq))
			goto bad_iv;
		memcpy(f.salt, iv.data, c->salt_size);
		memcpy(f.iv, seq, c->iv_size);
	}
	memcpy(f.key, key.data, c->key_size);
	memcpy(f.seq, seq, c->seq_size);
	err = 0;
	goto out;

bad_iv:
	err = -EINVAL;
out:
	if (err)
		ktls_wipe(ci, sizeof(*ci));
	ktls_wipe(seq, sizeof(seq));
	return err;
}

int ktls_gnutls_enable_ulp(gnutls_session_t s, int fd, unsigned int flags,
			   const char *ulp)
{
	union ktls_crypto_info ci;
	unsigned int dir;
	int err;

	if (!flags || (flags & ~KTLS_BOTH))
		return -EINVAL;
	if ((flags & KTLS_RX) && gnutls_record_check_pending(s))
		return -EBUSY;

	/* Check that the session can be handed over before touching fd. */
	for (dir = KTLS_TX; dir <= KTLS_RX; dir <<= 1) {
		if (!(flags & dir))
			continue;
		err = ktls_gnutls_crypto_info(s, dir, &ci);
		ktls_wipe(&ci, sizeof(ci));
		if (err)
			return err;
	}

	err = ktls_attach_ulp(fd, ulp);
	if (err)
		return err;
	for (dir = KTLS_TX; dir <= KTLS_RX; dir <<= 1) {
		if (!(flags & dir))
			continue;
		err = ktls_gnutls_crypto_info(s, dir, &ci);
		if (!err)
			err = ktls_install(fd, dir, &ci);
		ktls_wipe(&ci, sizeof(ci));
		if (err)
			return err;
	}
	return 0;
}

int ktls_gnutls_enable(gnutls_session_t s, int fd, unsigned int flags)
{
	return ktls_gnutls_enable_ulp(s, fd, flags, NULL);
}
