#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The traffic generator (xp-gen) and the reference programs (xp-ref) on a
# veth pair between two namespaces:
#   - every frame xp-gen reports as sent reaches the receiver's counter, for
#     IPv4, IPv6, VLAN, 64 and 1500 byte frames, paced and unpaced;
#   - captured frames match the template byte for byte (xp-gen --check-pcap),
#     including after an l2fwd bounce (xp-ref tx swaps the MACs);
#   - frames the driver refuses are reported, not counted as sent;
#   - bad options fail with a message that says what to do.
#
# The receiver counts every frame, so the links must be quiet: IPv6 is off
# on both ends (router solicitations and MLD reports would be counted) until
# the last check, which turns it on to resolve an IPv6 neighbour.
#
# Pacing note: veth delivers a generated frame by putting it on the peer's
# ring (256 entries); the kernel flushes each live-frames batch (64) and
# then runs the peer's NAPI on the same CPU, so the ring does not overflow
# and the counts are exact without --rate.

source "$(dirname "$0")/../lib/testlib.sh"

require_root "test_gen"
require_bin "$XP_BIN/xp-gen"
require_bin "$XP_BIN/xp-ref"

NA=$(ns_name ga)
NB=$(ns_name gb)
IFA=xga$XP_TAG
IFB=xgb$XP_TAG
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

make_ns "$NA" && make_ns "$NB" || { fail "create namespaces"; summary; exit 1; }
for ns in "$NA" "$NB"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.all.disable_ipv6=1
done
make_veth_pair "$NA" "$IFA" 198.18.0.1/24 "$NB" "$IFB" 198.18.0.2/24 ||
	{ fail "create veth pair"; summary; exit 1; }
MAC_B=$(ip -n "$NB" -br link show dev "$IFB" | awk '{ print $3 }')

gen() { nsx "$NA" "$XP_BIN/xp-gen" -i "$IFA" "$@"; }
ref_a() { nsx "$NA" "$XP_BIN/xp-ref" "$@"; }
ref_b() { nsx "$NB" "$XP_BIN/xp-ref" "$@"; }

# json_num JSON FIELD: the number in "FIELD":N (empty if absent or null).
json_num() { sed -n "s/.*\"$2\":\([0-9.]*\)[,}].*/\1/p" <<<"$1"; }

# count NS IF: "PACKETS BYTES" of the reference attached to IF, read again
# until it stops changing (the peer's NAPI may finish a little later).
count() {
	local prev=x cur out i
	for ((i = 0; i < 50; i++)); do
		out=$(nsx "$1" "$XP_BIN/xp-ref" stats "$2" --json)
		cur="$(json_num "$out" packets) $(json_num "$out" bytes)"
		[[ $cur == "$prev" ]] && break
		prev=$cur
		sleep 0.1
	done
	echo "$cur"
}

# expect_fail NAME PATTERN CMD...: CMD exits non-zero and says PATTERN.
expect_fail() {
	local name=$1 pat=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if ((rc != 0)) && grep -qi -- "$pat" <<<"$out"; then
		pass "$name"
	else
		fail "$name (exit $rc, wanted a message matching '$pat')"
		note "$out"
	fi
}

# send_and_count NAME RX_NS RX_IF BYTES_PER_FRAME XP-GEN-ARGS...: every frame
# xp-gen generated was sent and counted once by the receiver, with its bytes.
# xp-gen's JSON is left in GEN_OUT.
send_and_count() {
	local name=$1 ns=$2 ifc=$3 size=$4 out p0 b0 p1 b1 gen sent drop
	shift 4
	read -r p0 b0 < <(count "$ns" "$ifc")
	out=$(gen --json "$@" 2>"$TMP/gen.err")
	local rc=$?
	GEN_OUT=$out
	if ((rc != 0)); then
		fail "$name: xp-gen failed"
		note "$out $(cat "$TMP/gen.err")"
		return 1
	fi
	gen=$(json_num "$out" generated)
	sent=$(json_num "$out" sent)
	drop=$(json_num "$out" xmit_dropped)
	read -r p1 b1 < <(count "$ns" "$ifc")
	if [[ -n $gen && $gen -gt 0 && $sent == "$gen" && $drop == 0 &&
		$((p1 - p0)) == "$sent" && $((b1 - b0)) == $((sent * size)) ]]; then
		pass "$name: $sent sent, $((p1 - p0)) received, $((b1 - b0)) bytes"
	else
		fail "$name: generated $gen, sent $sent, refused $drop, received $((p1 - p0)) frames / $((b1 - b0)) bytes (want $((sent * size)))"
		note "$out"
		return 1
	fi
}

# --- neighbour resolution and the basic count --------------------------------

check "ping 198.18.0.2 (the kernel learns the peer's MAC)" \
	nsx "$NA" ping -c1 -W2 -q 198.18.0.2 >/dev/null

check "xp-ref attach $IFB drop" ref_b attach "$IFB" drop
out=$(ref_b stats "$IFB" --json)
if [[ $(json_num "$out" packets) == 0 && $out == *'"kind":"drop"'* ]]; then
	pass "xp-ref stats: fresh counters read through the attached program"
else
	fail "xp-ref stats after attach: $out"
fi

out=$(gen -n 100000 --json 2>"$TMP/gen0.err")
rc=$?
cat "$TMP/gen0.err" >&2
# Some hardened kernels deny BPF_PROG_RUN live frames even to root; xp-gen
# then sends through AF_PACKET (and says so), whose limits differ below.
GEN_PATH=live
grep -q "sending through an AF_PACKET socket" "$TMP/gen0.err" && GEN_PATH=packet
note "xp-gen sends through: $GEN_PATH"
sent=$(json_num "$out" sent)
read -r rx _ < <(count "$NB" "$IFB")
if ((rc == 0)) && [[ $(json_num "$out" generated) == 100000 && $sent == 100000 && $rx == 100000 ]]; then
	pass "100000 frames, peer MAC from the neighbour table: drop counter $rx == sent $sent"
else
	fail "100000 frames: xp-gen exit $rc, drop counter $rx"
	note "$out"
fi

# From here on, no ARP: a stale entry used by either stack (an ICMP error,
# say) would send probes that the counters see.
ip -n "$NA" neigh replace 198.18.0.2 lladdr "$MAC_B" dev "$IFA" nud permanent
ip -n "$NB" neigh replace 198.18.0.1 lladdr "$(ip -n "$NA" -br link show dev "$IFA" |
	awk '{ print $3 }')" dev "$IFB" nud permanent

send_and_count "64-byte frames" "$NB" "$IFB" 64 -n 20000 -s 64
send_and_count "1500-byte frames" "$NB" "$IFB" 1500 -n 20000 -s 1500
if [[ $GEN_PATH == live ]]; then
	send_and_count "1518-byte frames (veth allows MTU + 18)" "$NB" "$IFB" 1518 -n 1000 -s 1518
else
	send_and_count "1514-byte frames (AF_PACKET allows MTU + 14 untagged)" "$NB" "$IFB" 1514 \
		-n 1000 -s 1514
	expect_fail "AF_PACKET: 1518-byte untagged frames are refused and reported" "refused all" \
		gen -n 100 -s 1518
fi
send_and_count "IPv6, UD SEND_ONLY" "$NB" "$IFB" 256 -n 20000 -s 256 \
	--src-ip fd00::1 --dst-ip fd00::2 --opcode 0x64 --dst-mac "$MAC_B"
send_and_count "VLAN 100" "$NB" "$IFB" 128 -n 20000 -s 128 --vlan 100
send_and_count "16 flows" "$NB" "$IFB" 64 -n 20000 --flows 16
send_and_count "pinned to CPU 0" "$NB" "$IFB" 64 -n 50000 --cpu 0

# --- pacing and duration -----------------------------------------------------

# paced RATE COUNT: exact count, and it took at least COUNT/RATE seconds
# (at most twice that: a loaded machine may be slower, never faster).
paced() {
	local rate=$1 n=$2 el want
	send_and_count "--rate $rate -n $n" "$NB" "$IFB" 64 -n "$n" --rate "$rate" || return
	el=$(json_num "$GEN_OUT" elapsed_s)
	want=$(awk -v n="$n" -v r="$rate" 'BEGIN { printf "%.3f", n / r }')
	if awk -v e="$el" -v w="$want" 'BEGIN { exit !(e >= w * 0.99 && e < w * 2 + 0.2) }'; then
		pass "--rate $rate -n $n took $el s (pacing needs $want s)"
	else
		fail "--rate $rate -n $n took $el s; pacing needs $want s"
	fi
}
paced 50000 25000 # paced inside the program
paced 5000 1000 # paced from userspace, one frame per call

out=$(gen -d 1 --json)
el=$(json_num "$out" elapsed_s)
if [[ -n $el ]] && awk -v e="$el" 'BEGIN { exit !(e >= 1.0 && e < 2.0) }'; then
	pass "-d 1 ran for $el s, $(json_num "$out" generated) frames"
else
	fail "-d 1 ran for '$el' s"
	note "$out"
fi

# --- refused frames are not "sent" -------------------------------------------

expect_fail "frames above the peer's MTU + 18 are refused and reported" "refused all" \
	gen -n 1000 -s 1519
check "xp-ref detach $IFB" ref_b detach "$IFB"
if [[ $GEN_PATH == live ]]; then
	expect_fail "a veth peer without XDP refuses everything; xp-gen says so" \
		"needs an XDP program" gen -n 1000
else
	# Through AF_PACKET the frames reach the peer's stack instead.
	stack_rx() { ip -n "$NB" -s link show dev "$IFB" | awk '/RX:/ { getline; print $2; exit }'; }
	p0=$(stack_rx)
	out=$(gen -n 1000 --json 2>/dev/null)
	rc=$?
	p1=$(stack_rx)
	check "AF_PACKET: a veth peer without XDP takes every frame into its stack (exit $rc, sent $(json_num "$out" sent), peer rx $((p1 - p0)))" \
		test "$rc" = 0 -a "$(json_num "$out" sent)" = 1000 -a $((p1 - p0)) -ge 1000
fi

# --- captured frames match the template --------------------------------------

# tcpdump_start NS IF FILE COUNT FILTER...: capture in the background, COUNT
# frames (0: until stopped); tcpdump_stop waits for them, 5 s at most.
tcpdump_start() {
	local ns=$1 ifc=$2 file=$3 i cnt=()
	TCPDUMP_N=$4
	shift 4
	((TCPDUMP_N > 0)) && cnt=(-c "$TCPDUMP_N")
	# nsenter execs tcpdump, so $! is tcpdump itself (a shell function
	# in the background would be a subshell that a signal does not stop).
	nsenter --net="/run/netns/$ns" -- tcpdump -Z root -i "$ifc" --immediate-mode -B 65536 \
		-U -s 0 "${cnt[@]}" -w "$file" "$@" 2>"$file.log" &
	TCPDUMP_PID=$!
	on_exit kill "$TCPDUMP_PID"
	for ((i = 0; i < 50; i++)); do
		grep -q "listening on" "$file.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
tcpdump_stop() {
	local i
	for ((i = 0; i < 50 && TCPDUMP_N > 0; i++)); do
		kill -0 "$TCPDUMP_PID" 2>/dev/null || break
		sleep 0.1
	done
	((TCPDUMP_N > 0)) || sleep 0.5
	kill -INT "$TCPDUMP_PID" 2>/dev/null
	wait "$TCPDUMP_PID" 2>/dev/null
}

if ! command -v tcpdump >/dev/null; then
	skip "capture checks: tcpdump is not installed (make deps)"
else
	ref_b attach "$IFB" pass >/dev/null
	cap=$TMP/rx.pcap
	opts=(-s 200 --flows 4 --qpn 0x1234)
	if tcpdump_start "$NB" "$IFB" "$cap" 100 udp port 4791; then
		gen -n 100 --rate 10000 "${opts[@]}" >"$TMP/gen.log" 2>&1
		tcpdump_stop
		out=$(gen --check-pcap "$cap" "${opts[@]}" --check-macs 2>&1)
		if (($? == 0)) && [[ $out == *" 100 frames, 100 match"* ]]; then
			pass "captured frames match the template byte for byte: ${out#*: }"
		else
			fail "captured frames differ from the template"
			note "$out"
			note "$(cat "$TMP/gen.log" "$cap.log")"
		fi
		expect_fail "--check-pcap notices a different QPN" "differ" \
			gen --check-pcap "$cap" -s 200 --flows 4 --qpn 0x1235
		expect_fail "--check-pcap notices a different flow count" "differ" \
			gen --check-pcap "$cap" -s 200 --flows 3 --qpn 0x1234
	else
		fail "tcpdump did not start on $IFB"
		tcpdump_stop
	fi

	# l2fwd bounce: B swaps MACs and sends the frames back, A counts them.
	# Paced, so that no ring overflows on the way back and counts are exact.
	ref_b attach "$IFB" tx --force >/dev/null
	ref_a attach "$IFA" pass >/dev/null
	out=$(gen -n 5000 -s 96 --rate 20000 --json)
	read -r tx _ < <(count "$NB" "$IFB")
	read -r back _ < <(count "$NA" "$IFA")
	if [[ $(json_num "$out" sent) == 5000 && $tx == 5000 && $back == 5000 ]]; then
		pass "l2fwd bounce: 5000 sent, $tx bounced by xdp_ref_tx, $back back at the sender"
	else
		fail "l2fwd bounce: sent $(json_num "$out" sent), bounced $tx, back $back"
	fi

	# The same at full speed, captured at A: live frames recycle pages
	# within a run and B writes into them, so unless the generator rewrites
	# the MACs on every frame, recycled frames go out with swapped MACs and
	# come back unswapped. tcpdump drops some at this rate; all it keeps
	# must match.
	cap=$TMP/bounce.pcap
	if tcpdump_start "$NA" "$IFA" "$cap" 0 udp port 4791; then
		gen -n 50000 -s 96 >"$TMP/gen.log" 2>&1
		tcpdump_stop
		out=$(gen --check-pcap "$cap" -s 96 --check-swapped-macs --json 2>&1)
		n=$(json_num "$out" match)
		if [[ $(json_num "$out" differ) == 0 ]] && ((n >= 1000)); then
			pass "full-speed bounce: all $n captured frames carry swapped MACs and the template's payload"
		else
			fail "full-speed bounce: captured frames differ from the template"
			note "$out"
			note "$(cat "$TMP/gen.log" "$cap.log")"
		fi
	else
		fail "tcpdump did not start on $IFA"
		tcpdump_stop
	fi
	ref_a detach "$IFA" >/dev/null
fi

# --- reference attached by iproute2, counted by xp-ref -----------------------

ref_b detach "$IFB" >/dev/null
if nsx "$NB" ip link set dev "$IFB" xdp obj "$XP_BPF/xdp_ref.bpf.o" program xdp_ref_drop 2>"$TMP/ip.log"; then
	pass "ip link ... xdp obj xdp_ref.bpf.o program xdp_ref_drop loads"
	send_and_count "counters of an ip-attached reference" "$NB" "$IFB" 64 -n 10000
else
	fail "ip link could not load xdp_ref.bpf.o: $(head -c 300 "$TMP/ip.log")"
fi

# --- bad options -------------------------------------------------------------

expect_fail "bad MAC is refused" "not a MAC address" gen -n 1 --dst-mac 02:00:00:00:00
expect_fail "bad MAC with junk is refused" "not a MAC address" gen -n 1 --src-mac 02:00:00:00:00:0g
expect_fail "frame size 5000 is refused" "out of range" gen -n 1 -s 5000
expect_fail "frame size below the headers is refused" "out of range" gen -n 1 -s 64 \
	--src-ip fd00::1 --dst-ip fd00::2 --dst-mac "$MAC_B"
expect_fail "unknown interface is refused" "no interface" \
	nsx "$NA" "$XP_BIN/xp-gen" -i xpnosuch0 -n 1
expect_fail "interface of another namespace is refused" "namespace" \
	nsx "$NA" "$XP_BIN/xp-gen" -i "$IFB" -n 1
expect_fail "unresolved destination asks for a ping or --dst-mac" "ping it first" \
	gen -n 1 --dst-ip 198.18.0.99
expect_fail "mixed IPv4/IPv6 addresses are refused" "different IP versions" \
	gen -n 1 --dst-ip fd00::2
expect_fail "--count 0 is refused" "sends nothing" gen -n 0
expect_fail "--vlan 4095 is refused" "out of range" gen -n 1 --vlan 4095
expect_fail "xp-ref: unknown reference" "unknown" ref_b attach "$IFB" bounce
expect_fail "xp-ref: attach over a program refuses without --force" "already has" \
	ref_b attach "$IFB" pass
ref_b detach "$IFB" >/dev/null
expect_fail "xp-ref: stats without a program says so" "no XDP program" ref_b stats "$IFB"

# --- IPv6 neighbour resolution (IPv6 on from here: counts are not exact) -------

nsx "$NA" sysctl -qw "net.ipv6.conf.$IFA.disable_ipv6=0"
nsx "$NB" sysctl -qw "net.ipv6.conf.$IFB.disable_ipv6=0"
ip -n "$NA" addr add fd00::1/64 dev "$IFA" nodad
ip -n "$NB" addr add fd00::2/64 dev "$IFB" nodad
check "ping -6 fd00::2 (the kernel learns the peer's MAC)" \
	nsx "$NA" ping -6 -c1 -W2 -q fd00::2 >/dev/null
ref_b attach "$IFB" drop >/dev/null
out=$(gen -n 1000 --src-ip fd00::1 --dst-ip fd00::2 -s 128 --json)
read -r rx _ < <(count "$NB" "$IFB")
if [[ $(json_num "$out" sent) == 1000 ]] && ((rx >= 1000)); then
	pass "IPv6 peer MAC from the neighbour table: 1000 sent, $rx received"
else
	fail "IPv6 neighbour resolution: $out, $rx received"
fi
out=$(gen --print --src-ip fd00::1 --dst-ip fd00::2 -s 128)
if [[ $out == *"-> $MAC_B, IPv6"* ]]; then
	pass "the template carries the resolved MAC $MAC_B"
else
	fail "the template does not carry $MAC_B: $(head -1 <<<"$out")"
fi
expect_fail "unresolved IPv6 destination asks for ping -6" "ping -6" \
	gen -n 1 --src-ip fd00::1 --dst-ip fd00::99

summary
