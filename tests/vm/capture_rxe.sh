#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Capture RoCEv2 frames sent by Linux's kernel rdma_rxe, as known answers for
# tests/unit/test_rxe_frames.c. Two guests boot as in tests/vm/test_rxe.sh,
# rxe on each virtio-net eth0, taps in one bridge inside a host namespace;
# tcpdump listens on that bridge ("udp port 4791", with or without an 802.1Q
# tag) while the guests run tests/vm/guest/rxe_capture.sh:
#
#   guest A (server)  198.18.100.11  fd00::11  VLAN 100: 198.18.101.11
#   guest B (client)  198.18.100.12  fd00::12  VLAN 100: 198.18.101.12
#
# The client prints the QPNs of every tool run ("XPCAP <phase> local|remote
# <qpn>"). Frames to the client's MAC with one of its local QPNs, and frames
# to the server's MAC with one of the remote QPNs, go to <dir>/<phase>.pcap.
# (Each guest numbers its QPs from 17 on, so a QPN alone names no phase.)
# Immediate data and invalidation come from tests/vm/tools/rxe_imm.c, built
# here against libibverbs. When build/tests/unit/test_rxe_frames exists it
# checks the new files. A tool, not a test: it is not part of make check.
# After regenerating tests/data/rxe, update its README.md.
#
# usage: tests/vm/capture_rxe.sh [-k SERIES|VERSION] [-o DIR] [-v]
#   -k  kernel (default 6.1)    -o  output directory (default tests/data/rxe)
#   -v  echo the guests' consoles
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

SERIES=6.1
OUT=$XP_ROOT/tests/data/rxe
VERBOSE=()
while getopts k:o:vh o; do
	case $o in
	k) SERIES=$OPTARG ;;
	o) OUT=$OPTARG ;;
	v) VERBOSE=(-v) ;;
	*)
		sed -n '/^# usage/,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 2
		;;
	esac
done

die() {
	echo "capture_rxe: $*" >&2
	exit 1
}

((EUID == 0)) || die "needs root (network namespaces, taps)"
command -v tcpdump >/dev/null || die "tcpdump missing: apt-get install tcpdump"
command -v qemu-system-x86_64 >/dev/null || die "qemu missing: make deps"

NET=$(ns_name vc)
IP_A=198.18.100.11
IP_B=198.18.100.12
IP6_A=fd00::11
IP6_B=fd00::12
VLAN=100
IPV_A=198.18.101.11
IPV_B=198.18.101.12
MAC_A=52:54:c6:12:64:0b
MAC_B=52:54:c6:12:64:0c
PHASES="rc_send uc_send write read atomic ud ipv6 imm vlan"
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# The operations no Debian tool sends come from our own small verbs program.
IMM=$XP_BUILD/vm/rxe_imm
vm_ibv_build "$IMM" "$XP_ROOT/tests/vm/tools/rxe_imm.c" || die "cannot build $IMM"

kver=$("$XPVM" kernel "$SERIES") || die "cannot fetch kernel $SERIES"
net_up "$NET" || die "cannot create the test network"
on_exit net_down "$NET"
mkdir -p "$OUT" || die "cannot create $OUT"

# Full frames, nanosecond time stamps, written as they come (-U).
nsenter --net="/run/netns/$NET" -- tcpdump -Z root -i "$XPVM_BRIDGE" -nn -s 0 -U --time-stamp-precision=nano \
	-w "$TMP/all.pcap" 'udp port 4791 or (vlan and udp port 4791)' 2>"$TMP/tcpdump.err" &
TCPDUMP=$!
on_exit kill "$TCPDUMP"
for _ in $(seq 50); do
	grep -q 'listening on' "$TMP/tcpdump.err" && break
	sleep 0.1
done
grep -q 'listening on' "$TMP/tcpdump.err" || die "tcpdump did not start: $(cat "$TMP/tcpdump.err")"

common=(run -k "$kver" --net "$NET" -m "?crc32_generic rdma_rxe ib_uverbs 8021q" -t 600
	-b "default ibv_uc_pingpong ib_write_lat ib_read_bw ib_atomic_bw $IMM"
	-e "XP_VLAN=$VLAN" -e "XP_RXE_IMM=$IMM" ${VERBOSE[@]+"${VERBOSE[@]}"})
echo "capture_rxe: kernel $kver, two guests on $NET, capturing on $XPVM_BRIDGE"
t0=$EPOCHREALTIME
"$XPVM" "${common[@]}" --name capA --ip "$IP_A/24" --mac $MAC_A --log "$TMP/a.console" \
	-e XP_ROLE=server -e "XP_PEER=$IP_B" -e "XP_IP6=$IP6_A/64" -e "XP_PEER6=$IP6_B" \
	-e "XP_IPV=$IPV_A/24" -e "XP_PEERV=$IPV_B" \
	"$XPVM_GUEST/rxe_capture.sh" >"$TMP/a.log" 2>&1 &
pa=$!
"$XPVM" "${common[@]}" --name capB --ip "$IP_B/24" --mac $MAC_B --log "$TMP/b.console" \
	-e XP_ROLE=client -e "XP_PEER=$IP_A" -e "XP_IP6=$IP6_B/64" -e "XP_PEER6=$IP6_A" \
	-e "XP_IPV=$IPV_B/24" -e "XP_PEERV=$IPV_A" \
	"$XPVM_GUEST/rxe_capture.sh" >"$TMP/b.log" 2>&1 &
pb=$!
ra=0 rb=0
wait "$pa" || ra=$?
wait "$pb" || rb=$?
sleep 1
kill -INT "$TCPDUMP"
wait "$TCPDUMP"
echo "capture_rxe: guests done in $(vm_secs "$t0") s (status $ra, $rb)"
if ((ra || rb)); then
	cat "$TMP/a.log" "$TMP/b.log" >&2
	die "a guest failed (server $ra, client $rb)"
fi
[[ -n ${XP_CAPTURE_LOG:-} ]] && cat "$TMP/a.log" "$TMP/b.log" >"$XP_CAPTURE_LOG"

# qpn_filter MAC QPN...: frames to MAC whose BTH destination QPN is one of
# QPN..., over IPv4 or IPv6 (no extension headers). Combine untagged parts
# first: libpcap reads everything after "vlan" as tagged.
qpn_filter() {
	local mac=$1 q f4='' f6=''
	shift
	for q in "$@"; do
		f4+="${f4:+ or }(udp[12:4] & 0xffffff) = $q"
		f6+="${f6:+ or }(ip6[52:4] & 0xffffff) = $q"
	done
	echo "(ether dst $mac and ((ip and udp dst port 4791 and ($f4)) or (ip6 and ip6[6] = 17 and udp dst port 4791 and ($f6))))"
}

# qpns PHASE local|remote: the QPNs the client reported, as numbers.
qpns() {
	local q
	sed -n "s/^\[capB\] XPCAP $1 $2 \(0x[0-9a-fA-F]*\)\$/\1/p" "$TMP/b.log" |
		while read -r q; do echo $((q)); done | sort -nu
}

total=0
for phase in $PHASES; do
	mapfile -t lq < <(qpns "$phase" local)
	mapfile -t rq < <(qpns "$phase" remote)
	((${#lq[@]} && ${#rq[@]})) || die "$phase: the client reported no QPNs"
	f="$(qpn_filter $MAC_B "${lq[@]}") or $(qpn_filter $MAC_A "${rq[@]}")"
	tcpdump -Z root -r "$TMP/all.pcap" -w "$OUT/$phase.pcap" --time-stamp-precision=nano \
		"$f or (vlan and ($f))" 2>/dev/null ||
		die "$phase: tcpdump -r failed"
	n=$(tcpdump -r "$OUT/$phase.pcap" -nn 2>/dev/null | wc -l)
	total=$((total + n))
	printf 'capture_rxe: %-8s %4d frames %7d bytes  client QPNs %s, server QPNs %s\n' "$phase" \
		"$n" "$(stat -c %s "$OUT/$phase.pcap")" "${lq[*]}" "${rq[*]}"
done
n=$(tcpdump -r "$TMP/all.pcap" -nn 2>/dev/null | wc -l)
echo "capture_rxe: $n frames captured, $total sorted into $OUT"

t=$XP_BUILD/tests/unit/test_rxe_frames
if [[ -x $t ]]; then
	"$t" "$OUT" || die "$t $OUT failed"
else
	echo "capture_rxe: build $t (make tests) to check the files"
fi
