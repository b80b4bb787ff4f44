// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl stats: the kernel TLS counters of this network namespace.
 * /proc/net/ktls_stat (the ktls module) and /proc/net/tls_stat (the
 * in-tree module) hold one "Name<whitespace>value" line per counter:
 * TlsCurrTxSw, TlsCurrRxSw, TlsTxSw, TlsRxSw, TlsDecryptError, ...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "main.h"

static const char stats_help[] =
	"Usage: " PROG " stats show [{ ktls | tls }]\n"
	"       " PROG " stats help\n"
	"\n"
	"  show       the counters of the ktls module (/proc/net/ktls_stat)\n"
	"  show tls   those of the in-tree tls module (/proc/net/tls_stat)\n";

static int stats_show(int argc, char **argv)
{
	static const char *const sources[] = { "ktls", "tls", NULL };
	const char *path = "/proc/net/ktls_stat", *mod = "ktls";
	char line[256], name[128];
	unsigned long long val;
	int n = 0, lineno = 0;
	FILE *f;

	if (wants_help(argc, argv))
		return p_help(stats_help);
	if (argc > 1)
		return p_usage("too many arguments for 'stats show'");
	if (argc == 1) {
		switch (word_match(argv[0], sources)) {
		case 0:
			break;
		case 1:
			path = "/proc/net/tls_stat";
			mod = "tls";
			break;
		default:
			return p_usage("'stats show' takes 'ktls' or 'tls', not '%s'",
				       argv[0]);
		}
	}

	f = fopen(path, "re");
	if (!f) {
		int e = errno;

		if (e != ENOENT)
			return p_err("%s: %s", path, strerror(e));
		if (!module_loaded(mod, NULL, NULL, 0))
			return p_err("%s does not exist: the %s module is not loaded",
				     path, mod);
		if (!strcmp(mod, "ktls"))
			return p_err("%s does not exist: this ktls module keeps no statistics yet (they arrive with issue 4)",
				     path);
		return p_err("%s does not exist although %s is loaded", path,
			     mod);
	}

	if (json_output)
		jw_obj_begin(NULL);
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (line[strspn(line, " \t\n")] == '\0')
			continue;
		if (sscanf(line, "%127s %llu", name, &val) != 2) {
			fclose(f);
			return p_err("%s:%d: not a 'Name value' line", path,
				     lineno);
		}
		if (json_output)
			jw_uint(name, val);
		else
			printf("%-28s %llu\n", name, val);
		n++;
	}
	fclose(f);
	if (json_output)
		jw_obj_end();
	else if (!n)
		printf("(%s is empty)\n", path);
	return EXIT_OK;
}

static int stats_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(stats_help);
}

static const struct cmd stats_cmds[] = {
	{ "show", stats_show },
	{ "help", stats_help_cmd },
	{ NULL, NULL },
};

int do_stats(int argc, char **argv)
{
	return cmd_dispatch("stats", stats_cmds, argc, argv);
}
