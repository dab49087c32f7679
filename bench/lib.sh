# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers for the benchmark scripts: failing with a reason, teardown on exit,
# namespaces and veth pairs of their own, background tools with a readiness
# wait, flat-JSON field extraction, medians and a CPU-load probe.
# Source it; it installs the EXIT trap.

XB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XB_BUILD=${XP_BUILD:-$XB_ROOT/build}
# shellcheck disable=SC2034 # used by the scripts that source this file
XB_BIN=$XB_BUILD/bin

xb_prog=${xb_prog:-$(basename "$0")}

die() {
	echo "$xb_prog: error: $*" >&2
	exit 1
}
warn() { echo "$xb_prog: warning: $*" >&2; }
info() { echo "$xb_prog: $*" >&2; }

# Teardown: commands registered with on_exit run in reverse order, once.
_xb_cleanups=()
on_exit() { _xb_cleanups+=("$*"); }
_xb_run_cleanups() {
	local i
	for ((i = ${#_xb_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_xb_cleanups[i]}" >/dev/null 2>&1 || true
	done
	_xb_cleanups=()
}
trap _xb_run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# nsx NS CMD...: run CMD in namespace NS, keeping the host's /sys/fs/bpf
# (`ip netns exec` mounts a fresh /sys, which hides it).
nsx() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# make_ns NAME: a namespace with loopback up, deleted on exit.
make_ns() {
	ip netns add "$1" || return 1
	on_exit ip netns del "$1"
	ip -n "$1" link set lo up
}

# make_veth NS_A IF_A ADDR_A NS_B IF_B ADDR_B: one veth pair between the two
# namespaces, addresses with prefix length, links up. Deleting either
# namespace deletes the pair.
make_veth() {
	ip link add "$2" type veth peer name "$5" || return 1
	on_exit ip link del "$2"
	ip link set "$2" netns "$1" && ip link set "$5" netns "$4" &&
		ip -n "$1" addr add "$3" dev "$2" && ip -n "$4" addr add "$6" dev "$5" &&
		ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}

# link_mac NS IF: the interface's MAC address.
link_mac() {
	ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# json_num FILE KEY: a number (or null) from a flat one-line JSON object.
json_num() {
	local v
	v=$(grep -o "\"$2\":[-0-9.e+null]*" "$1" 2>/dev/null | head -n1 | cut -d: -f2)
	[[ -n $v ]] || return 1
	echo "$v"
}

# json_str FILE KEY: a string value from a flat JSON object.
json_str() {
	grep -o "\"$2\":\"[^\"]*\"" "$1" 2>/dev/null | head -n1 | cut -d'"' -f4
}

# Background tools. start_bg NAME OUT ERR CMD...: run CMD with stdout in OUT and
# stderr in ERR; its pid goes to XB_PID[NAME] until stop_bg, and it is killed
# on exit if it still runs then.
declare -A XB_PID
_xb_kill_bg() {
	local k
	for k in "${!XB_PID[@]}"; do
		kill "${XB_PID[$k]}" && wait "${XB_PID[$k]}"
	done
}
on_exit _xb_kill_bg
start_bg() {
	local name=$1 out=$2 err=$3
	shift 3
	"$@" >"$out" 2>"$err" &
	XB_PID[$name]=$!
}

# wait_ready KEY LABEL ERR SECONDS PATTERN: wait until PATTERN shows up in
# ERR. Fails, showing ERR, when the tool exits first or the time runs out.
wait_ready() {
	local name=$2 err=$3 deadline=$((SECONDS + $4)) pattern=$5 pid=${XB_PID[$1]}

	while ! grep -q -- "$pattern" "$err" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			echo "$xb_prog: $name exited with status $? before it was ready:" >&2
			sed 's/^/    /' "$err" >&2
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "$xb_prog: $name was not ready after $4 s:" >&2
			sed 's/^/    /' "$err" >&2
			return 1
		fi
		sleep 0.05
	done
}

# stop_bg KEY LABEL ERR: SIGINT, then wait for the exit status; fail with ERR
# shown when the tool failed.
stop_bg() {
	local name=$2 err=$3 pid=${XB_PID[$1]} rc

	kill -INT "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	unset "XB_PID[$1]"
	if ((rc != 0)); then
		echo "$xb_prog: $name failed with status $rc:" >&2
		sed 's/^/    /' "$err" >&2
		return 1
	fi
}

# run_delay_ns PID: how long the task has waited on a run queue, runnable but
# not running, in ns (schedstat's second field). For a pinned, spinning
# benchmark thread that is the time other work took its CPU away. Builtins
# only: no fork that could itself take that CPU.
run_delay_ns() {
	local _ d=0
	{ read -r _ d _ </proc/"$1"/schedstat; } 2>/dev/null
	echo "${d:-0}"
}

# nap SECONDS: sleep without forking (read with a timeout on a pipe that
# never gets data).
_xb_nap_fd=
nap() {
	[[ -n $_xb_nap_fd ]] || exec {_xb_nap_fd}<> <(:)
	read -r -t "$1" -u "$_xb_nap_fd" || true
}

# xb_results NAME: the results directory of benchmark NAME, made absolute
# in OUTDIR: LOGS ($OUTDIR/NAME-logs, emptied), DAT ($OUTDIR/NAME-bench.dat),
# and DATE and REV for the data file's header.
xb_results() {
	mkdir -p "$OUTDIR/$1-logs" || die "cannot create $OUTDIR/$1-logs"
	OUTDIR=$(cd "$OUTDIR" && pwd)
	LOGS=$OUTDIR/$1-logs
	# shellcheck disable=SC2034 # read by the scripts that source this file
	DAT=$OUTDIR/$1-bench.dat
	rm -f "$LOGS"/*
	# shellcheck disable=SC2034
	DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	# shellcheck disable=SC2034
	REV=$(git -C "$XB_ROOT" describe --always --dirty 2>/dev/null || echo unknown)
}

# median V...: the median of the numbers given (mean of the middle two when
# there is an even count).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) print "nan";
		      else if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# calc EXPR: floating-point arithmetic through awk.
calc() { awk "BEGIN { printf \"%.6g\n\", $* }"; }

# cpu_busy SECONDS: the busiest CPU's non-idle share in percent over SECONDS,
# as "PERCENT CPU". Another load on a two-core machine skews every number.
cpu_busy() {
	local a b
	a=$(grep '^cpu[0-9]' /proc/stat)
	sleep "$1"
	b=$(grep '^cpu[0-9]' /proc/stat)
	paste <(echo "$a") <(echo "$b") | awk '{
		n = (NF) / 2; t0 = t1 = 0
		for (i = 2; i <= n; i++) { t0 += $i; t1 += $(i + n) }
		idle0 = $5 + $6; idle1 = $(5 + n) + $(6 + n)
		busy = (t1 - t0) ? 100 * (1 - (idle1 - idle0) / (t1 - t0)) : 0
		if (busy > max) { max = busy; cpu = $1 }
	} END { printf "%.0f %s\n", max, cpu }'
}

# xb_wait_idle SECONDS WHEN: other work on the machine skews every figure;
# wait up to SECONDS for the busiest CPU to be at most 10 % busy, warn
# (with the busiest processes) if it never was, and leave its load in
# XB_BUSY. WHEN completes "... was N% busy before WHEN".
xb_wait_idle() {
	local deadline=$((SECONDS + $1)) busy cpu
	while :; do
		read -r busy cpu < <(cpu_busy 1)
		((busy <= 10)) && break
		((SECONDS >= deadline)) && break
	done
	if ((busy > 10)); then
		warn "$cpu was ${busy}% busy before $2; other work skews the figures:"
		top -b -n 2 -d 0.5 | awk '/^top -/ { n++ } n == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 > 5 {
			printf "    pid %s %s%% %s\n", $1, $9, $12 }' | head -n 5 >&2
	fi
	# shellcheck disable=SC2034 # read by the scripts that source this file
	XB_BUSY=$busy
}
