// SPDX-License-Identifier: GPL-2.0
/* struct proto_ops has .sendpage_locked (removed in 6.5). */
#include <linux/net.h>

static const struct proto_ops o __used = { .sendpage_locked = NULL };
