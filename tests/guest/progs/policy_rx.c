// SPDX-License-Identifier: GPL-2.0
/*
 * policy_rx 12|13 CIPHER [BPF_OBJECT]
 *
 * Stream-verdict policy on ktls RX records (docs/policy.md).  Every case
 * loads a fresh tests/guest/bpf/policy.bpf.o, attaches skb_policy to its
 * sock_hash as BPF_SK_SKB_STREAM_VERDICT (no stream parser) and puts a
 * loopback receiver R there BEFORE TCP_ULP "ktls" and TLS_RX.  R's peer P
 * is the in-tree tls.ko (ULP "tls", TLS_TX with R's keys) and sends one
 * record per send().  Checked: the bytes (and record types) R or the
 * redirect target delivers, the program's runs and the record lengths it
 * saw, and the exact deltas of the policy counters.
 *
 * The program is shown the whole record, decrypted in place (docs/policy.md):
 * header (and TLS 1.2 explicit nonce) in front of the plaintext, content
 * type (TLS 1.3) and tag behind it.  It reads the plaintext's first bytes at
 * that offset; before a redirect it trims the front and the back itself
 * (bpf_skb_adjust_room, bpf_skb_change_tail), except in redir-untrimmed.
 *
 *   pass              three records, all delivered, one run each
 *   drop              the record starting with DROP is discarded, the
 *                     records before and after it are delivered exactly
 *   drop-skb-verdict  the same with the program attached as
 *                     BPF_SK_SKB_VERDICT (the kernel keeps it apart from
 *                     a stream verdict; it judges ktls records all the same)
 * Records are judged when R's application reads them; for the redirects R
 * is read without blocking (EAGAIN every time) until the program has seen
 * them all.
 *
 *   redir-ingress-tcp    bpf_sk_redirect_hash + BPF_F_INGRESS to a plain
 *                        TCP socket: recv() there, nothing on R
 *   redir-ingress-ktls   bpf_sk_redirect_map + BPF_F_INGRESS to a ktls
 *                        socket with TLS_RX: recv() there
 *   redir-egress-tcp     bpf_sk_redirect_map to a plain TCP socket: its
 *                        peer receives the plaintext
 *   redir-egress-ktls    bpf_sk_redirect_hash to a ktls socket with TLS_TX:
 *                        its tls.ko peer decrypts with that socket's keys
 *   redir-egress-ktls-msg  the same to a ktls socket with an SK_MSG
 *                        program: the program judges (and rewrites) each
 *                        redirected record as if X's application sent it
 *   redir-untrimmed      a record redirected without trimming arrives at
 *                        the target as it is: header, plaintext in place
 *   ctrl              a control record between two data records is not
 *                     shown to the program and arrives with its type
 */
#include "policy_common.h"

#define SEED_R 5 /* P -> R */
#define SEED_X 6 /* target X -> its peer, or its peer -> X */

static unsigned char buf[16384], got[16384];

struct rxc {
	struct pol pol;
	int r, p; /* receiver in sock_hash key 0, its tls.ko peer (sender) */
	int x, xp; /* redirect target, its peer */
	int ok;
};

static ssize_t snd(int fd, const void *b, size_t n)
{
	return send(fd, b, n, MSG_NOSIGNAL);
}

/* Bytes of the record behind the plaintext: content type (1.3), tag. */
static unsigned int rec_tail(void)
{
	return pc_cipher->tag + (pc_ver->ver == TLS_1_3_VERSION);
}

/* Bytes of the record in front of the plaintext: header, explicit nonce. */
static unsigned int rec_front(void)
{
	return kc_overhead(pc_ver->ver, pc_cipher) - rec_tail();
}

/* The stream verdict's steps: each reads the plaintext at rec_front(). */
/* How the stream-verdict program is attached (pol_attach()). */
static int skb_attach = 1;

static int rx_setup(struct tcase *t, struct rxc *c, const struct pc_step *st,
		    int n)
{
	struct pc_step lst[PC_NSTEPS];
	int i;

	for (i = 0; i < n && i < PC_NSTEPS; i++) {
		lst[i] = st[i];
		lst[i].head_off = rec_front();
	}
	memset(c, 0, sizeof(*c));
	c->r = c->p = c->x = c->xp = -1;
	if (pol_open(t, &c->pol) ||
	    pol_attach(t, &c->pol, c->pol.hash, skb_attach) ||
	    pol_steps(t, c->pol.skb_steps, lst, n) || pc_pair(t, &c->r, &c->p))
		return -1;
	if (pol_add(c->pol.hash, 0, c->r)) {
		tc_fail(t, "setup: add R to sock_hash: %s", strerror(errno));
		return -1;
	}
	if (pc_ulp(t, "R", c->r, "ktls") ||
	    pc_keys(t, "R", c->r, TLS_RX, SEED_R) ||
	    pc_ulp(t, "P", c->p, "tls") ||
	    pc_keys(t, "P", c->p, TLS_TX, SEED_R))
		return -1;
	return 0;
}

/* Target X in @map_fd key 1; @ulp NULL: plain TCP, else keys in @dir. */
static int target_setup(struct tcase *t, struct rxc *c, int map_fd,
			const char *ulp, int dir)
{
	return pc_target(t, "X", &c->x, &c->xp, map_fd, ulp, dir, SEED_X);
}

static void rx_done(struct tcase *t, struct rxc *c, const long long *ctrs)
{
	pc_close(&c->r);
	pc_close(&c->p);
	pc_close(&c->x);
	pc_close(&c->xp);
	pol_close(&c->pol);
	if (c->ok)
		tc_ctrs(t, ctrs);
	tc_end(t);
}

/* P sends the records of @lens (bytes from buf, in order), one each. */
static int send_records(struct tcase *t, struct rxc *c,
			const unsigned int *lens, int n)
{
	size_t off = 0;
	char what[64];
	ssize_t rc;
	int i;

	for (i = 0; i < n; i++) {
		rc = snd(c->p, buf + off, lens[i]);
		if (rc != (ssize_t)lens[i]) {
			snprintf(what, sizeof(what), "P sends record %d", i);
			tc_rc(t, what, rc, lens[i]);
			return -1;
		}
		off += lens[i];
	}
	return 0;
}

/* Every run's head matches the record it was shown (records of @lens). */
static void tc_heads(struct tcase *t, struct rxc *c, const unsigned int *lens,
		     int n)
{
	struct pc_stats st;
	size_t off = 0;
	int i;

	if (pol_stats(t, c->pol.skb_stats, &st))
		return;
	for (i = 0; i < n && i < (int)st.runs; i++) {
		unsigned int hl = lens[i] < PC_HEAD ? lens[i] : PC_HEAD;

		if (st.log[i].head_len != hl ||
		    memcmp(st.log[i].head, buf + off, hl))
			tc_fail(t,
				"run %d: program read %u bytes %02x%02x%02x%02x.., want the record's first %u",
				i, st.log[i].head_len, st.log[i].head[0],
				st.log[i].head[1], st.log[i].head[2],
				st.log[i].head[3], hl);
		off += lens[i];
	}
}

#define SIZES(...) ((const unsigned int[]){ __VA_ARGS__ })

/* The stream verdict ran @n times, on whole records of plaintexts @lens. */
static void rec_runs(struct tcase *t, const char *what, struct rxc *c,
		     const unsigned int *lens, unsigned int n)
{
	unsigned int sizes[PC_NLOG], i;

	for (i = 0; i < n && i < PC_NLOG; i++)
		sizes[i] = lens[i] + kc_overhead(pc_ver->ver, pc_cipher);
	tc_runs(t, what, c->pol.skb_stats, n, sizes);
}

/*
 * Records are judged when R's application reads (docs/policy.md), so read
 * R without blocking until the program has run @n times in all, for at
 * most 3 s.  Every record is redirected or dropped: each read must find
 * nothing (EAGAIN).
 */
static void judge_all(struct tcase *t, struct rxc *c, unsigned int n)
{
	struct pollfd pfd = { .fd = c->r, .events = POLLIN };
	double end = kc_now() + 3;
	struct pc_stats st;
	ssize_t rc;

	for (;;) {
		if (pol_stats(t, c->pol.skb_stats, &st))
			return;
		if (st.runs >= n || kc_now() > end)
			break;
		poll(&pfd, 1, 100);
		rc = recv(c->r, got, sizeof(got), MSG_DONTWAIT);
		if (rc >= 0) {
			tc_fail(t,
				"R: recv returned %zd, want nothing (EAGAIN)",
				rc);
			return;
		}
		if (errno != EAGAIN) {
			tc_fail(t, "R: recv: %s, want EAGAIN", strerror(errno));
			return;
		}
	}
	if (st.runs < n)
		tc_fail(t,
			"the program ran %llu times within 3 s of reading R, want %u",
			(unsigned long long)st.runs, n);
}

static void case_pass(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_RXPASS] = 3 };
	const unsigned int *lens = SIZES(100, 200, 300);
	struct tcase t;
	struct rxc c;

	tc_begin(&t, "rx-pass");
	if (!rx_setup(&t, &c, st, 1)) {
		c.ok = 1;
		kc_rand(buf, 600, 31);
		if (!send_records(&t, &c, lens, 3)) {
			tc_recv(&t, "R", c.r, buf, 600);
			tc_quiet(&t, "R afterwards", c.r);
			rec_runs(&t, "runs", &c, lens, 3);
			tc_heads(&t, &c, lens, 3);
		}
	}
	rx_done(&t, &c, ctrs);
}

static void drop_case(const char *name)
{
	const struct pc_step st[] = { { .prefix_len = 4, .prefix = "DROP" } };
	const long long ctrs[C_N] = { [C_RXPASS] = 2, [C_RXDROP] = 1 };
	const unsigned int *lens = SIZES(100, 200, 300);
	struct tcase t;
	struct rxc c;

	tc_begin(&t, name);
	if (!rx_setup(&t, &c, st, 1)) {
		c.ok = 1;
		kc_rand(buf, 600, 32);
		buf[0] = 'k';
		memcpy(buf + 100, "DROP", 4);
		buf[300] = 'k';
		memcpy(got, buf, 100);
		memcpy(got + 100, buf + 300, 300);
		if (!send_records(&t, &c, lens, 3)) {
			tc_recv(&t, "R (records 1 and 3)", c.r, got, 400);
			tc_quiet(&t, "R afterwards", c.r);
			rec_runs(&t, "runs", &c, lens, 3);
			tc_heads(&t, &c, lens, 3);
		}
	}
	rx_done(&t, &c, ctrs);
}

static void case_drop(void)
{
	drop_case("rx-drop");
}

/* The program attached as BPF_SK_SKB_VERDICT judges the records too. */
static void case_drop_skb_verdict(void)
{
	skb_attach = 2;
	drop_case("rx-drop-skb-verdict");
	skb_attach = 1;
}

/* Runs 0..n-1 trimmed the record to its plaintext without an error. */
static void tc_trims(struct tcase *t, struct rxc *c, unsigned int n)
{
	struct pc_stats st;
	unsigned int i;

	if (pol_stats(t, c->pol.skb_stats, &st))
		return;
	for (i = 0; i < n && i < st.runs && i < PC_NLOG; i++)
		if (st.log[i].rc_trim_front || st.log[i].rc_trim_tail)
			tc_fail(t,
				"run %u: bpf_skb_adjust_room returned %d, bpf_skb_change_tail %d, want 0 and 0",
				i, st.log[i].rc_trim_front,
				st.log[i].rc_trim_tail);
}

/*
 * Redirect every record to X (in @map as key 1, @ulp/@dir as in
 * target_setup) with @flags; X (ingress) or X's peer (egress) must
 * receive the 500 plaintext bytes, R nothing.
 */
static void redirect_case(const char *name, int map, const char *ulp, int dir,
			  __u32 flags)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = (__u32)map,
					.key = 1,
					.flags = flags,
					.trim_front = rec_front(),
					.trim_tail = rec_tail() } };
	const long long ctrs[C_N] = { [C_RXREDIR] = 2 };
	const unsigned int *lens = SIZES(200, 300);
	struct tcase t;
	struct rxc c;
	int dst;

	tc_begin(&t, name);
	if (!rx_setup(&t, &c, st, 1) &&
	    !target_setup(&t, &c, map == PC_MAP ? c.pol.map : c.pol.hash, ulp,
			  dir)) {
		c.ok = 1;
		kc_rand(buf, 500, 33);
		dst = flags & BPF_F_INGRESS ? c.x : c.xp;
		if (!send_records(&t, &c, lens, 2)) {
			judge_all(&t, &c, 2);
			tc_recv(&t,
				flags & BPF_F_INGRESS ? "recv on X" :
							"X's peer",
				dst, buf, 500);
			tc_quiet(&t, "the same afterwards", dst);
			tc_quiet(&t, "R", c.r);
			tc_quiet(&t, flags & BPF_F_INGRESS ? "X's peer" : "X",
				 flags & BPF_F_INGRESS ? c.xp : c.x);
			rec_runs(&t, "runs", &c, lens, 2);
			tc_trims(&t, &c, 2);
		}
	}
	rx_done(&t, &c, ctrs);
}

/*
 * Without trimming, a redirected record reaches the target as the program
 * was shown it: the whole record, header in front, plaintext in place,
 * then (TLS 1.3) the content type.  The nonce and tag bytes are not
 * checked.
 */
static void case_redir_untrimmed(void)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 1,
					.flags = BPF_F_INGRESS } };
	const long long ctrs[C_N] = { [C_RXREDIR] = 2 };
	const unsigned int *lens = SIZES(200, 300);
	unsigned int ov = kc_overhead(pc_ver->ver, pc_cipher);
	unsigned int front = rec_front(), reclen, i;
	size_t total = 500 + 2 * ov, off = 0, poff = 0;
	unsigned char *r;
	struct tcase t;
	struct rxc c;
	ssize_t n;

	tc_begin(&t, "rx-redir-untrimmed");
	if (!rx_setup(&t, &c, st, 1) &&
	    !target_setup(&t, &c, c.pol.hash, NULL, 0)) {
		c.ok = 1;
		kc_rand(buf, 500, 36);
		if (!send_records(&t, &c, lens, 2)) {
			judge_all(&t, &c, 2);
			n = kc_recv_all(c.x, got, total);
			if (n != (ssize_t)total)
				tc_fail(&t,
					"recv on X: %zd (%s), want %zu bytes",
					n, n < 0 ? strerror(errno) : "short",
					total);
			for (i = 0; n == (ssize_t)total && i < 2; i++) {
				r = got + off;
				reclen = lens[i] + ov;
				if (r[0] != KC_TYPE_DATA || r[1] != 3 ||
				    r[2] != 3 ||
				    (unsigned int)((r[3] << 8) | r[4]) !=
					    reclen - KC_HDR)
					tc_fail(&t,
						"record %u: header %02x %02x %02x length %d, want 17 03 03 length %u",
						i, r[0], r[1], r[2],
						(r[3] << 8) | r[4],
						reclen - KC_HDR);
				if (memcmp(r + front, buf + poff, lens[i]))
					tc_fail(&t,
						"record %u: the plaintext is not at offset %u",
						i, front);
				if (pc_ver->ver == TLS_1_3_VERSION &&
				    r[front + lens[i]] != KC_TYPE_DATA)
					tc_fail(&t,
						"record %u: content type %02x after the plaintext, want 17",
						i, r[front + lens[i]]);
				off += reclen;
				poff += lens[i];
			}
			tc_quiet(&t, "X afterwards", c.x);
			tc_quiet(&t, "R", c.r);
			rec_runs(&t, "runs", &c, lens, 2);
		}
	}
	rx_done(&t, &c, ctrs);
}

static void case_ctrl(void)
{
	const struct pc_step st[] = { { .verdict = PC_PASS } };
	const long long ctrs[C_N] = { [C_RXPASS] = 2 };
	unsigned char r[512];
	struct tcase t;
	struct rxc c;
	ssize_t n;
	int type;

	tc_begin(&t, "rx-ctrl");
	if (!rx_setup(&t, &c, st, 1)) {
		c.ok = 1;
		kc_rand(buf, 400, 34);
		tc_rc(&t, "P sends 100", snd(c.p, buf, 100), 100);
		tc_rc(&t, "P sends an alert",
		      kc_send_type(c.p, KC_TYPE_ALERT, "\x01\x00", 2), 2);
		tc_rc(&t, "P sends 300", snd(c.p, buf + 100, 300), 300);
		n = kc_recv_type(c.r, r, sizeof(r), &type, 0);
		if (n != 100 || type != KC_TYPE_DATA || memcmp(r, buf, 100))
			tc_fail(&t,
				"R first read: %zd (%s) type %d, want 100 bytes of type 23",
				n, n < 0 ? strerror(errno) : "", type);
		n = kc_recv_type(c.r, r, sizeof(r), &type, 0);
		if (n != 2 || type != KC_TYPE_ALERT || memcmp(r, "\x01\x00", 2))
			tc_fail(&t,
				"R second read: %zd (%s) type %d, want the 2-byte alert (type 21)",
				n, n < 0 ? strerror(errno) : "", type);
		n = kc_recv_all(c.r, r, 300);
		if (n != 300 || memcmp(r, buf + 100, 300))
			tc_fail(&t, "R third read: %zd (%s), want 300 bytes", n,
				n < 0 ? strerror(errno) : "");
		tc_quiet(&t, "R afterwards", c.r);
		rec_runs(&t, "runs (data records only)", &c, SIZES(100, 300),
			 2);
	}
	rx_done(&t, &c, ctrs);
}

/*
 * Egress to a ktls socket X that has an SK_MSG program (the same sock_hash
 * carries both programs): each redirected record goes out as if X's
 * application sent it, so X's program judges it (it overwrites the first 4
 * bytes with 'M') and X's peer decrypts the result with X's keys.
 */
static void case_redir_egress_ktls_msg(void)
{
	const struct pc_step st[] = { { .verdict = PC_REDIRECT,
					.map = PC_HASH,
					.key = 1,
					.trim_front = rec_front(),
					.trim_tail = rec_tail() } };
	const struct pc_step mst[] = { { .write_len = 4, .fill = 'M' } };
	const long long ctrs[C_N] = { [C_PASS] = 2, [C_RXREDIR] = 2 };
	const unsigned int *lens = SIZES(200, 300);
	unsigned char want[500];
	struct tcase t;
	struct rxc c;

	tc_begin(&t, "rx-redir-egress-ktls-msg");
	if (!rx_setup(&t, &c, st, 1) &&
	    !pol_attach(&t, &c.pol, c.pol.hash, 0) &&
	    !pol_steps(&t, c.pol.msg_steps, mst, 1) &&
	    !target_setup(&t, &c, c.pol.hash, "ktls", TLS_TX)) {
		c.ok = 1;
		kc_rand(buf, 500, 35);
		memcpy(want, buf, 500);
		memset(want, 'M', 4);
		memset(want + 200, 'M', 4);
		if (!send_records(&t, &c, lens, 2)) {
			judge_all(&t, &c, 2);
			tc_recv(&t, "X's peer (X's keys, X's program applied)",
				c.xp, want, 500);
			tc_quiet(&t, "X's peer afterwards", c.xp);
			tc_quiet(&t, "R", c.r);
			rec_runs(&t, "stream verdict runs", &c, lens, 2);
			tc_trims(&t, &c, 2);
			tc_runs(&t, "X's SK_MSG runs", c.pol.msg_stats, 2,
				lens);
		}
	}
	rx_done(&t, &c, ctrs);
}

static void case_redir_ingress_tcp(void)
{
	redirect_case("rx-redir-ingress-tcp", PC_HASH, NULL, 0, BPF_F_INGRESS);
}

static void case_redir_ingress_ktls(void)
{
	redirect_case("rx-redir-ingress-ktls", PC_MAP, "ktls", TLS_RX,
		      BPF_F_INGRESS);
}

static void case_redir_egress_tcp(void)
{
	redirect_case("rx-redir-egress-tcp", PC_MAP, NULL, 0, 0);
}

static void case_redir_egress_ktls(void)
{
	redirect_case("rx-redir-egress-ktls", PC_HASH, "ktls", TLS_TX, 0);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "rx-pass", case_pass },
	{ "rx-drop", case_drop },
	{ "rx-drop-skb-verdict", case_drop_skb_verdict },
	{ "rx-ctrl", case_ctrl },
	{ "rx-redir-ingress-tcp", case_redir_ingress_tcp },
	{ "rx-redir-ingress-ktls", case_redir_ingress_ktls },
	{ "rx-redir-egress-tcp", case_redir_egress_tcp },
	{ "rx-redir-egress-ktls", case_redir_egress_ktls },
	{ "rx-redir-egress-ktls-msg", case_redir_egress_ktls_msg },
	{ "rx-redir-untrimmed", case_redir_untrimmed },
};

int main(int argc, char **argv)
{
	const char *only = getenv("POLICY_CASES");
	size_t i;

	if (pc_args(argc, argv)) {
		fprintf(stderr, "usage: policy_rx 12|13 CIPHER [BPF_OBJECT]\n");
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (only && !strstr(only, cases[i].name))
			continue;
		cases[i].fn();
	}
	return kt_failed;
}
