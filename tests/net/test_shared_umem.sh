#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One umem across queues and interfaces (tests/net/xsk_shared.c): two
# queues of one veth, a second veth, and a second socket on a busy queue
# reached through a dest-QPN entry. veth delivers XDP_TX'd frames to the
# peer queue of the sending CPU, so pinning the generator picks the queue.
set -u
. "$(dirname "$0")/../lib/testlib.sh"

require_root shared_umem
require_bin "$XP_BUILD/tests/net/xsk_shared"
require_bin "$XP_BIN/xp-gen"
require_bin "$XP_BIN/xpctl"
if (($(nproc) < 2)); then
	skip "shared umem: needs 2 CPUs to steer traffic to two veth queues"
	summary
	exit 0
fi

NSA=$(ns_name sa)
NSB=$(ns_name sb)
VA=xsa$XP_TAG VB=xsb$XP_TAG VA2=xsc$XP_TAG VC=xsd$XP_TAG
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

make_ns "$NSA" && make_ns "$NSB" &&
	make_veth_pair "$NSA" "$VA" 198.18.3.1/24 "$NSB" "$VB" 198.18.3.2/24 2 &&
	make_veth_pair "$NSA" "$VA2" 198.18.4.1/24 "$NSB" "$VC" 198.18.4.2/24 2 || {
	fail "test bed: namespaces and veth pairs"
	summary
	exit 1
}
nsx "$NSA" ping -c1 -W2 198.18.3.2 >/dev/null && nsx "$NSA" ping -c1 -W2 198.18.4.2 >/dev/null ||
	fail "test bed: ping both peers"
for dev in "$VB" "$VC"; do
	nsx "$NSB" "$XP_BIN/xpctl" attach "$dev" >/dev/null ||
		fail "attach xdp_steer to $dev"
done

N0=1000 N1=2000 N2=500 N3=300 QPN=0x99
nsx "$NSB" "$XP_BUILD/tests/net/xsk_shared" "$VB" "$VC" $N0 $N1 $N2 $N3 $QPN 20 \
	>"$TMP/out" 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -q ready "$TMP/out" && break
	sleep 0.1
done

gen() { # CPU IFACE DST COUNT [ARGS...]
	local cpu=$1 dev=$2 dst=$3 n=$4
	shift 4
	nsx "$NSA" "$XP_BIN/xp-gen" -i "$dev" --src-ip "${dst%.2}.1" --dst-ip "$dst" -n "$n" \
		--cpu "$cpu" --rate 20000 "$@" >>"$TMP/gen" 2>&1 || fail "xp-gen $*"
}
if grep -q ready "$TMP/out"; then
	gen 0 "$VA" 198.18.3.2 $N0
	gen 1 "$VA" 198.18.3.2 $N1
	gen 0 "$VA2" 198.18.4.2 $N2
	gen 0 "$VA" 198.18.3.2 $N3 --qpn $QPN
fi
wait $pid
rc=$?
# Fold the program's own checks into ours.
grep -E '^(PASS|FAIL|SKIP) ' "$TMP/out" | while read -r tag rest; do
	echo "$tag shared umem: $rest"
done
read -r p _ f _ s _ <<<"$(grep -E '^[0-9]+ passed' "$TMP/out" | tr -d ,)"
_n_pass=$((_n_pass + ${p:-0}))
_n_fail=$((_n_fail + ${f:-0}))
_n_skip=$((_n_skip + ${s:-0}))
check "shared umem: program exit status 0 (got $rc)" [ $rc -eq 0 ]
if ((rc)); then
	sed 's/^/    # /' "$TMP/out" "$TMP/gen" | grep -v '^    # PASS' | tail -20
fi
summary
