/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktls: hand a TLS session over to kernel TLS.
 *
 * After a userspace library has completed the TLS handshake, the record
 * layer can move into the kernel: attach a TCP ULP ("ktls", the ktls
 * module's name, or "tls", the in-tree one) and install the traffic keys
 * with setsockopt(SOL_TLS, TLS_TX / TLS_RX).  From then on plain send(),
 * recv(), sendfile() and splice() on the socket carry TLS records.
 *
 * With GnuTLS that is one call:
 *
 *	gnutls_handshake(session) ... returns 0
 *	drain gnutls_record_check_pending(session) with gnutls_record_recv()
 *	ktls_gnutls_enable(session, fd, KTLS_BOTH);
 *	gnutls_deinit(session);          (never gnutls_bye(): the kernel owns
 *	                                  the record layer now)
 *
 * Non-data records (alerts, TLS 1.3 session tickets, KeyUpdate) arrive as
 * records of their own type: read them with ktls_recv(), send them with
 * ktls_send_record().  See tools/ktls-ctl/examples/ktls-client.c.
 *
 * Conventions: functions return 0 (or a byte count) on success and a
 * negative errno value on failure; errno is left as the failing call set
 * it.  Every buffer this library fills with key material is wiped before
 * it is released; callers must wipe what they own (ktls_wipe()).
 */
#ifndef LIBKTLS_H
#define LIBKTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>
#include <linux/ktls.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Directions, for flags and dir arguments. */
#define KTLS_TX 0x1u
#define KTLS_RX 0x2u
#define KTLS_BOTH (KTLS_TX | KTLS_RX)

/* TLS record content types (RFC 8446, section 5.1). */
#define KTLS_RECORD_CHANGE_CIPHER_SPEC 20
#define KTLS_RECORD_ALERT 21
#define KTLS_RECORD_HANDSHAKE 22
#define KTLS_RECORD_DATA 23

/* Handshake message types that may follow the handshake. */
#define KTLS_HS_HELLO_REQUEST 0
#define KTLS_HS_NEW_SESSION_TICKET 4
#define KTLS_HS_KEY_UPDATE 24

/* Alert levels and the descriptions this library sends. */
#define KTLS_ALERT_WARNING 1
#define KTLS_ALERT_FATAL 2
#define KTLS_ALERT_CLOSE_NOTIFY 0
#define KTLS_ALERT_UNEXPECTED_MESSAGE 10
#define KTLS_ALERT_NO_RENEGOTIATION 100

/*
 * A GnuTLS priority string that negotiates only what kernel TLS can take
 * over: TLS 1.2 and 1.3 with AES-GCM, AES-CCM (16-byte tag) or
 * ChaCha20-Poly1305.
 */
#define KTLS_GNUTLS_PRIORITY                                                \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"           \
	"+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CCM"

/* Any of the kernel's tls12_crypto_info_* structures. */
union ktls_crypto_info {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 aes_gcm_128;
	struct tls12_crypto_info_aes_gcm_256 aes_gcm_256;
	struct tls12_crypto_info_aes_ccm_128 aes_ccm_128;
	struct tls12_crypto_info_chacha20_poly1305 chacha20_poly1305;
#ifdef TLS_CIPHER_SM4_GCM
	struct tls12_crypto_info_sm4_gcm sm4_gcm;
	struct tls12_crypto_info_sm4_ccm sm4_ccm;
#endif
#ifdef TLS_CIPHER_ARIA_GCM_128
	struct tls12_crypto_info_aria_gcm_128 aria_gcm_128;
	struct tls12_crypto_info_aria_gcm_256 aria_gcm_256;
#endif
};

/* What the kernel needs to know about one cipher. */
struct ktls_cipher {
	const char *name;	/* "aes-gcm-128", as ktls-ctl spells it */
	const char *aead;	/* kernel crypto API name, "gcm(aes)" */
	uint16_t type;		/* TLS_CIPHER_* */
	uint8_t key_size;	/* sizes of the crypto_info fields, bytes */
	uint8_t iv_size;
	uint8_t salt_size;
	uint8_t seq_size;
	uint8_t tag_size;
	uint8_t info_size;	/* sizeof(struct tls12_crypto_info_...) */
};

/* Pointers to the fields of a crypto_info for its cipher. */
struct ktls_fields {
	unsigned char *iv;
	unsigned char *key;
	unsigned char *salt;	/* NULL when the cipher has no salt */
	unsigned char *seq;
};

/* The i-th cipher this library knows (0, 1, ...); NULL past the end. */
const struct ktls_cipher *ktls_cipher_at(unsigned int i);
/* Look a cipher up by TLS_CIPHER_* value or by name; NULL if unknown. */
const struct ktls_cipher *ktls_cipher_by_type(uint16_t type);
const struct ktls_cipher *ktls_cipher_by_name(const char *name);

/*
 * Zero @ci, set its version (TLS_1_2_VERSION or TLS_1_3_VERSION) and
 * cipher type, and point @f at its fields.  Returns the cipher, or NULL
 * (errno EINVAL) for an unknown cipher or version.
 */
const struct ktls_cipher *ktls_crypto_info_init(union ktls_crypto_info *ci,
						uint16_t version,
						uint16_t cipher,
						struct ktls_fields *f);

/* "1.2", "1.3" or NULL. */
const char *ktls_version_name(uint16_t version);

/*
 * Attach TCP ULP @ulp (NULL means "ktls") to the established TCP socket
 * @fd.  Succeeds if that ULP is already attached; -EEXIST if another one
 * is.  -ENOENT: no such ULP registered (module not loaded, and loading it
 * on demand needs CAP_NET_ADMIN).
 */
int ktls_attach_ulp(int fd, const char *ulp);

/* The name of the ULP attached to @fd into @buf ("" if none). */
int ktls_get_ulp(int fd, char *buf, size_t len);

/* setsockopt(SOL_TLS, TLS_TX or TLS_RX) with @ci; @dir is KTLS_TX or KTLS_RX. */
int ktls_install(int fd, unsigned int dir, const union ktls_crypto_info *ci);

/*
 * recvmsg() on a kTLS socket, reporting the record type in *@type.  Data
 * records may be merged into one read; any other record (alert,
 * handshake) comes alone, whole if @len allows (16384 bytes always do).
 * Returns the byte count, 0 at end of stream, or -errno.
 */
ssize_t ktls_recv(int fd, void *buf, size_t len, int flags, uint8_t *type);

/* Send @len bytes as one or more records of @type.  Returns bytes or -errno. */
ssize_t ktls_send_record(int fd, uint8_t type, const void *buf, size_t len,
			 int flags);

/* Send a two-byte alert record (level, description). */
int ktls_send_alert(int fd, uint8_t level, uint8_t desc);

/*
 * Memory for secrets: page-aligned, locked (never swapped), excluded from
 * core dumps (MADV_DONTDUMP) and not inherited by fork() (MADV_WIPEONFORK).
 * ktls_secret_free() wipes it.  ktls_wipe() is explicit_bzero().
 */
void *ktls_secret_alloc(size_t len);
void ktls_secret_free(void *p, size_t len);
void ktls_wipe(void *p, size_t len);

/*
 * Fill @ci from a GnuTLS session whose handshake is complete: the write
 * side for @dir KTLS_TX, the read side for KTLS_RX.  -EPROTONOSUPPORT for
 * a version other than TLS 1.2/1.3, -EOPNOTSUPP for a cipher the kernel
 * cannot take, -EINVAL if GnuTLS has no record state to give.
 */
int ktls_gnutls_crypto_info(gnutls_session_t s, unsigned int dir,
			    union ktls_crypto_info *ci);

/*
 * Move the record layer of @s, on TCP socket @fd, into the kernel:
 * attach ULP "ktls" and install the keys for @flags (KTLS_TX, KTLS_RX or
 * KTLS_BOTH).  -EBUSY if @flags has KTLS_RX and GnuTLS still buffers
 * received data (gnutls_record_check_pending()): read it first.  On any
 * failure after the ULP is attached, the socket is in an unknown state and
 * must be closed.  Afterwards only deinit the session.
 */
int ktls_gnutls_enable(gnutls_session_t s, int fd, unsigned int flags);

/* The same with another ULP name, e.g. "tls" for the in-tree module. */
int ktls_gnutls_enable_ulp(gnutls_session_t s, int fd, unsigned int flags,
			   const char *ulp);

#ifdef __cplusplus
}
#endif

#endif /* LIBKTLS_H */
