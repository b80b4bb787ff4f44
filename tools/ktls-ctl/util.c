// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl: command words, numbers and small procfs/sysfs readers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"

#define MAX_WORDS 32

static bool is_prefix(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n && n <= strlen(word) && !strncmp(arg, word, n);
}

int word_match(const char *arg, const char *const *words)
{
	int i, found = -1;

	for (i = 0; words[i]; i++)
		if (!strcmp(arg, words[i]))
			return i;
	for (i = 0; words[i]; i++) {
		if (!is_prefix(arg, words[i]))
			continue;
		if (found >= 0)
			return -2;
		found = i;
	}
	return found;
}

bool wants_help(int argc, char **argv)
{
	if (argc < 1)
		return false;
	return (is_prefix(argv[0], "help") && strlen(argv[0]) >= 2) ||
	       !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help");
}

int cmd_dispatch(const char *obj, const struct cmd *cmds, int argc,
		 char **argv)
{
	const char *words[MAX_WORDS + 1];
	char hint[64], cand[256] = "";
	int i, n;

	for (n = 0; n < MAX_WORDS && cmds[n].name; n++)
		words[n] = cmds[n].name;
	words[n] = NULL;
	snprintf(hint, sizeof(hint), "see '%s%s%s help'", PROG,
		 obj ? " " : "", obj ? obj : "");

	if (argc < 1)
		return p_usage("missing %s (%s)", obj ? "command" : "object",
			       hint);
	i = word_match(argv[0], words);
	if (i == -1)
		return p_usage("unknown %s '%s' (%s)",
			       obj ? "command" : "object", argv[0], hint);
	if (i == -2) {
		for (n = 0; words[n]; n++) {
			if (!is_prefix(argv[0], words[n]))
				continue;
			if (cand[0])
				strncat(cand, ", ", sizeof(cand) - strlen(cand) - 1);
			strncat(cand, words[n], sizeof(cand) - strlen(cand) - 1);
		}
		return p_usage("ambiguous %s '%s': %s", obj ? "command" : "object",
			       argv[0], cand);
	}
	return cmds[i].fn(argc - 1, argv + 1);
}

bool parse_ulong(const char *s, unsigned long min, unsigned long max,
		 unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;
	int fd, err = 0;

	if (!len)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got < len - 1) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (err)
		return err;
	buf[got] = '\0';
	while (got && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		buf[--got] = '\0';
	return got;
}

bool module_loaded(const char *name, unsigned long *refcnt, char *state,
		   size_t state_len)
{
	char line[512], mod[64], st[32];
	unsigned long size, refs;
	bool found = false;
	FILE *f;

	f = fopen("/proc/modules", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		/* name size refcount deps state address */
		if (sscanf(line, "%63s %lu %lu %*s %31s", mod, &size, &refs,
			   st) != 4 || strcmp(mod, name))
			continue;
		found = true;
		if (refcnt)
			*refcnt = refs;
		if (state)
			snprintf(state, state_len, "%s", st);
		break;
	}
	fclose(f);
	return found;
}

bool ulp_registered(const char *name)
{
	char buf[512], *tok, *save = NULL;

	if (read_text("/proc/sys/net/ipv4/tcp_available_ulp", buf,
		      sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}
