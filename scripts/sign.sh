#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sign.sh [KVER | FILE.ko]...: sign ktls.ko with DKMS's Machine Owner Key,
# the key DKMS signs the modules it builds with, so one MOK enrolment
# covers both (README, "Secure Boot").  A KVER means build/KVER/ktls.ko;
# with no argument, every build/*/ktls.ko.
#
# Key and certificate: MOK_KEY and MOK_CERT if set, else mok_signing_key
# and mok_certificate from DKMS's framework.conf, else
# /var/lib/dkms/mok.key and mok.pub.  Missing ones are created the way
# DKMS creates them (RSA-2048 key, self-signed DER certificate,
# CN "DKMS module signing key").  The signing tool is the kernel's
# scripts/sign-file from its headers package, the hash the kernel's
# CONFIG_MODULE_SIG_HASH.  A signature already on the module (from an
# earlier run) is replaced, not stacked.  Needs root for DKMS's key.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
MAGIC='~Module signature appended~'

die() {
	echo "sign: $*" >&2
	exit 1
}

# framework_var NAME: NAME's value in DKMS's framework configuration, if
# set there (the last assignment wins, as when DKMS reads it).
framework_var() {
	local f
	for f in /etc/dkms/framework.conf /etc/dkms/framework.conf.d/*.conf; do
		if [ -f "$f" ]; then cat "$f"; fi
	done | sed -n "s/^[[:space:]]*$1=[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*$/\1/p" | tail -n 1
}

key=${MOK_KEY:-$(framework_var mok_signing_key)}
cert=${MOK_CERT:-$(framework_var mok_certificate)}
key=${key:-/var/lib/dkms/mok.key}
cert=${cert:-/var/lib/dkms/mok.pub}

if [[ $key != pkcs11:* ]] && { [ ! -f "$key" ] || [ ! -f "$cert" ]; }; then
	command -v openssl >/dev/null || die "openssl is needed to create the key $key"
	echo "sign: creating the signing key $key and certificate $cert (as DKMS does)"
	mkdir -p "$(dirname "$key")" "$(dirname "$cert")"
	(umask 077 && openssl req -new -x509 -nodes -days 36500 -subj "/CN=DKMS module signing key" \
		-newkey rsa:2048 -keyout "$key" -outform DER -out "$cert" 2>/dev/null) ||
		die "could not create $key and $cert"
fi
[ -r "$cert" ] || die "cannot read the certificate $cert"
[[ $key == pkcs11:* ]] || [ -r "$key" ] || die "cannot read the key $key (run as root)"

# strip_signature FILE: remove an appended module signature:
# [module][signature][struct module_signature, 12 bytes][MAGIC\n].
strip_signature() {
	local f=$1 size siglen
	tail -c $((${#MAGIC} + 1)) "$f" | cmp -s - <(printf '%s\n' "$MAGIC") || return 0
	size=$(stat -c %s "$f")
	# sig_len: the struct's last 4 bytes, big-endian.
	siglen=$(tail -c $((${#MAGIC} + 1 + 4)) "$f" | head -c 4 | od -An -tu1 |
		awk '{ print ((($1 * 256 + $2) * 256 + $3) * 256 + $4) }')
	truncate -s $((size - ${#MAGIC} - 1 - 12 - siglen)) "$f"
}

sign_one() {
	local ko=$1 kver kdir signfile hash
	[ -f "$ko" ] || die "$ko: no such file (build it first: make KVER=<version>)"
	kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[ -n "$kver" ] || die "$ko: not a kernel module"
	kdir=/lib/modules/$kver/build
	signfile=$kdir/scripts/sign-file
	[ -x "$signfile" ] || die "$signfile not found: install linux-headers-$kver"
	hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$kdir/.config" 2>/dev/null)
	hash=${hash:-sha512}
	strip_signature "$ko"
	"$signfile" "$hash" "$key" "$cert" "$ko"
	echo "sign: $ko ($kver): signed by '$(modinfo -F signer "$ko")', $hash"
}

targets=()
if [ $# -eq 0 ]; then
	for ko in "$top"/build/*/ktls.ko; do
		[ -f "$ko" ] && targets+=("$ko")
	done
	[ ${#targets[@]} -gt 0 ] || die "nothing to sign: no build/*/ktls.ko (run make first)"
else
	for a in "$@"; do
		case $a in
		*.ko) targets+=("$a") ;;
		*) targets+=("$top/build/$a/ktls.ko") ;;
		esac
	done
fi
for ko in "${targets[@]}"; do
	sign_one "$ko"
done
