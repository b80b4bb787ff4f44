# SPDX-License-Identifier: GPL-2.0
# Sealing a TX record when memory runs out, with and without an SK_MSG
# policy (the nomem- cases of tests/guest/progs/policy_tx.c).  It loads
# ktls_fault.ko, ktls built with its fault-injection points (src/fault.c,
# tests/modules/build.sh), not the module under test: the Debian kernels
# have no fault injection of their own.
stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/ktls_stat; }
stat_is() { [ "$(stat "$1")" = "$2" ] || { echo "$1 = $(stat "$1"), want $2"; return 1; }; }

load_aeads nomem

expect nomem.load insmod /t/modules/ktls_fault.ko
expect nomem.load-intree modprobe tls
for combo in "12 aes_gcm_128" "13 aes_gcm_128"; do
	# shellcheck disable=SC2086 # version and cipher are two arguments
	POLICY_NOMEM=1 PROG_TIMEOUT=120 run_prog nomem /t/bin/policy_tx $combo
done
# Every socket of the cases is closed: no context may be left behind.
sleep 1
expect nomem.live-contexts-zero stat_is KtlsLiveContexts 0
expect nomem.unload-intree unload tls
expect nomem.unload unload ktls
