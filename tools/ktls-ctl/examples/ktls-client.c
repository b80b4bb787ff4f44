// SPDX-License-Identifier: GPL-2.0
/*
 * libktls example: fetch one URL path over HTTPS with the record layer in
 * the kernel.
 *
 *	ktls-client HOST PORT CAFILE PATH > body
 *
 * GnuTLS does the handshake; ktls_gnutls_enable() moves the session into
 * the kernel; then plain send() writes the request and ktls_recv() reads
 * the answer, skipping session tickets and stopping at close_notify.
 * Build: cc ktls-client.c -lktls -lgnutls
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libktls.h>

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;

	if (getaddrinfo(host, port, &hints, &res))
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* Write the response to stdout until the server's close_notify. */
static int read_response(int fd)
{
	static char buf[16384];
	uint8_t type;
	ssize_t n;

	for (;;) {
		n = ktls_recv(fd, buf, sizeof(buf), 0, &type);
		if (n < 0) {
			fprintf(stderr, "recv: %s\n", strerror(-n));
			return 1;
		}
		if (n == 0)
			return 0;	/* end of stream */
		if (type == KTLS_RECORD_DATA) {
			if (fwrite(buf, 1, n, stdout) != (size_t)n)
				return 1;
			continue;
		}
		if (type == KTLS_RECORD_HANDSHAKE &&
		    buf[0] == KTLS_HS_NEW_SESSION_TICKET)
			continue;	/* TLS 1.3 ticket: not resuming */
		if (type == KTLS_RECORD_ALERT && n == 2 &&
		    buf[1] == KTLS_ALERT_CLOSE_NOTIFY)
			return 0;
		fprintf(stderr, "unexpected record type %u\n", type);
		return 1;
	}
}

int main(int argc, char **argv)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	char req[1024];
	int fd, ret, rc;

	if (argc != 5) {
		fprintf(stderr, "usage: %s HOST PORT CAFILE PATH\n", argv[0]);
		return 2;
	}
	fd = dial(argv[1], argv[2]);
	if (fd < 0) {
		fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]);
		return 1;
	}
	gnutls_certificate_allocate_credentials(&cred);
	if (gnutls_certificate_set_x509_trust_file(cred, argv[3],
						   GNUTLS_X509_FMT_PEM) <= 0) {
		fprintf(stderr, "%s: no CA certificate\n", argv[3]);
		return 1;
	}
	gnutls_init(&s, GNUTLS_CLIENT);
	/* Offer only what the kernel can take over. */
	gnutls_priority_set_direct(s, KTLS_GNUTLS_PRIORITY, NULL);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_session_set_verify_cert(s, argv[1], 0);
	gnutls_transport_set_int(s, fd);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	if (ret < 0) {
		fprintf(stderr, "handshake: %s\n", gnutls_strerror(ret));
		return 1;
	}

	/* Nothing was read after the handshake, so nothing is pending. */
	ret = ktls_gnutls_enable(s, fd, KTLS_BOTH);
	gnutls_deinit(s);	/* no gnutls_bye(): the kernel has the records */
	gnutls_certificate_free_credentials(cred);
	if (ret) {
		fprintf(stderr, "ktls_gnutls_enable: %s\n", strerror(-ret));
		return 1;
	}

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
		 argv[4], argv[1]);
	if (send(fd, req, strlen(req), 0) < 0) {
		perror("send");
		return 1;
	}
	rc = read_response(fd);
	ktls_send_alert(fd, KTLS_ALERT_WARNING, KTLS_ALERT_CLOSE_NOTIFY);
	close(fd);
	return rc;
}
