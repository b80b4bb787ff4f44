/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * User API of the ktls module.
 *
 * ktls accepts the kernel's kTLS API unchanged: TCP_ULP "ktls" (or "tls"
 * when loaded with register_tls=1), then SOL_TLS socket options with the
 * tls12_crypto_info_* structures from <linux/tls.h>.  This header adds the
 * constants that the installed <linux/tls.h> may be too old to carry, with
 * the values mainline Linux gave them, so programs build against any
 * distribution's headers.
 */
#ifndef _UAPI_LINUX_KTLS_H
#define _UAPI_LINUX_KTLS_H

#include <linux/tls.h>

/* The ULP names this module registers. */
#define KTLS_ULP_NAME "ktls"
#define KTLS_ULP_NAME_COMPAT "tls"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#ifndef TLS_TX_ZEROCOPY_RO
#define TLS_TX_ZEROCOPY_RO 3 /* TX zerocopy (sendfile only) */
#endif
#ifndef TLS_RX_EXPECT_NO_PAD
#define TLS_RX_EXPECT_NO_PAD 4 /* TLS 1.3: peer sends no padding */
#endif
#ifndef TLS_TX_MAX_PAYLOAD_LEN
#define TLS_TX_MAX_PAYLOAD_LEN 5 /* maximum plaintext bytes per record */
#endif

/*
 * Bounds of TLS_TX_MAX_PAYLOAD_LEN (a u16): from the smallest record size
 * limit RFC 8449 allows to the protocol's 2^14 plaintext bytes.
 */
#define KTLS_TX_MAX_PAYLOAD_LEN_MIN 64
#define KTLS_TX_MAX_PAYLOAD_LEN_MAX 16384

#ifndef TLS_GET_RECORD_TYPE
#define TLS_GET_RECORD_TYPE 2
#endif
#ifndef TLS_SET_RECORD_TYPE
#define TLS_SET_RECORD_TYPE 1
#endif

/* INET_ULP_INFO_TLS attribute added after TLS_INFO_RX_NO_PAD (= 6). */
#define KTLS_INFO_TX_MAX_PAYLOAD_LEN 7

#endif /* _UAPI_LINUX_KTLS_H */
