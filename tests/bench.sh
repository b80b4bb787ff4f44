#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh (make bench): throughput and memory of ktls against the in-tree
# tls.ko and plain TCP, one QEMU guest per Debian kernel (guest suite
# tests/guest/suites/bench.sh, program tests/guest/progs/tls_bench.c),
# then one table.  Not part of make check.
#
# The guests run under TCG (no KVM on the CI machines), twice per kernel:
#  - with the instruction clock (QEMU -icount, one vCPU, tests/qemu/boot.sh):
#    the guest's time is its instructions, 1 ns each, so MB/s measure the
#    work done and repeat to within 1% whatever the host is doing;
#  - with the wall clock (MTTCG): MB/s of an emulated CPU, which move with
#    the host's load (the emulated AES-NI dominates), plus a CPU profile.
# The ratios ktls/tls and ktls/plain are the figures to compare.
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
	for clock in icount wall; do
		t0=$(date +%s)
		echo "== bench on $k, $clock clock (a few minutes under TCG)"
		KTLS_QEMU_ICOUNT=$([ $clock = icount ] && echo 1 || echo 0) \
			tests/qemu/boot.sh "$k" "$ko" bench "$out/guest-$s-$clock" 1800 |
			tee "$out/$s-$clock.txt" |
			grep -E '^(FAIL|SKIP) |^INFO .*bench: ' | cut -c1-200
		[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
		echo "== bench on $s, $clock clock: $(($(date +%s) - t0)) s"
	done
done

# Table from the lines "INFO <series>: bench tp <ver> <mode> a=.. b=.. plain=.. a/b=.. a/plain=.."
# "INFO <series>: bench cpu <ver> <mode> ktls=other/cipher tls=.. ktls/tls=..",
# and "INFO <series>: bench mem <impl> slab=.. sunreclaim=.. memfree=..".
# The instruction-clock run's tp/pol lines become itp/ipol; its memory and
# the wall-clock run's CPU profile are the ones tabulated.
for k in "${KERNELS[@]}"; do
	s=$(echo "$k" | cut -d. -f1-2)
	[ -f "$out/$s-icount.txt" ] &&
		sed -e 's/ bench tp / bench itp /' -e 's/ bench pol / bench ipol /' \
			-e '/ bench cpu /d' "$out/$s-icount.txt"
	[ -f "$out/$s-wall.txt" ] && sed '/ bench mem /d' "$out/$s-wall.txt"
done | awk '
function val(k,   i, kv) {
	for (i = 1; i <= NF; i++)
		if (index($i, k "=") == 1)
			return substr($i, length(k) + 2);
	return "-";
}
$1 == "INFO" && $3 == "bench" && ($4 == "tp" || $4 == "itp") {
	line = sprintf("%-6s %-4s %-10s %8s %8s %8s %9s %10s", substr($2, 1, length($2) - 1),
		substr($5, 1, 1) "." substr($5, 2), $6, val("ktls"), val("tls"),
		val("plain"), val("ktls/tls"), val("ktls/plain"));
	if ($4 == "itp")
		itp[++ni] = line;
	else
		tp[++nt] = line;
}
$1 == "INFO" && $3 == "bench" && ($4 == "pol" || $4 == "ipol") {
	line = sprintf("%-6s %-4s %-10s %8s %10s %9s", substr($2, 1, length($2) - 1),
		substr($5, 1, 1) "." substr($5, 2), $6, val("ktls"), val("ktls+pol"),
		val("pol/none"));
	if ($4 == "ipol")
		ipol[++nip] = line;
	else
		pol[++np] = line;
}
$1 == "INFO" && $3 == "bench" && $4 == "cpu" {
	cpu[++nc] = sprintf("%-6s %-4s %-10s %10s %10s %9s %10s %9s", substr($2, 1, length($2) - 1),
		substr($5, 1, 1) "." substr($5, 2), $6, val("ktls"), val("tls"),
		val("ktls/tls"), val("ktls+pol"), val("pol/none"));
}
$1 == "INFO" && $3 == "bench" && $4 == "mem" {
	mem[++nm] = sprintf("%-6s %-6s %12s %16s %14s", substr($2, 1, length($2) - 1),
		$5, val("slab"), val("sunreclaim"), val("memfree"));
}
function table(title, rows, n,   i) {
	print "";
	print title;
	printf "%-6s %-4s %-10s %8s %8s %8s %9s %10s\n", "kernel", "TLS", "mode",
		"ktls", "tls", "plain", "ktls/tls", "ktls/plain";
	for (i = 1; i <= n; i++)
		print rows[i];
	if (!n)
		print "  (no results)";
}
function poltable(title, rows, n,   i) {
	print "";
	print title;
	printf "%-6s %-4s %-10s %8s %10s %9s\n", "kernel", "TLS", "mode", "ktls",
		"ktls+pol", "pol/none";
	for (i = 1; i <= n; i++)
		print rows[i];
	if (!n)
		print "  (no results)";
}
END {
	table("Throughput, MB/s of plaintext, instruction clock (1 ns per guest instruction;" \
		" TLS 1.2/1.3 AES-GCM-128, loopback):", itp, ni);
	table("Throughput, MB/s of plaintext, wall clock (QEMU TCG, moves with the host'"'"'s load):",
		tp, nt);
	poltable("Cost of a pass-all BPF policy (SK_MSG on TX, stream verdict on RX), MB/s," \
		" instruction clock:", ipol, nip);
	poltable("The same, wall clock:", pol, np);
	print "";
	print "CPU time per MiB (wall-clock run), other/cipher: samples (2 kHz, all runs) outside the cipher";
	print "and idle / in the cipher; ratios of \"other\", the datapath around the AEAD:";
	printf "%-6s %-4s %-10s %10s %10s %9s %10s %9s\n", "kernel", "TLS", "mode", "ktls",
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
