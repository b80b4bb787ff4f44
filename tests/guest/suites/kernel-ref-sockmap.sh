# SPDX-License-Identifier: GPL-2.0
# The kernel's own reference, never part of the guest suites (tests/check.sh
# runs it on its own and reports what happened as INFO): a plain TCP
# socket's stream verdict redirects into the receive queue of another plain
# TCP socket that is receiving too, no ktls involved
# (tests/guest/progs/policy_race.c, plain-skb-ingress).  sockmap's worker
# charges the target's memory without its lock; on Debian's 6.1 and 6.12
# the kernel warns in inet_sock_destruct() and, with panic_on_warn, the
# guest dies.  ktls does not take that path (docs/policy.md).
expect kref.load insmod /t/ktls.ko
PROG_TIMEOUT=900 run_prog kref /t/bin/policy_race -n "${KREF_ITERS:-10000}" plain-skb-ingress
result FAIL kref.survived "the kernel did not warn"
