// SPDX-License-Identifier: GPL-2.0
/*
 * tls_badinput RX_ULP [GEN_ULP]
 *
 * A socket with ULP RX_ULP and TLS_RX keys reads what a raw TCP peer
 * writes: valid records, mutated records and hand-made headers.  Valid
 * ciphertext comes from the kernel itself: a second pair with GEN_ULP
 * (default RX_ULP) and TLS_TX keys encrypts, a plain TCP socket captures
 * the bytes.  Every recv has a time-out, so a hang is a failure, not a stuck
 * run.  Cases, per version x cipher (prefix 12_aes_gcm_128. etc.):
 *   valid                  a captured record decrypts
 *   len-max-valid          a record of 2^14 plaintext bytes decrypts
 *   two-records            two records in one segment
 *   len-max-ebadmsg        length field at the limit is accepted (the
 *                          garbage body then fails to authenticate)
 *   len-max+1-emsgsize     one byte over the limit
 *   len-65535-emsgsize     the largest length field
 *   emsgsize-not-sticky    after EMSGSIZE the next read has nothing (EAGAIN)
 *   len0-ebadmsg           zero-length record
 *   len-short-ebadmsg      length one below the cipher overhead
 *   version-0301-einval, version-0304-einval   wrong version bytes
 *   bad-type-ebadmsg       TLS 1.2: outer content type changed (in the AAD)
 *   outer-type-ignored     TLS 1.3: outer type 22 instead of 23 still
 *                          decrypts (in-tree behaviour; RFC 8446 puts the
 *                          header in the AAD, so it could also fail)
 *   bad-tag-ebadmsg        last tag byte flipped
 *   bad-tag-sticky         ... and the next recv fails the same way
 *   bad-ciphertext-ebadmsg a ciphertext byte flipped
 *   replay-ebadmsg         the same record twice: the second fails
 *   partial-waits          half a record: nothing to read yet (EAGAIN)
 *   truncated-close-eof    ... then the peer closes: recv returns 0
 *   truncated1-close-eof   all but the last byte, then close: recv returns 0
 *                          (the FIN is not taken for that byte)
 *   header-close-eof       three header bytes, then close: recv returns 0
 *   dribble                a record written in 1-byte segments decrypts
 *   garbage-after-valid    valid data first, then EBADMSG
 *   junk-after-valid       valid data first, then EMSGSIZE ("GARBAGE...")
 *   error-after-data-waitall   the same read with MSG_WAITALL: the data,
 *                          then EMSGSIZE from the next read
 * and for TLS 1.3 AES-GCM-128, records sealed in userspace (AF_ALG):
 *   padded                 a data record with 300 bytes of padding, a
 *                          padded alert, then an unpadded data record:
 *                          each read returns its record's bytes and type
 *   empty-record-splice    an empty data record, then 64 bytes: splice()
 *                          moves the 64 bytes (it does not stop at 0)
 *   peek-while-read        a MSG_PEEK|MSG_WAITALL reader waits past record
 *                          0 while another reads it: the peek returns
 *                          record 0's bytes, record 1 stays to be read
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_alg.h>
#include <pthread.h>

#include "ktls_common.h"

#define RCV_TIMEOUT_MS 3000
#define SEED 7

static const char *rx_ulp, *gen_ulp;

struct combo {
	const struct kc_version *v;
	const struct kc_cipher *c;
	char pfx[64];
	int ov; /* record overhead on the wire */
	int maxlen; /* largest accepted length field */
};

static unsigned char plain[KC_MAX_PLAIN + 1];
static unsigned char rec[2 * (KC_MAX_PLAIN + 64)];
static unsigned char buf[2 * (KC_MAX_PLAIN + 64)];

/* "prefix.case"; the last four results stay valid. */
static char *case_name(const struct combo *cb, const char *s)
{
	static char names[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(names[i], sizeof(names[i]), "%s.%s", cb->pfx, s);
	return names[i];
}

/* A fresh victim: raw plain TCP writer, reader with RX_ULP and TLS_RX. */
static int victim(const struct combo *cb, const char *name, int *raw, int *rx)
{
	kc_watchdog(name, 30);
	if (kc_rx_pair(rx_ulp, 0, cb->v->ver, cb->c, SEED, RCV_TIMEOUT_MS, raw,
		       rx))
		return -1;
	kc_timeouts(*raw, RCV_TIMEOUT_MS);
	return 0;
}

static void done(int raw, int rx)
{
	kt_close_now(raw);
	kt_close_now(rx);
}

/* Capture @len bytes of plain[] as records; length or -1 (reported). */
static ssize_t capture(const struct combo *cb, const char *name, size_t len)
{
	ssize_t n = kc_capture(gen_ulp, cb->v->ver, cb->c, SEED, KC_TYPE_DATA,
			       plain, len, rec, sizeof(rec));

	if (n < 0)
		kc_fail(name, "capturing records from %s: %s", gen_ulp,
			strerror(errno));
	return n;
}

/*
 * One recv of up to @cap bytes: want @want bytes equal to plain[] (want
 * >= 0), or -1 with errno @err.  Returns 0 if it matched, after reporting
 * PASS when @pass is set; reports FAIL otherwise.
 */
static int expect_recv(const char *name, int rx, size_t cap, ssize_t want,
		       int err, int flags, int pass)
{
	ssize_t n = recv(rx, buf, cap, flags);
	int e = errno;

	if (want >= 0 && n == want && !memcmp(buf, plain, n)) {
		if (pass)
			kt_pass(name);
		return 0;
	}
	if (want < 0 && n == -1 && e == err) {
		if (pass)
			kt_pass(name);
		return 0;
	}
	if (n >= 0)
		kc_fail(name, "recv returned %zd%s, want %s%s", n,
			n == want ? " (bytes differ)" : "",
			want >= 0 ? "" : "errno ",
			want >= 0 ? "data" : strerror(err));
	else
		kc_fail(name, "recv: errno %d (%s)%s, want %s", e, strerror(e),
			e == EAGAIN && !(flags & MSG_DONTWAIT) ?
				" (timed out)" :
				"",
			want >= 0 ? "data" : strerror(err));
	return -1;
}

/* feed2()'s @want2 when there is no second read */
#define ONCE (-2)

/*
 * Write @len bytes of @p from the raw side, then expect (@want1, @err1)
 * from one recv with @flags1 and, unless @want2 is ONCE, (@want2, @err2)
 * from a second one with @flags2.  want >= 0: that many bytes equal to
 * plain[].
 */
static void feed2(const struct combo *cb, const char *what, const void *p,
		  size_t len, ssize_t want1, int err1, int flags1,
		  ssize_t want2, int err2, int flags2)
{
	const char *name = case_name(cb, what);
	int once = want2 == ONCE;
	int raw, rx;

	if (victim(cb, name, &raw, &rx)) {
		kc_fail(name, "victim socket: %s", strerror(errno));
		return;
	}
	if (kc_send_all(raw, p, len) < 0)
		kc_fail(name, "raw write: %s", strerror(errno));
	else if (!expect_recv(name, rx, sizeof(buf), want1, err1, flags1,
			      once) &&
		 !once)
		expect_recv(name, rx, sizeof(buf), want2, err2, flags2, 1);
	done(raw, rx);
}

static void feed(const struct combo *cb, const char *what, const void *p,
		 size_t len, ssize_t want, int err)
{
	feed2(cb, what, p, len, want, err, 0, ONCE, 0, 0);
}

/* A header claiming @len bytes, followed by @body zero bytes. */
static size_t header(unsigned char *p, int type, int len, size_t body)
{
	p[0] = type;
	p[1] = 3;
	p[2] = 3;
	p[3] = len >> 8;
	p[4] = len & 0xff;
	memset(p + KC_HDR, 0, body);
	return KC_HDR + body;
}

static void length_cases(const struct combo *cb)
{
	unsigned char h[KC_HDR + KC_MAX_PLAIN + 64];
	int tail = cb->v->ver == TLS_1_3_VERSION;
	/* One below the kernel's minimum: tag (+ explicit IV in TLS 1.2). */
	int short_len = cb->ov - KC_HDR - tail - 1;

	feed(cb, "len-max-ebadmsg", h,
	     header(h, KC_TYPE_DATA, cb->maxlen, cb->maxlen), -1, EBADMSG);
	feed(cb, "len-max+1-emsgsize", h,
	     header(h, KC_TYPE_DATA, cb->maxlen + 1, 32), -1, EMSGSIZE);
	feed(cb, "len-65535-emsgsize", h, header(h, KC_TYPE_DATA, 65535, 32),
	     -1, EMSGSIZE);
	feed(cb, "len0-ebadmsg", h, header(h, KC_TYPE_DATA, 0, 32), -1,
	     EBADMSG);
	feed(cb, "len-short-ebadmsg", h,
	     header(h, KC_TYPE_DATA, short_len, short_len + 16), -1, EBADMSG);

	feed2(cb, "emsgsize-not-sticky", h,
	      header(h, KC_TYPE_DATA, cb->maxlen + 1, 32), -1, EMSGSIZE, 0, -1,
	      EAGAIN, MSG_DONTWAIT);
}

/* Mutations of the valid 64-byte record in rec[0..n). */
static void mutation_cases(const struct combo *cb, ssize_t n)
{
	unsigned char m[256];

	memcpy(m, rec, n);
	m[1] = 3;
	m[2] = 1;
	feed(cb, "version-0301-einval", m, n, -1, EINVAL);
	m[2] = 4;
	feed(cb, "version-0304-einval", m, n, -1, EINVAL);

	/*
	 * The outer type is authenticated in TLS 1.2.  TLS 1.3 authenticates
	 * the header too, but the in-tree module builds its AAD with type 23
	 * whatever the wire says, so the record decrypts (the reference).
	 */
	memcpy(m, rec, n);
	m[0] = KC_TYPE_HANDSHAKE;
	if (cb->v->ver == TLS_1_2_VERSION)
		feed(cb, "bad-type-ebadmsg", m, n, -1, EBADMSG);
	else
		feed(cb, "outer-type-ignored", m, n, 64, 0);

	memcpy(m, rec, n);
	m[n / 2] ^= 0x01;
	feed(cb, "bad-ciphertext-ebadmsg", m, n, -1, EBADMSG);

	memcpy(m, rec, n);
	m[n - 1] ^= 0x80;
	feed(cb, "bad-tag-ebadmsg", m, n, -1, EBADMSG);
	feed2(cb, "bad-tag-sticky", m, n, -1, EBADMSG, 0, -1, EBADMSG, 0);

	/* The same record twice: the second has the wrong sequence number. */
	memcpy(m, rec, n);
	memcpy(m + n, rec, n);
	feed2(cb, "replay-ebadmsg", m, 2 * n, 64, 0, 0, -1, EBADMSG, 0);

	/* Valid data, then a framed record of random bytes / ASCII junk. */
	header(m + n, KC_TYPE_DATA, 59, 59);
	kc_rand(m + n + KC_HDR, 59, 99);
	feed2(cb, "garbage-after-valid", m, n + 64, 64, 0, 0, -1, EBADMSG, 0);
	memcpy(m + n, "GARBAGE GARBAGE GARBAGE GARBAGE!", 32);
	feed2(cb, "junk-after-valid", m, n + 32, 64, 0, 0, -1, EMSGSIZE, 0);
	/*
	 * The same read with MSG_WAITALL: it returns the 64 bytes, and the
	 * error is left for the next read (as TCP leaves a socket error when
	 * it returns data), not lost.
	 */
	feed2(cb, "error-after-data-waitall", m, n + 32, 64, 0, MSG_WAITALL, -1,
	      EMSGSIZE, 0);
}

static void size_cases(const struct combo *cb)
{
	const char *name = case_name(cb, "two-records");
	ssize_t n;
	int raw, rx;

	n = capture(cb, case_name(cb, "len-max-valid"), KC_MAX_PLAIN);
	if (n >= 0) {
		if (n != KC_HDR + cb->maxlen)
			kc_fail(case_name(cb, "len-max-valid"),
				"a 2^14-byte record is %zd bytes, want %d", n,
				KC_HDR + cb->maxlen);
		else
			feed(cb, "len-max-valid", rec, n, KC_MAX_PLAIN, 0);
	}
	n = capture(cb, name, KC_MAX_PLAIN + 1);
	if (n < 0 || victim(cb, name, &raw, &rx)) {
		kc_fail(name, "capture or victim socket: %s", strerror(errno));
		return;
	}
	kc_send_all(raw, rec, n);
	n = kc_recv_all(rx, buf, KC_MAX_PLAIN + 1);
	if (n != KC_MAX_PLAIN + 1 || memcmp(buf, plain, n))
		kc_fail(name, "received %zd bytes (%s), want %d as sent", n,
			n < 0 ? strerror(errno) : "", KC_MAX_PLAIN + 1);
	else
		kt_pass(name);
	done(raw, rx);
}

struct dribbler {
	int fd;
	const unsigned char *p;
	size_t len;
	int err;
};

static void *dribble_main(void *arg)
{
	struct dribbler *d = arg;
	size_t i;

	for (i = 0; i < d->len; i++) {
		if (send(d->fd, d->p + i, 1, MSG_NOSIGNAL) != 1) {
			d->err = errno;
			return NULL;
		}
		kc_msleep(1);
	}
	return NULL;
}

static void stream_cases(const struct combo *cb)
{
	struct dribbler d = { 0 };
	const char *name;
	pthread_t th;
	ssize_t n;
	int raw, rx;

	kc_rand(plain, 200, cb->c->type * 3);
	n = capture(cb, case_name(cb, "dribble"), 200);
	if (n < 0)
		return;

	name = case_name(cb, "dribble");
	if (victim(cb, name, &raw, &rx)) {
		kc_fail(name, "victim socket: %s", strerror(errno));
		return;
	}
	d.fd = raw;
	d.p = rec;
	d.len = n;
	if (pthread_create(&th, NULL, dribble_main, &d)) {
		kc_fail(name, "pthread_create failed");
	} else {
		kc_timeouts(rx, 20000);
		expect_recv(name, rx, sizeof(buf), 200, 0, 0, 1);
		pthread_join(th, NULL);
	}
	done(raw, rx);

	name = case_name(cb, "partial-waits");
	if (victim(cb, name, &raw, &rx)) {
		kc_fail(name, "victim socket: %s", strerror(errno));
		return;
	}
	kc_send_all(raw, rec, n - 10);
	kc_msleep(50);
	expect_recv(name, rx, sizeof(buf), -1, EAGAIN, MSG_DONTWAIT, 1);
	name = case_name(cb, "truncated-close-eof");
	kc_watchdog(name, 30);
	shutdown(raw, SHUT_WR);
	expect_recv(name, rx, sizeof(buf), 0, 0, 0, 1);
	done(raw, rx);

	/* A FIN takes a sequence number: it must not pass for the last byte. */
	name = case_name(cb, "truncated1-close-eof");
	if (victim(cb, name, &raw, &rx)) {
		kc_fail(name, "victim socket: %s", strerror(errno));
		return;
	}
	kc_send_all(raw, rec, n - 1);
	shutdown(raw, SHUT_WR);
	expect_recv(name, rx, sizeof(buf), 0, 0, 0, 1);
	done(raw, rx);

	name = case_name(cb, "header-close-eof");
	if (victim(cb, name, &raw, &rx)) {
		kc_fail(name, "victim socket: %s", strerror(errno));
		return;
	}
	kc_send_all(raw, rec, 3);
	shutdown(raw, SHUT_WR);
	expect_recv(name, rx, sizeof(buf), 0, 0, 0, 1);
	done(raw, rx);
}

/*
 * AES-GCM through AF_ALG: @io holds @aad bytes of AAD, then @len bytes of
 * plaintext; it gets the AAD, the ciphertext and the 16-byte tag.
 */
static int gcm_seal(const unsigned char *key, size_t klen,
		    const unsigned char *nonce, unsigned char *io, size_t aad,
		    size_t len)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG,
				   .salg_type = "aead",
				   .salg_name = "gcm(aes)" };
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + 12) +
		  CMSG_SPACE(4)] = { 0 };
	struct iovec iov = { .iov_base = io, .iov_len = aad + len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct af_alg_iv *iv;
	struct cmsghdr *cm;
	int tfm, op = -1, ret = -1;
	uint32_t v;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0)
		return -1;
	if (bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, klen) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, 16))
		goto out;
	op = accept(tfm, NULL, 0);
	if (op < 0)
		goto out;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(4);
	v = ALG_OP_ENCRYPT;
	memcpy(CMSG_DATA(cm), &v, 4);
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof(*iv) + 12);
	iv = (struct af_alg_iv *)CMSG_DATA(cm);
	iv->ivlen = 12;
	memcpy(iv->iv, nonce, 12);
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
	cm->cmsg_len = CMSG_LEN(4);
	v = aad;
	memcpy(CMSG_DATA(cm), &v, 4);
	if (sendmsg(op, &msg, 0) == (ssize_t)(aad + len) &&
	    read(op, io, aad + len + 16) == (ssize_t)(aad + len + 16))
		ret = 0;
out:
	if (op >= 0)
		close(op);
	close(tfm);
	return ret;
}

/*
 * TLS 1.3 AES-GCM-128 record number @n under the keys of SEED: @len bytes
 * of @data, content type @type, @pad zero bytes.  Returns its length on
 * the wire, or -1.
 */
static ssize_t seal13(unsigned char *out, unsigned int n, int type,
		      const void *data, size_t len, size_t pad)
{
	const struct kc_cipher *c = kc_cipher_by_name("aes_gcm_128");
	size_t inner = len + 1 + pad;
	unsigned char nonce[12];
	union kc_crypto ci;
	uint64_t seq = 0;
	int i;

	kc_fill(&ci, TLS_1_3_VERSION, c, SEED);
	for (i = 0; i < 8; i++)
		seq = seq << 8 | ci.gcm128.rec_seq[i];
	seq += n;
	memcpy(nonce, ci.gcm128.salt, 4);
	memcpy(nonce + 4, ci.gcm128.iv, 8);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= seq >> (8 * i);
	header(out, KC_TYPE_DATA, inner + 16, 0);
	memcpy(out + KC_HDR, data, len);
	out[KC_HDR + len] = type;
	memset(out + KC_HDR + len + 1, 0, pad);
	if (gcm_seal(ci.gcm128.key, sizeof(ci.gcm128.key), nonce, out, KC_HDR,
		     inner))
		return -1;
	return KC_HDR + inner + 16;
}

/* After sealing (@sealed < 0: failed), a fresh victim; -1 if either failed. */
static int sealed_victim(const struct combo *cb, const char *name,
			 ssize_t sealed, int *raw, int *rx)
{
	if (sealed < 0) {
		kc_fail(name, "sealing records with AF_ALG gcm(aes): %s",
			strerror(errno));
		return -1;
	}
	if (victim(cb, name, raw, rx)) {
		kc_fail(name, "victim socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void padded_cases(const struct combo *cb)
{
	const char *name = case_name(cb, "padded");
	unsigned char *p = rec;
	ssize_t n[3];
	int raw, rx, type;

	kc_rand(plain, 164, 99);
	n[0] = seal13(p, 0, KC_TYPE_DATA, plain, 100, 300);
	n[1] = n[0] < 0 ? -1 : seal13(p + n[0], 1, KC_TYPE_ALERT, "\x01\x00", 2, 5);
	n[2] = n[1] < 0 ? -1 :
			  seal13(p + n[0] + n[1], 2, KC_TYPE_DATA, plain + 100,
				 64, 0);
	if (sealed_victim(cb, name, n[2], &raw, &rx))
		return;
	if (kc_send_all(raw, rec, n[0] + n[1] + n[2]) < 0) {
		kc_fail(name, "raw write: %s", strerror(errno));
	} else if ((n[0] = recv(rx, buf, sizeof(buf), 0)) != 100 ||
		   memcmp(buf, plain, 100)) {
		kc_fail(name, "padded data record: recv %zd (%s), want 100 bytes",
			n[0], n[0] < 0 ? strerror(errno) : "bytes");
	} else if ((n[1] = kc_recv_type(rx, buf, sizeof(buf), &type, 0)) != 2 ||
		   type != KC_TYPE_ALERT || memcmp(buf, "\x01\x00", 2)) {
		kc_fail(name, "padded alert: recv %zd type %d, want 2 bytes type 21",
			n[1], type);
	} else if ((n[2] = kc_recv_type(rx, buf, sizeof(buf), &type, 0)) != 64 ||
		   type != KC_TYPE_DATA || memcmp(buf, plain + 100, 64)) {
		kc_fail(name, "data record after them: recv %zd type %d, want 64 bytes type 23",
			n[2], type);
	} else {
		kt_pass(name);
	}
	done(raw, rx);
}

/* An empty data record, then 64 bytes: splice() moves the 64 bytes. */
static void empty_splice_case(const struct combo *cb)
{
	const char *name = case_name(cb, "empty-record-splice");
	ssize_t n0, n1, got;
	int raw, rx, pfd[2];

	kc_rand(plain, 64, 77);
	n0 = seal13(rec, 0, KC_TYPE_DATA, NULL, 0, 0);
	n1 = n0 < 0 ? -1 : seal13(rec + n0, 1, KC_TYPE_DATA, plain, 64, 0);
	if (sealed_victim(cb, name, n1, &raw, &rx))
		return;
	if (pipe(pfd)) {
		kc_fail(name, "pipe: %s", strerror(errno));
		done(raw, rx);
		return;
	}
	if (kc_send_all(raw, rec, n0 + n1) < 0) {
		kc_fail(name, "raw write: %s", strerror(errno));
	} else if ((got = splice(rx, NULL, pfd[1], NULL, 4096, 0)) != 64) {
		kc_fail(name, "splice returned %zd (%s), want 64", got,
			got < 0 ? strerror(errno) : "bytes");
	} else if (read(pfd[0], buf, 64) != 64 || memcmp(buf, plain, 64)) {
		kc_fail(name, "the pipe does not hold the record's 64 bytes");
	} else {
		kt_pass(name);
	}
	done(raw, rx);
	close(pfd[0]);
	close(pfd[1]);
}

struct peeker {
	int fd;
	ssize_t n;
	int err;
};

static unsigned char peekbuf[512];

static void *peek_main(void *arg)
{
	struct peeker *pk = arg;

	pk->n = recv(pk->fd, peekbuf, 300, MSG_PEEK | MSG_WAITALL);
	pk->err = errno;
	return NULL;
}

/*
 * A reader peeks past record 0 and waits for more; meanwhile another
 * reads record 0 (which frees it), then record 1 arrives.  The peek ends
 * with what it had (record 0's bytes) rather than going on from a record
 * that is gone; record 1 is still there for the next read.
 */
static void peek_race_case(const struct combo *cb)
{
	const char *name = case_name(cb, "peek-while-read");
	struct peeker pk = { 0 };
	ssize_t n0, n1, got;
	pthread_t th;
	int raw, rx;

	kc_rand(plain, 300, 55);
	n0 = seal13(rec, 0, KC_TYPE_DATA, plain, 100, 0);
	n1 = n0 < 0 ? -1 : seal13(rec + n0, 1, KC_TYPE_DATA, plain + 100, 200, 0);
	if (sealed_victim(cb, name, n1, &raw, &rx))
		return;
	kc_timeouts(rx, 10000);
	pk.fd = rx;
	if (kc_send_all(raw, rec, n0) < 0 ||
	    pthread_create(&th, NULL, peek_main, &pk)) {
		kc_fail(name, "raw write or pthread_create: %s", strerror(errno));
		done(raw, rx);
		return;
	}
	kc_msleep(200); /* the peeker has record 0 and waits */
	got = recv(rx, buf, 100, 0);
	if (got != 100 || memcmp(buf, plain, 100))
		kc_fail(name, "reading record 0 beside the peek: %zd (%s)", got,
			got < 0 ? strerror(errno) : "bytes");
	if (kc_send_all(raw, rec + n0, n1) < 0)
		kc_fail(name, "raw write: %s", strerror(errno));
	pthread_join(th, NULL);
	if (pk.n != 100 || memcmp(peekbuf, plain, 100))
		kc_fail(name, "the peek returned %zd (%s), want record 0's 100 bytes",
			pk.n, pk.n < 0 ? strerror(pk.err) : "bytes");
	else if (got != 100)
		; /* reported above */
	else if ((n1 = recv(rx, buf, sizeof(buf), 0)) != 200 ||
		 memcmp(buf, plain + 100, 200))
		kc_fail(name, "record 1 after the peek: recv %zd (%s), want 200 bytes",
			n1, n1 < 0 ? strerror(errno) : "bytes");
	else
		kt_pass(name);
	done(raw, rx);
}

static void run_combo(const struct kc_version *v, const struct kc_cipher *c)
{
	struct combo cb = { .v = v, .c = c };
	int raw, rx, nf;
	ssize_t n;

	snprintf(cb.pfx, sizeof(cb.pfx), "%s_%s", v->name, c->name);
	cb.ov = kc_overhead(v->ver, c);
	cb.maxlen = kc_max_reclen(v->ver, c);
	if (victim(&cb, cb.pfx, &raw, &rx)) {
		kc_fail(case_name(&cb, "setup"), "ULP %s with TLS_RX: %s",
			rx_ulp, strerror(errno));
		return;
	}
	done(raw, rx);

	/* Nothing else means anything if a valid record does not decrypt. */
	kc_rand(plain, sizeof(plain), cb.c->type + cb.v->ver);
	n = capture(&cb, case_name(&cb, "valid"), 64);
	if (n < 0)
		return;
	nf = kc_nfail;
	feed(&cb, "valid", rec, n, 64, 0);
	if (kc_nfail != nf) {
		kc_skip(case_name(&cb, "rest"),
			"the other cases were not run: a valid record did not decrypt");
		return;
	}
	mutation_cases(&cb, n);
	length_cases(&cb);
	size_cases(&cb);
	stream_cases(&cb);
	if (v->ver == TLS_1_3_VERSION && c->type == TLS_CIPHER_AES_GCM_128) {
		padded_cases(&cb);
		empty_splice_case(&cb);
		peek_race_case(&cb);
	}
}

int main(int argc, char **argv)
{
	static const char *const ciphers[] = { "aes_gcm_128",
					       "chacha20_poly1305" };
	size_t v, c;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: tls_badinput RX_ULP [GEN_ULP]\n");
		return 2;
	}
	rx_ulp = argv[1];
	gen_ulp = argc == 3 ? argv[2] : argv[1];
	for (v = 0; v < ARRAY_SIZE(kc_versions); v++)
		for (c = 0; c < ARRAY_SIZE(ciphers); c++)
			run_combo(&kc_versions[v],
				  kc_cipher_by_name(ciphers[c]));
	return kt_failed;
}
