#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh: checkpatch.pl --strict and clang-format (the kernel's
# .clang-format) over the module's sources.  Both come from Debian's
# linux-source-6.12 package; they are extracted once into build/tools/.
# Prints "PASS|FAIL lint.<tool> [reason]" lines; exit status 1 on failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tools=$top/build/tools
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
if [ -z "$tarball" ]; then
	echo "FAIL lint.setup linux-source-6.12 is not installed (make deps)"
	exit 1
fi
if [ ! -f "$tools/.stamp" ] || [ "$tarball" -nt "$tools/.stamp" ]; then
	rm -rf "$tools"
	mkdir -p "$tools"
	tar -xf "$tarball" -C "$tools" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch' '*/.clang-format' || exit 1
	touch "$tools/.stamp"
fi

cd "$top"
files=$(git ls-files 'src/*.[ch]' 'src/probes/*.c' 'include/*.h' 2>/dev/null ||
	find src include -name '*.[ch]')
fail=0

# CONST_STRUCT: src/proto.c builds struct proto_ops tables at run time
# from the socket's base protocol, so they cannot be const.
out=$(perl "$tools/scripts/checkpatch.pl" --strict --no-tree --terse \
	--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,CONST_STRUCT -f $files 2>&1 |
	grep -E '(ERROR|WARNING|CHECK):')
if [ -n "$out" ]; then
	echo "$out" >&2
	echo "FAIL lint.checkpatch $(echo "$out" | wc -l) problems (see above)"
	fail=1
else
	echo "PASS lint.checkpatch"
fi

out=$(clang-format --style="file:$tools/.clang-format" --dry-run $files 2>&1)
if [ -n "$out" ]; then
	echo "$out" | head -n 40 >&2
	echo "FAIL lint.clang-format $(echo "$out" | grep -c 'warning:') lines differ (see above)"
	fail=1
else
	echo "PASS lint.clang-format"
fi
exit $fail
