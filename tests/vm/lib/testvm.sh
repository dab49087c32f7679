# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# For the VM suites (tests/vm/test_*.sh): the shell test library (pass, fail,
# skip, summary, on_exit) plus the test bed, and the checks every VM suite
# makes before it boots anything.
#
#   XP_VM_SERIES  kernel series to test (default: "6.1 6.12", or
#                 "6.1 6.12 newest" for a suite that sets VM_ALL_SERIES=1
#                 before sourcing this file)

# shellcheck source=tests/lib/testlib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/testlib.sh"
# shellcheck source=tests/vm/lib/qemu.sh
source "$(dirname "${BASH_SOURCE[0]}")/qemu.sh"

XPVM=$XPVM_ROOT/tests/vm/xpvm
XPVM_GUEST=$XPVM_ROOT/tests/vm/guest
if [[ ${VM_ALL_SERIES:-0} == 1 ]]; then
	XP_VM_SERIES=${XP_VM_SERIES:-$XPVM_SERIES_ALL}
else
	XP_VM_SERIES=${XP_VM_SERIES:-$XPVM_SERIES_DEFAULT}
fi

# vm_require NAME: root, qemu and apt must be there; otherwise skip with
# the reason (make deps installs everything, so CI never skips).
vm_require() {
	local why=
	if ((EUID != 0)); then
		why="needs root (network namespaces, taps, device nodes)"
	elif ! command -v qemu-system-x86_64 >/dev/null; then
		why="qemu-system-x86_64 missing: run make deps (Debian package qemu-system-x86)"
	elif ! command -v apt-get >/dev/null; then
		why="needs apt-get to fetch Debian kernels"
	fi
	if [[ -n $why ]]; then
		skip "$1: $why"
		summary
		exit 0
	fi
}

# vm_kernel SERIES: resolve and fetch; the version in VM_KVER, and in
# XPVM_KVER_<series> for kernel_resolve. When that is
# impossible, a failed check and 1. Not in $(...): a check made in a
# subshell would not count.
# shellcheck disable=SC2034 # VM_KVER is for the caller
vm_kernel() {
	VM_KVER=
	if ! VM_KVER=$("$XPVM" kernel "$1"); then
		fail "kernel $1: cannot resolve or download it (see above)"
		return 1
	fi
	# Every xpvm command after this one takes the answer, not apt's.
	[[ $1 == *-amd64 ]] || export "XPVM_KVER_${1//[^a-z0-9]/_}=$VM_KVER"
}

# ---- guest scripts that report results one by one (guest/lib.sh) ----

# vm_output LOG: the guest script's output in an xpvm log, without the
# guest's name in front, and not the console tail xpvm adds after a
# failure (it would repeat lines).
vm_output() { sed -n -e '/^xpvm: [^ ]*: console log /q' -e 's/^\[[^]]*\] //p' "$1"; }

# vm_guest_checks WHAT LOG: each "CHECK pass|fail|skip TEXT" line of the
# guest as a check of ours.
vm_guest_checks() {
	local what=$1 log=$2 verdict text
	while read -r verdict text; do
		case $verdict in
		pass) pass "$what: $text" ;;
		fail) fail "$what: $text" ;;
		skip) skip "$what: $text" ;;
		esac
	done < <(vm_output "$log" | sed -n 's/^CHECK //p')
}

# vm_guest_finished STATUS LOG NAME: the guest exited 0 and its script got to
# its end (xp_done NAME) with no failed result.
vm_guest_finished() { (($1 == 0)) && vm_output "$2" | grep -qx "DONE $3 failed=0"; }

# vm_tcg_double_fault LOG...: a guest's kernel died of a double fault in
# the slab allocator's fast path (RIP in kmem_cache_alloc*), the crash
# Debian's 6.12 kernel shows now and then under QEMU 7.2's TCG, also in a
# guest with no module of ours loaded (rdma_rxe and ib_iser alone; see
# docs/testing.md). Prints the guest and the line, 0 if one did. A suite may
# run such a guest (and its peer) once more, and says so in a note; a
# second crash fails as any other.
vm_tcg_double_fault() {
	local log
	for log in "$@"; do
		grep -q 'traps: PANIC: double fault' "$log" 2>/dev/null || continue
		grep -qE 'RIP: 0010:kmem_cache_alloc[a-z_]*\+' "$log" || continue
		note "$(basename "$log"): the guest kernel double-faulted in the slab allocator: $(grep -m1 -oE 'RIP: 0010:kmem_cache_alloc[^ ]*' "$log")"
		return 0
	done
	return 1
}

# vm_secs START: seconds since START ($EPOCHREALTIME), one decimal.
vm_secs() { secs_since "$1"; }

# The modules xp_writecache needs loaded before it: dm_mod, and libcrc32c
# where crc32c() lives in a module (6.1, 6.12). modprobe libcrc32c loads its
# soft dependencies first, the CPU's CRC32C driver (crc32c-intel, which
# fails harmlessly on a CPU without SSE4.2) and crc32c-generic, as udev
# would on a real machine, so libcrc32c picks the fastest that works.
# shellcheck disable=SC2034 # for the suites that source this
VM_WC_MODULES="dm_mod ?libcrc32c"

# vm_kmod_build VERSION MODULE: build kmod/* for VERSION (kmod/build.sh,
# what make kmod runs); 0 when MODULE.ko came out of it, else a failed
# check with the build's last lines, and 1.
vm_kmod_build() {
	local kver=$1 mod=$2 t0 rc=0 log
	t0=$EPOCHREALTIME
	log=$("$XPVM_ROOT/kmod/build.sh" "$kver" 2>&1) || rc=$?
	if ((rc)) || [[ ! -f $XPVM_BUILD/kmod/$kver/$mod.ko ]]; then
		echo "$log" | tail -n 20 | sed 's/^/    # /'
		fail "$kver: kmod/build.sh did not build $mod.ko (status $rc)"
		return 1
	fi
	note "$kver: modules built in $(vm_secs "$t0") s"
}

# vm_ibv_build OUT SRC [GCC OPTIONS...]: SRC built against libibverbs as
# OUT, dynamically (xpvm ships a program's libraries and rdma-core's
# providers into the guest); 0, or gcc's first lines and 1.
vm_ibv_build() {
	local out=$1 src=$2 err
	shift 2
	mkdir -p "${out%/*}"
	if ! err=$(gcc -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
		"$@" -o "$out" "$src" -libverbs 2>&1); then
		echo "$err" | head -n 20 | sed 's/^/    # /'
		echo "    # cannot build $out (apt-get install libibverbs-dev; make deps does)"
		return 1
	fi
}

# vm_tool_build NAME OUT: build tests/vm/tools/NAME.c static (the guests'
# images hold no libc) as OUT; 0, or a failed check with gcc's first lines
# and 1.
vm_tool_build() {
	local name=$1 out=$2 err
	mkdir -p "${out%/*}"
	if ! err=$(gcc -static -O2 -Wall -Wextra -Werror -o "$out" \
		"$XPVM_ROOT/tests/vm/tools/$name.c" 2>&1); then
		echo "$err" | head -n 20 | sed 's/^/    # /'
		fail "cannot build tests/vm/tools/$name.c (needs gcc and the libc6-dev static libc)"
		return 1
	fi
}

# vm_xsk_hdr_check LABEL LOG: the zero-copy guest whose console is in LOG
# (it ran tests/vm/tools/xsk_hdr) sends AF_XDP frames behind a zero
# virtio-net header: the address its driver gave lies outside RAM (qemu
# reads zeros) or holds zeros. Why it might not: tests/vm/lib/qemu.sh.
vm_xsk_hdr_check() {
	local line ok=1
	line=$(grep -o 'XSKHDR .*' "$2" | head -n 1)
	[[ $line =~ ^XSKHDR\ dma=0x[0-9a-f]+\ (outside-ram|ram\ bytes=(00\ ){11}00)$ ]] || ok=0
	check "$1: virtio-net's zero-copy tx header is zeros (${line:-no XSKHDR line})" test $ok = 1
}

# vm_tool_host NAME STATIC OUT: build tests/vm/tools/NAME.c for checks on
# this host with ASan and UBSan as OUT; when this gcc cannot, OUT becomes a
# copy of the static build STATIC. Says which in a note.
vm_tool_host() {
	local name=$1 static=$2 out=$3
	if gcc -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra \
		-Werror -o "$out" "$XPVM_ROOT/tests/vm/tools/$name.c" 2>/dev/null &&
		"$out" --help >/dev/null 2>&1; then
		note "checks without qemu run $name built with -fsanitize=address,undefined"
	else
		note "gcc cannot build with ASan/UBSan here: the checks without qemu run the static $name"
		cp "$static" "$out"
	fi
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
}

# ---- one guest against a host-side namespace on its bridge ----
# A suite of this kind sets NET (the bridge's namespace), HOSTNS (the host
# side's), HOST_IP, GUEST_IP, PORT_G (the guest serves there), PORT_H (the
# host side does) and TMP, then calls vm_host_bed, vm_host_guest,
# vm_wait_guest, and at the end vm_guest_done and vm_host_checks.

# vm_one_series [OVERRIDE]: the series a one-guest suite boots: OVERRIDE if
# set, else 6.1 when XP_VM_SERIES has it, else XP_VM_SERIES's first.
vm_one_series() {
	if [[ -n ${1:-} ]]; then
		echo "$1"
		return
	fi
	case " $XP_VM_SERIES " in
	*" 6.1 "*) echo 6.1 ;;
	*) echo "${XP_VM_SERIES%% *}" ;;
	esac
}

# vm_host_bed WHAT SERIES: T0 set to now, SERIES's kernel fetched (its
# version in KVER), the bridge NET up with HOSTNS on it at HOST_IP/24, both
# gone on exit. When that is impossible: fail and end the suite.
vm_host_bed() {
	T0=$EPOCHREALTIME
	on_exit net_down "$NET" "$HOSTNS"
	if ! KVER=$("$XPVM" kernel "$2"); then
		fail "kernel $2: cannot resolve or download it (see above)"
		summary
		exit 1
	fi
	if ! { net_up "$NET" && net_host_add "$NET" "$HOSTNS" "$HOST_IP/24"; }; then
		fail "$1 $KVER: test network"
		summary
		exit 1
	fi
}

# vm_host_guest NAME SECONDS SCRIPT [XPVM OPTIONS...]: boot KVER (or
# GUEST_KVER) on NET at GUEST_IP with rdma_rxe's modules, in the background
# (VMPID), to run the guest SCRIPT with XP_HOST (HOST_IP, or GUEST_HOST: the
# address the guest talks RDMA to), XP_PORT_G and XP_PORT_H set; its log in
# $TMP/guest.log.
vm_host_guest() {
	local name=$1 secs=$2 script=$3
	shift 3
	"$XPVM" run -k "${GUEST_KVER:-$KVER}" --net "$NET" --name "$name" --ip "$GUEST_IP/24" \
		-m "?crc32_generic rdma_rxe ib_uverbs" -t "$secs" -e "XP_HOST=${GUEST_HOST:-$HOST_IP}" \
		-e "XP_PORT_G=$PORT_G" -e "XP_PORT_H=$PORT_H" "$@" "$script" >"$TMP/guest.log" 2>&1 &
	VMPID=$!
}

# vm_wait_guest WHAT: wait (at most 60 s, while the guest runs) until it
# answers a ping from HOSTNS, which also resolves its MAC for our side.
# 1, and a failure of WHAT, when it never does.
vm_wait_guest() {
	local i
	for ((i = 0; i < 120; i++)); do
		kill -0 "$VMPID" 2>/dev/null || break
		if nsx "$HOSTNS" ping -c 1 -W 1 -q "$GUEST_IP" >/dev/null 2>&1; then
			note "guest answered after $(vm_secs "$T0") s"
			return 0
		fi
		sleep 0.5
	done
	note "guest answered after $(vm_secs "$T0") s"
	fail "$1 $KVER: the guest never answered a ping"
	return 1
}

# vm_host_run NAME SECONDS CMD...: CMD in HOSTNS, at most SECONDS, output in
# $TMP/NAME.out and $TMP/NAME.err; its status.
vm_host_run() {
	local name=$1 secs=$2
	shift 2
	nsx "$HOSTNS" timeout "$secs" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
}

# vm_retry OUT ERR CMD...: CMD (our client of the guest's server) with its
# output in OUT and ERR, run again while ERR says "couldn't connect" (the
# guest does not listen yet) and the guest still runs, 0.3 s apart, at most
# 150 times; CMD's last status.
vm_retry() {
	local out=$1 err=$2 i rc
	shift 2
	for ((i = 0; i < 150; i++)); do
		"$@" >"$out" 2>"$err"
		rc=$?
		grep -q "couldn't connect" "$err" || return $rc
		kill -0 "$VMPID" 2>/dev/null || return $rc
		sleep 0.3
	done
	return $rc
}

# vm_kdev_opts KIND: the xpvm options, in KDEV_OPTS, for a guest whose rxe0
# is KIND: rxe (Linux's rdma_rxe; nothing to add) or xprxe (our xp_rxe, fed
# by bpf/xdp_rxe.bpf.o on eth0: the modules built for KVER, the object,
# iproute2's ip; guest/lib.sh xp_rxe_host). 1, with a failed check, when
# they cannot be had.
vm_kdev_opts() {
	KDEV_OPTS=()
	[[ $1 == xprxe ]] || return 0
	vm_kmod_build "$KVER" xp_rxe || return 1
	if [[ ! -f $XPVM_BUILD/bpf/xdp_rxe.bpf.o ]]; then
		fail "$XPVM_BUILD/bpf/xdp_rxe.bpf.o missing (make bpf)"
		return 1
	fi
	# shellcheck disable=SC2034 # for the suite's xpvm run
	KDEV_OPTS=(--kmod -b "default ip" -f "$XPVM_BUILD/bpf/xdp_rxe.bpf.o" -e XP_KDEV=xprxe)
}

# vm_kdev_checks LABEL: for an xprxe guest, from the counters it printed
# (xp_rxe_counters) in $TMP/guest.log: xdp_rxe handed xp_rxe the frames
# through its kfunc, none went through the rx_handler.
vm_kdev_checks() {
	local xdp hnd
	xdp=$(sed -n 's/.*rxe0 rx_xdp_frames \([0-9]*\)$/\1/p' "$TMP/guest.log" | tail -n 1)
	hnd=$(sed -n 's/.*rxe0 rx_handler_frames \([0-9]*\)$/\1/p' "$TMP/guest.log" | tail -n 1)
	check "$1: xdp_rxe handed xp_rxe ${xdp:-no} frames through its kfunc, the rx_handler ${hnd:-0}" \
		test "${xdp:-0}" -gt 100 -a "${hnd:-0}" = 0
}

# vm_guest_done WHAT LINES: wait for the guest, its status in RC_VM; show
# the last LINES lines of its log (without empty lines) and the time taken.
vm_guest_done() {
	RC_VM=0
	wait "$VMPID" || RC_VM=$?
	grep -vE '^(\[[^]]*\])? *$| speed is unknown' "$TMP/guest.log" | sed 's/^/    # /' | tail -"$2"
	note "$1 $KVER: $(vm_secs "$T0") s"
}

# vm_host_checks WHAT: the guest script passed; our steering program is
# gone from HOSTNS's eth0.
vm_host_checks() {
	check "$1 $KVER: guest script passed (status $RC_VM)" test "$RC_VM" = 0
	check "$1 $KVER: steering program detached from the host side" no_xdp "$HOSTNS" eth0
}
