// SPDX-License-Identifier: GPL-2.0
/* struct proto.ioctl returns its result through an int pointer (6.4+). */
#include <net/sock.h>

static int ioc(struct sock *sk, int cmd, int *karg)
{
	return 0;
}

static struct proto p __used = { .ioctl = ioc };
