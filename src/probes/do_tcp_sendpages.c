// SPDX-License-Identifier: GPL-2.0
/* do_tcp_sendpages() exists: hand pages to TCP without a copy (until 6.4). */
#include <net/tcp.h>

static __used ssize_t f(struct sock *sk, struct page *page)
{
	return do_tcp_sendpages(sk, page, 0, 1, 0);
}
