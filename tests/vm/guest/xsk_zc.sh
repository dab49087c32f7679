# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_xsk_zc. XP_ROLE=zc: AF_XDP on eth0 (virtio-net with
# iommu_platform) for each case of XP_CASES, in step with the host through
# the 9p share: a receiving case writes ready.CASE once xp-bench is bound,
# a sending case waits for go.CASE; each leaves CASE.json, CASE.err, CASE.rc
# and then done.CASE. XP_ROLE=probe: what zero-copy binds say on this
# kernel and device, for the host to check.

S=/xp/share
N=${XP_N:-4000}
RATE=${XP_RATE:-4000}

# bench CASE ARGS...: xp-bench in the background, its output in the share.
bench() {
	_c=$1
	shift
	"$XB" "$@" --json >"$S/$_c.json" 2>"$S/$_c.err" &
	_pid=$!
}

# wait_ready CASE: until xp-bench says ready (or exits), then ready.CASE.
wait_ready() {
	_i=0
	while [ $_i -lt 300 ] && ! grep -q ', ready$' "$S/$1.err" 2>/dev/null &&
		kill -0 $_pid 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	: >"$S/ready.$1"
}

# finish CASE: xp-bench's status, then done.CASE.
finish() {
	wait $_pid
	echo $? >"$S/$1.rc"
	: >"$S/done.$1"
	echo "case $1: exit $(cat "$S/$1.rc"), $(grep -o '"xsk_mode":"[^"]*"' "$S/$1.json")"
}

# wait_go CASE: the host's receiver is bound.
wait_go() {
	_i=0
	while [ $_i -lt 600 ] && [ ! -e "$S/go.$1" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

if [ "$XP_ROLE" = probe ]; then
	xp_step "zero-copy probes on $(uname -r)"
	"$XB" rxdrop -i eth0 -z -d 1 >"$S/forced.out" 2>&1
	echo $? >"$S/forced.rc"
	"$XB" rxdrop -i eth0 -d 1 >"$S/auto.out" 2>&1
	echo $? >"$S/auto.rc"
	cat "$S/forced.out" "$S/auto.out" | grep -v '^ *[0-9]'
	exit 0
fi

xp_step "network: host $XP_HOST"
xp_wait_peer "$XP_HOST" 60
ethtool -i eth0 2>/dev/null | head -n 1
# The header virtio-net puts in front of zero-copy frames (tests/vm/lib/qemu.sh).
[ -x /xp/files/xsk_hdr ] && /xp/files/xsk_hdr

for c in $XP_CASES; do
	xp_step "case $c"
	tx="--dst-ip $XP_HOST --src-ip ${XP_GUEST_IP%/*} -s 64 --debug-pool"
	# The host's MAC must be fresh in the neighbour table for txonly.
	case $c in tx_*) ping -c 1 -W 1 "$XP_HOST" >/dev/null ;; esac
	case $c in
	rx_zc) bench $c rxdrop -i eth0 -z -n "$N" -d 60 --debug-pool ;;
	rx_zc_nowake) bench $c rxdrop -i eth0 -z -m -n "$N" -d 60 --debug-pool ;;
	rx_auto) bench $c rxdrop -i eth0 -n "$N" -d 60 --debug-pool ;;
	l2fwd_zc) bench $c l2fwd -i eth0 -z -n "$N" -d 15 --debug-pool ;;
	rx_zc_perf) bench $c rxdrop -i eth0 -z -d 5 ;;
	rx_copy_perf) bench $c rxdrop -i eth0 -c -d 5 ;;
	tx_zc) wait_go $c; bench $c txonly -i eth0 -z -n "$N" -R "$RATE" $tx ;;
	tx_zc_nowake) wait_go $c; bench $c txonly -i eth0 -z -m -n "$N" -R "$RATE" $tx ;;
	tx_zc_perf) wait_go $c; bench $c txonly -i eth0 -z -d 5 $tx ;;
	tx_copy_perf) wait_go $c; bench $c txonly -i eth0 -c -d 5 $tx ;;
	*) xp_fail "unknown case $c" ;;
	esac
	case $c in
	tx_*) ;;
	*) wait_ready $c ;;
	esac
	finish $c
done
echo "all cases ran"
