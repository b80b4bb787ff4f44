// SPDX-License-Identifier: GPL-2.0
/* struct proto still has .sendpage (removed in 6.5): sendfile must be hooked there. */
#include <net/sock.h>

static struct proto p __used = { .sendpage = NULL };
