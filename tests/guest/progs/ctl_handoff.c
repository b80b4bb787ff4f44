// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_handoff KEYFILE PEER_ULP VERSION CIPHER: the process whose socket
 * `ktls-ctl sock keys` equips from outside.
 *
 * Makes a loopback TCP pair, holds one end ("ours", plain TCP), writes
 * fresh random keys for it to KEYFILE (ktls-ctl's key file format), and
 * puts the matching keys on the other end ("peer") through ULP PEER_ULP
 * itself.  Prints "READY <pid> <fd>", waits for a line on stdin (meanwhile
 * the suite runs ktls-ctl), then checks that ours carries TLS: data both
 * ways and a control record, against the independently keyed peer.
 * Output: PASS/FAIL lines (tests/guest/lib.sh run_prog).
 */
#include <fcntl.h>
#include <linux/tls.h>
#include <sys/stat.h>

#include "kt.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define CHUNK 16384
#define ROUNDS 8

struct cipher {
	const char *name;
	unsigned short type;
	size_t iv, key, salt, seq, size;
};

#define C(n, T, s)                                                        \
	{ n, TLS_CIPHER_##T, TLS_CIPHER_##T##_IV_SIZE,                     \
	  TLS_CIPHER_##T##_KEY_SIZE, TLS_CIPHER_##T##_SALT_SIZE,           \
	  TLS_CIPHER_##T##_REC_SEQ_SIZE, sizeof(struct s) }

static const struct cipher ciphers[] = {
	C("aes-gcm-128", AES_GCM_128, tls12_crypto_info_aes_gcm_128),
	C("aes-gcm-256", AES_GCM_256, tls12_crypto_info_aes_gcm_256),
	C("aes-ccm-128", AES_CCM_128, tls12_crypto_info_aes_ccm_128),
	C("chacha20-poly1305", CHACHA20_POLY1305,
	  tls12_crypto_info_chacha20_poly1305),
};

/* crypto_info bytes: header, then iv, key, salt, rec_seq. */
static void fill(unsigned char *info, const struct cipher *c,
		 unsigned short ver, const unsigned char *rnd)
{
	struct tls_crypto_info h = { .version = ver, .cipher_type = c->type };

	memcpy(info, &h, sizeof(h));
	memcpy(info + sizeof(h), rnd, c->size - sizeof(h));
}

static void put_hex(FILE *f, const char *name, const unsigned char *p,
		    size_t n)
{
	fprintf(f, "%s ", name);
	while (n--)
		fprintf(f, "%02x", *p++);
	fprintf(f, "\n");
}

/* Key file for "ours": its tx is the peer's rx and the other way round. */
static int write_keys(const char *path, const char *ver, const struct cipher *c,
		      const unsigned char *tx, const unsigned char *rx)
{
	const unsigned char *d[2] = { tx, rx };
	static const char *const dir[2] = { "tx", "rx" };
	char name[16];
	FILE *f;
	int fd, i;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f)
		return -1;
	fprintf(f, "# ctl_handoff test keys\nversion %s\ncipher %s\n", ver,
		c->name);
	for (i = 0; i < 2; i++) {
		const unsigned char *p = d[i] + sizeof(struct tls_crypto_info);

		snprintf(name, sizeof(name), "%s_iv", dir[i]);
		put_hex(f, name, p, c->iv);
		snprintf(name, sizeof(name), "%s_key", dir[i]);
		put_hex(f, name, p + c->iv, c->key);
		snprintf(name, sizeof(name), "%s_salt", dir[i]);
		if (c->salt)
			put_hex(f, name, p + c->iv + c->key, c->salt);
		snprintf(name, sizeof(name), "%s_seq", dir[i]);
		put_hex(f, name, p + c->iv + c->key + c->salt, c->seq);
	}
	return fclose(f);
}

static int recv_all(int fd, unsigned char *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = recv(fd, p, n, 0);
		if (r <= 0)
			return -1;
		p += r;
		n -= r;
	}
	return 0;
}

/* Data from @from arrives at @to unchanged, in ROUNDS chunks. */
static void exchange(const char *name, int from, int to)
{
	static unsigned char out[CHUNK], in[CHUNK];
	int i, j;

	for (i = 0; i < ROUNDS; i++) {
		for (j = 0; j < CHUNK; j++)
			out[j] = (unsigned char)(i * 31 + j * 7);
		if (send(from, out, CHUNK, 0) != CHUNK ||
		    recv_all(to, in, CHUNK) || memcmp(in, out, CHUNK)) {
			kt_fail(name, "round %d: %s", i, strerror(errno));
			return;
		}
	}
	kt_pass(name);
}

/* A handshake-type record from the peer arrives at ours with its type. */
static void control_record(int peer, int ours)
{
	char cbuf[CMSG_SPACE(1)] = { 0 }, data[4] = { 4, 0, 0, 0 }, got[16];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	ssize_t n;

	cm->cmsg_level = SOL_TLS;
	cm->cmsg_type = TLS_SET_RECORD_TYPE;
	cm->cmsg_len = CMSG_LEN(1);
	*CMSG_DATA(cm) = 22;
	if (sendmsg(peer, &m, 0) != sizeof(data)) {
		kt_fail("control-record", "sendmsg: %s", strerror(errno));
		return;
	}
	iov = (struct iovec){ .iov_base = got, .iov_len = sizeof(got) };
	m.msg_controllen = sizeof(cbuf);
	n = recvmsg(ours, &m, 0);
	cm = CMSG_FIRSTHDR(&m);
	if (n != sizeof(data) || !cm || cm->cmsg_type != TLS_GET_RECORD_TYPE ||
	    *CMSG_DATA(cm) != 22)
		kt_fail("control-record", "recvmsg returned %zd, type %d", n,
			cm ? *CMSG_DATA(cm) : -1);
	else
		kt_pass("control-record");
}

int main(int argc, char **argv)
{
	unsigned char rnd[2][64], peer_tx[64], peer_rx[64];
	const struct cipher *c = NULL;
	unsigned short ver;
	char ulp[16] = "", line[64];
	socklen_t len = sizeof(ulp);
	int ours, peer, fd;
	size_t i;

	if (argc != 5) {
		fprintf(stderr, "usage: %s KEYFILE PEER_ULP VERSION CIPHER\n",
			argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (!strcmp(ciphers[i].name, argv[4]))
			c = &ciphers[i];
	ver = !strcmp(argv[3], "1.2") ? TLS_1_2_VERSION : TLS_1_3_VERSION;
	fd = open("/dev/urandom", O_RDONLY);
	if (!c || fd < 0 || read(fd, rnd, sizeof(rnd)) != sizeof(rnd)) {
		kt_fail("setup", "unknown cipher or no /dev/urandom");
		return 1;
	}
	close(fd);
	/* Random iv, key, salt and sequence numbers: all must travel. */
	fill(peer_tx, c, ver, rnd[0]);
	fill(peer_rx, c, ver, rnd[1]);

	if (kt_pair(AF_INET, &ours, &peer) ||
	    write_keys(argv[1], argv[3], c, peer_rx, peer_tx) ||
	    setsockopt(peer, IPPROTO_TCP, TCP_ULP, argv[2], strlen(argv[2])) ||
	    setsockopt(peer, SOL_TLS, TLS_TX, peer_tx, c->size) ||
	    setsockopt(peer, SOL_TLS, TLS_RX, peer_rx, c->size)) {
		kt_fail("setup", "pair, key file or peer keys: %s",
			strerror(errno));
		return 1;
	}
	kt_pass("setup");
	printf("READY %d %d\n", (int)getpid(), ours);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin)) {
		kt_fail("wait", "stdin closed before 'go'");
		return 1;
	}

	if (getsockopt(ours, IPPROTO_TCP, TCP_ULP, ulp, &len) ||
	    strcmp(ulp, "ktls"))
		kt_fail("ulp-attached", "ULP '%s' (%s)", ulp, strerror(errno));
	else
		kt_pass("ulp-attached");
	exchange("ours-to-peer", ours, peer);
	exchange("peer-to-ours", peer, ours);
	control_record(peer, ours);
	kt_close_now(ours);
	kt_close_now(peer);
	return kt_failed;
}
