// SPDX-License-Identifier: GPL-2.0
/* struct proto has .splice_eof: splice tells the protocol no more data comes. */
#include <net/sock.h>

static struct proto p __used = { .splice_eof = NULL };
