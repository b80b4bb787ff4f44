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

#endif /* _KTLS_COMPAT_H */
