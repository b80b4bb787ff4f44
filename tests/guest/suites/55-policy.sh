# SPDX-License-Identifier: GPL-2.0
# BPF policy on ktls sockets (issue 5, docs/policy.md): SK_MSG verdicts
# and helpers on TX plaintext (tests/guest/progs/policy_tx.c), stream
# verdicts on decrypted RX records (policy_rx.c), attach order, the
# policy counters, and the in-tree tls.ko refusing the same setup.  The
# BPF programs are tests/guest/bpf/policy.bpf.o; the peers that check the
# bytes use the in-tree tls.ko.  TLS 1.2 and 1.3 with AES-GCM-128, and
# TLS 1.3 with ChaCha20-Poly1305.
stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/ktls_stat; }
stat_is() { [ "$(stat "$1")" = "$2" ] || { echo "$1 = $(stat "$1"), want $2"; return 1; }; }

load_aeads policy

expect policy.load insmod /t/ktls.ko
expect policy.load-intree modprobe tls
for combo in "12 aes_gcm_128" "13 aes_gcm_128" "13 chacha20_poly1305"; do
	# shellcheck disable=SC2086 # version and cipher are two arguments
	PROG_TIMEOUT=240 run_prog policy.tx /t/bin/policy_tx $combo
	# shellcheck disable=SC2086
	PROG_TIMEOUT=120 run_prog policy.rx /t/bin/policy_rx $combo
done
# Every socket of the cases is closed: no context may be left behind.
sleep 1
expect policy.live-contexts-zero stat_is KtlsLiveContexts 0
expect policy.live-records-zero stat_is KtlsLiveRxRecords 0
expect policy.unload-intree unload tls
expect policy.unload unload ktls
