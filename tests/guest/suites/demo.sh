# SPDX-License-Identifier: GPL-2.0
# The demo (make demo): narrated, not part of make check's suite list.
info "Guest kernel: $(uname -r), a stock Debian cloud kernel."
info "Loading ktls.ko, the out-of-tree kernel TLS module ..."
if insmod /t/ktls.ko; then
	info "  loaded: $(grep '^ktls ' /proc/modules | cut -d' ' -f1-3)"
	result PASS demo.load
else
	result FAIL demo.load "insmod failed"
	return 0
fi
info "TCP upper layer protocols the kernel now offers: $(cat /proc/sys/net/ipv4/tcp_available_ulp)"
info "Opening a TCP connection over loopback and attaching \"ktls\" to it ..."
out=$(/t/bin/ulp_basic attach ktls 2>&1)
if echo "$out" | grep -q '^PASS ktls.ipv4.getsockopt'; then
	info "  setsockopt(TCP_ULP, \"ktls\") succeeded; getsockopt(TCP_ULP) says \"ktls\""
	result PASS demo.attach
else
	result FAIL demo.attach "$(echo "$out" | grep FAIL | head -n 3 | tr '\n' ' ')"
fi
info "While a socket uses ktls the module is pinned: rmmod refuses, then works after close."
run_prog demo.hold /t/bin/ulp_basic hold ktls
info "Unloaded; the kernel log stayed clean (checked by the harness)."
