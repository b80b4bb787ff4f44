# SPDX-License-Identifier: GPL-2.0
# Benchmark (make bench, not make check): throughput of ktls, the in-tree
# tls.ko and plain TCP, and kernel memory per connected kTLS socket pair
# (tests/guest/progs/tls_bench.c).  Figures come out as INFO lines
# "bench tp ..." and "bench mem ..."; tests/bench.sh tabulates them.

load_aeads bench

expect bench.load insmod /t/ktls.ko
expect bench.load-intree modprobe tls
info "bench: $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, gcm(aes) by" \
	"$(grep -A2 '^name *: gcm(aes)$' /proc/crypto | sed -n 's/^driver *: //p' | head -n 1)"
out=/tmp/bench.out
# Under the instruction clock (kt_icount=1) sampling the CPUs would only add
# its own instructions: the CPU table comes from the wall-clock run.
cpu=-c
grep -qw kt_icount=1 /proc/cmdline && cpu=
timeout 1500 /t/bin/tls_bench $cpu -P /t/bin/bench_pass.bpf.o ktls tls >"$out" 2>&1
rc=$?
n=0
while read -r st name reason; do
	case $st in
	INFO) info "$name $reason" ;;
	PASS | FAIL | SKIP)
		result "$st" "$name" "$reason"
		n=$((n + 1))
		;;
	*) log "  $st $name $reason" ;;
	esac
done <"$out"
[ $n -gt 0 ] || result FAIL bench.ran "tls_bench reported nothing (exit $rc): $(tail -n 3 "$out" | tr '\n' ' ')"
[ $rc -eq 0 ] || [ $n -eq 0 ] || info "bench: tls_bench exited with $rc"
expect bench.unload-intree unload tls
expect bench.unload unload ktls
