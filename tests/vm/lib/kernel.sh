# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Debian kernels for the VM test bed: resolve a series to its current
# version through apt, download the image and the headers with
# apt-get download, unpack them (dpkg-deb -x, never installed) into one
# root-like tree per version under $XPVM_CACHE/kernel/<version>/root:
#
#   boot/vmlinuz-<ver>                     the kernel qemu boots
#   lib/modules/<ver>/                     its modules (.ko or .ko.xz)
#   usr/src/linux-headers-<ver>/           make -C here M=... builds modules
#   usr/src/linux-headers-<base>-common/   (referenced by the one above)
#   usr/lib/linux-kbuild-<...>/            (scripts and host tools)
#
# Reruns find everything in the cache and touch neither apt nor the network.

# shellcheck source=tests/vm/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# _kernel_apt_dep PKG PATTERN: first Depends of PKG whose name matches PATTERN.
_kernel_apt_dep() {
	apt-cache depends "$1" 2>/dev/null |
		awk -v pat="$2" '!found && $1 == "Depends:" && $2 ~ pat { print $2; found = 1 }'
}

# _kernel_cached_latest SERIES: newest version of SERIES already unpacked.
_kernel_cached_latest() {
	local d
	d=$(find "$XPVM_CACHE/kernel" -mindepth 1 -maxdepth 1 -type d \
		\( -name "$1.*" -o -name "$1-*" \) 2>/dev/null | sort -V | tail -n1)
	[[ -n $d && -e $d/.complete ]] && basename "$d"
}

# kernel_resolve SERIES|VERSION: print the kernel version (uname -r) to use.
#   6.1   the series behind linux-image-amd64 (Debian 12's default kernel)
#   6.12  the series behind linux-image-6.12-amd64
#   6.1.0-56-amd64, 6.12.117+deb12-amd64: taken as given.
# Without apt lists (offline, fresh container) the newest cached one wins.
_kernel_apt_resolve() {
	local series=$1 meta dep kver
	for meta in "linux-image-$series-amd64" linux-image-amd64; do
		dep=$(_kernel_apt_dep "$meta" '^linux-image-')
		kver=${dep#linux-image-}
		if [[ $kver == "$series".* || $kver == "$series"-* ]]; then
			echo "$kver"
			return 0
		fi
	done
	return 1
}

kernel_resolve() {
	local series=$1 kver policy
	if [[ $series == *-amd64 ]]; then
		echo "$series"
		return 0
	fi
	if kver=$(_kernel_apt_resolve "$series"); then
		echo "$kver"
		return 0
	fi
	# A fresh system has no package lists yet: fetch them once (as root).
	policy=$(apt-cache policy linux-image-amd64 2>/dev/null)
	if [[ $policy != *"Candidate: "[0-9]* ]] && ((EUID == 0)) &&
		! _kernel_cached_latest "$series" >/dev/null; then
		vm_log "apt has no package lists: running apt-get update"
		apt-get update -q >/dev/null 2>&1 || true
		if kver=$(_kernel_apt_resolve "$series"); then
			echo "$kver"
			return 0
		fi
	fi
	if kver=$(_kernel_cached_latest "$series"); then
		vm_log "apt knows no $series kernel (run apt-get update); using cached $kver"
		echo "$kver"
		return 0
	fi
	vm_err "no Debian kernel for series '$series': apt-cache depends linux-image-$series-amd64" \
		"and linux-image-amd64 name none (run apt-get update, or give a version like 6.1.0-56-amd64)"
}

# kernel_dir VERSION: the unpacked root of VERSION (may not exist yet).
kernel_dir() { echo "$XPVM_CACHE/kernel/$1/root"; }
kernel_vmlinuz() { echo "$(kernel_dir "$1")/boot/vmlinuz-$1"; }
kernel_moddir() { echo "$(kernel_dir "$1")/lib/modules/$1"; }
kernel_headers() { echo "$(kernel_dir "$1")/usr/src/linux-headers-$1"; }

# _kernel_download DIR PKG...: apt-get download each PKG not yet in DIR.
# A stale package list names files the archive no longer has: update the
# lists once and try again.
_kernel_download() {
	local dir=$1 p want=()
	shift
	mkdir -p "$dir"
	for p in "$@"; do
		compgen -G "$dir/${p}_*.deb" >/dev/null || want+=("$p")
	done
	((${#want[@]})) || return 0
	vm_log "downloading ${want[*]}"
	if ! (cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >/dev/null); then
		vm_log "apt-get download failed; updating the package lists and retrying"
		apt-get update -q >/dev/null || return 1
		(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >/dev/null) ||
			vm_err "apt-get download ${want[*]} failed"
	fi
}

# _kernel_fix_headers ROOT VERSION: make the unpacked headers usable from
# ROOT instead of /: absolute symlinks and paths into /usr/src and
# /usr/lib/linux-kbuild-* are rewritten to point inside ROOT.
_kernel_fix_headers() {
	local root=$1 kver=$2 hdr link target f
	hdr=$root/usr/src/linux-headers-$kver
	[[ -d $hdr ]] || return 1
	while IFS= read -r link; do
		target=$(readlink "$link")
		[[ $target == /* ]] || continue
		ln -sfn "$root$target" "$link"
	done < <(find "$root/usr/src" "$root/usr/lib" "$root/lib/modules" -maxdepth 3 -type l 2>/dev/null)
	for f in "$hdr/Makefile" "$hdr/scripts/Makefile" "$hdr"/*.mk; do
		[[ -f $f ]] || continue
		sed -i -e "s|\([ =]\)/usr/src/|\1$root/usr/src/|g" \
			-e "s|\([ =]\)/usr/lib/linux-kbuild|\1$root/usr/lib/linux-kbuild|g" "$f"
	done
}

# kernel_fetch VERSION: download and unpack VERSION's image and headers
# unless the cache has them. Prints nothing; see kernel_dir.
kernel_fetch() {
	local kver=$1 top root tmp debs common kbuild image p
	top=$XPVM_CACHE/kernel/$kver
	root=$top/root
	[[ -e $top/.complete ]] && return 0
	vm_need apt-get apt && vm_need dpkg-deb dpkg || return 1
	debs=$XPVM_CACHE/debs
	image=linux-image-$kver
	if [[ -z $(apt-cache show "$image" 2>/dev/null | head -n1) ]]; then
		image=linux-image-$kver-unsigned
	fi
	common=$(_kernel_apt_dep "linux-headers-$kver" '^linux-headers-.*-common')
	kbuild=$(_kernel_apt_dep "linux-headers-$kver" '^linux-kbuild-')
	if [[ -z $common || -z $kbuild ]]; then
		vm_err "apt does not know linux-headers-$kver or its -common/kbuild packages (run apt-get update)"
		return 1
	fi
	_kernel_download "$debs" "$image" "linux-headers-$kver" "$common" "$kbuild" || return 1
	tmp=$top/root.tmp
	rm -rf "$tmp" "$root"
	mkdir -p "$tmp"
	vm_log "unpacking $kver"
	for p in "$image" "linux-headers-$kver" "$common" "$kbuild"; do
		dpkg-deb -x "$(compgen -G "$debs/${p}_*.deb" | sort -V | tail -n1)" "$tmp" ||
			{ vm_err "dpkg-deb -x $p failed"; return 1; }
	done
	mv "$tmp" "$root"
	_kernel_fix_headers "$root" "$kver" || { vm_err "headers of $kver incomplete"; return 1; }
	[[ -f $root/boot/vmlinuz-$kver ]] || { vm_err "$image has no boot/vmlinuz-$kver"; return 1; }
	touch "$top/.complete"
}

# kernel_get SERIES|VERSION: resolve, fetch, print the version.
kernel_get() {
	local kver
	kver=$(kernel_resolve "$1") || return 1
	vm_locked kernel kernel_fetch "$kver" || return 1
	echo "$kver"
}
