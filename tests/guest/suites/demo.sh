# SPDX-License-Identifier: GPL-2.0
# The demo (make demo): narrated, not part of make check's suite list.
# Every "info" line is printed for the reader; results are counted.
B=/t/bin
K=$B/ktls-ctl
D=/tmp/demo
CG=/sys/fs/cgroup
mkdir -p $D/www/public $D/www/private

# say TEXT: a line for the reader.
say() { info "$*"; }
# show PREFIX FILE: each line of FILE for the reader, after PREFIX (the
# report keeps a line's inner spacing, not its indentation).
show() {
	while IFS= read -r line; do
		info "$1$line"
	done <"$2"
}
# wait_for FILE PATTERN: up to 20 s.
wait_for() {
	i=0
	while ! grep -q -e "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		usleep 100000
	done
}

say "== 1. The module"
say "Guest kernel: $(uname -r), a stock Debian cloud kernel."
say "Loading ktls.ko, the out-of-tree kernel TLS module ..."
if insmod /t/ktls.ko; then
	say "  loaded: $(grep '^ktls ' /proc/modules | cut -d' ' -f1-3)"
	result PASS demo.load
else
	result FAIL demo.load "insmod failed"
	return 0
fi
say "TCP upper layer protocols the kernel now offers: $(cat /proc/sys/net/ipv4/tcp_available_ulp)"
say "Opening a TCP connection over loopback and attaching \"ktls\" to it ..."
out=$($B/ulp_basic attach ktls 2>&1)
if echo "$out" | grep -q '^PASS ktls.ipv4.getsockopt'; then
	say "  setsockopt(TCP_ULP, \"ktls\") succeeded; getsockopt(TCP_ULP) says \"ktls\""
	result PASS demo.attach
else
	result FAIL demo.attach "$(echo "$out" | grep FAIL | head -n 3 | tr '\n' ' ')"
fi
for m in aesni_intel gcm chacha20poly1305 tcp_diag; do modprobe -q $m 2>/dev/null; done

say ""
say "== 2. A GnuTLS handshake hands the connection to the kernel"
printf 'cn = ktls demo\nip_address = 127.0.0.1\nexpiration_days = 2\ntls_www_server\nsigning_key\nca\ncert_signing_key\n' >$D/tmpl
$B/certtool --generate-privkey --key-type=ecdsa --outfile $D/key.pem >/dev/null 2>&1
$B/certtool --generate-self-signed --load-privkey $D/key.pem --template $D/tmpl \
	--outfile $D/cert.pem >/dev/null 2>&1
echo "hello from a file sent by the kernel" >$D/www/public/hello.txt
echo "the secret plan" >$D/www/private/plan.txt
dd if=/dev/urandom of=$D/www/public/data.bin bs=1M count=8 2>/dev/null
$K handshake server 0 --cert $D/cert.pem --key $D/key.pem --root $D/www >$D/server.log 2>&1 &
srv=$!
wait_for $D/server.log 'listening on port' || result FAIL demo.server "$(cat $D/server.log)"
port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' $D/server.log)
say "ktls-ctl handshake server listens on port $port, serving files from $D/www."
say "For each connection it runs the TLS handshake with GnuTLS, then hands the keys to the"
say "kernel (TCP_ULP \"ktls\", TLS_TX, TLS_RX) and answers one HTTP GET with sendfile()."
say ""
say "ktls-ctl handshake client connects the same way: GnuTLS handshake, then kernel TLS."
say "While its connection is open, \`ktls-ctl sock show\` lists both ends:"
rm -f $D/fifo
mkfifo $D/fifo
$K handshake client 127.0.0.1 $port --cafile $D/cert.pem <$D/fifo >$D/hello.out 2>$D/client.err &
cli=$!
exec 4>$D/fifo
if wait_for $D/client.err 'records by the kernel'; then
	show "| " $D/client.err
	$K sock show >$D/socks 2>&1
	show "| " $D/socks
	if [ "$(grep -c 'ulp ktls TLS 1.3' $D/socks)" -ge 2 ]; then
		result PASS demo.sock-show
	else
		result FAIL demo.sock-show "$(tr '\n' ' ' <$D/socks)"
	fi
fi
printf 'GET /public/hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&4
exec 4>&-
wait $cli
if grep -q 'hello from a file sent by the kernel' $D/hello.out; then
	say "The client sent GET /public/hello.txt and got back:"
	tr -d '\r' <$D/hello.out >$D/hello.txt
	show "| " $D/hello.txt
	result PASS demo.handoff
else
	result FAIL demo.handoff "$(tail -n 2 $D/client.err | tr '\n' ' ')"
fi

say ""
say "== 3. A file served by sendfile() over kernel TLS"
say "OpenSSL's s_client, plain userspace TLS, downloads /public/data.bin (8 MiB):"
t0=$(date +%s)
printf 'GET /public/data.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' |
	timeout 120 $B/openssl s_client -connect 127.0.0.1:$port -CAfile $D/cert.pem \
		-verify_return_error -quiet >$D/data.out 2>/dev/null
t=$(($(date +%s) - t0))
if [ "$(tail -c 8388608 $D/data.out | md5sum | cut -d' ' -f1)" = \
	"$(md5sum <$D/www/public/data.bin | cut -d' ' -f1)" ]; then
	say "  8388608 bytes in $t s (emulated CPU), identical to the file (md5)."
	result PASS demo.sendfile
else
	result FAIL demo.sendfile "$(stat -c %s $D/data.out) bytes, content differs"
fi
say "The server's log, one line per request (peer, TLS version, cipher, ULP, request, status, bytes):"
grep GET $D/server.log >$D/requests
show "| " $D/requests

say ""
say "== 4. A BPF policy denies one request"
mount -t cgroup2 none $CG 2>/dev/null
mkdir -p $CG/demo-clients
say "ktls-ctl loads its example deny policy: an SK_MSG program that sees what an application"
say "sends on a kTLS socket before the kernel encrypts it, and drops messages that start with"
say "a denied prefix.  A sock_ops program on a cgroup puts every new connection of the cgroup"
say "into the policy's map as soon as it is established, before the TLS handshake, so"
say "applications need no change."
{
	$K policy load deny
	$K policy deny add 'GET /private/'
	$K policy attach
	$K policy cgroup $CG/demo-clients
} >$D/policy.out 2>&1
rc=$?
show "| " $D/policy.out
[ $rc -eq 0 ] && result PASS demo.policy-load || result FAIL demo.policy-load "$(tail -n 2 $D/policy.out)"
# in_cg CMD...: run CMD inside the cgroup demo-clients.
in_cg() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG/demo-clients" "$@"; }
say "A client in that cgroup asks for GET /private/plan.txt:"
printf 'GET /private/plan.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >$D/req
in_cg $K handshake client 127.0.0.1 $port --cafile $D/cert.pem <$D/req >$D/denied.out 2>$D/denied.err
rc=$?
show "| " $D/denied.err
if [ $rc -eq 1 ] && grep -q 'Permission denied' $D/denied.err && [ ! -s $D/denied.out ]; then
	say "  The program judged the client's plaintext: its send() of the request failed with EACCES,"
	say "  so nothing reached the server."
	result PASS demo.policy-denied
else
	result FAIL demo.policy-denied "exit $rc"
fi
say "The same client asks for GET /public/hello.txt:"
printf 'GET /public/hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >$D/req
in_cg $K handshake client 127.0.0.1 $port --cafile $D/cert.pem <$D/req >$D/allowed.out 2>/dev/null
if grep -q 'hello from a file' $D/allowed.out; then
	say "  served: $(grep hello $D/allowed.out)"
	result PASS demo.policy-allowed
else
	result FAIL demo.policy-allowed "$(head -c 100 $D/allowed.out)"
fi

say ""
say "== 5. Statistics"
say "ktls-ctl policy show: the policy, its cgroup hook and what it judged per socket"
say "(tls: plaintext on the kTLS socket; tcp: the TLS handshake, sent before the hand-off):"
$K policy show >$D/pshow 2>&1
show "| " $D/pshow
say "ktls-ctl stats show (/proc/net/ktls_stat), the counters that are not zero:"
$K stats show | awk '$2 != 0' >$D/stats
show "| " $D/stats
if grep -q '^KtlsTxMsgDrop  *1$' $D/stats && grep -q '^KtlsTxMsgPass  *1$' $D/stats; then
	say "One message dropped and one passed, as policy show counts them."
	result PASS demo.stats
else
	result FAIL demo.stats "$(tr '\n' ' ' <$D/stats)"
fi

$K policy unload >/dev/null 2>&1
rmdir $CG/demo-clients
kill $srv
wait $srv 2>/dev/null
sleep 1
say ""
say "Policy unloaded, server stopped."
say "While a socket uses ktls the module is pinned: rmmod refuses, then works after close."
run_prog demo.hold $B/ulp_basic hold ktls
say "Unloaded; the kernel log stayed clean (checked by the harness)."
