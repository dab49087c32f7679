# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for guest scripts (busybox sh), sourced before /xp/test.sh runs.
# A guest script passes by exiting 0; anything else is its failure status.

# xp_step TEXT: a heading in the log.
xp_step() { echo "--- $*"; }

# xp_fail TEXT: report and exit 1.
xp_fail() {
	echo "FAIL: $*"
	exit 1
}

# xp_run CMD...: run CMD, show it and its output; fail the script if it fails.
xp_run() {
	echo "+ $*"
	"$@" || xp_fail "'$*' exited $?"
}

# _xp_running PID: PID exists and has not exited (a zombie has).
_xp_running() { grep -q '^State:[[:space:]]*[^Z]' /proc/$1/status 2>/dev/null; }

# xp_within SECS CMD...: run CMD, but wait at most SECS seconds for it.
# CMD's status; or, when it is still running then, 124 after the kernel's
# view of it on the console: in-flight I/O of every block device, and
# magic SysRq w (blocked tasks with their stacks). CMD is left running (a
# task blocked in the kernel cannot be killed): the script should report
# and end.
xp_within() {
	_s=$1
	shift
	"$@" &
	_p=$!
	_t=$(($(cut -d. -f1 /proc/uptime) + _s))
	while _xp_running $_p && [ "$(cut -d. -f1 /proc/uptime)" -lt $_t ]; do
		sleep 0.2
	done
	if _xp_running $_p; then
		echo "xp_within: '$*' still runs after $_s s; block devices' in-flight reads and writes:"
		for _f in /sys/block/*/inflight; do
			[ -e "$_f" ] || continue
			_d=${_f%/inflight}
			echo "  ${_d#/sys/block/}: $(cat "$_f")"
		done
		dmesg -n 8
		echo w >/proc/sysrq-trigger
		sleep 2
		return 124
	fi
	wait $_p
}

# xp_kernel_quiet: fail when the kernel logged a bug, a warning, a
# sanitizer report, a refcount error or a netdev it waits for.
xp_kernel_quiet() {
	_bad='BUG|WARNING:|UBSAN|KASAN|refcount_t|unregister_netdevice: waiting'
	dmesg | grep -qE "$_bad" || return 0
	dmesg | grep -E -A5 "$_bad" | head -n 30
	xp_fail "the kernel complained"
}

# xp_retry TRIES DELAY CMD...: run CMD until it succeeds, at most TRIES times.
xp_retry() {
	_n=$1 _d=$2 _i=1
	shift 2
	while ! "$@"; do
		[ "$_i" -ge "$_n" ] && return 1
		_i=$((_i + 1))
		sleep "$_d"
	done
}

# xp_connect TRIES LOG CMD...: run CMD (a client of a server on the host
# side), its output in LOG, again while LOG says "Couldn't connect" (the
# server does not listen yet), 0.3 s apart, at most TRIES times; CMD's last
# status.
xp_connect() {
	_n=$1 _log=$2 _i=1
	shift 2
	while :; do
		"$@" >"$_log" 2>&1
		_rc=$?
		grep -q "Couldn't connect" "$_log" || return $_rc
		[ "$_i" -ge "$_n" ] && return $_rc
		_i=$((_i + 1))
		sleep 0.3
	done
}

# xp_grep PATTERN FILE TEXT: fail with TEXT unless FILE has a line matching
# the extended regular expression PATTERN.
xp_grep() {
	grep -Eq "$1" "$2" || { cat "$2"; xp_fail "$3"; }
}

# xp_veth_pair A B: a veth pair named A and B, both down. Busybox's ip
# takes no "peer name": the peer it makes is renamed.
xp_veth_pair() {
	ip link add "$1" type veth || return 1
	_peer=$(ip link show | sed -n "s/^[0-9]*: \([^@:]*\)@$1:.*/\1/p")
	[ -n "$_peer" ] || return 1
	[ "$_peer" = "$2" ] || ip link set "$_peer" name "$2"
}

# xp_wait_peer IP [SECONDS]: wait until IP answers a ping.
xp_wait_peer() {
	xp_retry "${2:-30}" 1 ping -c 1 -W 1 "$1" >/dev/null ||
		xp_fail "peer $1 did not answer for ${2:-30} s"
}

# xp_rxe_up [NETDEV] [NAME]: an rdma_rxe link on NETDEV (default eth0),
# waiting until its IPv4 GID (index 1) is in place.
xp_rxe_up() {
	_dev=${1:-eth0} _name=${2:-rxe0}
	# Until 6.13 rxe's ICRC asks the crypto API for "crc32", which only
	# crc32_generic provides; later kernels have no such module.
	[ -z "$(find /lib/modules/"$(uname -r)" -name 'crc32_generic.ko*' 2>/dev/null)" ] ||
		modprobe crc32_generic || xp_fail "modprobe crc32_generic"
	modprobe rdma_rxe || xp_fail "modprobe rdma_rxe"
	# rdma-core reaches the device through ib_uverbs, which rdma_rxe pulls
	# in until 6.x but not on 7.x.
	modprobe ib_uverbs || xp_fail "modprobe ib_uverbs"
	rdma link add "$_name" type rxe netdev "$_dev" ||
		xp_fail "rdma link add $_name type rxe netdev $_dev"
	_gid=/sys/class/infiniband/$_name/ports/1/gids/1
	xp_retry 50 0.1 sh -c "grep -qv '^0000:0000:0000:0000:0000:0000:0000:0000$' $_gid" ||
		xp_fail "$_name has no IPv4 GID at index 1"
	echo "rxe: $_name on $_dev, GID[1] $(cat "$_gid")"
}

# xp_rxe_host: the start of a guest script that talks RDMA to the host side:
# timeout(1) there, $XP_HOST answering, rxe0 up on eth0: Linux's rdma_rxe,
# or with XP_KDEV=xprxe our xp_rxe fed by /xp/files/xdp_rxe.bpf.o (the
# suite ships it and the module).
xp_rxe_host() {
	command -v timeout >/dev/null || xp_fail "no timeout command in the guest"
	xp_step "network: host $XP_HOST"
	xp_wait_peer "$XP_HOST" 60
	if [ "${XP_KDEV:-rxe}" = xprxe ]; then
		xp_step "xp_rxe on eth0, fed by xdp_rxe"
		modprobe ib_uverbs || xp_fail "modprobe ib_uverbs"
		xp_xprxe_up eth0 rxe0 /xp/files/xdp_rxe.bpf.o
	else
		xp_step "rdma_rxe on eth0"
		xp_rxe_up eth0 rxe0
	fi
	cat /sys/class/infiniband/rxe0/ports/1/state 2>/dev/null
}

# xp_xprxe_up DEV NAME [XDP_OBJ]: xp_rxe (/xp/kmod/xp_rxe.ko) with device
# NAME on DEV and its RoCE v2 GID; with XDP_OBJ (bpf/xdp_rxe.bpf.o), that
# program on DEV feeds the device through its kfunc, and "XDPPROG <mode> id
# <id>" says how it is attached.
xp_xprxe_up() {
	xp_run insmod /xp/kmod/xp_rxe.ko
	xp_run rdma link add "$2" type xprxe netdev "$1"
	xp_retry 20 0.5 grep -qx 'RoCE v2' "/sys/class/infiniband/$2/ports/1/gid_attrs/types/1" ||
		xp_fail "no RoCE v2 GID on $2"
	[ -n "${3:-}" ] || return 0
	[ -e /sys/kernel/btf/xp_rxe ] || xp_fail "xp_rxe has no BTF"
	# iproute2's ip by its path: busybox's sh runs its own applet first.
	xp_run /usr/bin/ip link set dev "$1" xdp obj "$3" sec xdp
	/usr/bin/ip -d link show dev "$1" | grep -o 'prog/xdp[a-z]* id [0-9]*' | sed 's/^/XDPPROG /'
}

# xp_rxe_counters: rxe0's non-zero port counters, "rxe0 NAME VALUE" each
# (rdma_rxe's or xp_rxe's; for xp_rxe the host checks which path the
# frames took, vm_kdev_checks).
xp_rxe_counters() {
	xp_step "rxe0 counters"
	for _f in /sys/class/infiniband/rxe0/ports/1/hw_counters/*; do
		_v=$(cat "$_f")
		[ "$_v" = 0 ] || echo "rxe0 ${_f##*/} $_v"
	done
}

# ---- two guests taking turns (a directory both share, xpvm --share) ----

# xp_signal NAME: tell the other guest NAME (a file in /xp/share).
xp_signal() { touch "/xp/share/$1"; }

# xp_await NAME SECONDS: wait for the other guest's NAME; fail after SECONDS.
xp_await() {
	_w=0
	while [ ! -e "/xp/share/$1" ]; do
		_w=$((_w + 1))
		[ $_w -le "$2" ] || xp_fail "the other guest never said $1 (waited $2 s)"
		sleep 1
	done
}

# xp_rdma_monitor WHO DEV: with XP_MON=1, in the background, DEV's
# non-zero port counters every 5 s on a line "MON WHO SECONDS NAME=VALUE..."
# (for a stall: which side stopped, and what it counted last).
xp_rdma_monitor() {
	[ "${XP_MON:-0}" = 1 ] || return 0
	while :; do
		_l="MON $1 $(xp_now)"
		for _f in /sys/class/infiniband/"$2"/ports/1/hw_counters/*; do
			_v=$(cat "$_f" 2>/dev/null)
			[ "${_v:-0}" = 0 ] || _l="$_l ${_f##*/}=$_v"
		done
		echo "$_l"
		sleep 5
	done &
}

# ---- results reported one by one ----
# A guest script with many results prints "CHECK pass|fail|skip TEXT" lines,
# which the host turns into checks of its own (vm_guest_checks in
# tests/vm/lib/testvm.sh), keeps going after a failed one where the next
# steps still mean something, and ends with xp_done NAME: its line
# "DONE NAME failed=N" is what tells the host the script got to its end.
XP_FAILED=0

xp_ok() { echo "CHECK pass $*"; }
xp_notok() {
	echo "CHECK fail $*"
	XP_FAILED=$((XP_FAILED + 1))
}
xp_skip() { echo "CHECK skip $*"; }

# xp_check TEXT CMD...: one result, a pass when CMD succeeds.
xp_check() {
	_t=$1
	shift
	if "$@"; then xp_ok "$_t"; else xp_notok "$_t"; fi
}

# xp_verdict TEXT: one result, a pass when the command just before the call
# succeeded (for conditions made of several commands).
xp_verdict() {
	if [ $? = 0 ]; then xp_ok "$1"; else xp_notok "$1"; fi
}

# xp_done NAME: the script's last line; exits 1 if any result failed.
xp_done() {
	echo "DONE $1 failed=$XP_FAILED"
	[ "$XP_FAILED" = 0 ]
	exit $?
}

# xp_now: seconds since boot; xp_secs START: seconds since START, one decimal.
xp_now() { cut -d' ' -f1 /proc/uptime; }
xp_secs() { awk -v a="$1" -v b="$(xp_now)" 'BEGIN { printf "%.1f", b - a }'; }
