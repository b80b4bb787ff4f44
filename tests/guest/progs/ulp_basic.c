// SPDX-License-Identifier: GPL-2.0
/*
 * ulp_basic attach NAME   attaching the ULP NAME: which socket states it
 *                         accepts, what getsockopt(TCP_ULP) reports, that
 *                         data still flows before keys are installed, and
 *                         that connect(AF_UNSPEC) is refused
 * ulp_basic hold MODULE   a socket using the ULP pins MODULE: unloading
 *                         fails while it is open and works after close
 */
#include <fcntl.h>
#include <sys/syscall.h>

#include "kt.h"

static void attach_family(const char *ulp, int family, const char *fam)
{
	char name[128], buf[32];
	socklen_t len = sizeof(buf);
	int cli, srv, lfd, fd;
	struct sockaddr_storage ss;
	socklen_t sl;

#define CASE(s) (snprintf(name, sizeof(name), "%s.%s.%s", ulp, fam, s), name)
	if (kt_pair(family, &cli, &srv)) {
		kt_fail(CASE("pair"), "cannot make a loopback pair: %s",
			strerror(errno));
		return;
	}
	kt_ok(CASE("established"), kt_set_ulp(cli, ulp));

	memset(buf, 0, sizeof(buf));
	if (getsockopt(cli, IPPROTO_TCP, TCP_ULP, buf, &len))
		kt_fail(CASE("getsockopt"), "errno %d", errno);
	else if (strcmp(buf, ulp))
		kt_fail(CASE("getsockopt"), "got \"%s\", want \"%s\"", buf,
			ulp);
	else
		kt_pass(CASE("getsockopt"));

	kt_errno(CASE("twice-eexist"), kt_set_ulp(cli, ulp), EEXIST);

	/* Without keys the stream is plain TCP, both ways. */
	if (send(cli, "ping", 4, 0) != 4 || recv(srv, buf, 4, MSG_WAITALL) != 4 ||
	    memcmp(buf, "ping", 4) || send(srv, "pong", 4, 0) != 4 ||
	    recv(cli, buf, 4, MSG_WAITALL) != 4 || memcmp(buf, "pong", 4))
		kt_fail(CASE("plain-data"), "data did not pass unchanged");
	else
		kt_pass(CASE("plain-data"));

	/* connect(AF_UNSPEC) would reset TCP under the ULP: refused. */
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNSPEC;
	kt_errno(CASE("disconnect-eopnotsupp"),
		 connect(cli, (struct sockaddr *)&ss, sizeof(ss)), EOPNOTSUPP);
	kt_close_now(cli);
	close(srv);

	lfd = kt_listen(family, &ss, &sl);
	kt_errno(CASE("listen-enotconn"), kt_set_ulp(lfd, ulp), ENOTCONN);
	close(lfd);

	fd = socket(family, SOCK_STREAM, 0);
	kt_errno(CASE("unconnected-enotconn"), kt_set_ulp(fd, ulp), ENOTCONN);
	close(fd);
#undef CASE
}

static int cmd_attach(const char *ulp)
{
	char name[64];
	int fd;

	attach_family(ulp, AF_INET, "ipv4");
	attach_family(ulp, AF_INET6, "ipv6");

	fd = socket(AF_INET, SOCK_STREAM, 0);
	snprintf(name, sizeof(name), "%s.unknown-enoent", ulp);
	kt_errno(name, kt_set_ulp(fd, "no-such-ulp"), ENOENT);
	close(fd);
	return kt_failed;
}

static long unload(const char *mod)
{
	return syscall(SYS_delete_module, mod, O_NONBLOCK);
}

static int cmd_hold(const char *mod)
{
	int cli, srv;

	if (kt_pair(AF_INET, &cli, &srv) || kt_set_ulp(cli, "ktls")) {
		kt_fail("attach", "errno %d (%s)", errno, strerror(errno));
		return 1;
	}
	kt_pass("attach");
	kt_errno("unload-while-open-ewouldblock", unload(mod), EWOULDBLOCK);

	kt_close_now(cli);
	close(srv);
	kt_ok("unload-after-close", unload(mod));
	return kt_failed;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "attach"))
		return cmd_attach(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2]);
	fprintf(stderr, "usage: ulp_basic attach ULP | hold MODULE\n");
	return 2;
}
