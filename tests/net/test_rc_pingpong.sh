#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xp-rc-pingpong (rdma-core's ibv_rc_pingpong over our RC transport) between
# two namespaces over veth, server in B, client in A:
#   - sizes 1, 64, 1024 (one packet at path MTU 1024), 4096 and 65536 (64
#     packets), with -c: the client checks every echo byte for byte, the
#     server every message; ibv_rc_pingpong's two result lines, exact;
#   - IPv6 link-local GIDs (index 0);
#   - 2% of the frames each side receives dropped, plus duplicates and
#     reordering: the run still passes, and retransmits show;
#   - negative checks: a client with no server, a server with no client,
#     a -c server fed unchecked data, mismatched sizes, and bad options,
#     each refused with its message; no steering program left behind.
set -u
. "$(dirname "$0")/../lib/testlib.sh"

require_root rc_pingpong
PP=$XP_BIN/xp-rc-pingpong
require_bin "$PP"

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

pair_bed 198.18.5

# rcpp NAME "SERVER ARGS" "CLIENT ARGS": server in B, client in A; 0 when
# both exit 0. Output in $TMP/NAME.{srv,cli}{,.err}.
rcpp() {
	# shellcheck disable=SC2206
	local sargs=($2) cargs=($3)
	run_pair "$1" timeout 40 "$PP" -d "$VB" -w 20000 "${sargs[@]}" -- \
		timeout 40 "$PP" -d "$VA" -w 5000 "${cargs[@]}" "$IPB"
}

# stat NAME srv|cli KEY: the number after KEY in the tool's counter lines.
stat() {
	grep -o " $3 [0-9]*" "$TMP/$1.$2.err" | head -n1 | awk '{print $NF}'
}

# result_lines NAME SIZE ITERS: both sides printed ibv_rc_pingpong's two
# lines, in its format, with the byte count it would print.
result_lines() {
	local f ok=0
	for f in "$TMP/$1.srv" "$TMP/$1.cli"; do
		grep -Eq "^$(($2 * $3 * 2)) bytes in [0-9]+\.[0-9]{2} seconds = [0-9]+\.[0-9]{2} Mbit/sec$" "$f" &&
			grep -Eq "^$3 iters in [0-9]+\.[0-9]{2} seconds = [0-9]+\.[0-9]{2} usec/iter$" "$f" &&
			grep -Eq "^  local address:  LID 0x0000, QPN 0x[0-9a-f]{6}, PSN 0x[0-9a-f]{6}, GID " "$f" &&
			grep -Eq "^  remote address: LID 0x0000, QPN 0x[0-9a-f]{6}, PSN 0x[0-9a-f]{6}, GID " "$f" ||
			ok=1
	done
	return $ok
}

# summary_note NAME: the client's timing and both sides' retry counters.
summary_note() {
	note "$1: $(grep "iters in" "$TMP/$1.cli") | retransmits srv $(stat "$1" srv retransmits) cli $(stat "$1" cli retransmits), drops srv $(stat "$1" srv drops) cli $(stat "$1" cli drops)"
}

# both_pass NAME LABEL "ARGS": the same ARGS on both ends; a check named
# LABEL, and the summary note when it passed.
both_pass() {
	if rcpp "$1" "$3" "$3"; then
		pass "$2: both ends passed"
		summary_note "$1"
		return 0
	fi
	fail "$2: both ends passed"
	return 1
}

for spec in 1:200 64:200 1024:200 4096:100 65536:40; do
	s=${spec%:*}
	n=${spec#*:}
	both_pass "s$s" "RC pingpong -s $s -n $n -c" "-s $s -n $n -c" || continue
	check "  -s $s: ibv_rc_pingpong's result lines on both ends" result_lines "s$s" "$s" "$n"
	check "  -s $s: client checked $n echoes, server $n messages, none in ibv_rc_pingpong's pattern" \
		bash -c "grep -q -- '-c: $n echoes checked byte for byte' '$TMP/s$s.cli.err' &&
			grep -Eq -- '-c: $n messages checked: [0-9]+ in our client.s pattern, 0 in ibv_rc_pingpong.s' '$TMP/s$s.srv.err'"
	check "  -s $s: no frame dropped on either end" \
		test "$(stat "s$s" srv drops):$(stat "s$s" cli drops)" = 0:0
done

# IPv6: GID index 0 is the link-local address.
if pair_ll6; then
	check "RC pingpong over IPv6 link-local GIDs (-g 0, -s 4096 -c)" \
		rcpp ipv6 "-g 0 -s 4096 -n 50 -c" "-g 0 -s 4096 -n 50 -c"
	check "  IPv6: the server's remote GID is the client's link-local address" \
		grep -q "remote address: .* GID $LLA\$" "$TMP/ipv6.srv"
else
	skip "IPv6 link-local addresses missing on the veth pair"
fi

# Faults on both ends' receive paths: the transport must recover.
F="--drop 20000 --dup 10000 --reorder 10000 --seed"
if rcpp faults "-s 4096 -n 100 -c $F 7 --timeout 20000" "-s 4096 -n 100 -c $F 11 --timeout 20000"; then
	pass "RC pingpong with 2% drops, 1% duplicates, 1% reordering: both ends passed"
	summary_note faults
	check "  faults: retransmits counted" \
		test $(($(stat faults srv retransmits) + $(stat faults cli retransmits))) -gt 0
else
	fail "RC pingpong with 2% drops, 1% duplicates, 1% reordering: both ends passed"
fi

# Path MTU 4096 at netdev MTU 9000: a full packet (4096 bytes of payload
# and its headers) is larger than a 4096-byte umem frame, so it leaves and
# arrives as a chain of frames (AF_XDP multi-buffer, xdp_steer_mb). The
# client sends SIZE/4096 requests and one ACK per iteration, which the
# counters show exactly: at path MTU 1024 it would be 4 times as many.
# (Fault injection drops chains but neither duplicates nor reorders them.)
nsx "$NSA" ip link set dev "$VA" mtu 9000
nsx "$NSB" ip link set dev "$VB" mtu 9000
for spec in 4096:100 65536:40; do
	s=${spec%:*}
	n=${spec#*:}
	both_pass "m4k$s" "path MTU 4096, -s $s -n $n -c" "-m 4096 -s $s -n $n -c" || continue
	check "  path MTU 4096, -s $s: client checked $n echoes, server $n messages" \
		bash -c "grep -q -- '-c: $n echoes checked byte for byte' '$TMP/m4k$s.cli.err' &&
			grep -q -- '-c: $n messages checked' '$TMP/m4k$s.srv.err'"
	want=$((n * (s / 4096 + 1)))
	check "  path MTU 4096, -s $s: the client sent $want packets of 4096 bytes and ACKs ($(stat "m4k$s" cli tx))" \
		test "$(stat "m4k$s" cli tx)" = "$want"
	check "  path MTU 4096, -s $s: no frame dropped on either end" \
		test "$(stat "m4k$s" srv drops):$(stat "m4k$s" cli drops)" = 0:0
done
if rcpp m4kfaults "-m 4096 -s 65536 -n 30 -c $F 5 --timeout 20000" \
	"-m 4096 -s 65536 -n 30 -c $F 9 --timeout 20000"; then
	pass "path MTU 4096 with 2% drops, 1% duplicates, 1% reordering: both ends passed"
	summary_note m4kfaults
else
	fail "path MTU 4096 with 2% drops, 1% duplicates, 1% reordering: both ends passed"
fi
nsx "$NSA" ip link set dev "$VA" mtu 1500
nsx "$NSB" ip link set dev "$VB" mtu 1500

# ---- negative checks ----

# The check can fail: a -c server fed by a client without -c (0x7b at the
# page starts) reports it as ibv_rc_pingpong -c would.
if rcpp nochk "-s 4096 -n 5 -c --timeout 3000" "-s 4096 -n 5 --timeout 3000" >/dev/null; then
	fail "a -c server accepted unchecked data"
else
	check "a -c server fed unchecked data fails: invalid data in page 0" \
		grep -q "invalid data in page 0" "$TMP/nochk.srv.err"
fi

# A larger message than the receive buffer: the receiver's completion fails.
if rcpp sizes "-s 4096 -n 5 --timeout 3000" "-s 1024 -n 5 --timeout 3000" >/dev/null; then
	fail "a 1024-byte client with a 4096-byte server passed"
else
	check "mismatched sizes fail with a completion error or a length complaint" \
		grep -Eqi "Failed status|expected RECV of" "$TMP/sizes.cli.err" "$TMP/sizes.srv.err"
fi

t0=$EPOCHREALTIME
nsx "$NSA" "$PP" -d "$VA" -n 5 "$IPB" >"$TMP/nosrv.out" 2>"$TMP/nosrv.err"
rc=$?
check "client with no server fails at once (status $rc)" \
	bash -c "((rc=$rc)) && grep -q \"couldn't connect to $IPB:18515: Connection refused\" '$TMP/nosrv.err'"
nsx "$NSA" "$PP" -d "$VA" -n 5 -w 500 "$IPB" >"$TMP/nosrv2.out" 2>"$TMP/nosrv2.err"
rc=$?
check "client with no server and -w 500 gives up (status $rc)" \
	bash -c "((rc=$rc)) && grep -q 'Connection refused' '$TMP/nosrv2.err'"
nsx "$NSB" "$PP" -d "$VB" -n 5 -w 300 >"$TMP/nocli.out" 2>"$TMP/nocli.err"
rc=$?
check "server with no client and -w 300 gives up (status $rc)" \
	bash -c "((rc=$rc)) && grep -q 'no client on port 18515: Connection timed out' '$TMP/nocli.err'"
note "no-peer checks took $(secs_since "$t0") s"

# refused "ARGS" MESSAGE: exit status 1 and MESSAGE on stderr.
refused() {
	local out
	# shellcheck disable=SC2086
	out=$(nsx "$NSA" "$PP" $1 2>&1 >/dev/null)
	local rc=$?
	if ((rc == 1)) && grep -qF -- "$2" <<<"$out"; then
		return 0
	fi
	note "exit $rc: $out"
	return 1
}
check "refused: no interface" refused "-s 64" "no interface: give -d NETDEV"
check "refused: an RDMA device name" refused "-d rxe0" "no network interface rxe0 here"
check "refused: -e" refused "-d $VA -e" "-e (sleep on CQ events) is not supported"
check "refused: -o" refused "-d $VA -o" "(on-demand paging) is not supported"
check "refused: -t" refused "-d $VA -t" "(completion timestamps) is not supported"
check "refused: -j" refused "-d $VA -j" "(device memory) is not supported"
check "refused: -m 1500" refused "-d $VA -m 1500" "-m 1500 is not an IB MTU"
check "refused: -m 2048 at netdev MTU 1500" refused "-d $VA -m 2048" \
	"path MTU 2048 is above the active MTU 1024 of $VA"
check "refused: -s 0" refused "-d $VA -s 0" "-s '0' is not valid"
check "refused: -s abc" refused "-d $VA -s abc" "-s 'abc' is not valid"
check "refused: -r 0" refused "-d $VA -r 0" "-r '0' is not valid"
check "refused: -n -1" refused "-d $VA -n -1" "-n '-1' is not valid"
check "refused: -p 70000" refused "-d $VA -p 70000" "-p '70000' is not valid"
check "refused: -g 16" refused "-d $VA -g 16" "-g '16' is not valid"
check "refused: -g 5, an empty GID" refused "-d $VA -g 5" "GID index 5 of $VA is empty"
check "refused: -i 2 (IB port)" refused "-d $VA -i 2" "only port 1 exists"
check "refused: two servers" refused "-d $VA a b" "'b' is extra"
check "refused: --drop above 10^6" refused "-d $VA --drop 1000001" "--drop '1000001' is not valid"
check "refused: -z on veth (no zero-copy there)" refused "-d $VA -z" "the driver has no AF_XDP zero-copy"
check "refused: -z with --copy" refused "-d $VA -z --copy" "-z and --copy contradict each other"
check "auto mode names the mode it bound in (copy on veth)" \
	grep -q "^xp-rc-pingpong: device $VB: AF_XDP copy mode$" "$TMP/s1.srv.err"
check "accepted: -i 1 (IB port) with --help" bash -c "'$PP' -i 1 --help | grep -q 'a netdev name'"

check_pair_detached

summary
