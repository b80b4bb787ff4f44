/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of SOL_TLS socket options, with the error codes of net/tls in
 * Linux 6.12. The checks are split where net/tls copies from user memory in
 * between, so that a caller can keep the same order and report -EFAULT at
 * the same points.
 */
#ifndef KTLS_OPT_CHECK_H
#define KTLS_OPT_CHECK_H

#include "pure.h"

struct ktls_cipher;

/* setsockopt(TLS_TX / TLS_RX), before anything is copied. */
int ktls_conf_set_precheck(bool optval_null, unsigned int optlen);
/* ... and once the struct tls_crypto_info header is copied in. */
int ktls_conf_set_check(const struct tls_crypto_info *info,
			const struct tls_crypto_info *other,
			unsigned int optlen, const struct ktls_cipher **cipher);
/* getsockopt(TLS_TX / TLS_RX): bytes to copy out, or -errno. */
int ktls_conf_get_len(int optlen, bool optval_null,
		      const struct tls_crypto_info *installed);

/* setsockopt(TLS_TX_ZEROCOPY_RO): before copying, then on the value. */
int ktls_zc_ro_set_precheck(bool optval_null, unsigned int optlen);
int ktls_zc_ro_set_value(u32 val);
/* getsockopt(TLS_TX_ZEROCOPY_RO): bytes to copy out, or -errno. */
int ktls_zc_ro_get_len(int optlen);

/* setsockopt(TLS_RX_EXPECT_NO_PAD): before copying, then on the value. */
int ktls_no_pad_set_precheck(u16 version, bool optval_null,
			     unsigned int optlen);
int ktls_no_pad_set_value(u32 val, int tail_zeroed, bool rx_installed);
/* getsockopt(TLS_RX_EXPECT_NO_PAD): bytes to copy out, or -errno. */
int ktls_no_pad_get_len(u16 version, int optlen, bool rx_installed);

#endif /* KTLS_OPT_CHECK_H */
