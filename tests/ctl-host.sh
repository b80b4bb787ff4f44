#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ctl-host.sh: host-side tests of ktls-ctl and libktls (issue 6), for what
# needs no ktls module: -j output and errors parse as JSON (python3), help
# at every level, usage errors exit 2, the key file parser (through
# `sock keys` on a socket of a helper process), the policy commands on the
# host kernel's plain TCP (root only), `make install-tools` with
# packaging flags, and the installed library and headers.  The module's
# paths run in the guest suite tests/guest/suites/60-ktls-ctl.sh.
# Prints "PASS ctl.host-<name>" or "FAIL ctl.host-<name> reason" lines;
# exit status 1 if anything failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
K=$top/tools/ktls-ctl/ktls-ctl
W=$(mktemp -d)
failed=0
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT

pass() { echo "PASS ctl.host-$1"; }
fail() {
	echo "FAIL ctl.host-$1 $(echo "${*:2}" | tr '\n' ' ' | cut -c1-300)"
	failed=1
}

# Is file $1 a sequence of JSON documents (one, or one per line)?
json_valid() {
	python3 - "$1" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
dec, i, n = json.JSONDecoder(), 0, 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i == len(text):
        break
    _, i = dec.raw_decode(text, i)
    n += 1
sys.exit(0 if n else 1)
EOF
}

# json NAME WANT_RC ARGS...: ktls-ctl -j ARGS exits WANT_RC with only JSON
# on stdout and nothing on stderr.
json() {
	local n=$1 want=$2 rc
	shift 2
	"$K" -j "$@" >"$W/out" 2>"$W/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		fail "$n" "exit $rc, want $want: $(head -c 200 "$W/out" "$W/err")"
	elif ! json_valid "$W/out" 2>"$W/py"; then
		fail "$n" "not JSON: $(head -c 200 "$W/out") $(tail -n 1 "$W/py")"
	elif [ -s "$W/err" ]; then
		fail "$n" "stderr: $(head -c 200 "$W/err")"
	else
		pass "$n"
	fi
}

# rc NAME WANT_RC ARGS...: ktls-ctl ARGS exits WANT_RC.
rc() {
	local n=$1 want=$2 r
	shift 2
	"$K" "$@" >"$W/out" 2>&1
	r=$?
	if [ $r -eq "$want" ]; then pass "$n"; else fail "$n" "exit $r, want $want: $(head -c 200 "$W/out")"; fi
}

if ! make --no-print-directory -s -C "$top" tools >"$W/build.log" 2>&1; then
	fail build "$(tail -n 5 "$W/build.log")"
	exit 1
fi
pass build

# --- JSON from every command ------------------------------------------------
json json-module-show 0 module show
json json-feature-probe 1 feature probe		# no ktls module on the host
json json-sock-show 0 sock show
json json-stats-show 1 stats show
json json-stats-show-tls 1 stats show tls
json json-version 0 version
json json-version-option 0 --version
json json-help 0 help
for o in module feature sock stats handshake policy; do
	json "json-help-$o" 0 "$o" help
done
json json-help-sock-keys 0 sock keys help
for c in load attach detach cgroup deny "deny add" show unload; do
	json "json-help-policy-$(echo "$c" | tr ' ' '-')" 0 policy $c help
done
# No policy loaded in $W/none: every command fails (1) in JSON.
for c in attach detach show unload "cgroup off" "cgroup /tmp" "deny show" \
	"deny clear" "deny add GET"; do
	json "json-policy-$(echo "$c" | tr ' /' '--')-none" 1 policy $c pin "$W/none"
done
json json-policy-load-missing-file 1 policy load "$W/none.o" pin "$W/none"
json json-policy-load-usage 2 policy load
json json-policy-deny-usage 2 policy deny add 'bad\q'
json json-error-object 2 bogus
json json-error-ambiguous 2 h
json json-error-missing 2
json json-error-option 2 --bogus
json json-error-keys 1 sock keys pid 1 fd 99999 both file /nonexistent
json json-error-keys-usage 2 sock keys pid 1
json json-error-client-usage 2 handshake client
"$K" -p module show >"$W/out" 2>&1
if json_valid "$W/out" && grep -q '^  "loaded": false' "$W/out"; then
	pass json-pretty
else
	fail json-pretty "$(head -c 200 "$W/out")"
fi

# --- help and usage errors ----------------------------------------------------
for c in "help" "module help" "feature help" "sock help" "sock keys help" \
	"stats help" "handshake help" "handshake client help" \
	"handshake server help" "policy help" "policy show help" \
	"policy load help" "policy attach help" "policy detach help" \
	"policy cgroup help" "policy deny help" "policy deny add help" \
	"policy deny del help" "policy unload help" "version" "-h"; do
	rc "help-$(echo "$c" | tr ' ' '-')" 0 $c
done
rc version-matches 0 --version
grep -qx "ktls-ctl $(cat "$top/VERSION")" "$W/out" || fail version-text "$(cat "$W/out")"
rc prefix-words 0 mod sh
for c in "" "bogus" "h" "module" "module bogus" "module show extra" "st sh x" \
	"sock keys pid x fd 3 both file -" "sock keys pid 1 f 3 both file -" \
	"sock keys pid 1 fd 3 both" "handshake server 0" "handshake server 70000 --cert a --key b" \
	"handshake server 0 --cert a --key b --bind nohost" "handshake client h" \
	"handshake client h 1 --bogus" "handshake client h 1 --once" "--bogus" \
	"policy" "policy bogus" "policy de" "policy load" "policy load default pin" \
	"policy load default extra" "policy load default pin a b" "policy attach x" \
	"policy detach pin" "policy show x" "policy cgroup" "policy cgroup a b" \
	"policy deny" "policy deny bogus" "policy deny add" "policy deny del" \
	"policy deny show x" "policy unload x"; do
	rc "usage-$(echo "${c:-none}" | tr ' ' '-')" 2 $c
done
# Prefixes: 1 to 64 bytes after the escapes \r \n \t \\ \xHH.
for p in 'a\q' 'a\x4' 'a\x' 'a\' '' "$(printf '%065d' 0)" '\x41\x4g'; do
	rc "usage-policy-deny-prefix-$(echo "$p" | md5sum | cut -c1-6)" 2 policy deny add "$p"
done
rc usage-policy-deny-prefix-64 1 policy deny add "$(printf '%064d' 0)" pin "$W/none"
rc usage-policy-deny-prefix-escapes 1 policy deny add 'GET /a\r\n\t\\\x00' pin "$W/none"
grep -q 'no policy loaded' "$W/out" && pass policy-prefix-parsed || fail policy-prefix-parsed "$(cat "$W/out")"

# --- handshake against GnuTLS, where the host has no ktls ULP ---------------
# Handshakes complete; the hand-off fails cleanly, and says why, in JSON.
cert=$W/cert.pem key=$W/key.pem
printf 'cn = ktls test\nip_address = 127.0.0.1\nexpiration_days = 2\ntls_www_server\nsigning_key\nca\ncert_signing_key\n' >"$W/tmpl"
certtool --generate-privkey --key-type=ecdsa --outfile "$key" >/dev/null 2>&1
certtool --generate-self-signed --load-privkey "$key" --template "$W/tmpl" \
	--outfile "$cert" >/dev/null 2>&1
"$K" -j handshake server 0 --cert "$cert" --key "$key" --once >"$W/srv" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '"port"' "$W/srv" && break; sleep 0.1; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$W/srv")
"$K" -j handshake client 127.0.0.1 "$port" --cafile "$cert" </dev/null >"$W/cdata" 2>"$W/cerr"
r=$?
wait "${pids[-1]}"
if [ $r -eq 1 ] && json_valid "$W/cerr" && grep -q 'ULP' "$W/cerr" && [ ! -s "$W/cdata" ]; then
	pass json-client-error-on-stderr
else
	fail json-client-error-on-stderr "exit $r: $(head -c 200 "$W/cerr")"
fi
if json_valid "$W/srv" && grep -q '"event":"listening"' "$W/srv" && grep -q '"error"' "$W/srv"; then
	pass json-server-events
else
	fail json-server-events "$(head -c 300 "$W/srv")"
fi
"$K" handshake client 127.0.0.1 "$port" --cafile "$cert" </dev/null >/dev/null 2>"$W/cerr"
[ $? -eq 1 ] && pass client-no-server || fail client-no-server "$(cat "$W/cerr")"
"$K" -j handshake server 0 --cert "$cert" --key "$W/nonexistent" >"$W/srv" 2>&1
[ $? -eq 1 ] && json_valid "$W/srv" && pass json-server-bad-key || fail json-server-bad-key "$(cat "$W/srv")"

# --- key files, through sock keys on a helper's socket ----------------------
# The helper holds a connected TCP socket; ktls-ctl takes it with
# pidfd_getfd and parses the key file before attaching the ULP (which the
# host lacks: a valid file ends in "not registered").
python3 -c '
import os, socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); s, _ = l.accept()
print(os.getpid(), c.fileno(), flush=True); time.sleep(60)' >"$W/holder" &
pids+=($!)
for _ in $(seq 50); do [ -s "$W/holder" ] && break; sleep 0.1; done
read -r holder hfd <"$W/holder"
pids+=("$holder")
K16=000102030405060708090a0b0c0d0e0f
IV8=1011121314151617
good="version 1.3
cipher aes-gcm-128
tx_key $K16   # comment
tx_iv $IV8
tx_salt 18191a1b
rx_key $K16
rx_iv $IV8
rx_salt 18191a1b
rx_seq 0000000000000001"
# keyfile NAME WANT_PATTERN DIRECTION CONTENT
keyfile() {
	printf '%s\n' "$4" >"$W/keys"
	"$K" sock keys pid "$holder" fd "$hfd" "$3" file - <"$W/keys" >"$W/out" 2>&1
	local r=$?
	if [ $r -ne 1 ]; then
		fail "$1" "exit $r: $(cat "$W/out")"
	elif ! grep -q -e "$2" "$W/out"; then
		fail "$1" "no '$2' in: $(cat "$W/out")"
	elif grep -qi -e "$K16" -e "$IV8" "$W/out"; then
		fail "$1" "key material in the message: $(cat "$W/out")"
	else
		pass "$1"
	fi
}
probe=$("$K" sock keys pid "$holder" fd 0 tx file - </dev/null 2>&1)
if echo "$probe" | grep -q 'not a socket'; then
	keyfile keyfile-valid 'ULP "ktls" is not registered' both "$good"
	keyfile keyfile-tx-only 'ULP "ktls" is not registered' tx "$(echo "$good" | grep -v '^rx')"
	keyfile keyfile-rx-missing 'rx keys incomplete' both "$(echo "$good" | grep -v '^rx_key')"
	keyfile keyfile-no-salt 'tx keys incomplete' tx "$(echo "$good" | grep -v '^tx_salt')"
	keyfile keyfile-short-key 'tx_key must be 16 bytes' tx "${good/tx_key $K16/tx_key 0001}"
	keyfile keyfile-bad-hex 'tx_iv must be 8 bytes' tx "${good/tx_iv $IV8/tx_iv zz11121314151617}"
	keyfile keyfile-duplicate "'tx_iv' given twice" tx "$good
tx_iv $IV8"
	keyfile keyfile-unknown-name 'unknown name' tx "$good
tx_mac $K16"
	keyfile keyfile-no-version "needs 'version' and 'cipher'" tx "$(echo "$good" | grep -v '^version')"
	keyfile keyfile-bad-version 'version must be 1.2 or 1.3' tx "${good/version 1.3/version 1.1}"
	keyfile keyfile-bad-cipher 'unknown cipher' tx "${good/aes-gcm-128/aes-cbc}"
	keyfile keyfile-chacha-salt 'has no salt' tx "version 1.2
cipher chacha20-poly1305
tx_key ${K16}${K16}
tx_iv ${IV8}18191a1b
tx_salt 18191a1b"
	keyfile keyfile-garbage 'expected' tx "$good
$K16"
	"$K" sock keys pid "$holder" fd 0 tx file - <"$W/keys" >"$W/out" 2>&1
	grep -q 'not a socket' "$W/out" && pass keys-not-socket || fail keys-not-socket "$(cat "$W/out")"
	"$K" sock keys pid 999999 fd 0 tx file - <"$W/keys" >"$W/out" 2>&1
	grep -q 'no such process' "$W/out" && pass keys-no-process || fail keys-no-process "$(cat "$W/out")"
else
	echo "SKIP ctl.host-keyfile pidfd_getfd does not work on this host: $probe"
fi

# --- policy on the host's own kernel -------------------------------------------
# The BPF side of the policy commands needs no ktls module: on plain TCP
# the deny policy drops a request line too (the "tcp" counters), which is
# enough to check load, attach, the cgroup hook, deny, show, detach and
# unload.  Root only, in a private mount namespace with its own BPF file
# system, so nothing outlives the test; a child cgroup of the host's
# cgroup v2 hierarchy holds the client.
cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP ctl.host-policy not root"
elif [ -z "$cg2" ]; then
	echo "SKIP ctl.host-policy no cgroup v2 hierarchy mounted"
elif ! unshare -m true 2>/dev/null; then
	echo "SKIP ctl.host-policy unshare -m does not work here"
else
	cat >"$W/policy.sh" <<'EOS'
set -u
K=$1 W=$2 cg2=$3
cg=$cg2/ktls-ctl-host.$$
pin=$W/bpffs/p
ok() { echo "PASS ctl.host-policy-$1"; }
no() { echo "FAIL ctl.host-policy-$1 $(echo "${*:2}" | tr '\n' ' ' | cut -c1-300)"; }
# jq FILE EXPR: a Python expression over the JSON document d in FILE.
jq() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
step() {
	local n=$1
	shift
	if "$K" -j "$@" pin "$pin" >"$W/p.json" 2>"$W/p.err" && [ ! -s "$W/p.err" ] &&
		jq "$W/p.json" 'True' >/dev/null 2>&1; then
		ok "$n"
	else
		no "$n" "$(cat "$W/p.json" "$W/p.err")"
	fi
}
mkdir -p "$W/bpffs" && mount -t bpf bpf "$W/bpffs" || { no bpffs "mount failed"; exit; }
mkdir "$cg" || { no cgroup "mkdir $cg failed"; exit; }
python3 -c '
import socket, sys
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(8)
print(l.getsockname()[1], flush=True)
while True:
    c, _ = l.accept(); c.recv(4096); c.close()' >"$W/port" &
srv=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
port=$(cat "$W/port")
# client REQUEST: from inside the cgroup, send REQUEST over plain TCP;
# prints "sent N" or the errno's name.
client() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" python3 -c '
import errno, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
try:
    print("sent", s.send(sys.argv[2].encode()))
except OSError as e:
    print(errno.errorcode[e.errno])' "$port" "$1"
}
step load-deny policy load deny
step deny-add policy deny add 'GET /private/'
step attach policy attach
step cgroup policy cgroup "$cg"
den='GET /private/x HTTP/1.0' all='GET /public/x HTTP/1.0'
a=$(client "$den")
b=$(client "$all")
[ "$a / $b" = "EACCES / sent ${#all}" ] && ok deny || no deny "denied: $a, allowed: $b"
step show policy show
t=$(jq "$W/p.json" '"%(pass_msgs)d %(pass_bytes)d %(drop_msgs)d %(drop_bytes)d" % d["totals"]["tcp"], d["totals"]["tls"]["pass_msgs"], d["cgroup"]["added"], d["programs"][0]["attached"], d["deny_prefixes"][0]["prefix"]')
[ "$t" = "('1 ${#all} 1 ${#den}', 0, 2, True, 'GET /private/')" ] && ok counters || no counters "$t"
"$K" policy show pin "$pin" >"$W/p.txt" 2>&1
grep -q "tcp pass 1/${#all} B drop 1/${#den} B" "$W/p.txt" && ok show-text || no show-text "$(cat "$W/p.txt")"
step detach policy detach
a=$(client "$den")
[ "$a" = "sent ${#den}" ] && ok detached || no detached "$a"
step cgroup-off policy cgroup off
step unload policy unload
[ ! -e "$pin" ] && ok unpinned || no unpinned "$(ls "$pin")"
# An object of one's own: SK_MSG and a stream verdict.
cat >"$W/own.bpf.c" <<'EOC'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char _license[] SEC("license") = "GPL";
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 8);
	__type(key, __u64);
	__type(value, __u64);
} socks SEC(".maps");
SEC("sk_msg") int tx(struct sk_msg_md *m) { return SK_PASS; }
SEC("sk_skb/stream_verdict") int rx(struct __sk_buff *s) { return SK_PASS; }
EOC
if clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -c "$W/own.bpf.c" \
	-o "$W/own.bpf.o" 2>"$W/clang.log"; then
	step load-own policy load "$W/own.bpf.o"
	step attach-own policy attach
	step show-own policy show
	r=$(jq "$W/p.json" '[(p["role"], p["name"], p["attached"]) for p in d["programs"]]')
	[ "$r" = "[('msg', 'tx', True), ('stream_verdict', 'rx', True)]" ] && ok own-programs || no own-programs "$r"
	step unload-own policy unload
else
	no own-object "$(head -n 3 "$W/clang.log")"
fi
kill "$srv"
rmdir "$cg"
umount "$W/bpffs"
EOS
	unshare -m bash "$W/policy.sh" "$K" "$W" "$cg2" >"$W/policy.out" 2>&1
	grep -E '^(PASS|FAIL|SKIP) ' "$W/policy.out"
	grep -q '^FAIL ' "$W/policy.out" && failed=1
	grep -q '^PASS ' "$W/policy.out" || fail policy "$(tail -n 3 "$W/policy.out")"
fi

# --- install-tools with packaging flags, out of tree ---------------------------
src=$W/src
mkdir -p "$src/include"
cp -r "$top/tools" "$top/Makefile" "$top/VERSION" "$src/"
cp -r "$top/include/uapi" "$src/include/"
make -s -C "$src/tools/libktls" clean >/dev/null 2>&1
make -s -C "$src/tools/ktls-ctl" clean >/dev/null 2>&1
flags="CFLAGS=$(dpkg-buildflags --get CFLAGS 2>/dev/null || echo -O2 -g)"
ldflags="LDFLAGS=$(dpkg-buildflags --get LDFLAGS 2>/dev/null)"
cppflags="CPPFLAGS=$(dpkg-buildflags --get CPPFLAGS 2>/dev/null)"
if env "$flags" "$ldflags" "$cppflags" make --no-print-directory -C "$src" install-tools \
	DESTDIR="$W/root" prefix=/usr bindir=/usr/sbin libdir=/usr/lib/x86_64-linux-gnu \
	includedir=/usr/include mandir=/usr/share/man >"$W/install.log" 2>&1; then
	pass install-tools
else
	fail install-tools "$(tail -n 5 "$W/install.log")"
fi
want="usr/include/libktls.h usr/include/linux/ktls.h usr/lib/x86_64-linux-gnu/libktls.a
usr/lib/x86_64-linux-gnu/libktls.so usr/lib/x86_64-linux-gnu/libktls.so.0
usr/lib/x86_64-linux-gnu/libktls.so.$(cat "$top/VERSION") usr/sbin/ktls-ctl
usr/share/man/man8/ktls-ctl.8"
got=$(cd "$W/root" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ')
if [ "$got" = "$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')" ]; then
	pass install-files
else
	fail install-files "got: $got"
fi
grep -q -- "$(dpkg-buildflags --get CFLAGS 2>/dev/null | awk '{print $NF}')" "$W/install.log" &&
	grep -q -- '-fstack-protector-strong' "$W/install.log" && pass install-honours-cflags ||
	fail install-honours-cflags "$(grep -m1 'cc ' "$W/install.log")"
# (Whole outputs to grep: with pipefail, grep -q leaving early would fail
# the pipe on SIGPIPE.)
readelf -S "$W/root/usr/sbin/ktls-ctl" >"$W/sections-ctl" 2>&1
readelf -S "$W/root/usr/lib/x86_64-linux-gnu/libktls.so" >"$W/sections-lib" 2>&1
if grep -q '\.symtab' "$W/sections-ctl" && grep -q '\.debug_info' "$W/sections-lib"; then
	pass install-not-stripped
else
	fail install-not-stripped "no symbol table or debug info in the installed files"
fi
[ "$(LD_LIBRARY_PATH= "$W/root/usr/sbin/ktls-ctl" --version)" = "ktls-ctl $(cat "$top/VERSION")" ] &&
	pass installed-version || fail installed-version "$("$W/root/usr/sbin/ktls-ctl" --version 2>&1)"
soname=$(objdump -p "$W/root/usr/lib/x86_64-linux-gnu/libktls.so" 2>/dev/null | awk '/SONAME/ {print $2}')
[ "$soname" = libktls.so.0 ] && pass soname || fail soname "SONAME '$soname'"
exported=$(nm -D --defined-only "$W/root/usr/lib/x86_64-linux-gnu/libktls.so" | awk '$2 == "T" {print $3}' | grep -vc '^ktls_')
[ "$exported" -eq 0 ] && pass exports-only-ktls || fail exports-only-ktls "$exported other symbols"

# The example builds against the installed header and shared library.
if cc -Wall -Wextra -Werror -I"$W/root/usr/include" -o "$W/example" \
	"$top/tools/ktls-ctl/examples/ktls-client.c" \
	-L"$W/root/usr/lib/x86_64-linux-gnu" -lktls -lgnutls 2>"$W/cc.log" &&
	LD_LIBRARY_PATH="$W/root/usr/lib/x86_64-linux-gnu" ldd "$W/example" >"$W/ldd" 2>&1 &&
	grep -q 'libktls\.so\.0 => '"$W/root" "$W/ldd"; then
	pass example-links-installed
else
	fail example-links-installed "$(head -c 300 "$W/cc.log")"
fi
if ! command -v man >/dev/null; then
	fail manpage "man not found (apt-get install man-db, tests/deps.sh)"
else
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$top/tools/ktls-ctl/ktls-ctl.8" 2>&1 >/dev/null)
	[ -z "$warn" ] && pass manpage || fail manpage "$warn"
fi

exit $failed
