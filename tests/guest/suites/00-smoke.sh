# SPDX-License-Identifier: GPL-2.0
# Smoke: the module loads, registers "ktls" and unloads.
expect load insmod /t/ktls.ko
expect ulp-listed grep -qw ktls /proc/sys/net/ipv4/tcp_available_ulp
expect unload rmmod ktls
