# SPDX-License-Identifier: GPL-2.0
#
# Judge each case's outcome against the known-failures list (busybox awk).
#
#   awk -v series=6.12 -v nocipher="sm4 aria" [-v pick=1] -f classify.awk \
#       known-failures.txt OUTCOMES [RETRIES]
#
# OUTCOMES is tap.awk's output for the whole run, RETRIES tap.awk's output for
# single cases run again.  nocipher names the ciphers this kernel lacks: a
# failing case whose variant name contains one (13_sm4_gcm, 12_aria_gcm_256)
# is skipped for that reason.  Output, tab-separated:
#   STATUS<TAB>NAME<TAB>REASON   one per case, STATUS PASS, FAIL or SKIP
#   INFO<TAB>TEXT                remarks about the list itself
# With pick=1 the output is only the names of the cases that failed
# unexpectedly (not listed, not crashed): the ones worth running again.
# A case that failed in OUTCOMES and passed in RETRIES passes, with a note.

# A shell glob (*, ?, [...], [!...]) as an anchored extended regex.
function glob2re(g,   re, i, j, c, n, cls) {
	re = "^"
	n = length(g)
	for (i = 1; i <= n; i++) {
		c = substr(g, i, 1)
		if (c == "*") {
			re = re ".*"
		} else if (c == "?") {
			re = re "."
		} else if (c == "[" && (j = index(substr(g, i + 1), "]")) > 0) {
			cls = substr(g, i + 1, j - 1)
			if (substr(cls, 1, 1) == "!")
				cls = "^" substr(cls, 2)
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

# Index of the first list entry matching case n, 0 if none.
function listed(n,   k) {
	for (k = 1; k <= nkf; k++)
		if (n ~ kre[k])
			return k
	return 0
}

# The cipher in nocipher that case n's variant needs, "" if none.
function lacking(n,   parts, k, c) {
	if (split(n, parts, ".") < 3)
		return ""
	for (k = 1; k <= nnc; k++) {
		c = nc[k]
		if (parts[2] ~ ("(^|_)" c "(_|$)"))
			return toupper(c)
	}
	return ""
}

BEGIN {
	nnc = split(nocipher, nc, " ")
}

FNR == 1 && FILENAME != ARGV[1] {
	part++
}

# ---- file 1: known-failures.txt -------------------------------------------
!part {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	pat = $1
	why = $0
	sub(/^[ \t]*[^ \t]+[ \t]*/, "", why)
	if (index(pat, ":")) {
		ser = substr(pat, 1, index(pat, ":") - 1)
		pat = substr(pat, index(pat, ":") + 1)
		if (ser != series)
			next
	}
	nkf++
	kpat[nkf] = pat
	kre[nkf] = glob2re(pat)
	kwhy[nkf] = why == "" ? "listed in known-failures.txt" : why
	next
}

# ---- file 2: outcomes of the run, file 3: outcomes of retries -------------
/^#/ {
	next
}

{
	split($0, f, "\t")
	if (part == 1) {
		order[++ncases] = f[2]
		out[f[2]] = f[1]
		det[f[2]] = f[3]
	} else {
		again[f[2]] = f[1]
		againdet[f[2]] = f[3]
	}
}

function judge(n,   o, d, k, c) {
	o = out[n]
	d = det[n]
	if (o == "fail" && (n in again)) {
		if (again[n] == "pass")
			o = "flaky"
		else
			d = d " (failed again when run alone)"
	}
	k = listed(n)
	if (k)
		used[k]++
	c = lacking(n)

	if (o == "missing")
		emit("FAIL", n, "not reported by the harness: " d)
	else if (o == "skip")
		emit("SKIP", n, "skipped by the harness: " (d == "" ? "no reason given" : d))
	else if (o == "xfail")
		emit("SKIP", n, "expected to fail by the harness: " d)
	else if (o == "fail" && c != "")
		emit("SKIP", n, c " not available in this kernel")
	else if (o != "pass" && k)
		emit("SKIP", n, "expected failure: " kwhy[k])
	else if (k)
		emit("FAIL", n, "passes but is listed in known-failures.txt: remove it (entry " kpat[k] ")")
	else if (o == "pass")
		emit("PASS", n, "")
	else if (o == "flaky")
		emit("PASS", n, "flaky: failed in the full run (" d "), passed when run alone")
	else if (pick)
		print n
	else
		emit("FAIL", n, d)
}

function emit(status, n, why) {
	if (!pick)
		print status "\t" n "\t" why
}

END {
	for (i = 1; i <= ncases; i++)
		judge(order[i])
	if (pick)
		exit
	for (k = 1; k <= nkf; k++)
		if (!used[k])
			print "INFO\tknown-failures.txt: entry " kpat[k] " matches no case on " series
}
