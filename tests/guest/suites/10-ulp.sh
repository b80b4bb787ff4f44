# SPDX-License-Identifier: GPL-2.0
# The ULP "ktls": registration, attach rules, the module reference held by
# sockets, IPv4 and IPv6.
expect ulp.load insmod /t/ktls.ko
expect ulp.listed grep -qw ktls /proc/sys/net/ipv4/tcp_available_ulp
expect_fail ulp.tls-not-listed grep -qw tls /proc/sys/net/ipv4/tcp_available_ulp
run_prog ulp /t/bin/ulp_basic attach ktls
# Unloads the module itself once the socket is closed.
run_prog ulp.hold /t/bin/ulp_basic hold ktls
expect_fail ulp.unloaded grep -q '^ktls ' /proc/modules
expect_fail ulp.unregistered grep -qw ktls /proc/sys/net/ipv4/tcp_available_ulp
# frag_shelf (src/frag.c) takes 0 to 64 fragments per CPU; more is refused
# with a log line, and nothing stays loaded.
expect_fail ulp.frag-shelf-range insmod /t/ktls.ko frag_shelf=65
expect ulp.frag-shelf-range-log sh -c 'dmesg | grep -q "ktls: frag_shelf=65: at most 64"'
expect_fail ulp.frag-shelf-range-unloaded grep -q '^ktls ' /proc/modules
