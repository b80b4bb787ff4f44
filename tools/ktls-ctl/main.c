// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl: inspect and drive kernel TLS (the ktls module, or the in-tree
 * tls module).  Grammar after bpftool:
 *
 *	ktls-ctl [OPTIONS] OBJECT {COMMAND | help} [ARGS]
 *
 * Every word may be abbreviated to a unique prefix.  Exit status 0 on
 * success, 1 on failure, 2 on a usage error.  With -j, everything written
 * to stdout (and every error) is JSON.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

#ifndef KTLS_CTL_VERSION
#define KTLS_CTL_VERSION "unknown"
#endif

bool json_output;
bool pretty_output;
const char *ktls_ctl_version = KTLS_CTL_VERSION;

static const char main_help[] =
	"Usage: " PROG " [OPTIONS] OBJECT {COMMAND | help} [ARGS]\n"
	"       " PROG " help\n"
	"       " PROG " version\n"
	"\n"
	"OBJECT := { module | feature | sock | stats | handshake | policy }\n"
	"OPTIONS := { -j|--json [-p|--pretty] | -V|--version | -h|--help }\n"
	"\n"
	"  module     the ktls module: loaded, version, parameters, ULP names\n"
	"  feature    why kernel TLS would or would not work on this machine\n"
	"  sock       list kTLS sockets; install keys into another process's socket\n"
	"  stats      kernel TLS statistics\n"
	"  handshake  TLS client and file server: GnuTLS handshake, kernel records\n"
	"  policy     BPF policy on kTLS plaintext: load, attach, cgroup hook, counters\n"
	"\n"
	"Words may be abbreviated.  Exit status: 0 success, 1 failure, 2 usage error.\n"
	"See ktls-ctl(8).\n";

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(main_help);
}

static int do_version(int argc, char **argv)
{
	if (argc > 0 && !wants_help(argc, argv))
		return p_usage("'version' takes no arguments");
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("version", ktls_ctl_version);
		jw_obj_end();
	} else {
		printf("%s %s\n", PROG, ktls_ctl_version);
	}
	return EXIT_OK;
}

static const struct cmd objects[] = {
	{ "module", do_module },
	{ "feature", do_feature },
	{ "sock", do_sock },
	{ "stats", do_stats },
	{ "handshake", do_handshake },
	{ "policy", do_policy },
	{ "version", do_version },
	{ "help", do_help },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool version = false, help = false;
	const char *bad = NULL;
	int c, rc;

	/* Writes to a closed peer are errors to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jpVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = true;
			pretty_output = true;
			break;
		case 'V':
			version = true;
			break;
		case 'h':
			help = true;
			break;
		default:
			bad = argv[optind - 1];
			break;
		}
	}
	argc -= optind;
	argv += optind;

	out_start();
	if (bad)
		rc = p_usage("unknown option '%s' (see '%s help')", bad, PROG);
	else if (version)
		rc = do_version(0, NULL);
	else if (help)
		rc = do_help(0, NULL);
	else if (argc == 0)
		rc = p_usage("missing object (see '%s help')", PROG);
	else
		rc = cmd_dispatch(NULL, objects, argc, argv);
	return out_finish(rc);
}
