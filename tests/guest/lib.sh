# SPDX-License-Identifier: GPL-2.0
#
# Shell helpers for guest suites (sourced by /init; fd 3 is the result
# channel).  A suite is a file tests/guest/suites/NAME.sh sourced in a
# subshell; it reports each case with `result`.

case $(uname -r) in
6.1.*) KSERIES=6.1 ;;
6.12.*) KSERIES=6.12 ;;
*) KSERIES=$(uname -r | cut -d. -f1-2) ;;
esac
export KSERIES

# result PASS|FAIL|SKIP NAME [REASON...]: one counted test result.
result() {
	st=$1 name=$2
	shift 2
	echo "RESULT $st $name $*" >&3
	echo "[$st] $name $*" >/dev/console
}

# info TEXT...: an uncounted line for the report.
info() {
	echo "INFO $*" >&3
}

# log TEXT...: console only.
log() {
	echo "$*" >/dev/console
}

# expect NAME CMD...: PASS if CMD succeeds, FAIL with its output otherwise.
expect() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		result PASS "$name"
	else
		result FAIL "$name" "'$*' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# expect_fail NAME CMD...: PASS if CMD fails.
expect_fail() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		result FAIL "$name" "'$*' unexpectedly succeeded"
	else
		result PASS "$name"
	fi
}

# run_prog SUITE PROG [ARGS...]: run a test program that prints
# "PASS case", "FAIL case reason" or "SKIP case reason" lines; forward them
# as results named SUITE.case.  A program that dies without reporting or
# exits non-zero with no FAIL line is itself a failure.
run_prog() {
	suite=$1
	shift
	out=/tmp/prog.$$.out
	timeout "${PROG_TIMEOUT:-300}" "$@" >"$out" 2>&1
	rc=$?
	nres=0 nfail=0
	while read -r st name reason; do
		case $st in
		PASS | FAIL | SKIP)
			result "$st" "$suite.$name" "$reason"
			nres=$((nres + 1))
			[ "$st" = FAIL ] && nfail=$((nfail + 1))
			;;
		*) log "  $st $name $reason" ;;
		esac
	done <"$out"
	if [ $nres -eq 0 ]; then
		result FAIL "$suite.$(basename "$1")" "reported nothing (exit $rc): $(tail -n 3 "$out" | tr '\n' ' ')"
	elif [ $rc -ne 0 ] && [ $nfail -eq 0 ]; then
		result FAIL "$suite.$(basename "$1").exit" "exited with $rc"
	fi
	rm -f "$out"
}

# load_aeads TAG: the AEAD modules the datapath suites use (ignored if built
# in or absent: a cipher that is really missing fails its own cases).
load_aeads() {
	for m in aesni_intel ghash_clmulni_intel gcm ccm chacha_x86_64 \
		poly1305_x86_64 chacha20poly1305 algif_aead; do
		modprobe -q "$m" 2>/dev/null || log "$1: modprobe $m failed"
	done
}

# unload MODULE: rmmod, retrying while closed sockets are torn down.
unload() {
	for _ in 1 2 3 4 5; do
		rmmod "$1" 2>/dev/null && return 0
		sleep 1
	done
	rmmod "$1"
}

# Kernel log lines that fail a run wherever they appear.
KLOG_BAD='WARNING:|BUG:|Oops|kernel BUG|general protection fault|Kernel panic|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|unreferenced object|UBSAN:|KASAN:|list_add corruption|list_del corruption|refcount_t:|blocked for more than|ktls: leak'

# check_klog SUITE: fail on bad kernel log lines produced during the suite.
check_klog() {
	bad=$(dmesg | grep -E "$KLOG_BAD" | head -n 5 | tr '\n' ' ')
	if [ -n "$bad" ]; then
		result FAIL "$1.kernel-log" "$bad"
	else
		result PASS "$1.kernel-log"
	fi
}
