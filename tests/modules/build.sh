#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KVER: build the test-only modules into build/guest/modules/KVER/.
set -euo pipefail
kver=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/guest/modules/$kver
mkdir -p "$out"
cp "$top"/tests/modules/Kbuild "$top"/tests/modules/*.c "$out/"
make -s -C "/lib/modules/$kver/build" M="$out" modules
