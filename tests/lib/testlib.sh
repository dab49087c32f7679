# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the shell tests: result reporting in the same format as
# the C tests, namespace/veth set-up with teardown on exit, feature probes.
# Source it, then call pass/fail/skip and finish with `summary`.

XP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XP_BUILD=${XP_BUILD:-$XP_ROOT/build}
XP_BIN=$XP_BUILD/bin
XP_BPF=$XP_BUILD/bpf

_n_pass=0
_n_fail=0
_n_skip=0
_cleanups=()

pass() { _n_pass=$((_n_pass + 1)); echo "PASS $*"; }
fail() { _n_fail=$((_n_fail + 1)); echo "FAIL $*"; }
skip() { _n_skip=$((_n_skip + 1)); echo "SKIP $*"; }
note() { echo "    # $*"; }

# check NAME CMD...: PASS when CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

summary() {
	echo "$_n_pass passed, $_n_fail failed, $_n_skip skipped"
	((_n_fail == 0))
}

# Teardown: commands registered with `on_exit` run in reverse order.
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" >/dev/null 2>&1 || true
	done
}
trap _run_cleanups EXIT

# Unique short names so parallel or leftover runs never collide.
XP_TAG=${XP_TAG:-$$}
ns_name() { echo "xp$1$XP_TAG"; }

# make_ns NAME: create a namespace with loopback up and bpffs mounted inside.
make_ns() {
	ip netns add "$1" || return 1
	on_exit ip netns del "$1"
	ip -n "$1" link set lo up
}

# nsx NS CMD...: run CMD inside NS with the global bpffs visible.
# (`ip netns exec` remounts /sys; nsenter keeps the host's /sys/fs/bpf.)
nsx() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# make_veth_pair NS_A IF_A ADDR_A NS_B IF_B ADDR_B [QUEUES]
make_veth_pair() {
	local q=${7:-1}
	ip link add "$2" numrxqueues "$q" numtxqueues "$q" type veth \
		peer name "$5" numrxqueues "$q" numtxqueues "$q" || return 1
	ip link set "$2" netns "$1" && ip link set "$5" netns "$4" || return 1
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

# pair_bed PREFIX: two namespaces NSA and NSB joined by one veth pair VA-VB,
# addresses IPA=PREFIX.1 and IPB=PREFIX.2 (/24). A bed that cannot be built
# fails the suite at once.
pair_bed() {
	NSA=$(ns_name a)
	NSB=$(ns_name b)
	VA=xpa$XP_TAG
	VB=xpb$XP_TAG
	IPA=$1.1
	IPB=$1.2
	make_ns "$NSA" && make_ns "$NSB" &&
		make_veth_pair "$NSA" "$VA" "$IPA/24" "$NSB" "$VB" "$IPB/24" && return 0
	fail "test bed: cannot create namespaces and veth"
	summary
	exit 1
}

# wait_ready FILE PID: until FILE says "ready" or PID has ended, at most 10 s.
wait_ready() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q ready "$1" 2>/dev/null && break
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
}

# run_pair NAME SERVER... -- CLIENT...: SERVER in $NSB in the background and,
# once its stderr says "ready" (at most 10 s), CLIENT in $NSA; each is run
# as given (put a `timeout N` in front to bound it). Output in
# $TMP/NAME.{srv,cli}{,.err}, exit statuses in PAIR_RC_S and PAIR_RC_C.
# 0 when both exit 0; otherwise notes both statuses and each side's errors.
run_pair() {
	local name=$1 spid srv=()
	shift
	while (($#)) && [[ $1 != -- ]]; do
		srv+=("$1")
		shift
	done
	shift
	nsx "$NSB" "${srv[@]}" >"$TMP/$name.srv" 2>"$TMP/$name.srv.err" &
	spid=$!
	wait_ready "$TMP/$name.srv.err" $spid
	nsx "$NSA" "$@" >"$TMP/$name.cli" 2>"$TMP/$name.cli.err"
	PAIR_RC_C=$?
	wait $spid
	PAIR_RC_S=$?
	((PAIR_RC_S || PAIR_RC_C)) || return 0
	note "$name: server exit $PAIR_RC_S, client exit $PAIR_RC_C"
	grep -v "ready, listening" "$TMP/$name.srv.err" | head -12 | sed 's/^/    # srv: /'
	head -12 "$TMP/$name.cli.err" | sed 's/^/    # cli: /'
	return 1
}

# pair_ll6: the IPv6 link-local addresses of the pair bed in LLA and LLB,
# once neither is tentative any more (at most 5 s), B's checked with a
# ping from A; 1 when either end has none.
pair_ll6() {
	local i
	LLA=$(ip -n "$NSA" -6 addr show dev "$VA" scope link | awk '/inet6/ {print $2}' | cut -d/ -f1)
	LLB=$(ip -n "$NSB" -6 addr show dev "$VB" scope link | awk '/inet6/ {print $2}' | cut -d/ -f1)
	[[ -n $LLA && -n $LLB ]] || return 1
	for ((i = 0; i < 50; i++)); do
		ip -n "$NSA" -6 addr show dev "$VA" tentative | grep -q inet6 ||
			ip -n "$NSB" -6 addr show dev "$VB" tentative | grep -q inet6 || break
		sleep 0.1
	done
	nsx "$NSA" ping -6 -c1 -W2 "$LLB%$VA" >/dev/null || note "ping -6 $LLB failed"
	return 0
}

# no_xdp NS DEV: no XDP program left attached to DEV in NS.
no_xdp() { ! ip -n "$1" link show dev "$2" | grep -q prog/xdp; }

# check_pair_detached: the check every pair-bed suite ends with.
_pair_detached() { no_xdp "$NSA" "$VA" && no_xdp "$NSB" "$VB"; }
check_pair_detached() { check "steering program detached from both ends" _pair_detached; }

# secs_since START: seconds since START ($EPOCHREALTIME), one decimal.
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

require_root() {
	if ((EUID != 0)); then
		skip "$1: needs root (CAP_NET_ADMIN, CAP_BPF)"
		summary
		exit 0
	fi
}

# require_bin FILE: the build must have produced it.
require_bin() {
	if [[ ! -x $1 ]]; then
		fail "missing $1: run make first"
		summary
		exit 1
	fi
}
