# SPDX-License-Identifier: GPL-2.0
# register_tls=1: the ULP name "tls", and the in-tree tls.ko kept from
# corrupting the kernel's ULP list.
# ulps_are "A B": the TLS-related ULP names registered, in order, are exactly these.
ulps_are() {
	got=$(tr ' ' '\n' </proc/sys/net/ipv4/tcp_available_ulp | grep -x -e tls -e ktls | xargs)
	[ "$got" = "$1" ] || { echo "registered: $(cat /proc/sys/net/ipv4/tcp_available_ulp)"; return 1; }
}
loaded() { grep -q "^$1 " /proc/modules; }
klog_has() { dmesg | grep -qF "$1"; }

# tls.ko absent: we hold both names ("tls" is registered first, see main.c).
expect_fail tls-name.intree-absent loaded tls
expect tls-name.load insmod /t/ktls.ko register_tls=1
expect tls-name.both-listed ulps_are "tls ktls"
run_prog tls-name /t/bin/ulp_basic attach tls

# tls.ko after ours: refused, so its removal can do no harm.
expect_fail tls-name.intree-refused modprobe tls
expect tls-name.refusal-logged klog_has 'refusing to load tls.ko'
expect_fail tls-name.intree-not-loaded loaded tls
expect_fail tls-name.intree-rmmod rmmod tls
expect tls-name.list-intact ulps_are "tls ktls"
expect tls-name.unload rmmod ktls
expect tls-name.names-gone ulps_are ""

# tls.ko first: our load fails cleanly and leaves nothing behind.
expect tls-name.intree-load modprobe tls
expect_fail tls-name.taken-load-fails insmod /t/ktls.ko register_tls=1
expect tls-name.taken-logged klog_has 'the TCP ULP name "tls" is already taken'
expect_fail tls-name.taken-not-loaded loaded ktls
expect tls-name.taken-list ulps_are "tls"
run_prog tls-name.intree /t/bin/ulp_basic attach tls
expect tls-name.intree-unload rmmod tls

# Default parameters: both modules coexist under their own names.
expect tls-name.coexist-ktls insmod /t/ktls.ko
expect tls-name.coexist-intree modprobe tls
expect tls-name.coexist-list ulps_are "ktls tls"
expect tls-name.coexist-unload-intree rmmod tls
expect tls-name.coexist-unload-ktls rmmod ktls
