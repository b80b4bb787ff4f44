// SPDX-License-Identifier: GPL-2.0
/*
 * compat.c: linked into the kernel's test_sockmap by tests/sockmap/build.sh.
 * Nothing here changes what the selftest does; it fills in what Debian 12's
 * libbpf 1.1.2 lacks and makes its output usable from a file.
 *
 * 1. bpf_program__attach_sockmap() (libbpf 1.5) attaches a program to a
 *    sockmap through a BPF link, which only kernels from 6.10 on can create.
 *    Here it attaches with BPF_PROG_ATTACH, which both 6.1 and 6.12 accept and
 *    which installs the program on the map the same way, and hands back a
 *    handle of our own.  bpf_link__detach() is wrapped (ld --wrap) so that
 *    such a handle is detached with BPF_PROG_DETACH, once: test_sockmap
 *    detaches every handle it ever got at the end of each test, also ones it
 *    already detached in an earlier test, which a real link ignores too.
 *
 * 2. setsockopt() is wrapped (ld --wrap) to print the errno of a failing
 *    TCP_ULP, TLS_TX or TLS_RX: test_sockmap itself prints only "-1", and the
 *    guest suite needs to see that the in-tree tls.ko answers EINVAL.
 *
 * 3. stdout is made line-buffered before main().  test_sockmap forks a sender
 *    and a receiver for every test, and they leave through exit(), flushing
 *    what the parent had buffered: with stdout redirected to a file (fully
 *    buffered) every unflushed line would be printed again by both children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/tls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "compat.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

/* One program attached to one map; stands in for a struct bpf_link. */
struct sockmap_attachment {
	struct sockmap_attachment *next;
	int prog_fd;
	int map_fd;
	enum bpf_attach_type type;
	int attached;
};

static struct sockmap_attachment *attachments;

struct bpf_link *bpf_program__attach_sockmap(const struct bpf_program *prog,
					     int map_fd)
{
	struct sockmap_attachment *a;
	enum bpf_attach_type type;
	int prog_fd, err;

	prog_fd = bpf_program__fd(prog);
	if (prog_fd < 0) {
		errno = EINVAL;
		return NULL;
	}
	type = bpf_program__expected_attach_type(prog);
	err = bpf_prog_attach(prog_fd, map_fd, type, 0);
	if (err) {
		errno = -err;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		bpf_prog_detach2(prog_fd, map_fd, type);
		errno = ENOMEM;
		return NULL;
	}
	a->prog_fd = prog_fd;
	a->map_fd = map_fd;
	a->type = type;
	a->attached = 1;
	a->next = attachments;
	attachments = a;
	return (struct bpf_link *)a;
}

int __real_bpf_link__detach(struct bpf_link *link);
int __wrap_bpf_link__detach(struct bpf_link *link);

int __wrap_bpf_link__detach(struct bpf_link *link)
{
	struct sockmap_attachment *a;

	for (a = attachments; a; a = a->next) {
		if ((struct bpf_link *)a != link)
			continue;
		if (!a->attached)
			return 0;
		a->attached = 0;
		return bpf_prog_detach2(a->prog_fd, a->map_fd, a->type);
	}
	return __real_bpf_link__detach(link);
}

int __real_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);
int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len);

int __wrap_setsockopt(int fd, int level, int name, const void *val,
		      socklen_t len)
{
	const char *what = NULL;
	int ret, err;

	ret = __real_setsockopt(fd, level, name, val, len);
	if (!ret)
		return 0;
	err = errno;
	if (level == SOL_TCP && name == TCP_ULP)
		what = "TCP_ULP";
	else if (level == SOL_TLS && name == TLS_TX)
		what = "TLS_TX";
	else if (level == SOL_TLS && name == TLS_RX)
		what = "TLS_RX";
	if (what)
		fprintf(stderr, "compat: setsockopt(%d, %s) failed: %s (%s)\n",
			fd, what, strerrorname_np(err) ?: "?", strerror(err));
	errno = err;
	return ret;
}

__attribute__((constructor)) static void stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
