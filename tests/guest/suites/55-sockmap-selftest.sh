# SPDX-License-Identifier: GPL-2.0
# The kernel's own sockmap selftest (tools/testing/selftests/bpf/test_sockmap.c
# of Debian's linux-source-6.12, built by tests/sockmap/build.sh) in its kTLS
# mode, against ktls.ko holding the ULP name "tls" (test_sockmap hard-codes it):
# one result per subtest, judged against tests/sockmap/known-failures.txt.  It
# runs twice, as the kernel's selftests run it and with --data_test, which
# checks every received byte (without it most subtests only count bytes).
# Then once more on the in-tree tls.ko, which must refuse every kTLS subtest's
# TLS_TX with EINVAL (Debian's "tls: reject the combination of TLS and
# sockmap").
# Sourced by /init: functions and return, never exit.  Variables are prefixed
# sm_ because lib.sh's result() uses plain names.

SM_BIN=${SM_BIN:-/t/bin/test_sockmap}
SM_DIR=${SM_DIR:-/t/sockmap}
SM_KO=${SM_KO:-/t/ktls.ko}
SM_WORK=${SM_WORK:-/tmp/sockmap}
SM_ULPS=${SM_ULPS:-/proc/sys/net/ipv4/tcp_available_ulp}
# Seconds for one run of test_sockmap's kTLS mode (98 subtests; about 45 s
# under TCG when they pass; a subtest whose receiver waits in vain takes 3 s).
SM_CAP=${SM_CAP:-300}
# The --data_test run is left out (and fails) when the first run had more
# unexpected failures than this: it would only repeat them, at 3 s each.
SM_MAX_BAD=${SM_MAX_BAD:-20}
# 1: also run on the in-tree tls.ko and check that it refuses.
SM_INTREE=${SM_INTREE:-1}
SM_TAB=$(printf '\t')
SM_TITLES=$(dirname "$SM_BIN")/test_sockmap.titles
# Tests with an unexpected failure run once more, at most this many.
SM_RETRIES=${SM_RETRIES:-3}

sm_loaded() {
	grep -q "^$1 " /proc/modules 2>/dev/null
}

# Kill test_sockmap processes that outlived a killed run (its sender and
# receiver are children the time cap's signal does not reach).
sm_kill_leftovers() {
	for sm_p in /proc/[0-9]*; do
		[ "$(readlink "$sm_p/exe" 2>/dev/null)" = "$SM_BIN" ] && kill -9 "${sm_p#/proc/}" 2>/dev/null
	done
	return 0
}

# sm_run TAG MODE [ARGS...]: test_sockmap's kTLS mode (-n ktls: only the
# tests whose prefix is "ktls") into $SM_WORK/TAG.log, parsed into
# $SM_WORK/TAG.out with subtests named MODE.TEST.K.  Sets sm_rc and sm_secs.
# It loads its BPF objects from the current directory, where build.sh put
# them.
sm_run() {
	sm_tag=$1 sm_mode=$2
	shift 2
	log "sockmap: running test_sockmap $* -n ktls ($sm_tag, cap ${SM_CAP}s)"
	sm_t0=$(date +%s)
	(cd "$(dirname "$SM_BIN")" &&
		timeout "$SM_CAP" "$SM_BIN" -v 1 "$@" -n ktls >"$SM_WORK/$sm_tag.log" 2>&1 </dev/null)
	sm_rc=$?
	sm_secs=$(($(date +%s) - sm_t0))
	sm_kill_leftovers
	awk -v mode="$sm_mode" -f "$SM_DIR/parse.awk" "$SM_TITLES" \
		"$SM_WORK/$sm_tag.log" >"$SM_WORK/$sm_tag.out"
	log "sockmap: $sm_tag took ${sm_secs}s, exit $sm_rc, $(sed -n 's/^# summary //p' "$SM_WORK/$sm_tag.out")"
}

# sm_total TAG KEY: a total from parse.awk's "# KEY N" lines.
sm_total() {
	sm_v=$(sed -n "s/^# $2 //p" "$SM_WORK/$1.out")
	echo "${sm_v:-0}"
}

# Whole-run checks of run TAG, and its raw output for whoever reads the
# console log.
sm_check_run() {
	sm_tag=$1
	sed "s/^/sockmap $sm_tag: /" "$SM_WORK/$sm_tag.log" >/dev/console
	info "sockmap: $sm_tag: test_sockmap took ${sm_secs}s (exit $sm_rc), $(sm_total "$sm_tag" reported) of $(sm_total "$sm_tag" titles) tests reported, $(sm_total "$sm_tag" subtests) subtests, its summary: $(sm_total "$sm_tag" summary)"
	if [ "$sm_rc" -ne 0 ] || [ "$(sm_total "$sm_tag" summary)" = none ]; then
		result FAIL "sockmap.$sm_tag.run" "test_sockmap did not finish (exit $sm_rc after ${sm_secs}s, cap ${SM_CAP}s): $(tail -n 2 "$SM_WORK/$sm_tag.log" | tr '\n' ' ')"
	else
		result PASS "sockmap.$sm_tag.run"
	fi
	if sm_loaded tls; then
		result FAIL "sockmap.$sm_tag.intree-absent" "tls.ko got loaded during the run: results are not ktls's"
	else
		result PASS "sockmap.$sm_tag.intree-absent"
	fi
}

# Each test with a subtest that failed unexpectedly in runs TAG... runs once
# more (test_sockmap cannot run a single subtest): -n ktls with every other
# test blacklisted, except those whose title is part of this one's (its -b
# matches substrings).  Outcomes into $SM_WORK/retry.out.
sm_retry() {
	: >"$SM_WORK/retry.out"
	for sm_tag in "$@"; do
		set -- "$@" "$SM_WORK/$sm_tag.out"
		shift
	done
	awk -v series="$KSERIES" -v pick=1 -f "$SM_DIR/judge.awk" "$SM_DIR/known-failures.txt" "$@" |
		head -n "$SM_RETRIES" >"$SM_WORK/retry.txt"
	while IFS="$SM_TAB" read -r sm_mode sm_title; do
		sm_bl=$(awk -v x="$sm_title" 'index(x, $0) == 0 { printf "%s%s", s, $0; s = "," }' "$SM_TITLES")
		if [ "$sm_mode" = ktls-data ]; then
			sm_run retry "$sm_mode" --data_test -b "$sm_bl"
		else
			sm_run retry "$sm_mode" -b "$sm_bl"
		fi
		sed "s/^/sockmap retry: /" "$SM_WORK/retry.log" >/dev/console
		grep -v '^#' "$SM_WORK/retry.out" >>"$SM_WORK/retries.out"
	done <"$SM_WORK/retry.txt"
	return 0
}

# One result per subtest of the runs TAG..., judged against the list.
sm_judge() {
	: >"$SM_WORK/retries.out"
	sm_retry "$@"
	for sm_tag in "$@"; do
		set -- "$@" "$SM_WORK/$sm_tag.out"
		shift
	done
	awk -v series="$KSERIES" -v retry="$SM_WORK/retries.out" -f "$SM_DIR/judge.awk" \
		"$SM_DIR/known-failures.txt" "$@" >"$SM_WORK/judged.res"
	while IFS="$SM_TAB" read -r sm_st sm_name sm_why; do
		case $sm_st in
		INFO) info "sockmap: $sm_name" ;;
		*) result "$sm_st" "sockmap.$sm_name" ${sm_why:+"$sm_why"} ;;
		esac
	done <"$SM_WORK/judged.res"
	info "sockmap: subtests of both runs: $(awk -F "$SM_TAB" '$1 != "INFO" { n[$1]++ }
		END { printf "PASS %d, FAIL %d, SKIP %d", n["PASS"], n["FAIL"], n["SKIP"] }' "$SM_WORK/judged.res")"
}

# ktls's own counters of BPF verdicts, when it has them.
sm_counters() {
	sm_c=$(awk '$1 ~ /^Ktls(Tx|Rx)(Msg|Skb)/ { printf "%s=%s ", $1, $2 }' /proc/net/ktls_stat 2>/dev/null)
	[ -n "$sm_c" ] && info "sockmap: ktls_stat after the runs: $sm_c"
	return 0
}

# The same kTLS mode on the in-tree tls.ko: every subtest that enables kTLS
# must fail, with TLS_TX or TLS_RX refused with EINVAL (compat.c prints the
# errno).  Subtests without kTLS (three of "txmsg test skb") are not judged.
sm_intree() {
	if ! modprobe tls; then
		result FAIL sockmap.intree-refuses "the in-tree tls.ko would not load"
		return
	fi
	sm_run intree intree
	rmmod tls || info "sockmap: rmmod tls failed after the in-tree run"
	sm_verdict=$(awk -F "$SM_TAB" '
		/^#/ || $3 !~ /ktls,\)$/ { next }
		{ n++ }
		$1 == "fail" && $4 ~ /setsockopt\([0-9]+, TLS_(TX|RX)\) failed: EINVAL/ { refused++; next }
		{ bad++; if (bad <= 3) list = list " " $2 " (" $1 ": " substr($4, 1, 80) ")" }
		END {
			if (n == 0) print "FAIL no kTLS subtest ran"
			else if (bad) print "FAIL " bad " of " n " kTLS subtests were not refused with EINVAL:" list
			else print "PASS " n " of " n " kTLS subtests refused: TLS_TX/TLS_RX on a socket in a sockmap fails with EINVAL"
		}' "$SM_WORK/intree.out")
	info "sockmap: in-tree tls.ko: ${sm_verdict#* } (${sm_secs}s)"
	result "${sm_verdict%% *}" sockmap.intree-refuses "${sm_verdict#* }"
}

sm_main() {
	if [ ! -x "$SM_BIN" ] || [ ! -f "$SM_TITLES" ]; then
		result FAIL sockmap.setup "$SM_BIN missing (tests/sockmap/build.sh build/guest/bin)"
		return
	fi
	mkdir -p "$SM_WORK"
	if sm_loaded tls && ! rmmod tls; then
		result FAIL sockmap.setup "the in-tree tls.ko is loaded and will not unload"
		return
	fi
	# test_sockmap's kTLS sockets use AES-GCM-128.
	load_aeads sockmap
	if ! sm_err=$(insmod "$SM_KO" register_tls=1 2>&1); then
		result FAIL sockmap.load "insmod ktls.ko register_tls=1: $sm_err"
		return
	fi
	if sm_loaded tls || ! grep -qw tls "$SM_ULPS"; then
		result FAIL sockmap.load "ULP \"tls\" not held by ktls: $(cat "$SM_ULPS")"
		rmmod ktls
		return
	fi
	result PASS sockmap.load

	sm_run ktls ktls
	sm_check_run ktls
	sm_bad=$(awk -v series="$KSERIES" -f "$SM_DIR/judge.awk" "$SM_DIR/known-failures.txt" \
		"$SM_WORK/ktls.out" | grep -c '^FAIL')
	if [ "$sm_bad" -le "$SM_MAX_BAD" ]; then
		sm_run ktls-data ktls-data --data_test
		sm_check_run ktls-data
		sm_judge ktls ktls-data
	else
		result FAIL sockmap.ktls-data.run "not run: the first run failed $sm_bad subtests unexpectedly (more than $SM_MAX_BAD)"
		sm_judge ktls
	fi
	sm_counters

	if ! unload ktls; then
		result FAIL sockmap.unload "ktls will not unload after test_sockmap: $(grep '^ktls ' /proc/modules)"
		return
	fi
	result PASS sockmap.unload
	[ "$SM_INTREE" = 1 ] && sm_intree
	return 0
}

sm_main
