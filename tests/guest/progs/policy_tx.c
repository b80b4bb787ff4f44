// SPDX-License-Identifier: GPL-2.0
/*
 * policy_tx 12|13 CIPHER [BPF_OBJECT]
 *
 * SK_MSG policy on ktls TX plaintext (docs/policy.md).  Every case loads a
 * fresh tests/guest/bpf/policy.bpf.o, attaches msg_policy to its sock_hash
 * and puts a loopback sender S there BEFORE TCP_ULP "ktls" and TLS_TX.  S's
 * peer P is the in-tree tls.ko (ULP "tls", TLS_RX with S's keys), so the
 * bytes are checked by an independent implementation.  Each case checks
 * the return values and errnos of the calls, the exact bytes at the peers,
 * how often the program ran and on how many bytes, and the exact deltas of
 * the policy counters in /proc/net/ktls_stat.
 *
 *   pass             all bytes arrive, send returns the size
 *   drop             EACCES, nothing arrives; the next sends run the
 *                    program again (it drops messages starting with DROP)
 *   apply-partial    apply_bytes(600) then drop: send returns 600
 *   apply-span       apply_bytes(2500) over sends of 1000: not rerun until
 *                    consumed, then a boundary inside the third send
 *   pop-apply-drop   pop_data of 5 bytes, apply_bytes(100), then a drop:
 *                    send 200 returns 105 (the popped bytes were taken)
 *   apply-eagain     apply_bytes(100) on every run, non-blocking sends of
 *                    16000 into a TCP that fills: a call that stops (TCP
 *                    full) halfway through its verdicts returns 16000, and
 *                    the rest of its bytes arrive with no further send
 *   cork             cork_bytes(3000): sends of 1000 return 1000, nothing
 *                    arrives until 3000 are pending, then one verdict
 *   cork-drop        a drop after the cork discards all 3000 bytes: EACCES
 *   cork-over-apply  apply_bytes(500) and cork_bytes(2000) in one run:
 *                    nothing is released before 2000 bytes
 *   cork-close       bytes still corked at close are discarded and counted
 *   cork-full        a cork cannot span records: with cork_bytes(30000) the
 *                    program runs again when the record is full (16384)
 *   cork-ctrl        ... and before a control record, on what is held
 *   redir-egress-ktls  bpf_msg_redirect_hash to a ktls socket T in the
 *                    map: T's peer decrypts with T's keys; T's program does
 *                    not run on them (it does on T's own send)
 *   redir-close-target  S's redirects into T fill T's send buffer (its
 *                    peer does not read, no send time-out on T), so S's
 *                    send waits inside the delivery: close(T) returns at
 *                    once, that send counts its sealed record, the next
 *                    fails (EPIPE or EACCES; S sends with MSG_NOSIGNAL:
 *                    no SIGPIPE), T's peer gets exactly the bytes counted
 *                    (but the last record if close() had no room for its
 *                    rest), then EOF; a send after the close finds no
 *                    target: EACCES
 *   redir-full-later  100 bytes S took with MSG_MORE are judged (redirect)
 *                    when a non-blocking control record closes their
 *                    record while T is full: that call fails with EAGAIN,
 *                    the 100 bytes wait and reach T's peer once it reads,
 *                    S polls not writable meanwhile, then writable (and
 *                    an edge-triggered epoll gets EPOLLOUT); the control
 *                    record goes to P; closing S while they wait neither
 *                    hangs nor leaks
 *   redir-full-more  the same 100 bytes closed by a non-blocking send of
 *                    50 while T is full: EAGAIN, the 100 reach T's peer,
 *                    then the 50 sent again: every byte once, in order
 *   redir-full-busy  the 100 bytes wait while T's own send, redirected
 *                    into T, waits in T's TCP holding T's TX lock: S's
 *                    retries do not wait for it, close(S) returns at once
 *   redir-full-behind  the 100 bytes wait while S also has a sealed record
 *                    its TCP does not take (R's sends, redirected into S;
 *                    P does not read): they reach T's peer once it reads,
 *                    P still not reading; then P gets R's bytes
 *   redir-full-shut  the same, S shut down for writing while they wait
 *   ctrl-eintr       a control record that a signal ends while it waits
 *                    for S's own record (from R) leaves S's open MSG_MORE
 *                    bytes unjudged: the next send's run sees all of them
 *   redir-shut-tcp, redir-shut-ktls  a redirect of earlier MSG_MORE
 *                    bytes to a target shut down for writing fails the
 *                    send that closed them (EPIPE), and none of its bytes
 *                    are sent later
 *   redir-pop-shut   the same (plain TCP) when the run popped 10 of the
 *                    earlier bytes and covers 150 of the 190: the failed
 *                    call's last 40 bytes are not sent later either
 *   redir-push-shut  ... when the run pushed 20 into a call of 100 and
 *                    covers 10: none of the other 110 are sent later
 *   redir-push-later a first run pushes 20 into a call of 100 and passes
 *                    10, a second redirects 30 to that target: the call
 *                    returns 10, none of the rest is sent later
 *   redir-egress-tcp bpf_msg_redirect_map to a plain TCP socket: plaintext
 *   redir-ingress-tcp  BPF_F_INGRESS to a plain TCP socket: recv() there
 *   redir-ingress-ktls BPF_F_INGRESS to a ktls socket with TLS_RX: recv()
 *                    there, without a record-type cmsg; its own records
 *                    still decrypt afterwards
 *   push, pop, pull  bpf_msg_push_data/pop_data/pull_data (+ writes)
 *   sendfile         data == data_end until pull_data, which exposes it
 *   msg-more         MSG_MORE: the program runs once, at the record end
 *   maxrec           20000 bytes in one send: runs on 16384 and 3616
 *   maxrec-limit     the same at TLS_TX_MAX_PAYLOAD_LEN 1000: 2500 bytes
 *                    give runs on 1000, 1000 and 500
 *   ctrl             a control record bypasses the program; the open data
 *                    is judged before it
 *   order-ulp-first  a socket with the ktls ULP cannot join a map: EINVAL
 *   order-second-map a ktls socket in a map with a program cannot join a
 *                    second map: EBUSY
 *   order-attach-later  a program attached after the socket joined the
 *                    map does not run on it
 *   order-map-delete after the map delete the program no longer runs and
 *                    the socket sends and receives kTLS correctly
 *   intree-refuses   tls.ko: socket in a sockhash, ULP "tls", then TLS_TX
 *                    and TLS_RX fail with EINVAL (Debian's backport)
 *
 * A whole record sent from the caller's buffer is judged on the caller's
 * pages (ktls_tx_send_judged()); the zc- cases send 16384 bytes from 100
 * bytes into a page and check that the caller's buffer is never written
 * and that no verdict keeps its pages past the call (the buffer is
 * overwritten after the send, and the bytes must arrive as they were):
 *   zc-write-head    the program sees the first page's 3996 bytes and
 *                    overwrites 16 at offset 0
 *   zc-write-pull    it pulls and overwrites 16 bytes at offset 9000
 *   zc-cork          10000 bytes held by a cork, then 5000 more
 *   zc-redirect      redirected to a plain TCP socket's receive queue
 *   zc-apply         apply_bytes(5000): two verdicts, two records
 *   zc-drop          EACCES, nothing arrives, 16384 bytes counted
 *   zc-push-full     push_data(4, 6) on a full record: 16390 bytes
 *                    arrive, in records of at most 16384
 *
 * With POLICY_NOMEM set only the nomem- cases run, and they need the test
 * build of ktls with fault injection (ktls_fault.ko, the 47-nomem suite):
 * the seal of a record fails as if memory had run out.
 *   nomem-more       no policy; MSG_MORE bytes and the next call's: the
 *                    call returns what it took, all arrive with no
 *                    further call
 *   nomem-direct     no policy; a record from the caller's pages: ENOMEM,
 *                    nothing arrives, the same send again arrives once
 *   nomem-pass       the nomem-more sends under a pass with push_data: the
 *                    program runs once, the push arrives once
 *   nomem-zc         a pass of a whole record, sealed from the caller's
 *                    pages: ENOMEM, nothing arrives, no verdict counted;
 *                    sent again it arrives once
 *   nomem-zc-split   a push makes a whole record 16390 bytes (copied from
 *                    the caller's pages) and the second seal fails: send
 *                    returns 16384, the last 6 bytes arrive with no
 *                    further call and no second run
 *   nomem-copy-partial  no policy; 20000 bytes with MSG_MORE, no page for
 *                    the copy of the last 3616: send returns 16384
 *   nomem-copy-window  no copy of the bytes the program reads: ENOMEM,
 *                    the program does not run; sent again, once
 *   nomem-copy-redirect  a redirect of a whole record to a plain TCP
 *                    socket, whose pages cannot be copied: ENOMEM,
 *                    nothing reaches the target; sent again, once
 *   nomem-rx         a record that cannot be decrypted: recv ENOMEM, poll
 *                    still readable, the next recv returns it once
 *   nomem-aead-inplace  the AEAD fails with ENOMEM after it has run on
 *                    a record sealed in place: nothing reaches P, then
 *                    or later; every later send (and a TLS 1.3 rekey)
 *                    fails with EBADMSG
 *   nomem-aead-copy  ... on a record sealed into new pages: ENOMEM,
 *                    nothing sent; sent again, it arrives once
 *   nomem-sweep      a script of sends both ways with each point (and
 *                    all) failing from its 1st, 2nd, ... pass, once or
 *                    for good, without a policy, with a pass-all one and
 *                    with one redirecting all to a ktls socket: the peer
 *                    gets exactly the bytes the calls said they took
 */
#include <fcntl.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>

#include "policy_common.h"

#ifndef TLS_TX_MAX_PAYLOAD_LEN
#define TLS_TX_MAX_PAYLOAD_LEN 5 /* include/uapi/linux/ktls.h */
#endif

#define SEED_S 1 /* S -> P */
#define SEED_P 2 /* P -> S */
#define SEED_T 3 /* target T -> its peer */
#define SEED_R 4 /* a third ktls socket R */

static unsigned char buf[32768], want[32768];

struct txc {
	struct pol pol;
	int s, p; /* sender in sock_hash key 0, its tls.ko peer */
	int x, xp; /* redirect target, its peer */
	int ok; /* set up completely: check the counters */
};

static ssize_t snd(int fd, const void *b, size_t n, int flags)
{
	return send(fd, b, n, flags | MSG_NOSIGNAL);
}

static void txc_init(struct txc *c)
{
	memset(c, 0, sizeof(*c));
	c->s = c->p = c->x = c->xp = -1;
}

#define RX_KEYS 1 /* tx_setup(): S gets TLS_RX too */
#define RX_VERDICT 2 /* ... and a stream verdict that passes all */

/*
 * The program attached to sock_hash with @steps; S in sock_hash under key
 * 0, then ULP ktls and TLS_TX (and TLS_RX with @rx); P with ULP tls and
 * the matching keys.
 */
static int tx_setup(struct tcase *t, struct txc *c, const struct pc_step *st,
		    int n, int rx)
{
	const struct pc_step pass = { .verdict = PC_PASS };

	txc_init(c);
	if (pol_open(t, &c->pol) || pol_attach(t, &c->pol, c->pol.hash, 0) ||
	    pol_steps(t, c->pol.msg_steps, st, n))
		return -1;
	if ((rx & RX_VERDICT) && (pol_attach(t, &c->pol, c->pol.hash, 1) ||
				  pol_steps(t, c->pol.skb_steps, &pass, 1)))
		return -1;
	if (pc_pair(t, &c->s, &c->p))
		return -1;
	if (pol_add(c->pol.hash, 0, c->s)) {
		tc_fail(t, "setup: add S to sock_hash: %s", strerror(errno));
		return -1;
	}
	if (pc_ulp(t, "S", c->s, "ktls") ||
	    pc_keys(t, "S", c->s, TLS_TX, SEED_S) ||
	    pc_ulp(t, "P", c->p, "tls") ||
	    pc_keys(t, "P", c->p, TLS_RX, SEED_S))
		return -1;
	if (rx && (pc_keys(t, "S", c->s, TLS_RX, SEED_P) ||
		   pc_keys(t, "P", c->p, TLS_TX, SEED_P)))
		return -1;
	return 0;
}

/* Target T in @map_fd key 1; @ulp NULL: plain TCP, else keys in @dir. */
static int target_setup(struct tcase *t, struct txc *c, int map_fd,
			const char *ulp, int dir)
{
	return pc_target(t, "T", &c->x, &c->xp, map_fd, ulp, dir, SEED_T);
}

/* Close a case's sockets and program. */
static void tx_done_quiet(struct txc *c)
{
	pc_close(&c->s);
	pc_close(&c->p);
	pc_close(&c->x);
	pc_close(&c->xp);
	pol_close(&c->pol);
}

static void tx_done(struct tcase *t, struct txc *c, const long long *ctrs)
{
	tx_done_quiet(c);
	if (c->ok && ctrs)
		tc_ctrs(t, ctrs);
	tc_end(t);
}

/* Log entry @i of the SK_MSG program. */
static int run_log(struct tcase *t, struct txc *c, unsigned int i,
		   struct pc_run *r)
{
	struct pc_stats st;

	if (pol_stats(t, c->pol.msg_stats, &st))
		return -1;
	if (st.runs <= i) {
		tc_fail(t, "program log: no run %u (ran %llu times)", i,
			(unsigned long long)st.runs);
		return -1;
	}
	*r = st.log[i];
	return 0;
}

/* Run @i saw @len readable bytes first, equal to @head. */
static void tc_head(struct tcase *t, struct txc *c, unsigned int i,
		    const unsigned char *head, unsigned int len)
{
	struct pc_run r;

	if (run_log(t, c, i, &r))
		return;
	if (r.head_len != len || memcmp(r.head, head, len))
		tc_fail(t,
			"run %u: program read %u bytes %02x%02x%02x%02x.., want %u bytes %02x%02x%02x%02x..",
			i, r.head_len, r.head[0], r.head[1], r.head[2],
			r.head[3], len, head[0], head[1], head[2], head[3]);
}

#define SIZES(...) ((const unsigned int[]){ __VA_ARGS__ })

/* --- verdicts ------------------------------------------------------- */

static void case_pass(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "pass");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		kc_rand(buf, 1000, 11);
		tc_rc(&t, "send 1000", snd(c.s, buf, 1000, 0), 1000);
		tc_recv(&t, "P", c.p, buf, 1000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "after send", c.pol.msg_stats, 1, SIZES(1000));
		tc_head(&t, &c, 0, buf, PC_HEAD);
	}
	tx_done(&t, &c, ctrs);
}

static void case_drop(void)
{
	const struct pc_step st[] = { { .prefix_len = 4, .prefix = "DROP" } };
	const long long ctrs[C_N] = {
		[C_PASS] = 2, [C_DROP] = 2, [C_DROPPED] = 1300
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "drop");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		kc_rand(buf, 4000, 12);
		memcpy(buf, "DROP", 4);
		buf[1000] = 'k';
		memcpy(buf + 1500, "DROP", 4);
		buf[1800] = 'k';
		tc_errno(&t, "send DROP 1000", snd(c.s, buf, 1000, 0), EACCES);
		tc_quiet(&t, "P after the drop", c.p);
		tc_rc(&t, "send 500", snd(c.s, buf + 1000, 500, 0), 500);
		tc_recv(&t, "P", c.p, buf + 1000, 500);
		tc_errno(&t, "send DROP 300", snd(c.s, buf + 1500, 300, 0),
			 EACCES);
		tc_rc(&t, "send 200", snd(c.s, buf + 1800, 200, 0), 200);
		tc_recv(&t, "P", c.p, buf + 1800, 200);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 4,
			SIZES(1000, 500, 300, 200));
	}
	tx_done(&t, &c, ctrs);
}

static void case_apply_partial(void)
{
	const struct pc_step st[] = { { .apply = 600 },
				      { .verdict = PC_DROP },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = {
		[C_PASS] = 2, [C_DROP] = 1, [C_DROPPED] = 400
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "apply-partial");
	if (!tx_setup(&t, &c, st, 3, 0)) {
		c.ok = 1;
		kc_rand(buf, 1100, 13);
		tc_rc(&t, "send 1000 (600 passed, 400 dropped)",
		      snd(c.s, buf, 1000, 0), 600);
		tc_recv(&t, "P", c.p, buf, 600);
		tc_quiet(&t, "P after 600", c.p);
		tc_rc(&t, "next send 100", snd(c.s, buf + 1000, 100, 0), 100);
		tc_recv(&t, "P", c.p, buf + 1000, 100);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 3, SIZES(1000, 400, 100));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * A pass that popped bytes, then a drop in the same call: the call
 * returns what the pass covered including its popped bytes (they were
 * taken), and only the drop's bytes are given back.
 */
static void case_pop_apply_drop(void)
{
	const struct pc_step st[] = {
		{ .pop_start = 2, .pop_len = 5, .apply = 100 },
		{ .verdict = PC_DROP },
		{ .verdict = PC_PASS }
	};
	const long long ctrs[C_N] = {
		[C_PASS] = 2, [C_DROP] = 1, [C_DROPPED] = 95
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "pop-apply-drop");
	if (!tx_setup(&t, &c, st, 3, 0)) {
		c.ok = 1;
		kc_rand(buf, 300, 41);
		memcpy(want, buf, 2);
		memcpy(want + 2, buf + 7, 98);
		tc_rc(&t, "send 200 (5 popped, 100 passed, 95 dropped)",
		      snd(c.s, buf, 200, 0), 105);
		tc_recv(&t, "P", c.p, want, 100);
		tc_quiet(&t, "P after 100", c.p);
		tc_rc(&t, "next send 100", snd(c.s, buf + 200, 100, 0), 100);
		tc_recv(&t, "P", c.p, buf + 200, 100);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 3, SIZES(200, 95, 100));
	}
	tx_done(&t, &c, ctrs);
}

static void case_apply_span(void)
{
	const struct pc_step st[] = { { .apply = 2500 },
				      { .verdict = PC_DROP },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = {
		[C_PASS] = 2, [C_DROP] = 1, [C_DROPPED] = 500
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "apply-span");
	if (!tx_setup(&t, &c, st, 3, 0)) {
		c.ok = 1;
		kc_rand(buf, 3300, 14);
		tc_rc(&t, "send 1", snd(c.s, buf, 1000, 0), 1000);
		tc_recv(&t, "P after send 1", c.p, buf, 1000);
		tc_rc(&t, "send 2", snd(c.s, buf + 1000, 1000, 0), 1000);
		tc_recv(&t, "P after send 2", c.p, buf + 1000, 1000);
		tc_runs(&t, "after send 2", c.pol.msg_stats, 1, SIZES(1000));
		tc_rc(&t, "send 3 (500 covered, 500 dropped)",
		      snd(c.s, buf + 2000, 1000, 0), 500);
		tc_recv(&t, "P after send 3", c.p, buf + 2000, 500);
		tc_quiet(&t, "P after send 3", c.p);
		tc_rc(&t, "send 4", snd(c.s, buf + 3000, 300, 0), 300);
		tc_recv(&t, "P after send 4", c.p, buf + 3000, 300);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 3, SIZES(1000, 500, 300));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * The program's runs times 100 (each run passes 100 bytes) fall short of
 * @sent: a call ended with bytes of its records not yet sealed.
 */
static int unsealed_left(struct tcase *t, struct txc *c, size_t sent)
{
	struct pc_stats st;

	return !pol_stats(t, c->pol.msg_stats, &st) && st.runs * 100 < sent;
}

/*
 * P reads (at most @max bytes, @flags) and checks them against the stream
 * of repeated 16000-byte sends of buf; *@rcvd counts what arrived.
 * Returns the recv() result.
 */
static ssize_t p_read(struct tcase *t, struct txc *c, size_t *rcvd, size_t max,
		      int flags)
{
	static unsigned char r[16000];
	ssize_t n, k;

	n = recv(c->p, r, max < sizeof(r) ? max : sizeof(r), flags);
	for (k = 0; k < n; k++)
		if (r[k] != buf[(*rcvd + k) % 16000]) {
			tc_fail(t, "P: byte %zu of the stream differs",
				*rcvd + k);
			return -1;
		}
	if (n > 0)
		*rcvd += n;
	return n;
}

static void case_apply_eagain(void)
{
	const struct pc_step st[] = { { .apply = 100 } };
	long long ctrs[C_N] = { 0 };
	size_t sent = 0, rcvd = 0;
	int small = 4096, i;
	struct tcase t;
	struct txc c;
	ssize_t n;

	tc_begin(&t, "apply-eagain");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		setsockopt(c.s, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
		setsockopt(c.p, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		kc_rand(buf, 16000, 17);
		/*
		 * Send until a call runs into the full TCP halfway through
		 * its verdicts; P reads a little whenever none did.
		 */
		for (i = 0; i < 400 && !unsealed_left(&t, &c, sent); i++) {
			n = snd(c.s, buf, 16000, MSG_DONTWAIT);
			if (n == 16000) {
				sent += n;
			} else if (n >= 0 || errno != EAGAIN) {
				tc_rc(&t, "non-blocking send 16000", n, 16000);
				break;
			} else if (p_read(&t, &c, &rcvd, 3000, MSG_DONTWAIT) <
					   0 &&
				   errno != EAGAIN) {
				break;
			}
		}
		if (!unsealed_left(&t, &c, sent))
			tc_fail(&t,
				"no call ended with bytes left unsealed in %d tries (%zu bytes sent)",
				i, sent);
		/* With no further send, all of it arrives. */
		while (rcvd < sent && p_read(&t, &c, &rcvd, sent - rcvd, 0) > 0)
			;
		if (rcvd != sent)
			tc_fail(&t, "P: %zu of the %zu bytes sent arrived",
				rcvd, sent);
		tc_quiet(&t, "P afterwards", c.p);
		ctrs[C_PASS] = sent / 100;
		tc_runs(&t, "runs", c.pol.msg_stats, sent / 100, NULL);
	}
	tx_done(&t, &c, ctrs);
}

/* Read one record-type read of exactly @len bytes of @type. */
static void tc_recv_rec(struct tcase *t, const char *what, int fd,
			const void *want_buf, size_t len, int want_type)
{
	static unsigned char r[4096];
	ssize_t n;
	int type;

	n = kc_recv_type(fd, r, sizeof(r), &type, 0);
	if (n != (ssize_t)len || type != want_type || memcmp(r, want_buf, len))
		tc_fail(t,
			"%s: recvmsg %zd%s%s bytes of type %d, want %zu of type %d%s",
			what, n, n < 0 ? " " : "", n < 0 ? strerror(errno) : "",
			type, len, want_type,
			n == (ssize_t)len && type == want_type ?
				" (bytes differ)" :
				"");
}

/* --- cork ----------------------------------------------------------- */

static void case_cork(void)
{
	const struct pc_step st[] = { { .cork = 3000 },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1, [C_CORKED] = 2000 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "cork");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		kc_rand(buf, 3000, 15);
		tc_rc(&t, "send 1", snd(c.s, buf, 1000, 0), 1000);
		tc_quiet(&t, "P after send 1", c.p);
		tc_rc(&t, "send 2", snd(c.s, buf + 1000, 1000, 0), 1000);
		tc_quiet(&t, "P after send 2", c.p);
		tc_runs(&t, "after send 2", c.pol.msg_stats, 1, SIZES(1000));
		tc_rc(&t, "send 3", snd(c.s, buf + 2000, 1000, 0), 1000);
		tc_recv(&t, "P after send 3", c.p, buf, 3000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(1000, 3000));
	}
	tx_done(&t, &c, ctrs);
}

static void case_cork_drop(void)
{
	const struct pc_step st[] = { { .cork = 3000 },
				      { .verdict = PC_DROP },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = {
		[C_PASS] = 1, [C_DROP] = 1, [C_CORKED] = 2000, [C_DROPPED] = 3000
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "cork-drop");
	if (!tx_setup(&t, &c, st, 3, 0)) {
		c.ok = 1;
		kc_rand(buf, 3200, 16);
		tc_rc(&t, "send 1", snd(c.s, buf, 1000, 0), 1000);
		tc_rc(&t, "send 2", snd(c.s, buf + 1000, 1000, 0), 1000);
		tc_errno(&t, "send 3 (drop)", snd(c.s, buf + 2000, 1000, 0),
			 EACCES);
		tc_quiet(&t, "P after the drop", c.p);
		tc_rc(&t, "send 4", snd(c.s, buf + 3000, 200, 0), 200);
		tc_recv(&t, "P after send 4", c.p, buf + 3000, 200);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 3, SIZES(1000, 3000, 200));
	}
	tx_done(&t, &c, ctrs);
}

static void case_cork_over_apply(void)
{
	const struct pc_step st[] = { { .apply = 500, .cork = 2000 },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1, [C_CORKED] = 1000 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "cork-over-apply");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		kc_rand(buf, 2000, 17);
		tc_rc(&t, "send 1", snd(c.s, buf, 1000, 0), 1000);
		tc_quiet(&t, "P after send 1 (apply 500 must not release)",
			 c.p);
		tc_rc(&t, "send 2", snd(c.s, buf + 1000, 1000, 0), 1000);
		tc_recv(&t, "P after send 2", c.p, buf, 2000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(1000, 2000));
	}
	tx_done(&t, &c, ctrs);
}

static void case_cork_close(void)
{
	const struct pc_step st[] = { { .cork = 3000 } };
	const long long ctrs[C_N] = { [C_CORKED] = 1000, [C_DROPPED] = 1000 };
	struct tcase t;
	struct txc c;
	ssize_t n;

	tc_begin(&t, "cork-close");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		kc_rand(buf, 1000, 18);
		tc_rc(&t, "send", snd(c.s, buf, 1000, 0), 1000);
		close(c.s); /* orderly: FIN after whatever is sent */
		c.s = -1;
		n = recv(c.p, want, sizeof(want), 0);
		if (n != 0)
			tc_fail(&t,
				"P after close: recv %zd (%s), want 0 (EOF, no data)",
				n, n < 0 ? strerror(errno) : "data");
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(1000));
	}
	tx_done(&t, &c, ctrs);
}

static void case_cork_full(void)
{
	const struct pc_step st[] = { { .cork = 30000 },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 2, [C_CORKED] = 10000 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "cork-full");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		kc_rand(buf, 20000, 35);
		tc_rc(&t, "send 10000", snd(c.s, buf, 10000, 0), 10000);
		tc_quiet(&t, "P after send 1", c.p);
		tc_rc(&t, "send 10000", snd(c.s, buf + 10000, 10000, 0), 10000);
		tc_recv(&t, "P after send 2", c.p, buf, 20000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 3,
			SIZES(10000, 16384, 3616));
	}
	tx_done(&t, &c, ctrs);
}

static void case_cork_ctrl(void)
{
	const struct pc_step st[] = { { .cork = 3000 },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1, [C_CORKED] = 1000 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "cork-ctrl");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		kc_rand(buf, 1050, 36);
		tc_rc(&t, "send 1000", snd(c.s, buf, 1000, 0), 1000);
		tc_quiet(&t, "P while corked", c.p);
		tc_rc(&t, "handshake record",
		      kc_send_type(c.s, KC_TYPE_HANDSHAKE, buf + 1000, 50), 50);
		tc_recv_rec(&t, "P data", c.p, buf, 1000, KC_TYPE_DATA);
		tc_recv_rec(&t, "P handshake", c.p, buf + 1000, 50,
			    KC_TYPE_HANDSHAKE);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(1000, 1000));
	}
	tx_done(&t, &c, ctrs);
}

/* --- redirects ------------------------------------------------------ */

static void case_redir_egress_ktls(void)
{
	const struct pc_step st[] = {
		{ .verdict = PC_REDIRECT, .map = PC_HASH, .key = 1 },
		{ .verdict = PC_PASS }
	};
	const long long ctrs[C_N] = { [C_PASS] = 1, [C_REDIR] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "redir-egress-ktls");
	if (!tx_setup(&t, &c, st, 2, 0) &&
	    !target_setup(&t, &c, c.pol.hash, "ktls", TLS_TX)) {
		c.ok = 1;
		kc_rand(buf, 1200, 19);
		tc_rc(&t, "send on S", snd(c.s, buf, 1000, 0), 1000);
		tc_recv(&t, "T's peer (T's keys)", c.xp, buf, 1000);
		tc_quiet(&t, "P (S's peer)", c.p);
		tc_runs(&t, "after the redirect (T's program must not run)",
			c.pol.msg_stats, 1, SIZES(1000));
		tc_rc(&t, "T's own send", snd(c.x, buf + 1000, 200, 0), 200);
		tc_recv(&t, "T's peer after T's send", c.xp, buf + 1000, 200);
		tc_quiet(&t, "T's peer afterwards", c.xp);
		tc_runs(&t, "after T's send", c.pol.msg_stats, 2,
			SIZES(1000, 200));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * close() of a redirect target while a redirect into it waits for its
 * send buffer.  Before ktls_tx_lock_close() the close slept on T's TX
 * lock until the sender gave up: here, never (T has no time-out), so a
 * close still running after CLOSE_WAIT_MS is failed and unblocked by
 * interrupting the sender.
 */
#define CLOSE_WAIT_MS 3000
static unsigned char big[1 << 20], got_big[1 << 20];

struct side_call {
	int fd;
	ssize_t rc;
	int err;
	int done;
};

/* Records of 16384 bytes until one fails: how far it got, and why. */
static void *big_send_main(void *arg)
{
	struct side_call *b = arg;
	ssize_t n = 0;

	b->rc = 0;
	while ((size_t)b->rc < sizeof(big)) {
		/* T's EPIPE reaches S as it does with sockmap's redirect. */
		n = send(b->fd, big + b->rc, 16384, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		b->rc += n;
	}
	b->err = n < 0 ? errno : 0;
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *close_main(void *arg)
{
	struct side_call *b = arg;

	b->rc = close(b->fd);
	b->err = errno;
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Start @fn with @sc (on @fd) in *@th and check that 300 ms later its call
 * is still waiting (@what: the call).  -1 if the thread did not start.
 */
static int start_waiting(struct tcase *t, pthread_t *th,
			 void *(*fn)(void *), struct side_call *sc, int fd,
			 const char *what)
{
	sc->fd = fd;
	if (pthread_create(th, NULL, fn, sc)) {
		tc_fail(t, "setup: pthread_create failed");
		return -1;
	}
	kc_msleep(300);
	if (__atomic_load_n(&sc->done, __ATOMIC_ACQUIRE))
		tc_fail(t, "setup: %s did not wait (%zd, %s)", what, sc->rc,
			strerror(sc->err));
	return 0;
}

/* Interrupt @th (SIGUSR1, 100 ms apart) until its call is done; join it. */
static void interrupt_until_done(pthread_t th, struct side_call *sc)
{
	while (!__atomic_load_n(&sc->done, __ATOMIC_ACQUIRE)) {
		pthread_kill(th, SIGUSR1);
		kc_msleep(100);
	}
	pthread_join(th, NULL);
}

static volatile sig_atomic_t sigpipes;

static void on_signal(int sig)
{
	if (sig == SIGPIPE)
		sigpipes++;
}

/*
 * A program that redirects every message of S to a ktls socket T, with
 * send buffer (T) and receive buffer (T's peer) of @bufsize.
 */
static int redir_all_setup(struct tcase *t, struct txc *c, const char *name,
			   int bufsize)
{
	struct pc_step st[PC_NSTEPS];
	int i;

	for (i = 0; i < PC_NSTEPS; i++)
		st[i] = (struct pc_step){ .verdict = PC_REDIRECT,
					  .map = PC_HASH,
					  .key = 1 };
	tc_begin(t, name);
	if (tx_setup(t, c, st, PC_NSTEPS, 0) ||
	    target_setup(t, c, c->pol.hash, "ktls", TLS_TX))
		return -1;
	setsockopt(c->x, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
	setsockopt(c->xp, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	return 0;
}

/*
 * T's send queue has not moved for a second while the sends still run:
 * the peer's window is shut, and the sender waits inside the delivery.
 */
static int wait_target_full(int x, struct side_call *snd_call)
{
	int last = -1, same = 0, outq, i;

	for (i = 0; i < 200 && same < 10; i++) {
		kc_msleep(100);
		if (__atomic_load_n(&snd_call->done, __ATOMIC_ACQUIRE) ||
		    ioctl(x, SIOCOUTQ, &outq))
			return -1;
		same = outq > 0 && outq == last ? same + 1 : 0;
		last = outq;
	}
	return same < 10 ? -1 : 0;
}

static void case_redir_close_target(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct side_call sc = { 0 }, cc = { 0 };
	pthread_t sender, closer;
	struct timeval tv = { 0 };
	struct tcase t;
	struct txc c;
	size_t got = 0;
	ssize_t n;
	double t0;

	if (redir_all_setup(&t, &c, "redir-close-target", 65536))
		goto out;
	setsockopt(c.x, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigpipes = 0;
	kc_rand(big, sizeof(big), 40);

	sc.fd = c.s;
	if (pthread_create(&sender, NULL, big_send_main, &sc)) {
		tc_fail(&t, "setup: pthread_create failed");
		goto out;
	}
	if (wait_target_full(c.x, &sc)) {
		tc_fail(&t,
			"setup: T's send buffer never filled (S's send returned %zd)",
			sc.rc);
		pthread_join(sender, NULL);
		goto out;
	}

	cc.fd = c.x;
	t0 = kc_now();
	if (pthread_create(&closer, NULL, close_main, &cc)) {
		tc_fail(&t, "setup: pthread_create failed");
		pthread_kill(sender, SIGUSR1);
		pthread_join(sender, NULL);
		goto out;
	}
	c.x = -1;
	while (!__atomic_load_n(&cc.done, __ATOMIC_ACQUIRE) &&
	       kc_now() - t0 < CLOSE_WAIT_MS / 1000.0)
		kc_msleep(10);
	if (!__atomic_load_n(&cc.done, __ATOMIC_ACQUIRE)) {
		tc_fail(&t,
			"close(T) still waiting after %d ms for the redirect into it",
			CLOSE_WAIT_MS);
		while (!__atomic_load_n(&cc.done, __ATOMIC_ACQUIRE)) {
			pthread_kill(sender, SIGUSR1);
			kc_msleep(100);
		}
	}
	pthread_join(closer, NULL);
	pthread_join(sender, NULL);
	tc_rc(&t, "close(T)", cc.rc, 0);

	/*
	 * The send waiting in the delivery had sealed its record: it counts
	 * (16384), as records that close() finds unsent always do.  The send
	 * after it fails: EPIPE while T is still in the map, EACCES once
	 * close() has taken it out.
	 */
	if (sc.err != EPIPE && sc.err != EACCES)
		tc_fail(&t, "S's send after %zd bytes: %s, want EPIPE or EACCES",
			sc.rc, sc.err ? strerror(sc.err) : "no error");
	if (sigpipes)
		tc_fail(&t, "S's sender got SIGPIPE %d times, want none",
			(int)sigpipes);
	signal(SIGPIPE, SIG_DFL);
	/*
	 * T's peer gets exactly those, then T's FIN; the last record only if
	 * close() found room for its rest (it cut TCP's wait for it short).
	 */
	while (got < sizeof(got_big)) {
		n = recv(c.xp, got_big + got, sizeof(got_big) - got, 0);
		if (n <= 0)
			break;
		got += n;
	}
	if (sc.rc < 16384 ||
	    (got != (size_t)sc.rc && got != (size_t)sc.rc - 16384) || n ||
	    memcmp(got_big, big, got))
		tc_fail(&t,
			"T's peer got %zu bytes%s, then %zd (%s), want the %zd that S's sends returned (or one record less), then EOF",
			got, memcmp(got_big, big, got) ? " (differing)" : "",
			n, n < 0 ? strerror(errno) : "EOF", sc.rc);
	tc_errno(&t, "S's next send (no target)", snd(c.s, buf, 100, 0),
		 EACCES);
out:
	/* How many records T took depends on timing: no counter check. */
	tx_done(&t, &c, NULL);
}

/*
 * Non-blocking sends of 16384 bytes on @fd, from @src (walking through it
 * if @walk, up to @cap bytes), until five in a row, 20 ms apart, take
 * nothing (one may meet a ktls target's lock held for a moment).  The
 * bytes sent, or -1 if that never happened; *@last: the last send's result.
 */
static ssize_t send_until_full(int fd, const unsigned char *src, size_t cap,
			       int walk, ssize_t *last)
{
	int i, refused = 0;
	size_t sent = 0;

	*last = 0;
	for (i = 0; i < 200 && refused < 5 && sent + 16384 <= cap; i++) {
		*last = snd(fd, src + (walk ? sent : 0), 16384, MSG_DONTWAIT);
		if (*last < 0 && errno != EAGAIN)
			break;
		if (*last < 0) {
			refused++;
			kc_msleep(20);
			continue;
		}
		refused = 0;
		sent += *last;
	}
	return refused < 5 ? -1 : (ssize_t)sent;
}

/* Fill T through S's redirects; the bytes the sends returned, or -1. */
static ssize_t fill_target(struct tcase *t, struct txc *c)
{
	ssize_t last, sent = send_until_full(c->s, big, sizeof(big), 1, &last);

	if (sent < 0)
		tc_fail(t, "setup: T did not fill (last send %zd, %s)", last,
			last < 0 ? strerror(errno) : "no error");
	return sent;
}

/* S's poll() says @want about POLLOUT (within @ms). */
static void s_writable(struct tcase *t, struct txc *c, const char *what,
		       int want, int ms)
{
	struct pollfd p = { .fd = c->s, .events = POLLOUT };
	int n = poll(&p, 1, ms);

	if ((n == 1 && (p.revents & POLLOUT)) != want)
		tc_fail(t, "%s: poll() on S says %s, want %s", what,
			n == 1 && (p.revents & POLLOUT) ? "writable" :
							  "not writable",
			want ? "writable" : "not writable");
}

/* T's peer reads @len bytes of big from @from within 5 s, then no more. */
static void xp_expect(struct tcase *t, struct txc *c, size_t from, size_t len)
{
	double t0 = kc_now();
	size_t got = 0;
	ssize_t n;

	while (got < len && kc_now() - t0 < 5) {
		if (kc_quiet(c->xp, 100))
			continue;
		n = recv(c->xp, got_big + got, len - got, MSG_DONTWAIT);
		if (n <= 0)
			break;
		got += n;
	}
	if (got != len || memcmp(got_big, big + from, got))
		tc_fail(t, "T's peer got %zu bytes%s from byte %zu, want %zu",
			got,
			memcmp(got_big, big + from, got) ? " (differing)" : "",
			from, len);
	tc_quiet(t, "T's peer afterwards", c->xp);
}

/*
 * Fill T, then leave 100 bytes with S under MSG_MORE, whose redirect a
 * non-blocking control record finds T without room for: they are held.
 * The bytes that filled T, or -1.
 */
static ssize_t hold_100(struct tcase *t, struct txc *c)
{
	int fl = fcntl(c->s, F_GETFL);
	ssize_t filled = fill_target(t, c);

	if (filled < 0)
		return -1;
	tc_rc(t, "send 100 with MSG_MORE",
	      snd(c->s, big + filled, 100, MSG_MORE | MSG_DONTWAIT), 100);
	fcntl(c->s, F_SETFL, fl | O_NONBLOCK);
	tc_errno(t, "non-blocking handshake record while T is full",
		 kc_send_type(c->s, KC_TYPE_HANDSHAKE, buf, 50), EAGAIN);
	fcntl(c->s, F_SETFL, fl);
	return filled;
}

/*
 * A redirect left for later finds its target full: 100 bytes S took with
 * MSG_MORE are judged only when a control record closes their record, in
 * a non-blocking call, while T has no room.  That call fails with EAGAIN;
 * the 100 bytes, already counted as sent, wait for room in T (they used
 * to be dropped), S does not poll writable meanwhile, and they reach T's
 * peer once it reads, with an edge for S's edge-triggered epoll.  Then
 * the control record goes to P.  A second time, S is closed while they
 * wait: no hang, nothing leaked (the suite checks the live counters and
 * the kernel log).
 */
static void case_redir_full_later(void)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLET };
	int ep = epoll_create1(0);
	ssize_t filled;
	struct tcase t;
	struct txc c;

	if (redir_all_setup(&t, &c, "redir-full-later", 4096))
		goto out;
	kc_rand(big, sizeof(big), 42);
	kc_rand(buf, 50, 43);
	s_writable(&t, &c, "before", 1, 0);
	filled = hold_100(&t, &c);
	if (filled < 0)
		goto out;
	s_writable(&t, &c, "while the 100 bytes wait", 0, 50);
	/* Not writable when added: the next edge is their delivery. */
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c.s, &ev) ||
	    epoll_wait(ep, &ev, 1, 0) != 0) {
		tc_fail(&t, "epoll on S while the 100 bytes wait: %s",
			errno ? strerror(errno) : "EPOLLOUT");
		goto out;
	}
	xp_expect(&t, &c, 0, filled + 100);
	s_writable(&t, &c, "once T took them", 1, 1000);
	if (epoll_wait(ep, &ev, 1, 1000) != 1 || !(ev.events & EPOLLOUT))
		tc_fail(&t,
			"edge-triggered epoll on S: no EPOLLOUT once T took them");
	tc_rc(&t, "handshake record",
	      kc_send_type(c.s, KC_TYPE_HANDSHAKE, buf, 50), 50);
	tc_recv_rec(&t, "P handshake", c.p, buf, 50, KC_TYPE_HANDSHAKE);
	tc_quiet(&t, "P afterwards", c.p);

	/* Again, and S goes while its 100 bytes wait. */
	if (hold_100(&t, &c) < 0)
		goto out;
	kc_msleep(50);
	epoll_ctl(ep, EPOLL_CTL_DEL, c.s, &ev);
	tc_rc(&t, "close(S) while they wait", close(c.s), 0);
	c.s = -1;
out:
	if (ep >= 0)
		close(ep);
	/* How much T took depends on timing: no counter check. */
	tx_done(&t, &c, NULL);
}

/*
 * The same 100 MSG_MORE bytes, closed by a non-blocking send of 50 more
 * while T is full: that call fails with EAGAIN (its 50 bytes are given
 * back), the earlier call's 100 wait for T (they used to be dropped with
 * the 50).  T's peer gets them; then S sends the 50 again and T's peer
 * gets those: every byte once, in order.
 */
static void case_redir_full_more(void)
{
	ssize_t filled;
	struct tcase t;
	struct txc c;

	if (redir_all_setup(&t, &c, "redir-full-more", 4096))
		goto out;
	kc_rand(big, sizeof(big), 44);
	filled = fill_target(&t, &c);
	if (filled < 0)
		goto out;
	tc_rc(&t, "send 100 with MSG_MORE",
	      snd(c.s, big + filled, 100, MSG_MORE | MSG_DONTWAIT), 100);
	tc_errno(&t, "non-blocking send of 50 while T is full",
		 snd(c.s, big + filled + 100, 50, MSG_DONTWAIT), EAGAIN);
	xp_expect(&t, &c, 0, filled + 100);
	tc_rc(&t, "the 50 again", snd(c.s, big + filled + 100, 50, 0), 50);
	xp_expect(&t, &c, filled + 100, 50);
out:
	tx_done(&t, &c, NULL);
}

/*
 * The held 100 bytes' target T is busy: T's own send, which the program
 * redirects into T itself, waits in T's TCP holding T's TX lock (T has
 * no send time-out).  S's retries do not wait for that lock, so close(S),
 * which waits for S's retry work, returns at once.  Then T's send is
 * interrupted.
 */
static void case_redir_full_busy(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct side_call ts = { 0 }, cc = { 0 };
	pthread_t tsend, closer;
	struct tcase t;
	struct txc c;
	double t0;

	if (redir_all_setup(&t, &c, "redir-full-busy", 4096))
		goto out;
	kc_rand(big, sizeof(big), 45);
	if (hold_100(&t, &c) < 0)
		goto out;

	if (start_waiting(&t, &tsend, big_send_main, &ts, c.x,
			  "T's own send"))
		goto out;
	cc.fd = c.s;
	c.s = -1;
	t0 = kc_now();
	if (pthread_create(&closer, NULL, close_main, &cc)) {
		tc_fail(&t, "setup: pthread_create failed");
		cc.done = 1;
	}
	while (!__atomic_load_n(&cc.done, __ATOMIC_ACQUIRE) &&
	       kc_now() - t0 < 2)
		kc_msleep(10);
	if (!__atomic_load_n(&cc.done, __ATOMIC_ACQUIRE))
		tc_fail(&t, "close(S) still waiting after 2 s, for T's lock");
	/*
	 * T's own send waits for T's peer, whose tiny window may reopen
	 * only by the zero-window probes' clock: interrupt it instead.
	 */
	sigaction(SIGUSR1, &sa, NULL);
	interrupt_until_done(tsend, &ts);
	pthread_join(closer, NULL);
	tc_rc(&t, "close(S)", cc.rc, 0);
out:
	tx_done(&t, &c, NULL);
}

/*
 * A third ktls socket R in sock_hash key 2 (TLS_TX): the program's steps
 * decide where its sends go.  Its peer is never read.
 */
static int r_setup(struct tcase *t, struct txc *c, int *r, int *rp)
{
	if (pc_pair(t, r, rp))
		return -1;
	if (pol_add(c->pol.hash, 2, *r)) {
		tc_fail(t, "setup: add R to sock_hash: %s", strerror(errno));
		return -1;
	}
	return pc_ulp(t, "R", *r, "ktls") ||
	       pc_keys(t, "R", *r, TLS_TX, SEED_R);
}

/*
 * R's sends of want's first 16384 bytes, which the program redirects into
 * S, until S is full (send_until_full()): S then holds a sealed record its
 * TCP does not take (P does not read).  The bytes of R's sends that S
 * took, or 0 (a failure).
 */
static size_t r_fill_s(struct tcase *t, struct txc *c, int r)
{
	int small = 4096;
	ssize_t last, taken;

	setsockopt(c->s, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(c->p, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	kc_rand(want, 16384, 46);
	taken = send_until_full(r, want, 64 * 16384, 0, &last);
	if (taken <= 0) {
		tc_fail(t,
			"setup: R's redirects did not fill S (%zd, last send %zd, %s)",
			taken, last, last < 0 ? strerror(errno) : "no error");
		return 0;
	}
	return taken;
}

/*
 * Hold 100 bytes of S for a full T (hold_100()), then leave S a sealed
 * record of its own that TCP does not take (r_fill_s()).  The bytes that
 * filled T, or -1; *taken: the bytes of R's sends that S took.
 */
static ssize_t hold_behind(struct tcase *t, struct txc *c, int *r, int *rp,
			   size_t *taken)
{
	const struct pc_step into_s = { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 0 };
	ssize_t filled;

	if (r_setup(t, c, r, rp))
		return -1;
	filled = hold_100(t, c);
	if (filled < 0 || pol_steps(t, c->pol.msg_steps, &into_s, 1))
		return -1;
	*taken = r_fill_s(t, c, *r);
	return *taken ? filled : -1;
}

/*
 * Held bytes do not wait behind S's own record: 100 bytes wait for a full
 * T while S also has a sealed record that its TCP does not take (P does
 * not read).  Once T's peer reads, the 100 bytes reach it with P still not
 * reading (they used to wait for P).  Then P gets every byte of R's sends
 * that S took, sealed with S's keys.
 */
static void case_redir_full_behind(void)
{
	int r = -1, rp = -1;
	size_t taken, i;
	ssize_t filled;
	struct tcase t;
	struct txc c;

	if (redir_all_setup(&t, &c, "redir-full-behind", 4096))
		goto out;
	kc_rand(big, sizeof(big), 47);
	filled = hold_behind(&t, &c, &r, &rp, &taken);
	if (filled < 0)
		goto out;
	xp_expect(&t, &c, 0, filled + 100);
	for (i = 0; i < taken; i += 16384)
		tc_recv(&t, "P (R's bytes through S)", c.p, want, 16384);
	tc_quiet(&t, "P afterwards", c.p);
out:
	pc_close(&r);
	pc_close(&rp);
	tx_done(&t, &c, NULL);
}

/*
 * The same, but S is shut down for writing while the 100 bytes wait: its
 * own record never goes now, and the 100 bytes still reach T's peer once
 * it reads (they used to stay until close(), which discarded them).
 */
static void case_redir_full_shut(void)
{
	int r = -1, rp = -1;
	ssize_t filled;
	struct tcase t;
	struct txc c;
	size_t taken;

	if (redir_all_setup(&t, &c, "redir-full-shut", 4096))
		goto out;
	kc_rand(big, sizeof(big), 48);
	filled = hold_behind(&t, &c, &r, &rp, &taken);
	if (filled < 0)
		goto out;
	tc_rc(&t, "shutdown(S, SHUT_WR)", shutdown(c.s, SHUT_WR), 0);
	xp_expect(&t, &c, 0, filled + 100);
out:
	pc_close(&r);
	pc_close(&rp);
	tx_done(&t, &c, NULL);
}

static void *ctrl_send_main(void *arg)
{
	struct side_call *b = arg;

	b->rc = kc_send_type(b->fd, KC_TYPE_HANDSHAKE, buf, 50);
	b->err = errno;
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A control record that a signal ends before it closes the open data is
 * as if it was never sent.  S has 100 bytes open (MSG_MORE) and, from R's
 * redirects, a sealed record its TCP does not take.  A blocking control
 * record waits for that record before anything else, and a signal ends it
 * (EINTR).  Once P has read R's bytes nothing follows: the 100 are still
 * open.  S's next send, 50 bytes starting with DROP, closes them: one run
 * of the program on all 150, which start with the 100 and pass.  (The
 * control record used to run the program on the 100 first, then wait; the
 * pass it left then covered the 50 too, unseen by the program.)
 */
static void case_ctrl_eintr(void)
{
	const struct pc_step into_s = { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 0 };
	const struct pc_step st[] = { { .prefix_len = 4, .prefix = "DROP" } };
	struct sigaction sa = { .sa_handler = on_signal };
	struct side_call cs = { 0 };
	int r = -1, rp = -1;
	unsigned long long runs;
	struct pc_stats ps;
	size_t taken, i;
	pthread_t th;
	struct tcase t;
	struct txc c;

	tc_begin(&t, "ctrl-eintr");
	if (tx_setup(&t, &c, &into_s, 1, 0) || r_setup(&t, &c, &r, &rp))
		goto out;
	kc_rand(big, 200, 49);
	memcpy(big + 100, "DROP", 4);
	tc_rc(&t, "send 100 with MSG_MORE", snd(c.s, big, 100, MSG_MORE), 100);
	taken = r_fill_s(&t, &c, r);
	if (!taken || pol_steps(&t, c.pol.msg_steps, st, 1) ||
	    pol_stats(&t, c.pol.msg_stats, &ps))
		goto out;
	runs = ps.runs;

	sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */
	if (start_waiting(&t, &th, ctrl_send_main, &cs, c.s,
			  "the control record"))
		goto out;
	interrupt_until_done(th, &cs);
	if (cs.rc != -1 || cs.err != EINTR)
		tc_fail(&t, "interrupted control record: %zd (%s), want EINTR",
			cs.rc, cs.rc < 0 ? strerror(cs.err) : "no error");

	for (i = 0; i < taken; i += 16384)
		tc_recv(&t, "P (R's bytes through S)", c.p, want, 16384);
	tc_quiet(&t, "P with the 100 bytes open", c.p);
	tc_rc(&t, "send 50 starting with DROP", snd(c.s, big + 100, 50, 0),
	      50);
	tc_recv(&t, "P", c.p, big, 150);
	tc_quiet(&t, "P afterwards", c.p);
	if (!pol_stats(&t, c.pol.msg_stats, &ps) &&
	    (ps.runs != runs + 1 || ps.log[runs % PC_NLOG].size != 150))
		tc_fail(&t,
			"program: %llu runs after the control record, the first on %u bytes; want one, on 150",
			(unsigned long long)(ps.runs - runs),
			ps.log[runs % PC_NLOG].size);
out:
	pc_close(&r);
	pc_close(&rp);
	tx_done(&t, &c, NULL);
}

/*
 * A redirect of an earlier call's bytes fails for good: T (@ulp: a ktls
 * socket, NULL: plain TCP) is shut down for writing.  S took 100 bytes
 * with MSG_MORE; the program redirects them (apply_bytes(100)) when a
 * send of 50 closes the record.  That send fails with EPIPE and none of
 * its 50 bytes go anywhere; the next send of 20 is passed and P gets
 * exactly those.  The 50 used to be sent afterwards (the call's count lost
 * the 100 earlier bytes too, and went below zero); a ktls T, which now
 * refuses them as TCP does, sealed them into a record that never went.
 */
static void redir_shut_target(const char *name, const char *ulp)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 1,
					.apply = 100 },
				      { .verdict = PC_PASS } };
	struct tcase t;
	struct txc c;

	tc_begin(&t, name);
	if (tx_setup(&t, &c, st, 2, 0) ||
	    target_setup(&t, &c, c.pol.hash, ulp, TLS_TX))
		goto out;
	kc_rand(buf, 170, 50);
	tc_rc(&t, "send 100 with MSG_MORE", snd(c.s, buf, 100, MSG_MORE), 100);
	tc_rc(&t, "shutdown(T, SHUT_WR)", shutdown(c.x, SHUT_WR), 0);
	tc_errno(&t, "send 50 (the 100 redirected to T)",
		 snd(c.s, buf + 100, 50, 0), EPIPE);
	tc_rc(&t, "send 20", snd(c.s, buf + 150, 20, 0), 20);
	tc_recv(&t, "P", c.p, buf + 150, 20);
	tc_quiet(&t, "P afterwards", c.p);
	tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(150, 20));
out:
	tx_done(&t, &c, NULL);
}

static void case_redir_shut_tcp(void)
{
	redir_shut_target("redir-shut-tcp", NULL);
}

static void case_redir_shut_ktls(void)
{
	redir_shut_target("redir-shut-ktls", "ktls");
}

/*
 * As redir-shut-tcp, but the run changed the bytes (@first: pop or push,
 * and an apply that covers part of them), so which are whose is not
 * known: the failed call's bytes after the redirect's part are not sent
 * later either.  @earlier bytes go first with MSG_MORE, then @call.
 */
static void redir_changed_shut(const char *name, const struct pc_step *first,
			       unsigned int earlier, unsigned int call)
{
	const struct pc_step st[] = { *first, { .verdict = PC_PASS } };
	struct tcase t;
	struct txc c;

	tc_begin(&t, name);
	if (tx_setup(&t, &c, st, 2, 0) ||
	    target_setup(&t, &c, c.pol.hash, NULL, 0))
		goto out;
	kc_rand(buf, earlier + call + 20, 51);
	if (earlier)
		tc_rc(&t, "send with MSG_MORE",
		      snd(c.s, buf, earlier, MSG_MORE), earlier);
	tc_rc(&t, "shutdown(T, SHUT_WR)", shutdown(c.x, SHUT_WR), 0);
	tc_errno(&t, "send (part redirected to T)",
		 snd(c.s, buf + earlier, call, 0), EPIPE);
	tc_rc(&t, "send 20", snd(c.s, buf + earlier + call, 20, 0), 20);
	tc_recv(&t, "P", c.p, buf + earlier + call, 20);
	tc_quiet(&t, "P afterwards", c.p);
	tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(earlier + call, 20));
out:
	tx_done(&t, &c, NULL);
}

/* 100 earlier bytes, 100 of the call; pop 10 of the earlier, apply 150. */
static void case_redir_pop_shut(void)
{
	const struct pc_step first = { .verdict = PC_REDIRECT,
				       .map = PC_HASH,
				       .key = 1,
				       .pop_start = 0,
				       .pop_len = 10,
				       .apply = 150 };

	redir_changed_shut("redir-pop-shut", &first, 100, 100);
}

/* A call of 100 alone; push 20 at offset 20, apply 10. */
static void case_redir_push_shut(void)
{
	const struct pc_step first = { .verdict = PC_REDIRECT,
				       .map = PC_HASH,
				       .key = 1,
				       .push_start = 20,
				       .push_len = 20,
				       .apply = 10 };

	redir_changed_shut("redir-push-shut", &first, 0, 100);
}

/*
 * Two runs in one call: the first pushes 20 bytes into the call's 100 and
 * passes 10, the second redirects 30 to a target shut down for writing.
 * The call returns the 10 that went to P; none of the rest goes later.
 */
static void case_redir_push_later(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS,
					.push_start = 50,
					.push_len = 20,
					.apply = 10 },
				      { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 1,
					.apply = 30 },
				      { .verdict = PC_PASS } };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "redir-push-later");
	if (tx_setup(&t, &c, st, 3, 0) ||
	    target_setup(&t, &c, c.pol.hash, NULL, 0))
		goto out;
	kc_rand(buf, 120, 52);
	tc_rc(&t, "shutdown(T, SHUT_WR)", shutdown(c.x, SHUT_WR), 0);
	tc_rc(&t, "send 100 (10 to P, then 30 redirected to T)",
	      snd(c.s, buf, 100, 0), 10);
	tc_recv(&t, "P", c.p, buf, 10);
	tc_rc(&t, "send 20", snd(c.s, buf + 100, 20, 0), 20);
	tc_recv(&t, "P", c.p, buf + 100, 20);
	tc_quiet(&t, "P afterwards", c.p);
	tc_runs(&t, "runs", c.pol.msg_stats, 3, SIZES(100, 110, 20));
out:
	tx_done(&t, &c, NULL);
}

static void case_redir_egress_tcp(void)
{
	const struct pc_step st[] = {
		{ .verdict = PC_REDIRECT, .map = PC_MAP, .key = 1 }
	};
	const long long ctrs[C_N] = { [C_REDIR] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "redir-egress-tcp");
	if (!tx_setup(&t, &c, st, 1, 0) &&
	    !target_setup(&t, &c, c.pol.map, NULL, 0)) {
		c.ok = 1;
		kc_rand(buf, 1000, 20);
		tc_rc(&t, "send on S", snd(c.s, buf, 1000, 0), 1000);
		tc_recv(&t, "T's peer (plaintext)", c.xp, buf, 1000);
		tc_quiet(&t, "T's peer afterwards", c.xp);
		tc_quiet(&t, "P (S's peer)", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(1000));
	}
	tx_done(&t, &c, ctrs);
}

static void case_redir_ingress_tcp(void)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 1,
					.flags = BPF_F_INGRESS } };
	const long long ctrs[C_N] = { [C_REDIR] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "redir-ingress-tcp");
	if (!tx_setup(&t, &c, st, 1, 0) &&
	    !target_setup(&t, &c, c.pol.hash, NULL, 0)) {
		c.ok = 1;
		kc_rand(buf, 1000, 21);
		tc_rc(&t, "send on S", snd(c.s, buf, 1000, 0), 1000);
		tc_recv(&t, "recv on T", c.x, buf, 1000);
		tc_quiet(&t, "T afterwards", c.x);
		tc_quiet(&t, "T's peer", c.xp);
		tc_quiet(&t, "P (S's peer)", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(1000));
	}
	tx_done(&t, &c, ctrs);
}

static void case_redir_ingress_ktls(void)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = PC_MAP,
					.key = 1,
					.flags = BPF_F_INGRESS } };
	const long long ctrs[C_N] = { [C_REDIR] = 1 };
	struct tcase t;
	struct txc c;
	size_t got = 0;
	ssize_t n;
	int type;

	tc_begin(&t, "redir-ingress-ktls");
	if (!tx_setup(&t, &c, st, 1, 0) &&
	    !target_setup(&t, &c, c.pol.map, "ktls", TLS_RX)) {
		c.ok = 1;
		kc_rand(buf, 1100, 22);
		tc_rc(&t, "send on S", snd(c.s, buf, 1000, 0), 1000);
		while (got < 1000) {
			n = kc_recv_type(c.x, want + got, 1000 - got, &type, 0);
			if (n <= 0) {
				tc_fail(&t,
					"recv on T after %zu bytes: %zd (%s)",
					got, n, n ? strerror(errno) : "EOF");
				break;
			}
			if (type != -1)
				tc_fail(&t,
					"recv on T: a record-type cmsg (%d) with redirected data, want none",
					type);
			got += n;
		}
		if (got == 1000 && memcmp(want, buf, 1000))
			tc_fail(&t, "recv on T: bytes differ from those sent");
		tc_quiet(&t, "T afterwards", c.x);
		tc_quiet(&t, "P (S's peer)", c.p);
		/* T's own TLS records still decrypt. */
		tc_rc(&t, "T's peer sends a record",
		      snd(c.xp, buf + 1000, 100, 0), 100);
		n = kc_recv_type(c.x, want, 100, &type, 0);
		if (n != 100 || type != KC_TYPE_DATA ||
		    memcmp(want, buf + 1000, 100))
			tc_fail(&t,
				"T's own record: recv %zd (%s) type %d, want 100 bytes of type 23",
				n, n < 0 ? strerror(errno) : "", type);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(1000));
	}
	tx_done(&t, &c, ctrs);
}

/* --- push, pop, pull, sendfile --------------------------------------- */

static void check_rc(struct tcase *t, struct txc *c, const char *what,
		     int which, __s32 want_rc)
{
	struct pc_run r;
	__s32 rc;

	if (run_log(t, c, 0, &r))
		return;
	rc = which == 0 ? r.rc_pull :
	     which == 1 ? r.rc_pop :
	     which == 2 ? r.rc_push :
			  r.rc_write;
	if (rc != want_rc)
		tc_fail(t, "%s returned %d in the program, want %d", what, rc,
			want_rc);
}

static void case_push(void)
{
	const struct pc_step st[] = { { .push_start = 4,
					.push_len = 6,
					.write_off = 4,
					.write_len = 6,
					.fill = 'P' } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	const char *in = "abcdefghijklmnopqrst";
	const char *out = "abcdPPPPPPefghijklmnopqrst";
	struct tcase t;
	struct pc_run r;
	struct txc c;

	tc_begin(&t, "push");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		tc_rc(&t, "send 20", snd(c.s, in, 20, 0), 20);
		tc_recv(&t, "P", c.p, out, 26);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(20));
		check_rc(&t, &c, "bpf_msg_push_data", 2, 0);
		check_rc(&t, &c, "bpf_msg_pull_data of the pushed bytes", 3, 0);
		if (!run_log(&t, &c, 0, &r) && r.final_size != 26)
			tc_fail(&t, "msg->size after the push %u, want 26",
				r.final_size);
	}
	tx_done(&t, &c, ctrs);
}

static void case_pop(void)
{
	const struct pc_step st[] = { { .pop_start = 2, .pop_len = 5 } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	const char *in = "abcdefghijklmnopqrst";
	const char *out = "abhijklmnopqrst";
	struct tcase t;
	struct pc_run r;
	struct txc c;

	tc_begin(&t, "pop");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		tc_rc(&t, "send 20", snd(c.s, in, 20, 0), 20);
		tc_recv(&t, "P", c.p, out, 15);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(20));
		check_rc(&t, &c, "bpf_msg_pop_data", 1, 0);
		if (!run_log(&t, &c, 0, &r) && r.final_size != 15)
			tc_fail(&t, "msg->size after the pop %u, want 15",
				r.final_size);
	}
	tx_done(&t, &c, ctrs);
}

static void case_pull(void)
{
	const struct pc_step st[] = { { .pull_start = 100,
					.pull_end = 900,
					.write_off = 500,
					.write_len = 16,
					.fill = 'W' } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct pc_run r;
	struct txc c;

	tc_begin(&t, "pull");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		kc_rand(buf, 1000, 23);
		memcpy(want, buf, 1000);
		memset(want + 500, 'W', 16);
		tc_rc(&t, "send 1000", snd(c.s, buf, 1000, 0), 1000);
		tc_recv(&t, "P", c.p, want, 1000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(1000));
		check_rc(&t, &c, "bpf_msg_pull_data(100, 900)", 0, 0);
		check_rc(&t, &c, "bpf_msg_pull_data(500, 516)", 3, 0);
		if (!run_log(&t, &c, 0, &r) && r.pulled_len != 800)
			tc_fail(&t,
				"data_end - data after pull_data(100, 900) is %u, want 800",
				r.pulled_len);
	}
	tx_done(&t, &c, ctrs);
}

#define FILE_LEN 3000

static void case_sendfile(void)
{
	const struct pc_step st[] = {
		{ .verdict = PC_PASS },
		{ .pull_end = FILE_LEN, .write_len = 8, .fill = 'S' }
	};
	const long long ctrs[C_N] = { [C_PASS] = 2 };
	const char *path = "/tmp/policy_tx.file";
	struct tcase t;
	struct pc_run r;
	struct txc c;
	off_t off;
	int fd;

	tc_begin(&t, "sendfile");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		kc_rand(buf, FILE_LEN, 24);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, buf, FILE_LEN) != FILE_LEN) {
			tc_fail(&t, "setup: %s: %s", path, strerror(errno));
			c.ok = 0;
			goto out;
		}
		off = 0;
		tc_rc(&t, "sendfile 1", sendfile(c.s, fd, &off, FILE_LEN),
		      FILE_LEN);
		tc_recv(&t, "P after sendfile 1", c.p, buf, FILE_LEN);
		tc_runs(&t, "after sendfile 1", c.pol.msg_stats, 1,
			SIZES(FILE_LEN));
		if (!run_log(&t, &c, 0, &r) && (r.data_len || r.head_len))
			tc_fail(&t,
				"sendfile 1: data_end - data = %u before pull_data, want 0",
				r.data_len);
		off = 0;
		memcpy(want, buf, FILE_LEN);
		memset(want, 'S', 8);
		tc_rc(&t, "sendfile 2", sendfile(c.s, fd, &off, FILE_LEN),
		      FILE_LEN);
		tc_recv(&t, "P after sendfile 2 (first 8 bytes rewritten)", c.p,
			want, FILE_LEN);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2,
			SIZES(FILE_LEN, FILE_LEN));
		if (!run_log(&t, &c, 1, &r)) {
			if (r.data_len)
				tc_fail(&t,
					"sendfile 2: data_end - data = %u before pull_data, want 0",
					r.data_len);
			if (r.rc_pull || r.pulled_len != FILE_LEN)
				tc_fail(&t,
					"sendfile 2: pull_data(0, %d) returned %d, then data_end - data = %u, want 0 and %d",
					FILE_LEN, r.rc_pull, r.pulled_len,
					FILE_LEN);
		}
		close(fd);
		unlink(path);
	}
out:
	tx_done(&t, &c, ctrs);
}

/* --- record boundaries ---------------------------------------------- */

static void case_msg_more(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "msg-more");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		kc_rand(buf, 600, 25);
		tc_rc(&t, "send 100 MSG_MORE", snd(c.s, buf, 100, MSG_MORE),
		      100);
		tc_rc(&t, "send 200 MSG_MORE",
		      snd(c.s, buf + 100, 200, MSG_MORE), 200);
		tc_quiet(&t, "P after the MSG_MORE sends", c.p);
		tc_runs(&t, "after the MSG_MORE sends", c.pol.msg_stats, 0,
			NULL);
		tc_rc(&t, "send 300", snd(c.s, buf + 300, 300, 0), 300);
		tc_recv(&t, "P", c.p, buf, 600);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(600));
		tc_head(&t, &c, 0, buf, PC_HEAD);
	}
	tx_done(&t, &c, ctrs);
}

static void case_maxrec(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 2 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "maxrec");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		kc_rand(buf, 20000, 26);
		tc_rc(&t, "send 20000", snd(c.s, buf, 20000, 0), 20000);
		tc_recv(&t, "P", c.p, buf, 20000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(16384, 3616));
		tc_head(&t, &c, 1, buf + 16384, PC_HEAD);
	}
	tx_done(&t, &c, ctrs);
}

static void case_maxrec_limit(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 3 };
	__u16 lim = 1000;
	struct tcase t;
	struct txc c;

	tc_begin(&t, "maxrec-limit");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		tc_rc(&t, "TLS_TX_MAX_PAYLOAD_LEN 1000",
		      setsockopt(c.s, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, &lim,
				 sizeof(lim)),
		      0);
		kc_rand(buf, 2500, 37);
		tc_rc(&t, "send 2500", snd(c.s, buf, 2500, 0), 2500);
		tc_recv(&t, "P", c.p, buf, 2500);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 3, SIZES(1000, 1000, 500));
	}
	tx_done(&t, &c, ctrs);
}

static void case_ctrl(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS },
				      { .verdict = PC_DROP } };
	const long long ctrs[C_N] = {
		[C_PASS] = 1, [C_DROP] = 1, [C_DROPPED] = 10
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "ctrl");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		kc_rand(buf, 200, 27);
		tc_rc(&t, "send 100 MSG_MORE", snd(c.s, buf, 100, MSG_MORE),
		      100);
		tc_runs(&t, "after MSG_MORE", c.pol.msg_stats, 0, NULL);
		tc_rc(&t, "handshake record",
		      kc_send_type(c.s, KC_TYPE_HANDSHAKE, buf + 100, 50), 50);
		tc_runs(&t, "after the handshake record (open data judged)",
			c.pol.msg_stats, 1, SIZES(100));
		tc_recv_rec(&t, "P data", c.p, buf, 100, KC_TYPE_DATA);
		tc_recv_rec(&t, "P handshake", c.p, buf + 100, 50,
			    KC_TYPE_HANDSHAKE);
		/* The program would drop anything it saw now. */
		tc_rc(&t, "alert record",
		      kc_send_type(c.s, KC_TYPE_ALERT, "\x01\x00", 2), 2);
		tc_recv_rec(&t, "P alert", c.p, "\x01\x00", 2, KC_TYPE_ALERT);
		tc_runs(&t, "after the alert", c.pol.msg_stats, 1, SIZES(100));
		tc_errno(&t, "send 10 (program drops)",
			 snd(c.s, buf + 150, 10, 0), EACCES);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(100, 10));
	}
	tx_done(&t, &c, ctrs);
}

/* --- the caller's pages --------------------------------------------- */

#define ZOFF 100
#define ZLEN 16384

static unsigned char zpage[ZOFF + ZLEN] __attribute__((aligned(4096)));
static unsigned char *const zbuf = zpage + ZOFF;
static unsigned char zorig[ZLEN];

/* Fill the caller's buffer (and its copy) with the bytes of @seed. */
static void zc_fill(unsigned int seed)
{
	kc_rand(zbuf, ZLEN, seed);
	memcpy(zorig, zbuf, ZLEN);
}

/*
 * After the send: the buffer is as it was; then overwrite it, so that
 * bytes some verdict still kept in the caller's pages would show.
 */
static void zc_unchanged(struct tcase *t)
{
	size_t i;

	for (i = 0; i < ZLEN && zbuf[i] == zorig[i]; i++)
		;
	if (i < ZLEN)
		tc_fail(t, "the caller's buffer changed at offset %zu", i);
	memset(zbuf, 'X', ZLEN);
}

static void zc_write(const char *name, __u32 off, int seed)
{
	const struct pc_step st[] = {
		{ .write_off = off, .write_len = 16, .fill = 'W' }
	};
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct pc_run r;
	struct txc c;

	tc_begin(&t, name);
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		zc_fill(seed);
		memcpy(want, zorig, ZLEN);
		memset(want + off, 'W', 16);
		tc_rc(&t, "send 16384", snd(c.s, zbuf, ZLEN, 0), ZLEN);
		zc_unchanged(&t);
		tc_recv(&t, "P", c.p, want, ZLEN);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(ZLEN));
		tc_head(&t, &c, 0, zorig, PC_HEAD);
		check_rc(&t, &c, "bpf_msg_pull_data of the bytes written", 3, 0);
		if (!run_log(&t, &c, 0, &r) && r.data_len != 4096 - ZOFF)
			tc_fail(&t, "data_end - data %u, want %u", r.data_len,
				4096 - ZOFF);
	}
	tx_done(&t, &c, ctrs);
}

static void case_zc_write_head(void)
{
	zc_write("zc-write-head", 0, 40);
}

static void case_zc_write_pull(void)
{
	zc_write("zc-write-pull", 9000, 41);
}

static void case_zc_cork(void)
{
	const struct pc_step st[] = { { .cork = 15000 },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1, [C_CORKED] = 10000 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "zc-cork");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		zc_fill(42);
		tc_rc(&t, "send 10000", snd(c.s, zbuf, 10000, 0), 10000);
		tc_quiet(&t, "P while corked", c.p);
		zc_unchanged(&t);
		memcpy(zbuf + 10000, zorig + 10000, 5000);
		tc_rc(&t, "send 5000", snd(c.s, zbuf + 10000, 5000, 0), 5000);
		tc_recv(&t, "P", c.p, zorig, 15000);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(10000, 15000));
	}
	tx_done(&t, &c, ctrs);
}

static void case_zc_redirect(void)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 1,
					.flags = BPF_F_INGRESS } };
	const long long ctrs[C_N] = { [C_REDIR] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "zc-redirect");
	if (!tx_setup(&t, &c, st, 1, 0) &&
	    !target_setup(&t, &c, c.pol.hash, NULL, 0)) {
		c.ok = 1;
		zc_fill(43);
		tc_rc(&t, "send 16384 on S", snd(c.s, zbuf, ZLEN, 0), ZLEN);
		zc_unchanged(&t);
		tc_recv(&t, "recv on T", c.x, zorig, ZLEN);
		tc_quiet(&t, "T afterwards", c.x);
		tc_quiet(&t, "P (S's peer)", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(ZLEN));
	}
	tx_done(&t, &c, ctrs);
}

static void case_zc_apply(void)
{
	const struct pc_step st[] = { { .apply = 5000 },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 2 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "zc-apply");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		zc_fill(44);
		tc_rc(&t, "send 16384", snd(c.s, zbuf, ZLEN, 0), ZLEN);
		zc_unchanged(&t);
		tc_recv(&t, "P", c.p, zorig, ZLEN);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(ZLEN, ZLEN - 5000));
		tc_head(&t, &c, 1, zorig + 5000, PC_HEAD);
	}
	tx_done(&t, &c, ctrs);
}

static void case_zc_drop(void)
{
	const struct pc_step st[] = { { .verdict = PC_DROP },
				      { .verdict = PC_PASS } };
	const long long ctrs[C_N] = {
		[C_PASS] = 1, [C_DROP] = 1, [C_DROPPED] = ZLEN
	};
	struct tcase t;
	struct txc c;

	tc_begin(&t, "zc-drop");
	if (!tx_setup(&t, &c, st, 2, 0)) {
		c.ok = 1;
		zc_fill(45);
		tc_errno(&t, "send 16384 (drop)", snd(c.s, zbuf, ZLEN, 0),
			 EACCES);
		zc_unchanged(&t);
		tc_quiet(&t, "P after the drop", c.p);
		zc_fill(46);
		tc_rc(&t, "send 16384", snd(c.s, zbuf, ZLEN, 0), ZLEN);
		tc_recv(&t, "P", c.p, zorig, ZLEN);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(ZLEN, ZLEN));
	}
	tx_done(&t, &c, ctrs);
}

static void case_zc_push_full(void)
{
	const struct pc_step st[] = { { .push_start = 4,
					.push_len = 6,
					.write_off = 4,
					.write_len = 6,
					.fill = 'P' } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "zc-push-full");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		zc_fill(47);
		memcpy(want, zorig, 4);
		memset(want + 4, 'P', 6);
		memcpy(want + 10, zorig + 4, ZLEN - 4);
		tc_rc(&t, "send 16384", snd(c.s, zbuf, ZLEN, 0), ZLEN);
		zc_unchanged(&t);
		tc_recv(&t, "P", c.p, want, ZLEN + 6);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(ZLEN));
	}
	tx_done(&t, &c, ctrs);
}

/* --- no memory to seal a record (47-nomem) --------------------------- */

/*
 * These cases run only with POLICY_NOMEM set, on the test build of ktls
 * that has fault-injection points (src/fault.c, ktls_fault.ko): there
 * sealing a record can be made to fail as when memory runs out.
 */
#define FAULT_PARAM "/sys/module/ktls/parameters/fault_"
/* Bits of fault_sites: enum ktls_fault_site in src/ktls.h. */
#define FAULT_TX_SEAL 1 /* sealing a TX record */
#define FAULT_TX_COPY 2 /* a page fragment for TX plaintext */
#define FAULT_RX_OPEN 4 /* decrypting a received record */
#define FAULT_AEAD_LATE 8 /* an AEAD request, after it has done its work */

static long long fault_get(struct tcase *t, const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), FAULT_PARAM "%s", name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lld", &v) != 1)
		tc_fail(t, "read %s: %s (not the fault-injection build?)", path,
			f ? "no number" : strerror(errno));
	if (f)
		fclose(f);
	return v;
}

static void fault_put(struct tcase *t, const char *name, long long v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), FAULT_PARAM "%s", name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%lld\n", v) < 0 || fclose(f))
		tc_fail(t, "write %s: %s (not the fault-injection build?)",
			path, strerror(errno));
}

/*
 * After the next @skip passes through the points @sites, the next @times
 * fail; returns the failures injected so far.
 */
static long long fault_arm_at(struct tcase *t, int sites, unsigned int skip,
			      int times)
{
	fault_put(t, "sites", 0);
	fault_put(t, "skip", skip);
	fault_put(t, "times", times);
	fault_put(t, "sites", sites);
	return fault_get(t, "hits");
}

/* The seal after the next @skip fails, once. */
static long long fault_arm(struct tcase *t, unsigned int skip)
{
	return fault_arm_at(t, FAULT_TX_SEAL, skip, 1);
}

/* Disarm; returns the failures injected since @hits. */
static long long fault_off(struct tcase *t, long long hits)
{
	fault_put(t, "sites", 0);
	fault_put(t, "times", 0);
	return fault_get(t, "hits") - hits;
}

/* Disarm; exactly @want failures were injected since @hits. */
static void fault_done_n(struct tcase *t, long long hits, int want)
{
	long long n = fault_off(t, hits);

	if (n != want)
		tc_fail(t, "%lld failures injected, want %d", n, want);
}

static void fault_done(struct tcase *t, long long hits)
{
	fault_done_n(t, hits, 1);
}

/* S with ULP ktls and TLS_TX, in no map, and its tls.ko peer P. */
static int plain_setup(struct tcase *t, struct txc *c)
{
	txc_init(c);
	if (pc_pair(t, &c->s, &c->p) || pc_ulp(t, "S", c->s, "ktls") ||
	    pc_keys(t, "S", c->s, TLS_TX, SEED_S) ||
	    pc_ulp(t, "P", c->p, "tls") ||
	    pc_keys(t, "P", c->p, TLS_RX, SEED_S))
		return -1;
	return 0;
}

/*
 * S sends @len bytes while the points @sites fail once after @skip
 * passes: ENOMEM, and nothing reaches @to; the same send again reaches it
 * once.  @seed >= 0: the bytes are zbuf's (zc_fill(@seed)), a whole
 * record from the caller's pages, which must be left as they were.
 */
static void fails_then_again(struct tcase *t, struct txc *c, int sites,
			     unsigned int skip, size_t len, int seed, int to)
{
	const unsigned char *data = seed >= 0 ? zbuf : buf;
	long long hits;

	if (seed >= 0)
		zc_fill(seed);
	hits = fault_arm_at(t, sites, skip, 1);
	tc_errno(t, "send (fails)", snd(c->s, data, len, 0), ENOMEM);
	fault_done(t, hits);
	if (seed >= 0)
		zc_unchanged(t);
	tc_quiet(t, "the peer after the failure", to);
	if (seed >= 0)
		zc_fill(seed);
	tc_rc(t, "send again", snd(c->s, data, len, 0), len);
	if (seed >= 0)
		zc_unchanged(t);
	tc_recv(t, "the peer", to, seed >= 0 ? zorig : buf, len);
	tc_quiet(t, "the peer afterwards", to);
}

/*
 * No policy.  A record made of MSG_MORE bytes and the next call's: its
 * seal fails, the call still returns what it took, and the record goes
 * out a moment later with no further call.
 */
static void case_nomem_more(void)
{
	struct tcase t;
	struct txc c;
	long long hits;

	tc_begin(&t, "nomem-more");
	if (!plain_setup(&t, &c)) {
		kc_rand(buf, 1000, 60);
		tc_rc(&t, "send 500 MSG_MORE", snd(c.s, buf, 500, MSG_MORE),
		      500);
		hits = fault_arm(&t, 0);
		tc_rc(&t, "send 500 (seal fails)", snd(c.s, buf + 500, 500, 0),
		      500);
		fault_done(&t, hits);
		tc_recv(&t, "P", c.p, buf, 1000);
		tc_quiet(&t, "P afterwards", c.p);
	}
	tx_done(&t, &c, NULL);
}

/* No policy, a record sealed from the caller's pages: ENOMEM, nothing. */
static void case_nomem_direct(void)
{
	struct tcase t;
	struct txc c;

	tc_begin(&t, "nomem-direct");
	if (!plain_setup(&t, &c)) {
		kc_rand(buf, 1000, 61);
		fails_then_again(&t, &c, FAULT_TX_SEAL, 0, 1000, -1, c.p);
	}
	tx_done(&t, &c, NULL);
}

/* The push of 6 'P' at offset 4 that the nomem- policy cases use. */
static const struct pc_step push6 = {
	.push_start = 4, .push_len = 6, .write_off = 4, .write_len = 6,
	.fill = 'P'
};

/*
 * A pass (with a push) of MSG_MORE bytes and the next call's whose seal
 * fails: the call returns what it took, the record goes out a moment
 * later, and the program does not run on it again (the push is applied
 * once).
 */
static void case_nomem_pass(void)
{
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	const char *out = "abcdPPPPPPefghijklmnopqrst";
	struct tcase t;
	struct txc c;
	long long hits;

	tc_begin(&t, "nomem-pass");
	if (!tx_setup(&t, &c, &push6, 1, 0)) {
		c.ok = 1;
		tc_rc(&t, "send 10 MSG_MORE", snd(c.s, "abcdefghij", 10, MSG_MORE),
		      10);
		hits = fault_arm(&t, 0);
		tc_rc(&t, "send 10 (seal fails)", snd(c.s, "klmnopqrst", 10, 0),
		      10);
		fault_done(&t, hits);
		tc_recv(&t, "P", c.p, out, 26);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(20));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * A pass of a whole record, sealed from the caller's pages, whose seal
 * fails: ENOMEM, nothing sent, the caller's buffer untouched, the verdict
 * not counted; the same send again goes out once.
 */
static void case_nomem_zc(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "nomem-zc");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		fails_then_again(&t, &c, FAULT_TX_SEAL, 0, ZLEN, 62, c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(ZLEN, ZLEN));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * The push makes 16390 bytes of a whole record: the first 16384 are
 * sealed, the seal of the other 6 fails.  The call returns 16384 and the
 * 6 bytes go out a moment later under the same verdict, not judged again.
 */
static void case_nomem_zc_split(void)
{
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;
	long long hits;

	tc_begin(&t, "nomem-zc-split");
	if (!tx_setup(&t, &c, &push6, 1, 0)) {
		c.ok = 1;
		zc_fill(63);
		memcpy(want, zorig, 4);
		memset(want + 4, 'P', 6);
		memcpy(want + 10, zorig + 4, ZLEN - 4);
		hits = fault_arm(&t, 1);
		tc_rc(&t, "send 16384 (second seal fails)",
		      snd(c.s, zbuf, ZLEN, 0), ZLEN);
		fault_done(&t, hits);
		zc_unchanged(&t);
		tc_recv(&t, "P", c.p, want, ZLEN + 6);
		tc_quiet(&t, "P afterwards", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(ZLEN));
	}
	tx_done(&t, &c, ctrs);
}


/*
 * No policy: a send of 20000 bytes with MSG_MORE seals its first 16384
 * from the caller's pages; the page fragment for the rest cannot be had.
 * send returns 16384, those arrive, the rest when sent again.
 */
static void case_nomem_copy_partial(void)
{
	struct tcase t;
	struct txc c;
	long long hits;

	tc_begin(&t, "nomem-copy-partial");
	if (!plain_setup(&t, &c)) {
		kc_rand(buf, 20000, 64);
		hits = fault_arm_at(&t, FAULT_TX_COPY, 0, 1);
		tc_rc(&t, "send 20000 MSG_MORE (the copy fails)",
		      snd(c.s, buf, 20000, MSG_MORE), 16384);
		fault_done(&t, hits);
		tc_recv(&t, "P", c.p, buf, 16384);
		tc_quiet(&t, "P after the first record", c.p);
		tc_rc(&t, "send the other 3616", snd(c.s, buf + 16384, 3616, 0),
		      3616);
		tc_recv(&t, "P", c.p, buf + 16384, 3616);
		tc_quiet(&t, "P afterwards", c.p);
	}
	tx_done(&t, &c, NULL);
}

/*
 * A whole record judged on the caller's pages: the copy of the bytes the
 * program reads cannot be made.  ENOMEM before the program runs; sent
 * again, it runs once and the bytes arrive once.
 */
static void case_nomem_copy_window(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "nomem-copy-window");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		fails_then_again(&t, &c, FAULT_TX_COPY, 0, ZLEN, 65, c.p);
		/* Not on the bytes it could not read. */
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(ZLEN));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * The same record redirected to a plain TCP socket T: the caller's pages
 * must be copied before the redirect, and that copy fails.  ENOMEM,
 * nothing reaches T, the verdict (and its hold on T) is let go; sent
 * again, the bytes reach T once.
 */
static void case_nomem_copy_redirect(void)
{
	const struct pc_step st[] = {
		{ .verdict = PC_REDIRECT, .map = PC_HASH, .key = 1 }
	};
	const long long ctrs[C_N] = { [C_REDIR] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "nomem-copy-redirect");
	if (!tx_setup(&t, &c, st, 1, 0) &&
	    !target_setup(&t, &c, c.pol.hash, NULL, 0)) {
		c.ok = 1;
		/* The copy of what the program reads goes first. */
		fails_then_again(&t, &c, FAULT_TX_COPY, 1, ZLEN, 66, c.xp);
		tc_quiet(&t, "P", c.p);
		tc_runs(&t, "runs", c.pol.msg_stats, 2, SIZES(ZLEN, ZLEN));
	}
	tx_done(&t, &c, ctrs);
}

/*
 * RX: S (ktls) cannot decrypt a record, neither into the reader's buffer
 * nor into one of its own.  recv fails with ENOMEM, the record stays and
 * poll still says readable; the next recv returns it whole, once.
 */
static void case_nomem_rx(void)
{
	struct pollfd pfd;
	struct tcase t;
	struct txc c;
	long long hits;
	ssize_t n;

	tc_begin(&t, "nomem-rx");
	txc_init(&c);
	if (!pc_pair(&t, &c.s, &c.p) && !pc_ulp(&t, "S", c.s, "ktls") &&
	    !pc_keys(&t, "S", c.s, TLS_RX, SEED_P) &&
	    !pc_ulp(&t, "P", c.p, "tls") &&
	    !pc_keys(&t, "P", c.p, TLS_TX, SEED_P)) {
		kc_rand(buf, 1000, 67);
		tc_rc(&t, "P sends 1000", snd(c.p, buf, 1000, 0), 1000);
		pfd = (struct pollfd){ .fd = c.s, .events = POLLIN };
		tc_rc(&t, "poll S", poll(&pfd, 1, PC_IO_MS), 1);
		hits = fault_arm_at(&t, FAULT_RX_OPEN, 0, 2);
		tc_errno(&t, "recv (decryption fails)",
			 recv(c.s, want, sizeof(want), 0), ENOMEM);
		fault_done_n(&t, hits, 2);
		tc_rc(&t, "poll S again", poll(&pfd, 1, 0), 1);
		n = recv(c.s, want, sizeof(want), 0);
		tc_rc(&t, "recv again", n, 1000);
		if (n == 1000 && memcmp(want, buf, 1000))
			tc_fail(&t, "recv again: the bytes differ");
		tc_quiet(&t, "S afterwards", c.s);
	}
	tx_done(&t, &c, NULL);
}

/*
 * No policy: the AEAD runs out of memory part way through sealing
 * MSG_MORE bytes and the next call's, which ktls seals in place.  What it
 * did cannot be done again: the call returns what it took, nothing
 * reaches P (no record sealed twice, then or later), and every later
 * send fails with EBADMSG.
 */
static void case_nomem_aead_inplace(void)
{
	struct tcase t;
	struct txc c;
	long long hits;

	tc_begin(&t, "nomem-aead-inplace");
	if (!plain_setup(&t, &c)) {
		kc_rand(buf, 1000, 68);
		tc_rc(&t, "send 500 MSG_MORE", snd(c.s, buf, 500, MSG_MORE),
		      500);
		hits = fault_arm_at(&t, FAULT_AEAD_LATE, 0, 1);
		tc_rc(&t, "send 500 (the AEAD fails late)",
		      snd(c.s, buf + 500, 500, 0), 500);
		fault_done(&t, hits);
		tc_quiet(&t, "P", c.p);
		tc_errno(&t, "send 10 afterwards", snd(c.s, buf, 10, 0),
			 EBADMSG);
		tc_errno(&t, "send 10 once more", snd(c.s, buf, 10, 0),
			 EBADMSG);
		/* Nor does a KeyUpdate start it again. */
		if (pc_ver->ver == TLS_1_3_VERSION)
			tc_errno(&t, "TLS_TX again (rekey)",
				 kc_keys(c.s, TLS_TX, pc_ver->ver, pc_cipher,
					 SEED_R) ?
					 -1 :
					 0,
				 EBADMSG);
		tc_quiet(&t, "P at the end", c.p);
	}
	tx_done(&t, &c, NULL);
}

/*
 * The same for a record sealed from the caller's pages into new ones: the
 * plaintext is intact, so the call fails with ENOMEM and nothing is sent;
 * sent again, it arrives once.
 */
static void case_nomem_aead_copy(void)
{
	struct tcase t;
	struct txc c;

	tc_begin(&t, "nomem-aead-copy");
	if (!plain_setup(&t, &c)) {
		kc_rand(buf, 1000, 69);
		fails_then_again(&t, &c, FAULT_AEAD_LATE, 0, 1000, -1, c.p);
	}
	tx_done(&t, &c, NULL);
}

/*
 * One round of nomem-sweep (@policy 0: none, 1: pass all, SK_MSG and
 * stream verdict, 2: redirect all to a ktls socket T): S sends a fixed script to P and P a few
 * records back, while the fault points @sites fail after @skip passes:
 * once (@times 1), or (-1) every time until S's sends are done.  Whatever
 * each call returns, P must get exactly the bytes the calls said they
 * took, in order, and S exactly what P sent.  Returns the failures
 * injected (0: the script passed fewer than @skip points).
 */
static long long sweep_round(struct tcase *t, int policy, int sites,
			     unsigned int skip, int times)
{
	static const struct {
		unsigned int len;
		int flags;
	} script[] = {
		{ 1000, MSG_MORE }, { 20000, 0 }, { 16384, 0 },
		{ 100, MSG_MORE },  { 50, 0 },	  { 16384, MSG_MORE },
		{ 3000, 0 },
	};
	static const unsigned int back[] = { 1000, 16384, 5 };
	static unsigned char src[20000], sent[80000], got[80000];
	const struct pc_step st[] = {
		{ .verdict = policy == 2 ? PC_REDIRECT : PC_PASS,
		  .map = PC_HASH,
		  .key = 1 }
	};
	size_t nsent = 0, nback = 0, i;
	long long hits, n = 0;
	struct txc c;
	int to, err;
	ssize_t rc;

	if (!policy)
		err = plain_setup(t, &c) ||
		      pc_keys(t, "S", c.s, TLS_RX, SEED_P) ||
		      pc_keys(t, "P", c.p, TLS_TX, SEED_P);
	else
		err = tx_setup(t, &c, st, 1,
			       policy == 1 ? RX_KEYS | RX_VERDICT : RX_KEYS) ||
		      (policy == 2 &&
		       target_setup(t, &c, c.pol.hash, "ktls", TLS_TX));
	if (err) {
		tx_done_quiet(&c);
		return -1;
	}
	/* Where S's bytes go: P, or T's peer for a redirect. */
	to = policy == 2 ? c.xp : c.p;
	kc_rand(src, sizeof(src), 70 + skip);
	hits = fault_arm_at(t, sites, skip, times);
	for (i = 0; i < ARRAY_SIZE(script); i++) {
		rc = snd(c.s, src, script[i].len, script[i].flags);
		/* A redirect whose target had no memory says EAGAIN. */
		if (rc < 0 && errno != ENOMEM && errno != EAGAIN) {
			tc_fail(t, "skip %u: send %u: %s", skip, script[i].len,
				strerror(errno));
			break;
		}
		if (rc > 0) {
			memcpy(sent + nsent, src, rc);
			nsent += rc;
		}
	}
	if (times < 0)
		n = fault_off(t, hits);
	/* Whatever MSG_MORE bytes a failed call left open go now. */
	if (snd(c.s, "0123456789", 10, 0) == 10) {
		memcpy(sent + nsent, "0123456789", 10);
		nsent += 10;
	}
	for (i = 0; i < ARRAY_SIZE(back); i++)
		if (snd(c.p, src, back[i], 0) != (ssize_t)back[i])
			tc_fail(t, "skip %u: P sends %u: %s", skip, back[i],
				strerror(errno));
	while (nback < 1000 + 16384 + 5) {
		rc = recv(c.s, got + nback, sizeof(got) - nback, 0);
		if (rc < 0 && errno == ENOMEM)
			continue;
		if (rc <= 0) {
			tc_fail(t, "skip %u: S recv after %zu bytes: %s", skip,
				nback, rc ? strerror(errno) : "EOF");
			break;
		}
		nback += rc;
	}
	if (times > 0)
		n = fault_off(t, hits);
	if (nback == 1000 + 16384 + 5 &&
	    (memcmp(got, src, 1000) || memcmp(got + 1000, src, 16384) ||
	     memcmp(got + 17384, src, 5)))
		tc_fail(t, "skip %u: S read other bytes than P sent", skip);
	rc = kc_recv_all(to, got, nsent);
	if (rc != (ssize_t)nsent)
		tc_fail(t, "skip %u: S's peer got %zd bytes, the calls took %zu",
			skip, rc, nsent);
	else if (memcmp(got, sent, nsent))
		tc_fail(t,
			"skip %u: S's peer got other bytes than the calls took",
			skip);
	if (!kc_quiet(to, 20))
		tc_fail(t, "skip %u: S's peer got more than the calls took",
			skip);
	if (policy == 2 && !kc_quiet(c.p, 0))
		tc_fail(t, "skip %u: P got bytes redirected away", skip);
	/* The stream verdict judged each of P's records once. */
	if (policy == 1)
		tc_runs(t, "stream verdict", c.pol.skb_stats, ARRAY_SIZE(back),
			NULL);
	tx_done_quiet(&c);
	return n;
}

/*
 * Each fault point in turn, then all of them, fails from every pass the
 * script makes through them (skip 0, 1, 2, ... until the script makes no
 * more), once or for good: without a policy, with one that passes all
 * (both ways), and with one that redirects all to a ktls socket T (S's peer is then
 * T's): see sweep_round().
 */
static void case_nomem_sweep(void)
{
	static const int sites[] = { FAULT_TX_SEAL, FAULT_TX_COPY,
				     FAULT_RX_OPEN,
				     FAULT_TX_SEAL | FAULT_TX_COPY |
					     FAULT_RX_OPEN };
	unsigned int skip, rounds = 0;
	int policy, times;
	struct tcase t;
	long long n;
	size_t i;

	tc_begin(&t, "nomem-sweep");
	kc_watchdog(t.name, 600);
	for (policy = 0; policy < 3 && !t.bad; policy++)
		for (times = 1; times >= -1 && !t.bad; times -= 2)
			for (i = 0; i < ARRAY_SIZE(sites) && !t.bad; i++)
				for (skip = 0; skip < 200 && !t.bad; skip++) {
					n = sweep_round(&t, policy, sites[i],
							skip, times);
					if (n <= 0)
						break;
					rounds++;
				}
	if (rounds < 120)
		tc_fail(&t, "only %u rounds injected a failure", rounds);
	printf("# nomem-sweep: %u rounds with a failure injected\n", rounds);
	tc_end(&t);
}

/* --- attach order --------------------------------------------------- */

static void case_order_ulp_first(void)
{
	const long long ctrs[C_N] = { 0 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "order-ulp-first");
	txc_init(&c);
	if (!pol_open(&t, &c.pol) && !pol_attach(&t, &c.pol, c.pol.hash, 0) &&
	    !pc_pair(&t, &c.s, &c.p) && !pc_ulp(&t, "S", c.s, "ktls")) {
		c.ok = 1;
		tc_errno(&t, "add a socket with ULP ktls to sock_hash",
			 pol_add(c.pol.hash, 0, c.s), EINVAL);
		tc_errno(&t, "add it to sock_map", pol_add(c.pol.map, 0, c.s),
			 EINVAL);
		if (!pc_keys(&t, "S", c.s, TLS_TX, SEED_S))
			tc_errno(&t, "add it with TLS_TX to sock_hash",
				 pol_add(c.pol.hash, 0, c.s), EINVAL);
	}
	tx_done(&t, &c, ctrs);
}

static void case_order_attach_later(void)
{
	const struct pc_step st[] = { { .verdict = PC_DROP } };
	const long long ctrs[C_N] = { 0 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "order-attach-later");
	txc_init(&c);
	if (!pol_open(&t, &c.pol) && !pol_steps(&t, c.pol.msg_steps, st, 1) &&
	    !pc_pair(&t, &c.s, &c.p)) {
		if (pol_add(c.pol.hash, 0, c.s))
			tc_fail(&t, "setup: add S to sock_hash: %s",
				strerror(errno));
		else if (!pc_ulp(&t, "S", c.s, "ktls") &&
			 !pc_keys(&t, "S", c.s, TLS_TX, SEED_S) &&
			 !pc_ulp(&t, "P", c.p, "tls") &&
			 !pc_keys(&t, "P", c.p, TLS_RX, SEED_S) &&
			 !pol_attach(&t, &c.pol, c.pol.hash, 0)) {
			c.ok = 1;
			kc_rand(buf, 300, 38);
			tc_rc(&t, "send 300", snd(c.s, buf, 300, 0), 300);
			tc_recv(&t, "P", c.p, buf, 300);
			tc_quiet(&t, "P afterwards", c.p);
			tc_runs(&t, "runs", c.pol.msg_stats, 0, NULL);
		}
	}
	tx_done(&t, &c, ctrs);
}

static void case_order_second_map(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_PASS] = 1 };
	struct tcase t;
	struct txc c;

	tc_begin(&t, "order-second-map");
	if (!tx_setup(&t, &c, st, 1, 0)) {
		c.ok = 1;
		tc_errno(&t, "add the ktls socket to a second map (sock_map)",
			 pol_add(c.pol.map, 0, c.s), EBUSY);
		kc_rand(buf, 100, 28);
		tc_rc(&t, "send 100", snd(c.s, buf, 100, 0), 100);
		tc_recv(&t, "P", c.p, buf, 100);
		tc_runs(&t, "runs", c.pol.msg_stats, 1, SIZES(100));
	}
	tx_done(&t, &c, ctrs);
}

static void case_order_map_delete(void)
{
	const struct pc_step st[] = { { .prefix_len = 4, .prefix = "DROP" } };
	const long long ctrs[C_N] = { [C_DROP] = 1, [C_DROPPED] = 100 };
	struct tcase t;
	struct txc c;
	__u32 key = 0;

	tc_begin(&t, "order-map-delete");
	if (!tx_setup(&t, &c, st, 1, RX_KEYS)) {
		c.ok = 1;
		kc_rand(buf, 1200, 29);
		memcpy(buf, "DROP", 4);
		memcpy(buf + 100, "DROP", 4);
		tc_errno(&t, "send DROP 100 in the map", snd(c.s, buf, 100, 0),
			 EACCES);
		tc_rc(&t, "map delete", bpf_map_delete_elem(c.pol.hash, &key),
		      0);
		tc_rc(&t, "send DROP 400 after the delete",
		      snd(c.s, buf + 100, 400, 0), 400);
		tc_recv(&t, "P after the delete", c.p, buf + 100, 400);
		tc_quiet(&t, "P afterwards", c.p);
		tc_rc(&t, "P sends 700", snd(c.p, buf + 500, 700, 0), 700);
		tc_recv(&t, "S receives", c.s, buf + 500, 700);
		tc_quiet(&t, "S afterwards", c.s);
		tc_runs(&t, "runs (none after the delete)", c.pol.msg_stats, 1,
			SIZES(100));
	}
	tx_done(&t, &c, ctrs);
}

static void case_intree_refuses(void)
{
	struct tcase t;
	struct txc c;

	tc_begin(&t, "intree-refuses");
	txc_init(&c);
	if (!pol_open(&t, &c.pol) && !pol_attach(&t, &c.pol, c.pol.hash, 0) &&
	    !pc_pair(&t, &c.s, &c.p)) {
		if (pol_add(c.pol.hash, 0, c.s))
			tc_fail(&t, "setup: add to sock_hash: %s",
				strerror(errno));
		else if (!pc_ulp(&t, "S", c.s, "tls")) {
			tc_errno(&t, "tls.ko TLS_TX on a socket in a sockhash",
				 kc_keys(c.s, TLS_TX, pc_ver->ver, pc_cipher,
					 SEED_S),
				 EINVAL);
			tc_errno(&t, "tls.ko TLS_RX on a socket in a sockhash",
				 kc_keys(c.s, TLS_RX, pc_ver->ver, pc_cipher,
					 SEED_P),
				 EINVAL);
		}
	}
	tx_done(&t, &c, NULL);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "intree-refuses", case_intree_refuses },
	{ "order-ulp-first", case_order_ulp_first },
	{ "order-attach-later", case_order_attach_later },
	{ "order-second-map", case_order_second_map },
	{ "order-map-delete", case_order_map_delete },
	{ "pass", case_pass },
	{ "drop", case_drop },
	{ "apply-partial", case_apply_partial },
	{ "apply-eagain", case_apply_eagain },
	{ "apply-span", case_apply_span },
	{ "pop-apply-drop", case_pop_apply_drop },
	{ "cork", case_cork },
	{ "cork-drop", case_cork_drop },
	{ "cork-over-apply", case_cork_over_apply },
	{ "cork-close", case_cork_close },
	{ "cork-full", case_cork_full },
	{ "cork-ctrl", case_cork_ctrl },
	{ "redir-egress-ktls", case_redir_egress_ktls },
	{ "redir-close-target", case_redir_close_target },
	{ "redir-full-later", case_redir_full_later },
	{ "redir-full-more", case_redir_full_more },
	{ "redir-full-busy", case_redir_full_busy },
	{ "redir-full-behind", case_redir_full_behind },
	{ "redir-full-shut", case_redir_full_shut },
	{ "ctrl-eintr", case_ctrl_eintr },
	{ "redir-shut-tcp", case_redir_shut_tcp },
	{ "redir-shut-ktls", case_redir_shut_ktls },
	{ "redir-pop-shut", case_redir_pop_shut },
	{ "redir-push-shut", case_redir_push_shut },
	{ "redir-push-later", case_redir_push_later },
	{ "redir-egress-tcp", case_redir_egress_tcp },
	{ "redir-ingress-tcp", case_redir_ingress_tcp },
	{ "redir-ingress-ktls", case_redir_ingress_ktls },
	{ "push", case_push },
	{ "pop", case_pop },
	{ "pull", case_pull },
	{ "sendfile", case_sendfile },
	{ "msg-more", case_msg_more },
	{ "maxrec", case_maxrec },
	{ "maxrec-limit", case_maxrec_limit },
	{ "ctrl", case_ctrl },
	{ "zc-write-head", case_zc_write_head },
	{ "zc-write-pull", case_zc_write_pull },
	{ "zc-cork", case_zc_cork },
	{ "zc-redirect", case_zc_redirect },
	{ "zc-apply", case_zc_apply },
	{ "zc-drop", case_zc_drop },
	{ "zc-push-full", case_zc_push_full },
	{ "nomem-more", case_nomem_more },
	{ "nomem-direct", case_nomem_direct },
	{ "nomem-pass", case_nomem_pass },
	{ "nomem-zc", case_nomem_zc },
	{ "nomem-zc-split", case_nomem_zc_split },
	{ "nomem-copy-partial", case_nomem_copy_partial },
	{ "nomem-copy-window", case_nomem_copy_window },
	{ "nomem-copy-redirect", case_nomem_copy_redirect },
	{ "nomem-rx", case_nomem_rx },
	{ "nomem-aead-inplace", case_nomem_aead_inplace },
	{ "nomem-aead-copy", case_nomem_aead_copy },
	{ "nomem-sweep", case_nomem_sweep },
};

int main(int argc, char **argv)
{
	const char *only = getenv("POLICY_CASES");
	int nomem = !!getenv("POLICY_NOMEM");
	size_t i;

	if (pc_args(argc, argv)) {
		fprintf(stderr, "usage: policy_tx 12|13 CIPHER [BPF_OBJECT]\n");
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (only && !strstr(only, cases[i].name))
			continue;
		/* The nomem- cases need the fault-injection build, and only. */
		if (nomem != !strncmp(cases[i].name, "nomem-", 6))
			continue;
		cases[i].fn();
	}
	return kt_failed;
}
