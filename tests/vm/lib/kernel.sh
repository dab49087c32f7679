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
# Series: 6.1 and 6.12 come from the host's own apt sources (Debian 12).
# "newest" is Debian's newest kernel, from the trixie-backports suite of the
# same archive, resolved through a private apt configuration and state
# under $XPVM_CACHE/apt/ (the host's sources and lists stay as they are).
# Its packages have the merged-/usr layout: linux-image-<ver> is a meta
# package over linux-binary-<ver> (usr/lib/modules/<ver>/vmlinuz),
# linux-modules-<ver> and linux-base-<ver> (config, System.map,
# modules.builtin, modules.order); boot/ and lib/ above are made to point
# there, so the rest of the bed sees one layout.
#
# Reruns find everything in the cache and touch neither apt nor the network.

# shellcheck source=tests/vm/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

XPVM_NEWEST_SUITE=${XP_VM_NEWEST_SUITE:-trixie-backports}

# apt options of the suite being worked on: empty for the host's own
# sources, the private configuration for the newest series (_kernel_use).
_KAPT=()

# _kernel_archive_uri: the URI of the host's Debian archive, the source that
# serves bookworm (deb822 .sources files or one-line sources.list).
_kernel_archive_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     /(^|\n)Suites:[^\n]*[ \t]bookworm([ \t]|\n|$)/ && !/(^|\n)Enabled: *no/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); print w[2]; exit }
		     }' "$f"
	done
	awk '$1 == "deb" && $0 ~ / bookworm / {
		for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit }
	}' /etc/apt/sources.list 2>/dev/null
}

# _kernel_use newest|host: point _KAPT at that suite's apt configuration;
# for newest, write it (and fetch its lists once) on first use.
_kernel_use() {
	local dir uri
	_KAPT=()
	[[ $1 == newest ]] || return 0
	dir=$XPVM_CACHE/apt/$XPVM_NEWEST_SUITE
	_KAPT=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o Dir::Etc::sourceparts=-
		-o "Dir::State::lists=$dir/lists" -o "Dir::Cache::archives=$dir/archives"
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
	[[ -f $dir/sources.list && -n $(compgen -G "$dir/lists/*_Packages*") ]] && return 0
	uri=$(_kernel_archive_uri | head -n1)
	[[ -n $uri ]] || { vm_err "no Debian archive for bookworm in the host's apt sources"; return 1; }
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $XPVM_NEWEST_SUITE main" \
		>"$dir/sources.list"
	_kernel_apt_update
}

_kernel_apt_update() {
	vm_log "updating the package lists${_KAPT[*]:+ of $XPVM_NEWEST_SUITE (private apt state)}"
	apt-get "${_KAPT[@]}" update -q >/dev/null 2>&1 ||
		vm_err "apt-get update${_KAPT[*]:+ of $XPVM_NEWEST_SUITE} failed"
}

# _kernel_apt_dep PKG PATTERN: first Depends of PKG whose name matches PATTERN.
_kernel_apt_dep() {
	apt-cache "${_KAPT[@]}" depends "$1" 2>/dev/null |
		awk -v pat="$2" '!found && $1 == "Depends:" && $2 ~ pat { print $2; found = 1 }'
}

# _kernel_apt_known PKG: apt (of the suite in use) has PKG.
_kernel_apt_known() { [[ -n $(apt-cache "${_KAPT[@]}" show "$1" 2>/dev/null | head -n1) ]]; }

# _kernel_suite_of VERSION: newest when the host's sources do not have it.
_kernel_suite_of() {
	if [[ -f $XPVM_CACHE/kernel/$1/.suite ]]; then
		cat "$XPVM_CACHE/kernel/$1/.suite"
	elif [[ $1 == *+deb1[3-9]* ]] || ! _kernel_apt_known "linux-headers-$1"; then
		echo newest
	else
		echo host
	fi
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

# _kernel_resolve_newest: the version behind the newest suite's
# linux-image-amd64; the last one resolved when apt cannot say.
_kernel_resolve_newest() {
	local dep kver last=$XPVM_CACHE/apt/$XPVM_NEWEST_SUITE/version
	if _kernel_use newest; then
		dep=$(_kernel_apt_dep linux-image-amd64 '^linux-image-[0-9]')
		kver=${dep#linux-image-}
		if [[ -n $kver ]]; then
			echo "$kver" >"$last"
			echo "$kver"
			return 0
		fi
	fi
	if [[ -s $last ]]; then
		vm_log "apt cannot resolve the newest kernel; using the last one resolved, $(cat "$last")"
		cat "$last"
		return 0
	fi
	vm_err "no newest kernel: linux-image-amd64 of $XPVM_NEWEST_SUITE names none"
}

# kernel_resolve SERIES|VERSION (see above). Asking apt takes a second or
# two of CPU; a run that resolved SERIES already passes the answer down in
# XPVM_KVER_<series> (dots as underscores; tests/run.sh and vm_kernel set
# it), and apt's answer does not change within a run.
kernel_resolve() {
	local series=$1 kver policy cached
	if [[ $series == *-amd64 ]]; then
		echo "$series"
		return 0
	fi
	cached=XPVM_KVER_${series//[^a-z0-9]/_}
	if [[ -n ${!cached:-} ]]; then
		echo "${!cached}"
		return 0
	fi
	if [[ $series == newest ]]; then
		_kernel_resolve_newest
		return
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
	if ! (cd "$dir" && apt-get "${_KAPT[@]}" download -q -o APT::Sandbox::User=root \
		"${want[@]}" >/dev/null); then
		vm_log "apt-get download failed; updating the package lists and retrying"
		_kernel_apt_update || return 1
		(cd "$dir" && apt-get "${_KAPT[@]}" download -q -o APT::Sandbox::User=root \
			"${want[@]}" >/dev/null) || vm_err "apt-get download ${want[*]} failed"
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

# _kernel_packages VERSION: the packages that make VERSION's tree, image
# first. The merged-/usr layout splits the image (a meta package) into
# binary, modules and base packages.
_kernel_packages() {
	local kver=$1 image=linux-image-$1 binary common kbuild
	if ! _kernel_apt_known "$image"; then
		image=linux-image-$kver-unsigned
	fi
	binary=$(_kernel_apt_dep "linux-image-$kver" '^linux-binary-')
	common=$(_kernel_apt_dep "linux-headers-$kver" '^linux-headers-.*-common')
	kbuild=$(_kernel_apt_dep "linux-headers-$kver" '^linux-kbuild-')
	if [[ -z $common || -z $kbuild ]]; then
		vm_err "apt does not know linux-headers-$kver or its -common/kbuild packages (run apt-get update)"
		return 1
	fi
	if [[ -n $binary ]]; then
		echo "$binary linux-modules-$kver linux-base-$kver"
	else
		echo "$image"
	fi
	echo "linux-headers-$kver $common $kbuild"
}

# _kernel_merge_usr ROOT VERSION: a merged-/usr tree gets the classic paths
# the bed uses (lib/modules, boot/vmlinuz-<ver>) as links.
_kernel_merge_usr() {
	local root=$1 kver=$2
	[[ -e $root/usr/lib/modules/$kver/vmlinuz ]] || return 0
	[[ -e $root/lib ]] || ln -s usr/lib "$root/lib"
	mkdir -p "$root/boot"
	ln -sfn "../usr/lib/modules/$kver/vmlinuz" "$root/boot/vmlinuz-$kver"
}

# kernel_fetch VERSION: download and unpack VERSION's image and headers
# unless the cache has them. Prints nothing; see kernel_dir.
kernel_fetch() {
	local kver=$1 top root tmp debs pkgs suite p
	top=$XPVM_CACHE/kernel/$kver
	root=$top/root
	[[ -e $top/.complete ]] && return 0
	vm_need apt-get apt && vm_need dpkg-deb dpkg || return 1
	debs=$XPVM_CACHE/debs
	suite=$(_kernel_suite_of "$kver")
	_kernel_use "$suite" || return 1
	pkgs=$(_kernel_packages "$kver") || return 1
	# shellcheck disable=SC2086 # a list of package names
	_kernel_download "$debs" $pkgs || return 1
	tmp=$top/root.tmp
	rm -rf "$tmp" "$root"
	mkdir -p "$tmp"
	vm_log "unpacking $kver"
	for p in $pkgs; do
		dpkg-deb -x "$(compgen -G "$debs/${p}_*.deb" | sort -V | tail -n1)" "$tmp" ||
			{ vm_err "dpkg-deb -x $p failed"; return 1; }
	done
	mv "$tmp" "$root"
	_kernel_merge_usr "$root" "$kver"
	_kernel_fix_headers "$root" "$kver" || { vm_err "headers of $kver incomplete"; return 1; }
	[[ -e $root/boot/vmlinuz-$kver ]] || { vm_err "$kver has no vmlinuz in its packages"; return 1; }
	echo "$suite" >"$top/.suite"
	echo "$pkgs" >"$top/.packages"
	touch "$top/.complete"
}

# kernel_debs VERSION: the .deb files VERSION was unpacked from (fetched).
kernel_debs() {
	local p
	for p in $(cat "$XPVM_CACHE/kernel/$1/.packages" 2>/dev/null); do
		compgen -G "$XPVM_CACHE/debs/${p}_*.deb" | sort -V | tail -n1
	done
}

# kernel_get SERIES|VERSION: resolve, fetch, print the version.
kernel_get() {
	local kver
	kver=$(kernel_resolve "$1") || return 1
	vm_locked kernel kernel_fetch "$kver" || return 1
	echo "$kver"
}
