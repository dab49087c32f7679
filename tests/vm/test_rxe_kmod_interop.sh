#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xp_rxe against Linux's rdma_rxe over a wire, for each series: two guests
# on one bridge (xpvm net), guest A with xp_rxe on eth0 fed by XDP
# (bpf/xdp_rxe.bpf.c: every RoCEv2 frame through the kfunc, none through
# the rx_handler, as A's counters show), guest B with rdma_rxe on eth0
# (guest/rxe_kmod_interop.sh). First unmodified rdma-core on the two
# devices, through xp_rxe's user ABI (rdma-core's rxe provider):
# ibv_devinfo, ibv_rc_pingpong with 1 B, 4 KiB, 64 KiB and 1 MiB messages
# and with completion events (-e), ibv_ud_pingpong (UD QPs and address
# handles), rping (rdma_cm from user space), perftest's ib_write_bw,
# ib_read_bw, ib_send_lat, ib_read_lat and ib_atomic_bw, each with xp_rxe
# as the server and as the client. Then the kernel RDMA client
# kmod/rxe_test in its two-host mode (rxe_test_peer.c): through rdma_cm, a
# SEND, a WRITE into the server's fast-reg MR, a READ back, a fetch-and-add
# and a last SEND, checked on both sides, then the MR invalidated and a
# WRITE with its stale rkey refused (counted by an xp_rxe server's
# mr_rkey_refused); xp_rxe as the client, then as the server. Then the QPN
# split: on A, our AF_XDP engine and ibv_rc_pingpong on xp_rxe at once on
# eth0, each against its own server on B. Then faults
# injected into A's receive path (xp_rxe's fault_* parameters; bad values
# refused): perftest's ib_write_bw into xp_rxe completes with 1 % each of
# the frames dropped, duplicated and reordered, through XDP and through
# the rx_handler, and A's counters show the faults and the repair.
#
# Last, xp_rxe against xp_rxe on each series (XP_RXE_PAIR_SERIES lists
# them, "none" for none): B runs xp_rxe too, without an XDP program (every
# frame through its rx_handler), and the rdma-core parts and the kernel
# client run both ways. XP_RXE_ALL_ROLES=0 runs the rdma-core parts with
# one role each on 6.1 (A serves) and 6.12 (B serves), for a quicker run.
#
# Two guests at once: it takes both lanes of tests/run.sh.
# vm-weight: 2
set -uo pipefail

VM_ALL_SERIES=1
# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rxe_kmod_interop

XDP_OBJ=$XPVM_BUILD/bpf/xdp_rxe.bpf.o
if [[ ! -f $XDP_OBJ ]]; then
	fail "rxe interop: $XDP_OBJ missing (make bpf)"
	summary
	exit 1
fi
# Our AF_XDP engine beside xp_rxe on A's eth0 (the QPN split).
PP=$XP_BIN/xp-rc-pingpong
require_bin "$PP"
IP_A=198.18.105.11
IP_B=198.18.105.12
# Each rdma-core part with what its check says.
USER_PARTS="pp-1:ibv_rc_pingpong 1 B
pp-4096:ibv_rc_pingpong 4 KiB
pp-65536:ibv_rc_pingpong 64 KiB
pp-1048576:ibv_rc_pingpong 1 MiB
pp-events:ibv_rc_pingpong -e (completion events)
ud:ibv_ud_pingpong 1 KiB (UD QPs, address handles)
srq:ibv_srq_pingpong 4 KiB, 16 RC QPs on one SRQ
rping:rping through rdma_cm, 10 pings, data checked
write-bw:perftest ib_write_bw 64 KiB
read-bw:perftest ib_read_bw 64 KiB
send-lat:perftest ib_send_lat 64 B
read-lat:perftest ib_read_lat 64 B
atomic-bw:perftest ib_atomic_bw"

# interop_split_faults: the checks of the QPN split and of the fault parts,
# from the logs of interop_series (its variables l, kver, logs).
interop_split_faults() {
	local who s qe qk fa fb p d1 r1 o1 d2 u2 o2 rep1 c
	# The QPN split: the engine and xp_rxe on A's eth0, each with a server on B.
	for who in engine kernel; do
		s=$({ vm_output "$logs/a.log"; vm_output "$logs/b.log"; } | grep -c "^SPLIT [ab] $who 0$")
		check "$l $kver: QPN split: $([[ $who == engine ]] && echo "our AF_XDP engine" || echo "ibv_rc_pingpong on xp_rxe") on A's eth0, beside the other, and its rdma_rxe server on B: both ends complete, data checked" \
			test "$s" = 2
	done
	qe=$(vm_output "$logs/a.log" | sed -n 's/^SPLITQPN engine //p')
	qk=$(vm_output "$logs/a.log" | sed -n 's/^SPLITQPN kernel //p')
	check "$l $kver: QPN split: the engine's QPN ${qe:-?} below 0x10000, xp_rxe's ${qk:-?} from 0x10000 (its qpn_first)" \
		bash -c "[[ '$qe $qk' =~ ^0x[0-9a-f]+\ 0x[0-9a-f]+$ ]] && (($qe < 0x10000 && $qk >= 0x10000))"
	# Faults injected into A's receive path (xp_rxe's fault_* parameters).
	fv() { vm_output "$logs/a.log" | awk -v p="$1" -v c="$2" '$1 == "FAULT" && $2 == p && $3 == c { print $4 }'; }
	check "$l $kver: xp_rxe's fault_* parameters refuse more than 1000000 ppm in all and what is not a number, with a message" \
		test "$(vm_output "$logs/a.log" | grep -c '^FAULTREFUSE 0$')" = 1
	for p in faults-xdp faults-skb; do
		fa=$(vm_output "$logs/a.log" | grep -c "^USERPART a $p 0$")
		fb=$(vm_output "$logs/b.log" | grep -c "^USERPART b $p 0$")
		check "$l $kver: ib_write_bw 64 KiB x 100 into xp_rxe, $p: both ends complete" \
			test "$fa$fb" = 11
	done
	d1=$(fv faults-xdp rx_drop_fault)
	rep1=0
	for c in rc_retransmits rc_timeouts rc_seq_naks_sent rc_out_of_seq; do
		rep1=$((rep1 + $(fv faults-xdp $c | grep -E '^[0-9]+$' || echo 0)))
	done
	r1=$(fv faults-xdp rx_fault_dups)
	o1=$(fv faults-xdp rx_fault_reorders)
	x1=$(fv faults-xdp rx_xdp_frames)
	h1=$(fv faults-xdp rx_handler_frames)
	check "$l $kver: through XDP (frames by XDP ${x1:-?}, by the rx_handler ${h1:-?}), 1 % each dropped (rx_drop_fault ${d1:-?}), duplicated (${r1:-?}) and held back behind the next (${o1:-?}), repaired (retransmits, timeouts, sequence NAKs sent, out-of-sequence requests: $rep1), duplicate requests answered $(fv faults-xdp rc_dup_requests)" \
		test "${x1:-+0}" != +0 -a "${h1:-x}" = +0 -a "${d1:-0}" -gt 0 -a "${r1:-0}" -gt 0 \
		-a "${o1:-0}" -gt 0 -a "$rep1" -gt 0
	d2=$(fv faults-skb rx_drop_fault)
	u2=$(fv faults-skb rx_fault_dups)
	o2=$(fv faults-skb rx_fault_reorders)
	h2=$(fv faults-skb rx_handler_frames)
	check "$l $kver: without XDP (frames by the rx_handler ${h2:-?}), 1 % each dropped (rx_drop_fault ${d1:-?} -> ${d2:-?}), duplicated (${r1:-?} -> ${u2:-?}), held back behind the next (${o1:-?} -> ${o2:-?}); duplicate requests answered $(fv faults-skb rc_dup_requests), sequence NAKs $(fv faults-skb rc_seq_naks_sent)" \
		test "${h2:-+0}" != +0 -a "${d2:-0}" -gt "${d1:-0}" -a "${u2:-0}" -gt "${r1:-0}" \
		-a "${o2:-0}" -gt "${o1:-0}"
}

# interop_series SERIES [PEER]: the two guests, B with rdma_rxe (PEER rxe,
# the default) or with xp_rxe too (xprxe: XP_PAIR, the rdma-core parts and
# the kernel client, nothing else), and the checks.
interop_series() {
	local series=$1 peer=${2:-rxe} kver net logs t0 pa pb ra=0 rb=0 role part p srv n rr
	local l="rxe interop" pn=rdma_rxe srvs pair=()
	# The rdma-core parts in both roles; XP_RXE_ALL_ROLES=0 halves them
	# (6.1 with A serving, 6.12 with B serving, both roles on newest).
	srvs="b a"
	if [[ ${XP_RXE_ALL_ROLES:-1} == 0 ]]; then
		case $series in
		6.1) srvs=a ;;
		6.12) srvs=b ;;
		esac
	fi
	if [[ $peer == xprxe ]]; then
		l="rxe pair" pn="xp_rxe (B, no XDP)" pair=(-e XP_PAIR=1)
	fi
	pair+=(-e "XP_SERVERS=$srvs")
	vm_kernel "$series" || return
	kver=$VM_KVER
	vm_kmod_build "$kver" xp_rxe_test || return
	logs=$(mktemp -d)
	local common=(run -k "$kver" --kmod -b "default ip" -t 360
		-m "ib_core rdma_cm ?crc32_generic rdma_rxe ib_uverbs rdma_ucm") try retried=
	for try in 1 2; do
		net=$(ns_name rk)
		"$XPVM" net up "$net" || {
			fail "$l $kver: the guests' network namespace $net"
			return
		}
		t0=$EPOCHREALTIME
		ra=0 rb=0
		"$XPVM" "${common[@]}" --net "$net" "${pair[@]}" --name "rkB-$series" --ip "$IP_B/24" -e XP_ROLE=b -e "XP_PEER=$IP_A" \
			"$XPVM_GUEST/rxe_kmod_interop.sh" >"$logs/b.log" 2>&1 &
		pb=$!
		"$XPVM" "${common[@]}" --net "$net" "${pair[@]}" --name "rkA-$series" --ip "$IP_A/24" -e XP_ROLE=a -e "XP_PEER=$IP_B" -f "$XDP_OBJ" \
			-b "default ip $PP" -f "$PP:/xp/bin/xp-rc-pingpong" \
			"$XPVM_GUEST/rxe_kmod_interop.sh" >"$logs/a.log" 2>&1 &
		pa=$!
		wait "$pa" || ra=$?
		wait "$pb" || rb=$?
		"$XPVM" net down "$net"
		if ((try == 2)) || ! vm_tcg_double_fault "$logs/a.log" "$logs/b.log"; then
			break
		fi
		note "$l $kver: both guests once more (a crash of Debian's 6.12 kernel under TCG, docs/testing.md)"
		retried=", after a guest kernel's double fault and a second try"
	done
	sed 's/^/    /' "$logs/a.log" "$logs/b.log" |
		grep -E 'xp_rxe_test: FAIL|PEERPART|USERPART|RETRY|RPINGRACE|segfault|DEVINFO|iters in| (64|65536|8) +100 +[0-9]|\([0-9.]+ s\)$|frames|rx_drop|COUNTER|RKEYREFUSED|XDPPROG|FAULT|FAIL'
	for part in "a client b server" "a server b client"; do
		read -r _ role _ _ <<<"$part"
		local ra_part rb_part
		ra_part=$(vm_output "$logs/a.log" | grep -c "^PEERPART a $role 0$")
		rb_part=$(vm_output "$logs/b.log" | grep -c "^PEERPART b $([[ $role == client ]] && echo server || echo client) 0$")
		check "$l $kver: xp_rxe as the $role of $pn through rdma_cm: SEND, WRITE, READ, fetch-and-add, all checked on both sides; a WRITE with the invalidated MR's rkey refused" \
			test "$ra_part$rb_part" = 11
	done
	# An xp_rxe server counts the client's WRITE with the stale rkey
	# (RKEYREFUSED BEFORE AFTER, guest script): A's, and B's in a pair.
	local who r0 r1 up
	for who in a b; do
		[[ $who == a || $peer == xprxe ]] || continue
		read -r r0 r1 < <(vm_output "$logs/$who.log" | sed -n 's/^RKEYREFUSED //p' | head -n 1)
		up=0
		[[ ${r0:-} =~ ^[0-9]+$ && ${r1:-} =~ ^[0-9]+$ ]] && ((r0 < r1)) && up=1
		check "$l $kver: ${who^^}'s xp_rxe as the server counted the WRITE with the stale rkey in mr_rkey_refused (${r0:-?} -> ${r1:-?})" \
			test "$up" = 1
	done
	# Every RoCEv2 frame came to xp_rxe through XDP and its kfunc.
	local xdp hnd prog
	prog=$(vm_output "$logs/a.log" | sed -n 's/^XDPPROG //p' | head -n1)
	xdp=$(vm_output "$logs/a.log" | sed -n 's/^COUNTER rx_xdp_frames //p')
	hnd=$(vm_output "$logs/a.log" | sed -n 's/^COUNTER rx_handler_frames //p')
	check "$l $kver: xdp_rxe on A's eth0 (${prog:-not attached}) handed xp_rxe ${xdp:-no} frames through its kfunc, the rx_handler ${hnd:-?}" \
		test -n "$prog" -a "${xdp:-0}" -gt 1000 -a "${hnd:-x}" = 0
	if [[ $peer == xprxe ]]; then
		hnd=$(vm_output "$logs/b.log" | sed -n 's/^COUNTER rx_handler_frames //p')
		xdp=$(vm_output "$logs/b.log" | sed -n 's/^COUNTER rx_xdp_frames //p')
		check "$l $kver: B's xp_rxe, without an XDP program, took ${hnd:-no} frames through its rx_handler, ${xdp:-?} through XDP" \
			test "${hnd:-0}" -gt 1000 -a "${xdp:-x}" = 0
	else
		interop_split_faults
	fi
	check "$l $kver: ibv_devinfo -v shows xp_rxe's device through rdma-core's rxe provider, port active" \
		test "$(vm_output "$logs/a.log" | grep -c '^DEVINFO 0$')" = 1
	while IFS=: read -r p what; do
		for srv in $srvs; do
			n=$({ vm_output "$logs/a.log"; vm_output "$logs/b.log"; } | grep -c "^USERPART [ab] $p-$srv-serves 0$")
			check "$l $kver: unmodified $what with xp_rxe as the $([[ $srv == a ]] && echo server || echo client) of $pn: both ends complete" \
				test "$n" = 2
		done
	done <<<"$USER_PARTS"
	# A part whose server process died of a signal runs once more
	# (guest script); the retries are named here, and above.
	# An rping that exited 255 from rdma-core 44's teardown race (guest
	# script) is counted here.
	n=$(cat "$logs/a.log" "$logs/b.log" | grep -c '\] RETRY ')
	rr=$(cat "$logs/a.log" "$logs/b.log" | grep -c '\] RPINGRACE ')
	check "$l $kver: both guests end well, quiet kernels ($(vm_secs "$t0") s; status $ra, $rb; $n retried part side(s); $rr rping teardown race(s)$retried)" \
		test "$ra$rb" = 00
	if ((ra || rb)) || grep -Eq '(PEER|USER)PART [ab] [^ ]* 1' "$logs/a.log" "$logs/b.log"; then
		tail -n 60 "$logs/a.log" "$logs/b.log"
	fi
	rm -rf "$logs"
}

for s in $XP_VM_SERIES; do
	interop_series "$s"
done
# xp_rxe against xp_rxe, on every series, or on those XP_RXE_PAIR_SERIES
# lists (none when it is "none").
pair_series=${XP_RXE_PAIR_SERIES:-$XP_VM_SERIES}
[[ $pair_series == none ]] && pair_series=
for s in $pair_series; do
	interop_series "$s" xprxe
done
summary
