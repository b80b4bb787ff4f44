#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-module.sh KVER [KDIR]: build ktls.ko for one kernel into build/KVER/
# (or $KTLS_OUT; KTLS_FAULT=1: a test build with fault injection).
# The build directory holds links to the sources, so objects for different
# kernels never mix; feature probes run again when a probe or the kernel's
# headers change.
set -euo pipefail

kver=$1
kdir=${2:-/lib/modules/$kver/build}
top=$(cd "$(dirname "$0")/.." && pwd)
out=${KTLS_OUT:-$top/build/$kver}

if [ ! -d "$kdir" ]; then
	echo "build-module: no kernel headers for $kver at $kdir" >&2
	echo "build-module: install linux-headers-$kver" >&2
	exit 1
fi

mkdir -p "$out/src"
for f in "$top"/src/*.[ch]; do
	ln -sfn "$f" "$out/src/$(basename "$f")"
done
# Drop links to sources that no longer exist.
find "$out/src" -xtype l -delete
ln -sfn "$top/include" "$out/include"
ln -sfn "$top/Kbuild" "$out/Kbuild"
ln -sfn "$top/VERSION" "$out/VERSION"

hdr=$out/generated/ktls_probes.h
stamp=$(realpath "$kdir")
if [ ! -f "$hdr" ] || [ "$(cat "$out/generated/kdir" 2>/dev/null)" != "$stamp" ] ||
   [ -n "$(find "$top/src/probes" "$top/scripts/probe.sh" "$kdir/include/generated/utsrelease.h" \
		-newer "$hdr" 2>/dev/null | head -n 1)" ]; then
	"$top/scripts/probe.sh" "$kdir" "$out"
	echo "$stamp" >"$out/generated/kdir"
fi

make -C "$kdir" M="$out" KTLS_WERROR="${KTLS_WERROR:-}" \
	KTLS_FAULT="${KTLS_FAULT:-}" modules
echo "build-module: $out/ktls.ko"
