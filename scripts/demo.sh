#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: RoCEv2 steering on a built-in veth test bed.
#
#   ns A (198.18.2.1) ---- veth ---- ns B (198.18.2.2)
#                                     xdp_steer (attached with xpctl)
#                                     AF_XDP socket (xp-bench rxdrop)
#
# From A we send RoCEv2 frames (xp-gen), ordinary UDP, and pings. B's
# socket receives exactly the RoCEv2 frames; ping, ARP and the other UDP
# reach B's kernel stack as usual. Everything is removed at exit.
# DEMO_PACKETS and RATE change the RoCEv2 frame count and rate.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/bin
tag=$$
A=xpdemoa$tag
B=xpdemob$tag
VA=xpda$tag
VB=xpdb$tag
tmp=$(mktemp -d)
N=${DEMO_PACKETS:-100000}

cleanup() {
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

if ((EUID != 0)); then
	echo "demo: needs root (network namespaces, XDP, AF_XDP)" >&2
	exit 1
fi

in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

echo "== test bed: $A (198.18.2.1) <-> $B (198.18.2.2) over veth"
ip netns add "$A"
ip netns add "$B"
ip link add "$VA" type veth peer name "$VB"
ip link set "$VA" netns "$A"
ip link set "$VB" netns "$B"
ip -n "$A" addr add 198.18.2.1/24 dev "$VA"
ip -n "$B" addr add 198.18.2.2/24 dev "$VB"
ip -n "$A" link set "$VA" up
ip -n "$B" link set "$VB" up

echo "== attach the steering program to $VB"
in_ns "$B" "$bin/xpctl" attach "$VB" --mode native
in_ns "$B" "$bin/xpctl" status "$VB"

echo "== AF_XDP socket on $VB queue 0 (xp-bench rxdrop)"
in_ns "$B" "$bin/xp-bench" rxdrop -i "$VB" -n "$N" -d 30 --cpu 1 --json \
	-f 2048 -F 16384 -r 8192 \
	>"$tmp/rx.json" 2>"$tmp/rx.err" &
rx=$!
for _ in $(seq 100); do
	grep -q ready "$tmp/rx.err" && break
	sleep 0.1
done
grep ready "$tmp/rx.err"

echo "== ordinary traffic from $A: ping (ARP first) and UDP to port 5000"
in_ns "$A" ping -c 3 -i 0.2 198.18.2.2 | grep -E 'transmitted|rtt'
in_ns "$B" timeout 5 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('198.18.2.2', 5000)); s.settimeout(4)
print('   kernel UDP socket got:', s.recvfrom(64)[0].decode())" &
udp=$!
sleep 0.5
in_ns "$A" bash -c 'echo hello-kernel >/dev/udp/198.18.2.2/5000'
wait $udp || echo "   kernel UDP socket got nothing"

# Paced so that the demo shows steering, not how busy the machine is;
# `make bench` measures the full rate.
echo "== $N RoCEv2 frames from $A at ${RATE:=500000} pps (xp-gen, BPF_PROG_RUN live frames)"
in_ns "$A" "$bin/xp-gen" -i "$VA" --src-ip 198.18.2.1 --dst-ip 198.18.2.2 -n "$N" --cpu 0 \
	--rate "$RATE"
wait $rx || true

received=$(grep -o '"rx_packets":[0-9]*' "$tmp/rx.json" | cut -d: -f2)
pps=$(grep -o '"active_pps":[0-9]*' "$tmp/rx.json" | cut -d: -f2)
mode=$(grep -o '"xsk_mode":"[^"]*"' "$tmp/rx.json" | cut -d'"' -f4)

echo "== steering counters on $VB"
in_ns "$B" "$bin/xpctl" stats "$VB"

echo
echo "AF_XDP socket ($mode mode) received $received of $N RoCEv2 frames at ${pps:-0} pps;"
echo "ping, ARP and other UDP went to the kernel stack."
[[ $received == "$N" ]]
