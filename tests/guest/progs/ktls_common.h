/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the kTLS datapath programs (tls_interop, tls_badinput,
 * tls_bench): the cipher table, deterministic keys, record-type cmsgs,
 * blocking I/O with time-outs, a fast checksum and a ciphertext capture that
 * lets the kernel encrypt records for a raw TCP peer.
 */
#ifndef KTLS_COMMON_H
#define KTLS_COMMON_H

#include <linux/tls.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "kt.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#define KC_HDR 5 /* TLS record header */
#define KC_MAX_PLAIN 16384 /* 2^14 */
#define KC_TYPE_ALERT 21
#define KC_TYPE_HANDSHAKE 22
#define KC_TYPE_DATA 23

/* A TLS 1.3 KeyUpdate handshake message (update_not_requested). */
static const unsigned char kc_key_update[] = { 24, 0, 0, 1, 0 };

struct kc_cipher {
	const char *name;
	uint16_t type;
	int iv, key, salt, seq, tag;
	size_t info_len;
};

/* Every tls12_crypto_info_* is: info, iv, key, salt, rec_seq (no padding). */
#define KC_CIPHER(n, T, s)                                                     \
	{                                                                      \
		n, TLS_CIPHER_##T, TLS_CIPHER_##T##_IV_SIZE,                   \
			TLS_CIPHER_##T##_KEY_SIZE, TLS_CIPHER_##T##_SALT_SIZE, \
			TLS_CIPHER_##T##_REC_SEQ_SIZE,                         \
			TLS_CIPHER_##T##_TAG_SIZE, sizeof(struct s)            \
	}

static const struct kc_cipher kc_ciphers[] = {
	KC_CIPHER("aes_gcm_128", AES_GCM_128, tls12_crypto_info_aes_gcm_128),
	KC_CIPHER("aes_gcm_256", AES_GCM_256, tls12_crypto_info_aes_gcm_256),
	KC_CIPHER("aes_ccm_128", AES_CCM_128, tls12_crypto_info_aes_ccm_128),
	KC_CIPHER("chacha20_poly1305", CHACHA20_POLY1305,
		  tls12_crypto_info_chacha20_poly1305),
};

#define KC_NCIPHERS ARRAY_SIZE(kc_ciphers)

struct kc_version {
	const char *name; /* case-name prefix: "12", "13" */
	uint16_t ver;
};

static const struct kc_version kc_versions[] = {
	{ "12", TLS_1_2_VERSION },
	{ "13", TLS_1_3_VERSION },
};

union kc_crypto {
	struct tls_crypto_info info;
	struct tls12_crypto_info_aes_gcm_128 gcm128;
	struct tls12_crypto_info_aes_gcm_256 gcm256;
	struct tls12_crypto_info_aes_ccm_128 ccm128;
	struct tls12_crypto_info_chacha20_poly1305 chacha;
};

static inline const struct kc_cipher *kc_cipher_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < KC_NCIPHERS; i++)
		if (!strcmp(kc_ciphers[i].name, name))
			return &kc_ciphers[i];
	return NULL;
}

/*
 * Deterministic key material for one direction, chosen by @seed.  The
 * record sequence number starts at 2^32 - 2 + seed % 4 so that the first
 * records carry into the upper half of the 64-bit counter.
 */
static inline size_t kc_fill(union kc_crypto *ci, uint16_t ver,
			     const struct kc_cipher *c, unsigned int seed)
{
	unsigned char *p = (unsigned char *)ci + sizeof(ci->info);
	uint64_t sq = 0xfffffffeULL + seed % 4;
	int i;

	memset(ci, 0, sizeof(*ci));
	ci->info.version = ver;
	ci->info.cipher_type = c->type;
	for (i = 0; i < c->iv + c->key + c->salt; i++)
		p[i] = (unsigned char)(seed * 131 + i * 29 + 7);
	p += c->iv + c->key + c->salt;
	for (i = c->seq - 1; i >= 0; i--, sq >>= 8)
		p[i] = sq & 0xff;
	return c->info_len;
}

/* Bytes a record adds to its plaintext on the wire. */
static inline int kc_overhead(uint16_t ver, const struct kc_cipher *c)
{
	int explicit_iv = 0;

	if (ver == TLS_1_2_VERSION && c->type != TLS_CIPHER_CHACHA20_POLY1305)
		explicit_iv = c->iv;
	return KC_HDR + explicit_iv + c->tag + (ver == TLS_1_3_VERSION);
}

/* Largest length field the receiver must accept (2^14 + overhead - header). */
static inline int kc_max_reclen(uint16_t ver, const struct kc_cipher *c)
{
	return KC_MAX_PLAIN + kc_overhead(ver, c) - KC_HDR;
}

/* setsockopt(SOL_TLS, dir) with the keys of @seed; 0 or -1 with errno. */
static inline int kc_keys(int fd, int dir, uint16_t ver,
			  const struct kc_cipher *c, unsigned int seed)
{
	union kc_crypto ci;
	size_t len = kc_fill(&ci, ver, c, seed);

	return setsockopt(fd, SOL_TLS, dir, &ci, len);
}

static inline void kc_timeouts(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000,
			      .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static inline double kc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void kc_msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Deterministic pseudo-random bytes (xorshift64*). */
static inline void kc_rand(void *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1, v;
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		v = x * 0x2545f4914f6cdd1dULL;
		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

/*
 * Streaming 64-bit checksum.  Feed it chunks whose lengths are multiples
 * of 8 except for the last one, and the result only depends on the bytes.
 */
static inline uint64_t kc_hash(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t w;
	size_t i;

	if (!h)
		h = 0xcbf29ce484222325ULL;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* send() all of @buf; returns @len or -1. */
static inline ssize_t kc_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, p + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return len;
}

/* recv() exactly @len bytes; returns @len, the short count at EOF, or -1. */
static inline ssize_t kc_recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = recv(fd, p + done, len - done, MSG_WAITALL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -1;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* Nothing more to read within @ms: the peer sent no stray bytes. */
static inline int kc_quiet(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

/* sendmsg() one record of @type with TLS_SET_RECORD_TYPE. */
static inline ssize_t kc_send_type(int fd, unsigned char type, const void *buf,
				   size_t len)
{
	char cbuf[CMSG_SPACE(1)];
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(cm) = type;
	msg.msg_controllen = cm->cmsg_len;
	return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

/*
 * recvmsg() with room for TLS_GET_RECORD_TYPE.  *type is the record type
 * reported, or -1 when no cmsg came back.
 */
static inline ssize_t kc_recv_type(int fd, void *buf, size_t len, int *type,
				   int flags)
{
	char cbuf[CMSG_SPACE(1)];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	*type = -1;
	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_TLS &&
		    cm->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(cm);
	return n;
}

/*
 * A raw plain TCP writer *raw (TCP_NODELAY) and a reader *rx with ULP @ulp
 * and RX keys (@ver, @c, @seed), timeouts of @ms; @rcvbuf: the reader's
 * SO_RCVBUF, 0 for the default.  Returns 0, or -1 with errno.
 */
static inline int kc_rx_pair(const char *ulp, int rcvbuf, uint16_t ver,
			     const struct kc_cipher *c, unsigned int seed,
			     int ms, int *raw, int *rx)
{
	int one = 1, e;

	if (kt_pair_rcvbuf(AF_INET, rcvbuf, raw, rx))
		return -1;
	kc_timeouts(*rx, ms);
	setsockopt(*raw, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (kt_set_ulp(*rx, ulp) || kc_keys(*rx, TLS_RX, ver, c, seed)) {
		e = errno;
		kt_close_now(*rx);
		kt_close_now(*raw);
		errno = e;
		return -1;
	}
	return 0;
}

/* A loopback pair with ULP @ulp attached to both ends (NULL: plain TCP). */
static inline int kc_pair(const char *ulp_cli, const char *ulp_srv, int *cli,
			  int *srv)
{
	if (kt_pair(AF_INET, cli, srv))
		return -1;
	if ((ulp_cli && kt_set_ulp(*cli, ulp_cli)) ||
	    (ulp_srv && kt_set_ulp(*srv, ulp_srv))) {
		int e = errno;

		kt_close_now(*cli);
		kt_close_now(*srv);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * The kernel as record encryptor: ULP @ulp with TLS_TX keys (@ver, @c,
 * @seed) sends @len bytes of @buf as one sendmsg of record @type; a plain
 * TCP peer collects the ciphertext into @out (at most @max bytes).  Reads
 * until the expected size for @len bytes in records of 2^14 has arrived.
 * Returns the ciphertext length or -1 (errno set).
 */
static inline ssize_t kc_capture(const char *ulp, uint16_t ver,
				 const struct kc_cipher *c, unsigned int seed,
				 unsigned char type, const void *buf,
				 size_t len, void *out, size_t max)
{
	size_t nrec = len ? (len + KC_MAX_PLAIN - 1) / KC_MAX_PLAIN : 0;
	size_t want = len + nrec * kc_overhead(ver, c);
	int cli, srv, e;
	ssize_t n = -1;

	if (want > max) {
		errno = ENOSPC;
		return -1;
	}
	if (kc_pair(ulp, NULL, &cli, &srv))
		return -1;
	kc_timeouts(cli, 5000);
	kc_timeouts(srv, 5000);
	if (kc_keys(cli, TLS_TX, ver, c, seed))
		goto out;
	if (type == KC_TYPE_DATA) {
		if (kc_send_all(cli, buf, len) < 0)
			goto out;
	} else if (kc_send_type(cli, type, buf, len) != (ssize_t)len) {
		goto out;
	}
	n = kc_recv_all(srv, out, want);
	if (n >= 0 && (size_t)n != want) {
		errno = EPROTO;
		n = -1;
	}
out:
	e = errno;
	kt_close_now(cli);
	kt_close_now(srv);
	errno = e;
	return n;
}

static int kc_nfail; /* FAIL lines printed by kc_fail() */

/* kt_fail() that also counts, so callers can stop after a failure. */
static inline void kc_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	kt_failed = 1;
	kc_nfail++;
}

static char kc_hang_msg[320];

static void kc_hang(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, kc_hang_msg, strlen(kc_hang_msg)) < 0)
		_exit(3);
	_exit(1);
}

/*
 * A case that has not finished within @secs seconds is reported as a FAIL
 * and ends the program: some blocking call ignored its socket time-out.
 * kc_watchdog(NULL, 0) disarms.
 */
static inline void kc_watchdog(const char *name, unsigned int secs)
{
	alarm(0);
	if (!name)
		return;
	snprintf(
		kc_hang_msg, sizeof(kc_hang_msg),
		"FAIL %.150s hung: still running after %u s (a blocking call ignored its time-out); the remaining cases were not run\n",
		name, secs);
	signal(SIGALRM, kc_hang);
	alarm(secs);
}

/* printf-style "PASS name detail" (kt_pass has no detail). */
static inline void kc_pass(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("PASS %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void kc_skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("SKIP %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

#endif /* KTLS_COMMON_H */
