#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.sh KVER...: stage the source in /usr/src, "dkms add" it and
# "dkms build" it for each kernel; copy each DKMS-built module to
# build/dkms/<kver>/ktls.ko so a guest run can load it.  Prints
# "PASS|FAIL dkms.<step>" lines.  Needs root (it is what DKMS needs).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")
log=$top/build/dkms/dkms.log
mkdir -p "$top/build/dkms"
: >"$log"

step() { # step NAME CMD...
	name=$1
	shift
	if "$@" >>"$log" 2>&1; then
		echo "PASS dkms.$name"
	else
		echo "FAIL dkms.$name '$*' failed: $(tail -n 5 "$log" | tr '\n' ' ')"
		return 1
	fi
}

dkms remove "ktls/$version" --all >>"$log" 2>&1
step stage "$top/scripts/dkms-stage.sh" "/usr/src/ktls-$version" || exit 1
step add dkms add "ktls/$version" || exit 1
for kver in "$@"; do
	series=$(echo "$kver" | cut -d. -f1-2)
	step "build-$series" dkms build "ktls/$version" -k "$kver" || continue
	built=$(find "/var/lib/dkms/ktls/$version/$kver" -name 'ktls.ko*' | head -n 1)
	mkdir -p "$top/build/dkms/$kver"
	case $built in
	*.xz) xz -dc "$built" >"$top/build/dkms/$kver/ktls.ko" ;;
	*.zst) zstd -qdc "$built" >"$top/build/dkms/$kver/ktls.ko" ;;
	*) cp "$built" "$top/build/dkms/$kver/ktls.ko" ;;
	esac
	step "built-$series" test -s "$top/build/dkms/$kver/ktls.ko"
done
step status sh -c "dkms status ktls/$version | grep -q built"
