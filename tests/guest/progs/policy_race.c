// SPDX-License-Identifier: GPL-2.0
/*
 * policy_race [-n ITERATIONS] [-o BPF_OBJECT] [RACE...]
 *
 * Lifetime races of ktls sockets in a sockmap (docs/policy.md), each run
 * ITERATIONS times (default 10000) on fresh loopback connections, TLS 1.3
 * AES-GCM-128.  In every iteration a thread moves data while the main
 * thread does the racing operation after a random pause (a short spin); then
 * the receiving peer (a ktls socket outside the map) reads to the end and
 * what it got is checked against the stream that was sent:
 *
 *   delete-send      map delete vs send: every byte send() reported
 *                    arrives, exactly once, in order; the socket keeps
 *                    working after it left the map
 *   delete-cork      map delete while a cork holds bytes: the same
 *   delete-sendfile  map delete vs sendfile: the same
 *   delete-recv      map delete vs recv on a ktls RX socket with a stream
 *                    verdict: every byte arrives exactly once
 *   close-send       close vs send (the fd is closed by another thread):
 *                    the peer gets a prefix of the stream
 *   close-sendfile   close vs sendfile: the same
 *   close-recv       close vs recv with a stream verdict: the reader gets
 *                    a prefix
 *   shutdown-send    shutdown(SHUT_WR) vs send: a prefix
 *   shutdown-sendfile  shutdown(SHUT_WR) vs sendfile: a prefix
 *   shutdown-recv    shutdown(SHUT_RD) vs recv with a stream verdict
 *   rekey-send       TLS_TX rekey vs send: the peer gets a prefix and then
 *                    at most EBADMSG (it has no way to follow the key)
 *   rekey-sendfile   TLS_TX rekey vs sendfile: the same
 *   rekey-recv       TLS_RX rekey vs recv with a stream verdict, the peer
 *                    sending a KeyUpdate and switching keys: all of the
 *                    stream, or (the new key came before the KeyUpdate was
 *                    read) a prefix of what came before it, then EBADMSG
 *   redirect-close   redirect to a ktls socket that is being closed: its
 *                    peer gets a prefix of the redirected bytes
 *   redirect-close-sendfile  the same with sendfile
 *   redirect-teardown  redirect to a ktls socket while its own sender runs
 *                    and it is deleted from the map and closed
 *   ingress-close    ingress redirect to a ktls socket being closed
 *   skb-ingress-recv    a stream verdict redirects records to the receive
 *                    queue of a ktls socket T in a map without programs,
 *                    while T gets records of its own and a reader runs:
 *                    both streams arrive in full, each in order
 *   skb-ingress-delete  the same while T is deleted from its map: T's own
 *                    stream in full, the redirected one a prefix
 *   skb-ingress-close   the same while T is closed
 *
 * Run only when named:
 *
 *   plain-skb-ingress   skb-ingress-recv with plain TCP sockets only, no
 *                    ktls: the kernel's own reference.  sockmap's worker
 *                    charges T's memory without T's lock, and on Debian's
 *                    6.1 and 6.12 the kernel soon warns in
 *                    inet_sock_destruct() (docs/policy.md); the bytes are
 *                    not checked
 *
 * Result: one PASS/FAIL line per race.  The kernel log (WARN, Oops,
 * lockdep, KASAN, leaks) is checked by the suite.
 */
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/sendfile.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ktls_common.h"
#include "../bpf/race.h"

#define CHUNK 1000
#define NCHUNKS 3
#define STREAM (CHUNK * NCHUNKS)

static unsigned char stream[STREAM + CHUNK];
static const struct kc_cipher *gcm;
static unsigned char lo[STREAM], hi[STREAM]; /* two streams told apart */
static int lfd = -1, map_fd = -1, bare_fd = -1, cfg_fd = -1, file_fd = -1;
static struct sockaddr_storage laddr;
static socklen_t laddr_len;

/* A connected loopback pair from the one listener. */
static int pair(int *cli, int *srv)
{
	*cli = socket(AF_INET, SOCK_STREAM, 0);
	if (*cli < 0)
		return -1;
	if (connect(*cli, (struct sockaddr *)&laddr, laddr_len))
		goto err;
	*srv = accept(lfd, NULL, NULL);
	if (*srv < 0)
		goto err;
	kc_timeouts(*cli, 3000);
	kc_timeouts(*srv, 3000);
	return 0;
err:
	close(*cli);
	return -1;
}

static int map_add(__u32 key, int fd)
{
	return bpf_map_update_elem(map_fd, &key, &fd, BPF_ANY);
}

static int set_mode(__u32 mode)
{
	__u32 zero = 0;

	return bpf_map_update_elem(cfg_fd, &zero, &mode, BPF_ANY);
}

/* Programs in @mode, and two fresh pairs: *a-*b and *c-*d. */
static int two_pairs(const char *name, __u32 mode, int *a, int *b, int *c,
		     int *d)
{
	if (set_mode(mode) || pair(a, b)) {
		kc_fail(name, "setup: %s", strerror(errno));
		return -1;
	}
	if (pair(c, d)) {
		kc_fail(name, "setup: %s", strerror(errno));
		close(*a);
		close(*b);
		return -1;
	}
	return 0;
}

/* ULP "ktls" and one direction's keys (seed picks them). */
static int ktls(int fd, int dir, unsigned int seed)
{
	if (kt_set_ulp(fd, "ktls"))
		return -1;
	return kc_keys(fd, dir, TLS_1_3_VERSION, gcm, seed);
}

struct mover {
	int fd, how; /* how: 0 send, 1 sendfile, 2 recv, 3 recv over a rekey */
	size_t done; /* bytes moved */
	size_t want; /* bytes to move; 0: STREAM */
	int err;
	unsigned char *buf; /* recv: where the bytes go */
	const unsigned char *src; /* send: what goes; NULL: stream */
};

static void *mover_main(void *arg)
{
	struct mover *m = arg;
	const unsigned char *src = m->src ? m->src : stream;
	size_t want = m->want ? m->want : STREAM;
	int type = KC_TYPE_DATA, expired = 0;
	off_t off = 0;
	ssize_t n;

	while (m->done < want) {
		if (m->how == 0)
			n = send(m->fd, src + m->done, CHUNK, MSG_NOSIGNAL);
		else if (m->how == 1)
			n = sendfile(m->fd, file_fd, &off, CHUNK);
		else if (m->how == 2)
			n = recv(m->fd, m->buf + m->done, want - m->done, 0);
		else
			n = kc_recv_type(m->fd, m->buf + m->done,
					 want - m->done, &type, 0);
		if (n < 0 && errno == EINTR)
			continue;
		/* After the KeyUpdate: wait for the new key (it wakes poll). */
		if (n < 0 && errno == EKEYEXPIRED && ++expired < 100) {
			poll(&(struct pollfd){ .fd = m->fd, .events = POLLIN },
			     1, 3000);
			continue;
		}
		if (n > 0 && type == KC_TYPE_HANDSHAKE)
			continue; /* the KeyUpdate itself */
		if (n <= 0) {
			m->err = n ? errno : 0;
			break;
		}
		m->done += n;
	}
	return NULL;
}

/*
 * Two long-lived workers run the movers (a thread per iteration costs
 * more than the iteration under QEMU TCG).
 */
struct worker {
	pthread_t th;
	sem_t go, done;
	struct mover *m;
};

static struct worker workers[4];

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		while (sem_wait(&w->go))
			;
		mover_main(w->m);
		sem_post(&w->done);
	}
	return NULL;
}

static int start(int i, struct mover *m)
{
	workers[i].m = m;
	return sem_post(&workers[i].go);
}

static void finish(int i)
{
	while (sem_wait(&workers[i].done))
		;
}

/* Read @fd to its end into @buf; returns bytes, *err the errno if any. */
static size_t drain(int fd, unsigned char *buf, size_t cap, int *err)
{
	size_t got = 0;
	ssize_t n;

	*err = 0;
	while (got < cap) {
		n = recv(fd, buf + got, cap - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			*err = errno;
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

enum check { EXACT, PREFIX };

/*
 * What the peer got against the stream: all @sent bytes (EXACT), or any
 * prefix of them (PREFIX).  @bad_err: errnos allowed at the peer's end.
 */
static int verify(const char *name, unsigned char *got, size_t n, size_t sent,
		  enum check how, int err, int ok_err)
{
	if (n > sent) {
		kc_fail(name, "peer got %zu bytes, only %zu were sent", n,
			sent);
		return -1;
	}
	if (how == EXACT && n != sent) {
		kc_fail(name, "peer got %zu of %zu bytes sent (errno %d)", n,
			sent, err);
		return -1;
	}
	if (memcmp(got, stream, n)) {
		kc_fail(name, "peer got %zu bytes that differ from the stream",
			n);
		return -1;
	}
	if (err && err != ok_err && err != ECONNRESET) {
		kc_fail(name, "peer read failed: %s", strerror(err));
		return -1;
	}
	return 0;
}

struct race {
	const char *name;
	int (*run)(const char *name);
	int manual; /* runs only when named */
};

/* How often each of a race's two outcomes came up, for its PASS line. */
static struct {
	const char *what[2];
	long n[2];
} tally;

/* A random pause of up to a few hundred microseconds, without a syscall. */
static void jitter(void)
{
	volatile unsigned int i, n = (rand() & 255) * 16;

	for (i = 0; i < n; i++)
		;
}

static unsigned char rbuf[STREAM + 4 * CHUNK], sbuf[STREAM];

/* Sender S in the map (mode), peer P decrypts; @act races the sender. */
static int tx_race(const char *name, __u32 mode, int how,
		   int (*act)(int s, int p), enum check check, int ok_err,
		   int after)
{
	struct mover m = { .how = how };
	int s, p, err, rc = -1, gone;
	size_t n;

	if (set_mode(mode) || pair(&s, &p)) {
		kc_fail(name, "setup: %s", strerror(errno));
		return -1;
	}
	if (map_add(0, s) || ktls(s, TLS_TX, 1) || ktls(p, TLS_RX, 1)) {
		kc_fail(name, "setup: %s", strerror(errno));
		goto out;
	}
	m.fd = s;
	start(0, &m);
	jitter();
	gone = act(s, p) == 1;
	finish(0);
	if (gone) {
		/* The fd went under the sender: EBADF is its only error. */
		s = -1;
		n = drain(p, rbuf, sizeof(rbuf), &err);
		rc = verify(name, rbuf, n, m.done, check, err, 0);
		if (!rc && m.err && m.err != EBADF) {
			kc_fail(name, "send failed: %s", strerror(m.err));
			rc = -1;
		}
		goto out;
	}
	/*
	 * The socket still works once it has left the map: a last message
	 * goes out, with whatever a cork held.
	 */
	if (after && m.done == STREAM) {
		__u32 key = 0;

		if (bpf_map_delete_elem(map_fd, &key) && errno != ENOENT) {
			kc_fail(name, "map delete: %s", strerror(errno));
			goto out;
		}
		if (send(s, stream + STREAM, CHUNK, MSG_NOSIGNAL) != CHUNK) {
			kc_fail(name, "send after the race: %s",
				strerror(errno));
			goto out;
		}
		m.done += CHUNK;
	}
	shutdown(s, SHUT_WR);
	n = drain(p, rbuf, sizeof(rbuf), &err);
	rc = verify(name, rbuf, n, m.done, check, err, ok_err);
	if (!rc && check == EXACT && m.err) {
		kc_fail(name, "send failed: %s", strerror(m.err));
		rc = -1;
	}
out:
	if (s >= 0)
		close(s);
	close(p);
	return rc;
}

static int act_delete(int s, int p)
{
	__u32 key = 0;

	(void)s;
	(void)p;
	return bpf_map_delete_elem(map_fd, &key);
}

/* Closes the sender's fd under it: tx_race() must not use it after. */
static int act_close(int s, int p)
{
	(void)p;
	close(s);
	return 1;
}

static int act_shutdown(int s, int p)
{
	(void)p;
	return shutdown(s, SHUT_WR);
}

static int act_rekey(int s, int p)
{
	(void)p;
	return kc_keys(s, TLS_TX, TLS_1_3_VERSION, gcm, 7);
}

static int r_delete_send(const char *n)
{
	return tx_race(n, RACE_PASS, 0, act_delete, EXACT, 0, 1);
}

static int r_delete_cork(const char *n)
{
	return tx_race(n, RACE_CORK, 0, act_delete, EXACT, 0, 1);
}

static int r_delete_sendfile(const char *n)
{
	return tx_race(n, RACE_PASS, 1, act_delete, EXACT, 0, 1);
}

static int r_close_send(const char *n)
{
	return tx_race(n, RACE_PASS, 0, act_close, PREFIX, 0, 0);
}

static int r_close_sendfile(const char *n)
{
	return tx_race(n, RACE_PASS, 1, act_close, PREFIX, 0, 0);
}

static int r_shutdown_send(const char *n)
{
	return tx_race(n, RACE_PASS, 0, act_shutdown, PREFIX, 0, 0);
}

static int r_shutdown_sendfile(const char *n)
{
	return tx_race(n, RACE_PASS, 1, act_shutdown, PREFIX, 0, 0);
}

static int r_rekey_send(const char *n)
{
	return tx_race(n, RACE_PASS, 0, act_rekey, PREFIX, EBADMSG, 0);
}

static int r_rekey_sendfile(const char *n)
{
	return tx_race(n, RACE_PASS, 1, act_rekey, PREFIX, EBADMSG, 0);
}

/*
 * Sender S and receiver P, in the map with the stream verdict, whose
 * reader @m is started.  On failure both are closed.
 */
static int rx_pair(const char *name, struct mover *m, int *s, int *p)
{
	if (set_mode(RACE_PASS) || pair(s, p)) {
		kc_fail(name, "setup: %s", strerror(errno));
		return -1;
	}
	if (map_add(0, *p) || ktls(*p, TLS_RX, 1) || ktls(*s, TLS_TX, 1)) {
		kc_fail(name, "setup: %s", strerror(errno));
		close(*s);
		close(*p);
		return -1;
	}
	m->fd = *p;
	start(0, m);
	return 0;
}

/* @what failed once P's reader runs: stop the reader. */
static void rx_abort(const char *name, const char *what, int p)
{
	kc_fail(name, "%s: %s", what, strerror(errno));
	shutdown(p, SHUT_RDWR);
	finish(0);
}

/*
 * Receiver P in the map with the stream verdict; @act races its reader
 * (and returns 1 when it closed P's fd: then EBADF ends the reader).
 */
static int rx_race(const char *name, int (*act)(int p), enum check check)
{
	struct mover m = { .how = 2, .buf = rbuf };
	int s, p, rc = -1;

	if (rx_pair(name, &m, &s, &p))
		return -1;
	if (kc_send_all(s, stream, STREAM) != STREAM) {
		rx_abort(name, "send", p);
		goto out;
	}
	jitter();
	if (act(p) == 1)
		p = -1;
	shutdown(s, SHUT_WR);
	finish(0);
	rc = verify(name, rbuf, m.done, STREAM, check, m.err,
		    p < 0 ? EBADF : 0);
out:
	close(s);
	if (p >= 0)
		close(p);
	return rc;
}

static int act_rx_delete(int p)
{
	__u32 key = 0;

	(void)p;
	return bpf_map_delete_elem(map_fd, &key);
}

static int act_rx_shutdown(int p)
{
	return shutdown(p, SHUT_RD);
}

/* Closes the reader's fd under it: rx_race() must not use it after. */
static int act_rx_close(int p)
{
	close(p);
	return 1;
}

static int r_delete_recv(const char *n)
{
	return rx_race(n, act_rx_delete, EXACT);
}

static int r_shutdown_recv(const char *n)
{
	return rx_race(n, act_rx_shutdown, PREFIX);
}

static int r_close_recv(const char *n)
{
	return rx_race(n, act_rx_close, PREFIX);
}

/*
 * P, in the map with the stream verdict, reads records under key 1, a
 * KeyUpdate and records under key 7, while its RX key becomes key 7 at a
 * random moment.  Once past the KeyUpdate the reader waits for the new key
 * (EKEYEXPIRED, then poll).  A new key before the KeyUpdate was read fails
 * the next record (EBADMSG): then P has a prefix of what came before the
 * KeyUpdate; otherwise the whole stream.
 */
static int r_rekey_recv(const char *name)
{
	struct mover m = { .how = 3, .buf = rbuf };
	const size_t half = 2 * CHUNK;
	int s, p, rc = -1;

	if (rx_pair(name, &m, &s, &p))
		return -1;
	if (kc_send_all(s, stream, half) != (ssize_t)half ||
	    kc_send_type(s, KC_TYPE_HANDSHAKE, kc_key_update,
			 sizeof(kc_key_update)) != sizeof(kc_key_update) ||
	    kc_keys(s, TLS_TX, TLS_1_3_VERSION, gcm, 7) ||
	    kc_send_all(s, stream + half, STREAM - half) !=
		    (ssize_t)(STREAM - half)) {
		rx_abort(name, "send", p);
		goto out;
	}
	jitter();
	if (kc_keys(p, TLS_RX, TLS_1_3_VERSION, gcm, 7)) {
		rx_abort(name, "TLS_RX rekey", p);
		goto out;
	}
	/* Only now: the end of the stream would make poll() readable. */
	shutdown(s, SHUT_WR);
	finish(0);
	if (m.err == EBADMSG)
		rc = verify(name, rbuf, m.done, half, PREFIX, m.err, EBADMSG);
	else
		rc = verify(name, rbuf, m.done, STREAM, EXACT, m.err, 0);
	tally.what[0] = "new key before the KeyUpdate was read";
	tally.what[1] = "after";
	tally.n[m.err != EBADMSG]++;
out:
	close(s);
	close(p);
	return rc;
}

/*
 * S redirects to T (key 1), a ktls socket whose peer Q decrypts.  While
 * S's sender runs, T is closed (and with @own, T's own sender runs too and
 * T leaves the map first).  Q must get a prefix of what reached T.
 */
static int redirect_race(const char *name, __u32 mode, int own, int how)
{
	struct mover m = { .how = how }, mt = { .how = 0 };
	int s, p, t, q, err, rc = -1;
	__u32 key = RACE_TARGET_KEY;
	size_t n;

	if (two_pairs(name, mode, &s, &p, &t, &q))
		return -1;
	if (map_add(RACE_TARGET_KEY, t) || map_add(0, s) ||
	    ktls(s, TLS_TX, 1) ||
	    ktls(t, mode == RACE_REDIRECT ? TLS_TX : TLS_RX, 2) ||
	    ktls(q, mode == RACE_REDIRECT ? TLS_RX : TLS_TX, 2)) {
		kc_fail(name, "setup: %s", strerror(errno));
		goto out;
	}
	m.fd = s;
	mt.fd = t;
	start(0, &m);
	if (own)
		start(1, &mt);
	jitter();
	if (own)
		bpf_map_delete_elem(map_fd, &key);
	close(t);
	t = -1;
	finish(0);
	if (own)
		finish(1);
	rc = 0;
	if (mode == RACE_REDIRECT && !own) {
		n = drain(q, rbuf, sizeof(rbuf), &err);
		rc = verify(name, rbuf, n, m.done, PREFIX, err, 0);
	} else if (mode == RACE_REDIRECT) {
		/* Two writers on T: only the amounts can be checked. */
		n = drain(q, rbuf, sizeof(rbuf), &err);
		if (n > m.done + mt.done || (err && err != ECONNRESET)) {
			kc_fail(name, "peer got %zu bytes (errno %d), %zu sent",
				n, err, m.done + mt.done);
			rc = -1;
		}
	}
	/* Sends after T went: dropped for want of a target, or EPIPE. */
	if (!rc && m.err && m.err != EACCES && m.err != EPIPE &&
	    m.err != ECONNRESET) {
		kc_fail(name, "sender failed: %s", strerror(m.err));
		rc = -1;
	}
out:
	close(s);
	close(p);
	if (t >= 0)
		close(t);
	close(q);
	return rc;
}

static int r_redirect_close(const char *n)
{
	return redirect_race(n, RACE_REDIRECT, 0, 0);
}

static int r_redirect_close_sendfile(const char *n)
{
	return redirect_race(n, RACE_REDIRECT, 0, 1);
}

static int r_redirect_teardown(const char *n)
{
	return redirect_race(n, RACE_REDIRECT, 1, 0);
}

static int r_ingress_close(const char *n)
{
	return redirect_race(n, RACE_REDIRECT_INGRESS, 0, 0);
}

/*
 * A's stream (bytes below 0x80) goes to S, in race_hash, whose stream
 * verdict redirects each record, as S's reader decrypts it, to the receive
 * queue of T, a ktls socket in race_bare (no programs); S's reader gets
 * nothing but S's end.  ktls's redirect worker queues the records on T
 * (sockmap's own worker would charge T's memory without T's lock), while
 * Q's stream (bytes from 0x80 up) reaches T over its own connection and
 * T's reader takes both.  @act races
 * them: nothing (each stream must arrive in full, in order), T's map
 * delete (Q's stream in full, A's a prefix), or T's close (then T has no
 * reader, and only the senders are checked).
 */
enum skb_act { SKB_NONE, SKB_DELETE, SKB_CLOSE, SKB_PLAIN };

static int skb_ingress_race(const char *name, enum skb_act act)
{
	int plain = act == SKB_PLAIN;
	struct mover ma = { .how = 0, .src = lo }, mq = { .how = 0, .src = hi };
	struct mover mr = { .how = 2, .buf = rbuf, .want = 2 * STREAM };
	struct mover ms = { .how = 2, .buf = sbuf };
	unsigned char got[2][2 * STREAM];
	int a, s, q, t, rc = -1, gone = act == SKB_CLOSE;
	size_t n[2] = { 0, 0 }, i;

	if (two_pairs(name, plain ? RACE_SKB_INGRESS_RAW : RACE_SKB_INGRESS, &a,
		      &s, &q, &t))
		return -1;
	if (map_add(0, s) ||
	    bpf_map_update_elem(bare_fd, &(__u32){ RACE_TARGET_KEY }, &t,
				BPF_ANY) ||
	    (!plain && (ktls(a, TLS_TX, 1) || ktls(s, TLS_RX, 1) ||
			ktls(q, TLS_TX, 2) || ktls(t, TLS_RX, 2)))) {
		kc_fail(name, "setup: %s", strerror(errno));
		goto out;
	}
	ma.fd = a;
	mq.fd = q;
	mr.fd = t;
	ms.fd = s;
	if (!plain) /* a plain S's verdict runs as its records arrive */
		start(3, &ms);
	if (!gone)
		start(2, &mr);
	start(0, &ma);
	start(1, &mq);
	jitter();
	if (act == SKB_DELETE)
		bpf_map_delete_elem(bare_fd, &(__u32){ RACE_TARGET_KEY });
	if (gone) {
		close(t);
		t = -1;
	}
	finish(0);
	shutdown(a, SHUT_WR);
	if (!plain)
		finish(3);
	finish(1);
	if (act == SKB_DELETE)
		shutdown(q, SHUT_WR); /* T's reader stops at T's end */
	if (!gone)
		finish(2);
	if (plain) {
		rc = 0;
		goto out;
	}
	if (ma.err ||
	    (mq.err && (!gone || (mq.err != EPIPE && mq.err != ECONNRESET)))) {
		kc_fail(name, "send: %s", strerror(ma.err ?: mq.err));
		goto out;
	}
	if (ms.done || ms.err) {
		kc_fail(name, "S's reader: %zu bytes (%s), want its end",
			ms.done, strerror(ms.err));
		goto out;
	}
	if (gone) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < mr.done; i++) {
		int k = rbuf[i] >> 7;

		got[k][n[k]++] = rbuf[i];
	}
	if (n[1] != STREAM || memcmp(got[1], hi, STREAM)) {
		kc_fail(name, "T's own stream: %zu of %d bytes, %s (errno %d)",
			n[1], STREAM,
			memcmp(got[1], hi, n[1]) ? "differing" : "in order",
			mr.err);
	} else if (n[0] > STREAM || (act == SKB_NONE && n[0] != STREAM) ||
		   memcmp(got[0], lo, n[0])) {
		kc_fail(name, "redirected: %zu of %d bytes, %s (errno %d)",
			n[0], STREAM,
			n[0] > STREAM || memcmp(got[0], lo, n[0]) ?
				"differing" :
				"in order",
			mr.err);
	} else if (mr.err && mr.err != ECONNRESET) {
		kc_fail(name, "recv on T: %s", strerror(mr.err));
	} else {
		rc = 0;
	}
out:
	close(a);
	close(s);
	close(q);
	if (t >= 0)
		close(t);
	return rc;
}

static int r_skb_ingress_recv(const char *n)
{
	return skb_ingress_race(n, SKB_NONE);
}

static int r_skb_ingress_delete(const char *n)
{
	return skb_ingress_race(n, SKB_DELETE);
}

static int r_skb_ingress_close(const char *n)
{
	return skb_ingress_race(n, SKB_CLOSE);
}

static int r_plain_skb_ingress(const char *n)
{
	return skb_ingress_race(n, SKB_PLAIN);
}

static const struct race races[] = {
	{ "delete-send", r_delete_send, 0 },
	{ "delete-cork", r_delete_cork, 0 },
	{ "delete-sendfile", r_delete_sendfile, 0 },
	{ "delete-recv", r_delete_recv, 0 },
	{ "close-send", r_close_send, 0 },
	{ "close-sendfile", r_close_sendfile, 0 },
	{ "close-recv", r_close_recv, 0 },
	{ "shutdown-send", r_shutdown_send, 0 },
	{ "shutdown-sendfile", r_shutdown_sendfile, 0 },
	{ "shutdown-recv", r_shutdown_recv, 0 },
	{ "rekey-send", r_rekey_send, 0 },
	{ "rekey-sendfile", r_rekey_sendfile, 0 },
	{ "rekey-recv", r_rekey_recv, 0 },
	{ "redirect-close", r_redirect_close, 0 },
	{ "redirect-close-sendfile", r_redirect_close_sendfile, 0 },
	{ "redirect-teardown", r_redirect_teardown, 0 },
	{ "ingress-close", r_ingress_close, 0 },
	{ "skb-ingress-recv", r_skb_ingress_recv, 0 },
	{ "skb-ingress-delete", r_skb_ingress_delete, 0 },
	{ "skb-ingress-close", r_skb_ingress_close, 0 },
	{ "plain-skb-ingress", r_plain_skb_ingress, 1 },
};

static int setup(const char *obj_path)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	struct bpf_program *msg, *skb;
	int tmp;

	if (libbpf_get_error(obj) || bpf_object__load(obj))
		return -1;
	msg = bpf_object__find_program_by_name(obj, "race_msg");
	skb = bpf_object__find_program_by_name(obj, "race_skb");
	map_fd = bpf_object__find_map_fd_by_name(obj, "race_hash");
	bare_fd = bpf_object__find_map_fd_by_name(obj, "race_bare");
	cfg_fd = bpf_object__find_map_fd_by_name(obj, "race_cfg");
	if (!msg || !skb || map_fd < 0 || bare_fd < 0 || cfg_fd < 0 ||
	    bpf_prog_attach(bpf_program__fd(msg), map_fd, BPF_SK_MSG_VERDICT,
			    0) ||
	    bpf_prog_attach(bpf_program__fd(skb), map_fd,
			    BPF_SK_SKB_STREAM_VERDICT, 0))
		return -1;
	lfd = kt_listen(AF_INET, &laddr, &laddr_len);
	if (lfd < 0)
		return -1;
	for (tmp = 0; tmp < (int)ARRAY_SIZE(workers); tmp++)
		if (sem_init(&workers[tmp].go, 0, 0) ||
		    sem_init(&workers[tmp].done, 0, 0) ||
		    pthread_create(&workers[tmp].th, NULL, worker_main,
				   &workers[tmp]))
			return -1;
	kc_rand(stream, sizeof(stream), 11);
	for (tmp = 0; tmp < STREAM; tmp++) {
		lo[tmp] = stream[tmp] & 0x7f;
		hi[tmp] = stream[tmp] | 0x80;
	}
	tmp = open("/tmp/policy_race.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (tmp < 0 || write(tmp, stream, STREAM) != STREAM)
		return -1;
	file_fd = tmp;
	return 0;
}

int main(int argc, char **argv)
{
	const char *obj = "/t/bin/race.bpf.o";
	long iters = 10000, i;
	size_t r;
	int opt, a;

	while ((opt = getopt(argc, argv, "n:o:")) != -1) {
		if (opt == 'n')
			iters = atol(optarg);
		else if (opt == 'o')
			obj = optarg;
		else
			goto usage;
	}
	gcm = kc_cipher_by_name("aes_gcm_128");
	srand(1);
	signal(SIGPIPE, SIG_IGN); /* sendfile() has no MSG_NOSIGNAL */
	if (setup(obj)) {
		kc_fail("race.setup", "%s: %s", obj, strerror(errno));
		return 1;
	}
	for (r = 0; r < ARRAY_SIZE(races); r++) {
		char name[64];
		double t0 = kc_now();
		int picked = optind == argc && !races[r].manual;

		for (a = optind; a < argc; a++)
			picked |= !strcmp(argv[a], races[r].name);
		if (!picked)
			continue;
		snprintf(name, sizeof(name), "race.%s", races[r].name);
		kc_watchdog(name, 900);
		memset(&tally, 0, sizeof(tally));
		for (i = 0; i < iters; i++)
			if (races[r].run(name))
				break;
		if (i == iters && tally.what[0])
			kc_pass(name,
				"%ld iterations in %.0f s: %ld %s, %ld %s",
				iters, kc_now() - t0, tally.n[0], tally.what[0],
				tally.n[1], tally.what[1]);
		else if (i == iters)
			kc_pass(name, "%ld iterations in %.0f s", iters,
				kc_now() - t0);
	}
	kc_watchdog(NULL, 0);
	return kt_failed;
usage:
	fprintf(stderr,
		"usage: policy_race [-n ITERATIONS] [-o BPF_OBJECT] [RACE...]\n");
	return 2;
}
