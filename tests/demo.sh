#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo.sh (make demo): install what is needed, build ktls.ko, ktls-ctl and
# the guest's programs, boot Debian's 6.12 cloud kernel in QEMU and show,
# narrated: the module loading, a GnuTLS handshake handing the connection
# to the kernel, a file served by sendfile() over kernel TLS, a BPF policy
# denying one request, and the statistics.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

echo "ktls demo: installing Debian packages if needed (QEMU, kernels, headers) ..."
tests/deps.sh || exit 1
k=$(tests/kernels.sh | grep '^6\.12\.') || exit 1
echo "ktls demo: building ktls.ko for $k ..."
make --no-print-directory -s KVER="$k" >build-demo.log 2>&1 || { cat build-demo.log; exit 1; }
rm -f build-demo.log
echo "ktls demo: building ktls-ctl, libktls and the guest's programs ..."
make --no-print-directory -s tools >/dev/null || exit 1
make --no-print-directory -s -C tools/ktls-ctl guest >/dev/null || exit 1
make --no-print-directory -s -C tests/guest/progs >/dev/null || exit 1
echo "ktls demo: booting $k under QEMU (software emulation, about a minute) ..."
echo
mkdir -p build/demo
tests/qemu/boot.sh "$k" "build/$k/ktls.ko" demo build/demo 300 >build/demo/report.txt 2>&1
rc=$?
sed -n 's/^INFO [^:]*: //p' build/demo/report.txt
echo
if [ $rc -eq 0 ]; then
	echo "ktls demo: all $(grep -c '^PASS' build/demo/report.txt) checks passed (full report: build/demo/report.txt)."
else
	echo "ktls demo: something failed:"
	grep '^FAIL' build/demo/report.txt
fi
exit $rc
