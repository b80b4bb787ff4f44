#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# packaging.sh KVER...: the .deb and .rpm packages end to end (a make check
# phase, after the DKMS phase).  Needs root.
#   1. install the build dependencies (apt-get), undo what the DKMS phase
#      left (dkms remove ktls/<version> --all, /usr/src/ktls-<version>)
#   2. make dist; the .debs built from the unpacked tarball, as from a
#      clean checkout (dpkg-buildpackage -us -uc -b, offline): ktls-dkms,
#      ktls-ctl, libktls0, libktls-dev; lintian
#   3. rpmbuild -bs and -bb from the same tarball: ktls-dkms, ktls-ctl,
#      ktls-libs, ktls-devel
#   3b. apt-get install ktls-ctl, libktls0, libktls-dev: the installed
#      ktls-ctl runs (help, -j module show), the libktls example builds
#      against the installed header and library; apt-get remove, purge
#   4. apt-get install ./ktls-dkms_*.deb: DKMS must build and install the
#      module for every KVER; each DKMS-built ktls.ko is copied to
#      build/pkg/<kver>/ktls.ko, re-signed by scripts/sign.sh as a check,
#      and booted in QEMU with the 05-pkg-smoke suite
#   5. apt-get remove ktls-dkms: gone from DKMS and /lib/modules; purge
#   6. the RPM's DKMS scriptlets, run by Debian's rpm (own database under
#      build/pkg) against the same DKMS: install, then erase (skipped with
#      KTLS_PKG_RPM_INSTALL=0)
# The machine is left without ktls in DKMS, /usr/src or /lib/modules, also
# when the script is interrupted.  Prints "PASS pkg.<name>",
# "FAIL pkg.<name> <reason>", "SKIP pkg.<name> <reason>" and INFO lines;
# guest results come as "PASS pkg.<series>:<name>".  Logs: build/pkg/*.log.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
version=$(cat VERSION)
out=$top/build/pkg
kvers=("$@")
[ ${#kvers[@]} -gt 0 ] || { echo "FAIL pkg.args usage: tests/packaging.sh KVER..."; exit 1; }

# Build dependencies (also in tests/deps.sh).
DEPS=(debhelper dh-dkms dpkg-dev fakeroot lintian rpm openssl xz-utils)
APT=(apt-get -q -y -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

pass() { echo "PASS pkg.$1"; }
fail() {
	echo "FAIL pkg.$1 ${*:2}"
	failed=1
}
skip() { echo "SKIP pkg.$1 ${*:2}"; }
info() { echo "INFO pkg: $*"; }
series_of() { echo "$1" | cut -d. -f1-2; }
logtail() { tail -n "${2:-3}" "$1" 2>/dev/null | tr '\n' ' ' | cut -c1-400; }
failed=0

# step NAME LOG CMD...: run CMD with its output in LOG; PASS or FAIL.
step() {
	local name=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then
		pass "$name"
	else
		fail "$name" "'$*' failed: $(logtail "$log")"
		return 1
	fi
}

# check NAME REASON CMD...: PASS if CMD succeeds, else FAIL with REASON.
check() {
	local name=$1 reason=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		pass "$name"
	else
		fail "$name" "$reason"
		return 1
	fi
}

dkms_has() { [ -n "$(dkms status "ktls/$version" 2>/dev/null)" ]; }
pkg_known() { dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qv '^not-installed$'; }

# clean_machine: no ktls package, nothing of ktls/<version> in DKMS, in
# /usr/src or in the RPM test's database.
clean_machine() {
	local p
	for p in libktls-dev libktls0 ktls-ctl ktls-dkms; do
		pkg_known "$p" && dpkg --purge "$p"
	done
	[ -d "$out/rpmdb" ] && rpm --dbpath "$out/rpmdb" -e --nodeps ktls-dkms 2>/dev/null
	dkms_has && dkms remove "ktls/$version" --all
	rm -rf "/usr/src/ktls-$version"
	return 0
}

# installed_module KVER: the ktls.ko DKMS installed for KVER, if any.
installed_module() {
	find "/lib/modules/$1/updates/dkms" -name 'ktls.ko*' 2>/dev/null | head -n 1
}

# decompress SRC DST
decompress() {
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

if [ "$(id -u)" -ne 0 ]; then
	fail root "tests/packaging.sh installs packages and needs root"
	exit 1
fi
# One packaging run at a time on a machine: they share DKMS and dpkg.
exec 9>/run/lock/ktls-packaging.lock
flock -w 900 9 || { fail lock "another tests/packaging.sh holds /run/lock/ktls-packaging.lock"; exit 1; }
rm -rf "$out"
mkdir -p "$out"
trap 'clean_machine >>"$out/cleanup.log" 2>&1' EXIT
trap 'exit 130' INT TERM
t0=$(date +%s)

# ---- 1. dependencies and a clean start
missing=()
for p in "${DEPS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	pass deps
elif { "${APT[@]}" install --no-install-recommends "${missing[@]}" ||
	{ "${APT[@]}" update && "${APT[@]}" install --no-install-recommends "${missing[@]}"; }; } \
	>"$out/deps.log" 2>&1; then
	pass deps
else
	fail deps "apt-get install ${missing[*]} failed: $(logtail "$out/deps.log")"
	exit 1
fi
clean_machine >"$out/cleanup.log" 2>&1
check clean-start "ktls/$version is still in DKMS or /usr/src/ktls-$version exists" \
	sh -c "! dkms status ktls/$version | grep -q . && [ ! -e /usr/src/ktls-$version ]"

# ---- 2. tarball, .debs, lintian
check version-sources "$(scripts/dist.sh check-version 2>&1)" scripts/dist.sh check-version
tgz=$out/ktls-$version.tar.gz
if step dist "$out/dist.log" make --no-print-directory dist; then
	mv "ktls-$version.tar.gz" "$tgz"
	tar -tzf "$tgz" >"$out/dist.list"
	absent=$(for f in VERSION dkms.conf Makefile Kbuild debian/rules debian/control \
		debian/changelog rpm/ktls.spec scripts/dkms-stage.sh src/main.c; do
		grep -qx "ktls-$version/$f" "$out/dist.list" || echo "$f"
	done | xargs)
	check dist-contents "missing from the tarball: $absent" test -z "$absent"
	check dist-no-build-output "the tarball holds build output: $(grep -m3 -E "^ktls-$version/build/|\.ko$|\.o$" "$out/dist.list" | xargs)" \
		sh -c "! grep -qE '^ktls-$version/build/|\\.ko\$|\\.o\$' '$out/dist.list'"
	make --no-print-directory dist >/dev/null 2>&1 && mv "ktls-$version.tar.gz" "$out/again.tar.gz"
	check dist-reproducible "a second make dist gave a different tarball" cmp -s "$tgz" "$out/again.tar.gz"
	# make dist in a fresh clone must give the very same tarball; only
	# meaningful when the working tree is what HEAD holds.
	if ! git -c safe.directory="$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		skip dist-clean-clone "not a git checkout"
	elif [ -n "$(git -c safe.directory="$top" status --porcelain 2>/dev/null)" ]; then
		skip dist-clean-clone "the working tree has uncommitted changes, a clone of HEAD would differ"
	elif git -c safe.directory="$top" clone -q "$top" "$out/clone" >"$out/clone.log" 2>&1 &&
		make --no-print-directory -C "$out/clone" dist >>"$out/clone.log" 2>&1; then
		check dist-clean-clone "make dist in a fresh clone gave a different tarball" \
			cmp -s "$tgz" "$out/clone/ktls-$version.tar.gz"
	else
		fail dist-clean-clone "clone or make dist failed: $(logtail "$out/clone.log")"
	fi
	rm -rf "$out/clone" "$out/again.tar.gz"
else
	exit 1
fi

debdir=$out/deb
step deb-build "$out/deb-build.log" scripts/dist.sh deb "$debdir"
deb_dkms=$(ls "$debdir"/ktls-dkms_*_all.deb 2>/dev/null | head -n 1)
deb_ctl=$(ls "$debdir"/ktls-ctl_*.deb 2>/dev/null | head -n 1)
deb_lib=$(ls "$debdir"/libktls0_*.deb 2>/dev/null | head -n 1)
deb_dev=$(ls "$debdir"/libktls-dev_*.deb 2>/dev/null | head -n 1)
if [ -n "$deb_dkms" ]; then
	dpkg-deb -c "$deb_dkms" >"$out/deb-dkms.list"
	v=$(dpkg-deb -f "$deb_dkms" Version)
	check deb-version "ktls-dkms is $v, VERSION is $version" test "${v%-*}" = "$version"
	check deb-contents "no ./usr/src/ktls-$version/dkms.conf or sources in ktls-dkms" \
		sh -c "grep -q ' ./usr/src/ktls-$version/dkms.conf\$' '$out/deb-dkms.list' &&
			grep -q ' ./usr/src/ktls-$version/src/main.c\$' '$out/deb-dkms.list'"
	conf=$(dpkg-deb --fsys-tarfile "$deb_dkms" | tar -xOf - "./usr/src/ktls-$version/dkms.conf" 2>/dev/null)
	check deb-dkms-conf-version "PACKAGE_VERSION in the packaged dkms.conf: $(grep PACKAGE_VERSION <<<"$conf")" \
		grep -qx "PACKAGE_VERSION=\"$version\"" <<<"$conf"
	deps=$(dpkg-deb -f "$deb_dkms" Depends)
	check deb-depends "Depends: $deps" sh -c "echo '$deps' | grep -q 'dkms' && echo '$deps' | grep -q 'linux-headers'"
else
	fail deb-ktls-dkms "no ktls-dkms .deb in $debdir"
fi
# deb_has NAME DEB PATH...: the package DEB holds every PATH.
deb_has() {
	local name=$1 deb=$2 f absent=
	shift 2
	if [ -z "$deb" ]; then
		fail "$name" "the package was not built: $(logtail "$out/deb-build.log")"
		return 1
	fi
	dpkg-deb -c "$deb" >"$out/$name.list"
	for f in "$@"; do
		grep -qE " \.$f( -> .*)?\$" "$out/$name.list" || absent="$absent $f"
	done
	check "$name" "missing from $(basename "$deb"):$absent" test -z "$absent"
}
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb_has deb-ktls-ctl "$deb_ctl" /usr/sbin/ktls-ctl /usr/share/man/man8/ktls-ctl.8.gz
deb_has deb-libktls0 "$deb_lib" "/usr/lib/$ma/libktls.so.0" "/usr/lib/$ma/libktls.so.$version"
deb_has deb-libktls-dev "$deb_dev" /usr/include/libktls.h /usr/include/linux/ktls.h \
	"/usr/lib/$ma/libktls.so" "/usr/lib/$ma/libktls.a"
if ls "$debdir"/*.changes >/dev/null 2>&1; then
	lintian --fail-on error --display-info "$debdir"/*.changes >"$out/lintian.log" 2>&1
	rc=$?
	grep -E '^[EWI]: ' "$out/lintian.log" | sed 's/^/INFO pkg: lintian: /'
	if [ $rc -eq 0 ]; then
		pass lintian
	else
		fail lintian "lintian exit $rc: $(grep -m3 '^E: ' "$out/lintian.log" | tr '\n' ' ')"
	fi
fi

# ---- 3. RPMs
rpmdir=$out/rpm
step rpm-build "$out/rpm-build.log" scripts/dist.sh rpm "$rpmdir"
srpm=$(ls "$rpmdir"/SRPMS/ktls-"$version"-*.src.rpm 2>/dev/null | head -n 1)
rpm_dkms=$(ls "$rpmdir"/RPMS/noarch/ktls-dkms-"$version"-*.noarch.rpm 2>/dev/null | head -n 1)
rpm_ctl=$(ls "$rpmdir"/RPMS/*/ktls-ctl-"$version"-*.rpm 2>/dev/null | head -n 1)
rpm_lib=$(ls "$rpmdir"/RPMS/*/ktls-libs-"$version"-*.rpm 2>/dev/null | head -n 1)
rpm_dev=$(ls "$rpmdir"/RPMS/*/ktls-devel-"$version"-*.rpm 2>/dev/null | head -n 1)
check rpm-srpm "no ktls-$version-*.src.rpm in $rpmdir/SRPMS" test -n "$srpm"
if [ -n "$rpm_dkms" ]; then
	check rpm-contents "no /usr/src/ktls-$version/dkms.conf in ktls-dkms.rpm" \
		sh -c "rpm -qpl '$rpm_dkms' | grep -qx /usr/src/ktls-$version/dkms.conf"
	check rpm-scriptlets "the %post/%preun scriptlets do not add/remove ktls/$version" \
		sh -c "rpm -qp --scripts '$rpm_dkms' | grep -q 'dkms add -m ktls -v $version' &&
			rpm -qp --scripts '$rpm_dkms' | grep -q 'dkms remove -m ktls -v $version'"
else
	fail rpm-ktls-dkms "no ktls-dkms-$version-*.noarch.rpm in $rpmdir/RPMS"
fi
# rpm_has NAME RPM PATTERN...: the package RPM holds a file matching each
# (extended, whole-line) PATTERN.
rpm_has() {
	local name=$1 rpm=$2 f absent=
	shift 2
	if [ -z "$rpm" ]; then
		fail "$name" "the package was not built: $(logtail "$out/rpm-build.log")"
		return 1
	fi
	rpm -qpl "$rpm" >"$out/$name.list" 2>&1
	for f in "$@"; do
		grep -qxE "$f" "$out/$name.list" || absent="$absent $f"
	done
	check "$name" "missing from $(basename "$rpm"):$absent" test -z "$absent"
}
rpm_has rpm-ktls-ctl "$rpm_ctl" /usr/sbin/ktls-ctl '/usr/share/man/man8/ktls-ctl\.8(\.gz)?'
rpm_has rpm-ktls-libs "$rpm_lib" '/usr/lib(64)?/libktls\.so\.0' "/usr/lib(64)?/libktls\\.so\\.$version"
rpm_has rpm-ktls-devel "$rpm_dev" /usr/include/libktls.h /usr/include/linux/ktls.h \
	'/usr/lib(64)?/libktls\.so' '/usr/lib(64)?/libktls\.a'
info "packages built in $(($(date +%s) - t0)) s"

# ---- 3b. the tool packages on this machine: install, use, remove
if [ -n "$deb_ctl" ] && [ -n "$deb_lib" ] && [ -n "$deb_dev" ]; then
	step tools-install "$out/tools-install.log" "${APT[@]}" install --no-install-recommends \
		"$deb_ctl" "$deb_lib" "$deb_dev"
	K=/usr/sbin/ktls-ctl
	check ctl-owned "dpkg -S $K: $(dpkg -S $K 2>&1)" sh -c "dpkg -S $K | grep -q '^ktls-ctl: '"
	v=$($K --version 2>&1)
	check ctl-version "ktls-ctl --version said '$v', VERSION is $version" grep -qw -- "$version" <<<"$v"
	check ctl-man "no manual page for ktls-ctl in the package" \
		sh -c "dpkg -L ktls-ctl | grep -q '^/usr/share/man/man8/ktls-ctl\.8'"
	$K help >"$out/ctl-help.txt" 2>&1
	rc=$?
	check ctl-help "'ktls-ctl help' exited $rc: $(logtail "$out/ctl-help.txt")" \
		sh -c "[ $rc -eq 0 ] && grep -q '^Usage: ktls-ctl' '$out/ctl-help.txt'"
	# This machine's kernel has no ktls module: "loaded": false, exit 0.
	$K -j module show >"$out/ctl-module.json" 2>"$out/ctl-module.err"
	rc=$?
	check ctl-json-module-show "'ktls-ctl -j module show' exited $rc: $(head -c 200 "$out/ctl-module.json" "$out/ctl-module.err" | tr '\n' ' ')" \
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if sys.argv[2] == "0" and d["module"] == "ktls" and isinstance(d["loaded"], bool) else 1)' \
		"$out/ctl-module.json" "$rc"
	# libktls-dev: the example client builds against the installed header
	# and links the installed shared library (found in /lib or /usr/lib:
	# merged /usr), which loads (no arguments: usage, exit 2).
	if cc -Wall -Wextra -Werror -o "$out/ktls-client" tools/ktls-ctl/examples/ktls-client.c \
		-lktls -lgnutls >"$out/example.log" 2>&1 && ldd "$out/ktls-client" >"$out/example.ldd" 2>&1; then
		"$out/ktls-client" >"$out/example.run" 2>&1
		rc=$?
		check libktls-dev-example "the example does not use libktls.so.0 from libktls0 or does not run (exit $rc): $(logtail "$out/example.ldd" 20) $(logtail "$out/example.run")" \
			sh -c "grep -qE 'libktls\.so\.0 => (/usr)?/lib/$ma/libktls\.so\.0 ' '$out/example.ldd' &&
				[ $rc -eq 2 ] && grep -q '^usage:' '$out/example.run'"
	else
		fail libktls-dev-example "building the example against libktls-dev failed: $(logtail "$out/example.log")"
	fi
	step tools-remove "$out/tools-remove.log" "${APT[@]}" remove ktls-ctl libktls0 libktls-dev
	step tools-purge "$out/tools-purge.log" dpkg --purge ktls-ctl libktls0 libktls-dev
	left=$(ls $K /usr/lib/"$ma"/libktls* /usr/include/libktls.h /usr/include/linux/ktls.h 2>/dev/null | xargs)
	for p in ktls-ctl libktls0 libktls-dev; do
		pkg_known "$p" && left="$left (dpkg still knows $p)"
	done
	check tools-removed "left behind: $left" test -z "$left"
else
	fail tools-install "the ktls-ctl, libktls0 and libktls-dev .debs were not all built"
fi

# ---- 4. install the .deb: DKMS builds for every kernel
if [ -z "$deb_dkms" ]; then
	exit 1
fi
# DKMS's postinst builds for the running and the newest kernel only,
# unless the running kernel is not installed (a VM or container with its
# own kernel, as here): then for all.  Ask for all, so the result does
# not depend on what the test machine runs.
if [ -d "/lib/modules/$(uname -r)" ]; then
	export autoinstall_all_kernels=yes
	info "the running kernel $(uname -r) is installed: asking DKMS to build for all kernels"
fi
t1=$(date +%s)
step deb-install "$out/deb-install.log" "${APT[@]}" install --no-install-recommends "$deb_dkms"
unset autoinstall_all_kernels
info "apt-get install (DKMS builds) took $(($(date +%s) - t1)) s"
for k in "${kvers[@]}"; do
	s=$(series_of "$k")
	check "dkms-installed-$s" "dkms status: $(dkms status "ktls/$version" -k "$k" 2>&1 | tr '\n' ' ')" \
		sh -c "dkms status ktls/$version -k '$k' | grep -q ': installed'" || continue
	mod=$(installed_module "$k")
	check "in-lib-modules-$s" "no ktls.ko under /lib/modules/$k/updates/dkms" test -n "$mod" || continue
	check "modprobe-finds-$s" "modinfo -k $k ktls: $(modinfo -k "$k" -F filename ktls 2>&1)" \
		test "$(modinfo -k "$k" -F filename ktls 2>/dev/null)" = "$mod"
	mkdir -p "$out/$k"
	decompress "$mod" "$out/$k/ktls.ko"
	v=$(modinfo -F version "$out/$k/ktls.ko")
	check "module-version-$s" "modinfo version '$v', VERSION $version" test "$v" = "$version"
	# DKMS signed it with its MOK key; scripts/sign.sh, with the same key,
	# must produce the very same module.
	signer=$(modinfo -F signer "$out/$k/ktls.ko")
	if [ -z "$signer" ]; then
		skip "sign-$s" "DKMS did not sign the module (no sign-file or key)"
	else
		mkdir -p "$out/sign/$k"
		cp "$out/$k/ktls.ko" "$out/sign/$k/ktls.ko"
		if scripts/sign.sh "$out/sign/$k/ktls.ko" >"$out/sign-$s.log" 2>&1; then
			check "sign-$s" "scripts/sign.sh's signature differs from DKMS's" \
				cmp -s "$out/$k/ktls.ko" "$out/sign/$k/ktls.ko"
		else
			fail "sign-$s" "scripts/sign.sh failed: $(logtail "$out/sign-$s.log")"
		fi
	fi
done

# ---- the DKMS-built modules in QEMU
if ! make --no-print-directory -s -C tests/guest/progs >"$out/progs.log" 2>&1; then
	fail guest-programs "$(logtail "$out/progs.log")"
fi
for k in "${kvers[@]}"; do
	s=$(series_of "$k")
	if [ ! -s "$out/$k/ktls.ko" ]; then
		fail "$s:boot" "no DKMS-built module for $k to boot"
		continue
	fi
	t1=$(date +%s)
	tests/qemu/boot.sh "$k" "$out/$k/ktls.ko" 05-pkg-smoke "$out/guest-$s" 300 >"$out/guest-$s.txt" 2>&1
	sed -E 's/^(PASS|FAIL|SKIP) /\1 pkg./; s/^INFO /INFO pkg./' "$out/guest-$s.txt"
	grep -q '^FAIL ' "$out/guest-$s.txt" && failed=1
	loaded=$(sed -n "s/^INFO $s: pkg-smoke.version //p" "$out/guest-$s.txt" | head -n 1 | tr -d ' ')
	check "$s:loaded-version" "the guest's loaded module reports '$loaded', VERSION is $version" \
		test "$loaded" = "$version"
	info "guest $s: $(($(date +%s) - t1)) s"
done

# ---- 5. remove, purge
step deb-remove "$out/deb-remove.log" "${APT[@]}" remove ktls-dkms
check removed-from-dkms "dkms status: $(dkms status ktls 2>&1 | tr '\n' ' ')" \
	sh -c "[ -z \"\$(dkms status ktls/$version)\" ] && [ ! -e /var/lib/dkms/ktls/$version ]"
for k in "${kvers[@]}"; do
	s=$(series_of "$k")
	check "removed-from-lib-modules-$s" "still there: $(installed_module "$k") $(modinfo -k "$k" -F filename ktls 2>/dev/null)" \
		sh -c "[ -z \"\$(find /lib/modules/$k/updates/dkms -name 'ktls.ko*' 2>/dev/null)\" ] &&
			! modinfo -k '$k' ktls >/dev/null 2>&1"
done
check removed-source "/usr/src/ktls-$version is still there" test ! -e "/usr/src/ktls-$version"
# Nothing is left to purge unless the package had conffiles; dpkg says so.
step deb-purge "$out/deb-purge.log" dpkg --purge ktls-dkms
check deb-purged "dpkg still knows ktls-dkms" sh -c "! dpkg-query -W -f='\${db:Status-Status}' ktls-dkms 2>/dev/null | grep -qv '^not-installed\$'"

# ---- 6. the RPM's scriptlets against this machine's DKMS (two more
# DKMS builds; KTLS_PKG_RPM_INSTALL=0 leaves this out)
if [ "${KTLS_PKG_RPM_INSTALL:-1}" = 0 ]; then
	skip rpm-install "KTLS_PKG_RPM_INSTALL=0"
elif [ -n "$rpm_dkms" ]; then
	t1=$(date +%s)
	db=$out/rpmdb
	mkdir -p "$db"
	# Debian's rpm installs packages only when told --force-debian.
	force=()
	rpm --help 2>/dev/null | grep -q -- --force-debian && force=(--force-debian)
	if step rpm-install "$out/rpm-install.log" rpm --dbpath "$db" -i --nodeps "${force[@]}" "$rpm_dkms"; then
		for k in "${kvers[@]}"; do
			s=$(series_of "$k")
			check "rpm-dkms-installed-$s" "dkms status: $(dkms status "ktls/$version" -k "$k" 2>&1 | tr '\n' ' ')" \
				sh -c "dkms status ktls/$version -k '$k' | grep -q ': installed' && [ -n \"\$(find /lib/modules/$k/updates/dkms -name 'ktls.ko*')\" ]"
		done
		step rpm-erase "$out/rpm-erase.log" rpm --dbpath "$db" -e --nodeps ktls-dkms
		check rpm-removed "left behind: $(dkms status ktls/"$version") $(ls -d /usr/src/ktls-"$version" 2>/dev/null) $(find /lib/modules/*/updates/dkms -name 'ktls.ko*' 2>/dev/null | tr '\n' ' ')" \
			sh -c "[ -z \"\$(dkms status ktls/$version)\" ] && [ ! -e /usr/src/ktls-$version ] &&
				[ -z \"\$(find /lib/modules/*/updates/dkms -name 'ktls.ko*' 2>/dev/null)\" ]"
	fi
	info "RPM scriptlets: $(($(date +%s) - t1)) s"
fi

clean_machine >>"$out/cleanup.log" 2>&1
check machine-clean "ktls is left in DKMS, /usr/src or dpkg" \
	sh -c "[ -z \"\$(dkms status ktls/$version)\" ] && [ ! -e /usr/src/ktls-$version ] &&
		! dpkg-query -W ktls-dkms >/dev/null 2>&1"
info "packaging phase: $(($(date +%s) - t0)) s"
exit $failed
