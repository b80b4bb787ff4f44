#!/bin/bash
# Install every Debian package the build, the tests and the demo use.
# Idempotent: does nothing when everything is already present.
set -euo pipefail

PKGS=(
	build-essential make gcc bc flex bison libelf-dev
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64
	linux-source-6.12 dkms clang-format perl
	iproute2 libgnutls28-dev nettle-dev gnutls-bin clang libclang-rt-14-dev
	debhelper dh-dkms dpkg-dev fakeroot lintian rpm openssl
	# ktls-ctl, libktls (tools/) and their host tests (tests/ctl-host.sh):
	# GnuTLS to build, certtool, python3 to check JSON, readelf/nm/objdump,
	# man --warnings for the manual page; ktls-ctl's BPF policies: clang
	# -target bpf, llvm-strip (llvm), libbpf-dev, bpftool gen skeleton
	python3 binutils man-db bpftool
	# The policy suite (55-policy): BPF programs built with clang -target bpf
	# against libbpf's headers, and test programs linked with libbpf (whose
	# libbpf.so.1, libelf and libz go into the guest's initramfs)
	libbpf-dev llvm
	# The kernel's test_sockmap (tests/sockmap/build.sh): its BPF programs
	# include glibc headers, which under clang -target bpf want gnu/stubs-32.h
	libc6-dev-i386
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
