# SPDX-License-Identifier: GPL-2.0
# TLS 1.3 KeyUpdate, TLS_TX_MAX_PAYLOAD_LEN, /proc/net/ktls_stat and
# socket diagnostics (issue 4).
stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/ktls_stat; }
stat_is() { [ "$(stat "$1")" = "$2" ] || { echo "$1 = $(stat "$1"), want $2"; return 1; }; }

modprobe aesni_intel 2>/dev/null
modprobe tcp_diag 2>/dev/null
expect rekey.load insmod /t/ktls.ko
expect rekey.stat-file test -r /proc/net/ktls_stat
expect rekey.stat-names sh -c '[ "$(awk "{ print \$1 }" /proc/net/ktls_stat | head -n 17 | xargs)" = "TlsCurrTxSw TlsCurrRxSw TlsCurrTxDevice TlsCurrRxDevice TlsTxSw TlsRxSw TlsTxDevice TlsRxDevice TlsDecryptError TlsRxDeviceResync TlsDecryptRetry TlsRxNoPadViolation TlsRxRekeyOk TlsRxRekeyError TlsTxRekeyOk TlsTxRekeyError TlsRxRekeyReceived" ]'

run_prog rekey /t/bin/tls_rekey ktls expired
run_prog rekey /t/bin/tls_rekey ktls limits
PROG_TIMEOUT=700 run_prog rekey /t/bin/tls_rekey ktls stress

# The error paths above counted exactly this much.
expect rekey.tx-rekey-errors stat_is TlsTxRekeyError 0
expect rekey.rx-rekey-errors stat_is TlsRxRekeyError 0
expect rekey.decrypt-errors stat_is TlsDecryptError 0

# ss shows a live ktls socket with its ULP.
/t/bin/tls_rekey ktls hold >/tmp/hold.out 2>&1 &
hold=$!
i=0
while ! grep -q READY /tmp/hold.out && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect rekey.ss-shows-ulp sh -c '/t/bin/ss -tie | grep -q "tcp-ulp-ktls"'
expect rekey.curr-while-open sh -c '[ "$(awk "\$1 == \"TlsCurrTxSw\" { print \$2 }" /proc/net/ktls_stat)" -ge 2 ]'
wait $hold

# Everything closed: nothing current, nothing alive.
expect rekey.curr-tx-zero stat_is TlsCurrTxSw 0
expect rekey.curr-rx-zero stat_is TlsCurrRxSw 0
sleep 1
expect rekey.live-contexts-zero stat_is KtlsLiveContexts 0
expect rekey.live-records-zero stat_is KtlsLiveRxRecords 0
expect rekey.unload rmmod ktls

# iproute2's ss decodes the ULP info only under the name "tls": with
# register_tls=1 it shows ours in full (version, cipher, TX/RX mode).
expect rekey.load-tls insmod /t/ktls.ko register_tls=1
/t/bin/tls_rekey tls hold >/tmp/hold.out 2>&1 &
hold=$!
i=0
while ! grep -q READY /tmp/hold.out && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
/t/bin/ss -tie >/tmp/ss.out 2>&1
expect rekey.ss-shows-info sh -c 'grep -q "tcp-ulp-tls version: 1.3 cipher: aes-gcm-128 rxconf: sw txconf: sw" /tmp/ss.out || { grep -m2 ulp /tmp/ss.out; exit 1; }'
wait $hold
sleep 1
expect rekey.tls-live-contexts-zero stat_is KtlsLiveContexts 0
expect rekey.unload-tls rmmod ktls
