#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every module under kmod/ against Debian's headers of one or more
# kernels. Usage: kmod/build.sh [SERIES|VERSION]...   (default: 6.1 6.12)
#
# The headers come from the VM test bed's cache (downloaded on first use).
# Sources are copied to build/kmod/<ver>/src/<module>/ so the tree stays
# clean; the modules land in build/kmod/<ver>/*.ko.
#   V=1       show kbuild's commands
#   XP_BUILD  build directory (default: build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/vm/lib/kernel.sh
source "$root/tests/vm/lib/kernel.sh"

build_one() {
	local kver=$1 hdr out dir name n=0
	hdr=$(kernel_headers "$kver")
	out=$XPVM_BUILD/kmod/$kver
	mkdir -p "$out/src"
	for dir in "$root"/kmod/*/; do
		[[ -f $dir/Kbuild ]] || continue
		name=$(basename "$dir")
		# rsync-like copy that keeps timestamps, so kbuild rebuilds only
		# what changed.
		mkdir -p "$out/src/$name"
		cp -a --update "$dir". "$out/src/$name/"
		# Kbuild gets a clean slate: none of our top-level make's variables.
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
			make -C "$hdr" M="$out/src/$name" XP_ROOT="$root" \
			${V:+V=$V} modules >"$out/src/$name.log" 2>&1 || {
			cat "$out/src/$name.log" >&2
			echo "kmod: $name failed to build for $kver" >&2
			return 1
		}
		[[ ${V:-0} == 1 ]] && cat "$out/src/$name.log"
		find "$out/src/$name" -maxdepth 1 -name '*.ko' -exec cp -p {} "$out/" \;
		n=$((n + 1))
	done
	printf '  %-8s %s\n' KMOD "$out ($n module dir(s))"
}

main() {
	local spec kver
	# shellcheck disable=SC2086 # a list of series
	(($#)) || set -- $XPVM_SERIES_DEFAULT
	for spec in "$@"; do
		kver=$(kernel_get "$spec")
		build_one "$kver"
	done
}

main "$@"
