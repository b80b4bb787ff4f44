// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl key files.  One "name value" pair per line; blank lines and
 * text after '#' are ignored:
 *
 *	version 1.3                 1.2 or 1.3
 *	cipher aes-gcm-128          aes-gcm-128, aes-gcm-256, aes-ccm-128,
 *	                            chacha20-poly1305, sm4-gcm, sm4-ccm,
 *	                            aria-gcm-128, aria-gcm-256
 *	tx_key  <hex>               the fields of the kernel's
 *	tx_iv   <hex>               tls12_crypto_info_<cipher>, in hex,
 *	tx_salt <hex>               exactly as long as the field
 *	tx_seq  <hex>               (tx_seq optional, default 0)
 *	rx_key ... rx_seq           the same for the receive direction
 *
 * The file is read into locked memory that is wiped once parsed; error
 * messages name lines and fields, never values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "keyfile.h"
#include "main.h"

#define MAX_LINES 64

struct kv {
	int line;
	char *name, *val;
};

int keyfile_read(struct keyfile *kf, const char *path)
{
	int fd = 0, err = 0;
	ssize_t n;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	kf->len = 0;
	for (;;) {
		n = read(fd, kf->text + kf->len, KEYFILE_MAX + 1 - kf->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		kf->len += n;
		if (kf->len > KEYFILE_MAX) {
			err = -EFBIG;
			break;
		}
	}
	if (fd)
		close(fd);
	kf->text[kf->len > KEYFILE_MAX ? KEYFILE_MAX : kf->len] = '\0';
	return err;
}

/* Split the text into name/value pairs in place.  Returns count or -1. */
static int split(struct keyfile *kf, struct kv *kv, char *err, size_t errlen)
{
	char *p = kf->text, *end, *rest;
	int n = 0, line = 0;

	if (memchr(kf->text, '\0', kf->len)) {
		snprintf(err, errlen, "key file contains a NUL byte");
		return -1;
	}
	while (*p) {
		line++;
		end = p + strcspn(p, "\n");
		if (*end)
			*end++ = '\0';
		p[strcspn(p, "#")] = '\0';
		p += strspn(p, " \t\r");
		if (!*p) {
			p = end;
			continue;
		}
		if (n == MAX_LINES) {
			snprintf(err, errlen, "line %d: too many lines", line);
			return -1;
		}
		kv[n].line = line;
		kv[n].name = p;
		p += strcspn(p, " \t\r");
		if (*p)
			*p++ = '\0';
		p += strspn(p, " \t\r");
		kv[n].val = p;
		p += strcspn(p, " \t\r");
		rest = p;
		if (*rest)
			*rest++ = '\0';
		if (!*kv[n].val || rest[strspn(rest, " \t\r")]) {
			snprintf(err, errlen, "line %d: expected 'NAME VALUE'",
				 line);
			return -1;
		}
		n++;
		p = end;
	}
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool unhex(unsigned char *out, size_t size, const char *hex)
{
	size_t i;

	if (strlen(hex) != 2 * size)
		return false;
	for (i = 0; i < size; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = hi << 4 | lo;
	}
	return true;
}

static int header(struct keyfile *kf, struct kv *kv, int n, char *err,
		  size_t errlen)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(kv[i].name, "version")) {
			if (kf->version)
				goto dup;
			kf->version = !strcmp(kv[i].val, "1.2") ? TLS_1_2_VERSION :
				      !strcmp(kv[i].val, "1.3") ? TLS_1_3_VERSION : 0;
			if (!kf->version) {
				snprintf(err, errlen, "line %d: version must be 1.2 or 1.3",
					 kv[i].line);
				return -1;
			}
		} else if (!strcmp(kv[i].name, "cipher")) {
			if (kf->cipher)
				goto dup;
			kf->cipher = ktls_cipher_by_name(kv[i].val);
			if (!kf->cipher) {
				snprintf(err, errlen, "line %d: unknown cipher '%.32s'",
					 kv[i].line, kv[i].val);
				return -1;
			}
		}
	}
	if (!kf->version || !kf->cipher) {
		snprintf(err, errlen, "key file needs 'version' and 'cipher' lines");
		return -1;
	}
	return 0;
dup:
	snprintf(err, errlen, "line %d: '%s' given twice", kv[i].line,
		 kv[i].name);
	return -1;
}

static int field(struct keyfile *kf, struct ktls_fields *f, struct kv *kv,
		 char *err, size_t errlen)
{
	static const char *const names[] = { "key", "iv", "salt", "seq" };
	const struct ktls_cipher *c = kf->cipher;
	unsigned char *dst[4] = { f[0].key, f[0].iv, f[0].salt, f[0].seq };
	const size_t sizes[4] = { c->key_size, c->iv_size, c->salt_size,
				  c->seq_size };
	int d, i;

	if (!strcmp(kv->name, "version") || !strcmp(kv->name, "cipher"))
		return 0;
	if (!strncmp(kv->name, "tx_", 3))
		d = 0;
	else if (!strncmp(kv->name, "rx_", 3))
		d = 1;
	else
		goto unknown;
	for (i = 0; i < 4; i++)
		if (!strcmp(kv->name + 3, names[i]))
			break;
	if (i == 4)
		goto unknown;
	if (d) {
		dst[0] = f[1].key, dst[1] = f[1].iv;
		dst[2] = f[1].salt, dst[3] = f[1].seq;
	}
	if (kf->have[d] & (1u << i)) {
		snprintf(err, errlen, "line %d: '%s' given twice", kv->line,
			 kv->name);
		return -1;
	}
	if (!sizes[i]) {
		snprintf(err, errlen, "line %d: %s has no %s", kv->line,
			 c->name, names[i]);
		return -1;
	}
	if (!unhex(dst[i], sizes[i], kv->val)) {
		snprintf(err, errlen, "line %d: %s must be %zu bytes in hex (%zu digits) for %s",
			 kv->line, kv->name, sizes[i], 2 * sizes[i], c->name);
		return -1;
	}
	kf->have[d] |= 1u << i;
	return 0;
unknown:
	snprintf(err, errlen,
		 "line %d: unknown name (known: version, cipher, {tx,rx}_{key,iv,salt,seq})",
		 kv->line);
	return -1;
}

int keyfile_parse(struct keyfile *kf, unsigned int dirs, char *err,
		  size_t errlen)
{
	struct kv kv[MAX_LINES];
	struct ktls_fields f[2];
	unsigned int need;
	int n, i, d, rc = -1;

	n = split(kf, kv, err, errlen);
	if (n < 0 || header(kf, kv, n, err, errlen))
		goto out;
	for (d = 0; d < 2; d++)
		ktls_crypto_info_init(&kf->ci[d], kf->version,
				      kf->cipher->type, &f[d]);
	for (i = 0; i < n; i++)
		if (field(kf, f, &kv[i], err, errlen))
			goto out;

	need = KF_KEY | KF_IV | (kf->cipher->salt_size ? KF_SALT : 0);
	for (d = 0; d < 2; d++) {
		if (!(dirs & (d ? KTLS_RX : KTLS_TX)) ||
		    (kf->have[d] & need) == need)
			continue;
		snprintf(err, errlen, "%s keys incomplete: %s_key, %s_iv%s are required",
			 d ? "rx" : "tx", d ? "rx" : "tx", d ? "rx" : "tx",
			 kf->cipher->salt_size ? (d ? " and rx_salt" : " and tx_salt") : "");
		goto out;
	}
	rc = 0;
out:
	ktls_wipe(kf->text, sizeof(kf->text));
	ktls_wipe(kv, sizeof(kv));
	return rc;
}
