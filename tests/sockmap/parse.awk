# SPDX-License-Identifier: GPL-2.0
#
# Turn one run of `test_sockmap -v 1 -n ktls` into one outcome per subtest
# (busybox awk).
#
#   awk [-v mode=ktls-data] -f parse.awk TITLES OUTPUT
#
# TITLES is test_sockmap.titles from tests/sockmap/build.sh, the tests of
# test_sockmap's test[] table in order.  OUTPUT is the run's stdout and
# stderr.  test_sockmap runs every test as a series of subtests (one
# test_exec() each: a fresh socket setup, a sender and a receiver), and prints
#   " [TEST N]: (RATE, IOV_COUNT, IOV_LENGTH, sendpage, OPTIONS): "  at the start,
#   " PASS" or " FAILED"                                           at the end,
# with the subtest's own messages between (on the same line or on lines of
# their own), then after the last subtest of a test
#   "#T/S sockhash:ktls:TITLE:OK" (or ":FAIL"), S the number of subtests run,
# and at the very end "Pass: N Fail: N".
#
# Output, tab-separated:
#   OUTCOME<TAB>NAME<TAB>PARAMS<TAB>DETAIL<TAB>TITLE
# one line per subtest, NAME ktls.SLUG.K (K counting from 1 within the test),
# OUTCOME pass, fail or missing (started, never ended), PARAMS the parenthesised parameters, DETAIL the
# subtest's messages; then per test that did not run as reported:
#   norun    ktls.SLUG  the test ran no subtest ("#T/ 0 ...:OK")
#   missing  ktls.SLUG  the test never reported, or reported a different
#                       number of subtests than were seen
# "ktls" is the value of mode, when given (the suite names its run with
# test_sockmap's --data_test "ktls-data").
# SLUG is the title less "txmsg test ", lower case, runs of other characters
# than letters and digits as "-" ("txmsg test push/pop data": push-pop-data).
# Lines starting with "#" carry totals: "# titles N", "# reported N",
# "# subtests N", "# summary Pass: N Fail: N" (test_sockmap's last line).

function slug(t) {
	sub(/^txmsg test /, "", t)
	t = tolower(t)
	gsub(/[^a-z0-9]+/, "-", t)
	sub(/^-/, "", t)
	sub(/-$/, "", t)
	return t
}

# Keep one message line of the running subtest.
function note(l) {
	sub(/^ +/, "", l)
	sub(/ +$/, "", l)
	if (l == "" || l ~ /^socket\([a-z0-9]+\) kTLS enabled$/)
		return
	if (length(msg) < 400)
		msg = msg (msg == "" ? "" : "; ") l
}

# The running subtest ended with outcome o (pass or fail).
function verdict(o) {
	nsub++
	sout[nsub] = o
	spar[nsub] = params
	smsg[nsub] = msg
	nseen++
	running = 0
	msg = ""
}

BEGIN {
	first = 1
	if (mode == "")
		mode = "ktls"
}

# ---- file 1: the titles ---------------------------------------------------
FNR == NR {
	if ($0 != "") {
		ntitles++
		title[ntitles] = $0
	}
	next
}

# ---- file 2: the run --------------------------------------------------------
{
	line = $0
	sub(/\r$/, "", line)
}

# Start of a subtest; the rest of its line is handled below.
match(line, /\[TEST [0-9]+\]: \(/) {
	running = 1
	msg = ""
	rest = substr(line, RSTART + RLENGTH)
	i = index(rest, "): ")
	if (i) {
		params = "(" substr(rest, 1, i - 1) ")"
		line = substr(rest, i + 3)
	} else {
		params = "(" rest
		line = ""
	}
}

# "#T/S sockhash:ktls:TITLE:OK": the end of a test; the subtests seen since
# the previous one are its.
line ~ /^# *[0-9]+\/ *[0-9]+ +[a-z]+:[^:]*:.*:(OK|FAIL)$/ {
	t = line
	sub(/^# *[0-9]+\/ */, "", t)
	n = t + 0
	sub(/^[0-9]+ +[a-z]+:[^:]*:/, "", t)
	sub(/:(OK|FAIL)$/, "", t)
	reported[t] = 1
	nrep++
	if (n == 0 && nseen == 0)
		norun[t] = 1
	else if (n != nseen)
		mismatch[t] = "test_sockmap reported " n " subtests, " nseen " were seen"
	for (k = first; k <= nsub; k++)
		stitle[k] = t
	first = nsub + 1
	nseen = 0
	running = 0
	next
}

line ~ /^Pass: [0-9]+ Fail: [0-9]+$/ {
	summary = line
	next
}

running {
	l = line
	sub(/^ +/, "", l)
	sub(/ +$/, "", l)
	if (l == "PASS")
		verdict("pass")
	else if (l == "FAILED")
		verdict("fail")
	else
		note(line)
}

END {
	# A subtest that started and never ended: test_sockmap died or was
	# killed inside it.
	if (running) {
		note("no verdict: test_sockmap stopped inside this subtest")
		verdict("missing")
	}
	# Subtests after the last report belong to the first test that never
	# reported (test_sockmap stopped inside it).
	pending = ""
	for (i = 1; i <= ntitles; i++) {
		if (!(title[i] in reported)) {
			pending = title[i]
			break
		}
	}
	prev = "-"
	for (k = 1; k <= nsub; k++) {
		t = (k in stitle) ? stitle[k] : pending
		if (t != prev) {
			cnt = 0
			prev = t
		}
		cnt++
		print sout[k] "\t" mode "." slug(t) "." cnt "\t" spar[k] "\t" smsg[k] "\t" t
	}
	for (i = 1; i <= ntitles; i++) {
		t = title[i]
		if (t in norun)
			print "norun\t" mode "." slug(t) "\t\tthe test ran no subtest\t" t
		else if (t in mismatch)
			print "missing\t" mode "." slug(t) "\t\t" mismatch[t] "\t" t
		else if (!(t in reported))
			print "missing\t" mode "." slug(t) "\t\tnever reported: test_sockmap stopped before its end\t" t
	}
	for (t in reported) {
		known = 0
		for (i = 1; i <= ntitles; i++)
			if (title[i] == t)
				known = 1
		if (!known)
			print "missing\t" mode "." slug(t) "\t\treported by test_sockmap but not in its test table (build.sh)\t" t
	}
	print "# titles " ntitles + 0
	print "# reported " nrep + 0
	print "# subtests " nsub + 0
	print "# summary " (summary == "" ? "none" : summary)
}
