#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dist.sh: release tarball and packages, all built from the same file set.
#
#   dist.sh [tarball] [OUTDIR]  ktls-<VERSION>.tar.gz in OUTDIR (default: the
#                               top of the tree), top directory ktls-<VERSION>/
#   dist.sh deb [OUTDIR]        unpack the tarball in OUTDIR (default
#                               build/deb), dpkg-buildpackage -us -uc -b there:
#                               the .debs land in OUTDIR
#   dist.sh rpm [OUTDIR]        rpmbuild -bs, then -bb, with _topdir OUTDIR
#                               (default build/rpm): SRPMS/, RPMS/
#   dist.sh check-version       VERSION, debian/changelog and rpm/ktls.spec
#                               agree
#
# The file set is git's: tracked files plus untracked ones .gitignore does
# not exclude, so a clean clone gives exactly HEAD and a working tree gives
# what it holds.  Without git (an unpacked tarball), every file except
# build output.  The tarball is reproducible: sorted, owner root, modes
# normalised, mtime of the last commit (or SOURCE_DATE_EPOCH).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(cat VERSION)
name=ktls-$version

die() {
	echo "dist: $*" >&2
	exit 1
}

check_version() {
	local deb spec
	[[ $version =~ ^[0-9][0-9A-Za-z.+~]*$ ]] ||
		die "VERSION '$version' is not a version both dpkg and rpm accept (digits, letters, . + ~)"
	deb=$(sed -n '1s/^ktls (\([^)]*\)).*/\1/p' debian/changelog)
	deb=${deb#*:}
	deb=${deb%-*}
	[ "$deb" = "$version" ] ||
		die "debian/changelog's latest entry is $deb, VERSION is $version: add an entry '$version-1' at the top"
	spec=$(sed -n 's/^Version:[[:space:]]*//p' rpm/ktls.spec)
	[ "$spec" = "$version" ] ||
		die "rpm/ktls.spec has Version: $spec, VERSION is $version: change it (and reset Release: to 1)"
}

# file_list: NUL-separated paths relative to the top of the tree.
file_list() {
	if git -c safe.directory="$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -c safe.directory="$top" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				# Deleted but not yet committed files are still in the index.
				[ -e "$f" ] || [ -L "$f" ] || continue
				case $f in
				build/* | ktls-[0-9]*.tar.gz*) continue ;;
				esac
				printf '%s\0' "$f"
			done
	else
		find . \( -path ./.git -o -path ./build -o -path ./debian/.debhelper \
			-o -path ./debian/tmp -o -path ./debian/ktls-dkms -o -path ./debian/ktls-ctl \) -prune \
			-o \( -type f -o -type l \) ! -name 'ktls-[0-9]*.tar.gz*' ! -path './debian/files' \
			! -name '*.substvars' ! -name '*.debhelper' ! -name '*.debhelper.log' \
			! -name 'debhelper-build-stamp' -printf '%P\0'
	fi
}

# tarball OUTDIR: write OUTDIR/ktls-<version>.tar.gz, print its path.
tarball() {
	local out=$1 mtime list untracked
	check_version
	mkdir -p "$out"
	mtime=${SOURCE_DATE_EPOCH:-$(git -c safe.directory="$top" log -1 --format=%ct 2>/dev/null ||
		stat -c %Y VERSION)}
	list=$(mktemp)
	trap 'rm -f "$list" "$out/$name.tar.gz.tmp"' EXIT
	file_list | LC_ALL=C sort -z >"$list"
	untracked=$(git -c safe.directory="$top" ls-files --others --exclude-standard 2>/dev/null |
		grep -v -e '^build/' -e '^ktls-[0-9].*\.tar\.gz' || true)
	if [ -n "$untracked" ]; then
		echo "dist: note: including $(wc -l <<<"$untracked") file(s) git does not track:" \
			"$(head -n 5 <<<"$untracked" | xargs)$([ "$(wc -l <<<"$untracked")" -gt 5 ] && echo ' ...')" >&2
	fi
	grep -qzx VERSION "$list" || die "VERSION is not in the file list"
	grep -qzx debian/rules "$list" || die "debian/rules is not in the file list"
	tar --create --format=gnu --owner=0 --group=0 --numeric-owner \
		--mtime="@$mtime" --mode='u+rw,go-w,a+rX' --transform="flags=rh;s,^,$name/," \
		--null --no-recursion --files-from="$list" |
		gzip -9 -n >"$out/$name.tar.gz.tmp"
	mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
	rm -f "$list"
	trap - EXIT
	echo "$out/$name.tar.gz"
}

deb() {
	local out=$1 tgz
	command -v dpkg-buildpackage >/dev/null ||
		die "dpkg-buildpackage not found: apt-get install dpkg-dev debhelper dh-dkms"
	rm -rf "$out"
	mkdir -p "$out"
	tgz=$(tarball "$out")
	tar -xzf "$tgz" -C "$out"
	# Outside the tree: dpkg-buildpackage writes its results to the
	# parent directory, OUTDIR.
	(cd "$out/$name" && dpkg-buildpackage -us -uc -b)
	ls "$out"/*.deb
}

rpm_() {
	local out=$1 tgz opts=()
	command -v rpmbuild >/dev/null || die "rpmbuild not found (Debian: apt-get install rpm)"
	rm -rf "$out"
	mkdir -p "$out"/{SOURCES,SPECS,BUILD,RPMS,SRPMS}
	tgz=$(tarball "$out/SOURCES")
	# The spec as the tarball has it.
	tar -xzOf "$tgz" "$name/rpm/ktls.spec" >"$out/SPECS/ktls.spec"
	# On a system whose packages rpm does not manage (Debian), rpm's
	# database is empty and BuildRequires cannot be checked.
	if ! rpm -q rpm >/dev/null 2>&1; then
		echo "dist: rpm does not manage this system's packages: building with --nodeps"
		opts+=(--nodeps)
	fi
	rpmbuild --define "_topdir $out" "${opts[@]}" -bs "$out/SPECS/ktls.spec"
	rpmbuild --define "_topdir $out" "${opts[@]}" -bb "$out/SPECS/ktls.spec"
	find "$out/SRPMS" "$out/RPMS" -name '*.rpm'
}

cmd=${1:-tarball}
case $cmd in
tarball) tarball "$(realpath -m "${2:-$top}")" ;;
deb) deb "$(realpath -m "${2:-$top/build/deb}")" ;;
rpm) rpm_ "$(realpath -m "${2:-$top/build/rpm}")" ;;
check-version) check_version && echo "dist: VERSION, debian/changelog and rpm/ktls.spec agree on $version" ;;
*) die "usage: dist.sh [tarball|deb|rpm] [OUTDIR] | dist.sh check-version" ;;
esac
