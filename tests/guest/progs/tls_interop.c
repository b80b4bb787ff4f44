// SPDX-License-Identifier: GPL-2.0
/*
 * tls_interop [-F MIB] ULP_A ULP_B
 *
 * Two kTLS implementations exchange records over loopback TCP pairs: end
 * "a" uses ULP_A, end "b" ULP_B, both with TLS_TX and TLS_RX installed (one
 * key set per direction, fixed keys, the record sequence number starting
 * just below 2^32).  Every case runs on a fresh pair.  For every version x
 * cipher, in both directions (a2b: a sends, b receives; b2a: the reverse):
 *   size0 size1 size16383 size16384 size16385 size1M   byte-exact transfers
 *   size256K-rcvbuf 256 KiB into a receiver whose SO_RCVBUF (4 KiB) is
 *                   smaller than a record: records cannot wait whole in TCP's
 *                   queue (AES-GCM-128 only: the path does not depend on the
 *                   cipher, and small windows are slow under TCG)
 *   size0-ctrl      a zero-length control record produces nothing either
 *   size0-wire      a zero-length send puts no bytes on the wire; one byte
 *                   makes exactly one well-framed record
 *   sendfile        256 KiB + 4099 bytes from a tmpfs file (the tail is
 *                   neither a page nor a record), checksummed at both ends
 *   ctrl-types      data, alert and handshake records with record-type
 *                   cmsgs: types and bytes as sent, one control record per
 *                   recvmsg, never two types in one read, partial reads
 *   ctrl-nocmsg-eio a control record read without a cmsg buffer fails
 *                   with EIO and is still delivered to the next recvmsg
 * and, with -F MIB (TLS 1.2 AES-GCM-128, a2b only: a's sendfile into b):
 *   sendfile<MIB>M  a MIB-MiB file, checksummed at both ends, timed
 * A time-out ends that direction of that combination (SKIP ...rest) and
 * shortens later time-outs, so a stalled receiver costs seconds, not
 * minutes.  A cipher the kernel lacks (setsockopt fails with ENOENT on
 * every end) is reported as SKIP; any other setsockopt failure is a FAIL.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "ktls_common.h"

#define MIB (1024 * 1024)

/* Per-call socket time-out; cut short once something has timed out. */
static int io_timeout_ms = 10000;
static int timed_out; /* a case saw EAGAIN from a blocking call */

static const char *ulp_a, *ulp_b;
static unsigned char *src, *dst; /* 1 MiB + 1 each */
#define SMALL_FILE (256 * 1024 + 4099)

struct file {
	char path[64];
	size_t len;
	uint64_t hash;
};

static struct file small_file, big_file;

struct combo {
	const struct kc_version *v;
	const struct kc_cipher *c;
	unsigned int seed_ab, seed_ba;
	char pfx[64];
};

struct sender {
	int fd, file;
	const void *buf;
	size_t len;
	ssize_t rc;
	int err;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	off_t off = 0;
	ssize_t n;

	s->rc = 0;
	if (s->file < 0) {
		s->rc = kc_send_all(s->fd, s->buf, s->len);
		s->err = errno;
		return NULL;
	}
	while ((size_t)off < s->len) {
		n = sendfile(s->fd, s->file, &off, s->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->rc = -1;
			s->err = n ? errno : EPIPE;
			return NULL;
		}
	}
	s->rc = off;
	return NULL;
}

/* Send @len bytes of src (or of the file) from @tx while @rx receives. */
static void transfer(const char *name, int tx, int rx, size_t len,
		     const struct file *f)
{
	struct sender s = { .fd = tx, .file = -1, .buf = src, .len = len };
	int use_file = f != NULL;
	size_t got = 0, chunk;
	uint64_t h = 0;
	pthread_t th;
	double t0;
	ssize_t n;

	if (use_file) {
		s.len = len = f->len;
		s.file = open(f->path, O_RDONLY);
		if (s.file < 0) {
			kc_fail(name, "open %s: %s", f->path, strerror(errno));
			return;
		}
	}
	t0 = kc_now();
	if (pthread_create(&th, NULL, sender_main, &s)) {
		kc_fail(name, "pthread_create failed");
		goto out;
	}
	while (got < len) {
		chunk = len - got < MIB ? len - got : MIB;
		n = kc_recv_all(rx, use_file ? dst : dst + got, chunk);
		if (n <= 0)
			break;
		if (use_file)
			h = kc_hash(h, dst, n);
		got += n;
		if ((size_t)n < chunk)
			break;
	}
	if (got < len) {
		int e = errno;

		/* The sender gives up after its SO_SNDTIMEO. */
		pthread_join(th, NULL);
		timed_out |= e == EAGAIN;
		kc_fail(name,
			"received %zu of %zu bytes (%s); sender rc %zd errno %d",
			got, len, got ? "short" : strerror(e), s.rc, s.err);
		goto out;
	}
	pthread_join(th, NULL);
	if (s.rc != (ssize_t)len)
		kc_fail(name, "sender returned %zd (%s)", s.rc,
			strerror(s.err));
	else if (use_file && h != f->hash)
		kc_fail(name, "checksum %016llx, sent %016llx",
			(unsigned long long)h, (unsigned long long)f->hash);
	else if (!use_file && memcmp(src, dst, len))
		kc_fail(name, "received bytes differ from those sent");
	else if (!kc_quiet(rx, 10))
		kc_fail(name, "stray bytes after the payload");
	else if (use_file)
		kc_pass(name, "%zu bytes in %.2f s (%.1f MB/s)", len,
			kc_now() - t0, len / 1e6 / (kc_now() - t0));
	else
		kt_pass(name);
out:
	if (use_file)
		close(s.file);
}

/* Zero-length sends: nothing reaches the peer, the stream stays in step. */
static void size0(const char *name, int tx, int rx, int ctrl)
{
	ssize_t n;

	n = ctrl ? kc_send_type(tx, KC_TYPE_HANDSHAKE, "", 0) :
		   send(tx, "", 0, 0);
	if (n != 0) {
		kc_fail(name, "zero-length send returned %zd (%s)", n,
			n < 0 ? strerror(errno) : "bytes");
		return;
	}
	if (!kc_quiet(rx, 50)) {
		int type;

		n = kc_recv_type(rx, dst, 16, &type, MSG_DONTWAIT);
		kc_fail(name,
			"the peer became readable: recv returned %zd%s%s, record type %d",
			n, n < 0 ? " " : "", n < 0 ? strerror(errno) : "",
			type);
		return;
	}
	if (send(tx, "Z", 1, 0) != 1) {
		kc_fail(name, "send of one byte: %s", strerror(errno));
		return;
	}
	n = recv(rx, dst, 16, 0);
	timed_out |= n < 0 && errno == EAGAIN;
	if (n != 1 || dst[0] != 'Z' || !kc_quiet(rx, 10))
		kc_fail(name,
			"after it, recv got %zd bytes (%s), want the one byte sent",
			n, n < 0 ? strerror(errno) : "");
	else
		kt_pass(name);
}

/* The TX side of @ulp alone, seen by a plain TCP peer. */
static void size0_wire(const char *name, const char *ulp,
		       const struct combo *cb)
{
	int ov = kc_overhead(cb->v->ver, cb->c), tx, rx, len;
	unsigned char w[128] = { 0 };
	ssize_t n;

	if (kc_pair(ulp, NULL, &tx, &rx)) {
		kc_fail(name, "pair: %s", strerror(errno));
		return;
	}
	kc_timeouts(rx, 5000);
	if (kc_keys(tx, TLS_TX, cb->v->ver, cb->c, cb->seed_ab)) {
		kc_fail(name, "TLS_TX: %s", strerror(errno));
		goto out;
	}
	n = send(tx, "", 0, 0);
	if (n != 0 || !kc_quiet(rx, 50)) {
		kc_fail(name, "zero-length send returned %zd and %s", n,
			kc_quiet(rx, 0) ? "nothing arrived" : "bytes arrived");
		goto out;
	}
	if (send(tx, "Z", 1, 0) != 1) {
		kc_fail(name, "send: %s", strerror(errno));
		goto out;
	}
	n = kc_recv_all(rx, w, 1 + ov);
	len = (w[3] << 8) | w[4];
	if (n != 1 + ov)
		kc_fail(name, "one byte gave %zd bytes on the wire, want %d", n,
			1 + ov);
	else if (w[0] != KC_TYPE_DATA || w[1] != 3 || w[2] != 3 ||
		 len != 1 + ov - KC_HDR)
		kc_fail(name,
			"header %02x %02x %02x len %d, want 17 03 03 len %d",
			w[0], w[1], w[2], len, 1 + ov - KC_HDR);
	else if (!kc_quiet(rx, 10))
		kc_fail(name, "more than one record on the wire");
	else
		kt_pass(name);
out:
	kt_close_now(tx);
	kt_close_now(rx);
}

struct rec {
	int type;
	size_t len;
};

/* The records ctrl_types() sends, in order. */
static const struct rec ctrl_seq[] = {
	{ KC_TYPE_DATA, 100 },
	{ KC_TYPE_ALERT, 2 },
	{ KC_TYPE_HANDSHAKE, 300 },
	{ KC_TYPE_HANDSHAKE, 5 },
	{ KC_TYPE_DATA, 50 },
	{ KC_TYPE_DATA, 70 },
	{ 99, 17 },
	{ KC_TYPE_DATA, 1 },
};

#define NCTRL (ARRAY_SIZE(ctrl_seq))

static int expect_rec(const char *name, int rx, const unsigned char *want,
		      size_t len, size_t bufsz, int want_type)
{
	ssize_t n;
	int type;

	n = kc_recv_type(rx, dst, bufsz, &type, 0);
	if (n < 0) {
		timed_out |= errno == EAGAIN;
		kc_fail(name, "recvmsg for type %d: %s", want_type,
			strerror(errno));
		return -1;
	}
	if (type != want_type || (size_t)n != len || memcmp(dst, want, len)) {
		kc_fail(name,
			"got %zd bytes of type %d, want %zu bytes of type %d%s",
			n, type, len, want_type,
			(size_t)n == len ? " (bytes differ)" : "");
		return -1;
	}
	return 0;
}

static void ctrl_types(const char *name, int tx, int rx)
{
	const unsigned char *p = src;
	size_t i, got;
	ssize_t n;
	int type;

	for (i = 0; i < NCTRL; i++) {
		const struct rec *r = &ctrl_seq[i];

		n = r->type == KC_TYPE_DATA ?
			    send(tx, p, r->len, 0) :
			    kc_send_type(tx, r->type, p, r->len);
		if (n != (ssize_t)r->len) {
			kc_fail(name, "send of record %zu (type %d): %zd (%s)",
				i, r->type, n, strerror(errno));
			return;
		}
		p += r->len;
	}
	p = src;
	for (i = 0; i < NCTRL; i++) {
		const struct rec *r = &ctrl_seq[i];

		if (r->type != KC_TYPE_DATA) {
			/* The 300-byte handshake is read in two parts. */
			size_t part = r->len > 100 ? 100 : r->len;

			if (expect_rec(name, rx, p, part, part, r->type) ||
			    (part < r->len &&
			     expect_rec(name, rx, p + part, r->len - part,
					16384, r->type)))
				return;
			p += r->len;
			continue;
		}
		/* Adjacent data records may come in one read or several. */
		for (got = 0;
		     i + 1 < NCTRL && ctrl_seq[i + 1].type == KC_TYPE_DATA; i++)
			got += ctrl_seq[i].len;
		got += ctrl_seq[i].len;
		while (got) {
			n = kc_recv_type(rx, dst, 16384, &type, 0);
			timed_out |= n < 0 && errno == EAGAIN;
			if (n <= 0 || (size_t)n > got || type != KC_TYPE_DATA ||
			    memcmp(dst, p, n)) {
				kc_fail(name,
					"data read: %zd bytes (%s) type %d, want up to %zu data bytes as sent",
					n, n < 0 ? strerror(errno) : "", type,
					got);
				return;
			}
			p += n;
			got -= n;
		}
	}
	if (!kc_quiet(rx, 10))
		kc_fail(name, "stray bytes after the records");
	else
		kt_pass(name);
}

static void ctrl_nocmsg(const char *name, int tx, int rx)
{
	ssize_t n;

	if (kc_send_type(tx, KC_TYPE_ALERT, "\x02\x28", 2) != 2) {
		kc_fail(name, "send alert: %s", strerror(errno));
		return;
	}
	n = recv(rx, dst, 64, 0);
	timed_out |= n < 0 && errno == EAGAIN;
	if (n != -1 || errno != EIO) {
		kc_fail(name, "recv without cmsg buffer: %zd (%s), want EIO", n,
			n < 0 ? strerror(errno) : "data");
		return;
	}
	if (expect_rec(name, rx, (const unsigned char *)"\x02\x28", 2, 64,
		       KC_TYPE_ALERT) == 0)
		kt_pass(name);
}

/* A fresh pair with keys on both ends, timeouts set; 0 or -1 (errno). */
static int conn(const struct combo *cb, int *a, int *b)
{
	int e;

	if (kc_pair(ulp_a, ulp_b, a, b))
		return -1;
	kc_timeouts(*a, io_timeout_ms);
	kc_timeouts(*b, io_timeout_ms);
	if (!kc_keys(*a, TLS_TX, cb->v->ver, cb->c, cb->seed_ab) &&
	    !kc_keys(*b, TLS_RX, cb->v->ver, cb->c, cb->seed_ab) &&
	    !kc_keys(*b, TLS_TX, cb->v->ver, cb->c, cb->seed_ba) &&
	    !kc_keys(*a, TLS_RX, cb->v->ver, cb->c, cb->seed_ba))
		return 0;
	e = errno;
	kt_close_now(*a);
	kt_close_now(*b);
	errno = e;
	return -1;
}

enum kind {
	K_SIZE0,
	K_SIZE0_CTRL,
	K_WIRE,
	K_XFER,
	K_XFER_RCVBUF,
	K_FILE,
	K_BIG,
	K_CTRL,
	K_NOCMSG
};

static const struct tcase {
	const char *name;
	enum kind kind;
	size_t len;
} cases[] = {
	{ "size0", K_SIZE0, 0 },	{ "size0-ctrl", K_SIZE0_CTRL, 0 },
	{ "size0-wire", K_WIRE, 0 },	{ "size1", K_XFER, 1 },
	{ "size16383", K_XFER, 16383 }, { "size16384", K_XFER, 16384 },
	{ "size16385", K_XFER, 16385 }, { "size1M", K_XFER, MIB },
	{ "size256K-rcvbuf", K_XFER_RCVBUF, 256 * 1024 },
	{ "sendfile", K_FILE, 0 },	{ "sendfile<MIB>M", K_BIG, 0 },
	{ "ctrl-types", K_CTRL, 0 },	{ "ctrl-nocmsg-eio", K_NOCMSG, 0 },
};

static void run_case(const struct combo *cb, const struct tcase *t,
		     const char *name, int rev)
{
	int a, b, tx, rx;

	kc_watchdog(name, t->kind == K_BIG ? 240 : 60);
	if (t->kind == K_WIRE) {
		size0_wire(name, rev ? ulp_b : ulp_a, cb);
		return;
	}
	if (conn(cb, &a, &b)) {
		kc_fail(name, "connection: %s", strerror(errno));
		return;
	}
	tx = rev ? b : a;
	rx = rev ? a : b;
	switch (t->kind) {
	case K_SIZE0:
	case K_SIZE0_CTRL:
		size0(name, tx, rx, t->kind == K_SIZE0_CTRL);
		break;
	case K_XFER_RCVBUF:
		if (setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &(int){ 4096 },
			       sizeof(int))) {
			kc_fail(name, "SO_RCVBUF: %s", strerror(errno));
			break;
		}
		/* fall through */
	case K_XFER:
		kc_rand(src, t->len, t->len + cb->seed_ab);
		transfer(name, tx, rx, t->len, NULL);
		break;
	case K_FILE:
		transfer(name, tx, rx, 0, &small_file);
		break;
	case K_BIG:
		transfer(name, tx, rx, 0, &big_file);
		break;
	case K_CTRL:
		kc_rand(src, 4096, cb->seed_ba);
		ctrl_types(name, tx, rx);
		break;
	default:
		ctrl_nocmsg(name, tx, rx);
	}
	kt_close_now(a);
	kt_close_now(b);
}

static void direction(const struct combo *cb, int rev)
{
	const char *dir = rev ? "b2a" : "a2b";
	char name[128], c[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct tcase *t = &cases[i];

		/* The big sendfile: a's, TLS 1.2 AES-GCM-128 only. */
		if (t->kind == K_BIG &&
		    (!big_file.len || rev || cb->v != &kc_versions[0] ||
		     cb->c != &kc_ciphers[0]))
			continue;
		if (t->kind == K_XFER_RCVBUF && cb->c != &kc_ciphers[0])
			continue;
		if (t->kind == K_BIG)
			snprintf(c, sizeof(c), "sendfile%zuM",
				 big_file.len / MIB);
		else
			snprintf(c, sizeof(c), "%s", t->name);
		snprintf(name, sizeof(name), "%s.%s.%s", cb->pfx, dir, c);
		run_case(cb, t, name, rev);
		if (timed_out) {
			snprintf(name, sizeof(name), "%s.%s.rest", cb->pfx,
				 dir);
			kc_skip(name,
				"the remaining %s cases were not run after the time-out above",
				dir);
			timed_out = 0;
			io_timeout_ms = 2000;
			return;
		}
	}
}

/*
 * Install keys on both ends.  0: ready; -1: reported (FAIL or SKIP).
 */
static int setup(const struct combo *cb, int a, int b)
{
	struct {
		int fd, dir;
		unsigned int seed;
		const char *what;
	} s[4] = {
		{ a, TLS_TX, cb->seed_ab, "a TLS_TX" },
		{ b, TLS_RX, cb->seed_ab, "b TLS_RX" },
		{ b, TLS_TX, cb->seed_ba, "b TLS_TX" },
		{ a, TLS_RX, cb->seed_ba, "a TLS_RX" },
	};
	char why[256] = "", name[96];
	int i, ok = 0, enoent = 0, other = 0;

	for (i = 0; i < 4; i++) {
		size_t l = strlen(why);

		if (!kc_keys(s[i].fd, s[i].dir, cb->v->ver, cb->c, s[i].seed)) {
			ok++;
			continue;
		}
		if (errno == ENOENT)
			enoent++;
		else
			other++;
		snprintf(why + l, sizeof(why) - l, "%s%s: %s", l ? ", " : "",
			 s[i].what, strerror(errno));
	}
	snprintf(name, sizeof(name), "%s.setup", cb->pfx);
	if (!enoent && !other)
		return 0;
	if (enoent && !other && !ok)
		kc_skip(name, "cipher not available in this kernel (%s)", why);
	else
		kc_fail(name, "%s", why);
	return -1;
}

static void run_combo(const struct kc_version *v, const struct kc_cipher *c,
		      unsigned int idx)
{
	struct combo cb = {
		.v = v, .c = c, .seed_ab = 2 * idx + 1, .seed_ba = 2 * idx + 2
	};
	int a, b, ok;

	snprintf(cb.pfx, sizeof(cb.pfx), "%s_%s", v->name, c->name);
	if (kc_pair(ulp_a, ulp_b, &a, &b)) {
		kc_fail(cb.pfx, "pair with ULPs %s/%s: %s", ulp_a, ulp_b,
			strerror(errno));
		return;
	}
	ok = !setup(&cb, a, b);
	kt_close_now(a);
	kt_close_now(b);
	if (ok) {
		direction(&cb, 0);
		direction(&cb, 1);
	}
}

static int make_file(struct file *f, const char *path, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t off;

	if (fd < 0)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->hash = 0;
	for (off = 0; off < len; off += MIB) {
		size_t n = len - off < MIB ? len - off : MIB;

		kc_rand(dst, n, off / MIB + len);
		f->hash = kc_hash(f->hash, dst, n);
		if (write(fd, dst, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	f->len = len;
	return close(fd);
}

int main(int argc, char **argv)
{
	size_t v, c, big = 0;
	int opt;

	while ((opt = getopt(argc, argv, "F:")) != -1) {
		if (opt != 'F')
			goto usage;
		big = strtoul(optarg, NULL, 0);
	}
	if (argc - optind != 2)
		goto usage;
	ulp_a = argv[optind];
	ulp_b = argv[optind + 1];
	src = malloc(MIB + 1);
	dst = malloc(MIB + 1);
	if (!src || !dst ||
	    make_file(&small_file, "/tmp/tls_interop.small", SMALL_FILE) ||
	    (big && make_file(&big_file, "/tmp/tls_interop.big", big * MIB))) {
		kc_fail("setup", "buffers or files in /tmp: %s",
			strerror(errno));
		return 1;
	}
	for (v = 0; v < ARRAY_SIZE(kc_versions); v++)
		for (c = 0; c < KC_NCIPHERS; c++)
			run_combo(&kc_versions[v], &kc_ciphers[c],
				  v * KC_NCIPHERS + c);
	unlink(small_file.path);
	if (big)
		unlink(big_file.path);
	return kt_failed;
usage:
	fprintf(stderr, "usage: tls_interop [-F MIB] ULP_A ULP_B\n");
	return 2;
}
