// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl policy: SK_MSG policy programs on the plaintext of kTLS
 * sockets.  The grammar is fixed here so that scripts and the man page can
 * rely on it; the commands need the module's sockmap support (issue 5)
 * and fail with exit status 1 until it lands.
 */
#include "main.h"

static const char policy_help[] =
	"Usage: " PROG " policy load OBJ [pin DIR]\n"
	"       " PROG " policy attach\n"
	"       " PROG " policy detach\n"
	"       " PROG " policy show\n"
	"       " PROG " policy cgroup CGROUP\n"
	"       " PROG " policy help\n"
	"\n"
	"  Not available yet: SK_MSG policy on kTLS plaintext needs the ktls\n"
	"  module's sockmap support (issue 5).  Every command exits with 1.\n";

static int policy_unavailable(int argc, char **argv)
{
	if (wants_help(argc, argv))
		return p_help(policy_help);
	return p_err("policy: not available yet (issue 5: SK_MSG policy needs the ktls module's sockmap support)");
}

static int policy_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(policy_help);
}

static const struct cmd policy_cmds[] = {
	{ "load", policy_unavailable },
	{ "attach", policy_unavailable },
	{ "detach", policy_unavailable },
	{ "show", policy_unavailable },
	{ "cgroup", policy_unavailable },
	{ "help", policy_help_cmd },
	{ NULL, NULL },
};

int do_policy(int argc, char **argv)
{
	return cmd_dispatch("policy", policy_cmds, argc, argv);
}
