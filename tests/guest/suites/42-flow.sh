# SPDX-License-Identifier: GPL-2.0
# Flow control under small receive buffers (tests/guest/progs/tls_flow.c):
# record streams through a ktls receiver must neither stall nor leave the
# writer probing a closed window.  Records are sealed by the in-tree tls.ko;
# the in-tree receiver runs the same cases as a reference, reported as INFO.

load_aeads flow

expect flow.load insmod /t/ktls.ko
expect flow.load-intree modprobe tls
PROG_TIMEOUT=600 run_prog flow /t/bin/tls_flow ktls tls

out=$(timeout 600 /t/bin/tls_flow tls 2>&1)
info "flow: in-tree tls.ko as receiver: $(echo "$out" | grep -c '^PASS') passed," \
	"$(echo "$out" | grep -c '^FAIL') failed"
echo "$out" | grep -E '^FAIL' | head -n 20 | while read -r line; do
	info "flow: in-tree: $line"
done

expect flow.unload-intree unload tls
expect flow.unload unload ktls
