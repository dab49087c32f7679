# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/vm/capture_rxe.sh: one of two guests with kernel
# rdma_rxe on eth0, the host capturing their RoCEv2 frames on the bridge.
#   XP_ROLE=server|client  XP_PEER=<other guest's IPv4>
#   XP_IP6=<own fd00::/8 address/prefix>  XP_PEER6=<other guest's IPv6>
#   XP_VLAN=<VLAN id>  XP_IPV=<own IPv4/prefix on the VLAN>  XP_PEERV=<peer's>
#   XP_RXE_IMM=<path of tests/vm/tools/rxe_imm in the image>
# The client runs a list of tools against the server, one "phase" per kind
# of traffic, each on its own TCP port, and after every successful run
# prints one line per QPN the tool reports, its own and the peer's:
#   XPCAP <phase> local|remote <qpn>
# The host sorts the captured frames into files by destination MAC and BTH
# destination QPN.

: "${XP_ROLE:?}" "${XP_PEER:?}" "${XP_IP6:?}" "${XP_PEER6:?}"
: "${XP_VLAN:?}" "${XP_IPV:?}" "${XP_PEERV:?}" "${XP_RXE_IMM:?}"

GIDS=/sys/class/infiniband/rxe0/ports/1/gids

# gid_index PREFIX: the index of the first GID that starts with PREFIX.
gid_index() {
	for _g in "$GIDS"/*; do
		case $(cat "$_g") in
		"$1"*)
			basename "$_g"
			return 0
			;;
		esac
	done
	return 1
}

xp_step "$XP_ROLE: network: peer $XP_PEER"
xp_wait_peer "$XP_PEER" 60
xp_step "$XP_ROLE: rdma_rxe on eth0"
xp_rxe_up eth0 rxe0

# IPv6: no duplicate address detection on this private segment, so the
# address (and the GID rxe derives from it) is usable at once.
echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad
xp_run ip -6 addr add "$XP_IP6" dev eth0
# A VLAN on eth0: rxe0 gets its addresses as GIDs too, and frames sent
# from those GIDs carry the 802.1Q tag.
xp_run ip link add link eth0 name "eth0.$XP_VLAN" type vlan id "$XP_VLAN"
xp_run ip addr add "$XP_IPV" dev "eth0.$XP_VLAN"
xp_run ip link set "eth0.$XP_VLAN" up

# GIDs are written as 8 groups of 4 hex digits.
xp_retry 50 0.1 sh -c "grep -q '^fd00:' $GIDS/*" || xp_fail "no fd00: GID on rxe0"
G6=$(gid_index fd00:) || xp_fail "no fd00: GID on rxe0"
gv_hex=$(echo "${XP_IPV%/*}" | awk -F. '{ printf "%02x%02x:%02x%02x", $1, $2, $3, $4 }')
xp_retry 50 0.1 sh -c "grep -q ':ffff:$gv_hex\$' $GIDS/*" || xp_fail "no GID for ${XP_IPV%/*}"
GV=$(gid_index "0000:0000:0000:0000:0000:ffff:$gv_hex") || xp_fail "no GID for ${XP_IPV%/*}"
attrs=${GIDS%/gids}/gid_attrs
for g in "$GIDS"/*; do
	i=${g##*/}
	gid=$(cat "$g")
	[ "$gid" = 0000:0000:0000:0000:0000:0000:0000:0000 ] && continue
	echo "GID[$i] $gid $(cat "$attrs/types/$i") $(cat "$attrs/ndevs/$i")"
done
echo "IPv6 GID index $G6, VLAN $XP_VLAN GID index $GV"
xp_wait_peer "$XP_PEERV" 30
xp_retry 30 1 ping -c 1 -W 1 "$XP_PEER6" >/dev/null || xp_fail "no IPv6 answer from $XP_PEER6"

if [ "$XP_ROLE" = server ]; then
	tries=1
else
	tries=60
fi
port=18600
runs=0

# run PHASE TOOL ARGS...: one tool run on the next TCP port; the client
# names the server and reports the QPNs afterwards.
run() {
	_phase=$1
	shift
	port=$((port + 1))
	runs=$((runs + 1))
	_peer=
	[ "$XP_ROLE" = client ] && _peer=$XP_PEER
	xp_step "$XP_ROLE: $_phase: $* -p $port"
	# A run takes seconds; the time limit stops a client whose server died.
	xp_retry $tries 1 timeout 90 sh -c "$* -p $port $_peer >/tmp/run.log 2>&1" || {
		cat /tmp/run.log
		xp_fail "$_phase: '$*' failed"
	}
	cat /tmp/run.log
	[ "$XP_ROLE" = client ] || return 0
	# "local address: ... QPN 0x..." and "remote address: ... QPN 0x..."
	sed -n 's/.*\(local\|remote\) address:.* QPN \(0x[0-9a-fA-F]*\).*/XPCAP '"$_phase"' \1 \2/p' \
		/tmp/run.log >/tmp/qpn.log
	[ -s /tmp/qpn.log ] || xp_fail "$_phase: '$*' printed no QPN"
	cat /tmp/qpn.log
}

# RC SEND: 5 bytes (SEND ONLY, pad 3) and 2501 bytes over a 1024-byte path
# MTU (FIRST, MIDDLE, LAST of 453 bytes + pad 3), ACKs back.
run rc_send ibv_rc_pingpong -d rxe0 -g 1 -n 2 -s 5
run rc_send ibv_rc_pingpong -d rxe0 -g 1 -n 2 -s 2501
# UC SEND: the same segments without ACKs.
run uc_send ibv_uc_pingpong -d rxe0 -g 1 -n 2 -s 2501
# RDMA WRITE: 4096 bytes (FIRST, MIDDLE, MIDDLE, LAST) and 64 bytes (ONLY).
run write ib_write_bw -d rxe0 -x 1 -F -s 4096 -n 5
run write ib_write_lat -d rxe0 -x 1 -F -s 64 -n 5
# RDMA READ: 4096 bytes (RESPONSE FIRST, MIDDLE, LAST) and 64 (ONLY).
# shellcheck disable=SC2162 # "read" is a phase name here, not the builtin
run read ib_read_bw -d rxe0 -x 1 -F -s 4096 -n 5
# shellcheck disable=SC2162
run read ib_read_lat -d rxe0 -x 1 -F -s 64 -n 5
# Atomics: both kinds, answered with ATOMIC ACKNOWLEDGE.
run atomic ib_atomic_bw -d rxe0 -x 1 -F -A FETCH_AND_ADD -n 5
run atomic ib_atomic_bw -d rxe0 -x 1 -F -A CMP_AND_SWAP -n 5
# UD SEND ONLY with DETH: 64 bytes and 1021 (pad 3).
run ud ibv_ud_pingpong -d rxe0 -g 1 -n 2 -s 64
run ud ibv_ud_pingpong -d rxe0 -g 1 -n 2 -s 1021
# IPv6 GID: RC segments with ACKs, UD, and an RDMA READ.
run ipv6 ibv_rc_pingpong -d rxe0 -g "$G6" -n 2 -s 2501
run ipv6 ibv_ud_pingpong -d rxe0 -g "$G6" -n 2 -s 64
run ipv6 ib_read_lat -d rxe0 -x "$G6" -F -s 64 -n 5
# Immediate data and invalidation (no Debian tool sends them): RC SEND and
# RDMA WRITE with immediate, 5 and 2501 bytes; SEND with invalidate of a
# type 2 memory window, 5 and 2501 bytes; UD SEND with immediate.
run imm "$XP_RXE_IMM" -d rxe0 -g 1
# 802.1Q: RC SEND segments from a GID on eth0.$XP_VLAN.
run vlan ibv_rc_pingpong -d rxe0 -g "$GV" -n 2 -s 2501
echo "$XP_ROLE: $runs runs done"
exit 0
