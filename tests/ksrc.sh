# SPDX-License-Identifier: GPL-2.0
#
# ksrc.sh: sourced by the builders of the kernel's own tests
# (tests/conformance/build.sh, tests/sockmap/build.sh).
#
# ksrc_extract TARBALL DIR LABEL MEMBER...: extract the MEMBERs (paths below
# the tarball's top directory) of Debian's linux-source tarball into DIR,
# unless DIR already holds them from this very tarball.  Exits with a
# message naming LABEL on failure.
ksrc_extract() {
	local tarball=$1 dir=$2 label=$3 key m
	local patterns=()

	shift 3
	key="$(stat -c '%n %Y %s' "$tarball")"
	if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$key" ]; then
		return 0
	fi
	echo "$label: extracting from $tarball"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	for m in "$@"; do
		patterns+=("*/$m")
	done
	if ! tar -xJf "$tarball" -C "$dir.tmp" --wildcards --strip-components=1 "${patterns[@]}"; then
		echo "$label: could not extract $* from $tarball" >&2
		exit 1
	fi
	for m in "$@"; do
		if [ ! -f "$dir.tmp/$m" ]; then
			echo "$label: $m missing from $tarball" >&2
			exit 1
		fi
	done
	echo "$key" >"$dir.tmp/.stamp"
	mv "$dir.tmp" "$dir"
}
