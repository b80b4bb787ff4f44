# SPDX-License-Identifier: GPL-2.0
# ktls-ctl and libktls (tools/ktls-ctl, tools/libktls; issue 6):
#   - module show, feature probe, stats show without and with the module
#   - handshake server: unmodified userspace TLS clients download files
#     that ktls-ctl sends with sendfile() over ktls, byte-exact: gnutls-cli
#     64 MiB for TLS 1.2 and 1.3 x AES-128-GCM, AES-256-GCM,
#     ChaCha20-Poly1305, and 256 KiB with TLS 1.3 AES-128-CCM; openssl
#     s_client 64 MiB (TLS 1.3 AES-128-GCM, TLS 1.2 AES-256-GCM).
#     gnutls-cli switches its stdout's buffering off and writes one byte
#     per write(): about 7 s per MiB under TCG.  The 64 MiB downloads run
#     it with LD_PRELOAD=shim_bufout.so (tests/guest/progs), which keeps
#     stdout buffered and changes nothing else; the AES-128-CCM download
#     runs it as it is.  The six 64 MiB downloads take 14-29 s each, 2.2
#     to 2.7 minutes per kernel (TCG, 2026-11-23).
#   - the libktls example client against the server
#   - handshake client against unmodified gnutls-serv --echo: 1 MiB echoed
#     (TLS 1.3 and 1.2, and through the in-tree tls.ko with --ulp tls)
#   - a TLS 1.3 KeyUpdate from the peer is reported, not ignored
#   - sock keys: keys installed into a helper's socket through pidfd_getfd,
#     records exchanged with a peer keyed independently; another uid: EPERM
#   - policy: the deny example loaded, a denied prefix set, the cgroup hook
#     on the client's cgroup: `handshake client` asking the file server
#     for a denied path fails with EACCES (the SK_MSG program judges the
#     sender's plaintext, so the client's send() of the request line is
#     what fails; the server never sees the request), an allowed path is
#     served; `policy show` and /proc/net/ktls_stat count exactly that;
#     detach lets the denied request through, attach denies it again.
#     The default policy on the server's cgroup counts a file sent with
#     sendfile(): bytes and records match the file and KtlsTxMsgPass.
#   - help at every level, usage errors exit 2, -j output is JSON
# ktls-ctl, ktls-client, gnutls-cli, gnutls-serv, certtool and openssl come
# from `make -C tools/ktls-ctl guest`; ctl_* helpers and shim_bufout.so
# from tests/guest/progs.

B=/t/bin
K=$B/ktls-ctl
J=$B/ctl_jsoncheck
W=/tmp/ctl
BIG_MB=64
BIG_ALL=
T0=$(date +%s)
mkdir -p $W/www

if [ ! -x $K ] || [ ! -x $B/gnutls-cli ]; then
	result FAIL ctl.installed "ktls-ctl or gnutls-cli missing from the image (make -C tools/ktls-ctl guest)"
	return 0 2>/dev/null || exit 0
fi

load_aeads ctl
modprobe -q tcp_diag 2>/dev/null || log "ctl: modprobe tcp_diag failed"

# rc_is NAME WANT CMD...: PASS if CMD exits with status WANT.  Output in $W/rc.out.
rc_is() {
	n=$1 want=$2
	shift 2
	"$@" >$W/rc.out 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		result PASS "$n"
	else
		result FAIL "$n" "'$*' exited $rc, want $want: $(tail -n 2 $W/rc.out | tr '\n' ' ' | cut -c1-200)"
	fi
}

# has NAME PATTERN CMD...: PASS if CMD's output matches the grep PATTERN.
has() {
	n=$1 pat=$2
	shift 2
	out=$("$@" 2>&1)
	if echo "$out" | grep -q -e "$pat"; then
		result PASS "$n"
	else
		result FAIL "$n" "no '$pat' in: $(echo "$out" | tr '\n' ' ' | cut -c1-240)"
	fi
}

# json NAME ARGS...: `ktls-ctl -j ARGS` writes only JSON on stdout and
# nothing on stderr, whatever its exit status.
json() {
	n=$1
	shift
	$K -j "$@" >$W/j.out 2>$W/j.err
	if ! chk=$($J <$W/j.out); then
		result FAIL "$n" "$chk: $(head -c 200 $W/j.out)"
	elif [ -s $W/j.err ]; then
		result FAIL "$n" "stderr: $(head -c 200 $W/j.err)"
	else
		result PASS "$n"
	fi
}

# wait_for FILE PATTERN: up to 20 s for PATTERN to show up in FILE.
wait_for() {
	i=0
	while ! grep -q -e "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		usleep 100000
	done
}

# --- before the module is loaded -----------------------------------------
has ctl.module-show-unloaded 'ktls: not loaded' $K module show
rc_is ctl.probe-unloaded-fails 1 $K feature probe
has ctl.probe-unloaded-verdict 'will NOT work' cat $W/rc.out
rc_is ctl.stats-unloaded-fails 1 $K stats show

expect ctl.load insmod /t/ktls.ko
expect ctl.load-intree modprobe tls

# --- module, feature, stats ---------------------------------------------------
has ctl.module-show 'ktls: loaded' $K module show
has ctl.module-show-ulp '"name":"ktls","provider":"ktls"' $K -j module show
has ctl.module-show-version "\"version\":\"$(cat /sys/module/ktls/version)\"" $K -j module show
rc_is ctl.probe 0 $K feature probe
has ctl.probe-aes-gcm '^cipher aes-gcm-128 *yes' cat $W/rc.out
has ctl.probe-chacha '^cipher chacha20-poly1305 *yes' cat $W/rc.out
has ctl.probe-verdict '^verdict: kernel TLS works' cat $W/rc.out
has ctl.stats 'TlsCurrTxSw' $K stats show
has ctl.stats-ktls-counters '^KtlsLiveContexts  *0$' $K stats show
has ctl.stats-intree 'TlsCurrTxSw' $K stats show tls

# --- certificates and content ---------------------------------------------------
printf 'cn = ktls test\nip_address = 127.0.0.1\nexpiration_days = 2\ntls_www_server\nsigning_key\nca\ncert_signing_key\n' >$W/tmpl
$B/certtool --generate-privkey --key-type=ecdsa --outfile $W/key.pem >$W/certtool.log 2>&1 &&
	$B/certtool --generate-self-signed --load-privkey $W/key.pem \
		--template $W/tmpl --outfile $W/cert.pem >>$W/certtool.log 2>&1
expect ctl.certificate test -s $W/cert.pem
dd if=/dev/urandom of=$W/www/big bs=1M count=$BIG_MB 2>/dev/null
head -c 262147 /dev/urandom >$W/www/small
for f in big small; do
	md5sum <$W/www/$f | cut -d' ' -f1 >$W/www/$f.md5
done

# --- handshake server: gnutls-cli downloads -------------------------------------
$K -j handshake server 0 --cert $W/cert.pem --key $W/key.pem --root $W/www \
	>$W/srv.log 2>&1 &
srv=$!
if wait_for $W/srv.log '"event":"listening"'; then
	port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' $W/srv.log)
	result PASS ctl.server-listens
else
	result FAIL ctl.server-listens "$(head -c 200 $W/srv.log)"
fi

# check NAME RC FILE VERSION CIPHER: a client exited RC after fetching /FILE
# into $W/dl.out: headers, then a body equal to the file; the server's log
# names VERSION, CIPHER and ULP ktls.
check() {
	n=$1 rc=$2 f=$3 ver=$4 cipher=$5
	size=$(stat -c %s $W/www/$f)
	got=$(stat -c %s $W/dl.out)
	hdr=$((got - size))
	line=$(grep "\"path\":\"/$f\"" $W/srv.log | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		result FAIL "$n" "client exited $rc: $(tail -n 2 $W/dl.err | tr '\n' ' ' | cut -c1-200)"
	elif [ $hdr -le 0 ] || ! head -c $hdr $W/dl.out | grep -q "Content-Length: $size"; then
		result FAIL "$n" "got $got bytes for $size: $(head -c 120 $W/dl.out | tr '\r\n' '  ')"
	elif [ "$(tail -c "$size" $W/dl.out | md5sum | cut -d' ' -f1)" != "$(cat $W/www/$f.md5)" ]; then
		result FAIL "$n" "body differs from the file (md5)"
	elif ! echo "$line" | grep -q "\"version\":\"$ver\",\"cipher\":\"$cipher\",\"ulp\":\"ktls\""; then
		result FAIL "$n" "server reported: $line"
	else
		result PASS "$n"
		info "ctl: $n: $size bytes in $(($(date +%s) - t0)) s"
	fi
}

# gnutls_get NAME PRIORITY FILE VERSION CIPHER [PRELOAD]: gnutls-cli
# fetches /FILE.  gnutls-cli exits at the end of stdin, so stdin stays
# open (a FIFO) until the server closes.  PRELOAD: shim_bufout.so (see the
# top of this file).
gnutls_get() {
	rm -f $W/fifo
	mkfifo $W/fifo
	t0=$(date +%s)
	timeout 300 env ${6:+LD_PRELOAD=$6} $B/gnutls-cli --priority "$2" -p "$port" \
		--x509cafile $W/cert.pem --logfile $W/cli.log 127.0.0.1 \
		<$W/fifo >$W/dl.out 2>$W/dl.err &
	cli=$!
	exec 4>$W/fifo
	printf 'GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "$3" >&4
	wait $cli
	rc=$?
	exec 4>&-
	check "$1" $rc "$3" "$4" "$5"
}

# openssl_get NAME S_CLIENT_ARGS FILE VERSION CIPHER: OpenSSL's s_client
# (userspace TLS, kTLS off) fetches /FILE.
openssl_get() {
	t0=$(date +%s)
	printf 'GET /%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' "$3" |
		timeout 100 $B/openssl s_client -connect "127.0.0.1:$port" \
			-CAfile $W/cert.pem -verify_return_error -quiet $2 \
			>$W/dl.out 2>$W/dl.err
	check "$1" $? "$3" "$4" "$5"
}

P='NORMAL:-VERS-ALL:-CIPHER-ALL'
S=$B/shim_bufout.so
gnutls_get ctl.gnutls-64m-tls13-aes128gcm "$P:+VERS-TLS1.3:+AES-128-GCM" big 1.3 aes-gcm-128 $S
gnutls_get ctl.gnutls-64m-tls13-aes256gcm "$P:+VERS-TLS1.3:+AES-256-GCM" big 1.3 aes-gcm-256 $S
gnutls_get ctl.gnutls-64m-tls12-aes128gcm "$P:+VERS-TLS1.2:+AES-128-GCM" big 1.2 aes-gcm-128 $S
gnutls_get ctl.gnutls-64m-tls12-aes256gcm "$P:+VERS-TLS1.2:+AES-256-GCM" big 1.2 aes-gcm-256 $S
gnutls_get ctl.gnutls-64m-tls13-chacha "$P:+VERS-TLS1.3:+CHACHA20-POLY1305" big 1.3 chacha20-poly1305 $S
gnutls_get ctl.gnutls-64m-tls12-chacha "$P:+VERS-TLS1.2:+CHACHA20-POLY1305" big 1.2 chacha20-poly1305 $S
# Without the shim: one byte per write(), the file stays small.
gnutls_get ctl.gnutls-tls13-aes128ccm "$P:+VERS-TLS1.3:+AES-128-CCM" small 1.3 aes-ccm-128

# 64 MiB downloads take 12-19 s each under TCG: two cover both versions
# and both key sizes; BIG_ALL=1 (top of this file) adds the other three.
openssl_get ctl.openssl-64m-tls13-aes128gcm "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256" big 1.3 aes-gcm-128
openssl_get ctl.openssl-64m-tls12-aes256gcm "-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384" big 1.2 aes-gcm-256
if [ -n "$BIG_ALL" ]; then
	openssl_get ctl.openssl-64m-tls13-aes256gcm "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" big 1.3 aes-gcm-256
	openssl_get ctl.openssl-64m-tls12-aes128gcm "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256" big 1.2 aes-gcm-128
	openssl_get ctl.openssl-64m-tls13-chacha "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256" big 1.3 chacha20-poly1305
fi

# The libktls example: kernel TLS on both ends.
t0=$(date +%s)
timeout 60 $B/ktls-client 127.0.0.1 "$port" $W/cert.pem /small >$W/dl.out 2>$W/dl.err
check ctl.libktls-example "$?" small 1.3 aes-gcm-128

# A KeyUpdate from the client must end the connection with a clear error.
rm -f $W/fifo
mkfifo $W/fifo
timeout 30 $B/gnutls-cli --priority "$P:+VERS-TLS1.3:+AES-128-GCM" --inline-commands \
	-p "$port" --x509cafile $W/cert.pem --logfile $W/ku.log 127.0.0.1 \
	<$W/fifo >$W/ku.out 2>&1 &
cli=$!
exec 4>$W/fifo
echo '^rekey1^' >&4
if wait_for $W/srv.log 'KeyUpdate'; then
	result PASS ctl.keyupdate-reported
else
	result FAIL ctl.keyupdate-reported "server log: $(tail -n 2 $W/srv.log | tr '\n' ' ' | cut -c1-200)"
fi
exec 4>&-
kill $cli 2>/dev/null
wait $cli 2>/dev/null

# Every server event and error is one JSON document per line.
if chk=$($J <$W/srv.log); then
	result PASS ctl.json-server-events
else
	result FAIL ctl.json-server-events "$chk"
fi
kill $srv
wait $srv 2>/dev/null

# --- handshake client: gnutls-serv --echo -----------------------------------------
$B/gnutls-serv --echo --crlf -q -p 5557 --x509certfile $W/cert.pem \
	--x509keyfile $W/key.pem >/dev/null 2>&1 &
echo_srv=$!
i=0
while ! netstat -ltn 2>/dev/null | grep -q ':5557 '; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	usleep 100000
done
# gnutls-serv's echo is line-oriented: send text (base64), exactly 1 MiB.
head -c 800000 /dev/urandom | base64 | head -c 1048576 >$W/echo.in

# echo_test NAME GLOBAL_OPTIONS [CLIENT_OPTIONS...]
echo_test() {
	n=$1 g=$2
	shift 2
	t0=$(date +%s)
	timeout 120 $K $g handshake client 127.0.0.1 5557 --cafile $W/cert.pem "$@" \
		<$W/echo.in >$W/echo.out 2>$W/echo.err
	rc=$?
	if [ $rc -ne 0 ]; then
		result FAIL "$n" "exit $rc: $(tail -n 2 $W/echo.err | tr '\n' ' ' | cut -c1-200)"
	elif ! cmp -s $W/echo.in $W/echo.out; then
		result FAIL "$n" "echo differs: $(stat -c %s $W/echo.out) bytes back"
	else
		result PASS "$n"
		info "ctl: $n: 1 MiB echoed in $(($(date +%s) - t0)) s"
	fi
}
echo_test ctl.client-echo-tls13 ""
has ctl.client-reports-ulp 'TLS 1.3 .*ULP ktls' cat $W/echo.err
echo_test ctl.client-echo-intree-tls "" --ulp tls
has ctl.client-intree-ulp 'ULP tls)' cat $W/echo.err
echo_test ctl.client-echo-tls12-json -j --priority "$P:+VERS-TLS1.2:+AES-256-GCM"
if chk=$($J <$W/echo.err) && grep -q '"version":"1.2","cipher":"aes-gcm-256"' $W/echo.err; then
	result PASS ctl.json-client-events
else
	result FAIL ctl.json-client-events "$chk: $(head -c 200 $W/echo.err)"
fi
kill $echo_srv
wait $echo_srv 2>/dev/null

# --- sock keys: pidfd hand-off -----------------------------------------------------
# handoff TAG PEER_ULP VERSION CIPHER
handoff() {
	tag=$1 peer=$2 ver=$3 cipher=$4
	rm -f $W/h.in
	mkfifo $W/h.in
	$B/ctl_handoff $W/keys "$peer" "$ver" "$cipher" <$W/h.in >$W/h.out 2>&1 &
	hp=$!
	exec 5>$W/h.in
	if ! wait_for $W/h.out '^READY'; then
		result FAIL "ctl.handoff-$tag" "helper not ready: $(head -c 200 $W/h.out)"
		exec 5>&-
		wait $hp
		return
	fi
	set -- $(grep '^READY' $W/h.out)
	pid=$2 fd=$3
	if [ "$tag" = tls13 ]; then
		rc_is ctl.keys-other-uid-eperm 1 $B/ctl_runas 65534 \
			$K sock keys pid $pid fd $fd both file - <$W/keys
		has ctl.keys-other-uid-message 'Operation not permitted' cat $W/rc.out
		$B/ctl_runas 65534 $K -j sock keys pid $pid fd $fd both file - \
			<$W/keys >$W/j.out 2>&1
		if $J <$W/j.out >/dev/null && grep -q 'Operation not permitted' $W/j.out; then
			result PASS ctl.json-keys-error
		else
			result FAIL ctl.json-keys-error "$(head -c 200 $W/j.out)"
		fi
	fi
	rc_is "ctl.keys-$tag" 0 $K sock keys pid $pid fd $fd both file - <$W/keys
	has "ctl.sock-show-$tag" "ulp ktls TLS $ver $cipher tx sw rx sw pid $pid fd $fd" \
		$K sock show
	has "ctl.sock-show-peer-$tag" "ulp $peer TLS $ver $cipher tx sw rx sw pid $pid" \
		$K sock show
	[ "$tag" = tls13 ] && json ctl.json-sock-show sock show
	echo go >&5
	exec 5>&-
	wait $hp
	rc=$?
	while read -r st name reason; do
		case $st in
		PASS | FAIL | SKIP) result "$st" "ctl.handoff-$tag.$name" "$reason" ;;
		esac
	done <$W/h.out
	[ $rc -eq 0 ] || result FAIL "ctl.handoff-$tag.exit" "helper exited $rc"
}
handoff tls13 tls 1.3 aes-gcm-128
handoff tls12 ktls 1.2 chacha20-poly1305

# --- policy: the deny example through the cgroup hook ------------------------------
# The client runs in cgroup ktls-client, whose established TCP connections
# the hook puts into the policy's sockhash before GnuTLS's handshake; the
# hand-off then attaches "ktls" to a socket already in the map, as the
# kernel requires.  The deny program judges the client's plaintext, so a
# denied request line fails the client's send() with EACCES.
CG=/sys/fs/cgroup
PIN=/sys/fs/bpf/ktls
cg_mounted=
if ! grep -q " $CG cgroup2 " /proc/mounts; then
	mount -t cgroup2 none $CG && cg_mounted=1
fi
mkdir -p $CG/ktls-client $CG/ktls-server $W/www/private $W/www/public
echo "the secret plan" >$W/www/private/plan.txt
echo "hello, world" >$W/www/public/index.txt

# in_cg CGROUP CMD...: run CMD as a member of cgroup CGROUP.
in_cg() {
	cg=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/$cg" "$@"
}
kstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/ktls_stat; }
# The four TX verdict counters, as "pass drop redirect dropped_bytes".
kstats() { echo "$(kstat KtlsTxMsgPass) $(kstat KtlsTxMsgDrop) $(kstat KtlsTxMsgRedirect) $(kstat KtlsTxMsgDroppedBytes)"; }
# Counter deltas between two kstats outputs.
kdelta() {
	set -- $1 $2
	echo "$(($5 - $1)) $(($6 - $2)) $(($7 - $3)) $(($8 - $4))"
}
# policy_totals [pin DIR]: "pass_msgs pass_bytes drop_msgs drop_bytes" of
# the tls totals, then the same for tcp, from `policy show -j`.
policy_totals() {
	$K -j policy show "$@" | sed -n 's/.*"totals":{"tls":{"pass_msgs":\([0-9]*\),"pass_bytes":\([0-9]*\),"drop_msgs":\([0-9]*\),"drop_bytes":\([0-9]*\)},"tcp":{"pass_msgs":\([0-9]*\),"pass_bytes":\([0-9]*\),"drop_msgs":\([0-9]*\),"drop_bytes":\([0-9]*\)}}.*/\1 \2 \3 \4 \5 \6 \7 \8/p'
}

$K -j handshake server 0 --cert $W/cert.pem --key $W/key.pem --root $W/www \
	>$W/psrv.log 2>&1 &
psrv=$!
if wait_for $W/psrv.log '"event":"listening"'; then
	pport=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' $W/psrv.log)
	result PASS ctl.policy-server-listens
else
	result FAIL ctl.policy-server-listens "$(head -c 200 $W/psrv.log)"
fi
printf 'GET /private/plan.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >$W/req.denied
printf 'GET /public/index.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >$W/req.allowed
denied_len=$(stat -c %s $W/req.denied)
allowed_len=$(stat -c %s $W/req.allowed)

# fetch NAME REQUEST [GLOBAL_OPTIONS]: the client, in cgroup ktls-client,
# sends REQUEST ($W/req.REQUEST); output in $W/p.out, $W/p.err, status $prc.
fetch() {
	in_cg ktls-client $K $3 handshake client 127.0.0.1 "$pport" --cafile $W/cert.pem \
		<$W/req.$2 >$W/p.out 2>$W/p.err
	prc=$?
}
# denied NAME: the last fetch failed with EACCES and got nothing.
denied() {
	if [ $prc -eq 1 ] && grep -q 'sending: Permission denied' $W/p.err && [ ! -s $W/p.out ]; then
		result PASS "$1"
	else
		result FAIL "$1" "exit $prc, $(stat -c %s $W/p.out) bytes: $(tail -n 2 $W/p.err | tr '\n' ' ' | cut -c1-200); server: $(tail -n 1 $W/psrv.log | cut -c1-200)"
	fi
}
# served NAME BODY: the last fetch succeeded with BODY.
served() {
	if [ $prc -eq 0 ] && grep -q 'HTTP/1.1 200 OK' $W/p.out && grep -qx "$2" $W/p.out; then
		result PASS "$1"
	else
		result FAIL "$1" "exit $prc: $(head -c 100 $W/p.out | tr '\r\n' '  ') $(tail -n 1 $W/p.err); server: $(tail -n 1 $W/psrv.log | cut -c1-200)"
	fi
}

rc_is ctl.policy-show-none 1 $K policy show
has ctl.policy-show-none-message 'no policy loaded' cat $W/rc.out
json ctl.json-policy-load policy load deny
has ctl.policy-bpffs 'bpf /sys/fs/bpf bpf' cat /proc/mounts
rc_is ctl.policy-load-twice 1 $K policy load deny
json ctl.json-policy-deny-add policy deny add 'GET /private/'
has ctl.policy-deny-add-json '"prefix":"GET /private/","length":13' cat $W/j.out
rc_is ctl.policy-deny-add-second 0 $K policy deny add 'GET /x\r\n'
has ctl.policy-deny-show '"GET /x\\r\\n" (8 bytes)' $K policy deny show
json ctl.json-policy-deny-del policy deny del 'GET /x\r\n'
rc_is ctl.policy-deny-del-missing 1 $K policy deny del 'GET /x\r\n'
json ctl.json-policy-attach policy attach
has ctl.policy-attached '"role":"msg","name":"ktls_deny","id":[0-9]*,"attached":true' cat $W/j.out
rc_is ctl.policy-cgroup-not-cgroup 1 $K policy cgroup /tmp
json ctl.json-policy-cgroup policy cgroup $CG/ktls-client
rc_is ctl.policy-cgroup-twice 1 $K policy cgroup $CG/ktls-client
has ctl.policy-cgroup-twice-message 'hooked to cgroup /sys/fs/cgroup/ktls-client already' cat $W/rc.out

k0=$(kstats)
fetch ctl.policy-denied denied -j
denied ctl.policy-denied-eacces
if $J <$W/p.err >/dev/null && grep -q '"error":"127.0.0.1:[0-9]*: sending: Permission denied"' $W/p.err; then
	result PASS ctl.policy-denied-json
else
	result FAIL ctl.policy-denied-json "$(head -c 300 $W/p.err)"
fi
fetch ctl.policy-allowed allowed
served ctl.policy-allowed-served "hello, world"
k1=$(kstats)
if grep -q '"path":"/private' $W/psrv.log; then
	result FAIL ctl.policy-denied-not-at-server "$(grep private $W/psrv.log | head -n 1)"
else
	result PASS ctl.policy-denied-not-at-server
fi
# One record each way judged: the allowed request passed, the denied one
# dropped; the handshakes went out as plain TCP before the hand-off.
d=$(kdelta "$k0" "$k1")
[ "$d" = "1 1 0 $denied_len" ] && result PASS ctl.policy-ktls-stat ||
	result FAIL ctl.policy-ktls-stat "KtlsTxMsg Pass Drop Redirect DroppedBytes grew by $d, want 1 1 0 $denied_len"
set -- $(policy_totals)
if [ "$1 $2 $3 $4" = "1 $allowed_len 1 $denied_len" ] && [ "${5:-0}" -gt 0 ] && [ "$7" = 0 ]; then
	result PASS ctl.policy-show-counters
else
	result FAIL ctl.policy-show-counters "tls/tcp totals: $*, want 1 $allowed_len 1 $denied_len, tcp N>0 B 0 0"
fi
has ctl.policy-show-cgroup '"cgroup":{"path":"/sys/fs/cgroup/ktls-client","id":[0-9]*,"sock_ops_id":[0-9]*,"added":2,"failed":0}' \
	$K -j policy show
has ctl.policy-show-text 'tls pass 1/[0-9]* B drop 1/[0-9]* B' $K policy show
json ctl.json-policy-show policy show

# Detached: the hook still puts the connection into the map, but no
# program judges it.
json ctl.json-policy-detach policy detach
fetch ctl.policy-detached denied
served ctl.policy-detached-served "the secret plan"
d=$(kdelta "$k1" "$(kstats)")
[ "$d" = "0 0 0 0" ] && result PASS ctl.policy-detached-ktls-stat ||
	result FAIL ctl.policy-detached-ktls-stat "KtlsTxMsg counters grew by $d"
has ctl.policy-detached-show '"attached":false' $K -j policy show
rc_is ctl.policy-reattach 0 $K policy attach
fetch ctl.policy-reattached denied
denied ctl.policy-reattached-eacces
json ctl.json-policy-cgroup-off policy cgroup off
json ctl.json-policy-unload policy unload
has ctl.policy-unloaded 'no policy loaded' $K policy show
kill $psrv
wait $psrv 2>/dev/null

# The default policy on the server's cgroup: the server's own socket is
# judged, record by record, as sendfile() sends the file.
rc_is ctl.policy-default-load 0 $K policy load default pin /sys/fs/bpf/ktls-default
rc_is ctl.policy-default-deny-refused 1 $K policy deny show pin /sys/fs/bpf/ktls-default
rc_is ctl.policy-default-attach 0 $K policy attach pin /sys/fs/bpf/ktls-default
rc_is ctl.policy-default-cgroup 0 $K policy cgroup $CG/ktls-server pin /sys/fs/bpf/ktls-default
in_cg ktls-server $K -j handshake server 0 --cert $W/cert.pem --key $W/key.pem \
	--root $W/www >$W/psrv.log 2>&1 &
psrv=$!
wait_for $W/psrv.log '"event":"listening"'
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' $W/psrv.log)
hdr=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 262147\r\nConnection: close\r\n\r\n' | wc -c)
k0=$(kstats)
t0=$(date +%s)
timeout 60 $B/ktls-client 127.0.0.1 "$port" $W/cert.pem /small >$W/dl.out 2>$W/dl.err
rc=$?
# the child that served it logs, then lingers for the client's close
wait_for $W/psrv.log '"path":"/small"'
sleep 1
cp $W/psrv.log $W/srv.log
check ctl.policy-default-download $rc small 1.3 aes-gcm-128
k1=$(kstats)
set -- $(kdelta "$k0" "$k1")
kpass=$1
set -- $(policy_totals pin /sys/fs/bpf/ktls-default)
if [ "$1" = "$kpass" ] && [ "$1" -ge 17 ] && [ "$2" = $((hdr + 262147)) ] && [ "$3 $4" = "0 0" ]; then
	result PASS ctl.policy-default-counters
	info "ctl: default policy: $1 records, $2 bytes judged on the server's socket"
else
	result FAIL ctl.policy-default-counters "tls totals $*, KtlsTxMsgPass +$kpass; want $((hdr + 262147)) bytes"
fi
json ctl.json-policy-show-default policy show pin /sys/fs/bpf/ktls-default
kill $psrv
wait $psrv 2>/dev/null
rc_is ctl.policy-default-unload 0 $K policy unload pin /sys/fs/bpf/ktls-default
rmdir $CG/ktls-client $CG/ktls-server
[ -n "$cg_mounted" ] && umount $CG

# --- grammar: help, usage errors, JSON ---------------------------------------------
for c in "help" "module help" "feature help" "sock help" "sock keys help" \
	"stats help" "handshake help" "handshake client help" \
	"handshake server help" "policy help" "policy load help" \
	"policy attach help" "policy detach help" "policy cgroup help" \
	"policy deny help" "policy deny add help" "policy deny show help" \
	"policy show help" "policy unload help" "version"; do
	rc_is "ctl.help-$(echo $c | tr ' ' '-')" 0 $K $c
done
rc_is ctl.help-option 0 $K --help
# ktls-ctl and the module carry the same VERSION.
has ctl.version "^ktls-ctl $(cat /sys/module/ktls/version)\$" $K --version
rc_is ctl.prefix-words 0 $K mod sh
for c in "" "bogus" "h" "module" "module bogus" "module show extra" \
	"sock keys pid x fd 3 both file -" "sock keys pid 1 fd 3" \
	"sock keys pid 1 f 3 both file -" "stats show nope" "handshake client" \
	"handshake server 0" "handshake server 70000 --cert a --key b" \
	"handshake client h 1 --bogus" "--bogus" "policy" "policy bogus" \
	"policy load" "policy load default pin" "policy load default bogus x" \
	"policy attach extra" "policy show pin" "policy cgroup" "policy deny" \
	"policy deny add" "policy deny bogus" "policy de" "policy unload pin a b"; do
	rc_is "ctl.usage-exit2-$(echo "${c:-none}" | tr ' ' '-')" 2 $K $c
done
rc_is ctl.usage-exit2-policy-deny-bad-escape 2 $K policy deny add 'GET \q'
rc_is ctl.usage-exit2-policy-deny-too-long 2 $K policy deny add \
	"$(head -c 65 /dev/zero | tr '\0' x)"

for c in "module show" "feature probe" "sock show" "stats show" \
	"stats show tls" "policy show" "policy attach" "policy detach" \
	"policy unload" "policy cgroup off" "policy deny show" \
	"policy load /nonexistent.o" "policy load" "policy help" "version" \
	"help" "sock help" "bogus" \
	"sock keys pid 1 fd 99999 both file /nonexistent"; do
	json "ctl.json-$(echo $c | tr ' ' '-' | cut -c1-30)" $c
done
has ctl.json-pretty '^  "loaded": true' $K -p module show

# --- cleanup --------------------------------------------------------------------------
info "ctl: suite ran $(($(date +%s) - T0)) s"
expect ctl.unload-intree unload tls
expect ctl.unload unload ktls
