// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl handshake: a TLS client and a small HTTPS file server whose
 * handshake is GnuTLS's and whose records are the kernel's.  This file:
 * arguments, the handshake, the hand-off (libktls) and the control
 * records that keep arriving afterwards.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handshake.h"
#include "main.h"

static const char handshake_help[] =
	"Usage: " PROG " handshake client HOST PORT [--cafile FILE] [--insecure]\n"
	"                 [--servername NAME] [--priority STRING] [--ulp NAME]\n"
	"       " PROG " handshake server PORT --cert FILE --key FILE [--root DIR]\n"
	"                 [--bind ADDR] [--priority STRING] [--ulp NAME] [--once]\n"
	"       " PROG " handshake help\n"
	"\n"
	"  client  connect, verify the server (system trust, or --cafile), hand\n"
	"          the session to the kernel, then copy stdin to the connection\n"
	"          and the connection to stdout; stdin's end sends close_notify.\n"
	"  server  listen on PORT (0: any; the port is reported), and for each\n"
	"          connection (a child process each; --once: serve one, no\n"
	"          fork): handshake, hand over, answer one HTTP/1.1 GET or HEAD\n"
	"          with a file under DIR sent by sendfile(), close.\n"
	"\n"
	"  --priority  GnuTLS priority string (default: what the kernel can take:\n"
	"              " KTLS_GNUTLS_PRIORITY ")\n"
	"  --ulp       TCP ULP to hand over to (default \"ktls\"; \"tls\": in-tree)\n"
	"With -j, events and errors are JSON lines (the client writes them to\n"
	"stderr: its stdout carries the connection's data).\n";

enum { O_CAFILE, O_INSECURE, O_SERVERNAME, O_CERT, O_KEY, O_ROOT, O_BIND,
       O_PRIORITY, O_ULP, O_ONCE, O_NOPTS };

static const char *const opt_names[] = {
	"cafile", "insecure", "servername", "cert", "key", "root", "bind",
	"priority", "ulp", "once", NULL,
};

/* Options valid for the client (c) and the server (s). */
static const char opt_role[O_NOPTS] = "cccssssbbs";

static int parse_opts(int argc, char **argv, char role, int npos,
		      const char **pos, struct hs_opts *o)
{
	const char **val[O_NOPTS] = {
		[O_CAFILE] = &o->cafile, [O_SERVERNAME] = &o->servername,
		[O_CERT] = &o->cert, [O_KEY] = &o->key, [O_ROOT] = &o->root,
		[O_BIND] = &o->bind, [O_PRIORITY] = &o->priority,
		[O_ULP] = &o->ulp,
	};
	int i, w, got = 0;
	char *eq;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) || !argv[i][2]) {
			if (got == npos)
				return p_usage("unexpected argument '%s'", argv[i]);
			pos[got++] = argv[i];
			continue;
		}
		eq = strchr(argv[i], '=');
		if (eq)
			*eq = '\0';
		w = word_match(argv[i] + 2, opt_names);
		if (w < 0 || (opt_role[w] != role && opt_role[w] != 'b'))
			return p_usage("%s option '%s'",
				       w == -2 ? "ambiguous" : "unknown", argv[i]);
		if (!val[w]) {
			if (eq)
				return p_usage("'--%s' takes no value", opt_names[w]);
			if (w == O_INSECURE)
				o->insecure = true;
			else
				o->once = true;
			continue;
		}
		if (!eq && i + 1 == argc)
			return p_usage("'--%s' needs a value", opt_names[w]);
		*val[w] = eq ? eq + 1 : argv[++i];
	}
	if (got != npos)
		return p_usage("missing %s (see '%s handshake help')",
			       got == 0 && npos == 2 ? "HOST and PORT" : "PORT",
			       PROG);
	return 0;
}

static bool port_ok(const char *port)
{
	unsigned long v;

	return parse_ulong(port, 0, 65535, &v);
}

static int handshake_client(int argc, char **argv)
{
	struct hs_opts o = { 0 };
	const char *pos[2];
	int rc;

	if (wants_help(argc, argv))
		return p_help(handshake_help);
	rc = parse_opts(argc, argv, 'c', 2, pos, &o);
	if (rc)
		return rc;
	o.host = pos[0];
	o.port = pos[1];
	if (!port_ok(o.port) || !strcmp(o.port, "0"))
		return p_usage("bad port '%s'", o.port);
	return hs_client(&o);
}

static int handshake_server(int argc, char **argv)
{
	struct hs_opts o = { 0 };
	struct in6_addr a6;
	const char *pos[1];
	int rc;

	if (wants_help(argc, argv))
		return p_help(handshake_help);
	rc = parse_opts(argc, argv, 's', 1, pos, &o);
	if (rc)
		return rc;
	o.port = pos[0];
	if (!port_ok(o.port))
		return p_usage("bad port '%s'", o.port);
	if (!o.cert || !o.key)
		return p_usage("the server needs --cert FILE and --key FILE");
	if (o.bind && inet_pton(AF_INET6, o.bind, &a6) != 1 &&
	    inet_pton(AF_INET, o.bind, &a6) != 1)
		return p_usage("--bind: '%s' is not an IP address", o.bind);
	return hs_server(&o);
}

static int handshake_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(handshake_help);
}

static const struct cmd handshake_cmds[] = {
	{ "client", handshake_client },
	{ "server", handshake_server },
	{ "help", handshake_help_cmd },
	{ NULL, NULL },
};

int do_handshake(int argc, char **argv)
{
	return cmd_dispatch("handshake", handshake_cmds, argc, argv);
}

void hs_peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl)) {
		snprintf(buf, len, "?");
		return;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		bool v4 = IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);

		if (v4)
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], a, sizeof(a));
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(buf, len, v4 ? "%s:%u" : "[%s]:%u", a, port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(buf, len, "%s:%u", a, port);
	}
}

int hs_write_all(int fd, const void *buf, size_t n, bool sock)
{
	const char *p = buf;
	ssize_t w;

	while (n) {
		w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= w;
	}
	return 0;
}

void hs_json_conn(const struct hs_conn *c)
{
	jw_str("peer", c->peer);
	jw_str("version", c->version);
	jw_str("cipher", c->cipher);
	jw_str("ulp", c->ulp);
}

int hs_handshake(gnutls_session_t s, struct hs_conn *c)
{
	gnutls_datum_t why = { 0 };
	int ret;

	gnutls_transport_set_int(s, c->fd);
	gnutls_handshake_set_timeout(s, 30000);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret >= 0)
		return 0;
	if (ret == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR &&
	    !gnutls_certificate_verification_status_print(
		    gnutls_session_get_verify_cert_status(s),
		    gnutls_certificate_type_get(s), &why, 0)) {
		p_err("%s: TLS handshake failed: %s", c->peer, why.data);
		gnutls_free(why.data);
		return EXIT_FAIL;
	}
	return p_err("%s: TLS handshake failed: %s", c->peer,
		     gnutls_strerror(ret));
}

int hs_handoff(gnutls_session_t s, struct hs_conn *c, const char *ulp,
	       char *buf, size_t cap, size_t *n)
{
	const struct ktls_cipher *ci;
	union ktls_crypto_info info;
	char cur[16];
	uint16_t cipher;
	ssize_t r;
	int err;

	/* Records GnuTLS already decrypted would be lost to the kernel. */
	*n = 0;
	while (gnutls_record_check_pending(s) > 0) {
		if (*n == cap)
			return p_err("%s: too much data before the hand-off",
				     c->peer);
		r = gnutls_record_recv(s, buf + *n, cap - *n);
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			continue;
		if (r <= 0)
			return p_err("%s: reading buffered data: %s", c->peer,
				     r ? gnutls_strerror(r) : "peer closed");
		*n += r;
	}

	err = ktls_gnutls_crypto_info(s, KTLS_TX, &info);
	cipher = info.info.cipher_type;
	ktls_wipe(&info, sizeof(info));
	if (err == -EOPNOTSUPP || err == -EPROTONOSUPPORT) {
		gnutls_alert_send(s, GNUTLS_AL_FATAL, GNUTLS_A_INTERNAL_ERROR);
		return p_err("%s: kernel TLS cannot take %s with %s", c->peer,
			     gnutls_protocol_get_name(gnutls_protocol_get_version(s)),
			     gnutls_cipher_get_name(gnutls_cipher_get(s)));
	}
	snprintf(c->ulp, sizeof(c->ulp), "%s", ulp ? ulp : KTLS_ULP_NAME);
	err = ktls_gnutls_enable_ulp(s, c->fd, KTLS_BOTH, c->ulp);
	/* Still GnuTLS's connection if no ULP got attached: tell the peer. */
	if (err && !ktls_get_ulp(c->fd, cur, sizeof(cur)) && !cur[0])
		gnutls_alert_send(s, GNUTLS_AL_FATAL, GNUTLS_A_INTERNAL_ERROR);
	if (err == -ENOENT)
		return p_err("%s: TCP ULP \"%s\" is not registered (load the module; see '%s feature probe')",
			     c->peer, c->ulp, PROG);
	if (err)
		return p_err("%s: handing the session to the kernel (ULP \"%s\"): %s",
			     c->peer, c->ulp, strerror(-err));

	ci = ktls_cipher_by_type(cipher);
	snprintf(c->version, sizeof(c->version), "%s",
		 gnutls_protocol_get_version(s) == GNUTLS_TLS1_3 ? "1.3" : "1.2");
	c->cipher = ci ? ci->name : "?";
	return 0;
}

/* Handshake messages after the hand-off.  0 to go on, -1 to stop. */
static int hs_messages(struct hs_conn *c, const uint8_t *p, size_t n)
{
	size_t len, skip = c->hs_skip < n ? c->hs_skip : n;

	p += skip;
	n -= skip;
	c->hs_skip -= skip;
	while (n >= 4) {
		len = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		switch (p[0]) {
		case KTLS_HS_NEW_SESSION_TICKET:
			break;	/* we never resume: nothing to keep */
		case KTLS_HS_HELLO_REQUEST:
			if (ktls_send_alert(c->fd, KTLS_ALERT_WARNING,
					    KTLS_ALERT_NO_RENEGOTIATION) < 0)
				return -1;
			break;
		case KTLS_HS_KEY_UPDATE:
			p_err("%s: peer sent a TLS 1.3 KeyUpdate: ktls-ctl cannot derive the next keys yet; closing",
			      c->peer);
			return -1;
		default:
			p_err("%s: unexpected handshake message %u after the handshake",
			      c->peer, p[0]);
			ktls_send_alert(c->fd, KTLS_ALERT_FATAL,
					KTLS_ALERT_UNEXPECTED_MESSAGE);
			return -1;
		}
		if (len + 4 > n) {
			c->hs_skip = len + 4 - n;
			return 0;
		}
		p += len + 4;
		n -= len + 4;
	}
	return 0;
}

ssize_t hs_recv(struct hs_conn *c, void *buf, size_t len, int flags)
{
	uint8_t type, *p = buf;
	const char *name;
	ssize_t n;

	for (;;) {
		n = ktls_recv(c->fd, buf, len, flags, &type);
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN)
			return -2;
		if (n < 0) {
			p_err("%s: receiving: %s%s", c->peer, strerror(-n),
			      n == -EBADMSG ? " (a record failed authentication)" : "");
			return -1;
		}
		if (n == 0) {
			c->peer_closed = true;
			return 0;
		}
		switch (type) {
		case KTLS_RECORD_DATA:
			return n;
		case KTLS_RECORD_HANDSHAKE:
			if (hs_messages(c, p, n))
				return -1;
			continue;
		case KTLS_RECORD_ALERT:
			if (n < 2)
				break;
			if (p[1] == KTLS_ALERT_CLOSE_NOTIFY) {
				c->peer_closed = true;
				return 0;
			}
			name = gnutls_alert_get_strname(p[1]);
			/* TLS 1.3: every alert but these two is fatal. */
			if (p[1] == GNUTLS_A_USER_CANCELED ||
			    (p[0] == KTLS_ALERT_WARNING && c->version[2] == '2')) {
				p_info("%s: peer sent warning alert %s",
				       c->peer, name ? name : "?");
				continue;
			}
			p_err("%s: peer sent alert %s (%u)", c->peer,
			      name ? name : "unknown", p[1]);
			return -1;
		}
		p_err("%s: unexpected record type %u", c->peer, type);
		return -1;
	}
}

void hs_close_notify(struct hs_conn *c)
{
	ktls_send_alert(c->fd, KTLS_ALERT_WARNING, KTLS_ALERT_CLOSE_NOTIFY);
	shutdown(c->fd, SHUT_WR);
}
