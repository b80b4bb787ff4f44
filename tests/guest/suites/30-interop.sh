# SPDX-License-Identifier: GPL-2.0
# Interoperability: ktls and the in-tree tls.ko exchange records, both
# ways, for every TLS version x cipher (tests/guest/progs/tls_interop.c).
# ktls <-> tls proves the wire format against an independent
# implementation; ktls <-> ktls checks ktls against itself.  TLS runs at a
# few MB/s under QEMU TCG, so the sendfiles are 256 KiB + 4099 bytes, except
# one 64 MiB sendfile from ktls into tls (TLS 1.2 AES-GCM-128, about 25 s).

stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/ktls_stat; }

# Accelerated AES-GCM (6.1 does not autoload aesni_intel), CCM, ChaCha20.
load_aeads interop

expect interop.load insmod /t/ktls.ko
expect interop.load-intree modprobe tls
PROG_TIMEOUT=300 run_prog interop.ktls-tls /t/bin/tls_interop -F 64 ktls tls
PROG_TIMEOUT=300 run_prog interop.tls-ktls /t/bin/tls_interop tls ktls
PROG_TIMEOUT=300 run_prog interop.ktls-ktls /t/bin/tls_interop ktls ktls
info "interop: AEAD drivers used: $(sed -n 's/^driver *: //p' /proc/crypto |
	grep -E 'gcm|ccm|chacha20poly1305' | grep -v -e '^__' -e cryptd | sort -u | xargs)"
# Sealed records' page fragments came back from the network and were used
# again (src/frag.c); with frag_shelf=0 none is, and records still match.
expect interop.frag-reused sh -c "[ $(stat KtlsFragReused) -gt 0 ]"
expect interop.unload-intree unload tls
expect interop.unload unload ktls
expect interop.load-shelf-off insmod /t/ktls.ko frag_shelf=0
PROG_TIMEOUT=300 run_prog interop.shelf-off /t/bin/tls_interop ktls ktls
expect interop.frag-shelf-off sh -c "[ $(stat KtlsFragReused) -eq 0 ]"
expect interop.unload-shelf-off unload ktls
