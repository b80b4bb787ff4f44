/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls: the few places where the supported kernels differ.
 *
 * Each difference is decided by a build-time probe (one file in src/probes/ each) that
 * compiles against the target kernel's headers; scripts/probe.sh turns the
 * results into HAVE_* macros in generated/ktls_probes.h.  Core files use
 * the helpers below and never test kernel versions.
 */
#ifndef _KTLS_COMPAT_H
#define _KTLS_COMPAT_H

#include "ktls_probes.h"

/*
 * A probe fails closed where failing open would be unsafe.  A TCP that
 * cannot take spliced pages through sendmsg sends files through
 * ->sendpage, and without our override there sendfile() would go out in
 * plaintext: a sendpage probe that failed for some other reason must stop
 * the build, not quietly drop the override.
 */
#if !defined(HAVE_TCP_MSG_SPLICE_PAGES) && \
	!(defined(HAVE_PROTO_SENDPAGE) &&  \
	  defined(HAVE_PROTO_OPS_SENDPAGE_LOCKED))
#error "no way to hook sendfile found: see probes/probe.log"
#endif
#if defined(HAVE_DO_TCP_SENDPAGES) && !defined(HAVE_PROTO_SENDPAGE)
#error "do_tcp_sendpages() without ->sendpage: see probes/probe.log"
#endif

#endif /* _KTLS_COMPAT_H */
