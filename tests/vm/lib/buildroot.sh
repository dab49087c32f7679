# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A Debian build root for kernels that Debian 12's compiler cannot build
# modules for. Debian's newest kernel (the "newest" series) is built with
# a newer gcc than bookworm's: its headers name that compiler and pass it
# options gcc 12 does not know. Its modules are therefore built in a
# root of the kernel's own Debian release, made with debootstrap from the
# host's Debian archive (the same one apt uses) and kept in the cache:
#
#   $XPVM_CACHE/buildroot/<suite>/         minbase + gcc-<N>, make, libc6-dev
#   .../usr/src/linux-headers-<ver>/       the kernel's headers, unpacked in place
#   .../xp/                                sources copied in for a build
#
# Nothing is installed on the host but debootstrap (make deps).

# shellcheck source=tests/vm/lib/kernel.sh
source "$(dirname "${BASH_SOURCE[0]}")/kernel.sh"

# buildroot_needed VERSION: 0 when the host lacks the compiler that
# VERSION's headers name (CONFIG_CC_VERSION_TEXT's first word).
buildroot_needed() {
	local cc
	cc=$(_buildroot_cc "$1") || return 1
	! command -v "$cc" >/dev/null
}

_buildroot_cc() {
	local cfg
	cfg=$(kernel_headers "$1")/.config
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\).*/\1/p' "$cfg" | grep . ||
		vm_err "no CONFIG_CC_VERSION_TEXT in $cfg"
}

# _buildroot_suite VERSION: the Debian release VERSION belongs to.
_buildroot_suite() {
	case $1 in
	*+deb13*) echo trixie ;;
	*+deb14*) echo forky ;;
	*) vm_err "no build root release known for kernel $1"; return 1 ;;
	esac
}

# _buildroot_make SUITE GCCPKG: debootstrap the root (again when the
# package list changed). pahole makes the modules' BTF, as the kernel's own.
_buildroot_make() {
	local suite=$1 gcc=$2 dir tmp uri pkgs
	dir=$XPVM_CACHE/buildroot/$suite
	pkgs="$gcc,make,libc6-dev,libelf1t64,dwarves"
	[[ -e $dir/.complete && $(cat "$dir/.packages" 2>/dev/null) == "$pkgs" ]] && return 0
	vm_need debootstrap debootstrap || return 1
	uri=$(_kernel_archive_uri | head -n1)
	[[ -n $uri ]] || { vm_err "no Debian archive for bookworm in the host's apt sources"; return 1; }
	tmp=$dir.tmp
	rm -rf "$tmp"
	mkdir -p "$(dirname "$dir")"
	vm_log "making a $suite build root with $pkgs (debootstrap, once; a few minutes)"
	if ! debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp" "$uri" \
		>"$tmp.log" 2>&1; then
		tail -n 20 "$tmp.log" >&2
		vm_err "debootstrap $suite failed (log: $tmp.log)"
		return 1
	fi
	rm -rf "$dir"
	mv "$tmp" "$dir"
	mv "$tmp.log" "$dir/.debootstrap.log"
	echo "$pkgs" >"$dir/.packages"
	touch "$dir/.complete"
}

# _buildroot_headers DIR VERSION: VERSION's headers unpacked in the root.
_buildroot_headers() {
	local dir=$1 kver=$2 deb
	[[ -e $dir/.headers-$kver ]] && return 0
	for deb in $(kernel_debs "$kver"); do
		case ${deb##*/} in
		linux-headers-* | linux-kbuild-* | linux-base-*)
			dpkg-deb -x "$deb" "$dir" || { vm_err "dpkg-deb -x $deb failed"; return 1; } ;;
		esac
	done
	[[ -f $dir/usr/src/linux-headers-$kver/Makefile ]] ||
		{ vm_err "the headers of $kver are not in the build root"; return 1; }
	touch "$dir/.headers-$kver"
}

# buildroot_get VERSION: a build root for VERSION's modules; prints its path.
buildroot_get() {
	local kver=$1 suite cc gcc dir
	suite=$(_buildroot_suite "$kver") || return 1
	cc=$(_buildroot_cc "$kver") || return 1
	gcc=gcc-${cc##*-gcc-}
	dir=$XPVM_CACHE/buildroot/$suite
	vm_locked "buildroot-$suite" _buildroot_make "$suite" "$gcc" || return 1
	vm_locked "buildroot-$suite" _buildroot_headers "$dir" "$kver" || return 1
	echo "$dir"
}

# buildroot_run DIR CMD...: CMD in the build root with a clean environment
# and /proc (objtool reads it), mounted in a private mount namespace that
# ends with CMD, so nothing stays mounted.
buildroot_run() {
	local dir=$1
	shift
	unshare --mount --propagation private -- /bin/sh -c \
		'dir=$1; shift; mount -t proc proc "$dir/proc" && exec chroot "$dir" "$@"' sh "$dir" \
		/usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}
