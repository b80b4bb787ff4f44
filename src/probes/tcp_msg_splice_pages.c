// SPDX-License-Identifier: GPL-2.0
/*
 * TCP takes page references from a bvec iterator with MSG_SPLICE_PAGES
 * (6.5+).  Debian 6.1 defines the flag but its TCP ignores it, so probe for
 * the helper TCP uses to do it.
 */
#include <linux/skbuff.h>
#include <linux/socket.h>

static __used ssize_t f(struct sk_buff *skb, struct iov_iter *iter)
{
	return skb_splice_from_iter(skb, iter, 1, 1) + MSG_SPLICE_PAGES;
}
