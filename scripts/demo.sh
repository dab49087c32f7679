#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: RoCEv2 steering, then RDMA over AF_XDP, on a built-in veth
# test bed.
#
#   ns A (198.18.2.1) ---- veth ---- ns B (198.18.2.2)
#                                     xdp_steer (attached with xpctl)
#                                     AF_XDP socket (xp-bench rxdrop)
#
# Part 1, steering: from A we send RoCEv2 frames (xp-gen), ordinary UDP,
# and pings. B's socket receives exactly the RoCEv2 frames; ping, ARP and
# the other UDP reach B's kernel stack as usual.
# Part 2, RDMA: an RC queue pair on each side, over AF_XDP: A writes to B's
# memory with RDMA WRITE (xp-write-bw, data checked by B), then SEND and
# READ latencies (xp-read-lat). The set-up talks TCP through the kernel
# stack, the RDMA traffic goes through the sockets.
# Everything is removed at exit. DEMO_PACKETS and RATE change the RoCEv2
# frame count and rate of part 1; DEMO_WRITES the number of 64 KiB WRITEs.
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
# `make bench` measures the full rate. 100000 pps also suits xp-gen's
# AF_PACKET path (kernels that deny live frames), an skb per frame.
echo "== $N RoCEv2 frames from $A at ${RATE:=100000} pps (xp-gen)"
in_ns "$A" "$bin/xp-gen" -i "$VA" --src-ip 198.18.2.1 --dst-ip 198.18.2.2 -n "$N" --cpu 0 \
	--rate "$RATE"
wait $rx || true

received=$(grep -o '"rx_packets":[0-9]*' "$tmp/rx.json" | cut -d: -f2)
pps=$(grep -o '"active_pps":[0-9]*' "$tmp/rx.json" | cut -d: -f2)
mode=$(grep -o '"xsk_mode":"[^"]*"' "$tmp/rx.json" | cut -d'"' -f4)

echo "== steering counters on $VB"
in_ns "$B" "$bin/xpctl" stats "$VB"

steer_ok=0
[[ $received == "$N" ]] && steer_ok=1

# --- RDMA over AF_XDP -----------------------------------------------------------

W=${DEMO_WRITES:-2000}
srv_cpu=()
cli_cpu=()
if (($(nproc) >= 2)); then
	# The transport runs in each process's poll loop: one CPU per side.
	srv_cpu=(--cpu 1)
	cli_cpu=(--cpu 0)
fi

# rdma TOOL NAME ARGS...: the server in B, the client in A; the client's
# output in $tmp/NAME.out. 0 when both sides succeed.
rdma() {
	local tool=$1 name=$2 srv rc=0
	shift 2
	in_ns "$B" "$bin/$tool" -i "$VB" "${srv_cpu[@]}" "$@" >"$tmp/$name.srv" 2>"$tmp/$name.srv.err" &
	srv=$!
	for _ in $(seq 100); do
		grep -q "ready, listening" "$tmp/$name.srv.err" 2>/dev/null && break
		kill -0 $srv 2>/dev/null || break
		sleep 0.1
	done
	timeout 120 nsenter --net="/run/netns/$A" -- "$bin/$tool" -i "$VA" "${cli_cpu[@]}" "$@" 198.18.2.2 \
		>"$tmp/$name.out" 2>"$tmp/$name.err" || rc=1
	wait $srv || rc=1
	if ((rc)); then
		echo "   $tool failed:"
		sed 's/^/     /' "$tmp/$name.err" "$tmp/$name.srv.err"
	fi
	return $rc
}

# field FILE SIZE COLUMN: a column of the tool's result line.
field() {
	awk -v s="$2" -v c="$3" '$1 == s && $2 ~ /^[0-9]+$/ { print $c; exit }' "$1"
}

rdma_ok=1
echo "== RDMA WRITE over AF_XDP: $W x 64 KiB from $A into $B's memory (xp-write-bw --verify)"
if rdma xp-write-bw bw -s 65536 -n "$W" --verify; then
	grep -E '^ #bytes|^ 65536' "$tmp/bw.out"
	grep "verify:" "$tmp/bw.srv" | sed 's/^/   /'
else
	rdma_ok=0
fi
echo "== RDMA latency over AF_XDP: SEND 64 B ping-pong and READ 2 B (xp-read-lat)"
rdma xp-read-lat send -o send -s 64 -n 5000 --verify || rdma_ok=0
rdma xp-read-lat read -o read -s 2 -n 5000 --verify || rdma_ok=0
grep -h -E '^ (64|2) ' "$tmp/send.out" "$tmp/read.out" 2>/dev/null

echo
echo "AF_XDP socket ($mode mode) received $received of $N RoCEv2 frames at ${pps:-0} pps;"
echo "ping, ARP and other UDP went to the kernel stack."
if ((rdma_ok)); then
	printf 'RDMA WRITE over AF_XDP (RC, 64 KiB messages): %s MB/s (%s Gb/s), %s WRITEs, data verified;\n' \
		"$(field "$tmp/bw.out" 65536 4)" "$(field "$tmp/bw.out" 65536 6)" "$W"
	printf 'RDMA latency: SEND 64 B %s us typical (p99 %s us), READ 2 B %s us typical (p99 %s us).\n' \
		"$(field "$tmp/send.out" 64 5)" "$(field "$tmp/send.out" 64 8)" \
		"$(field "$tmp/read.out" 2 5)" "$(field "$tmp/read.out" 2 8)"
else
	echo "RDMA over AF_XDP failed (see above)."
fi
((steer_ok && rdma_ok))
