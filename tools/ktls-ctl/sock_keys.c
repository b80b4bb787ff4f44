// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl sock keys: install TLS keys into a socket of another process.
 *
 * The socket is duplicated with pidfd_open() + pidfd_getfd(); the kernel
 * allows that only to a caller that may ptrace the target (same user and
 * Yama permitting, or CAP_SYS_PTRACE), else EPERM.  Keys come from a file
 * or stdin, never from the command line; they live in locked memory kept
 * out of core dumps, and the process is made non-dumpable while it holds
 * them.  Both copies of the descriptor name one socket, so once the keys
 * are in, the owner's send() and recv() carry TLS records.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "keyfile.h"
#include "main.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

struct keys_args {
	unsigned long pid, fd;
	unsigned int dirs;
	const char *file, *ulp;
};

static int parse_args(int argc, char **argv, struct keys_args *a)
{
	static const char *const words[] = { "pid", "fd", "file", "ulp",
					     "tx", "rx", "both", NULL };
	bool have_pid = false, have_fd = false;
	int i, w;

	for (i = 0; i < argc; i++) {
		w = word_match(argv[i], words);
		if (w == -2)
			return p_usage("ambiguous word '%s'", argv[i]);
		if (w < 0)
			return p_usage("unexpected '%s' (see '%s sock help')",
				       argv[i], PROG);
		if (w >= 4) {
			if (a->dirs)
				return p_usage("give one of tx, rx, both");
			a->dirs = w == 4 ? KTLS_TX : w == 5 ? KTLS_RX : KTLS_BOTH;
			continue;
		}
		if (++i == argc)
			return p_usage("'%s' needs a value", words[w]);
		switch (w) {
		case 0:
			if (!parse_ulong(argv[i], 1, 4194304, &a->pid))
				return p_usage("bad pid '%s'", argv[i]);
			have_pid = true;
			break;
		case 1:
			if (!parse_ulong(argv[i], 0, 1048576, &a->fd))
				return p_usage("bad fd '%s'", argv[i]);
			have_fd = true;
			break;
		case 2:
			a->file = argv[i];
			break;
		case 3:
			a->ulp = argv[i];
			if (!*a->ulp || strlen(a->ulp) >= 16)
				return p_usage("bad ULP name '%s'", a->ulp);
			break;
		}
	}
	if (!have_pid || !have_fd || !a->dirs || !a->file)
		return p_usage("usage: %s sock keys pid PID fd FD {tx|rx|both} file {FILE|-} [ulp NAME]",
			       PROG);
	return 0;
}

/* Duplicate fd @a->fd of process @a->pid into this process. */
static int take_fd(const struct keys_args *a)
{
	int pidfd, fd, e;

	pidfd = syscall(SYS_pidfd_open, (pid_t)a->pid, 0);
	if (pidfd < 0) {
		e = errno;
		p_err("pidfd_open(%lu): %s", a->pid,
		      e == ESRCH ? "no such process" : strerror(e));
		return -1;
	}
	fd = syscall(SYS_pidfd_getfd, pidfd, (int)a->fd, 0);
	e = errno;
	close(pidfd);
	if (fd >= 0)
		return fd;
	if (e == EPERM)
		p_err("pidfd_getfd(pid %lu, fd %lu): %s: the caller may not ptrace that process (needs the same user with ptrace allowed, or CAP_SYS_PTRACE)",
		      a->pid, a->fd, strerror(e));
	else if (e == EBADF)
		p_err("pidfd_getfd: process %lu has no fd %lu", a->pid, a->fd);
	else
		p_err("pidfd_getfd(pid %lu, fd %lu): %s", a->pid, a->fd,
		      strerror(e));
	return -1;
}

static int check_tcp(int fd)
{
	int proto = 0, type = 0;
	socklen_t len = sizeof(proto);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &(socklen_t){ sizeof(type) }))
		return p_err("fd is not a socket: %s", strerror(errno));
	if (proto != IPPROTO_TCP || type != SOCK_STREAM)
		return p_err("fd is not a TCP socket");
	return 0;
}

/* Attach the ULP unless a TLS one is there already; name it in @ulp. */
static int ensure_ulp(int fd, const char *want, char *ulp, size_t len)
{
	int err = ktls_get_ulp(fd, ulp, len);

	if (err)
		return p_err("getsockopt(TCP_ULP): %s", strerror(-err));
	if (ulp[0]) {
		if (want ? strcmp(ulp, want) :
			   strcmp(ulp, "ktls") && strcmp(ulp, "tls"))
			return p_err("the socket already has ULP \"%s\"", ulp);
		return 0;
	}
	snprintf(ulp, len, "%s", want ? want : KTLS_ULP_NAME);
	err = ktls_attach_ulp(fd, ulp);
	if (err == -ENOENT)
		return p_err("TCP ULP \"%s\" is not registered: load the module (modprobe ktls)",
			     ulp);
	if (err == -ENOTCONN)
		return p_err("the socket is not connected (the ULP needs an established connection)");
	if (err)
		return p_err("setsockopt(TCP_ULP, \"%s\"): %s", ulp,
			     strerror(-err));
	return 0;
}

static const char *install_hint(int err)
{
	switch (err) {
	case -EEXIST:
		return " (keys already installed)";
	case -EINVAL:
		return " (version, cipher or key sizes rejected)";
	case -ENOENT:
		return " (the kernel lacks the cipher's AEAD)";
	}
	return "";
}

static int install(int fd, const struct keyfile *kf, unsigned int dirs)
{
	unsigned int d;
	int err;

	for (d = KTLS_TX; d <= KTLS_RX; d <<= 1) {
		if (!(dirs & d))
			continue;
		err = ktls_install(fd, d, &kf->ci[d == KTLS_RX]);
		if (err)
			return p_err("installing %s keys: %s%s",
				     d == KTLS_TX ? "tx" : "rx", strerror(-err),
				     install_hint(err));
	}
	return 0;
}

int do_sock_keys(int argc, char **argv)
{
	struct keys_args a = { 0 };
	struct keyfile *kf = NULL;
	const char *src;
	char ulp[16], err[160];
	int fd = -1, rc, e;

	if (wants_help(argc, argv))
		return p_help("Usage: " PROG " sock keys pid PID fd FD {tx|rx|both} file {FILE|-} [ulp NAME]\n"
			      "\n"
			      "Key file lines (see ktls-ctl(8)): version {1.2|1.3}, cipher NAME,\n"
			      "tx_key, tx_iv, tx_salt, tx_seq, rx_key, rx_iv, rx_salt, rx_seq <hex>.\n");
	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;

	/* No core dump and no ptrace by others while keys are in memory. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	rc = EXIT_FAIL;
	fd = take_fd(&a);
	if (fd < 0 || check_tcp(fd))
		goto out;

	kf = ktls_secret_alloc(sizeof(*kf));
	if (!kf) {
		p_err("allocating key memory: %s", strerror(errno));
		goto out;
	}
	src = strcmp(a.file, "-") ? a.file : "stdin";
	e = keyfile_read(kf, a.file);
	if (e) {
		p_err("%s: %s", src,
		      e == -EFBIG ? "key file too large" : strerror(-e));
		goto out;
	}
	if (keyfile_parse(kf, a.dirs, err, sizeof(err))) {
		p_err("%s: %s", src, err);
		goto out;
	}
	if (ensure_ulp(fd, a.ulp, ulp, sizeof(ulp)) ||
	    install(fd, kf, a.dirs))
		goto out;

	rc = EXIT_OK;
	if (json_output) {
		jw_obj_begin(NULL);
		jw_uint("pid", a.pid);
		jw_uint("fd", a.fd);
		jw_str("ulp", ulp);
		jw_str("version", ktls_version_name(kf->version));
		jw_str("cipher", kf->cipher->name);
		jw_bool("tx", a.dirs & KTLS_TX);
		jw_bool("rx", a.dirs & KTLS_RX);
		jw_obj_end();
	} else {
		printf("pid %lu fd %lu: ULP %s, TLS %s %s, keys installed for %s\n",
		       a.pid, a.fd, ulp, ktls_version_name(kf->version),
		       kf->cipher->name,
		       a.dirs == KTLS_BOTH ? "tx and rx" :
		       a.dirs == KTLS_TX ? "tx" : "rx");
	}
out:
	ktls_secret_free(kf, sizeof(*kf));
	if (fd >= 0)
		close(fd);
	return rc;
}
