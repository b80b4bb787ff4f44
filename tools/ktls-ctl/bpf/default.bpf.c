// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl's default policy: pass everything, and count per socket the
 * messages (one per record closed on a kTLS socket) and bytes the SK_MSG
 * program saw.  Embedded in ktls-ctl (bpftool gen skeleton); loaded with
 * "ktls-ctl policy load default", counters shown by "ktls-ctl policy show".
 */
#include "common.bpf.h"

SEC("sk_msg")
int ktls_count(struct sk_msg_md *msg)
{
	ktls_account(msg, SK_PASS);
	return SK_PASS;
}
