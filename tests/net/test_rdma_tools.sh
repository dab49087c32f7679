#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xp-write-bw and xp-read-lat between two namespaces over veth (RC over
# AF_XDP), a quick functional test of the tools:
#   - WRITE bandwidth, one way and both ways, with --verify (the receiver
#     checks every message slot): both sides pass, print the same result
#     line, and its figures agree with each other (MB/s, Gb/s, Mpps);
#   - a size that is no multiple of the path MTU, with -m 256;
#   - --duration instead of an iteration count;
#   - 2 % of received frames dropped (--faults): still verified, and the
#     QP counters show the retransmissions that repaired it;
#   - latency for -o read, send and write with --verify, messages within
#     one packet and across several: min <= median <= p99 <= p99.9 <= max;
#   - bad options refused at once with a message; a client of the wrong
#     -o refused by the server; a client with nobody to talk to fails;
#   - a parameter message that is not one, or has a value out of range:
#     the server refuses it (the refusal reaches the client) and fails;
#   - the steering program each side attached is gone afterwards.
set -u
. "$(dirname "$0")/../lib/testlib.sh"

require_root rdma_tools
BW=$XP_BIN/xp-write-bw
LAT=$XP_BIN/xp-read-lat
require_bin "$BW"
require_bin "$LAT"

PORT=18517
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

pair_bed 198.18.7

# run NAME TOOL "SERVER ARGS" "CLIENT ARGS": server in B, client in A;
# 0 when both exit 0. Output in $TMP/NAME.{srv,cli}[.err].
run() {
	local tool=$2
	# shellcheck disable=SC2206
	local sargs=($3) cargs=($4)
	run_pair "$1" timeout 120 "$tool" -i "$VB" -p $PORT "${sargs[@]}" -- \
		timeout 120 "$tool" -i "$VA" -p $PORT "${cargs[@]}" "$IPB"
}

# result FILE SIZE: the tool's result line (it starts with the size).
result() {
	awk -v s="$2" '$1 == s && $2 ~ /^[0-9]+$/ { print; exit }' "$1"
}

# bw_sane LINE SIZE ITERS: iterations as asked (or any, for ITERS 0), a
# positive average, and Gb/s and Mpps that agree with MB/s within 1 %.
bw_sane() {
	awk -v s="$2" -v n="$3" '{
		ok = $1 == s && (n == 0 ? $2 > 0 : $2 == n) && $4 > 0 && $3 >= $4 * 0.99
		gbs = $4 * 1048576 * 8 / 1e9; mpps = $4 * 1048576 / s / 1e6
		ok = ok && ($6 - gbs) ^ 2 <= (gbs / 100 + 0.001) ^ 2 && ($5 - mpps) ^ 2 <= (mpps / 100 + 0.000002) ^ 2
		exit !ok }' <<<"$1"
}

# lat_sane LINE SIZE ITERS: 0 < min <= median <= p99 <= p99.9 <= max, min <= avg <= max.
lat_sane() {
	awk -v s="$2" -v n="$3" '{
		exit !($1 == s && $2 == n && $3 > 0 && $3 <= $5 && $5 <= $8 && $8 <= $9 && $9 <= $4 &&
			$3 <= $6 && $6 <= $4 && $7 >= 0) }' <<<"$1"
}

# qp FILE KEY: a counter from the "xp-...: qp" line.
qp() {
	grep -o " $2 [0-9]*" "$1" | head -n1 | awk '{ print $2 }'
}

# --- bandwidth -----------------------------------------------------------------

if run bw "$BW" "" "-s 65536 -n 300 --verify"; then
	pass "xp-write-bw 64 KiB x 300 with --verify"
	c=$(result "$TMP/bw.cli" 65536)
	s=$(result "$TMP/bw.srv" 65536)
	note "client: $c"
	check "xp-write-bw: client's result line is sane (MB/s, Gb/s and Mpps agree)" bw_sane "$c" 65536 300
	check "xp-write-bw: server prints the client's figures" test -n "$s" -a "$s" = "$c"
	check "xp-write-bw: server verified the slots it received" \
		grep -q "verify: 16 slot(s) of 65536 bytes hold the peer's data" "$TMP/bw.srv"
	check "xp-write-bw: no retransmission on a clean link ($(qp "$TMP/bw.cli" retransmits))" \
		test "$(qp "$TMP/bw.cli" retransmits)" = 0
else
	fail "xp-write-bw 64 KiB x 300 with --verify"
fi

if run bidir "$BW" "" "-b -s 4096 -n 2000 --verify"; then
	pass "xp-write-bw -b 4 KiB x 2000 with --verify"
	c=$(result "$TMP/bidir.cli" 4096)
	note "client: $c"
	check "xp-write-bw -b: the line counts both directions (4000 WRITEs)" bw_sane "$c" 4096 4000
	check "xp-write-bw -b: both sides verified what they received" \
		bash -c "grep -q 'verify: 16 slot' '$TMP/bidir.srv' && grep -q 'verify: 16 slot' '$TMP/bidir.cli'"
else
	fail "xp-write-bw -b 4 KiB x 2000 with --verify"
fi

check "xp-write-bw -s 1000 -m 256 (four packets, the last one short) with --verify" \
	run odd "$BW" "" "-s 1000 -m 256 -n 500 --verify -t 16"
check "xp-write-bw -s 1: one-byte WRITEs with --verify" run one "$BW" "" "-s 1 -n 1000 --verify"

if run dur "$BW" "" "-s 8192 -D 2"; then
	c=$(result "$TMP/dur.cli" 8192)
	note "client: $c"
	check "xp-write-bw -D 2: a sane line with the WRITEs done in 2 s" bw_sane "$c" 8192 0
else
	fail "xp-write-bw -D 2"
fi

if run lossy "$BW" "--faults 20000" "-s 16384 -n 300 --verify --faults 20000"; then
	pass "xp-write-bw with 2 % of received frames dropped on both sides, verified"
	r=$(qp "$TMP/lossy.cli" retransmits)
	note "client: $(result "$TMP/lossy.cli" 16384); retransmits $r, timeouts $(qp "$TMP/lossy.cli" timeouts), seq NAKs $(qp "$TMP/lossy.cli" seq_naks_rcvd)"
	check "xp-write-bw with drops: the client retransmitted ($r)" test "${r:-0}" -gt 0
else
	fail "xp-write-bw with 2 % of received frames dropped on both sides, verified"
fi

# --- latency --------------------------------------------------------------------

for spec in "read 2" "send 64" "write 2" "read 3000" "send 3000" "write 3000"; do
	read -r op size <<<"$spec"
	n=500
	name=lat-$op-$size
	if [[ $size == 2 || $size == 64 ]]; then
		args="-o $op -n $n --verify" # the default size of each op
	else
		args="-o $op -s $size -n $n --verify"
	fi
	if run "$name" "$LAT" "-o $op" "$args"; then
		c=$(result "$TMP/$name.cli" "$size")
		note "$op $size: $c"
		check "xp-read-lat -o $op -s $size x $n verified: min <= median <= p99 <= p99.9 <= max" \
			lat_sane "$c" "$size" $n
		check "xp-read-lat -o $op -s $size: the server prints the client's line" \
			test "$(result "$TMP/$name.srv" "$size")" = "$c"
	else
		fail "xp-read-lat -o $op -s $size x $n with --verify"
	fi
done

if run lat-lossy "$LAT" "-o read --faults 30000" "-o read -s 3000 -n 300 --verify --faults 30000"; then
	r=$(qp "$TMP/lat-lossy.cli" retransmits)
	check "xp-read-lat -o read with 3 % drops verified; requests retransmitted ($r)" test "${r:-0}" -gt 0
else
	fail "xp-read-lat -o read with 3 % drops"
fi

# --- refusals -------------------------------------------------------------------

# refused NAME PATTERN TOOL ARGS...: exits non-zero within 5 s, saying PATTERN.
refused() {
	local name=$1 pat=$2 rc
	shift 2
	timeout 5 nsenter --net="/run/netns/$NSA" -- "$@" >"$TMP/ref.out" 2>"$TMP/ref.err"
	rc=$?
	if ((rc == 0 || rc == 124)) || ! grep -qiE -- "$pat" "$TMP/ref.err"; then
		fail "$name (exit $rc): $(head -c 300 "$TMP/ref.err" | tr '\n' ' ')"
		return
	fi
	pass "$name: $(grep -iE -m1 -- "$pat" "$TMP/ref.err")"
}

refused "xp-write-bw without -i" "-i IFACE is required" "$BW"
refused "xp-write-bw -s 0" "-s '0' is not a number in 1\.\." "$BW" -i "$VA" -s 0
refused "xp-write-bw -s 12k" "-s '12k' is not a number" "$BW" -i "$VA" -s 12k
refused "xp-write-bw -n 0" "-n '0'" "$BW" -i "$VA" -n 0
refused "xp-write-bw -t 0" "-t '0'" "$BW" -i "$VA" -t 0
refused "xp-write-bw -m 1000" "must be 256, 512, 1024, 2048 or 4096" "$BW" -i "$VA" -m 1000
refused "xp-write-bw -m 4096 above the device's path MTU" "above .* path MTU" "$BW" -i "$VA" -m 4096
refused "xp-write-bw -Q above the tx depth" "above the tx depth" "$BW" -i "$VA" -t 8 -Q 16
refused "xp-write-bw -p 70000" "-p '70000'" "$BW" -i "$VA" -p 70000
refused "xp-write-bw -g 5 (no such GID on the interface)" "no GID at index 5" "$BW" -i "$VA" -g 5
refused "xp-write-bw on a missing interface" "nosuchif|no such|cannot" "$BW" -i nosuchif0
refused "xp-write-bw with two server addresses" "one server address at most" "$BW" -i "$VA" 1.2.3.4 5.6.7.8
refused "xp-write-bw --bogus" "unrecognized option|usage" "$BW" --bogus
refused "xp-write-bw --faults 2000000" "--faults" "$BW" -i "$VA" --faults 2000000
refused "xp-read-lat -o bogus" "use read, send or write" "$LAT" -i "$VA" -o bogus
refused "xp-read-lat -s 0" "-s '0'" "$LAT" -i "$VA" -s 0
refused "xp-read-lat -n -5" "-n '-5'" "$LAT" -i "$VA" -n -5
refused "xp-read-lat without -i" "-i IFACE is required" "$LAT" -o send
refused "xp-read-lat client with nobody listening" "cannot connect to" \
	"$LAT" -i "$VA" -p $PORT --timeout 1000 "$IPB"

# A client of the wrong operation: the server refuses it, and both fail.
if run wrongop "$LAT" "-o read" "-o send -n 10"; then
	fail "xp-read-lat: a -o send client of a -o read server passed"
else
	check "xp-read-lat: a -o send client of a -o read server is refused" \
		grep -q "the server refused: the client asked for -o send, the server runs -o read" \
		"$TMP/wrongop.cli.err"
fi

# A raw client of the server at $1 port $2: the pingpong address message
# (52 bytes), then $4 zero-filled to $3 bytes (a parameter message's
# size); what the server answers to stdout, NULs as newlines.
# shellcheck disable=SC2016
RAW_CLIENT='exec 3<>"/dev/tcp/$1/$2" || exit 1
printf "0000:000001:000001:%032d\0" 0 >&3
{ printf "%s" "$4"; head -c $(($3 - ${#4})) /dev/zero; } >&3
tr "\0" "\n" <&3'

# refused_msg NAME TOOL LEN MSG PATTERN: a TOOL server given MSG as the
# client's parameter message exits non-zero saying PATTERN, and the client
# gets the refusal ("...-REFUSED PATTERN"), not a silent close.
refused_msg() {
	local name=$1 tool=$2 len=$3 msg=$4 pat=$5
	run_pair "$name" timeout 20 "$tool" -i "$VB" -p $PORT -- \
		timeout 10 bash -c "$RAW_CLIENT" raw "$IPB" $PORT "$len" "$msg" >/dev/null
	if ((PAIR_RC_S == 0 || PAIR_RC_S == 124)) || ! grep -qE -- "$pat" "$TMP/$name.srv.err" ||
		! grep -qE -- "-REFUSED $pat" "$TMP/$name.cli"; then
		fail "$name (server exit $PAIR_RC_S): $(grep -v 'ready, listening' "$TMP/$name.srv.err" |
			head -c 300 | tr '\n' ' ') / client got: $(head -c 300 "$TMP/$name.cli" | tr '\n' ' ')"
		return
	fi
	pass "$name: $(grep -E -m1 -- "$pat" "$TMP/$name.srv.err")"
}

refused_msg "xp-write-bw: a server refuses a message that is no parameter message" "$BW" 192 \
	"GET / HTTP/1.0" "the client's message is not a parameter message \(got 'GET / HTTP/1\.0'\)"
refused_msg "xp-read-lat: a server refuses xp-write-bw's parameter message" "$LAT" 256 \
	"XPBW-PARAMS size=2 iters=10 depth=128 dur=0 bidir=0 verify=0 slots=1 addr=0 rkey=0 seed=0 mtu=1024" \
	"the client's message is not a parameter message \(got 'XPBW-PARAMS size=2 iters=10 depth=128 du'\)"
refused_msg "xp-write-bw: a server refuses -s 0 in a parameter message" "$BW" 192 \
	"XPBW-PARAMS size=0 iters=10 depth=128 dur=0 bidir=0 verify=0 slots=1 addr=0 rkey=0 seed=0 mtu=1024" \
	"the client asked for size=0 \(accepted: 1\.\.1073741824\)"
refused_msg "xp-read-lat: a server refuses -n 0 in a parameter message" "$LAT" 256 \
	"XPLAT-PARAMS op=read size=2 iters=0 verify=0 addr=0 rkey=0 seed=0 mtu=1024" \
	"the client asked for iters=0 \(accepted: 1\.\.100000000\)"

check_pair_detached
summary
