// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl handshake client: connect, GnuTLS handshake, hand the session
 * to the kernel, then relay stdin -> connection -> stdout with plain
 * send() and recv() on the kTLS socket.  The end of stdin sends
 * close_notify; the peer's close_notify (or end of stream) ends the relay
 * and the connection.  A send that fails (EACCES: a BPF policy dropped
 * the data) sends close_notify too, and the client exits 1 once the peer
 * has closed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "handshake.h"
#include "main.h"

#define BUF_SIZE 16384

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, err, e = 0;

	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		p_err("%s: %s", host, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		p_err("connecting to %s port %s: %s", host, port, strerror(e));
	return fd;
}

/*
 * stdin -> connection, in a child process: blocking reads and sends; the
 * end of stdin sends close_notify.  The socket is not half-closed: a peer
 * still busy with its own hand-off would find its socket out of the
 * ESTABLISHED state, and the kernel attaches a TLS ULP only to an
 * established socket (ENOTCONN).  A failure is not reported here but
 * written to @status (an errno, negative for stdin), so that the parent
 * reports it once; close_notify still goes out, so that the peer ends the
 * connection and the parent's read returns.  A send that a BPF policy
 * drops fails with EACCES.
 */
static int pump_out(struct hs_conn *c, int status)
{
	static char buf[BUF_SIZE];
	int err = 0;
	ssize_t n;

	for (;;) {
		n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		err = hs_write_all(c->fd, buf, n, true);
		if (err) {
			err = -err;
			break;
		}
	}
	if (err && write(status, &err, sizeof(err)) != sizeof(err))
		return EXIT_FAIL;
	ktls_send_alert(c->fd, KTLS_ALERT_WARNING, KTLS_ALERT_CLOSE_NOTIFY);
	return err ? EXIT_FAIL : EXIT_OK;
}

/*
 * Copy stdin to the connection and the connection to stdout, one process
 * each way, each blocking: nothing depends on poll() readiness.  Ends
 * when the peer closes (or an error), then stops the writer.
 */
static int relay(struct hs_conn *c)
{
	static char buf[BUF_SIZE];
	int rc = EXIT_OK, st = 0, err, status[2], werr = 0;
	pid_t writer;
	ssize_t n;

	if (pipe2(status, O_CLOEXEC | O_NONBLOCK))
		return p_err("pipe: %s", strerror(errno));
	fflush(NULL);
	writer = fork();
	if (writer < 0) {
		close(status[0]);
		close(status[1]);
		return p_err("fork: %s", strerror(errno));
	}
	if (writer == 0) {
		close(status[0]);
		_exit(pump_out(c, status[1]));
	}
	close(status[1]);

	for (;;) {
		n = hs_recv(c, buf, sizeof(buf), 0);
		if (n < 0) {
			rc = EXIT_FAIL;
			break;
		}
		if (n == 0)
			break;
		err = hs_write_all(1, buf, n, false);
		if (err) {
			rc = p_err("writing stdout: %s", strerror(-err));
			break;
		}
	}
	/*
	 * The writer's failure, if any, was written before its close_notify,
	 * so before the peer's answer that ended the loop.
	 */
	if (read(status[0], &werr, sizeof(werr)) == sizeof(werr)) {
		if (werr > 0)
			p_err("%s: sending: %s", c->peer, strerror(werr));
		else
			p_err("reading stdin: %s", strerror(-werr));
		rc = EXIT_FAIL;
	}
	close(status[0]);
	/* The peer is done: whatever stdin still holds has nowhere to go. */
	if (waitpid(writer, &st, WNOHANG) == 0) {
		kill(writer, SIGTERM);
		waitpid(writer, &st, 0);
	} else if (rc == EXIT_OK && (!WIFEXITED(st) || WEXITSTATUS(st))) {
		rc = EXIT_FAIL;	/* the writer failed without telling */
	}
	return rc;
}

static void report(const struct hs_conn *c)
{
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("event", "handoff");
		hs_json_conn(c);
		jw_obj_end();
		out_emit(stderr);
	} else {
		fprintf(stderr, "%s: connected to %s, TLS %s %s, records by the kernel (ULP %s)\n",
			PROG, c->peer, c->version, c->cipher, c->ulp);
	}
}

int hs_client(const struct hs_opts *o)
{
	gnutls_certificate_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	struct hs_conn c = { .fd = -1 };
	static char early[BUF_SIZE];
	const char *name = o->servername ? o->servername : o->host;
	struct in6_addr a6;
	const char *errpos;
	size_t n = 0;
	int rc = EXIT_FAIL, ret, err;

	/* Stdout carries the connection: events and errors go to stderr. */
	out_stream_errors(stderr);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return p_err("GnuTLS: out of memory");
	ret = o->cafile ?
		gnutls_certificate_set_x509_trust_file(cred, o->cafile,
						       GNUTLS_X509_FMT_PEM) :
		gnutls_certificate_set_x509_system_trust(cred);
	if (ret <= 0 && !o->insecure) {
		p_err("%s: no CA certificates loaded%s%s",
		      o->cafile ? o->cafile : "system trust store",
		      ret < 0 ? ": " : "", ret < 0 ? gnutls_strerror(ret) : "");
		goto out;
	}
	if (gnutls_init(&s, GNUTLS_CLIENT) < 0) {
		p_err("GnuTLS: gnutls_init failed");
		goto out;
	}
	ret = gnutls_priority_set_direct(s, o->priority ? o->priority :
					 KTLS_GNUTLS_PRIORITY, &errpos);
	if (ret < 0) {
		p_err("bad --priority near '%s': %s", errpos,
		      gnutls_strerror(ret));
		goto out;
	}
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	/* SNI carries names, never address literals (RFC 6066). */
	if (inet_pton(AF_INET, name, &a6) != 1 &&
	    inet_pton(AF_INET6, name, &a6) != 1)
		gnutls_server_name_set(s, GNUTLS_NAME_DNS, name, strlen(name));
	if (!o->insecure)
		gnutls_session_set_verify_cert(s, name, 0);

	c.fd = connect_to(o->host, o->port);
	if (c.fd < 0)
		goto out;
	hs_peer_name(c.fd, c.peer, sizeof(c.peer));
	if (hs_handshake(s, &c) || hs_handoff(s, &c, o->ulp, early,
					      sizeof(early), &n))
		goto out;
	gnutls_deinit(s);
	s = NULL;
	report(&c);
	err = n ? hs_write_all(1, early, n, false) : 0;
	if (err) {
		p_err("writing stdout: %s", strerror(-err));
		goto out;
	}
	rc = relay(&c);
out:
	if (s)
		gnutls_deinit(s);
	if (cred)
		gnutls_certificate_free_credentials(cred);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}
