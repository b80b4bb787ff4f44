// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl module: is the ktls module loaded, which version, with which
 * parameters, and which TCP ULP names are registered (and by whom).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

#define SYS_MOD "/sys/module/ktls"

static const char module_help[] =
	"Usage: " PROG " module show\n"
	"       " PROG " module help\n"
	"\n"
	"  show  whether ktls is loaded, its version, parameters and taint,\n"
	"        and the TCP ULP names registered in the kernel\n";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the module's parameters; *n set, NULL if none. */
static char **param_names(size_t *n)
{
	char **names = NULL, **tmp;
	struct dirent *de;
	DIR *d;

	*n = 0;
	d = opendir(SYS_MOD "/parameters");
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tmp = realloc(names, (*n + 1) * sizeof(*names));
		if (!tmp)
			break;
		names = tmp;
		names[*n] = strdup(de->d_name);
		if (names[*n])
			(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	return names;
}

/* Who provides the ULP name "tls": ktls, the in-tree module, or nobody. */
static const char *tls_owner(bool ktls_loaded)
{
	char v[16];

	if (!ulp_registered("tls"))
		return NULL;
	if (ktls_loaded &&
	    read_text(SYS_MOD "/parameters/register_tls", v, sizeof(v)) > 0 &&
	    (v[0] == 'Y' || v[0] == '1'))
		return "ktls";
	if (module_loaded("tls", NULL, NULL, 0))
		return "tls.ko";
	return "kernel (built in)";
}

static int module_show(int argc, char **argv)
{
	char state[32] = "", version[64] = "", taint[16] = "", ulps[512] = "";
	char path[300], val[256], *tok, *save = NULL;
	unsigned long refcnt = 0;
	const char *owner;
	char **names;
	bool loaded;
	size_t i, n;

	if (wants_help(argc, argv))
		return p_help(module_help);
	if (argc)
		return p_usage("'module show' takes no arguments");

	loaded = module_loaded("ktls", &refcnt, state, sizeof(state));
	if (read_text(SYS_MOD "/version", version, sizeof(version)) < 0)
		version[0] = '\0';
	if (read_text(SYS_MOD "/taint", taint, sizeof(taint)) < 0)
		taint[0] = '\0';
	if (read_text("/proc/sys/net/ipv4/tcp_available_ulp", ulps,
		      sizeof(ulps)) < 0)
		ulps[0] = '\0';
	owner = tls_owner(loaded);
	names = param_names(&n);

	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("module", "ktls");
		jw_bool("loaded", loaded);
		if (loaded) {
			jw_str("state", state);
			jw_uint("refcount", refcnt);
		}
		jw_str("version", version[0] ? version : NULL);
		jw_str("taint", loaded ? taint : NULL);
		jw_obj_begin("parameters");
	} else if (loaded) {
		printf("ktls: loaded (%s, refcount %lu)\n", state, refcnt);
		printf("  version     %s\n", version[0] ? version : "-");
		printf("  taint       %s\n", taint[0] ? taint : "-");
		printf("  parameters ");
		if (!n)
			printf(" -");
	} else {
		printf("ktls: not loaded\n");
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), SYS_MOD "/parameters/%s",
			 names[i]);
		if (read_text(path, val, sizeof(val)) < 0)
			snprintf(val, sizeof(val), "?");
		if (json_output)
			jw_str(names[i], val);
		else
			printf(" %s=%s", names[i], val);
		free(names[i]);
	}
	free(names);
	if (!json_output && loaded)
		printf("\n");

	if (json_output) {
		jw_obj_end();
		jw_arr_begin("ulps");
	} else {
		printf("TCP ULPs registered:%s\n", ulps[0] ? "" : " none");
	}
	for (tok = strtok_r(ulps, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		const char *by = !strcmp(tok, "ktls") ? "ktls" :
				 !strcmp(tok, "tls") ? owner : NULL;

		if (json_output) {
			jw_obj_begin(NULL);
			jw_str("name", tok);
			jw_str("provider", by);
			jw_obj_end();
		} else {
			printf("  %s%s%s\n", tok, by ? "  provided by " : "",
			       by ? by : "");
		}
	}
	if (json_output) {
		jw_arr_end();
		jw_obj_end();
	}
	return EXIT_OK;
}

static int module_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(module_help);
}

static const struct cmd module_cmds[] = {
	{ "show", module_show },
	{ "help", module_help_cmd },
	{ NULL, NULL },
};

int do_module(int argc, char **argv)
{
	return cmd_dispatch("module", module_cmds, argc, argv);
}
