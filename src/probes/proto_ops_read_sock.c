// SPDX-License-Identifier: GPL-2.0
/* struct proto_ops has .read_sock, used by splice and sockmap readers. */
#include <linux/net.h>

static const struct proto_ops o __used = { .read_sock = NULL };
