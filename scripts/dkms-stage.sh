#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-stage.sh DEST: copy what DKMS needs to build ktls into DEST (for
# example /usr/src/ktls-<version>) and fill in the version in dkms.conf.
set -euo pipefail
dest=$1
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")

rm -rf "$dest"
mkdir -p "$dest/scripts"
cp -r "$top/src" "$top/include" "$dest/"
# Fault injection is for test builds only (tests/modules/build.sh): the
# packaged source cannot build it in, whatever the environment says.
rm -f "$dest/src/fault.c"
cp "$top/Makefile" "$top/Kbuild" "$top/VERSION" "$top/COPYING" "$dest/"
cp "$top/scripts/build-module.sh" "$top/scripts/probe.sh" "$dest/scripts/"
sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" >"$dest/dkms.conf"
