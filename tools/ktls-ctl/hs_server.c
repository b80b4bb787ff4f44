// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl handshake server: the static-content case of kernel TLS.  Each
 * connection (in a child process, or in-process with --once): GnuTLS
 * handshake, hand-off to the kernel, one HTTP/1.1 GET or HEAD answered
 * with a file under --root sent by sendfile() (the kernel encrypts the
 * page cache directly), close_notify, close.  Paths resolve with
 * openat2(RESOLVE_BENEATH), so nothing outside the root is reachable.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handshake.h"
#include "main.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define REQ_MAX 8192

struct server {
	const struct hs_opts *o;
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	int rootfd;
};

struct reply {
	char method[8], path[1024];
	int status;
	unsigned long long bytes;
};

static int listen_on(const char *bind_addr, const char *port, unsigned int *bound)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, one = 1, zero = 0;
	bool v6 = true;

	/* handshake.c checked that --bind is an address. */
	a6.sin6_port = a4.sin_port = htons(atoi(port));
	if (bind_addr && inet_pton(AF_INET6, bind_addr, &a6.sin6_addr) != 1) {
		inet_pton(AF_INET, bind_addr, &a4.sin_addr);
		v6 = false;
	}
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && v6 && !bind_addr) {	/* no IPv6 here */
		v6 = false;
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	}
	if (fd < 0) {
		p_err("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if ((v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
		  bind(fd, (struct sockaddr *)&a4, sizeof(a4))) ||
	    listen(fd, 64) || getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		p_err("listening on port %s: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int respond_text(struct hs_conn *c, struct reply *r, int status,
			const char *reason, const char *body)
{
	char hdr[512];
	int n;

	r->status = status;
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		     status, reason, strlen(body),
		     strcmp(r->method, "HEAD") ? body : "");
	return hs_write_all(c->fd, hdr, n, true);
}

/* Decode %XX in place; false on a bad escape or a NUL. */
static bool url_decode(char *s)
{
	char *o = s, hex[3] = "";

	for (; *s; s++) {
		if (*s != '%') {
			*o++ = *s;
			continue;
		}
		if (!s[1] || !s[2])
			return false;
		hex[0] = s[1];
		hex[1] = s[2];
		*o = (char)strtol(hex, NULL, 16);
		if (!*o || strspn(hex, "0123456789abcdefABCDEF") != 2)
			return false;
		o++;
		s += 2;
	}
	*o = '\0';
	return true;
}

static int respond_file(struct server *sv, struct hs_conn *c, struct reply *r)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	char hdr[256];
	struct stat st;
	off_t off = 0;
	ssize_t w;
	int fd, n, err;

	fd = syscall(SYS_openat2, sv->rootfd, r->path + 1, &how, sizeof(how));
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return respond_text(c, r, 404, "Not Found", "not found\n");
	}
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
		     "Content-Length: %lld\r\nConnection: close\r\n\r\n",
		     (long long)st.st_size);
	r->status = 200;
	err = hs_write_all(c->fd, hdr, n, true);
	while (!err && !strcmp(r->method, "GET") && off < st.st_size) {
		w = sendfile(c->fd, fd, &off, st.st_size - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			err = -errno;
		else if (w == 0)
			break;	/* the file shrank */
		else
			r->bytes += w;
	}
	close(fd);
	return err;
}

/* Read one request and answer it.  0 or -errno (reported by the caller). */
static int http(struct server *sv, struct hs_conn *c, char *req, size_t len,
		struct reply *r)
{
	char *end, *sp, *proto;
	ssize_t n;

	for (;;) {
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
		if (len == REQ_MAX)
			return respond_text(c, r, 431, "Request Header Fields Too Large", "request too large\n");
		n = hs_recv(c, req + len, REQ_MAX - len, 0);
		if (n < 0)
			return -ECONNABORTED;
		if (n == 0)
			return len ? -EPROTO : 0;
		len += n;
	}
	end = strstr(req, "\r\n");
	*end = '\0';
	sp = strchr(req, ' ');
	proto = sp ? strchr(sp + 1, ' ') : NULL;
	if (!proto || strncmp(proto + 1, "HTTP/1.", 7) || sp - req >= (long)sizeof(r->method))
		return respond_text(c, r, 400, "Bad Request", "bad request\n");
	*sp = *proto = '\0';
	memcpy(r->method, req, sp - req + 1);	/* fits: checked above */
	snprintf(r->path, sizeof(r->path), "%.1023s", sp + 1);
	r->path[strcspn(r->path, "?#")] = '\0';
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		return respond_text(c, r, 405, "Method Not Allowed", "GET or HEAD only\n");
	if (r->path[0] != '/' || !url_decode(r->path))
		return respond_text(c, r, 400, "Bad Request", "bad path\n");
	if (sv->rootfd < 0) {
		char body[160];

		snprintf(body, sizeof(body), "%s: TLS %s %s, records by kernel TLS (ULP %s)\n",
			 PROG, c->version, c->cipher, c->ulp);
		return respond_text(c, r, 200, "OK", body);
	}
	return respond_file(sv, c, r);
}

static void log_conn(const struct hs_conn *c, const struct reply *r)
{
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("event", "request");
		hs_json_conn(c);
		jw_str("method", r->method[0] ? r->method : NULL);
		jw_str("path", r->path[0] ? r->path : NULL);
		jw_int("status", r->status);
		jw_uint("bytes", r->bytes);
		jw_obj_end();
		out_emit(stdout);
	} else {
		printf("%s TLS %s %s ulp %s \"%s %s\" %d %llu\n", c->peer,
		       c->version, c->cipher, c->ulp, r->method, r->path,
		       r->status, r->bytes);
		fflush(stdout);
	}
}

/* Wait for the client to finish, so that closing never resets data. */
static void linger_close(struct hs_conn *c)
{
	struct timeval tv = { .tv_sec = 10 };
	static char buf[16384];

	hs_close_notify(c);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (!c->peer_closed && hs_recv(c, buf, sizeof(buf), 0) > 0)
		;
}

static int serve(struct server *sv, int fd)
{
	static char req[REQ_MAX + 1];
	struct hs_conn c = { .fd = fd };
	struct reply r = { .status = 0 };
	gnutls_session_t s;
	size_t len = 0;
	int err, rc = EXIT_FAIL;

	hs_peer_name(fd, c.peer, sizeof(c.peer));
	if (gnutls_init(&s, GNUTLS_SERVER) < 0)
		return p_err("GnuTLS: gnutls_init failed");
	gnutls_priority_set(s, sv->prio);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, sv->cred);
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	if (!hs_handshake(s, &c) &&
	    !hs_handoff(s, &c, sv->o->ulp, req, REQ_MAX, &len)) {
		err = http(sv, &c, req, len, &r);
		if (err && err != -ECONNABORTED)
			p_err("%s: %s", c.peer, strerror(-err));
		else if (!err)
			rc = EXIT_OK;
		if (r.status)
			log_conn(&c, &r);
		linger_close(&c);
	}
	gnutls_deinit(s);
	close(fd);
	return rc;
}

static int load(struct server *sv)
{
	const char *errpos;
	int ret;

	if (gnutls_certificate_allocate_credentials(&sv->cred) < 0)
		return p_err("GnuTLS: out of memory");
	ret = gnutls_certificate_set_x509_key_file(sv->cred, sv->o->cert,
						   sv->o->key, GNUTLS_X509_FMT_PEM);
	if (ret < 0)
		return p_err("loading %s and %s: %s", sv->o->cert, sv->o->key,
			     gnutls_strerror(ret));
	ret = gnutls_priority_init(&sv->prio, sv->o->priority ? sv->o->priority :
				   KTLS_GNUTLS_PRIORITY, &errpos);
	if (ret < 0)
		return p_err("bad --priority near '%s': %s", errpos,
			     gnutls_strerror(ret));
	sv->rootfd = -1;
	if (sv->o->root) {
		sv->rootfd = open(sv->o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (sv->rootfd < 0)
			return p_err("--root %s: %s", sv->o->root, strerror(errno));
	}
	return 0;
}

int hs_server(const struct hs_opts *o)
{
	struct sigaction sa = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
	struct server sv = { .o = o, .rootfd = -1 };
	unsigned int port = 0;
	int lfd, fd, rc;
	pid_t pid;

	out_stream_errors(stdout);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);	/* the private key */
	rc = load(&sv);
	if (rc)
		goto out;
	lfd = listen_on(o->bind, o->port, &port);
	if (lfd < 0) {
		rc = EXIT_FAIL;
		goto out;
	}
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("event", "listening");
		jw_uint("port", port);
		jw_obj_end();
		out_emit(stdout);
	} else {
		printf("%s: listening on port %u\n", PROG, port);
		fflush(stdout);
	}
	sigaction(SIGCHLD, &sa, NULL);	/* children reap themselves */

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			rc = p_err("accept: %s", strerror(errno));
			break;
		}
		if (o->once) {
			rc = serve(&sv, fd);
			break;
		}
		pid = fork();
		if (pid == 0) {
			close(lfd);
			_exit(serve(&sv, fd));
		}
		if (pid < 0)
			p_err("fork: %s", strerror(errno));
		close(fd);
	}
	close(lfd);
out:
	if (sv.prio)
		gnutls_priority_deinit(sv.prio);
	if (sv.cred)
		gnutls_certificate_free_credentials(sv.cred);
	if (sv.rootfd >= 0)
		close(sv.rootfd);
	return rc;
}
