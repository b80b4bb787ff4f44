# SPDX-License-Identifier: GPL-2.0
# Hostile input: a raw TCP peer writes hand-made and mutated records to a
# ktls receiver (tests/guest/progs/tls_badinput.c); exact errnos, no hangs.
# Valid ciphertext is made by the in-tree tls.ko, so the ktls receiver is
# judged against records it did not produce.  The in-tree receiver runs the
# same cases as a reference, reported as INFO only.

load_aeads badinput

expect badinput.load insmod /t/ktls.ko
expect badinput.load-intree modprobe tls
PROG_TIMEOUT=180 run_prog badinput /t/bin/tls_badinput ktls tls

out=$(timeout 180 /t/bin/tls_badinput tls 2>&1)
info "badinput: in-tree tls.ko as receiver: $(echo "$out" | grep -c '^PASS') passed," \
	"$(echo "$out" | grep -c '^FAIL') failed, $(echo "$out" | grep -c '^SKIP') skipped"
echo "$out" | grep -E '^(FAIL|SKIP)' | head -n 20 | while read -r line; do
	info "badinput: in-tree: $line"
done

expect badinput.unload-intree unload tls
expect badinput.unload unload ktls
