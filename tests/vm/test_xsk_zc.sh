#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# AF_XDP zero-copy for real: a guest of Debian's newest kernel whose
# virtio-net eth0 offers VIRTIO_F_ACCESS_PLATFORM (qemu iommu_platform=on,
# disable-legacy=on), on a bridge with a host-side namespace.
#   - rxdrop, txonly and l2fwd bind in zero-copy (forced, and auto mode says
#     zero-copy), need_wakeup on and off; every frame is counted (rx: the
#     guest gets exactly what the host sent; tx: the host gets exactly what
#     the guest sent); the frame pool's ownership audit is clean (exit 0
#     with --debug-pool);
#   - zero-copy against copy mode in the same guest, same run: rxdrop and
#     txonly pps, noted (under TCG only the ratio means something);
#   - negative controls: the same kernel without iommu_platform, and the
#     6.12 and 6.1 kernels, refuse a forced zero-copy bind with our message,
#     and auto mode says copy mode and why.
#
# Runs alone in tests/run.sh (it measures pps against copy mode: wants the machine to itself):
# vm-weight: 2
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_xsk_zc

XB=$XP_BIN/xp-bench
require_bin "$XB"

NET=$(ns_name zn)
HOSTNS=$(ns_name zh)
HOST_IP=198.18.104.1
GUEST_IP=198.18.104.11
N=${XP_ZC_N:-4000}
RATE=${XP_ZC_RATE:-4000}
ZC_NIC=iommu_platform=on,disable-legacy=on
CASES="rx_zc rx_zc_nowake rx_auto tx_zc tx_zc_nowake l2fwd_zc rx_zc_perf rx_copy_perf tx_zc_perf tx_copy_perf"
TMP=$(mktemp -d)
SHARE=$TMP/share
mkdir -p "$SHARE"
on_exit rm -rf "$TMP"

json() { grep -o "\"$2\":[^,}]*" "$1" 2>/dev/null | tail -n1 | cut -d: -f2 | tr -d '"'; }

# wait_file FILE SECONDS: until FILE exists or the guest is gone.
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[[ -e $1 ]] && return 0
		kill -0 "$VMPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# host_bench NAME ARGS...: xp-bench on the host side's eth0, in the
# background (HPID), waiting until it is bound.
host_bench() {
	local name=$1 i
	shift
	nsx "$HOSTNS" "$XB" "$@" -i eth0 --json >"$TMP/$name.json" 2>"$TMP/$name.err" &
	HPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ', ready$' "$TMP/$name.err" && return 0
		kill -0 $HPID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

send() { nsx "$HOSTNS" "$XB" txonly -i eth0 -c --dst-ip $GUEST_IP --src-ip $HOST_IP -s 64 "$@" \
	--json >"$TMP/send.json" 2>"$TMP/send.err"; }

# drive CASE: the host's half of one case.
drive() {
	local c=$1
	case $c in
	tx_*)
		if [[ $c == *_perf ]]; then
			host_bench "h_$c" rxdrop -c -d 8
		else
			host_bench "h_$c" rxdrop -c -n "$N" -d 60
		fi || note "$c: the host's receiver did not start: $(tail -n 3 "$TMP/h_$c.err")"
		: >"$SHARE/go.$c"
		wait_file "$SHARE/done.$c" 90
		wait $HPID
		echo $? >"$TMP/h_$c.rc"
		;;
	*)
		wait_file "$SHARE/ready.$c" 60 || return
		if [[ $c == *_perf ]]; then
			send -d 6
		else
			send -n "$N" -R "$RATE"
		fi || note "$c: the host's sender failed: $(tail -n 3 "$TMP/send.err")"
		cp "$TMP/send.json" "$TMP/s_$c.json"
		wait_file "$SHARE/done.$c" 90
		;;
	esac
}

# exact CASE WANT-NEED-WAKEUP COUNTER: a counted case passed in zero-copy.
exact() {
	local c=$1 wake=$2 counter=$3 f=$SHARE/$1.json
	check "zc $KVER $c: xp-bench exit 0, frame pool audit clean (status $(cat "$SHARE/$c.rc" 2>/dev/null))" \
		test "$(cat "$SHARE/$c.rc" 2>/dev/null)" = 0
	check "zc $KVER $c: bound in zero-copy, need_wakeup $wake ($(json "$f" xsk_mode), $(json "$f" need_wakeup))" \
		test "$(json "$f" xsk_mode)" = zero-copy -a "$(json "$f" need_wakeup)" = "$([[ $wake == on ]] && echo true || echo false)"
	check "zc $KVER $c: $counter $N ($(json "$f" "$counter")), no rx_dropped ($(json "$f" rx_dropped))" \
		test "$(json "$f" "$counter")" = "$N" -a "$(json "$f" rx_dropped)" = 0
}

vm_host_bed "zc" newest
# xp-bench goes in as /xp/bin/xp-bench (the guest mounts a tmpfs on /tmp,
# where a clone may live), and through -b for its libraries.
GXB=/xp/bin/xp-bench
vm_tool_build xsk_hdr "$TMP/xsk_hdr"
XPVM_ARGS=(-b "+$XB" -f "$XB:$GXB" -f "$TMP/xsk_hdr" --share "$SHARE" --nic-opts "$ZC_NIC" -e "XB=$GXB" -e "XP_N=$N"
	-e "XP_RATE=$RATE" -e "XP_GUEST_IP=$GUEST_IP" -e "XP_CASES=$CASES")
"$XPVM" run -k "$KVER" --net "$NET" --name "zc-newest" --ip "$GUEST_IP/24" -t 300 \
	-e "XP_HOST=$HOST_IP" "${XPVM_ARGS[@]}" "$XPVM_GUEST/xsk_zc.sh" >"$TMP/guest.log" 2>&1 &
VMPID=$!
if vm_wait_guest "zc"; then
	for c in $CASES; do
		drive "$c"
	done
fi
vm_guest_done "zc" 30
check "zc $KVER: the guest ran every case (status $RC_VM)" \
	bash -c "test $RC_VM = 0 && grep -q 'all cases ran' '$TMP/guest.log'"
vm_xsk_hdr_check "zc $KVER" "$TMP/guest.log"

exact rx_zc on rx_packets
exact rx_zc_nowake off rx_packets
exact rx_auto on rx_packets
exact tx_zc on tx_completed
exact tx_zc_nowake off tx_completed
for c in tx_zc tx_zc_nowake; do
	check "zc $KVER $c: the host received all $N ($(json "$TMP/h_$c.json" rx_packets), status $(cat "$TMP/h_$c.rc" 2>/dev/null))" \
		test "$(json "$TMP/h_$c.json" rx_packets)" = "$N"
done
# l2fwd: every frame it received went back out; how many of the N reached
# it is noted, not required (see docs/xsk.md: not every frame does yet).
f=$SHARE/l2fwd_zc.json
check "zc $KVER l2fwd_zc: xp-bench exit 0, frame pool audit clean (status $(cat "$SHARE/l2fwd_zc.rc" 2>/dev/null))" \
	test "$(cat "$SHARE/l2fwd_zc.rc" 2>/dev/null)" = 0
check "zc $KVER l2fwd_zc: bound in zero-copy ($(json "$f" xsk_mode))" test "$(json "$f" xsk_mode)" = zero-copy
check "zc $KVER l2fwd_zc: forwarded every frame it received ($(json "$f" tx_completed) of $(json "$f" rx_packets))" \
	test "$(json "$f" rx_packets)" -gt 0 -a "$(json "$f" tx_completed)" = "$(json "$f" rx_packets)"
note "zc $KVER l2fwd_zc: received $(json "$f" rx_packets) of the $N sent, fill ring empty $(json "$f" rx_fill_ring_empty_descs) times"
for d in rx tx; do
	zc=$(json "$SHARE/${d}_zc_perf.json" active_pps)
	cp=$(json "$SHARE/${d}_copy_perf.json" active_pps)
	check "zc $KVER ${d} perf: zero-copy and copy runs measured ($(json "$SHARE/${d}_zc_perf.json" xsk_mode) ${zc:-?} pps, $(json "$SHARE/${d}_copy_perf.json" xsk_mode) ${cp:-?} pps)" \
		test "$(json "$SHARE/${d}_zc_perf.json" xsk_mode)" = zero-copy -a \
		"$(json "$SHARE/${d}_copy_perf.json" xsk_mode)" = copy -a "${zc:-0}" -gt 0 -a "${cp:-0}" -gt 0
	[[ $d == rx ]] && lbl=rxdrop || lbl=txonly
	[[ ${cp:-0} -gt 0 ]] && note "zc $KVER $lbl: zero-copy/copy = $(awk -v a="${zc:-0}" -v b="$cp" 'BEGIN { printf "%.2f", a / b }') (${zc:-?} / $cp pps, same guest, same run)"
done

# Negative controls: no zero-copy, and our message says why.
probe() {
	local series=$1 nic=$2 want=$3 name
	name=zp-$series${nic:+-iommu}
	rm -f "$SHARE"/*
	"$XPVM" run -k "$series" --net "$NET" --name "$name" --ip "$GUEST_IP/24" -t 120 \
		-b "+$XB" -f "$XB:$GXB" --share "$SHARE" -e "XB=$GXB" -e XP_ROLE=probe \
		${nic:+--nic-opts "$nic"} \
		"$XPVM_GUEST/xsk_zc.sh" >"$TMP/probe.log" 2>&1
	local k
	k=$(sed -n 's/.*zero-copy probes on //p' "$TMP/probe.log" | head -n1)
	check "zc probe $k${nic:+ ($nic)}: a forced zero-copy bind fails with '$want'" \
		bash -c "test \"\$(cat '$SHARE/forced.rc')\" != 0 && grep -q -- '$want' '$SHARE/forced.out'" ||
		sed 's/^/    # /' "$SHARE/forced.out" | head -5
	check "zc probe $k: auto mode binds in copy mode and says why ('no zero-copy, the kernel said')" \
		bash -c "grep -q 'no zero-copy, the kernel said' '$SHARE/auto.out' && grep -q ': copy mode' '$SHARE/auto.out'" ||
		sed 's/^/    # /' "$SHARE/auto.out" | head -5
}
probe newest "" "VIRTIO_F_ACCESS_PLATFORM"
probe 6.12 "" "the driver has no AF_XDP zero-copy"
probe 6.1 "" "the driver has no AF_XDP zero-copy"
summary
