/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portability shim for the files that build both in the kernel and in
 * userspace (unit tests, fuzzers). Only what those files need.
 */
#ifndef KTLS_PURE_H
#define KTLS_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/build_bug.h>
#include <linux/tls.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <stdbool.h>
#include <assert.h>
#include <linux/types.h>
#include <linux/tls.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif /* __KERNEL__ */

#endif /* KTLS_PURE_H */
