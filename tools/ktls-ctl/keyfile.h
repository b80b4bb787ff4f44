/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls-ctl key files: the text format 'sock keys' reads (see keyfile.c
 * and ktls-ctl(8)).  A struct keyfile holds key material: allocate it with
 * ktls_secret_alloc() and free it with ktls_secret_free().
 */
#ifndef KTLS_CTL_KEYFILE_H
#define KTLS_CTL_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "libktls.h"

/* Largest key file accepted, bytes. */
#define KEYFILE_MAX 8192

struct keyfile {
	char text[KEYFILE_MAX + 1];	/* raw file; wiped after parsing */
	size_t len;
	uint16_t version;
	const struct ktls_cipher *cipher;
	union ktls_crypto_info ci[2];	/* [0] tx, [1] rx */
	unsigned int have[2];		/* KF_* fields seen per direction */
};

#define KF_KEY 0x1u
#define KF_IV 0x2u
#define KF_SALT 0x4u
#define KF_SEQ 0x8u

/*
 * Read @path ("-": stdin) into kf->text.  Returns 0 or -errno (-EFBIG if
 * longer than KEYFILE_MAX).
 */
int keyfile_read(struct keyfile *kf, const char *path);

/*
 * Parse kf->text, then wipe it.  @dirs (KTLS_TX, KTLS_RX) are the
 * directions that must be complete.  On error returns -1 with a message
 * (never containing key material) in @err.
 */
int keyfile_parse(struct keyfile *kf, unsigned int dirs, char *err,
		  size_t errlen);

#endif /* KTLS_CTL_KEYFILE_H */
