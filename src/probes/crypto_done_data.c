// SPDX-License-Identifier: GPL-2.0
/* Crypto completion callbacks take the request's data pointer (6.3+). */
#include <linux/crypto.h>

static void done(void *data, int err)
{
}

static crypto_completion_t f __used = done;
