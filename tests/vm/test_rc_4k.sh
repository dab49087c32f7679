#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RC interop with kernel rdma_rxe at path MTU 4096: every link at MTU 9000
# (the guest's virtio-net eth0, its tap, the bridge, the host namespace's
# veth), rdma-core's ibv_rc_pingpong -m 4096 on rxe in a 6.12 guest and in
# one of Debian's newest kernel (XP_RC4K_SERIES), against our
# xp-rc-pingpong -m 4096 in the host namespace, where each full packet is a
# chain of two AF_XDP frames (multi-buffer, xdp_steer_mb):
#
#   host ns eth0 (198.18.108.1, veth, MTU 9000) --+- xpbr0 in ns xpr4<tag>
#   guest eth0   (198.18.108.11, rxe, MTU 9000) --+
#
# The runs and checks are vm/test_rc_interop's (tests/vm/lib/rc_interop.sh),
# plus: rxe's active MTU is 4096, and our 64 KiB client sent fewer packets
# than path MTU 2048 would take. Negative control: in a 6.1 guest (no
# AF_XDP multi-buffer) our -m 4096 is refused with the reason.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_rc_4k

# shellcheck source=tests/vm/lib/rc_interop.sh
source "$(dirname "$0")/lib/rc_interop.sh"

SERIES=${XP_RC4K_SERIES:-6.12 newest}
NET=$(ns_name r4)
HOSTNS=$(ns_name r4h)
HOST_IP=198.18.108.1
GUEST_IP=198.18.108.11
RC_PMTU=4096
MTU=9000

# rc4k KVER: the runs against rxe in a guest of KVER, and their checks.
rc4k() {
	KVER=$1
	T0=$EPOCHREALTIME
	vm_host_guest "rc4k-$KVER" 300 "$XPVM_GUEST/rc_interop.sh" -e "XP_ITERS=$ITERS" \
		-e "XP_SIZES=$SIZES" -e "XP_PMTU=$RC_PMTU" --mtu $MTU
	up=0
	vm_wait_guest "rc 4k" && up=1
	# shellcheck disable=SC2119 # no arguments to add
	((up)) && rc_runs
	vm_guest_done "rc 4k" 150
	((up)) || return
	check "rc 4k $KVER: rxe's active MTU is 4096 on the guest's MTU $MTU eth0" \
		grep -Eq "active_mtu:[[:space:]]+4096" "$TMP/guest.log"
	rc_checks "rc 4k $KVER" "$TMP/guest.log"
	tx=$(sed -n 's/^xp-rc-pingpong: qp [^:]*: tx \([0-9]*\) .*/\1/p' "$TMP/c65536.err")
	check "rc 4k $KVER: our 64 KiB client sent $tx packets, below the $((ITERS * 32)) path MTU 2048 takes (4096-byte packets)" \
		test "${tx:-999999}" -lt $((ITERS * 32))
	vm_host_checks "rc 4k"
}

read -r first rest <<<"$SERIES"
vm_host_bed "rc 4k" "$first"
net_host_mtu "$NET" "$HOSTNS" $MTU || fail "rc 4k: MTU $MTU on the host namespace's link"
rc4k "$KVER"
for s in $rest; do
	if k=$("$XPVM" kernel "$s"); then
		rc4k "$k"
	else
		fail "kernel $s: cannot resolve or download it (see above)"
	fi
done

# Negative control: no multi-buffer on 6.1, and our tool says so.
GPP=/xp/bin/xp-rc-pingpong
"$XPVM" run -k 6.1 --net "$NET" --name "rc4k-probe-6.1" --ip "198.18.108.12/24" --mtu $MTU \
	-t 120 -b "+$PP" -f "$PP:$GPP" -e "PP=$GPP" "$XPVM_GUEST/rc_4k_probe.sh" >"$TMP/probe.log" 2>&1
check "rc 4k on 6.1: -m 4096 refused ($(sed -n 's/.*PROBE exit //p' "$TMP/probe.log"))" \
	grep -q "PROBE exit 1" "$TMP/probe.log"
check "rc 4k on 6.1: the reason: no AF_XDP multi-buffer in this kernel, not the MTU" \
	bash -c "grep -q 'this kernel has no AF_XDP multi-buffer (XDP_USE_SG, Linux 6.6 and later)' '$TMP/probe.log' &&
		grep -q 'which its netdev MTU $MTU would allow but AF_XDP here does not' '$TMP/probe.log'" ||
	grep -v "^\[[^]]*\] <" "$TMP/probe.log" | tail -8 | sed 's/^/    # /'
grep -E "path MTU|multi-buffer" "$TMP/probe.log" | sed 's/^/    # 6.1: /'
summary
