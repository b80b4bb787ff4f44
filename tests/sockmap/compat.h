/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h: forced in front of the kernel's test_sockmap.c (gcc -include) by
 * tests/sockmap/build.sh.  The kernel tree builds test_sockmap against its own
 * tools/include and a libbpf of the same release; we build against Debian 12's
 * userspace headers and libbpf 1.1.2 instead, which lack two things:
 *
 * - min() and max(), which test_sockmap.c takes from the kernel tree's
 *   tools/include/linux/kernel.h (not on our include path: its headers would
 *   shadow the system's);
 * - bpf_program__attach_sockmap(), new in libbpf 1.5; compat.c provides it.
 */
#ifndef KTLS_SOCKMAP_COMPAT_H
#define KTLS_SOCKMAP_COMPAT_H

/* Only ever used on ints in test_sockmap.c. */
#ifndef min
#define min(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef max
#define max(a, b) ((a) > (b) ? (a) : (b))
#endif

struct bpf_program;
struct bpf_link;

struct bpf_link *bpf_program__attach_sockmap(const struct bpf_program *prog,
					     int map_fd);

#endif
