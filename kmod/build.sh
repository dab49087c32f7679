#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every module under kmod/ against Debian's headers of one or more
# kernels. Usage: kmod/build.sh [SERIES|VERSION]...   (default: 6.1 6.12 newest)
#
# The headers come from the VM test bed's cache (downloaded on first use).
# Sources are copied to build/kmod/<ver>/src/<module>/ so the tree stays
# clean; the modules land in build/kmod/<ver>/*.ko. Builds for one kernel
# take turns (a lock per kernel) and replace a module only by a rename. A kernel whose compiler
# the host lacks (the newest series: gcc 14, bookworm has 12) is built in a
# Debian build root of its own release (tests/vm/lib/buildroot.sh), with the
# sources copied into the root instead.
#   V=1       show kbuild's commands
#   XP_JOBS   kbuild's parallel jobs (default: the number of CPUs)
#   XP_BUILD  build directory (default: build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${XP_JOBS:-$(nproc)}
# shellcheck source=tests/vm/lib/buildroot.sh
source "$root/tests/vm/lib/buildroot.sh"

# kbuild KVER DIR NAME: make modules for the sources in DIR (DIR as kbuild
# sees it, inside the build root when there is one).
kbuild() {
	local kver=$1 dir=$2
	# Kbuild gets a clean slate: none of our top-level make's variables.
	if [[ -n $broot ]]; then
		buildroot_run "$broot" make -j"$jobs" -C "/usr/src/linux-headers-$kver" M="$dir" \
			XP_ROOT=/xp/root ${V:+V=$V} modules
	else
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
			make -j"$jobs" -C "$(kernel_headers "$kver")" M="$dir" XP_ROOT="$root" \
			${btfids:+RESOLVE_BTFIDS="$btfids"} ${V:+V=$V} modules
	fi
}

# btf_base KVER: give KVER's headers the vmlinux whose BTF module BTF is
# built against (kbuild runs pahole and resolve_btfids on "vmlinux" in the
# headers directory, and skips module BTF without it; xp_rxe's XDP kfunc
# needs module BTF). Debian's 6.12 and newer headers ship it. 6.1's do not:
# take it from the xz payload of the image the guests boot, keeping only
# its BTF sections, and resolve_btfids, which 6.1's kbuild lacks, from the
# 6.12 kbuild (it links only libelf, libz and libc). Sets btfids.
btf_base() {
	local kver=$1 hdr img off tmp k612
	hdr=$(kernel_headers "$kver")
	btfids=
	grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$hdr/.config" || return 0
	if [[ ! -x $hdr/tools/bpf/resolve_btfids/resolve_btfids ]]; then
		k612=$(kernel_get 6.12)
		btfids=$(kernel_headers "$k612")/tools/bpf/resolve_btfids/resolve_btfids
		if [[ ! -x $btfids ]]; then
			echo "kmod: no resolve_btfids in $k612's kbuild: $kver's modules get no BTF" >&2
			btfids=
			rm -f "$hdr/vmlinux"
			return 0
		fi
	fi
	[[ -e $hdr/vmlinux ]] && return 0
	img=$(kernel_dir "$kver")/boot/vmlinuz-$kver
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$img" | head -n1 | cut -d: -f1) || true
	if [[ -z $off ]]; then
		echo "kmod: no xz payload in $img: $kver's modules get no BTF" >&2
		return 0
	fi
	tmp=$(mktemp)
	# xz stops at the payload's end and complains of what follows it.
	tail -c +$((off + 1)) "$img" | xz -dc >"$tmp" 2>/dev/null || true
	if objcopy --only-section=.BTF --only-section=.BTF_ids "$tmp" "$hdr/.vmlinux.new" 2>/dev/null &&
		[[ $(readelf -S "$hdr/.vmlinux.new") == *" .BTF "* ]]; then
		mv -f "$hdr/.vmlinux.new" "$hdr/vmlinux"
	else
		rm -f "$hdr/.vmlinux.new"
		echo "kmod: no BTF in $img: $kver's modules get no BTF" >&2
	fi
	rm -f "$tmp"
}

# install_ko KO DIR: put KO into DIR if it differs, by a rename, so a VM
# suite packing DIR's modules into a guest meanwhile sees the old file or
# the new one, never half of one.
install_ko() {
	local ko=$1 dir=$2 base
	base=$(basename "$ko")
	cmp -s "$ko" "$dir/$base" && return
	cp -p "$ko" "$dir/.$base.new"
	mv -f "$dir/.$base.new" "$dir/$base"
}

# build_key KVER DIR: what a module directory's build depends on, as one
# hash: the kernel, its BTF base, this script, and every file of DIR, the
# transport core and include/.
build_key() {
	local kver=$1 dir=$2 hdr
	hdr=$(kernel_headers "$kver")
	{
		echo "$kver ${broot:-host} ${btfids:-no-btfids}"
		stat -c '%s %Y' "$hdr/vmlinux" 2>/dev/null || echo "no vmlinux"
		find "$root/kmod/build.sh" "$dir" "$root/core/roce" "$root/include" -type f -print0 |
			sort -z | xargs -0 sha1sum
	} | sha1sum | cut -d' ' -f1
}

build_one() {
	local kver=$1 out src dir name key n=0
	out=$XPVM_BUILD/kmod/$kver
	src=$out/src
	broot=
	if buildroot_needed "$kver"; then
		broot=$(buildroot_get "$kver")
		src=$broot/xp/kmod/$kver
		mkdir -p "$broot/xp/root"
		cp -a --update "$root/include" "$broot/xp/root/"
	fi
	mkdir -p "$out" "$src"
	[[ -n $broot ]] || btf_base "$kver"
	for dir in "$root"/kmod/*/; do
		[[ -f $dir/Kbuild ]] || continue
		name=$(basename "$dir")
		# rsync-like copy that keeps timestamps, so kbuild rebuilds only
		# what changed.
		mkdir -p "$src/$name"
		cp -a --update "$dir". "$src/$name/"
		# A module built from the transport core gets its files as core/.
		if grep -q 'core/' "$dir/Kbuild"; then
			mkdir -p "$src/$name/core"
			cp -a --update "$root/core/roce/." "$src/$name/core/"
		fi
		# kbuild takes seconds to find nothing to do, and every VM suite
		# asks for its kernels' modules: skip it when the inputs are the
		# ones the last good build had.
		key=$(build_key "$kver" "$dir")
		if [[ $(cat "$src/$name.key" 2>/dev/null) != "$key" ]] ||
			! compgen -G "$src/$name/*.ko" >/dev/null; then
			rm -f "$src/$name.key"
			kbuild "$kver" "${src#"$broot"}/$name" >"$src/$name.log" 2>&1 || {
				cat "$src/$name.log" >&2
				echo "kmod: $name failed to build for $kver${broot:+ (in the build root $broot)}" >&2
				return 1
			}
			echo "$key" >"$src/$name.key"
		fi
		[[ ${V:-0} == 1 ]] && cat "$src/$name.log"
		for ko in "$src/$name"/*.ko; do
			install_ko "$ko" "$out"
		done
		n=$((n + 1))
	done
	printf '  %-8s %s\n' KMOD "$out ($n module dir(s)${broot:+, built in $broot})"
}

main() {
	local spec kver
	# shellcheck disable=SC2086 # a list of series
	(($#)) || set -- $XPVM_SERIES_ALL
	mkdir -p "$XPVM_BUILD/kmod"
	for spec in "$@"; do
		kver=$(kernel_get "$spec")
		# One build per kernel at a time: VM suites in parallel lanes
		# build the modules they load.
		(
			flock 9
			build_one "$kver"
		) 9>"$XPVM_BUILD/kmod/.lock-$kver"
	done
}

main "$@"
