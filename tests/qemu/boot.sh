#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh KVER KO SUITES OUTDIR [TIMEOUT]: boot Debian's kernel KVER under
# QEMU (TCG) with ktls module KO, run the comma-separated guest SUITES and
# print one line per result, "PASS|FAIL|SKIP <series>:<name> [reason]",
# plus "INFO ..." lines.  Besides the suites' own results it adds:
#   boot.complete    the guest reached the end (no panic, no time-out)
#   boot.kernel-log  the console shows no WARN/BUG/Oops/lockdep/leak report
#   boot.taint       no taint flag other than O (out of tree), E (unsigned)
# Exit status: 0 if nothing failed.
set -uo pipefail

kver=$1 ko=$2 suites=$3 outdir=$4 cap=${5:-1200}
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$outdir"
initrd=$outdir/initrd.gz
console=$outdir/console.log
res=$outdir/results.txt
series=$(echo "$kver" | cut -d. -f1-2)

if ! "$top/tests/qemu/mkinitramfs.sh" "$kver" "$ko" "$initrd" >"$outdir/mkinitramfs.log" 2>&1; then
	echo "FAIL $series:boot.initramfs $(tail -n 3 "$outdir/mkinitramfs.log" | tr '\n' ' ')"
	exit 1
fi

# KTLS_QEMU_ICOUNT=1 (make bench): the guest's clock counts its instructions,
# 1 ns each, so a timing is the work done whatever else the host is doing
# (the guest sees kt_icount=1).  One vCPU: Debian's 6.1 hangs bringing up
# a second one under -icount.
accel=(-accel tcg,thread=multi) icount= smp=2
if [ "${KTLS_QEMU_ICOUNT:-0}" = 1 ]; then
	accel=(-accel tcg,thread=single -icount shift=0,sleep=off,align=off)
	smp=1
	icount=" kt_icount=1"
fi
# A kernel that dies before it starts /init has run none of our code (the
# suites load the module): a fault of the emulation (seen once: an int3
# Oops in sched_clock_cpu while 6.12 patched its text), booted once more.
# The same fault later in a run is booted once more too, but only with
# its exact signature: an int3 trap at the first byte of a 5-byte NOP
# that the kernel's text patching had already put back (the Oops's Code:
# line shows 0f <1f> 44 00 00: the CPU ran a stale translation of the
# patched text, which real hardware cannot), and no ktls frame anywhere.
emu_fault() {
	grep -aq 'Oops: int3' "$console" &&
		grep -a 'Code:' "$console" | grep -q '0f <1f> 44 00 00' &&
		! grep -aq '\[ktls\]' "$console"
}
# The guest's kernel has started /init (our code runs only from there on).
at_init() { grep -aq 'Run /init as init process' "$console"; }
boot_limit=${KTLS_BOOT_LIMIT:-300}
for attempt in 1 2; do
	: >"$console"
	: >"$res"
	timeout -k 10 "$cap" qemu-system-x86_64 \
		"${accel[@]}" -cpu max -m 2G -smp $smp \
		-nodefaults -display none -no-reboot \
		-kernel "/boot/vmlinuz-$kver" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=7 panic=-1 panic_on_warn=1 oops=panic kt_suites=$suites$icount" \
		-serial "file:$console" -serial "file:$res" \
		>"$outdir/qemu.log" 2>&1 &
	qpid=$!
	# Seen once on 6.1: the emulated kernel stalled a second into its boot,
	# before /init (so before any of our code), and would have sat there
	# until the cap.  A guest not at /init after boot_limit s is stopped.
	stalled=0
	for ((w = 0; w < boot_limit; w++)); do
		at_init && break
		kill -0 $qpid 2>/dev/null || break
		sleep 1
	done
	if ! at_init && kill -0 $qpid 2>/dev/null; then
		stalled=1
		kill $qpid # timeout passes it on to QEMU
	fi
	wait $qpid
	qrc=$?
	[ $attempt = 2 ] && break
	if ! at_init; then
		echo "INFO $series: boot: the kernel $([ $stalled = 1 ] && echo "stalled for ${boot_limit}s" || echo stopped) before /init (qemu exit $qrc): $(grep -a -m 3 -E 'Oops|BUG:|Kernel panic' "$console" | tr -d '\r' | tr '\n' ' '); booting again"
	elif emu_fault; then
		echo "INFO $series: boot: emulation fault (stale int3 at a patched NOP) after $(grep -ac '^RESULT' "$res") results: $(grep -a -m 2 -E 'Oops: int3|RIP: 0010' "$console" | tr -d '\r' | tr '\n' ' '); the whole guest runs again"
		cp "$console" "$outdir/console.emu-fault.log"
	else
		break
	fi
done

tr -d '\r' <"$res" >"$res.clean"
tr -d '\r' <"$console" >"$console.clean"
failed=0

while read -r tag st name reason; do
	case $tag in
	RESULT)
		echo "$st $series:$name${reason:+ $reason}"
		[ "$st" = FAIL ] && failed=1
		;;
	INFO) echo "INFO $series: $st $name $reason" ;;
	esac
done <"$res.clean"

if grep -qx END "$res.clean"; then
	echo "PASS $series:boot.complete"
else
	why="qemu exit $qrc"
	[ $qrc -eq 124 ] && why="timed out after ${cap}s"
	[ $stalled = 1 ] && why="stalled before /init for ${boot_limit}s, twice"
	echo "FAIL $series:boot.complete guest did not finish ($why); console tail: $(tail -n 5 "$console.clean" | tr '\n' ' ')"
	failed=1
fi

# Same patterns as the guest's per-suite check (tests/guest/lib.sh).
pat=$(sed -n "s/^KLOG_BAD='\(.*\)'$/\1/p" "$top/tests/guest/lib.sh")
bad=$(grep -E "$pat" "$console.clean" | head -n 5 | tr '\n' ' ')
if [ -n "$bad" ]; then
	echo "FAIL $series:boot.kernel-log $bad"
	failed=1
else
	echo "PASS $series:boot.kernel-log"
fi

taint=$(sed -n 's/^TAINT //p' "$res.clean")
if [ -z "$taint" ]; then
	echo "FAIL $series:boot.taint no taint report"
	failed=1
elif [ $((taint & ~0x3000)) -ne 0 ]; then
	echo "FAIL $series:boot.taint tainted=$taint (only O and E are allowed)"
	failed=1
else
	echo "PASS $series:boot.taint"
fi
exit $failed
