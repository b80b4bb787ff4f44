#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KVER: build the test-only modules into build/guest/modules/KVER/:
# the harness self-test's ktls_warn_test.ko, and ktls_fault.ko, ktls.ko
# with its fault-injection points (src/fault.c) for the 47-nomem suite.
set -euo pipefail
kver=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/guest/modules/$kver
mkdir -p "$out"
cp "$top"/tests/modules/Kbuild "$top"/tests/modules/*.c "$out/"
make -s -C "/lib/modules/$kver/build" M="$out" modules
KTLS_OUT=$top/build/fault/$kver KTLS_FAULT=1 KTLS_WERROR=1 \
	"$top"/scripts/build-module.sh "$kver"
cp "$top/build/fault/$kver/ktls.ko" "$out/ktls_fault.ko"
