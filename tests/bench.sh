#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh (make bench): throughput and memory of ktls against the in-tree
# tls.ko and plain TCP, one QEMU guest per Debian kernel (guest suite
# tests/guest/suites/bench.sh, program tests/guest/progs/tls_bench.c),
# then one table.  Not part of make check.
#
# The guests run under TCG (no KVM on the CI machines): absolute MB/s are
# those of an emulated CPU and move with the host's load; the ratios
# ktls/tls and ktls/plain are the figures to compare.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/build/bench
mkdir -p "$out"
mapfile -t KERNELS < <(tests/kernels.sh)
[ ${#KERNELS[@]} -gt 0 ] || exit 1

if ! { make --no-print-directory -C tests/guest/progs &&
	make --no-print-directory -C tests/guest/bpf; } >"$out/progs.log" 2>&1; then
	echo "bench: building the guest programs failed: $(tail -n 3 "$out/progs.log")" >&2
	exit 1
fi

rc=0
for k in "${KERNELS[@]}"; do
	s=$(echo "$k" | cut -d. -f1-2)
	ko=build/$k/ktls.ko
	if [ ! -s "$ko" ] && ! make --no-print-directory KVER="$k" >"$out/build-$s.log" 2>&1; then
		echo "FAIL $s:bench.build $(tail -n 3 "$out/build-$s.log" | tr '\n' ' ')"
		rc=1
		continue
	fi
	t0=$(date +%s)
	echo "== bench on $k (a few minutes under TCG)"
	tests/qemu/boot.sh "$k" "$ko" bench "$out/guest-$s" 1800 | tee "$out/$s.txt" |
		grep -E '^(FAIL|SKIP) |^INFO .*bench: ' | cut -c1-200
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	echo "== bench on $s: $(($(date +%s) - t0)) s"
done

# Table from the lines "INFO <series>: bench tp <ver> <mode> a=.. b=.. plain=.. a/b=.. a/plain=.."
# "INFO <series>: bench cpu <ver> <mode> ktls=other/cipher tls=.. ktls/tls=..",
# and "INFO <series>: bench mem <impl> slab=.. sunreclaim=.. memfree=..".
echo
echo "Throughput, MB/s of plaintext (TLS 1.2/1.3 AES-GCM-128, loopback, QEMU TCG):"
for k in "${KERNELS[@]}"; do
	s=$(echo "$k" | cut -d. -f1-2)
	[ -f "$out/$s.txt" ] && cat "$out/$s.txt"
done | awk '
function val(k,   i, kv) {
	for (i = 1; i <= NF; i++)
		if (index($i, k "=") == 1)
			return substr($i, length(k) + 2);
	return "-";
}
$1 == "INFO" && $3 == "bench" && $4 == "tp" {
	if (!hdr++)
		printf "%-6s %-4s %-9s %8s %8s %8s %9s %10s\n", "kernel", "TLS",
			"mode", "ktls", "tls", "plain", "ktls/tls", "ktls/plain";
	printf "%-6s %-4s %-9s %8s %8s %8s %9s %10s\n", substr($2, 1, length($2) - 1),
		substr($5, 1, 1) "." substr($5, 2), $6, val("ktls"), val("tls"),
		val("plain"), val("ktls/tls"), val("ktls/plain");
}
$1 == "INFO" && $3 == "bench" && $4 == "pol" {
	pol[++np] = sprintf("%-6s %-4s %-9s %8s %10s %9s", substr($2, 1, length($2) - 1),
		substr($5, 1, 1) "." substr($5, 2), $6, val("ktls"), val("ktls+pol"),
		val("pol/none"));
}
$1 == "INFO" && $3 == "bench" && $4 == "cpu" {
	cpu[++nc] = sprintf("%-6s %-4s %-9s %10s %10s %9s %10s %9s", substr($2, 1, length($2) - 1),
		substr($5, 1, 1) "." substr($5, 2), $6, val("ktls"), val("tls"),
		val("ktls/tls"), val("ktls+pol"), val("pol/none"));
}
$1 == "INFO" && $3 == "bench" && $4 == "mem" {
	mem[++nm] = sprintf("%-6s %-6s %12s %16s %14s", substr($2, 1, length($2) - 1),
		$5, val("slab"), val("sunreclaim"), val("memfree"));
}
END {
	if (!hdr)
		print "  (no results)";
	print "";
	print "Cost of a pass-all BPF policy (SK_MSG on TX, stream verdict on RX), MB/s:";
	printf "%-6s %-4s %-9s %8s %10s %9s\n", "kernel", "TLS", "mode", "ktls",
		"ktls+pol", "pol/none";
	for (i = 1; i <= np; i++)
		print pol[i];
	if (!np)
		print "  (no results)";
	print "";
	print "CPU time per MiB, other/cipher: samples (2 kHz, all runs) outside the cipher";
	print "and idle / in the cipher; ratios of \"other\", the datapath around the AEAD:";
	printf "%-6s %-4s %-9s %10s %10s %9s %10s %9s\n", "kernel", "TLS", "mode", "ktls",
		"tls", "ktls/tls", "ktls+pol", "pol/none";
	for (i = 1; i <= nc; i++)
		print cpu[i];
	if (!nc)
		print "  (no results)";
	print "";
	print "Kernel memory per connected pair (both ends TX+RX keys, 1000 pairs), bytes:";
	printf "%-6s %-6s %12s %16s %14s\n", "kernel", "impl", "Slab", "SUnreclaim",
		"MemFree drop";
	for (i = 1; i <= nm; i++)
		print mem[i];
	if (!nm)
		print "  (no results)";
}'
exit $rc
