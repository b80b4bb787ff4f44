#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels.sh: print the test kernels, one per line: for each supported
# series (6.1, 6.12) the newest installed Debian cloud kernel that has both
# an image in /boot and headers.  Fails if a series is missing.
set -euo pipefail
rc=0
for series in 6.1 6.12; do
	k=$(ls -d /lib/modules/"$series".*-cloud-amd64 2>/dev/null | xargs -rn1 basename |
		while read -r v; do
			[ -f "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v/build" ] && echo "$v"
		done | sort -V | tail -n 1)
	if [ -z "$k" ]; then
		echo "kernels: no $series cloud kernel with headers installed (make deps)" >&2
		rc=1
	else
		echo "$k"
	fi
done
exit $rc
