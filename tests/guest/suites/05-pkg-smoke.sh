# SPDX-License-Identifier: GPL-2.0
# Smoke test of the module as a package installs it: tests/packaging.sh
# boots the DKMS-built ktls.ko of the installed ktls-dkms .deb with this
# suite alone.  Quick, so the main guest run includes it too.
# The version: the guest checks the loaded module reports the one in its
# file, the host (tests/packaging.sh) that the file's is VERSION.
expect pkg-smoke.load insmod /t/ktls.ko
ver=$(cat /sys/module/ktls/version 2>/dev/null)
info "pkg-smoke.version $ver"
expect pkg-smoke.version-set test -n "$ver"
expect pkg-smoke.version-matches-file test "$ver" = "$(modinfo -F version /t/ktls.ko)"
expect pkg-smoke.ulp-listed grep -qw ktls /proc/sys/net/ipv4/tcp_available_ulp
run_prog pkg-smoke /t/bin/ulp_basic attach ktls
# The attach test's sockets are closed; their release can trail by a moment.
unload() {
	for _ in 1 2 3 4 5; do
		rmmod ktls 2>/dev/null && return 0
		sleep 1
	done
	rmmod ktls
}
expect pkg-smoke.unload unload
expect_fail pkg-smoke.unloaded grep -q '^ktls ' /proc/modules
