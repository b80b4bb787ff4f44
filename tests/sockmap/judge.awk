# SPDX-License-Identifier: GPL-2.0
#
# Judge test_sockmap's subtests against the known-failures list (busybox awk).
#
#   awk -v series=6.12 [-v retry=FILE] [-v pick=1] -f judge.awk \
#       known-failures.txt OUTCOMES...
#
# OUTCOMES is parse.awk's output of a run, RETRY parse.awk's output of tests
# run again.  Output, tab-separated:
#   STATUS<TAB>NAME<TAB>REASON   one per subtest or test, STATUS PASS, FAIL or SKIP
#   INFO<TAB>TEXT                remarks about the list itself
#
#   outcome   listed                       not listed
#   pass      FAIL (remove the entry)      PASS
#   fail      SKIP with the entry's reason FAIL with the subtest's messages,
#                                          PASS ("flaky") if it passed in RETRY
#   norun     SKIP with the entry's reason FAIL (a test that runs nothing)
#   missing   FAIL                         FAIL
# so the list can only shrink, and a test that stops running or a run that
# dies is never excused by it.  With pick=1 the output is instead the tests
# worth running again: RUN<TAB>TITLE for each test with a subtest that
# failed and is not listed, once.

# A shell glob (*, ?, [...], [!...]) as an anchored extended regex.
function glob_re(g,   re, i, c, n, j, cls) {
	re = "^"
	n = length(g)
	for (i = 1; i <= n; i++) {
		c = substr(g, i, 1)
		if (c == "*") {
			re = re ".*"
		} else if (c == "?") {
			re = re "."
		} else if (c == "[" && (j = index(substr(g, i + 1), "]")) > 1) {
			cls = substr(g, i + 1, j - 1)
			sub(/^!/, "^", cls)
			re = re "[" cls "]"
			i += j
		} else if (index("\\^$.|+(){}[]", c)) {
			re = re "\\" c
		} else {
			re = re c
		}
	}
	return re "$"
}

# The first entry matching name n, 0 if none.
function entry(n,   k) {
	for (k = 1; k <= nent; k++)
		if (n ~ ere[k])
			return k
	return 0
}

function out(status, n, why) {
	if (!pick)
		print status "\t" n "\t" why
}

BEGIN {
	if (retry != "") {
		while ((getline line < retry) > 0) {
			if (line ~ /^#/)
				continue
			split(line, r, "\t")
			again[r[2]] = r[1]
		}
		close(retry)
	}
}

# ---- file 1: known-failures.txt -------------------------------------------
FILENAME == ARGV[1] {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	pat = $1
	why = $0
	sub(/^[ \t]*[^ \t]+[ \t]*/, "", why)
	if (pat ~ /^[0-9.]+:/) {
		ser = pat
		sub(/:.*/, "", ser)
		sub(/^[^:]*:/, "", pat)
		if (ser != series)
			next
	}
	nent++
	epat[nent] = pat
	ere[nent] = glob_re(pat)
	ewhy[nent] = why == "" ? "(no reason given)" : why
	next
}

# ---- the outcomes -----------------------------------------------------------
/^#/ {
	next
}

{
	split($0, f, "\t")
	o = f[1]
	n = f[2]
	par = f[3]
	det = f[4]
	k = entry(n)
	if (k)
		used[k] = 1
	where = par == "" ? "" : par " "
	if (pick) {
		if (o == "fail" && !k) {
			run = n
			sub(/\..*/, "", run)
			if (!((run "\t" f[5]) in picked)) {
				picked[run "\t" f[5]] = 1
				print run "\t" f[5]
			}
		}
		next
	}
	if (o == "fail" && !k && again[n] == "pass")
		out("PASS", n, "flaky: failed in the full run (" where det "), passed when its test ran again")
	else if (o == "missing")
		out("FAIL", n, where det)
	else if (o == "pass" && k)
		out("FAIL", n, "passes but is listed in known-failures.txt (entry " epat[k] "): remove the entry")
	else if (o == "pass")
		out("PASS", n, "")
	else if (o == "norun" && k)
		out("SKIP", n, "not run: " ewhy[k])
	else if (o == "norun")
		out("FAIL", n, "test_sockmap ran none of its subtests and known-failures.txt gives no reason")
	else if (k)
		out("SKIP", n, "expected failure: " ewhy[k])
	else
		out("FAIL", n, where det)
}

END {
	if (pick)
		exit
	for (k = 1; k <= nent; k++)
		if (!used[k])
			print "INFO\tknown-failures.txt: entry " epat[k] " matches nothing on " series
}
