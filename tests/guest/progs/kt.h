/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for guest test programs.  A program prints one line per case,
 * "PASS name", "FAIL name reason" or "SKIP name reason"; the guest suite
 * (tests/guest/lib.sh run_prog) turns them into results.
 */
#ifndef KT_H
#define KT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int kt_failed;

static inline void kt_pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
}

static inline void kt_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	kt_failed = 1;
}

/* kt_errno(name, rc, want): the call returned -1 with errno == want. */
static inline void kt_errno(const char *name, int rc, int want)
{
	int e = errno;

	if (rc == -1 && e == want)
		kt_pass(name);
	else if (rc == -1)
		kt_fail(name, "errno %d (%s), want %d (%s)", e, strerror(e),
			want, strerror(want));
	else
		kt_fail(name, "returned %d, want errno %d (%s)", rc, want,
			strerror(want));
}

static inline void kt_ok(const char *name, int rc)
{
	if (rc == 0)
		kt_pass(name);
	else
		kt_fail(name, "returned %d, errno %d (%s)", rc, errno,
			strerror(errno));
}

/* A listening socket on the loopback of the family, port chosen by the kernel. */
static inline int kt_listen(int family, struct sockaddr_storage *ss,
			    socklen_t *len)
{
	int one = 1;
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*a);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, *len) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A connected loopback TCP pair: *cli and *srv, whose SO_RCVBUF is
 * @rcvbuf (0: the default).  Returns 0 or -1.
 */
static inline int kt_pair_rcvbuf(int family, int rcvbuf, int *cli, int *srv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int lfd = kt_listen(family, &ss, &len);

	if (lfd < 0)
		return -1;
	/* Set before the handshake, so that the window is scaled to it. */
	if (rcvbuf &&
	    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf))) {
		close(lfd);
		return -1;
	}
	*cli = socket(family, SOCK_STREAM, 0);
	if (*cli < 0 || connect(*cli, (struct sockaddr *)&ss, len)) {
		close(lfd);
		return -1;
	}
	*srv = accept(lfd, NULL, NULL);
	close(lfd);
	return *srv < 0 ? -1 : 0;
}

static inline int kt_pair(int family, int *cli, int *srv)
{
	return kt_pair_rcvbuf(family, 0, cli, srv);
}

/* Close with an RST so the kernel destroys the socket at once. */
static inline void kt_close_now(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static inline int kt_set_ulp(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_ULP, name, strlen(name));
}

#endif /* KT_H */
