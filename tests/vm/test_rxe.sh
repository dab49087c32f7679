#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel rdma_rxe between two guests, for each kernel series: the reference
# RDMA peer that our soft-RoCE talks to. Two guests boot at once, each with
# rxe on its virtio-net eth0, taps in one bridge inside a host namespace,
# with a host-side namespace on the same bridge:
#
#   host ns (198.18.100.1) --+
#   guest A (198.18.100.11) -+- xpbr0 in ns xpvn<tag>
#   guest B (198.18.100.12) -+
#
# A serves ibv_rc_pingpong -g 1 and ib_write_bw -x 1 -F, B is the client.
# The host namespace pings both guests while they run; they ping it back.
# (rxe works only in a guest's initial namespace, and not over a local veth
# pair: rxe-to-rxe needs two guests.)
#
# Runs alone in tests/run.sh (it boots two guests at once):
# vm-weight: 2
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rxe

NET=$(ns_name vn)
HOSTNS=$(ns_name vh)
HOST_IP=198.18.100.1
IP_A=198.18.100.11
IP_B=198.18.100.12
ITERS=${XP_RXE_ITERS:-200}
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# pinger: from the host namespace, ping each guest until both guests end;
# one line per answered ping in $TMP/pings.
pinger() {
	local ip
	while kill -0 "$@" 2>/dev/null; do
		for ip in $IP_A $IP_B; do
			nsx "$HOSTNS" ping -c 1 -W 1 -q "$ip" >/dev/null 2>&1 && echo "$ip" >>"$TMP/pings"
		done
		sleep 0.2
	done
}

# boot_pair SERIES KVER: boot both guests once, with the pinger running;
# their statuses in RA and RB, their consoles in $TMP/a.log and b.log.
boot_pair() {
	local series=$1 kver=$2 pa pb pp_pid
	RA=0 RB=0
	if ! { net_up "$NET" && net_host_add "$NET" "$HOSTNS" "$HOST_IP/24"; }; then
		net_down "$NET" "$HOSTNS"
		return 1
	fi
	: >"$TMP/pings"
	local common=(run -k "$kver" --net "$NET" -m "?crc32_generic rdma_rxe ib_uverbs" -t 240
		-e "XP_HOST=$HOST_IP" -e "XP_ITERS=$ITERS")
	"$XPVM" "${common[@]}" --name "rxeA-$series" --ip "$IP_A/24" \
		-e XP_ROLE=server -e "XP_PEER=$IP_B" "$XPVM_GUEST/rxe_peer.sh" >"$TMP/a.log" 2>&1 &
	pa=$!
	"$XPVM" "${common[@]}" --name "rxeB-$series" --ip "$IP_B/24" \
		-e XP_ROLE=client -e "XP_PEER=$IP_A" "$XPVM_GUEST/rxe_peer.sh" >"$TMP/b.log" 2>&1 &
	pb=$!
	pinger "$pa" "$pb" &
	pp_pid=$!
	wait "$pa" || RA=$?
	wait "$pb" || RB=$?
	wait "$pp_pid"
	net_down "$NET" "$HOSTNS"
}

# why_failed: the error lines of both consoles (rdma-core's and perftest's
# complaints, our xp_fail lines), at most 8.
why_failed() {
	grep -hiE "fail|error|couldn|unable|timed? ?out|retry" "$TMP/a.log" "$TMP/b.log" |
		grep -v "fail to add MMCONFIG" | head -n 8
}

# This suite checks the reference peer (kernel rxe against kernel rxe), not
# our code, and TCG with two guests on two cores is slow enough that rxe's
# retry timer sometimes gives up on a run: a failed pair boots once more,
# and what went wrong the first time is kept in the notes.
rxe_pair() {
	local series=$1 kver t0 pp bw n try
	vm_kernel "$series" || return
	kver=$VM_KVER
	for try in 1 2; do
		t0=$EPOCHREALTIME
		if ! boot_pair "$series" "$kver"; then
			fail "rxe $kver: test network"
			return
		fi
		note "rxe $kver: two guests in $(vm_secs "$t0") s (attempt $try)"
		[[ $RA == 0 && $RB == 0 ]] && break
		[[ $try == 2 ]] && break
		note "rxe $kver: attempt 1 failed (server $RA, client $RB); once more. What it said:"
		why_failed | sed 's/^/    #   /'
	done
	cat "$TMP/a.log" "$TMP/b.log"

	check "rxe $kver: server guest passed (status $RA)" test "$RA" = 0
	check "rxe $kver: client guest passed (status $RB)" test "$RB" = 0
	[[ $RA == 0 && $RB == 0 ]] || why_failed | sed 's/^/    # /'
	pp=$(grep -cE "^\[rxe[AB]-$series\] $ITERS iters in [0-9.]+ seconds" "$TMP/a.log" "$TMP/b.log" |
		awk -F: '{ n += ($2 > 0) } END { print n + 0 }')
	check "rxe $kver: ibv_rc_pingpong -g 1, $ITERS iterations on both sides" test "$pp" = 2
	bw=$(sed -n 's/.*RESULT ib_write_bw_MBps=\([0-9.]*\).*/\1/p' "$TMP/b.log")
	check "rxe $kver: ib_write_bw -x 1 -F, 64 KiB x $ITERS: ${bw:-no result} MB/s" test -n "$bw"
	[[ $bw == 0.00 ]] && note "rxe $kver: ib_write_bw's 0.00 MB/s is perftest's cycle clock under TCG; the run completed"
	n=$(grep -c "^$IP_A$" "$TMP/pings")
	check "rxe $kver: host namespace pings guest A ($n answered)" test "$n" -ge 1
	n=$(grep -c "^$IP_B$" "$TMP/pings")
	check "rxe $kver: host namespace pings guest B ($n answered)" test "$n" -ge 1
	n=$(grep -hcE '^\[rxe[AB]-[^]]*\] 3 packets transmitted, 3 (packets )?received' "$TMP/a.log" "$TMP/b.log" |
		awk '{ s += $1 } END { print s + 0 }')
	check "rxe $kver: both guests ping the host namespace" test "$n" = 2
}

for s in $XP_VM_SERIES; do
	rxe_pair "$s"
done
summary
