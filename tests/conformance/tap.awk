# SPDX-License-Identifier: GPL-2.0
#
# Turn one run of tls_selftest into one outcome per case (busybox awk).
#
#   awk -f tap.awk LISTING TAP
#
# LISTING is what `tls_selftest -l` printed: for each fixture, a column of
# variants beside a column of tests ("%-20s %-25s %s"); the cases are every
# variant crossed with every test, named FIXTURE[.VARIANT].TEST.
# TAP is the run's stdout and stderr: "#  RUN NAME ...", per-test lines
# prefixed "# ", "ok N NAME [# SKIP reason]" or "not ok N NAME".
#
# Output, tab-separated, every listed case in listing order, then any case the
# TAP reported but the listing lacked:
#   OUTCOME<TAB>NAME<TAB>DETAIL
# OUTCOME is pass, fail, skip, xfail or missing (listed, never reported);
# DETAIL is the skip reason or a short digest of the failure lines.
# Lines starting with "#" carry totals: "# listed N", "# plan N",
# "# reported N", "# notls N" (lines saying "testing without tls").

function trim(s) {
	sub(/^ +/, "", s)
	sub(/ +$/, "", s)
	return s
}

# Remember one diagnostic line of the running case, made short:
# "/path/tls.c:1604:getsockopt:Expected ..." becomes "tls.c:1604: Expected ...".
function note(line,   loc, rest) {
	sub(/^# ?/, "", line)
	if (match(line, /^[^ :]*\.[ch]:[0-9]+:/)) {
		loc = substr(line, 1, RLENGTH)
		rest = substr(line, RLENGTH + 1)
		sub(/^[^ :]*:/, "", rest)
		sub(/.*\//, "", loc)
		line = loc " " rest
	}
	sub(/^[A-Za-z0-9_]+: /, "", line)
	if (line == "Test failed" || line == "")
		return
	ndiag++
	if (ndiag <= 3)
		diag = diag (ndiag > 1 ? "; " : "") line
}

function digest(   d) {
	d = diag
	if (ndiag > 3)
		d = d sprintf(" (+%d more)", ndiag - 3)
	if (length(d) > 300)
		d = substr(d, 1, 297) "..."
	return d
}

function add_case(n) {
	if (!(n in known)) {
		known[n] = 1
		order[++ncases] = n
	}
}

FNR == 1 && FILENAME != ARGV[1] && !intap {
	flush_fixture()
	listed = ncases
	intap = 1
}

# ---- file 1: the listing --------------------------------------------------
!intap {
	if ($0 ~ /^---/)
		flush_fixture()
	if ($0 ~ /^# FIXTURE/ || $0 ~ /^---/ || $0 ~ /^[ \t]*$/)
		next
	f = trim(substr($0, 1, 20))
	v = trim(substr($0, 22, 25))
	t = trim(substr($0, 48))
	if (f != "") {
		flush_fixture()
		fix = f
	}
	if (v != "")
		vars[++nv] = v
	if (t != "")
		tests[++nt] = t
	next
}

function flush_fixture(   i, j) {
	if (fix == "")
		return
	if (nv == 0)
		for (j = 1; j <= nt; j++)
			add_case(fix "." tests[j])
	for (i = 1; i <= nv; i++)
		for (j = 1; j <= nt; j++)
			add_case(fix "." vars[i] "." tests[j])
	nv = nt = 0
	fix = ""
}

# ---- file 2: the TAP output -----------------------------------------------
/testing without tls/ {
	notls++
}

/^1\.\.[0-9]+$/ {
	plan = substr($0, 4)
	next
}

/^# +RUN +/ {
	cur = $3
	diag = ""
	ndiag = 0
	next
}

/^(not )?ok [0-9]+ / {
	if ($1 == "not") {
		n = $4
		outcome = "fail"
	} else {
		n = $3
		outcome = "pass"
	}
	rest = $0
	i = index(rest, " " n)
	rest = substr(rest, i + length(n) + 1)
	if (match(rest, /^ # SKIP ?/)) {
		outcome = "skip"
		detail = substr(rest, RLENGTH + 1)
	} else if (match(rest, /^ # XFAIL ?/)) {
		outcome = "xfail"
		detail = substr(rest, RLENGTH + 1)
	} else if (outcome == "fail") {
		detail = digest()
	} else {
		detail = ""
	}
	add_case(n)
	res[n] = outcome "\t" n "\t" detail
	reported++
	cur = ""
	next
}

# The harness's own per-case status lines say nothing new.
/^# +(OK|FAIL|SKIP) +/ {
	next
}

cur != "" {
	note($0)
}

END {
	if (!intap) {
		flush_fixture()
		listed = ncases
	}
	printf "# listed %d\n# plan %d\n# reported %d\n# notls %d\n", listed, plan, reported, notls
	for (i = 1; i <= ncases; i++) {
		n = order[i]
		if (n in res)
			print res[n]
		else if (n == cur)
			print "missing\t" n "\tstarted but never reported (crash or time-out)" \
				(ndiag ? ": " digest() : "")
		else
			print "missing\t" n "\tnever run (the binary stopped before it)"
	}
}
