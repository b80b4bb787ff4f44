#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel's own sockmap selftest (tools/testing/selftests/bpf/
# test_sockmap.c from Debian's linux-source-6.12) for the guest suite
# tests/guest/suites/55-sockmap-selftest.sh, which runs its kTLS mode against
# ktls.ko.  Writes into OUTDIR:
#   test_sockmap              the program (gcc, linked to Debian's libbpf 1.1.2)
#   test_sockmap_kern.bpf.o   its BPF programs for a SOCKMAP (clang -target bpf)
#   test_sockhash_kern.bpf.o  the same for a SOCKHASH (used by the kTLS mode)
#   test_sockmap.titles       the tests test_sockmap runs, one title a line
#
# Usage: tests/sockmap/build.sh OUTDIR
#
# Nothing of the kernel tree is checked in: the files below are pulled out of
# /usr/src/linux-source-6.12.tar.xz into a scratch cache (default
# build/sockmap-src, override with KTLS_SOCKMAP_CACHE).  Extraction (about
# 15 s) and compilation (a few seconds) are redone only when the tarball, this
# script, compat.[ch] or the compilers change.
#
# The kernel's sources are compiled as they are; what they need beyond Debian's
# headers and libbpf comes from compat.h (forced in front of test_sockmap.c)
# and compat.c (linked in, with ld --wrap for bpf_link__detach and setsockopt);
# those two files say why.  The BPF programs include glibc's <string.h> and
# <sys/socket.h>, which under clang -target bpf need gnu/stubs-32.h
# (libc6-dev-i386, installed by tests/deps.sh).
#
# Environment: KTLS_LINUX_SOURCE (tarball path), KTLS_SOCKMAP_CACHE,
# CC (default gcc), CLANG (default clang).
set -euo pipefail

die() {
	echo "sockmap/build.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
outdir=$1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ksrc.sh
. "$here/../ksrc.sh"
repo=$(cd "$here/../.." && pwd)
tarball=${KTLS_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
cache=${KTLS_SOCKMAP_CACHE:-$repo/build/sockmap-src}
cc=${CC:-gcc}
clang=${CLANG:-clang}

[ -f "$tarball" ] ||
	die "$tarball not found: install Debian's linux-source-6.12 (apt-get install linux-source-6.12)"
[ -f /usr/include/bpf/libbpf.h ] || die "libbpf headers missing: apt-get install libbpf-dev"
command -v "$clang" >/dev/null || die "$clang not found: apt-get install clang"

# Paths inside the tarball, below its top directory (linux-source-6.12/).
sel=tools/testing/selftests/bpf
members=(
	$sel/test_sockmap.c
	$sel/cgroup_helpers.c
	$sel/cgroup_helpers.h
	$sel/bpf_util.h
	$sel/progs/test_sockmap_kern.c
	$sel/progs/test_sockhash_kern.c
	$sel/progs/test_sockmap_kern.h
	$sel/progs/bpf_misc.h
	tools/include/linux/args.h
)

mkdir -p "$cache" "$outdir"
cache=$(cd "$cache" && pwd)

# --- 1. extract, keyed on the tarball's identity -------------------------------
src_dir=$cache/src
ksrc_extract "$tarball" "$src_dir" sockmap "${members[@]}"
src_key=$(cat "$src_dir/.stamp")

# --- 2. compile, keyed on the sources, our files and the compilers ---------------
libbpf_ver=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo unknown)
bin_key="$src_key|$(cat "${BASH_SOURCE[0]}" "$here/compat.h" "$here/compat.c" | sha256sum | cut -d' ' -f1)"
bin_key="$bin_key|$("$cc" --version | head -n1)|$("$clang" --version | head -n1)|libbpf $libbpf_ver"
bin=$cache/out
files=(test_sockmap test_sockmap_kern.bpf.o test_sockhash_kern.bpf.o test_sockmap.titles)
if [ ! -f "$bin/.stamp" ] || [ "$(cat "$bin/.stamp")" != "$bin_key" ]; then
	echo "sockmap: building test_sockmap and its BPF objects"
	rm -rf "$bin" "$bin.tmp"
	mkdir -p "$bin.tmp/include/linux"
	s=$src_dir/$sel
	# bpf_util.h includes <linux/args.h>, which only the kernel's tools/include
	# has; that one header, not the whole directory (it would shadow the
	# system's <linux/*.h>).
	cp "$src_dir/tools/include/linux/args.h" "$bin.tmp/include/linux/"

	# BPF objects: the kernel selftests' own warning set; the system headers
	# the way its Makefile finds them (after clang's own, -idirafter).
	bpf_flags=(-O2 -g --target=bpf -mcpu=v3 -Wall -Wno-compare-distinct-pointer-types
		-D__TARGET_ARCH_x86 -idirafter "/usr/include/$("$cc" -print-multiarch)")
	for m in sockmap sockhash; do
		"$clang" "${bpf_flags[@]}" -c "$s/progs/test_${m}_kern.c" \
			-o "$bin.tmp/test_${m}_kern.bpf.o" || die "compiling test_${m}_kern.c failed"
	done

	# The program, compiled from the selftests directory so that messages
	# name its files.
	cflags=(-O2 -g -Wall -I"$bin.tmp/include" -I"$s")
	(cd "$s" && "$cc" "${cflags[@]}" -include "$here/compat.h" -c test_sockmap.c \
		-o "$bin.tmp/test_sockmap.o") || die "compiling test_sockmap.c failed"
	(cd "$s" && "$cc" "${cflags[@]}" -c cgroup_helpers.c -o "$bin.tmp/cgroup_helpers.o") ||
		die "compiling cgroup_helpers.c failed"
	"$cc" -O2 -g -Wall -I"$here" -c "$here/compat.c" -o "$bin.tmp/compat.o" ||
		die "compiling compat.c failed"
	"$cc" -o "$bin.tmp/test_sockmap" "$bin.tmp/test_sockmap.o" "$bin.tmp/cgroup_helpers.o" \
		"$bin.tmp/compat.o" -Wl,--wrap=bpf_link__detach -Wl,--wrap=setsockopt -lbpf ||
		die "linking test_sockmap failed"

	# The titles of its tests, from the test[] table: the guest suite expects
	# each to report.
	sed -n '/^struct _test test\[\] = {$/,/^};$/s/^\t{"\([^"]*\)", *test_[a-z_0-9]*},$/\1/p' \
		"$s/test_sockmap.c" >"$bin.tmp/test_sockmap.titles"
	[ "$(wc -l <"$bin.tmp/test_sockmap.titles")" -gt 0 ] ||
		die "test_sockmap.c changed: no test titles found in its test[] table"

	echo "$bin_key" >"$bin.tmp/.stamp"
	mv "$bin.tmp" "$bin"
fi

for f in "${files[@]}"; do
	if ! cmp -s "$bin/$f" "$outdir/$f"; then
		cp "$bin/$f" "$outdir/$f.tmp"
		mv "$outdir/$f.tmp" "$outdir/$f"
	fi
done
echo "sockmap: $outdir/test_sockmap ready ($(wc -l <"$bin/test_sockmap.titles") tests)"
