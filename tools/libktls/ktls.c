// SPDX-License-Identifier: GPL-2.0
/*
 * libktls: cipher table, ULP attach, key install, record I/O and secret
 * memory.  Nothing here depends on a TLS library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libktls.h"

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

/*
 * Every tls12_crypto_info_* is laid out as info, iv, key, salt, rec_seq
 * with no padding; ktls_crypto_info_init() relies on it.
 */
#define CIPHER(n, a, T, s)                                                 \
	{ .name = n, .aead = a, .type = TLS_CIPHER_##T,                     \
	  .key_size = TLS_CIPHER_##T##_KEY_SIZE,                            \
	  .iv_size = TLS_CIPHER_##T##_IV_SIZE,                              \
	  .salt_size = TLS_CIPHER_##T##_SALT_SIZE,                          \
	  .seq_size = TLS_CIPHER_##T##_REC_SEQ_SIZE,                        \
	  .tag_size = TLS_CIPHER_##T##_TAG_SIZE,                            \
	  .info_size = sizeof(struct s) }

static const struct ktls_cipher ciphers[] = {
	CIPHER("aes-gcm-128", "gcm(aes)", AES_GCM_128,
	       tls12_crypto_info_aes_gcm_128),
	CIPHER("aes-gcm-256", "gcm(aes)", AES_GCM_256,
	       tls12_crypto_info_aes_gcm_256),
	CIPHER("aes-ccm-128", "ccm(aes)", AES_CCM_128,
	       tls12_crypto_info_aes_ccm_128),
	CIPHER("chacha20-poly1305", "rfc7539(chacha20,poly1305)",
	       CHACHA20_POLY1305, tls12_crypto_info_chacha20_poly1305),
#ifdef TLS_CIPHER_SM4_GCM
	CIPHER("sm4-gcm", "gcm(sm4)", SM4_GCM, tls12_crypto_info_sm4_gcm),
	CIPHER("sm4-ccm", "ccm(sm4)", SM4_CCM, tls12_crypto_info_sm4_ccm),
#endif
#ifdef TLS_CIPHER_ARIA_GCM_128
	CIPHER("aria-gcm-128", "gcm(aria)", ARIA_GCM_128,
	       tls12_crypto_info_aria_gcm_128),
	CIPHER("aria-gcm-256", "gcm(aria)", ARIA_GCM_256,
	       tls12_crypto_info_aria_gcm_256),
#endif
};

#define NCIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

_Static_assert(sizeof(struct tls12_crypto_info_chacha20_poly1305) ==
		       sizeof(struct tls_crypto_info) + 12 + 32 + 0 + 8,
	       "tls12_crypto_info layout");

const struct ktls_cipher *ktls_cipher_at(unsigned int i)
{
	return i < NCIPHERS ? &ciphers[i] : NULL;
}

const struct ktls_cipher *ktls_cipher_by_type(uint16_t type)
{
	unsigned int i;

	for (i = 0; i < NCIPHERS; i++)
		if (ciphers[i].type == type)
			return &ciphers[i];
	return NULL;
}

const struct ktls_cipher *ktls_cipher_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < NCIPHERS; i++)
		if (!strcmp(ciphers[i].name, name))
			return &ciphers[i];
	return NULL;
}

const char *ktls_version_name(uint16_t version)
{
	switch (version) {
	case TLS_1_2_VERSION:
		return "1.2";
	case TLS_1_3_VERSION:
		return "1.3";
	}
	return NULL;
}

const struct ktls_cipher *ktls_crypto_info_init(union ktls_crypto_info *ci,
						uint16_t version,
						uint16_t cipher,
						struct ktls_fields *f)
{
	const struct ktls_cipher *c = ktls_cipher_by_type(cipher);
	unsigned char *p;

	if (!c || !ktls_version_name(version)) {
		errno = EINVAL;
		return NULL;
	}
	ktls_wipe(ci, sizeof(*ci));
	ci->info.version = version;
	ci->info.cipher_type = cipher;
	p = (unsigned char *)ci + sizeof(struct tls_crypto_info);
	f->iv = p;
	f->key = f->iv + c->iv_size;
	f->salt = c->salt_size ? f->key + c->key_size : NULL;
	f->seq = f->key + c->key_size + c->salt_size;
	return c;
}

int ktls_get_ulp(int fd, char *buf, size_t len)
{
	socklen_t n = len;

	if (!len)
		return -EINVAL;
	memset(buf, 0, len);
	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, buf, &n))
		return -errno;
	buf[len - 1] = '\0';
	return 0;
}

int ktls_attach_ulp(int fd, const char *ulp)
{
	char cur[16];
	int err;

	if (!ulp)
		ulp = KTLS_ULP_NAME;
	if (!setsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, strlen(ulp)))
		return 0;
	err = -errno;
	if (err == -EEXIST && !ktls_get_ulp(fd, cur, sizeof(cur)) &&
	    !strcmp(cur, ulp))
		return 0;
	errno = -err;
	return err;
}

int ktls_install(int fd, unsigned int dir, const union ktls_crypto_info *ci)
{
	const struct ktls_cipher *c = ktls_cipher_by_type(ci->info.cipher_type);
	int opt = dir == KTLS_TX ? TLS_TX : TLS_RX;

	if (!c || (dir != KTLS_TX && dir != KTLS_RX)) {
		errno = EINVAL;
		return -EINVAL;
	}
	if (setsockopt(fd, SOL_TLS, opt, ci, c->info_size))
		return -errno;
	return 0;
}

ssize_t ktls_recv(int fd, void *buf, size_t len, int flags, uint8_t *type)
{
	char cbuf[CMSG_SPACE(sizeof(uint8_t))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return -errno;
	*type = KTLS_RECORD_DATA;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_TLS &&
		    cm->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *(uint8_t *)CMSG_DATA(cm);
	return n;
}

ssize_t ktls_send_record(int fd, uint8_t type, const void *buf, size_t len,
			 int flags)
{
	char cbuf[CMSG_SPACE(sizeof(uint8_t))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	if (type != KTLS_RECORD_DATA) {
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_TLS;
		cm->cmsg_type = TLS_SET_RECORD_TYPE;
		cm->cmsg_len = CMSG_LEN(sizeof(type));
		*(uint8_t *)CMSG_DATA(cm) = type;
	}
	n = sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

int ktls_send_alert(int fd, uint8_t level, uint8_t desc)
{
	uint8_t a[2] = { level, desc };
	ssize_t n = ktls_send_record(fd, KTLS_RECORD_ALERT, a, sizeof(a), 0);

	if (n < 0)
		return n;
	return n == sizeof(a) ? 0 : -EIO;
}

void ktls_wipe(void *p, size_t len)
{
	explicit_bzero(p, len);
}

static size_t secret_span(size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (len + pg - 1) / pg * pg;
}

void *ktls_secret_alloc(size_t len)
{
	size_t span = secret_span(len);
	void *p;

	if (!len) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/*
	 * Best effort: mlock() may exceed RLIMIT_MEMLOCK for an unprivileged
	 * caller; the memory is still kept out of core dumps and children.
	 */
	(void)mlock(p, span);
	(void)madvise(p, span, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	(void)madvise(p, span, MADV_WIPEONFORK);
#endif
	return p;
}

void ktls_secret_free(void *p, size_t len)
{
	size_t span = secret_span(len);

	if (!p)
		return;
	explicit_bzero(p, span);
	munlock(p, span);
	munmap(p, span);
}
