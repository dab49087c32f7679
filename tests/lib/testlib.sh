# SPDX-License-Identifier: GPL-2.0
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
