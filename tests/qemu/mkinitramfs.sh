#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh KVER KO OUT: build the guest's initramfs for kernel KVER
# with ktls module KO: busybox, kmod, a trimmed and depmod'ed module tree
# (decompressed), the test programs from build/guest/bin with their shared
# libraries, the guest suites and the PID-1 init.
set -euo pipefail

kver=$1
ko=$2
out=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
mods=/lib/modules/$kver
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# The image's root directory is the guest's /: mktemp made it 0700, which
# would lock every user but root out of the whole file system.
chmod 755 "$root"
trap 'echo "mkinitramfs: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

mkdir -p "$root"/{bin,sbin,lib,lib64,usr,proc,sys,dev,tmp,run,t/bin,t/modules} "$root/$mods"
ln -s ../bin "$root/usr/bin"
ln -s ../sbin "$root/usr/sbin"

# busybox applets, then kmod's tools over busybox's module applets.
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
kmod=$(command -v kmod)
cp "$kmod" "$root/bin/kmod"
for a in modprobe insmod rmmod lsmod depmod modinfo; do
	ln -sf kmod "$root/bin/$a"
done
# The kernel runs /sbin/modprobe to load crypto algorithms on demand.
ln -s ../bin/kmod "$root/sbin/modprobe"

# Copy a program's shared libraries (and the loader) into the image.
# Static programs have none.
copy_libs() {
	{ ldd "$1" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_libs "$root/bin/kmod"

# Trimmed module tree: crypto, the in-tree tls.ko, socket diagnostics, and
# whatever those depend on.  Decompressed, so any modprobe can load them.
want=$(cd "$mods" && find kernel/crypto kernel/arch/x86/crypto kernel/lib/crypto \
	kernel/net/tls kernel/net/ipv4/inet_diag.ko* kernel/net/ipv4/tcp_diag.ko* \
	kernel/net/core -name '*.ko*' 2>/dev/null)
all=$(for m in $want; do
	echo "$m"
	grep "^$m:" "$mods/modules.dep" | cut -d: -f2 | tr ' ' '\n'
done | sed '/^$/d' | sort -u)
for m in $all; do
	mkdir -p "$root/$mods/$(dirname "$m")"
	case $m in
	*.xz) xz -dc "$mods/$m" >"$root/$mods/${m%.xz}" ;;
	*.zst) zstd -qdc "$mods/$m" >"$root/$mods/${m%.zst}" ;;
	*.gz) gzip -dc "$mods/$m" >"$root/$mods/${m%.gz}" ;;
	*) cp "$mods/$m" "$root/$mods/$m" ;;
	esac
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ -f "$mods/$f" ] && cp "$mods/$f" "$root/$mods/"
done
depmod -b "$root" "$kver"

# The module under test, test-only modules, programs and suites.
cp "$ko" "$root/t/ktls.ko"
if [ -d "$top/build/guest/modules/$kver" ]; then
	cp "$top/build/guest/modules/$kver"/*.ko "$root/t/modules/"
fi
if [ -d "$top/build/guest/bin" ]; then
	for p in "$top"/build/guest/bin/*; do
		cp "$p" "$root/t/bin/"
		copy_libs "$p"
	done
fi
cp -r "$top/tests/guest/suites" "$root/t/suites"
cp "$top/tests/guest/lib.sh" "$root/t/lib.sh"
[ -d "$top/tests/conformance" ] && cp -r "$top/tests/conformance" "$root/t/conformance"
[ -d "$top/tests/sockmap" ] && cp -r "$top/tests/sockmap" "$root/t/sockmap"
cp "$top/tests/qemu/init" "$root/init"
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
