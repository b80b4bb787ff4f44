#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel's own kTLS conformance suite (tools/testing/selftests/net/tls.c
# from Debian's linux-source-6.12) as OUTDIR/tls_selftest, a static binary the
# guest suite tests/guest/suites/50-conformance.sh runs against our module.
#
# Usage: tests/conformance/build.sh OUTDIR
#
# Nothing of the kernel tree is checked in: the three source files are pulled out
# of /usr/src/linux-source-6.12.tar.xz into a scratch cache (default
# build/conformance-src, override with KTLS_CONFORMANCE_CACHE) and patched there.
# Extraction (about 20 s) and compilation (about 5 s) are redone only when the
# tarball's mtime/size, this script or the compiler change.
#
# Only Debian's userspace headers are used: linux-libc-dev 6.1 already defines
# every UAPI constant tls.c needs (TLS_RX_EXPECT_NO_PAD, TLS_TX_ZEROCOPY_RO, the
# SM4 and ARIA cipher structs), so no compat header is needed.
#
# Environment: KTLS_LINUX_SOURCE (tarball path), KTLS_CONFORMANCE_CACHE,
# CC (default gcc), TLS_SELFTEST_STATIC=0 to link dynamically.
set -euo pipefail

die() {
	echo "conformance/build.sh: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
outdir=$1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/ksrc.sh
. "$here/../ksrc.sh"
repo=$(cd "$here/../.." && pwd)
tarball=${KTLS_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
cache=${KTLS_CONFORMANCE_CACHE:-$repo/build/conformance-src}
cc=${CC:-gcc}

[ -f "$tarball" ] ||
	die "$tarball not found: install Debian's linux-source-6.12 (apt-get install linux-source-6.12)"

# Paths inside the tarball, below its top directory (linux-source-6.12/).
members=(
	tools/testing/selftests/net/tls.c
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
)

mkdir -p "$cache" "$outdir"
cache=$(cd "$cache" && pwd)

# --- 1. extract, keyed on the tarball's identity -------------------------------
src_dir=$cache/src
ksrc_extract "$tarball" "$src_dir" conformance "${members[@]}"
src_key=$(cat "$src_dir/.stamp")

# --- 2. the one source fix -----------------------------------------------------
# Debian backported rekey tests that call tls_crypto_info_init(version, cipher,
# keys, generation) while the helper still takes three arguments.  Give the
# helper the fourth argument: the generation byte fills the key material (key,
# iv, salt, rec_seq) so two generations differ; the tls_crypto_info header stays
# zero before version and cipher are set.  The older three-argument callers keep
# their old meaning (all zero key material) through a macro whose fourth
# argument defaults to 0.  If the helper already has four parameters (a later
# Debian tree), nothing is patched.
patch_tls_c() {
	local in=$1 out=$2

	if grep -A1 '^static void tls_crypto_info_init(' "$in" | grep -q 'keys \*tls12,'; then
		echo "conformance: tls_crypto_info_init() already takes 4 arguments, not patching"
		cp "$in" "$out"
		return
	fi
	sed -e '/^static void tls_crypto_info_init(uint16_t tls_version, uint16_t cipher_type,$/{
i\
#define tls_crypto_info_init(ver, cipher, keys, ...) \\\
	tls_crypto_info_init_gen(ver, cipher, keys, __VA_ARGS__ + 0)
s/tls_crypto_info_init(/tls_crypto_info_init_gen(/
n
s/struct tls_crypto_info_keys \*tls12)$/struct tls_crypto_info_keys *tls12, char key_gen)/
n
n
s/^\tmemset(tls12, 0, sizeof(\*tls12));$/\tmemset(tls12, key_gen, sizeof(*tls12));\
\tmemset(\&tls12->crypto_info, 0, sizeof(tls12->crypto_info));/
}' "$in" >"$out"
	if ! grep -q 'char key_gen)$' "$out" ||
		! grep -q 'memset(tls12, key_gen, sizeof(\*tls12));' "$out" ||
		! grep -q '^#define tls_crypto_info_init(' "$out"; then
		die "tls.c changed: the tls_crypto_info_init() fix no longer applies"
	fi
}

# --- 3. compile, keyed on the sources, this script and the compiler -------------
static=${TLS_SELFTEST_STATIC:-1}
ldflags=()
[ "$static" = 1 ] && ldflags+=(-static)
bin_key="$src_key|$(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)|$("$cc" --version | head -n1)|${ldflags[*]}"
bin=$cache/tls_selftest
if [ ! -x "$bin" ] || [ ! -f "$bin.stamp" ] || [ "$(cat "$bin.stamp")" != "$bin_key" ]; then
	echo "conformance: building tls_selftest"
	rm -f "$bin" "$bin.stamp"
	work=$cache/work
	rm -rf "$work"
	mkdir -p "$work/net"
	cp "$src_dir/tools/testing/selftests/kselftest_harness.h" \
		"$src_dir/tools/testing/selftests/kselftest.h" "$work/"
	patch_tls_c "$src_dir/tools/testing/selftests/net/tls.c" "$work/net/tls.c"
	# Compiled from its own directory so that failure messages name "tls.c".
	(cd "$work/net" && "$cc" -O2 -Wall -o "$bin.tmp" tls.c "${ldflags[@]}") ||
		die "compiling tls.c failed"
	mv "$bin.tmp" "$bin"
	echo "$bin_key" >"$bin.stamp"
fi

if ! cmp -s "$bin" "$outdir/tls_selftest"; then
	cp "$bin" "$outdir/tls_selftest.tmp"
	mv "$outdir/tls_selftest.tmp" "$outdir/tls_selftest"
fi
echo "conformance: $outdir/tls_selftest ready"
