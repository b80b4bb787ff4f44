// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl sock show: every TCP socket of this network namespace with the
 * ULP "ktls" or "tls", from NETLINK_SOCK_DIAG (inet_diag with
 * INET_DIAG_INFO: the kernel adds INET_DIAG_ULP_INFO, which the ULP fills
 * with TLS_INFO_* attributes, for callers with CAP_NET_ADMIN).  Owners
 * (pid, fd) come from /proc/PID/fd.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libktls.h"
#include "main.h"

#define MAX_OWNERS 4

struct tls_sock {
	char local[64], remote[64], ulp[16];
	unsigned long inode;
	unsigned int uid;
	uint8_t state;
	uint16_t version, cipher, txconf, rxconf, tx_max;
	bool zc_ro_tx, rx_no_pad;
	int nowners;
	struct {
		int pid, fd;
	} owners[MAX_OWNERS];
};

static const char sock_help[] =
	"Usage: " PROG " sock show\n"
	"       " PROG " sock keys pid PID fd FD {tx|rx|both} file {FILE|-} [ulp NAME]\n"
	"       " PROG " sock help\n"
	"\n"
	"  show  kTLS sockets (ULP \"ktls\" or \"tls\") of this network namespace:\n"
	"        addresses, TLS version, cipher, TX/RX mode, owning processes.\n"
	"        Needs CAP_NET_ADMIN (the kernel shows ULP details to it only).\n"
	"  keys  take socket FD of process PID (pidfd_getfd: the caller must be\n"
	"        allowed to ptrace PID), attach ULP NAME (default \"ktls\") and\n"
	"        install the keys read from FILE, or stdin for '-'.  Key file\n"
	"        format: see ktls-ctl(8).\n";

static const char *const tcp_states[] = {
	"UNKNOWN", "ESTABLISHED", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
	"FIN-WAIT-2", "TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK",
	"LISTEN", "CLOSING",
};

static const char *conf_name(uint16_t conf)
{
	switch (conf) {
	case TLS_CONF_BASE:
		return "none";
	case TLS_CONF_SW:
		return "sw";
	case TLS_CONF_HW:
		return "hw";
	case TLS_CONF_HW_RECORD:
		return "hw-record";
	}
	return "unknown";
}

static void fmt_addr(char *buf, size_t len, int family, const __be32 *addr,
		     __be16 port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 ntohs(port));
}

static void parse_tls_info(struct tls_sock *s, struct rtattr *nest)
{
	int len = RTA_PAYLOAD(nest);
	struct rtattr *a;

	for (a = RTA_DATA(nest); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		uint16_t v = 0;

		if (RTA_PAYLOAD(a) >= sizeof(v))
			memcpy(&v, RTA_DATA(a), sizeof(v));
		switch (a->rta_type & NLA_TYPE_MASK) {
		case TLS_INFO_VERSION:
			s->version = v;
			break;
		case TLS_INFO_CIPHER:
			s->cipher = v;
			break;
		case TLS_INFO_TXCONF:
			s->txconf = v;
			break;
		case TLS_INFO_RXCONF:
			s->rxconf = v;
			break;
		case TLS_INFO_ZC_RO_TX:
			s->zc_ro_tx = true;
			break;
		case TLS_INFO_RX_NO_PAD:
			s->rx_no_pad = true;
			break;
		case KTLS_INFO_TX_MAX_PAYLOAD_LEN:
			s->tx_max = v;
			break;
		}
	}
}

/* Fill @s from the INET_DIAG_ULP_INFO nest; false unless a TLS ULP. */
static bool parse_ulp_info(struct tls_sock *s, struct rtattr *nest)
{
	int len = RTA_PAYLOAD(nest);
	struct rtattr *a;

	for (a = RTA_DATA(nest); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type & NLA_TYPE_MASK) {
		case INET_ULP_INFO_NAME:
			snprintf(s->ulp, sizeof(s->ulp), "%.*s",
				 (int)RTA_PAYLOAD(a), (char *)RTA_DATA(a));
			break;
		case INET_ULP_INFO_TLS:
			parse_tls_info(s, a);
			break;
		}
	}
	return !strcmp(s->ulp, "ktls") || !strcmp(s->ulp, "tls");
}

static int add_sock(struct tls_sock **arr, size_t *n, int family,
		    struct inet_diag_msg *m, int alen)
{
	struct tls_sock s = { 0 }, *tmp;
	struct rtattr *a;
	bool tls = false;

	for (a = (struct rtattr *)(m + 1); RTA_OK(a, alen);
	     a = RTA_NEXT(a, alen))
		if ((a->rta_type & NLA_TYPE_MASK) == INET_DIAG_ULP_INFO)
			tls = parse_ulp_info(&s, a);
	if (!tls)
		return 0;
	fmt_addr(s.local, sizeof(s.local), family, m->id.idiag_src,
		 m->id.idiag_sport);
	fmt_addr(s.remote, sizeof(s.remote), family, m->id.idiag_dst,
		 m->id.idiag_dport);
	s.inode = m->idiag_inode;
	s.uid = m->idiag_uid;
	s.state = m->idiag_state;
	tmp = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!tmp)
		return -ENOMEM;
	*arr = tmp;
	(*arr)[(*n)++] = s;
	return 0;
}

static int diag_dump(int nl, int family, struct tls_sock **arr, size_t *n)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = SOCK_DIAG_BY_FAMILY,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		},
		.r = {
			.sdiag_family = family,
			.sdiag_protocol = IPPROTO_TCP,
			.idiag_ext = 1 << (INET_DIAG_INFO - 1),
			.idiag_states = ~0u,
		},
	};
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h;
	ssize_t len;
	int err;

	if (send(nl, &req, sizeof(req), 0) < 0)
		return -errno;
	for (;;) {
		len = recv(nl, buf, sizeof(buf), 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		if (len == 0)
			return -EIO;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			err = add_sock(arr, n, family, NLMSG_DATA(h),
				       h->nlmsg_len -
					       NLMSG_LENGTH(sizeof(struct inet_diag_msg)));
			if (err)
				return err;
		}
	}
}

/* Record which processes hold the sockets, from /proc/PID/fd links. */
static void find_owners(struct tls_sock *socks, size_t n)
{
	char path[64], link[64];
	struct dirent *p, *f;
	DIR *proc, *fds;
	unsigned long ino;
	size_t i;
	ssize_t l;

	proc = opendir("/proc");
	if (!proc)
		return;
	while ((p = readdir(proc))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%.20s/fd/%.20s",
				 p->d_name, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1)
				continue;
			for (i = 0; i < n; i++) {
				if (socks[i].inode != ino ||
				    socks[i].nowners >= MAX_OWNERS)
					continue;
				socks[i].owners[socks[i].nowners].pid =
					atoi(p->d_name);
				socks[i].owners[socks[i].nowners++].fd =
					atoi(f->d_name);
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static bool have_net_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
	       CAP_TO_MASK(CAP_NET_ADMIN);
}

static void print_sock(const struct tls_sock *s)
{
	const struct ktls_cipher *c = ktls_cipher_by_type(s->cipher);
	const char *ver = ktls_version_name(s->version);
	const char *state = s->state < sizeof(tcp_states) / sizeof(*tcp_states) ?
				    tcp_states[s->state] : "UNKNOWN";
	int i;

	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("ulp", s->ulp);
		jw_str("state", state);
		jw_str("local", s->local);
		jw_str("remote", s->remote);
		jw_str("version", ver);
		jw_str("cipher", c ? c->name : NULL);
		jw_str("tx", conf_name(s->txconf));
		jw_str("rx", conf_name(s->rxconf));
		jw_bool("tx_zerocopy_sendfile", s->zc_ro_tx);
		jw_bool("rx_expect_no_pad", s->rx_no_pad);
		if (s->tx_max)
			jw_uint("tx_max_payload_len", s->tx_max);
		jw_uint("inode", s->inode);
		jw_uint("uid", s->uid);
		jw_arr_begin("owners");
		for (i = 0; i < s->nowners; i++) {
			jw_obj_begin(NULL);
			jw_int("pid", s->owners[i].pid);
			jw_int("fd", s->owners[i].fd);
			jw_obj_end();
		}
		jw_arr_end();
		jw_obj_end();
		return;
	}
	printf("%-11s %s %s ulp %s", state, s->local, s->remote, s->ulp);
	if (ver)
		printf(" TLS %s %s", ver, c ? c->name : "?");
	printf(" tx %s rx %s", conf_name(s->txconf), conf_name(s->rxconf));
	for (i = 0; i < s->nowners; i++)
		printf(" pid %d fd %d", s->owners[i].pid, s->owners[i].fd);
	printf("\n");
}

static int sock_show(int argc, char **argv)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct tls_sock *socks = NULL;
	size_t n = 0, i;
	int nl, err = 0;

	if (wants_help(argc, argv))
		return p_help(sock_help);
	if (argc)
		return p_usage("'sock show' takes no arguments");

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return p_err("netlink sock_diag: %s", strerror(errno));
	for (i = 0; i < 2 && !err; i++)
		err = diag_dump(nl, families[i], &socks, &n);
	close(nl);
	if (err) {
		free(socks);
		if (err == -ENOENT)
			return p_err("sock_diag has no TCP support: modprobe tcp_diag");
		return p_err("sock_diag dump: %s", strerror(-err));
	}
	find_owners(socks, n);

	if (!have_net_admin())
		p_info("note: without CAP_NET_ADMIN the kernel hides ULP details, so no socket shows as kTLS");
	if (json_output)
		jw_arr_begin(NULL);
	for (i = 0; i < n; i++)
		print_sock(&socks[i]);
	if (json_output)
		jw_arr_end();
	else if (!n)
		p_info("no kTLS sockets in this network namespace");
	free(socks);
	return EXIT_OK;
}

static int sock_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(sock_help);
}

static const struct cmd sock_cmds[] = {
	{ "show", sock_show },
	{ "keys", do_sock_keys },
	{ "help", sock_help_cmd },
	{ NULL, NULL },
};

int do_sock(int argc, char **argv)
{
	return cmd_dispatch("sock", sock_cmds, argc, argv);
}
