// SPDX-License-Identifier: GPL-2.0
/*
 * tls_bench [-s MIB] [-n PAIRS] [-r REPS] [-m MODE] [-c] [-p TOP] [-P BPF_OBJECT] ULP_A ULP_B
 *
 * Throughput and memory of two kTLS implementations (ULP_A, ULP_B, e.g.
 * "ktls tls") and of plain TCP, over loopback, for TLS 1.2 and 1.3 with
 * AES-GCM-128.  Each measurement isolates one side: the other end is plain
 * TCP.
 *   send      16 KiB send()s through the ULP's TX; a plain socket drains
 *   sendfile  sendfile() of a tmpfs file through the ULP's TX
 *   recv      16 KiB recv()s through the ULP's RX; a plain socket writes
 *             ciphertext captured beforehand from the kernel's own TX
 *   send-b, sendfile-b
 *             send and sendfile with a draining end that batches: its
 *             SO_RCVLOWAT of 256 KiB wakes it once per 256 KiB.  The plain
 *             drain wakes as soon as data arrives; on one CPU that can be
 *             after every record or every few, whichever the scheduler's
 *             state gives, and the two patterns cost differently.
 * MIB (default 16) MiB of plaintext per measurement; MB/s are 10^6 bytes
 * of plaintext per second, the best of REPS (default 5) runs.  Then PAIRS
 * (default 1000) connected pairs with TX and RX keys on both ends are
 * opened; the growth of Slab, SUnreclaim and the fall of MemFree in
 * /proc/meminfo, divided by PAIRS, is the cost of one pair (plain TCP
 * pairs are the baseline).
 *
 * With -P (tests/guest/bpf/bench_pass.bpf.o), ULP_A is also measured with
 * a pass-all policy: the ULP_A end sits in a sockhash whose SK_MSG and
 * stream-verdict programs pass everything ("ULP_A+pol"); the ratio to
 * ULP_A without it is the policy's cost.
 *
 * -m MODE measures only that mode's throughput (a development aid).
 *
 * With -c, the CPUs' time during the measurements is sampled (kprof.h)
 * and "INFO bench cpu" lines give, per MiB moved and summed over the
 * runs, the samples outside the cipher's own code and idle ("other": the
 * datapath's cost around the AEAD, steadier under TCG than throughput)
 * and in the cipher.  -p TOP also prints each measurement's TOP busiest
 * kernel symbols: a development aid for finding where time goes.
 *
 * Output: "INFO bench ..." lines with key=value fields, and a PASS/SKIP/FAIL
 * line per measurement.  An implementation that refuses the keys is n/a.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/sock_diag.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ktls_common.h"
#include "kprof.h"

#define KIB 1024
#define MIB (1024 * 1024)
#define CHUNK (16 * KIB)

enum mode { M_SEND, M_SENDFILE, M_RECV, M_SEND_B, M_SENDFILE_B, M_NR };
static const char *const mode_name[M_NR] = { "send", "sendfile", "recv",
					     "send-b", "sendfile-b" };
#define LOWAT_B (256 * KIB) /* the draining end's SO_RCVLOWAT in M_*_B */

static size_t total = 16 * MIB;
static int npairs = 1000;
static int reps = 5;
static int only_mode = -1; /* -m */
static int prof_top; /* -p: profile each measurement, print this many */
static int prof_cpu; /* -c (or -p): account the CPUs' time */
static struct kprof_sum last_cpu; /* of the last measurement */
static const char *file_path = "/tmp/tls_bench.dat";
static int pol_map = -1; /* the pass-all policy's sockhash (-P) */
static __u32 pol_key;
static const struct kc_cipher *gcm;

/* Ciphertext of total bytes for the recv measurement, per version. */
static unsigned char *cipher_stream;
static size_t cipher_len;

struct writer {
	int fd, file;
	const unsigned char *buf;
	size_t len;
	size_t chunk;
	int advance; /* walk through buf, else resend its first chunk */
	int err;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	size_t done = 0, n;
	off_t off = 0;
	ssize_t r;

	while (done < w->len) {
		n = w->len - done < w->chunk ? w->len - done : w->chunk;
		if (w->file >= 0)
			r = sendfile(w->fd, w->file, &off, w->len - done);
		else
			r = send(w->fd, w->buf + (w->advance ? done : 0), n,
				 MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			w->err = r ? errno : EPIPE;
			break;
		}
		done += r;
	}
	shutdown(w->fd, SHUT_WR);
	return NULL;
}

static int drain_err; /* errno of the read that ended drain(), 0: EOF */

/* Read until EOF (or @want bytes) in @chunk reads; returns bytes read. */
static size_t drain(int fd, size_t want, size_t chunk, unsigned char *buf)
{
	size_t got = 0;
	ssize_t n;

	drain_err = 0;
	while (!want || got < want) {
		n = recv(fd, buf, chunk, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			drain_err = n ? errno : 0;
			break;
		}
		got += n;
	}
	return got;
}

/*
 * A transfer stopped short: the state of both ends, to tell a reader that
 * was never woken from a window that closed.
 */
static void stall_info(const char *name, int tx, int rx)
{
	unsigned int mem[SK_MEMINFO_VARS] = { 0 };
	struct tcp_info ti = { 0 }, to = { 0 };
	socklen_t l = sizeof(mem);
	int inq = -1, outq = -1;

	getsockopt(rx, SOL_SOCKET, SO_MEMINFO, mem, &l);
	l = sizeof(ti);
	getsockopt(rx, IPPROTO_TCP, TCP_INFO, &ti, &l);
	l = sizeof(to);
	getsockopt(tx, IPPROTO_TCP, TCP_INFO, &to, &l);
	ioctl(rx, FIONREAD, &inq);
	ioctl(tx, TIOCOUTQ, &outq);
	printf("INFO stall %s: reader errno %d, unread %d, rmem %u/%u, rcv_ssthresh %u rcv_space %u rcv_mss %u; writer unsent %d, snd_mss %u cwnd %u probes %u backoff %u\n",
	       name, drain_err, inq, mem[SK_MEMINFO_RMEM_ALLOC],
	       mem[SK_MEMINFO_RCVBUF], ti.tcpi_rcv_ssthresh, ti.tcpi_rcv_space,
	       ti.tcpi_rcv_mss, outq, to.tcpi_snd_mss, to.tcpi_snd_cwnd,
	       to.tcpi_probes, to.tcpi_backoff);
	fflush(stdout);
	if (system("grep -v ' 0$' /proc/net/ktls_stat | tr '\\n' ' '; echo; "
		   "awk '/^TcpExt:/ { if (!h) { split($0, n); h = 1 } else "
		   "for (i = 2; i <= NF; i++) if ($i != 0) printf \"%s=%s \", n[i], $i } "
		   "END { print \"\" }' /proc/net/netstat"))
		printf("INFO stall: no /proc/net/ktls_stat\n");
}

/*
 * One measurement: @ulp NULL is plain TCP.  Returns MB/s, 0 if the ULP
 * refused the keys (*why says why), -1 on a transfer error.
 */
static double measure(const char *ulp, int pol, uint16_t ver, enum mode m,
		      char *why, size_t whylen)
{
	static unsigned char rbuf[256 * KIB], wbuf[CHUNK];
	static int wbuf_filled;
	struct writer w = { .file = -1, .chunk = CHUNK, .len = total };
	int tx, rx, tls_end, dir;
	size_t want = 0, got;
	char name[64];
	pthread_t th;
	double t0, dt;

	snprintf(name, sizeof(name), "bench.%s.%s.%s%s",
		 ver == TLS_1_2_VERSION ? "12" : "13", mode_name[m],
		 ulp ? ulp : "plain", pol ? "+pol" : "");
	kc_watchdog(name, 300);
	if (kc_pair(NULL, NULL, &tx, &rx))
		goto pair_err;
	tls_end = m == M_RECV ? rx : tx;
	dir = m == M_RECV ? TLS_RX : TLS_TX;
	want = m == M_RECV ? total : 0;
	/* sockmap first, then the ULP: the order the kernel accepts. */
	if (pol) {
		pol_key = (pol_key + 1) % 64;
		if (bpf_map_update_elem(pol_map, &pol_key, &tls_end, BPF_ANY)) {
			snprintf(why, whylen, "sockhash: %s", strerror(errno));
			kt_close_now(tx);
			kt_close_now(rx);
			return -1;
		}
	}
	if (ulp && kt_set_ulp(tls_end, ulp)) {
		kt_close_now(tx);
		kt_close_now(rx);
		goto pair_err;
	}
	kc_timeouts(tx, 20000);
	kc_timeouts(rx, 20000);
	if ((m == M_SEND_B || m == M_SENDFILE_B) &&
	    setsockopt(rx, SOL_SOCKET, SO_RCVLOWAT, &(int){ LOWAT_B },
		       sizeof(int))) {
		snprintf(why, whylen, "SO_RCVLOWAT: %s", strerror(errno));
		kt_close_now(tx);
		kt_close_now(rx);
		return -1;
	}
	if (ulp && kc_keys(tls_end, dir, ver, gcm, 1)) {
		snprintf(why, whylen, "%s %s: %s", ulp,
			 dir == TLS_TX ? "TLS_TX" : "TLS_RX", strerror(errno));
		kt_close_now(tx);
		kt_close_now(rx);
		return 0;
	}
	/*
	 * Data the program wrote, as an application's would be: pages never
	 * written are the shared zero page, which a zero-copy sender has to
	 * pin by the slow path.
	 */
	if (!wbuf_filled++)
		kc_rand(wbuf, sizeof(wbuf), 7);
	w.fd = tx;
	w.buf = wbuf;
	if (m == M_RECV && ulp) {
		w.buf = cipher_stream;
		w.len = cipher_len;
		w.chunk = 64 * KIB;
		w.advance = 1;
	}
	if (m == M_SENDFILE || m == M_SENDFILE_B) {
		w.file = open(file_path, O_RDONLY);
		if (w.file < 0) {
			snprintf(why, whylen, "open: %s", strerror(errno));
			kt_close_now(tx);
			kt_close_now(rx);
			return -1;
		}
	}
	memset(&last_cpu, 0, sizeof(last_cpu));
	if (prof_cpu && kprof_start())
		printf("INFO prof %s: perf_event_open: %s\n", name,
		       strerror(errno));
	t0 = kc_now();
	if (pthread_create(&th, NULL, writer_main, &w)) {
		snprintf(why, whylen, "pthread_create failed");
		return -1;
	}
	got = drain(rx, want, m == M_RECV ? CHUNK : sizeof(rbuf), rbuf);
	dt = kc_now() - t0;
	pthread_join(th, NULL);
	if (w.err || drain_err)
		stall_info(name, tx, rx);
	if (prof_cpu)
		kprof_stop(name, prof_top, &last_cpu);
	if (w.file >= 0)
		close(w.file);
	kt_close_now(tx);
	kt_close_now(rx);
	/* A TLS sender's plain peer sees ciphertext: more than total. */
	if (w.err || got < total || (m == M_RECV && got != total) ||
	    (m != M_RECV && ulp && got == total)) {
		snprintf(why, whylen,
			 "moved %zu of %zu bytes (reader errno %d, writer errno %d)%s",
			 got, total, drain_err, w.err,
			 got == total && m != M_RECV && ulp ?
				 ": not encrypted" :
				 "");
		return -1;
	}
	return total / 1e6 / dt;
pair_err:
	snprintf(why, whylen, "pair with ULP %s: %s", ulp, strerror(errno));
	return -1;
}

/* Ciphertext for @total bytes of plaintext, from the first ULP that works. */
static int make_stream(const char *const *ulps, int n, uint16_t ver)
{
	struct writer w = { .file = -1, .chunk = CHUNK, .len = total };
	static unsigned char plain[CHUNK];
	size_t cap = total + (total / CHUNK + 1) * kc_overhead(ver, gcm);
	int i, tx, rx;
	pthread_t th;

	free(cipher_stream);
	cipher_stream = malloc(cap);
	if (!cipher_stream)
		return -1;
	kc_rand(plain, sizeof(plain), 5);
	for (i = 0; i < n; i++) {
		if (kc_pair(ulps[i], NULL, &tx, &rx))
			continue;
		kc_timeouts(rx, 60000);
		if (kc_keys(tx, TLS_TX, ver, gcm, 1)) {
			kt_close_now(tx);
			kt_close_now(rx);
			continue;
		}
		w.fd = tx;
		w.buf = plain;
		if (pthread_create(&th, NULL, writer_main, &w))
			return -1;
		cipher_len = kc_recv_all(rx, cipher_stream, cap);
		pthread_join(th, NULL);
		kt_close_now(tx);
		kt_close_now(rx);
		return w.err ? -1 : 0;
	}
	return -1;
}

/* "%.2f" of @x if @ok, else "n/a"; @slot picks one of 5 static buffers. */
static const char *num(double x, int ok, int slot)
{
	static char b[5][32];

	if (!ok || x <= 0)
		return "n/a";
	snprintf(b[slot], sizeof(b[slot]), slot < 3 ? "%.1f" : "%.2f", x);
	return b[slot];
}

/*
 * "INFO bench cpu": per MiB, samples outside the cipher and idle (other)
 * and in the cipher, for each implementation of the measurement.
 */
static void cpu_line(const struct kc_version *v, int m, const char **impl,
		     const int *pol, const struct kprof_sum *cpu,
		     const double *mib, int n)
{
	double other[4];
	int i;

	printf("INFO bench cpu %s %s", v->name, mode_name[m]);
	for (i = 0; i < n; i++) {
		other[i] = mib[i] ? (cpu[i].total - cpu[i].idle -
				     cpu[i].cipher) / mib[i] : 0;
		printf(" %s%s=%.0f/%.0f", impl[i] ? impl[i] : "plain",
		       pol[i] ? "+pol" : "", other[i],
		       mib[i] ? cpu[i].cipher / mib[i] : 0);
	}
	printf(" %s/%s=%s", impl[0], impl[1],
	       num(other[0] / other[1], other[0] > 0 && other[1] > 0, 3));
	if (n == 4)
		printf(" pol/none=%s",
		       num(other[3] / other[0], other[0] > 0 && other[3] > 0,
			   4));
	printf(" (CPU samples per MiB at 2 kHz, other/cipher: outside/inside the cipher, idle left out)\n");
}

static void throughput(const char *const *ulps, const struct kc_version *v)
{
	const char *impl[4] = { ulps[0], ulps[1], NULL, ulps[0] };
	const int pol[4] = { 0, 0, 0, 1 };
	int n = pol_map >= 0 ? 4 : 3;
	char name[80], why[4][160];
	double r[4], x;
	int m, i, k;

	if (make_stream(ulps, 2, v->ver))
		printf("INFO bench no ciphertext for TLS %s: no ULP accepted TLS_TX\n",
		       v->name);
	for (m = 0; m < M_NR; m++) {
		struct kprof_sum cpu[4] = {};
		double mib[4] = { 0 };

		if (only_mode >= 0 && m != only_mode)
			continue;
		/* Best of reps, the implementations taking turns. */
		for (i = 0; i < n; i++)
			r[i] = 1;
		for (k = 0; k < reps; k++) {
			for (i = 0; i < n; i++) {
				if (r[i] <= 0 && k)
					continue;
				if (m == M_RECV && impl[i] && !cipher_len) {
					snprintf(why[i], sizeof(why[i]),
						 "no ciphertext");
					r[i] = 0;
					continue;
				}
				x = measure(impl[i], pol[i], v->ver, m, why[i],
					    sizeof(why[i]));
				r[i] = k && x > 0 && x < r[i] ? r[i] : x;
				if (x > 0) {
					cpu[i].total += last_cpu.total;
					cpu[i].idle += last_cpu.idle;
					cpu[i].cipher += last_cpu.cipher;
					mib[i] += total / MIB;
				}
			}
		}
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "bench.%s.%s.%s%s",
				 v->name, mode_name[m],
				 impl[i] ? impl[i] : "plain",
				 pol[i] ? "+pol" : "");
			if (r[i] > 0)
				kc_pass(name, "%.1f MB/s", r[i]);
			else if (r[i] == 0)
				kc_skip(name, "n/a: %s", why[i]);
			else
				kt_fail(name, "%s", why[i]);
		}
		printf("INFO bench tp %s %s %s=%s %s=%s plain=%s %s/%s=%s %s/plain=%s (MB/s, best of %d x %zu MiB, 16 KiB %ss)\n",
		       v->name, mode_name[m], ulps[0], num(r[0], 1, 0), ulps[1],
		       num(r[1], 1, 1), num(r[2], 1, 2), ulps[0], ulps[1],
		       num(r[0] / r[1], r[0] > 0 && r[1] > 0, 3), ulps[0],
		       num(r[0] / r[2], r[0] > 0 && r[2] > 0, 4), reps,
		       total / MIB, m == M_RECV ? "recv" : "send");
		if (prof_cpu)
			cpu_line(v, m, impl, pol, cpu, mib, n);
		if (n == 4)
			printf("INFO bench pol %s %s %s=%s %s+pol=%s pol/none=%s (MB/s; a pass-all SK_MSG and stream verdict on the %s end)\n",
			       v->name, mode_name[m], ulps[0], num(r[0], 1, 0),
			       ulps[0], num(r[3], 1, 1),
			       num(r[3] / r[0], r[0] > 0 && r[3] > 0, 3),
			       ulps[0]);
		fflush(stdout);
	}
}

/* Slab, SUnreclaim, MemFree in kB. */
static void meminfo(long *v)
{
	static const char *const keys[3] = { "Slab:", "SUnreclaim:",
					     "MemFree:" };
	char line[128];
	FILE *f;
	int i;

	v[0] = v[1] = v[2] = 0;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < 3; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				v[i] = strtol(line + strlen(keys[i]), NULL, 10);
	fclose(f);
}

/* Release empty slabs everywhere so deltas count new objects. */
static void settle(void)
{
	char path[300];
	struct dirent *e;
	DIR *d;
	int fd;

	kc_msleep(300); /* RCU-deferred frees of the previous round */
	d = opendir("/sys/kernel/slab");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;
		if (write(fd, "1", 1) < 0)
			perror(path);
		close(fd);
	}
	if (d)
		closedir(d);
	kc_msleep(100);
}

static void memory(const char *ulp, uint16_t ver)
{
	int *fd = calloc(2 * npairs, sizeof(int));
	long before[3], after[3];
	char name[64];
	int i, n = 0, err = 0;

	snprintf(name, sizeof(name), "bench.mem.%s", ulp ? ulp : "plain");
	if (!fd) {
		kt_fail(name, "out of memory");
		return;
	}
	kc_watchdog(name, 300);
	settle();
	meminfo(before);
	for (i = 0; i < npairs; i++, n += 2) {
		if (kc_pair(ulp, ulp, &fd[n], &fd[n + 1])) {
			err = errno;
			break;
		}
		if (ulp && (kc_keys(fd[n], TLS_TX, ver, gcm, 1) ||
			    kc_keys(fd[n], TLS_RX, ver, gcm, 2) ||
			    kc_keys(fd[n + 1], TLS_TX, ver, gcm, 2) ||
			    kc_keys(fd[n + 1], TLS_RX, ver, gcm, 1))) {
			err = errno;
			n += 2;
			break;
		}
	}
	meminfo(after);
	while (n--)
		kt_close_now(fd[n]);
	free(fd);
	if (i < npairs) {
		printf("INFO bench mem %s n/a (pair %d: %s)\n",
		       ulp ? ulp : "plain", i, strerror(err));
		kc_skip(name, "n/a after %d pairs: %s", i, strerror(err));
		return;
	}
	printf("INFO bench mem %s slab=%ld sunreclaim=%ld memfree=%ld (bytes per connected pair, %d pairs, TX+RX keys on both ends)\n",
	       ulp ? ulp : "plain", (after[0] - before[0]) * 1024 / npairs,
	       (after[1] - before[1]) * 1024 / npairs,
	       (before[2] - after[2]) * 1024 / npairs, npairs);
	kc_pass(name, "slab %ld B/pair",
		(after[0] - before[0]) * 1024 / npairs);
	fflush(stdout);
}

/* Load the pass-all policy and attach both programs to its sockhash. */
static int pol_load(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *msg, *skb;

	if (libbpf_get_error(obj) || bpf_object__load(obj)) {
		kt_fail("bench.policy", "load %s failed", path);
		return -1;
	}
	msg = bpf_object__find_program_by_name(obj, "bench_msg");
	skb = bpf_object__find_program_by_name(obj, "bench_skb");
	pol_map = bpf_object__find_map_fd_by_name(obj, "bench_hash");
	if (!msg || !skb || pol_map < 0 ||
	    bpf_prog_attach(bpf_program__fd(msg), pol_map, BPF_SK_MSG_VERDICT,
			    0) ||
	    bpf_prog_attach(bpf_program__fd(skb), pol_map,
			    BPF_SK_SKB_STREAM_VERDICT, 0)) {
		kt_fail("bench.policy", "attach: %s", strerror(errno));
		pol_map = -1;
		return -1;
	}
	return 0;
}

/* A mode by its name; M_NR if there is none of that name. */
static int mode_by_name(const char *name)
{
	int m = 0;

	while (m < M_NR && strcmp(name, mode_name[m]))
		m++;
	return m;
}

static int make_file(void)
{
	static unsigned char b[MIB];
	int fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t off;

	if (fd < 0)
		return -1;
	kc_rand(b, sizeof(b), 3);
	for (off = 0; off < total; off += sizeof(b))
		if (write(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
			close(fd);
			return -1;
		}
	return close(fd);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 4 * 4096, 4 * 4096 };
	const char *ulps[2], *pol_obj = NULL;
	size_t v;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:r:m:p:cP:")) != -1) {
		if (opt == 'P')
			pol_obj = optarg;
		else if (opt == 's')
			total = strtoul(optarg, NULL, 0) * MIB;
		else if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'p')
			prof_cpu = prof_top = atoi(optarg);
		else if (opt == 'c')
			prof_cpu = 1;
		else if (opt == 'm')
			only_mode = mode_by_name(optarg);
		else if (opt == 'n')
			npairs = atoi(optarg);
		else
			goto usage;
	}
	if (argc - optind != 2 || !total || npairs <= 0 || reps <= 0 ||
	    only_mode == M_NR)
		goto usage;
	ulps[0] = argv[optind];
	ulps[1] = argv[optind + 1];
	gcm = kc_cipher_by_name("aes_gcm_128");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit");
	if (make_file()) {
		kt_fail("bench.setup", "%s: %s", file_path, strerror(errno));
		return 1;
	}
	if (pol_obj && pol_load(pol_obj))
		return 1;
	for (v = 0; v < ARRAY_SIZE(kc_versions); v++)
		throughput(ulps, &kc_versions[v]);
	unlink(file_path);
	free(cipher_stream);
	memory(NULL, TLS_1_3_VERSION);
	memory(ulps[0], TLS_1_3_VERSION);
	memory(ulps[1], TLS_1_3_VERSION);
	return kt_failed;
usage:
	fprintf(stderr,
		"usage: tls_bench [-s MIB] [-n PAIRS] [-r REPS] [-m MODE] [-c] [-p TOP] [-P BPF_OBJECT] ULP_A ULP_B\n");
	return 2;
}
