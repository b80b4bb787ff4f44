// SPDX-License-Identifier: GPL-2.0
/* iov_iter_extract_pages() exists (6.3+; older kernels: iov_iter_get_pages2). */
#include <linux/uio.h>

static __used ssize_t f(struct iov_iter *i, struct page ***pages, size_t *off)
{
	return iov_iter_extract_pages(i, pages, 4096, 1, 0, off);
}
