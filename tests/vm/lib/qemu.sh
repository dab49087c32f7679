# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Boot one guest under qemu-system-x86_64 (TCG), run its script, bring back
# the status and the console log, enforce a timeout.
#
# Set the VM_* variables (vm_defaults gives every one a value), then call
# vm_boot. Its status is the guest script's exit status, or
#   124  the guest did not finish within VM_TIMEOUT seconds (killed)
#   125  the guest died or panicked before reporting, or could not be set up
# On success the guest script's output goes to stdout, each line prefixed
# with the guest's name; on failure the console log's tail goes to stderr.
# The whole console log stays in $XPVM_RUNS/<name>.<pid>/console.log
# (VM_LOG copies it elsewhere).

# shellcheck source=tests/vm/lib/initramfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/initramfs.sh"
# shellcheck source=tests/vm/lib/net.sh
source "$(dirname "${BASH_SOURCE[0]}")/net.sh"

vm_defaults() {
	VM_KERNEL=${VM_KERNEL:-6.1}	# series or version
	VM_NAME=${VM_NAME:-guest}
	VM_SCRIPT=${VM_SCRIPT:-}		# guest script (busybox sh)
	VM_MODULES=${VM_MODULES:-}		# kernel modules to load at boot
	VM_BINS=${VM_BINS:-default}		# see _ird_expand_bins
	VM_KMOD=${VM_KMOD:-0}			# 1: add build/kmod/<ver>/*.ko as /xp/kmod/
	VM_FILES=(${VM_FILES[@]+"${VM_FILES[@]}"})	# SRC[:DST] extra files
	VM_ENV=(${VM_ENV[@]+"${VM_ENV[@]}"})	# NAME=VALUE for the guest script
	VM_TIMEOUT=${VM_TIMEOUT:-120}
	VM_MEM=${VM_MEM:-1G}
	VM_SMP=${VM_SMP:-1}
	VM_ACCEL=${VM_ACCEL:-${XP_VM_ACCEL:-tcg}}
	VM_CPU=${VM_CPU:-}			# qemu -cpu MODEL (empty: qemu's default)
	VM_NVDIMMS=(${VM_NVDIMMS[@]+"${VM_NVDIMMS[@]}"})	# FILE[:SIZE]
	VM_DISKS=(${VM_DISKS[@]+"${VM_DISKS[@]}"})		# FILE[:SIZE]
	VM_RAM_FILE=${VM_RAM_FILE:-}		# guest RAM in this file (kept)
	VM_NETNS=${VM_NETNS:-}			# network from net_up
	VM_IP=${VM_IP:-}			# ADDR/PREFIX for eth0
	VM_MAC=${VM_MAC:-}
	VM_NIC_OPTS=${VM_NIC_OPTS:-}		# more virtio-net-pci properties
	VM_MTU=${VM_MTU:-}			# eth0's and its tap's MTU
	VM_SHARE=${VM_SHARE:-}			# host directory, /xp/share in the guest
	VM_SHELL=${VM_SHELL:-0}
	VM_APPEND=${VM_APPEND:-}
	VM_LOG=${VM_LOG:-}
	VM_PIDFILE=${VM_PIDFILE:-}		# qemu writes its pid here (removed at its end)
	VM_VERBOSE=${VM_VERBOSE:-${XP_VM_VERBOSE:-0}}
}

# _vm_mb SIZE: 256M, 1G, 512K or bytes -> MiB (at least 1).
_vm_mb() {
	local n
	n=$(numfmt --from=iec "${1^^}" 2>/dev/null) || { vm_err "bad size '$1'"; return 1; }
	echo $(((n + 1048575) / 1048576))
}

# _vm_file_arg SPEC DEFAULT: split FILE[:SIZE], create or grow FILE to SIZE.
_vm_file_arg() {
	local file=${1%%:*} size=$2
	[[ $1 == *:* ]] && size=${1#*:}
	if [[ ! -f $file ]] || [[ $1 == *:* ]]; then
		truncate -s "$size" "$file" || { vm_err "cannot size $file to $size"; return 1; }
	fi
	echo "$file"
}

# _vm_ram_file FILE MB: create FILE (sparse) or grow it to at least MB MiB;
# never shrink it, since what it holds is the point of keeping it.
_vm_ram_file() {
	truncate -s ">$2M" "$1" || { vm_err "cannot size RAM file $1 to $2 MiB"; return 1; }
	echo "$1"
}

# _vm_mac IP: a locally administered MAC derived from the address.
_vm_mac() {
	local a b c d
	IFS=. read -r a b c d <<<"${1%/*}"
	[[ -n $d ]] || { a=0 b=$(($$ >> 8 & 255)) c=$(($$ & 255)) d=$((RANDOM & 255)); }
	printf '52:54:%02x:%02x:%02x:%02x\n' "$a" "$b" "$c" "$d"
}

# _vm_loadable VERSION MODULE...: the modules that are not built in.
_vm_loadable() {
	local kver=$1 root m deps
	shift
	root=$(kernel_dir "$kver")
	# "?NAME" asks modules.dep: without it every optional module looks
	# absent (rdma_rxe's crc32_generic was left out of a guest that way).
	_ird_depmod "$kver" || return 1
	for m in "$@"; do
		# ?NAME: only where this kernel has NAME at all.
		if [[ $m == "?"* ]]; then
			m=${m#?}
			modprobe -C /dev/null -d "$root" -S "$kver" --show-depends "$m" >/dev/null 2>&1 ||
				continue
		fi
		deps=$(modprobe -C /dev/null -d "$root" -S "$kver" --show-depends "$m" 2>/dev/null) || true
		[[ $deps == "builtin "* ]] || echo "$m"
	done
}

# _vm_console RUNDIR: copy qemu's output to RUNDIR/console.log, note when
# the guest script starts, echo the console when verbose.
_vm_console() {
	local dir=$1 line
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		printf '%s\n' "$line" >>"$dir/console.log"
		[[ $line == "XPVM-BEGIN "* && ! -e $dir/begin ]] && echo "$EPOCHREALTIME" >"$dir/begin"
		[[ $VM_VERBOSE == 1 ]] && printf '[%s] %s\n' "$VM_NAME" "$line" >&2
	done
	return 0
}

# _vm_show_failure RUNDIR WHY: say why and show the console log's tail.
# After a timeout the tail is the one before the guest's task dump, and
# the dump follows (sleeping kernel threads left out).
_vm_show_failure() {
	local dir=$1 why=$2 log=$1/console.log n
	{
		echo "xpvm: $VM_NAME: $why"
		n=$(grep -n -m1 -F "$_VM_DUMP_MARK" "$log" 2>/dev/null | cut -d: -f1)
		if [[ -n $n ]]; then
			echo "xpvm: $VM_NAME: console log ($log), last 60 lines before the task dump:"
			head -n $((n - 1)) "$log" | tail -n 60 | sed "s/^/[$VM_NAME] /"
			echo "xpvm: $VM_NAME: the guest's tasks at the timeout (sysrq w and t; sleeping kernel threads left out, all of it in the console log):"
			tail -n +"$n" "$log" | _vm_dump_filter | sed "s/^/[$VM_NAME] /"
		else
			echo "xpvm: $VM_NAME: console log ($log), last 60 lines:"
			tail -n 60 "$log" 2>/dev/null | sed "s/^/[$VM_NAME] /"
		fi
	} >&2
}

# ---- a hung guest explains itself ----
#
# At VM_TIMEOUT the watchdog asks the guest's kernel, through the serial
# console, for magic SysRq 8 (console loglevel 8: the dumps are KERN_INFO),
# w (blocked tasks, with stacks) and t (every task, busy workqueues), waits
# until the console is quiet, then kills qemu. qemu's stdin is a FIFO the
# runner holds open: Ctrl-A b on the multiplexed stdio (-serial mon:stdio)
# sends a BREAK, and the next character within 5 s is the SysRq key
# (CONFIG_MAGIC_SYSRQ_SERIAL; sysrq_always_enabled allows w and t).

_VM_DUMP_MARK="xpvm: timeout: the guest's tasks follow (sysrq w, t)"
XPVM_DUMP_SECS=${XPVM_DUMP_SECS:-60}	# at most this long for the dump

# _vm_dump_filter: the dump without the tasks of sysrq t that sleep in
# kernel threads (state S or I, parent kthreadd); what else sysrq prints
# (w's tasks, workqueues, sched debug, the markers) stays.
_vm_dump_filter() {
	awk '
	/ task:[^ ]+ +state:[A-Z]/ {
		show = 1
		if (t && match($0, /state:[SI] /) && match($0, / ppid:2 /))
			show = 0
	}
	/sysrq: Show State$/ { t = 1; show = 1 }
	/sysrq: Show Blocked State$/ { t = 0; show = 1 }
	/^(\[ *[0-9.]+\] )?(Showing busy workqueues|Showing all locks|runnable tasks:|Sched Debug Version)/ { show = 1 }
	show'
}

# _vm_quiet FILE SECS: wait until FILE has not grown for 2 s, at most SECS.
_vm_quiet() {
	local file=$1 end=$((SECONDS + $2)) size last=-1 still=0
	while ((SECONDS < end && still < 4)); do
		size=$(stat -c %s "$file" 2>/dev/null || echo 0)
		if ((size == last)); then
			still=$((still + 1))
		else
			still=0
			last=$size
		fi
		sleep 0.5
	done
}

# _vm_sysrq FD KEY: BREAK on the guest's console, then KEY.
_vm_sysrq() {
	printf '\001b' >&"$1"
	sleep 0.3
	printf '%s' "$2" >&"$1"
	sleep 0.5
}

# _vm_watchdog RUNDIR PIDFILE CONSOLE-FD END-FD: in the background while
# qemu runs; ends when a line comes on END-FD (qemu ended). At VM_TIMEOUT:
# RUNDIR/timedout, the dump, then qemu killed.
_vm_watchdog() {
	local dir=$1 pidfile=$2 fd=$3 end pid
	read -r -t "$VM_TIMEOUT" -u "$4" && return 0
	pid=$(cat "$pidfile" 2>/dev/null)
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
	: >"$dir/timedout"
	printf '%s\n' "$_VM_DUMP_MARK" >>"$dir/console.log"
	_vm_sysrq "$fd" 8
	_vm_sysrq "$fd" w
	_vm_quiet "$dir/console.log" $((XPVM_DUMP_SECS / 2))
	_vm_sysrq "$fd" t
	_vm_quiet "$dir/console.log" $((XPVM_DUMP_SECS / 2))
	kill -TERM "$pid" 2>/dev/null
	for ((end = SECONDS + 5; SECONDS < end; )); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

vm_boot() {
	local kver mods=() loadable base dir token config qemu=() append t0 t_begin
	local rc status spec value file size why nv_mb=0 i tap='' mac result pidfile cin wdog ended
	vm_defaults
	vm_need qemu-system-x86_64 qemu-system-x86 || return 125
	kver=$(kernel_get "$VM_KERNEL") || return 125

	# Modules the devices need come first (virtio_pci before virtio_net).
	((${#VM_DISKS[@]})) && mods+=(virtio_pci virtio_blk)
	[[ -n $VM_NETNS ]] && mods+=(virtio_pci virtio_net)
	((${#VM_NVDIMMS[@]})) && mods+=(nfit nd_pmem)
	[[ -n $VM_SHARE ]] && mods+=(virtio_pci 9pnet_virtio 9p)
	# shellcheck disable=SC2206
	mods+=(${VM_MODULES//,/ })
	loadable=$(_vm_loadable "$kver" "${mods[@]}" | awk '!seen[$0]++' | tr '\n' ' ')
	base=$(initramfs_base "$kver" "$loadable" "${VM_BINS//,/ }") || return 125

	dir=$XPVM_RUNS/$VM_NAME.$$
	rm -rf "$dir"
	mkdir -p "$dir"
	token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	config="XP_TOKEN=$token
XP_NAME=$VM_NAME
XP_MODULES='$loadable'
XP_IP='$VM_IP'
XP_MTU='$VM_MTU'
XP_SHARE='${VM_SHARE:+1}'
XP_SHELL=$VM_SHELL"
	for spec in ${VM_ENV[@]+"${VM_ENV[@]}"}; do
		[[ ${spec%%=*} =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { vm_err "bad --env '$spec': use NAME=VALUE"; return 125; }
		value=${spec#*=}
		config+=$'\n'"export ${spec%%=*}='${value//\'/\'\\\'\'}'"
	done
	local payload_args=("$dir/payload.cpio" "$config" "$VM_SCRIPT" "")
	if [[ $VM_KMOD == 1 ]]; then
		payload_args[3]=$XPVM_BUILD/kmod/$kver
	fi
	for spec in ${VM_FILES[@]+"${VM_FILES[@]}"}; do
		[[ $spec == *:* ]] || spec=$spec:/xp/files/$(basename "$spec")
		payload_args+=("$spec")
	done
	initramfs_payload "${payload_args[@]}" || return 125
	cat "$base" "$dir/payload.cpio" >"$dir/initrd.cpio"

	append="console=ttyS0,115200 panic=-1 oops=panic quiet loglevel=4 mitigations=off"
	append+=" i8042.noaux i8042.nokbd sysrq_always_enabled $VM_APPEND"
	local machine=pc mem=$VM_MEM smp=$VM_SMP
	if [[ ,$VM_NIC_OPTS, == *,iommu_platform=on,* ]]; then
		# virtio-net's AF_XDP zero-copy transmit (Linux 6.13 to 7.3 at
		# least) sends every frame behind one virtio-net header, a static
		# variable of the driver that it DMA-maps. Debian builds virtio_net
		# as a module, whose variables do not lie in the kernel's linear
		# map: the "DMA address" it hands qemu is virt_to_phys() of a
		# module address, a guest-physical address that depends on where
		# KASLR put the kernel and the module. When that address is in RAM,
		# qemu sends whatever the page holds there as the frame's header:
		# random checksum and GSO requests that mangle or drop the frames
		# (seen in vm/test_rc_ops_zc: rxe received none of ours, in some
		# boots only). Without KASLR, the address is 1 GiB plus the
		# module's offset, above the RAM of a guest of 1 GiB or less,
		# where qemu reads zeros: a valid header, in every boot.
		# tests/vm/tools/xsk_hdr.c shows the address and its contents.
		append+=" nokaslr"
		(($(_vm_mb "$VM_MEM") <= 1024)) ||
			vm_err "warning: --mem $VM_MEM with iommu_platform=on: virtio-net's zero-copy tx header may lie in RAM (see lib/qemu.sh)"
	fi
	# Never a machine of one possible vCPU under TCG. QEMU's multi-threaded
	# TCG translates the guest's memory barriers (mfence, lock-prefixed
	# instructions) into the host's only when the machine may have more
	# than one vCPU (CF_PARALLEL); with one, QEMU 7.2 (Debian 12's) elides
	# them. But its I/O thread runs in parallel with the vCPU thread, and
	# virtio's event-index handshake needs them: the guest re-enables
	# interrupts (stores used_event) and then checks the used ring, QEMU
	# adds to the used ring and then reads used_event. Without the
	# barriers both can miss the other, and completions sit in the used
	# ring with no interrupt for them: a read that never returns (QEMU 8.1
	# fixed it: "tcg: Do not elide memory barriers for !CF_PARALLEL in
	# system mode"). A second possible vCPU, never started, turns them on.
	((VM_SMP > 1)) || smp+=,maxcpus=2
	qemu=(qemu-system-x86_64 -nodefaults -no-user-config -display none -vga none
		-accel "$VM_ACCEL" -smp "$smp" -no-reboot ${VM_CPU:+-cpu "$VM_CPU"}
		-kernel "$(kernel_vmlinuz "$kver")" -initrd "$dir/initrd.cpio" -append "$append")
	i=0
	for spec in ${VM_NVDIMMS[@]+"${VM_NVDIMMS[@]}"}; do
		file=$(_vm_file_arg "$spec" 256M) || return 125
		size=$(_vm_mb "$(stat -c %s "$file")") || return 125
		nv_mb=$((nv_mb + size))
		qemu+=(-object "memory-backend-file,id=nv$i,share=on,mem-path=$file,size=${size}M"
			-device "nvdimm,id=nvdimm$i,memdev=nv$i,label-size=128K")
		i=$((i + 1))
	done
	if ((nv_mb)); then
		machine=pc,nvdimm=on
		mem="$VM_MEM,slots=$((i + 1)),maxmem=$(($(_vm_mb "$VM_MEM") + nv_mb))M"
	fi
	if [[ -n $VM_RAM_FILE ]]; then
		# The guest's RAM is the file itself (share=on: its stores reach
		# the file), so a later qemu on the same file starts with what
		# this guest left in memory, such as ranges hidden from the
		# kernel with memmap=. -m must name the same size as the backend.
		size=$(_vm_mb "$VM_MEM") || return 125
		file=$(_vm_ram_file "$VM_RAM_FILE" "$size") || return 125
		qemu+=(-object "memory-backend-file,id=ram0,share=on,mem-path=$file,size=${size}M")
		machine+=,memory-backend=ram0
	fi
	qemu+=(-machine "$machine" -m "$mem")
	i=0
	for spec in ${VM_DISKS[@]+"${VM_DISKS[@]}"}; do
		file=$(_vm_file_arg "$spec" 64M) || return 125
		qemu+=(-drive "file=$file,format=raw,if=none,id=d$i,cache=unsafe"
			-device "virtio-blk-pci,drive=d$i")
		i=$((i + 1))
	done
	if [[ -n $VM_SHARE ]]; then
		qemu+=(-fsdev "local,id=fs0,path=$VM_SHARE,security_model=none"
			-device "virtio-9p-pci,fsdev=fs0,mount_tag=xpshare")
	fi
	if [[ -n $VM_NETNS ]]; then
		tap=xpt$$
		tap=${tap:0:15}
		mac=${VM_MAC:-$(_vm_mac "$VM_IP")}
		net_tap_add "$VM_NETNS" "$tap" ${VM_MTU:+"$VM_MTU"} || return 125
		qemu+=(-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no"
			-device "virtio-net-pci,netdev=n0,mac=$mac,romfile=${VM_NIC_OPTS:+,$VM_NIC_OPTS}")
		qemu=(nsenter "--net=/run/netns/$VM_NETNS" -- "${qemu[@]}")
	fi
	# qemu's own pid (nsenter execs it), for the watchdog and for whoever
	# must cut its power; a stale file must not name a pid that qemu no
	# longer has.
	pidfile=${VM_PIDFILE:-$dir/qemu.pid}
	rm -f "$pidfile"
	qemu+=(-pidfile "$pidfile")
	printf '%q ' "${qemu[@]}" >"$dir/cmdline"

	t0=$EPOCHREALTIME
	if [[ $VM_SHELL == 1 ]]; then
		# Interactive: the console is this terminal, no timeout.
		rc=0
		"${qemu[@]}" -serial mon:stdio || rc=$?
		[[ -n $VM_PIDFILE ]] && rm -f "$VM_PIDFILE"
		[[ -n $tap ]] && net_tap_del "$VM_NETNS" "$tap"
		rm -f "$dir"/*.cpio
		return $rc
	fi
	# The console's input: a FIFO held open here, for the watchdog's SysRq.
	# timeout(1) only backs the watchdog up.
	mkfifo "$dir/console.in" "$dir/ended" || { vm_err "cannot make FIFOs in $dir"; return 125; }
	exec {cin}<>"$dir/console.in" {ended}<>"$dir/ended"
	_vm_watchdog "$dir" "$pidfile" "$cin" "$ended" &
	wdog=$!
	timeout -k 5 $((VM_TIMEOUT + XPVM_DUMP_SECS + 30)) "${qemu[@]}" -serial mon:stdio \
		<"$dir/console.in" 2>&1 | _vm_console "$dir"
	rc=${PIPESTATUS[0]}
	echo >&"$ended"
	wait "$wdog"
	exec {cin}>&- {ended}>&-
	rm -f "$dir/console.in" "$dir/ended"
	[[ -e $dir/timedout ]] && rc=124
	[[ -z $VM_PIDFILE ]] && rm -f "$pidfile"
	[[ -n $VM_PIDFILE ]] && rm -f "$VM_PIDFILE"
	[[ -n $tap ]] && net_tap_del "$VM_NETNS" "$tap"
	# The images are large; the command line and the console log stay.
	rm -f "$dir"/*.cpio
	[[ -n $VM_LOG ]] && cp "$dir/console.log" "$VM_LOG"

	t_begin=
	[[ -f $dir/begin ]] && t_begin=$(<"$dir/begin")
	result=$(sed -n "s/^XPVM-RESULT $token \([0-9]\+\)\$/\1/p" "$dir/console.log" | tail -n1)
	local times
	times="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	[[ -n $t_begin ]] && times="boot $(awk -v a="$t0" -v b="$t_begin" 'BEGIN { printf "%.1f", b - a }') s, total $times"

	# timeout(1) says 137 both when its own KILL ended qemu (after TERM
	# did not, VM_TIMEOUT + 5 s on) and when someone else killed qemu:
	# the time taken tells them apart.
	if ((rc == 137)) && awk -v a="$t0" -v b="$EPOCHREALTIME" -v t="$VM_TIMEOUT" 'BEGIN { exit !(b - a < t) }'; then
		_vm_show_failure "$dir" "qemu was killed (SIGKILL) after $times, before the timeout ($kver)"
		return 137
	fi
	if ((rc == 124 || rc == 137)); then
		_vm_show_failure "$dir" "timed out after $VM_TIMEOUT s ($kver) - guest hung"
		return 124
	fi
	# A panic, oops, BUG or WARN in the kernel fails the run even when the
	# script passed (the guest's console shows only warnings and worse).
	local crash
	crash=$(grep -m1 -oE 'Kernel panic - .*|BUG: .*|Oops: .*|general protection fault.*|WARNING: .*|Call Trace:' \
		"$dir/console.log" | head -n1)
	if [[ -n $crash ]]; then
		case $crash in
		Kernel*) why="kernel panic" ;;
		*) why="kernel oops, BUG or warning" ;;
		esac
		_vm_show_failure "$dir" "$why: '$crash' ($kver, qemu exited $rc)"
		return 125
	fi
	if [[ -z $result ]]; then
		_vm_show_failure "$dir" "no result from the guest ($kver, qemu exited $rc) - it died or never ran the script"
		return 125
	fi
	# The guest script's own output: between the markers.
	sed -n "/^XPVM-BEGIN $token /,/^XPVM-RESULT $token /{/^XPVM-/d;p}" "$dir/console.log" |
		sed "s/^/[$VM_NAME] /"
	status=$result
	if ((status != 0)); then
		_vm_show_failure "$dir" "guest script exited $status ($kver, $times)"
	else
		vm_log "$VM_NAME: $kver passed ($times)"
	fi
	return "$status"
}
