#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UD interop with kernel rdma_rxe: rdma-core's ibv_ud_pingpong in a 6.1
# guest (rxe on its virtio-net eth0) against our xp-ud-pingpong over
# AF_XDP in a host-side namespace on the same bridge:
#
#   host ns eth0 (198.18.103.1, veth, xdp_steer + AF_XDP) --+- xpbr0 in ns xpun<tag>
#   guest eth0   (198.18.103.11, rdma_rxe rxe0)           --+
#
# For each size (1, 64, 512, 1024 = the path MTU at 1500): the guest serves
# `ibv_ud_pingpong -g 1 -s SIZE -n N` and we are the client, then we serve
# and the guest is the client. Each side's exit status is its verdict; our
# side also checks every receive (length, source QPN, GRH source GID,
# payload) and reports the frames its device dropped (none expected).
# Negative control: our client with 64-byte buffers against a guest server
# of 1024-byte messages must fail (LOC_LEN_ERR on the echo).
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_ud_interop

PP=$XP_BIN/xp-ud-pingpong
require_bin "$PP"

# One guest: 6.1, unless XP_VM_SERIES narrows the VM suites to others
# (then its first series); XP_UD_SERIES overrides both.
SERIES=${XP_UD_SERIES:-}
if [[ -z $SERIES ]]; then
	case " $XP_VM_SERIES " in
	*" 6.1 "*) SERIES=6.1 ;;
	*) SERIES=${XP_VM_SERIES%% *} ;;
	esac
fi
NET=$(ns_name un)
HOSTNS=$(ns_name uh)
HOST_IP=198.18.103.1
GUEST_IP=198.18.103.11
ITERS=${XP_UD_ITERS:-100}
SIZES=${XP_UD_SIZES:-1 64 512 1024}
PORT_G=18515 # the guest serves here
PORT_H=18516 # we serve here
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
on_exit net_down "$NET" "$HOSTNS"

# ours_client SIZE [ITERS]: our client against the guest's server, retried
# while the guest does not listen yet; our exit status.
ours_client() {
	local s=$1 n=${2:-$ITERS} i rc
	for ((i = 0; i < 150; i++)); do
		timeout 30 nsenter --net="/run/netns/$HOSTNS" -- "$PP" -i eth0 -g 1 -s "$s" \
			-n "$n" -p $PORT_G $GUEST_IP >"$TMP/c$s.out" 2>"$TMP/c$s.err"
		rc=$?
		grep -q "couldn't connect" "$TMP/c$s.err" || return $rc
		kill -0 "$VMPID" 2>/dev/null || return $rc
		sleep 0.3
	done
	return $rc
}

# ours_server SIZE: our server for the guest's client; our exit status.
ours_server() {
	local s=$1
	timeout 45 nsenter --net="/run/netns/$HOSTNS" -- "$PP" -i eth0 -g 1 -s "$s" \
		-n "$ITERS" -p $PORT_H >"$TMP/s$s.out" 2>"$TMP/s$s.err"
}

# drops FILE.out: the frames our device dropped (its last line), or 999999.
drops() {
	local d
	d=$(sed -n 's/^xp-ud-pingpong: .*drops \([0-9]*\)$/\1/p' "$1")
	echo "${d:-999999}"
}

# report NAME FILE.out FILE.err: our output, and the drops our device counted.
report() {
	local drops
	drops=$(sed -n 's/^xp-ud-pingpong: .*drops \([0-9]*\)$/\1/p' "$2")
	note "$1: $(grep -E 'iters in|^xp-ud-pingpong:' "$2" | tr '\n' ';') frames we dropped: ${drops:-?}"
	grep -v ": ready, listening" "$3" | sed "s/^/    # $1: /" | head -10
	[[ ${drops:-x} == 0 ]] || note "$1: our device dropped ${drops:-an unknown number of} RoCE frames"
}

t0=$EPOCHREALTIME
kver=$(vm_kernel "$SERIES") || {
	summary
	exit 1
}
if ! { net_up "$NET" && net_host_add "$NET" "$HOSTNS" "$HOST_IP/24"; }; then
	fail "ud interop $kver: test network"
	summary
	exit 1
fi

"$XPVM" run -k "$kver" --net "$NET" --name "udx-$SERIES" --ip "$GUEST_IP/24" \
	-m "crc32_generic rdma_rxe" -t 150 -e "XP_HOST=$HOST_IP" -e "XP_ITERS=$ITERS" \
	-e "XP_SIZES=$SIZES" -e "XP_PORT_G=$PORT_G" -e "XP_PORT_H=$PORT_H" \
	"$XPVM_GUEST/ud_interop.sh" >"$TMP/guest.log" 2>&1 &
VMPID=$!

# The guest is up when it answers; the ping also resolves its MAC for our AH.
up=0
for ((i = 0; i < 120; i++)); do
	kill -0 $VMPID 2>/dev/null || break
	if nsx "$HOSTNS" ping -c 1 -W 1 -q $GUEST_IP >/dev/null 2>&1; then
		up=1
		break
	fi
	sleep 0.5
done
note "guest answered after $(vm_secs "$t0") s"

declare -A rc_c rc_s
drops_total=0
rc_neg=0
if ((up)); then
	for s in $SIZES; do
		ours_client "$s"
		rc_c[$s]=$?
		report "ours client -s $s" "$TMP/c$s.out" "$TMP/c$s.err"
		ours_server "$s"
		rc_s[$s]=$?
		report "ours server -s $s" "$TMP/s$s.out" "$TMP/s$s.err"
		drops_total=$((drops_total + $(drops "$TMP/c$s.out") + $(drops "$TMP/s$s.out")))
	done
	# Negative control: the guest serves 1024-byte messages, we post 64 + 40.
	ours_client 64 5
	rc_neg=$?
	mv "$TMP/c64.err" "$TMP/neg.err"
else
	fail "ud interop $kver: the guest never answered a ping"
fi
rc_vm=0
wait $VMPID || rc_vm=$?
sed 's/^/    # /' "$TMP/guest.log" | grep -v '^    # $' | tail -120
note "ud interop $kver: $(vm_secs "$t0") s"

if ((up)); then
	for s in $SIZES; do
		g=$(sed -n "s/.*UDRESULT server $s \([0-9]*\)\$/\1/p" "$TMP/guest.log")
		check "ud interop $kver -s $s: guest ibv_ud_pingpong server passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "ud interop $kver -s $s: our xp-ud-pingpong client passed (status ${rc_c[$s]})" \
			test "${rc_c[$s]}" = 0
		g=$(sed -n "s/.*UDRESULT client $s \([0-9]*\)\$/\1/p" "$TMP/guest.log")
		check "ud interop $kver -s $s: guest ibv_ud_pingpong client passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "ud interop $kver -s $s: our xp-ud-pingpong server passed (status ${rc_s[$s]})" \
			test "${rc_s[$s]}" = 0
	done
	check "ud interop $kver: our device dropped no frame in $(wc -w <<<"$SIZES") x 2 runs ($drops_total)" \
		test "$drops_total" = 0
	check "ud interop $kver: negative control: our 64-byte client fails on 1024-byte echoes (status $rc_neg)" \
		bash -c "test $rc_neg != 0 && grep -q 'receive status' '$TMP/neg.err'"
	sed 's/^/    # negative control: /' "$TMP/neg.err" | head -5
fi
check "ud interop $kver: guest script passed (status $rc_vm)" test "$rc_vm" = 0
check "ud interop $kver: steering program detached from the host side" \
	bash -c "! ip -n $HOSTNS link show dev eth0 | grep -q prog/xdp"
summary
