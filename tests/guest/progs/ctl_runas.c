// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_runas UID CMD [ARGS...]: run CMD as user and group UID with no
 * supplementary groups and no capabilities (busybox has no su/setpriv
 * that works without /etc/passwd).
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long id;
	char *end;

	if (argc < 3) {
		fprintf(stderr, "usage: %s UID CMD [ARGS...]\n", argv[0]);
		return 2;
	}
	id = strtoul(argv[1], &end, 10);
	if (*end || !id) {
		fprintf(stderr, "%s: bad uid '%s'\n", argv[0], argv[1]);
		return 2;
	}
	if (setgroups(0, NULL) || setgid(id) || setuid(id)) {
		perror("ctl_runas: dropping privileges");
		return 125;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
