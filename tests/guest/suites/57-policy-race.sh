# SPDX-License-Identifier: GPL-2.0
# Lifetime races of ktls sockets in a sockmap (issue 5): map delete, close,
# shutdown, rekey and redirect-target teardown against send, sendfile and
# recv on two CPUs, and stream-verdict ingress redirects into a ktls socket
# that receives its own records, RACE_ITERS (10000) iterations each
# (tests/guest/progs/policy_race.c).  Every iteration checks the bytes the
# peer got; the kernel log is checked for WARN/Oops/lockdep/leaks after the
# suite, and no context or record may be left.
stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/ktls_stat; }
stat_is() { [ "$(stat "$1")" = "$2" ] || { echo "$1 = $(stat "$1"), want $2"; return 1; }; }

load_aeads race

expect race.load insmod /t/ktls.ko
PROG_TIMEOUT=${RACE_TIMEOUT:-2400} run_prog policy /t/bin/policy_race -n "${RACE_ITERS:-10000}"
sleep 1
expect race.live-contexts-zero stat_is KtlsLiveContexts 0
expect race.live-records-zero stat_is KtlsLiveRxRecords 0
expect race.unload unload ktls
