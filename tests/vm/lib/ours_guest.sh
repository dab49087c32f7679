# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Our tools in a guest of their own, on AF_XDP in zero-copy: a guest of
# Debian's newest kernel whose virtio-net offers VIRTIO_F_ACCESS_PLATFORM
# (qemu iommu_platform=on,disable-legacy=on), driven by the host through a
# 9p share (tests/vm/guest/ours.sh runs each command there). For suites
# whose peer is kernel rdma_rxe in a second guest on the same bridge.
#
#   ours_peer_boot KVER SECONDS SCRIPT ARGS...
#                                       boot the rxe guest (VMPID) at GUEST_IP,
#                                       its "host" being ours at OURS_IP
#   ours_guest_boot TOOL...             boot ours at OURS_IP (in the
#                                       background); each TOOL (a path) goes
#                                       in as /xp/bin/NAME
#   ours_guest_ready                    0 once it answers and has seen its peer
#   ours_guest_run NAME SECONDS TOOL ARGS...
#                                       run /xp/bin/TOOL there; output in
#                                       $TMP/NAME.out and .err; its status
#                                       (124 when the guest does not answer)
#   ours_guest_stop                     end it; its status in OURS_RC, its
#                                       console's tail shown
#   ours_guest_checks LABEL             its script passed, no XDP left on eth0,
#                                       its zero-copy tx header is zeros
#
#   ours_guest_net PREFIX TAG           the addresses and namespaces below
#   ours_guest_bed LABEL PEER_SERIES    the bed; KVER newest, PEER_KVER
#   ours_guest_up LABEL                 0 once both guests are up
#
# The suite sets KVER (a newest-kernel version), NET, HOST_IP, GUEST_IP,
# OURS_IP (ours_guest_net does), PORT_G, PORT_H and TMP.

OURS_SHARE=
OURS_PID=
OURS_K=0

# ours_guest_bed LABEL PEER_SERIES: the test bed (vm_host_bed) with ours
# on Debian's newest kernel (KVER), the rxe peer's version in PEER_KVER.
ours_guest_bed() {
	vm_host_bed "$1" newest
	PEER_KVER=$("$XPVM" kernel "$2") || {
		fail "kernel $2: cannot resolve or download it (see above)"
		summary
		exit 1
	}
}

# ours_guest_up LABEL: both guests answer and ours is ready.
ours_guest_up() {
	vm_wait_guest "$1" || return 1
	ours_guest_ready && return 0
	fail "$1 $KVER: our guest never got ready (both peers answering)"
	return 1
}

ours_peer_boot() {
	GUEST_KVER=$1 GUEST_HOST=$OURS_IP vm_host_guest "rxe-$1" "${@:2}"
}

# ours_guest_net PREFIX TAG: NET and HOSTNS named by TAG, HOST_IP PREFIX.1,
# GUEST_IP (rxe) PREFIX.11, OURS_IP PREFIX.21.
ours_guest_net() {
	NET=$(ns_name "$2")
	HOSTNS=$(ns_name "$2h")
	HOST_IP=$1.1
	GUEST_IP=$1.11
	OURS_IP=$1.21
}

ours_guest_boot() {
	local t bins="bpftool ethtool" files=()
	OURS_SHARE=$TMP/ours-share
	mkdir -p "$OURS_SHARE"
	for t in "$@"; do
		bins+=" $t"
		files+=(-f "$t:/xp/bin/$(basename "$t")")
	done
	vm_tool_build xsk_hdr "$TMP/xsk_hdr" && files+=(-f "$TMP/xsk_hdr")
	"$XPVM" run -k "$KVER" --net "$NET" --name "ours-newest" --ip "$OURS_IP/24" -t 600 \
		--nic-opts iommu_platform=on,disable-legacy=on -b "+$bins" "${files[@]}" \
		--share "$OURS_SHARE" -e "XP_HOST=$HOST_IP" -e "XP_PEER=$GUEST_IP" \
		"$XPVM_GUEST/ours.sh" >"$TMP/ours.log" 2>&1 &
	OURS_PID=$!
}

ours_guest_ready() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[[ -e $OURS_SHARE/ready ]] && return 0
		kill -0 "$OURS_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

ours_guest_run() {
	local name=$1 secs=$2 i
	shift 2
	OURS_K=$((OURS_K + 1))
	echo "$secs $*" >"$OURS_SHARE/.cmd"
	mv "$OURS_SHARE/.cmd" "$OURS_SHARE/cmd.$OURS_K"
	for ((i = 0; i < (secs + 30) * 10; i++)); do
		[[ -e $OURS_SHARE/done.$OURS_K ]] && break
		kill -0 "$OURS_PID" 2>/dev/null || break
		sleep 0.1
	done
	cp "$OURS_SHARE/$OURS_K.out" "$TMP/$name.out" 2>/dev/null || : >"$TMP/$name.out"
	cp "$OURS_SHARE/$OURS_K.err" "$TMP/$name.err" 2>/dev/null ||
		echo "no output: the guest did not run it" >"$TMP/$name.err"
	[[ -e $OURS_SHARE/done.$OURS_K ]] || return 124
	return "$(cat "$OURS_SHARE/$OURS_K.rc")"
}

ours_guest_stop() {
	: >"$OURS_SHARE/stop"
	OURS_RC=0
	wait "$OURS_PID" || OURS_RC=$?
	grep -vE '^(\[[^]]*\])? *$| speed is unknown' "$TMP/ours.log" | sed 's/^/    # /' | tail -40
}

ours_guest_checks() {
	check "$1: our guest's script passed (status $OURS_RC)" test "$OURS_RC" = 0
	check "$1: no XDP program left on our guest's eth0" grep -q "XDPRESULT none" "$TMP/ours.log"
	vm_xsk_hdr_check "$1" "$TMP/ours.log"
}
