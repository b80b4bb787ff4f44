/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by policy_tx and policy_rx (the 55-policy suite, docs/policy.md):
 * loading tests/guest/bpf/policy.bpf.o with libbpf, writing the per-run
 * steps, reading the programs' run logs, the policy counters of
 * /proc/net/ktls_stat, and one result line per case that collects every
 * mismatch it saw.
 */
#ifndef POLICY_COMMON_H
#define POLICY_COMMON_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ktls_common.h"
#include "../bpf/policy.h"

static const char *pc_obj_path = "/t/bin/policy.bpf.o";

/* --- the combination under test ------------------------------------- */

static const struct kc_version *pc_ver;
static const struct kc_cipher *pc_cipher;
static char pc_prefix[64]; /* "12_aes_gcm_128" */

#define PC_IO_MS 3000 /* socket time-outs */
#define PC_QUIET_MS 150 /* "nothing arrives" waits this long */

/* Parse "12|13 CIPHER"; 0 or -1 (usage). */
static inline int pc_args(int argc, char **argv)
{
	size_t i;

	if (argc > 3)
		pc_obj_path = argv[3];
	if (argc < 3)
		return -1;
	for (i = 0; i < ARRAY_SIZE(kc_versions); i++)
		if (!strcmp(argv[1], kc_versions[i].name))
			pc_ver = &kc_versions[i];
	pc_cipher = kc_cipher_by_name(argv[2]);
	if (!pc_ver || !pc_cipher)
		return -1;
	snprintf(pc_prefix, sizeof(pc_prefix), "%s_%s", pc_ver->name,
		 pc_cipher->name);
	return 0;
}

/* --- counters ------------------------------------------------------- */

enum {
	C_PASS,
	C_DROP,
	C_REDIR,
	C_CORKED,
	C_DROPPED,
	C_RXPASS,
	C_RXDROP,
	C_RXREDIR,
	C_RXLOST,
	C_N
};

static const char *const pc_ctr_names[C_N] = {
	"KtlsTxMsgPass",	 "KtlsTxMsgDrop",
	"KtlsTxMsgRedirect",	 "KtlsTxMsgCorkedBytes",
	"KtlsTxMsgDroppedBytes", "KtlsRxSkbPass",
	"KtlsRxSkbDrop",	 "KtlsRxSkbRedirect",
	"KtlsRxSkbRedirectLost",
};

struct pc_ctrs {
	long long v[C_N];
	int found[C_N];
};

static inline void pc_ctrs_read(struct pc_ctrs *c)
{
	FILE *f = fopen("/proc/net/ktls_stat", "r");
	char name[64];
	long long val;
	int i;

	memset(c, 0, sizeof(*c));
	if (!f)
		return;
	while (fscanf(f, "%63s %lld", name, &val) == 2)
		for (i = 0; i < C_N; i++)
			if (!strcmp(name, pc_ctr_names[i])) {
				c->v[i] = val;
				c->found[i] = 1;
			}
	fclose(f);
}

/* --- one case, one result line -------------------------------------- */

struct tcase {
	char name[128];
	char why[1400];
	int bad;
	struct pc_ctrs before;
};

static inline void tc_fail(struct tcase *t, const char *fmt, ...)
{
	size_t l = strlen(t->why);
	va_list ap;

	if (l + 8 >= sizeof(t->why))
		return;
	if (l)
		l += snprintf(t->why + l, sizeof(t->why) - l, "; ");
	va_start(ap, fmt);
	vsnprintf(t->why + l, sizeof(t->why) - l, fmt, ap);
	va_end(ap);
	t->bad++;
}

static inline void tc_begin(struct tcase *t, const char *cname)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s.%s", pc_prefix, cname);
	kc_watchdog(t->name, 60);
	pc_ctrs_read(&t->before);
}

static inline void tc_end(struct tcase *t)
{
	kc_watchdog(NULL, 0);
	if (t->bad)
		kc_fail(t->name, "%s", t->why);
	else
		kt_pass(t->name);
}

/*
 * The policy counters moved by exactly @want since tc_begin().  Called at
 * the end of a case, after every socket of the case is closed.
 */
static inline void tc_ctrs(struct tcase *t, const long long want[C_N])
{
	char missing[256] = "";
	struct pc_ctrs now;
	size_t l;
	int i;

	pc_ctrs_read(&now);
	for (i = 0; i < C_N; i++) {
		if (!now.found[i]) {
			l = strlen(missing);
			snprintf(missing + l, sizeof(missing) - l, " %s",
				 pc_ctr_names[i]);
			continue;
		}
		if (now.v[i] - t->before.v[i] != want[i])
			tc_fail(t, "%s +%lld, want +%lld", pc_ctr_names[i],
				now.v[i] - t->before.v[i], want[i]);
	}
	if (missing[0])
		tc_fail(t, "counters missing from /proc/net/ktls_stat:%s",
			missing);
}

/* A call returned @want (a byte count or 0). */
static inline void tc_rc(struct tcase *t, const char *what, ssize_t rc,
			 ssize_t want)
{
	if (rc == want)
		return;
	if (rc < 0)
		tc_fail(t, "%s: -1 (%s), want %zd", what, strerror(errno),
			want);
	else
		tc_fail(t, "%s: %zd, want %zd", what, rc, want);
}

/* A call failed with @err. */
static inline void tc_errno(struct tcase *t, const char *what, ssize_t rc,
			    int err)
{
	if (rc == -1 && errno == err)
		return;
	if (rc == -1)
		tc_fail(t, "%s: errno %s, want %s", what, strerror(errno),
			strerror(err));
	else
		tc_fail(t, "%s: returned %zd, want -1 (%s)", what, rc,
			strerror(err));
}

/* Exactly @len bytes equal to @want are read from @fd (plain recv). */
static inline void tc_recv(struct tcase *t, const char *what, int fd,
			   const void *want, size_t len)
{
	unsigned char *got = malloc(len + 1);
	ssize_t n;
	size_t i;

	if (!got) {
		tc_fail(t, "%s: out of memory", what);
		return;
	}
	n = kc_recv_all(fd, got, len);
	if (n < 0) {
		tc_fail(t, "%s: recv: %s, want %zu bytes", what,
			strerror(errno), len);
	} else if ((size_t)n != len) {
		tc_fail(t, "%s: %zd bytes arrived, want %zu", what, n, len);
	} else if (memcmp(got, want, len)) {
		for (i = 0; got[i] == ((const unsigned char *)want)[i]; i++)
			;
		tc_fail(t,
			"%s: %zu bytes arrived but differ from offset %zu (0x%02x, want 0x%02x)",
			what, len, i, got[i], ((const unsigned char *)want)[i]);
	}
	free(got);
}

/* Nothing is readable on @fd for PC_QUIET_MS. */
static inline void tc_quiet(struct tcase *t, const char *what, int fd)
{
	unsigned char buf[64];
	ssize_t n;

	if (kc_quiet(fd, PC_QUIET_MS))
		return;
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0)
		tc_fail(t, "%s: readable, recv: %s (want nothing)", what,
			strerror(errno));
	else
		tc_fail(t, "%s: %zd%s bytes arrived (first 0x%02x), want none",
			what, n, n == (ssize_t)sizeof(buf) ? "+" : "",
			n ? buf[0] : 0);
}

/* --- the BPF object ------------------------------------------------- */

struct pol {
	struct bpf_object *obj;
	int hash, map; /* sock_hash, sock_map */
	int msg_steps, skb_steps, msg_stats, skb_stats;
	int msg_prog, skb_prog;
};

static struct pol *pc_cur; /* the object of the running case */

/*
 * How often the kernel ran a program (bpf_stats), independent of the
 * program's own log; -1 if unknown.
 */
static inline long long pc_run_cnt(int prog_fd)
{
	static int stats_fd = -2;
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	if (stats_fd == -2)
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	memset(&info, 0, sizeof(info));
	if (stats_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -1;
	return info.run_cnt;
}

static int pc_libbpf_print(enum libbpf_print_level level, const char *fmt,
			   va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static inline int pol_fd(struct tcase *t, struct pol *p, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(p->obj, name);

	if (fd < 0)
		tc_fail(t, "setup: no map %s in %s", name, pc_obj_path);
	return fd;
}

/* Open and load a fresh copy of the object: new maps, zeroed logs. */
static inline int pol_open(struct tcase *t, struct pol *p)
{
	struct bpf_program *msg, *skb;
	int err;

	memset(p, 0, sizeof(*p));
	libbpf_set_print(pc_libbpf_print);
	p->obj = bpf_object__open_file(pc_obj_path, NULL);
	err = libbpf_get_error(p->obj);
	if (err) {
		p->obj = NULL;
		tc_fail(t, "setup: open %s: %s", pc_obj_path, strerror(-err));
		return -1;
	}
	err = bpf_object__load(p->obj);
	if (err) {
		tc_fail(t, "setup: load %s: %s", pc_obj_path, strerror(-err));
		return -1;
	}
	msg = bpf_object__find_program_by_name(p->obj, "msg_policy");
	skb = bpf_object__find_program_by_name(p->obj, "skb_policy");
	if (!msg || !skb) {
		tc_fail(t, "setup: programs missing from %s", pc_obj_path);
		return -1;
	}
	p->msg_prog = bpf_program__fd(msg);
	p->skb_prog = bpf_program__fd(skb);
	p->hash = pol_fd(t, p, "sock_hash");
	p->map = pol_fd(t, p, "sock_map");
	p->msg_steps = pol_fd(t, p, "msg_steps");
	p->skb_steps = pol_fd(t, p, "skb_steps");
	p->msg_stats = pol_fd(t, p, "msg_stats");
	p->skb_stats = pol_fd(t, p, "skb_stats");
	pc_cur = p;
	pc_run_cnt(p->msg_prog); /* statistics on from the first case */
	return t->bad ? -1 : 0;
}

static inline void pol_close(struct pol *p)
{
	if (p->obj)
		bpf_object__close(p->obj);
	p->obj = NULL;
	if (pc_cur == p)
		pc_cur = NULL;
}

/*
 * Attach the SK_MSG (skb = 0) or stream-verdict program: as
 * BPF_SK_SKB_STREAM_VERDICT (skb = 1) or BPF_SK_SKB_VERDICT (skb = 2).
 */
static inline int pol_attach(struct tcase *t, struct pol *p, int map_fd,
			     int skb)
{
	int rc = bpf_prog_attach(skb ? p->skb_prog : p->msg_prog, map_fd,
				 skb == 2 ? BPF_SK_SKB_VERDICT :
				 skb	  ? BPF_SK_SKB_STREAM_VERDICT :
					    BPF_SK_MSG_VERDICT,
				 0);

	if (rc)
		tc_fail(t, "setup: attach %s program: %s",
			skb ? "stream-verdict" : "SK_MSG", strerror(errno));
	return rc ? -1 : 0;
}

/* Steps 0..n-1 as given, the last one repeated up to PC_NSTEPS. */
static inline int pol_steps(struct tcase *t, int fd, const struct pc_step *s,
			    int n)
{
	__u32 i;

	for (i = 0; i < PC_NSTEPS; i++)
		if (bpf_map_update_elem(fd, &i, &s[(int)i < n ? (int)i : n - 1],
					BPF_ANY)) {
			tc_fail(t, "setup: write step %u: %s", i,
				strerror(errno));
			return -1;
		}
	return 0;
}

static inline int pol_stats(struct tcase *t, int fd, struct pc_stats *st)
{
	__u32 zero = 0;

	memset(st, 0, sizeof(*st));
	if (bpf_map_lookup_elem(fd, &zero, st)) {
		tc_fail(t, "read program log: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Put socket @fd into map @map_fd under @key; 0 or -1 with errno. */
static inline int pol_add(int map_fd, __u32 key, int fd)
{
	__u32 v = fd;

	return bpf_map_update_elem(map_fd, &key, &v, BPF_ANY) ? -1 : 0;
}

/*
 * The program has run exactly @n times so far, run i with msg->size (or
 * skb->len) sizes[i].  @sizes may be NULL to check the count only.
 */
static inline void tc_runs(struct tcase *t, const char *what, int stats_fd,
			   unsigned int n, const unsigned int *sizes)
{
	struct pc_stats st;
	char seen[256] = "";
	unsigned int i;
	int bad = 0;
	size_t l;

	if (pol_stats(t, stats_fd, &st))
		return;
	if (st.runs != n)
		bad = 1;
	for (i = 0; sizes && !bad && i < n && i < PC_NLOG; i++)
		if (st.log[i].size != sizes[i])
			bad = 1;
	if (!bad)
		return;
	for (i = 0; i < st.runs && i < PC_NLOG; i++) {
		l = strlen(seen);
		snprintf(seen + l, sizeof(seen) - l, "%s%u", i ? "," : "",
			 st.log[i].size);
	}
	l = strlen(seen);
	if (sizes) {
		snprintf(seen + l, sizeof(seen) - l, "], want %u runs [", n);
		for (i = 0; i < n; i++) {
			l = strlen(seen);
			snprintf(seen + l, sizeof(seen) - l, "%s%u",
				 i ? "," : "", sizes[i]);
		}
		l = strlen(seen);
		snprintf(seen + l, sizeof(seen) - l, "]");
	} else {
		snprintf(seen + l, sizeof(seen) - l, "], want %u runs", n);
	}
	l = strlen(seen);
	if (pc_cur)
		snprintf(seen + l, sizeof(seen) - l, " (kernel run_cnt %lld)",
			 pc_run_cnt(stats_fd == pc_cur->msg_stats ?
					    pc_cur->msg_prog :
					    pc_cur->skb_prog));
	tc_fail(t, "%s: program ran %llu times [%s", what,
		(unsigned long long)st.runs, seen);
}

/* --- sockets -------------------------------------------------------- */

/* Keys (seed) in direction @dir on @fd, which already has ULP @ulp. */
static inline int pc_keys(struct tcase *t, const char *who, int fd, int dir,
			  unsigned int seed)
{
	if (!kc_keys(fd, dir, pc_ver->ver, pc_cipher, seed))
		return 0;
	tc_fail(t, "setup: %s %s: %s", who, dir == TLS_TX ? "TLS_TX" : "TLS_RX",
		strerror(errno));
	return -1;
}

static inline int pc_ulp(struct tcase *t, const char *who, int fd,
			 const char *ulp)
{
	if (!kt_set_ulp(fd, ulp))
		return 0;
	tc_fail(t, "setup: %s TCP_ULP %s: %s", who, ulp, strerror(errno));
	return -1;
}

/* A loopback pair with time-outs; both fds -1 on failure. */
static inline int pc_pair(struct tcase *t, int *a, int *b)
{
	*a = *b = -1;
	if (kt_pair(AF_INET, a, b)) {
		tc_fail(t, "setup: TCP pair: %s", strerror(errno));
		if (*a >= 0)
			close(*a);
		*a = *b = -1;
		return -1;
	}
	kc_timeouts(*a, PC_IO_MS);
	kc_timeouts(*b, PC_IO_MS);
	return 0;
}

/*
 * A redirect target @who (and its peer) in @map_fd under key 1, added
 * before its ULP.  @ulp NULL: plain TCP.  Otherwise the target gets ULP
 * @ulp and keys of @seed in direction @dir; its peer gets ULP tls and the
 * other direction.
 */
static inline int pc_target(struct tcase *t, const char *who, int *x, int *xp,
			    int map_fd, const char *ulp, int dir,
			    unsigned int seed)
{
	char peer[32];

	if (pc_pair(t, x, xp))
		return -1;
	if (pol_add(map_fd, 1, *x)) {
		tc_fail(t, "setup: add %s to the map: %s", who,
			strerror(errno));
		return -1;
	}
	if (!ulp)
		return 0;
	snprintf(peer, sizeof(peer), "%s's peer", who);
	if (pc_ulp(t, who, *x, ulp) || pc_keys(t, who, *x, dir, seed) ||
	    pc_ulp(t, peer, *xp, "tls") ||
	    pc_keys(t, peer, *xp, dir == TLS_TX ? TLS_RX : TLS_TX, seed))
		return -1;
	return 0;
}

static inline void pc_close(int *fd)
{
	if (*fd >= 0)
		kt_close_now(*fd);
	*fd = -1;
}

#endif /* POLICY_COMMON_H */
