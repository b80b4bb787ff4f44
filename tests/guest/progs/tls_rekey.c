// SPDX-License-Identifier: GPL-2.0
/*
 * tls_rekey ULP: TLS 1.3 KeyUpdate, the record size limit and the
 * statistics, against ULP (normally "ktls").
 *
 *   stress    1,000 KeyUpdates each way interleaved with 64 MiB of data,
 *             byte-exact, and the exact counter deltas
 *   expired   EKEYEXPIRED and poll() between a KeyUpdate and the new key
 *   limits    TLS_TX_MAX_PAYLOAD_LEN bounds and the record sizes it makes,
 *             TLS 1.2 and 1.3
 *   hold SECS a keyed TLS 1.3 pair that stays open (for ss -tie)
 */
#include <pthread.h>

#include "ktls_common.h"

#ifndef TLS_TX_MAX_PAYLOAD_LEN
#define TLS_TX_MAX_PAYLOAD_LEN 5
#endif

static const char *ulp;
static const struct kc_cipher *gcm;

/* A counter from /proc/net/ktls_stat, or -1. */
static long stat_get(const char *name)
{
	char line[128], key[64];
	long val = -1, v;
	FILE *f = fopen("/proc/net/ktls_stat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

static int pair13(int *a, int *b)
{
	if (kc_pair(ulp, ulp, a, b))
		return -1;
	kc_timeouts(*a, 10000);
	kc_timeouts(*b, 10000);
	return kc_keys(*a, TLS_TX, TLS_1_3_VERSION, gcm, 0) ||
	       kc_keys(*a, TLS_RX, TLS_1_3_VERSION, gcm, 1000) ||
	       kc_keys(*b, TLS_TX, TLS_1_3_VERSION, gcm, 1000) ||
	       kc_keys(*b, TLS_RX, TLS_1_3_VERSION, gcm, 0);
}

struct side {
	int fd;
	size_t len;
	unsigned int gen; /* key generation after this step */
	unsigned char *buf;
	const char *err;
};

/* Receive @len bytes, the KeyUpdate, expect EKEYEXPIRED, install the key. */
static void *recv_step(void *arg)
{
	struct side *s = arg;
	unsigned char ku[16];
	int type;

	if (kc_recv_all(s->fd, s->buf, s->len) != (ssize_t)s->len) {
		s->err = "data short";
		return NULL;
	}
	if (kc_recv_type(s->fd, ku, sizeof(ku), &type, 0) !=
		    sizeof(kc_key_update) ||
	    type != KC_TYPE_HANDSHAKE ||
	    memcmp(ku, kc_key_update, sizeof(kc_key_update))) {
		s->err = "no KeyUpdate record";
		return NULL;
	}
	if (recv(s->fd, ku, 1, MSG_DONTWAIT) != -1 || errno != EKEYEXPIRED) {
		s->err = "read after KeyUpdate did not fail with EKEYEXPIRED";
		return NULL;
	}
	if (kc_keys(s->fd, TLS_RX, TLS_1_3_VERSION, gcm, s->gen))
		s->err = "RX rekey failed";
	return NULL;
}

static void cmd_stress(void)
{
	const char *name = "stress";
	const unsigned int rounds = 2048; /* 1,024 each way */
	const size_t chunk = (64u << 20) / rounds;
	unsigned char *src = malloc(chunk), *dst = malloc(chunk);
	long tx0 = stat_get("TlsTxRekeyOk"), rx0 = stat_get("TlsRxRekeyOk");
	long kr0 = stat_get("TlsRxRekeyReceived");
	unsigned int gen[2] = { 0, 1000 }, i;
	uint64_t hs = 0, hr = 0;
	int fd[2];

	kc_watchdog(name, 600);
	if (!src || !dst || pair13(&fd[0], &fd[1])) {
		kc_fail(name, "setup: %s", strerror(errno));
		return;
	}
	for (i = 0; i < rounds; i++) {
		int d = i % 2; /* even rounds a->b, odd rounds b->a */
		struct side r = { .fd = fd[!d], .len = chunk, .buf = dst };
		pthread_t t;

		kc_rand(src, chunk, i);
		hs = kc_hash(hs, src, chunk);
		r.gen = ++gen[d];
		pthread_create(&t, NULL, recv_step, &r);
		if (kc_send_all(fd[d], src, chunk) != (ssize_t)chunk ||
		    kc_send_type(fd[d], KC_TYPE_HANDSHAKE, kc_key_update,
				 sizeof(kc_key_update)) !=
			    sizeof(kc_key_update) ||
		    kc_keys(fd[d], TLS_TX, TLS_1_3_VERSION, gcm, r.gen)) {
			kc_fail(name, "round %u: send/rekey: %s", i,
				strerror(errno));
			shutdown(fd[d], SHUT_RDWR);
			pthread_join(t, NULL);
			goto out;
		}
		pthread_join(t, NULL);
		if (r.err) {
			kc_fail(name, "round %u: %s", i, r.err);
			goto out;
		}
		hr = kc_hash(hr, dst, chunk);
	}
	if (hs != hr) {
		kc_fail(name, "data differs after %u rounds", rounds);
	} else if (stat_get("TlsTxRekeyOk") - tx0 != rounds ||
		   stat_get("TlsRxRekeyOk") - rx0 != rounds ||
		   stat_get("TlsRxRekeyReceived") - kr0 != rounds) {
		kc_fail(name, "counters: TxRekeyOk +%ld RxRekeyOk +%ld RxRekeyReceived +%ld, want +%u each",
			stat_get("TlsTxRekeyOk") - tx0,
			stat_get("TlsRxRekeyOk") - rx0,
			stat_get("TlsRxRekeyReceived") - kr0, rounds);
	} else {
		kc_pass(name, "%u KeyUpdates, %zu MiB byte-exact", rounds,
			(chunk * rounds) >> 20);
	}
out:
	kt_close_now(fd[0]);
	kt_close_now(fd[1]);
	free(src);
	free(dst);
}

static void cmd_expired(void)
{
	struct pollfd p = { .events = POLLIN };
	char buf[64];
	int a, b, type;

	kc_watchdog("expired", 60);
	if (pair13(&a, &b)) {
		kc_fail("expired.setup", "%s", strerror(errno));
		return;
	}
	p.fd = b;
	kc_send_type(a, KC_TYPE_HANDSHAKE, kc_key_update,
		     sizeof(kc_key_update));
	kc_keys(a, TLS_TX, TLS_1_3_VERSION, gcm, 7);
	kc_send_all(a, "after", 5);

	if (kc_recv_type(b, buf, sizeof(buf), &type, 0) ==
		    sizeof(kc_key_update) &&
	    type == KC_TYPE_HANDSHAKE)
		kc_pass("expired.keyupdate-read", "");
	else
		kc_fail("expired.keyupdate-read", "type %d", type);
	kc_msleep(100); /* "after" has arrived under the new key */
	if (poll(&p, 1, 0) == 0)
		kc_pass("expired.poll-quiet", "");
	else
		kc_fail("expired.poll-quiet", "poll says %#x", p.revents);
	if (recv(b, buf, sizeof(buf), 0) == -1 && errno == EKEYEXPIRED)
		kc_pass("expired.recv-blocking", "");
	else
		kc_fail("expired.recv-blocking", "errno %d", errno);
	if (recv(b, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT) == -1 &&
	    errno == EKEYEXPIRED)
		kc_pass("expired.peek", "");
	else
		kc_fail("expired.peek", "errno %d", errno);
	if (kc_keys(b, TLS_RX, TLS_1_3_VERSION, gcm, 7))
		kc_fail("expired.after-rekey", "rekey: errno %d", errno);
	else if (poll(&p, 1, 1000) != 1)
		kc_fail("expired.after-rekey", "not readable after the new key");
	else if (recv(b, buf, sizeof(buf), 0) != 5 || memcmp(buf, "after", 5))
		kc_fail("expired.after-rekey", "recv: errno %d", errno);
	else
		kc_pass("expired.after-rekey", "");
	/* TLS 1.3 only, same cipher only */
	if (kc_keys(a, TLS_TX, TLS_1_2_VERSION, gcm, 8) == -1 && errno == EINVAL)
		kc_pass("expired.change-version-einval", "");
	else
		kc_fail("expired.change-version-einval", "errno %d", errno);
	kt_close_now(a);
	kt_close_now(b);
}

/* Send @len bytes through a TX socket with limit @lim; return record sizes. */
static int record_sizes(uint16_t ver, uint16_t lim, size_t len, int *sizes,
			int max)
{
	unsigned char buf[4096], wire[8192];
	size_t got = 0, off = 0;
	int tx, rx, n = 0;

	if (kc_pair(ulp, NULL, &tx, &rx))
		return -1;
	kc_timeouts(rx, 2000);
	memset(buf, 'x', sizeof(buf));
	if (setsockopt(tx, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, &lim, sizeof(lim)) ||
	    kc_keys(tx, TLS_TX, ver, gcm, 3) ||
	    kc_send_all(tx, buf, len) != (ssize_t)len)
		n = -1;
	while (n >= 0) {
		ssize_t r;

		while (off + KC_HDR <= got && n < max) {
			int reclen = (wire[off + 3] << 8) | wire[off + 4];

			if (off + KC_HDR + reclen > got)
				break;
			sizes[n++] = reclen;
			off += KC_HDR + reclen;
		}
		if (kc_quiet(rx, 200))
			break;
		r = recv(rx, wire + got, sizeof(wire) - got, 0);
		if (r <= 0)
			break;
		got += r;
	}
	kt_close_now(tx);
	kt_close_now(rx);
	return n;
}

static void limit_case(const char *vname, uint16_t ver, uint16_t lim,
		       size_t len)
{
	int sizes[64], n, i, over = kc_overhead(ver, gcm) - KC_HDR;
	size_t left = len;
	char name[64];

	snprintf(name, sizeof(name), "limits.%s.lim%u.len%zu", vname, lim, len);
	n = record_sizes(ver, lim, len, sizes, 64);
	for (i = 0; i < n; i++) {
		size_t want = left > lim ? lim : left;

		if (sizes[i] != (int)want + over) {
			kc_fail(name, "record %d: length %d, want %zu", i,
				sizes[i], want + over);
			return;
		}
		left -= want;
	}
	if (n < 0 || left)
		kc_fail(name, "%d records, %zu bytes missing", n, left);
	else
		kc_pass(name, "%d records", n);
}

static void cmd_limits(void)
{
	static const struct {
		uint16_t val;
		int ok;
	} bounds[] = { { 0, 0 }, { 63, 0 }, { 64, 1 }, { 16384, 1 },
		       { 16385, 0 }, { 65535, 0 } };
	uint16_t got = 0;
	socklen_t gl = sizeof(got);
	unsigned int i;
	uint32_t wide = 100;
	char name[64];
	int a, b;

	kc_watchdog("limits", 120);
	if (kc_pair(ulp, ulp, &a, &b)) {
		kc_fail("limits.setup", "%s", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(bounds); i++) {
		int rc = setsockopt(a, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN,
				    &bounds[i].val, sizeof(bounds[i].val));

		snprintf(name, sizeof(name), "limits.set%u", bounds[i].val);
		if (bounds[i].ok ? rc == 0 : (rc == -1 && errno == EINVAL))
			kc_pass(name, "");
		else
			kc_fail(name, "rc %d errno %d", rc, errno);
	}
	if (setsockopt(a, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, &wide,
		       sizeof(wide)) == -1 && errno == EINVAL)
		kc_pass("limits.optlen-einval", "");
	else
		kc_fail("limits.optlen-einval", "errno %d", errno);
	if (!getsockopt(a, SOL_TLS, TLS_TX_MAX_PAYLOAD_LEN, &got, &gl) &&
	    gl == sizeof(got) && got == 16384)
		kc_pass("limits.getsockopt", "");
	else
		kc_fail("limits.getsockopt", "got %u len %u", got, gl);
	kt_close_now(a);
	kt_close_now(b);

	limit_case("12", TLS_1_2_VERSION, 64, 200);
	limit_case("13", TLS_1_3_VERSION, 64, 200);
	limit_case("12", TLS_1_2_VERSION, 1000, 4000);
	limit_case("13", TLS_1_3_VERSION, 4096, 4096);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: tls_rekey ULP stress|expired|limits|hold\n");
		return 2;
	}
	ulp = argv[1];
	gcm = kc_cipher_by_name("aes_gcm_128");
	if (!strcmp(argv[2], "stress"))
		cmd_stress();
	else if (!strcmp(argv[2], "expired"))
		cmd_expired();
	else if (!strcmp(argv[2], "limits"))
		cmd_limits();
	else if (!strncmp(argv[2], "hold", 4)) {
		int a, b;

		if (pair13(&a, &b))
			return 1;
		printf("READY\n");
		fflush(stdout);
		sleep(5);
		return 0;
	} else {
		return 2;
	}
	return kc_nfail ? 1 : 0;
}
