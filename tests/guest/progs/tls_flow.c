// SPDX-License-Identifier: GPL-2.0
/*
 * tls_flow RX_ULP [GEN_ULP]
 *
 * Flow control under a small receive buffer.  A raw TCP writer streams
 * records, sealed beforehand by GEN_ULP's TX (default RX_ULP), as fast as
 * TCP lets it; a receiver with ULP RX_ULP, TLS_RX keys and SO_RCVBUF set
 * before the handshake reads them as fast as it can.  Each case checks
 * every byte in order, a recv time-out of 3 s (a stall is a failure, not a
 * hang), and the zero-window probes the writer's TCP sent (TcpExt
 * TCPWinProbe in /proc/net/netstat): a window the receiver closed must be
 * reopened by its reads, not found open by the writer's probe timer, which
 * waits 200 ms or more each time.  A few are allowed (MAX_PROBES): at
 * SO_RCVBUF 2048 a correct receiver, tls.ko included, now and then offers
 * a window smaller than the writer's segment, which the writer leaves to
 * its timer.  A receiver that sends no update after its reads needs one
 * probe for most records (39-117 per case here).
 * Cases, per TLS version with AES-GCM-128 (prefix 12. or 13.):
 *   tiny.rcvbuf-N   20000 records of 1-64 bytes.  Headers are a third of
 *                   the stream, so the window often closes with part of a
 *                   header in TCP: the receiver must not wait for the rest
 *                   of a header that the closed window keeps out.
 *   full.rcvbuf-N   1 MiB in records of 2^14 bytes, each larger than the
 *                   whole buffer: a record can never sit in TCP whole.
 * N is the SO_RCVBUF given (0: the default, 131072 bytes).
 */
#include <pthread.h>

#include "ktls_common.h"

#define RCV_TIMEOUT_MS 3000
#define SEED 11
#define TINY_RECORDS 20000
#define FULL_BYTES (1024 * 1024)
#define MAX_PROBES 4

static const char *rx_ulp, *gen_ulp;

struct stream {
	int *sizes; /* plaintext length of each record */
	int nrec;
	unsigned char *plain, *wire;
	size_t plain_len, wire_len;
};

struct writer {
	int fd;
	const unsigned char *buf;
	const int *sizes; /* NULL: one send_all of len */
	int nrec;
	size_t len;
	int err;
};

/* Thread: send each record's plaintext in its own send(), or all of buf. */
static void *write_thread(void *arg)
{
	struct writer *w = arg;
	size_t off = 0;
	int i;

	if (!w->sizes) {
		if (kc_send_all(w->fd, w->buf, w->len) < 0)
			w->err = errno;
		return NULL;
	}
	for (i = 0; i < w->nrec; i++) {
		if (send(w->fd, w->buf + off, w->sizes[i], 0) != w->sizes[i]) {
			w->err = errno ? errno : EIO;
			break;
		}
		off += w->sizes[i];
	}
	return NULL;
}

/* TcpExt TCPWinProbe: zero-window probes sent, all sockets; -1 if unknown. */
static long win_probes(void)
{
	char names[4096], vals[4096];
	long n = -1;
	FILE *f = fopen("/proc/net/netstat", "r");

	while (f && fgets(names, sizeof(names), f) &&
	       fgets(vals, sizeof(vals), f)) {
		char *sn, *sv, *k, *v;

		if (strncmp(names, "TcpExt:", 7))
			continue;
		k = strtok_r(names, " \n", &sn);
		v = strtok_r(vals, " \n", &sv);
		while ((k = strtok_r(NULL, " \n", &sn)) &&
		       (v = strtok_r(NULL, " \n", &sv)))
			if (!strcmp(k, "TCPWinProbe"))
				n = atol(v);
	}
	if (f)
		fclose(f);
	return n;
}

/* Seal the stream's records with GEN_ULP's TX, one send() per record. */
static int seal(const char *name, const struct kc_version *v,
		const struct kc_cipher *c, struct stream *s)
{
	struct writer w = { .buf = s->plain,
			    .sizes = s->sizes,
			    .nrec = s->nrec };
	pthread_t t;
	int cli, srv;
	ssize_t n;

	if (kc_pair(gen_ulp, NULL, &cli, &srv)) {
		kc_fail(name, "pair with %s: %s", gen_ulp, strerror(errno));
		return -1;
	}
	kc_timeouts(cli, 5000);
	kc_timeouts(srv, 5000);
	if (kc_keys(cli, TLS_TX, v->ver, c, SEED)) {
		kc_fail(name, "TLS_TX keys on %s: %s", gen_ulp,
			strerror(errno));
		goto err;
	}
	w.fd = cli;
	if (pthread_create(&t, NULL, write_thread, &w)) {
		kc_fail(name, "pthread_create failed");
		goto err;
	}
	n = kc_recv_all(srv, s->wire, s->wire_len);
	pthread_join(t, NULL);
	if (n != (ssize_t)s->wire_len || w.err) {
		kc_fail(name, "sealing: %zd of %zu bytes (%s)", n, s->wire_len,
			strerror(w.err ? w.err : errno));
		goto err;
	}
	kt_close_now(cli);
	kt_close_now(srv);
	return 0;
err:
	kt_close_now(cli);
	kt_close_now(srv);
	return -1;
}

static void run_case(const char *name, const struct kc_version *v,
		     const struct kc_cipher *c, const struct stream *s,
		     int rcvbuf)
{
	static unsigned char buf[64 * 1024];
	struct writer w = { .buf = s->wire, .len = s->wire_len };
	size_t got = 0, bad = SIZE_MAX;
	long probes;
	pthread_t t;
	int raw, rx, err = 0;

	kc_watchdog(name, 120);
	if (kc_rx_pair(rx_ulp, rcvbuf, v->ver, c, SEED, RCV_TIMEOUT_MS, &raw,
		       &rx)) {
		kc_fail(name, "receiver setup: %s", strerror(errno));
		return;
	}
	probes = win_probes();
	w.fd = raw;
	if (pthread_create(&t, NULL, write_thread, &w)) {
		kc_fail(name, "pthread_create failed");
		kt_close_now(rx);
		kt_close_now(raw);
		return;
	}
	while (got < s->plain_len) {
		ssize_t n = recv(rx, buf, sizeof(buf), 0);

		if (n <= 0) {
			err = n ? errno : EPIPE;
			break;
		}
		if ((size_t)n > s->plain_len - got ||
		    memcmp(buf, s->plain + got, n)) {
			bad = got;
			break;
		}
		got += n;
	}
	/* An unread receiver's close unblocks a writer stuck in send(). */
	kt_close_now(rx);
	pthread_join(t, NULL);
	kt_close_now(raw);
	probes = win_probes() - probes;
	kc_watchdog(NULL, 0);

	if (bad != SIZE_MAX)
		kc_fail(name, "wrong plaintext in a read at byte %zu", bad);
	else if (got < s->plain_len)
		kc_fail(name, "stalled: %zu of %zu bytes read, then %s", got,
			s->plain_len, strerror(err));
	else if (probes > MAX_PROBES)
		kc_fail(name,
			"the writer sent %ld zero-window probes (at most %d): windows the receiver closed stayed closed until the writer's timer",
			probes, MAX_PROBES);
	else
		kc_pass(name, "%ld zero-window probes", probes);
}

/* Records of the given plaintext sizes, random bytes, and their ciphertext. */
static int build(struct stream *s, const struct kc_version *v,
		 const struct kc_cipher *c, int nrec, int (*size)(int i))
{
	int i;

	s->nrec = nrec;
	s->sizes = calloc(nrec, sizeof(*s->sizes));
	if (!s->sizes)
		return -1;
	s->plain_len = 0;
	for (i = 0; i < nrec; i++) {
		s->sizes[i] = size(i);
		s->plain_len += s->sizes[i];
	}
	s->wire_len = s->plain_len + (size_t)nrec * kc_overhead(v->ver, c);
	s->plain = malloc(s->plain_len);
	s->wire = malloc(s->wire_len);
	if (!s->plain || !s->wire)
		return -1;
	kc_rand(s->plain, s->plain_len, nrec);
	return 0;
}

static void release(struct stream *s)
{
	free(s->sizes);
	free(s->plain);
	free(s->wire);
	memset(s, 0, sizeof(*s));
}

static int tiny_size(int i)
{
	return 1 + (i * 37 + i / 7) % 64;
}

static int full_size(int i)
{
	(void)i;
	return KC_MAX_PLAIN;
}

/* The streams, each run under its receive buffers (0: the default). */
static const struct kind {
	const char *name;
	int nrec;
	int (*size)(int i);
	int nbufs;
	int bufs[3];
} kinds[] = {
	{ "tiny", TINY_RECORDS, tiny_size, 3, { 0, 4096, 32768 } },
	{ "full", FULL_BYTES / KC_MAX_PLAIN, full_size, 2, { 2048, 8192 } },
};

static void run_version(const struct kc_version *v, const struct kc_cipher *c)
{
	const struct kind *k;
	struct stream s = {};
	char name[96];
	int i;

	for (k = kinds; k < kinds + ARRAY_SIZE(kinds); k++) {
		snprintf(name, sizeof(name), "%s.%s.seal", v->name, k->name);
		if (build(&s, v, c, k->nrec, k->size)) {
			kc_fail(name, "out of memory");
		} else if (!seal(name, v, c, &s)) {
			for (i = 0; i < k->nbufs; i++) {
				snprintf(name, sizeof(name), "%s.%s.rcvbuf-%d",
					 v->name, k->name, k->bufs[i]);
				run_case(name, v, c, &s, k->bufs[i]);
			}
		}
		release(&s);
	}
}

int main(int argc, char **argv)
{
	const struct kc_cipher *c = kc_cipher_by_name("aes_gcm_128");
	size_t v;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: tls_flow RX_ULP [GEN_ULP]\n");
		return 2;
	}
	rx_ulp = argv[1];
	gen_ulp = argc == 3 ? argv[2] : argv[1];
	if (win_probes() < 0) {
		kt_fail("flow.netstat",
			"no TcpExt TCPWinProbe in /proc/net/netstat");
		return 1;
	}
	for (v = 0; v < ARRAY_SIZE(kc_versions); v++)
		run_version(&kc_versions[v], c);
	return kt_failed;
}
