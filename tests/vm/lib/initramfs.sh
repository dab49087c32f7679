# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Initramfs images for the VM test bed, in two layers that the kernel
# unpacks one after the other (concatenated newc archives):
#
#   base     busybox-static, the kernel modules asked for with everything
#            they depend on (modprobe --show-depends on a depmod'ed copy of
#            the kernel's tree), binaries from Debian packages with the
#            shared libraries ldd names, the libibverbs provider plug-ins,
#            and the guest's /init. Built once per content: the file name
#            carries a hash of the inputs, so reruns reuse it.
#   payload  per run: /xp/config, the guest script, our modules and any
#            extra files. Small, rebuilt every time.
#
# Both are uncompressed: under TCG, decompressing costs the guest more time
# than loading a larger file costs qemu.

# shellcheck source=tests/vm/lib/kernel.sh
source "$(dirname "${BASH_SOURCE[0]}")/kernel.sh"

XPVM_GUEST=$XPVM_ROOT/tests/vm/guest

# Binaries every base image carries unless told otherwise (name or path).
XPVM_BINS_DEFAULT="rdma ibv_devices ibv_devinfo ibv_rc_pingpong ibv_ud_pingpong ibv_srq_pingpong rping
ib_write_bw ib_read_bw ib_read_lat ib_send_lat ib_atomic_bw ndctl dmsetup"
# fio links half of Ceph (80 MB of libraries): only on request (-b +fio).
XPVM_BINS_ALL="$XPVM_BINS_DEFAULT fio"

# Host directories whose contents also go in when a binary needs them.
XPVM_IBV_PROVIDERS=/usr/lib/x86_64-linux-gnu/libibverbs
XPVM_IBV_DRIVERS=/etc/libibverbs.d
# A library glibc loads at run time, not at link time.
XPVM_LIBGCC_S=/lib/x86_64-linux-gnu/libgcc_s.so.1

# _ird_depmod VERSION: the kernel's own tree needs modules.dep once, to
# resolve dependencies (Debian creates it at install time, we never install).
# Guests booting at once may both get here first: one runs depmod, the
# other waits for it.
_ird_depmod() {
	local root
	root=$(kernel_dir "$1")
	[[ -e $root/lib/modules/$1/.xp-depmod ]] && return 0
	(
		flock 9
		[[ -e $root/lib/modules/$1/.xp-depmod ]] && exit 0
		vm_log "depmod for $1 (once)"
		depmod -b "$root" "$1" && touch "$root/lib/modules/$1/.xp-depmod"
	) 9>"$root/lib/modules/$1/.xp-depmod.lock"
}

# initramfs_module_files VERSION MODULE...: the module files (relative to
# lib/modules/VERSION) needed to load each MODULE, dependencies first.
# Modules built into the kernel need nothing.
initramfs_module_files() {
	local kver=$1 root m out
	shift
	root=$(kernel_dir "$kver")
	_ird_depmod "$kver" || return 1
	for m in "$@"; do
		out=$(modprobe -C /dev/null -d "$root" -S "$kver" --show-depends "$m" 2>&1) ||
			{ vm_err "kernel $kver has no module '$m': $out"; return 1; }
		awk -v pre="$root/lib/modules/$kver/" \
			'$1 == "insmod" { sub("^" pre, "", $2); sub("^.*/lib/modules/[^/]*/", "", $2); print $2 }' <<<"$out"
	done | awk '!seen[$0]++'
}

# _ird_copy_file STAGE PATH: copy PATH (following symlinks) to the same
# place under STAGE, and recreate PATH's own symlink chain there. A busybox
# applet link in the way gives way to the real thing (iproute2's ip).
_ird_copy_file() {
	local stage=$1 path=$2 target
	if [[ ($path == */bin/* || $path == */sbin/*) && -L $stage$path &&
		$(readlink "$stage$path") == /usr/bin/busybox ]]; then
		rm -f "$stage$path"
	elif [[ -e $stage$path || -L $stage$path ]]; then
		return 0
	fi
	[[ -d $stage${path%/*} ]] || mkdir -p "$stage${path%/*}"
	if [[ -L $path ]]; then
		target=$(readlink "$path")
		ln -s "$target" "$stage$path"
		[[ $target == /* ]] || target=${path%/*}/$target
		_ird_copy_file "$stage" "$(realpath -s "$target")"
	else
		cp -p "$path" "$stage$path"
	fi
}

# _ird_copy_elf STAGE FILE [LDD]: FILE and every shared library ldd names
# (LDD: what ldd printed for FILE, when the caller has it already).
_ird_copy_elf() {
	local stage=$1 file=$2 libs=${3-} lib
	[[ $# -ge 3 ]] || libs=$(ldd "$file" 2>/dev/null)
	_ird_copy_file "$stage" "$file"
	while read -r lib; do
		_ird_copy_file "$stage" "$lib"
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$libs")
}

# _ird_bin_path NAME: a binary's absolute path on the host.
_ird_bin_path() {
	local p
	if [[ $1 == /* ]]; then
		p=$1
	else
		p=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$1") || p=
	fi
	[[ -n $p && -x $p ]] || {
		vm_err "binary '$1' not found on the host: install its Debian package (make deps)"
		return 1
	}
	echo "$p"
}

# _ird_expand_bins LIST: "default", "all", "+name" (add to the default),
# "none", or a plain list; prints one name per line. Lists of names are
# split on white space on purpose here and below (names have no spaces).
# shellcheck disable=SC2086
_ird_expand_bins() {
	local w
	for w in $1; do
		case $w in
		default) printf '%s\n' $XPVM_BINS_DEFAULT ;;
		all) printf '%s\n' $XPVM_BINS_ALL ;;
		none) ;;
		+*) printf '%s\n' $XPVM_BINS_DEFAULT "${w#+}" ;;
		*) echo "$w" ;;
		esac
	done | awk 'NF && !seen[$0]++'
}

# _ird_key VERSION MODULES BINS: hash of everything that goes into a base
# image: kernel, module list, each binary's path/size/mtime, this file and
# the guest files.
_ird_key() {
	local kver=$1 mods=$2 bins=$3 b p paths=()
	for b in $bins; do
		p=$(_ird_bin_path "$b") || return 1
		paths+=("$p")
	done
	{
		echo "$kver"
		echo "$mods"
		stat -L -c '%n %s %Y' "${paths[@]}" "$(command -v busybox)"
		cat "${BASH_SOURCE[0]}" "$XPVM_GUEST"/init "$XPVM_GUEST"/lib.sh
	} | sha256sum | cut -c1-16
}

# _ird_stage_modules STAGE VERSION MODULE...
_ird_stage_modules() {
	local stage=$1 kver=$2 src dst files rel f
	shift 2
	src=$(kernel_moddir "$kver")
	dst=$stage/lib/modules/$kver
	mkdir -p "$dst"
	files=$(initramfs_module_files "$kver" "$@") || return 1
	for rel in $files; do
		mkdir -p "$dst/$(dirname "$rel")"
		case $rel in
		*.ko.xz) xz -dc "$src/$rel" >"$dst/${rel%.xz}" ;;
		*.ko.zst) zstd -qdc "$src/$rel" >"$dst/${rel%.zst}" ;;
		*) cp -p "$src/$rel" "$dst/$rel" ;;
		esac || { vm_err "cannot stage $rel"; return 1; }
	done
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[[ -f $src/$f ]] && sed -e 's/\.ko\.\(xz\|zst\)$/.ko/' "$src/$f" >"$dst/$f"
	done
	depmod -b "$stage" "$kver"
}

# _ird_stage_bins STAGE NAME...: binaries, their libraries, and for verbs
# users the provider plug-ins and their .driver files.
_ird_stage_bins() {
	local stage=$1 b p f libs
	shift
	for b in "$@"; do
		p=$(_ird_bin_path "$b") || return 1
		libs=$(ldd "$p" 2>/dev/null) || libs=
		_ird_copy_elf "$stage" "$p" "$libs"
		# glibc dlopen()s libgcc_s when a thread exits or is cancelled
		# (rping's threads); ldd cannot name it.
		if [[ $libs == *libc.so* && -e $XPVM_LIBGCC_S ]]; then
			_ird_copy_elf "$stage" "$XPVM_LIBGCC_S"
		fi
		if [[ $libs == *libibverbs* && ! -d $stage$XPVM_IBV_DRIVERS ]]; then
			for f in "$XPVM_IBV_PROVIDERS"/*.so "$XPVM_IBV_DRIVERS"/*.driver; do
				[[ -e $f ]] || continue
				case $f in
				*.so) _ird_copy_elf "$stage" "$f" ;;
				*) _ird_copy_file "$stage" "$f" ;;
				esac
			done
		fi
	done
}

# _ird_stage_busybox STAGE: busybox-static and a link per applet, where the
# name is not taken by a real binary.
_ird_stage_busybox() {
	local stage=$1 bb a
	bb=$(command -v busybox) || { vm_err "busybox not found: install busybox-static"; return 1; }
	if ldd "$bb" >/dev/null 2>&1; then
		vm_log "warning: $bb is dynamically linked; install busybox-static"
	fi
	mkdir -p "$stage/usr/bin" "$stage/usr/sbin" "$stage/usr/lib" "$stage/usr/lib64"
	ln -s usr/bin "$stage/bin"
	ln -s usr/sbin "$stage/sbin"
	ln -s usr/lib "$stage/lib"
	ln -s usr/lib64 "$stage/lib64"
	cp "$bb" "$stage/usr/bin/busybox"
	# A few hundred links: no command but ln for each (forks are what
	# building an image costs).
	for a in $("$bb" --list-full); do
		a=/usr/${a#usr/}
		[[ -e $stage$a || -L $stage$a ]] && continue
		[[ -d $stage${a%/*} ]] || mkdir -p "$stage${a%/*}"
		ln -s /usr/bin/busybox "$stage$a"
	done
}

# _ird_cpio DIR OUT: pack DIR as an uncompressed newc archive.
_ird_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 >"$2.tmp") && mv "$2.tmp" "$2"
}

# initramfs_base VERSION "MODULES" "BINS": print the path of the base image,
# building it unless the cache has one for these inputs.
initramfs_base() { vm_locked initramfs _ird_base "$@"; }

# shellcheck disable=SC2086
_ird_base() {
	local kver=$1 mods bins key out stage t0
	mods=$(printf '%s\n' $2 | awk 'NF && !seen[$0]++' | tr '\n' ' ')
	bins=$(_ird_expand_bins "$3" | tr '\n' ' ')
	vm_need cpio cpio && vm_need depmod kmod && vm_need xz xz-utils || return 1
	key=$(_ird_key "$kver" "$mods" "$bins") || return 1
	out=$XPVM_CACHE/initramfs/$kver-$key.cpio
	if [[ -f $out ]]; then
		touch "$out"	# most recently used: kept by _ird_prune
		echo "$out"
		return 0
	fi
	t0=$(vm_now_ms)
	stage=$XPVM_CACHE/initramfs/stage-$kver-$key.$$
	rm -rf "$stage"
	mkdir -p "$stage"/{dev,proc,sys,tmp,run,root,mnt,xp,etc}
	# The kernel opens /dev/console before /init runs (needs root; without
	# it /init reopens the console once devtmpfs is mounted).
	mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
	_ird_stage_busybox "$stage" &&
		_ird_stage_modules "$stage" "$kver" $mods &&
		_ird_stage_bins "$stage" $bins &&
		install -m 0755 "$XPVM_GUEST/init" "$stage/init" &&
		install -m 0644 "$XPVM_GUEST/lib.sh" "$stage/xp/lib.sh" &&
		printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd" &&
		printf 'root:x:0:\n' >"$stage/etc/group" &&
		_ird_cpio "$stage" "$out"
	if [[ ! -f $out ]]; then
		rm -rf "$stage"
		vm_err "building the initramfs for $kver failed"
		return 1
	fi
	rm -rf "$stage"
	vm_log "initramfs $(basename "$out"): $(du -m "$out" | cut -f1) MB, modules: ${mods:-none}, built in $(($(vm_now_ms) - t0)) ms"
	_ird_prune "$kver"
	echo "$out"
}

# _ird_prune VERSION: keep the XPVM_KEEP_IMAGES (default 8) most recently
# used base images of VERSION, delete the rest. Runs under the cache lock;
# a run that was just handed an image has touched it, so it is never the
# one deleted.
_ird_prune() {
	local old
	find "$XPVM_CACHE/initramfs" -maxdepth 1 -name "$1-*.cpio" -printf '%T@ %p\n' |
		sort -rn | tail -n +$((${XPVM_KEEP_IMAGES:-8} + 1)) | cut -d' ' -f2- |
		while read -r old; do rm -f "$old"; done
}

# initramfs_payload OUT CONFIG SCRIPT [KMOD_DIR] [SRC:DST]...: the per-run
# archive. CONFIG is the text of /xp/config; SCRIPT goes to /xp/test.sh;
# the *.ko files of KMOD_DIR to /xp/kmod/; each SRC file to DST.
initramfs_payload() {
	local out=$1 config=$2 script=$3 kdir=${4:-} stage spec
	shift 4 2>/dev/null || shift $#
	stage=$out.d
	rm -rf "$stage"
	mkdir -p "$stage/xp/kmod"
	printf '%s\n' "$config" >"$stage/xp/config"
	if [[ -n $script ]]; then
		install -m 0755 "$script" "$stage/xp/test.sh" || return 1
	fi
	if [[ -n $kdir ]]; then
		compgen -G "$kdir/*.ko" >/dev/null ||
			{ vm_err "no modules in $kdir: run make kmod"; return 1; }
		cp "$kdir"/*.ko "$stage/xp/kmod/"
	fi
	for spec in "$@"; do
		mkdir -p "$stage$(dirname "${spec#*:}")"
		cp -p "${spec%%:*}" "$stage${spec#*:}" || { vm_err "cannot add file $spec"; return 1; }
	done
	_ird_cpio "$stage" "$out" && rm -rf "$stage"
}
