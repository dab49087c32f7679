#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xpctl end to end, in namespaces of its own: attach/detach in native and
# generic mode, idempotence, counters under real traffic (ping, RoCEv2 UDP
# with and without an AF_XDP socket, a truncated BTH), QPN steering, foreign
# programs (refused without --force, replaced with it), programs attached by
# ip link and by bpftool, and separate maps per interface.
#
#   ns A: xa0 198.18.0.1/24, xa1 198.18.1.1/24   (XDP goes here)
#   ns B: xb0 198.18.0.2/24, xb1 198.18.1.2/24   (traffic comes from here)
set -uo pipefail

# shellcheck source=tests/lib/testlib.sh
source "$(dirname "$0")/../lib/testlib.sh"

require_root "test_xpctl"
XPCTL=$XP_BIN/xpctl
STEER_OBJ=$XP_BPF/xdp_steer.bpf.o
require_bin "$XPCTL"
if [[ ! -f $STEER_OBJ ]]; then
	fail "missing $STEER_OBJ: run make first"
	summary
	exit 1
fi

NSA=$(ns_name a)
NSB=$(ns_name b)
IFA=xa0$XP_TAG
IFB=xb0$XP_TAG
IFA1=xa1$XP_TAG
IFB1=xb1$XP_TAG
# Interface names have at most 15 characters.
IFA=${IFA:0:15} IFB=${IFB:0:15} IFA1=${IFA1:0:15} IFB1=${IFB1:0:15}
ADDR_A=198.18.0.1
ADDR_A1=198.18.1.1
ROCE_PORT=4791

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

if ! { make_ns "$NSA" && make_ns "$NSB" &&
	make_veth_pair "$NSA" "$IFA" $ADDR_A/24 "$NSB" "$IFB" 198.18.0.2/24 &&
	make_veth_pair "$NSA" "$IFA1" $ADDR_A1/24 "$NSB" "$IFB1" 198.18.1.2/24; }; then
	fail "set up namespaces and veth pairs"
	summary
	exit 1
fi

# xa ARGS: xpctl in namespace A. Every call's output lands in $out, status in $rc.
out=
rc=0
xa() {
	out=$(nsx "$NSA" "$XPCTL" "$@" 2>&1)
	rc=$?
}

# expect_ok NAME ARGS / expect_fail NAME PATTERN ARGS: exit status and output.
expect_ok() {
	local name=$1
	shift
	xa "$@"
	if ((rc == 0)); then
		pass "$name"
	else
		fail "$name (xpctl $* exited $rc)"
		note "$out"
	fi
}

expect_fail() {
	local name=$1 pattern=$2
	shift 2
	xa "$@"
	if ((rc != 0)) && grep -qE -- "$pattern" <<<"$out"; then
		pass "$name"
	else
		fail "$name (xpctl $* exited $rc, wanted failure matching '$pattern')"
		note "$out"
	fi
}

# has NAME PATTERN: the last xpctl output matches PATTERN.
has() {
	if grep -qE -- "$2" <<<"$out"; then
		pass "$1"
	else
		fail "$1 (no '$2' in the output)"
		note "$out"
	fi
}

# counter IFACE NAME: packets of a counter, from the text table of xpctl stats.
counter() {
	nsx "$NSA" "$XPCTL" stats "$1" | awk -v n="$2" '
		{ name = $1; if ($1 == "dropped") name = $1 " " $2 }
		name == n { print $(NF - 1); found = 1 }
		END { if (!found) print "missing" }'
}

# prog_id IFACE: what the kernel says is attached (ip link), 0 for nothing.
prog_id() {
	local id
	id=$(ip -n "$NSA" -d link show dev "$1" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	echo "${id:-0}"
}

# udp_noports: datagrams the kernel in ns A had no socket for (it saw them).
udp_noports() {
	# shellcheck disable=SC2016 # awk program
	nsx "$NSA" awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
			       else print $c["NoPorts"] }' /proc/net/snmp
}

# send_bth DST QPN [BYTES]: one UDP datagram to the RoCEv2 port from ns B,
# carrying a BTH (version 0, P_Key 0xffff) for QPN; BYTES overrides it.
send_bth() {
	local dst=$1 qpn=$2 bytes=${3:-}
	if [[ -z $bytes ]]; then
		bytes=$(printf '\\x04\\x00\\xff\\xff\\x00\\x%02x\\x%02x\\x%02x\\x80\\x00\\x00\\x01' \
			$(((qpn >> 16) & 255)) $(((qpn >> 8) & 255)) $((qpn & 255)))
		bytes+='\x00\x00\x00\x00' # room for an ICRC
	fi
	nsx "$NSB" bash -c "printf '$bytes' >/dev/udp/$dst/$ROCE_PORT"
}

# wait_count IFACE COUNTER MIN: counters are per-CPU and summed on read; the
# frame may still be in flight right after the send.
wait_count() {
	local i v
	for ((i = 0; i < 50; i++)); do
		v=$(counter "$1" "$2")
		[[ $v =~ ^[0-9]+$ ]] && ((v >= $3)) && break
		sleep 0.1
	done
	echo "$v"
}

# --- help and argument errors (no program needed) ---------------------------

expect_ok "xpctl --help" --help
has "xpctl --help lists the commands" "attach.*" && has "xpctl --help lists qpn" "qpn"
expect_ok "xpctl attach --help" attach --help
has "attach --help documents --mode" "--mode MODE"
expect_fail "unknown command refused" "unknown command 'frobnicate'" frobnicate
expect_fail "unknown interface refused" "no interface named 'nosuch0'" status nosuch0
expect_fail "attach on unknown interface refused" "no interface named 'nosuch0'" attach nosuch0
expect_fail "bad attach mode refused" "attach mode 'turbo' is unknown" attach "$IFA" --mode turbo
expect_fail "unknown option refused" "unrecognized option|Try 'xpctl stats --help'" \
	stats "$IFA" --bogus
expect_ok "status with nothing attached" status
has "status says nothing is attached" "no interface has an XDP program attached"
expect_fail "stats without a program explains" "no XDP program attached.*xpctl attach" \
	stats "$IFA"

# --- attach native, idempotence, status ---------------------------------------

expect_ok "attach native" attach "$IFA" --mode native
has "attach reports native mode" "native mode"
id1=$(prog_id "$IFA")
expect_ok "status $IFA" status "$IFA"
has "status shows our program in native mode" \
	"^$IFA \(ifindex [0-9]+\): xdp_steer id $id1, native mode, xdpath steering program"
has "status shows the map ids" "maps: xp_xsks id [0-9]+, xp_qpn id [0-9]+, xp_stats id [0-9]+"
expect_ok "attach again is a no-op" attach "$IFA" --mode native
has "second attach says already attached" "already attached \(id $id1\)"
check "second attach kept program id $id1" test "$(prog_id "$IFA")" = "$id1"
expect_ok "attach again in auto mode is a no-op" attach "$IFA"
check "auto attach kept program id $id1" test "$(prog_id "$IFA")" = "$id1"
expect_fail "attach generic over native refused" "not in the generic mode asked for" \
	attach "$IFA" --mode generic

# --- counters under traffic ------------------------------------------------------

p0=$(counter "$IFA" passed)
if nsx "$NSB" ping -c 3 -i 0.2 -W 2 -q $ADDR_A >/dev/null; then
	pass "ping across the steering program"
else
	fail "ping across the steering program"
fi
p1=$(wait_count "$IFA" passed $((p0 + 3)))
check "passed grew by at least 3 with ping ($p0 -> $p1)" test "$p1" -ge $((p0 + 3))

f0=$(counter "$IFA" redirect_failed)
n0=$(udp_noports)
send_bth $ADDR_A 0x000011
f1=$(wait_count "$IFA" redirect_failed $((f0 + 1)))
check "RoCEv2 without a socket counts redirect_failed ($f0 -> $f1)" test "$f1" -eq $((f0 + 1))
sleep 0.2
n1=$(udp_noports)
check "that datagram still reached the kernel (UDP NoPorts $n0 -> $n1)" test "$n1" -ge $((n0 + 1))

s0=$(counter "$IFA" "dropped short_bth")
send_bth $ADDR_A 0 '\x04\x00\xff\xff'
s1=$(wait_count "$IFA" "dropped short_bth" $((s0 + 1)))
check "a truncated BTH counts dropped short_bth ($s0 -> $s1)" test "$s1" -eq $((s0 + 1))
sleep 0.2
check "the truncated datagram did not reach the kernel" test "$(udp_noports)" -eq "$n1"

expect_ok "stats --json" stats "$IFA" --json
if command -v python3 >/dev/null; then
	if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["passed"]["packets"] >= 3 and "short_bth" in d["dropped"]' "$out" 2>/dev/null; then
		pass "stats --json parses and carries the counters"
	else
		fail "stats --json parses and carries the counters"
		note "$out"
	fi
else
	skip "stats --json parse check: no python3"
fi

expect_ok "stats -i 0.2 -c 3" stats "$IFA" -i 0.2 -c 3
check "stats -i printed 3 rows of rates" \
	test "$(grep -cE '^ +0\.[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$' <<<"$out")" -eq 3
expect_ok "stats -i 0.2 -c 2 --json" stats "$IFA" -i 0.2 -c 2 --json
check "stats -i --json printed 2 rate objects" \
	test "$(grep -c '"passed":{"packets_per_sec":' <<<"$out")" -eq 2

# -i without -c runs until SIGINT. (exec: the signal must reach xpctl itself,
# not a subshell, which ignores SIGINT in a script.)
(exec nsenter --net="/run/netns/$NSA" -- "$XPCTL" stats "$IFA" -i 0.2 >"$TMP/watch.out" 2>&1) &
wpid=$!
sleep 0.7
kill -INT $wpid
for ((i = 0; i < 30; i++)); do
	kill -0 $wpid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $wpid 2>/dev/null; then
	kill -KILL $wpid
	wait $wpid 2>/dev/null
	fail "stats -i stops on SIGINT (still running 3 s later)"
elif wait $wpid; then
	pass "stats -i stops cleanly on SIGINT"
	check "stats -i printed rows before SIGINT" \
		test "$(grep -cE '^ +0\.[0-9]+ ' "$TMP/watch.out")" -ge 2
else
	fail "stats -i stops cleanly on SIGINT (exit status not 0)"
	note "$(cat "$TMP/watch.out")"
fi

# --- QPN steering entries --------------------------------------------------------

expect_ok "qpn add decimal" qpn add "$IFA" 42 3
expect_ok "qpn add hex" qpn add "$IFA" 0xabcdef 255
expect_ok "qpn list" qpn list "$IFA"
has "qpn list shows 42 -> 3" "qpn 0x00002a \(42\) -> slot 3"
has "qpn list shows 0xabcdef -> 255" "qpn 0xabcdef \(11259375\) -> slot 255"
expect_ok "qpn add replaces the slot" qpn add "$IFA" 42 4
expect_ok "qpn list --json" qpn list "$IFA" --json
check "qpn list --json has both entries" \
	test "$out" = '[{"qpn":42,"slot":4},{"qpn":11259375,"slot":255}]'
expect_fail "QPN 2^24 refused" "QPN 0x1000000 is out of range" qpn add "$IFA" 0x1000000 1
expect_fail "QPN 16777216 refused" "QPN 16777216 is out of range" qpn add "$IFA" 16777216 1
expect_fail "slot 256 refused" "slot 256 is out of range" qpn add "$IFA" 7 256
expect_fail "QPN that is not a number refused" "QPN '12abc' is not a number" \
	qpn add "$IFA" 12abc 1
expect_fail "qpn add with a missing SLOT refused" "expected IFACE QPN SLOT" qpn add "$IFA" 7
expect_ok "qpn del" qpn del "$IFA" 0xabcdef
expect_fail "qpn del of a QPN not steered refused" "QPN 0xabcdef is not steered" \
	qpn del "$IFA" 0xabcdef
expect_ok "qpn del" qpn del "$IFA" 42
expect_ok "qpn list when empty" qpn list "$IFA"
has "qpn list says none are steered" "no QPNs steered"

# --- an AF_XDP socket in the steering map ---------------------------------------
# A small receiver built against the library: binds an AF_XDP socket (copy
# mode) to queue 0, puts it in an XSKMAP slot through xp_steer_set_xsk(),
# prints the destination QPN of each RoCEv2 frame it gets.

cat >"$TMP/xsk_rx.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
/* xsk_rx IFACE QUEUE SLOT SECONDS WANT */
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <time.h>
#include <xdp/xsk.h>
#include "xp_steer.h"

#define NFRAMES 64
#define FRAME 4096

int main(int argc, char **argv)
{
	struct xsk_socket_config scfg = { .rx_size = NFRAMES, .tx_size = NFRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD, .bind_flags = XDP_COPY };
	struct xsk_umem_config ucfg = { .fill_size = NFRAMES, .comp_size = NFRAMES,
		.frame_size = FRAME };
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xp_steer *steer;
	__u32 idx, i, slot, got = 0, want;
	int err;
	time_t end;
	void *area;

	if (argc != 6)
		return 2;
	slot = atoi(argv[3]);
	end = time(NULL) + atoi(argv[4]);
	want = atoi(argv[5]);
	area = mmap(NULL, NFRAMES * FRAME, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || xsk_umem__create(&umem, area, NFRAMES * FRAME, &fq, &cq, &ucfg)) {
		perror("umem");
		return 1;
	}
	/* The previous socket on this queue may still be in deferred teardown. */
	for (i = 0; (err = xsk_socket__create(&xsk, argv[1], atoi(argv[2]), umem, &rx, &tx, &scfg));
	     i++) {
		if (err != -EBUSY || i == 40) {
			fprintf(stderr, "xsk_socket__create: %s\n", strerror(-err));
			return 1;
		}
		usleep(50000);
	}
	if (xsk_ring_prod__reserve(&fq, NFRAMES, &idx) != NFRAMES)
		return 1;
	for (i = 0; i < NFRAMES; i++)
		*xsk_ring_prod__fill_addr(&fq, idx + i) = (__u64)i * FRAME;
	xsk_ring_prod__submit(&fq, NFRAMES);
	steer = xp_steer_open(if_nametoindex(argv[1]));
	if (!steer || xp_steer_set_xsk(steer, slot, xsk_socket__fd(xsk)))
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (got < want && time(NULL) < end) {
		struct pollfd pfd = { .fd = xsk_socket__fd(xsk), .events = POLLIN };
		__u32 n;

		poll(&pfd, 1, 100);
		n = xsk_ring_cons__peek(&rx, NFRAMES, &idx);
		for (i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, idx + i);
			const unsigned char *p = xsk_umem__get_data(area, d->addr);
			unsigned int l4 = 14 + (p[14] & 15) * 4, bth = l4 + 8;

			if (d->len >= bth + 12)
				printf("qpn 0x%02x%02x%02x\n", p[bth + 5], p[bth + 6], p[bth + 7]);
			xsk_ring_prod__reserve(&fq, 1, &idx);
			*xsk_ring_prod__fill_addr(&fq, idx) = d->addr;
			xsk_ring_prod__submit(&fq, 1);
		}
		xsk_ring_cons__release(&rx, n);
		got += n;
	}
	xp_steer_clear_xsk(steer, slot);
	xp_steer_close(steer);
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	printf("received %u\n", got);
	return 0;
}
EOF

# start_rx SLOT WANT: run the receiver in ns A in the background, wait until ready.
rx_pid=
# shellcheck disable=SC2016 # expands at exit, when the receiver may be running
on_exit '[[ -n $rx_pid ]] && kill $rx_pid'
start_rx() {
	: >"$TMP/rx.out"
	(exec nsenter --net="/run/netns/$NSA" -- "$TMP/xsk_rx" "$IFA" 0 "$1" 5 "$2" \
		>"$TMP/rx.out" 2>&1) &
	rx_pid=$!
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q '^ready' "$TMP/rx.out" && return 0
		kill -0 $rx_pid 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# The library's public headers: user/lib and its layers (user/lib/*/), the core.
lib_inc=(-I"$XP_ROOT/include")
for d in "$XP_ROOT"/core/*/ "$XP_ROOT"/user/lib/ "$XP_ROOT"/user/lib/*/; do
	lib_inc+=(-I"$d")
done
# shellcheck disable=SC2046
if ! ${CC:-gcc} -O2 "${lib_inc[@]}" "$TMP/xsk_rx.c" \
	"$XP_BUILD/lib/libxdpath.a" $(pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf) \
	-lelf -lz -o "$TMP/xsk_rx" 2>"$TMP/cc.err"; then
	skip "AF_XDP receive checks: cannot build the receiver ($(head -n1 "$TMP/cc.err"))"
elif ! start_rx 0 1; then
	skip "AF_XDP receive checks: the receiver did not start ($(head -n2 "$TMP/rx.out" | tr '\n' ' '))"
	kill $rx_pid 2>/dev/null
	wait $rx_pid 2>/dev/null
else
	r0=$(counter "$IFA" redirected)
	n0=$(udp_noports)
	send_bth $ADDR_A 0x000123
	wait $rx_pid
	check "a socket in its rx queue's slot receives RoCEv2" grep -q '^qpn 0x000123' "$TMP/rx.out"
	r1=$(counter "$IFA" redirected)
	check "redirected grew by 1 ($r0 -> $r1)" test "$r1" -eq $((r0 + 1))
	check "the redirected datagram bypassed the kernel" test "$(udp_noports)" -eq "$n0"

	# QPN 0x22 is steered to slot 7, where the socket sits; 0x33 is not
	# steered and its queue's slot (0) is empty now: redirect_failed.
	expect_ok "qpn add to the socket's slot" qpn add "$IFA" 0x22 7
	if start_rx 7 1; then
		f0=$(counter "$IFA" redirect_failed)
		send_bth $ADDR_A 0x000033
		send_bth $ADDR_A 0x000022
		wait $rx_pid
		check "the steered QPN reached the socket in slot 7" grep -q '^qpn 0x000022' "$TMP/rx.out"
		check "the unsteered QPN did not" test "$(grep -c '^qpn 0x000033' "$TMP/rx.out")" -eq 0
		f1=$(counter "$IFA" redirect_failed)
		check "the unsteered QPN counted redirect_failed ($f0 -> $f1)" test "$f1" -eq $((f0 + 1))
	else
		fail "receiver in slot 7 started"
		note "$(cat "$TMP/rx.out")"
	fi
	nsx "$NSA" "$XPCTL" qpn del "$IFA" 0x22 >/dev/null

	# Status lists bound sockets only where the kernel has xdp_diag.
	start_rx 0 1000 || note "receiver for the status check did not start: $(cat "$TMP/rx.out")"
	xa status "$IFA"
	if grep -q "CONFIG_XDP_SOCKETS_DIAG" <<<"$out"; then
		skip "status lists AF_XDP sockets: kernel built without CONFIG_XDP_SOCKETS_DIAG"
	else
		has "status lists the socket on queue 0 in copy mode with its rings" \
			"queue 0: inode [0-9]+, copy, rx 64, tx 64, fill 64, completion 64"
	fi
	kill $rx_pid 2>/dev/null
	wait $rx_pid 2>/dev/null
fi

# --- detach ------------------------------------------------------------------------

expect_ok "detach" detach "$IFA"
has "detach names the program" "detached XDP program 'xdp_steer' \(id $id1, native mode\)"
check "nothing attached after detach" test "$(prog_id "$IFA")" = 0
expect_ok "detach when nothing is attached" detach "$IFA"
has "detach says there was nothing" "nothing to detach"

# --- foreign programs ----------------------------------------------------------------

cat >"$TMP/foreign.bpf.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A pass-through program that is not ours. */
SEC("xdp")
int xp_foreign(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Named like ours, with a map named like ours but of another layout. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xp_stats SEC(".maps");

SEC("xdp")
int xdp_steer(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&xp_stats, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
EOF
if ! ${CLANG:-clang} -O2 -g -target bpf -I/usr/include/"$(uname -m)"-linux-gnu \
	-c "$TMP/foreign.bpf.c" -o "$TMP/foreign.bpf.o" 2>"$TMP/clang.err"; then
	skip "foreign program checks: cannot build one ($(head -n1 "$TMP/clang.err"))"
elif ! ip -n "$NSA" link set dev "$IFA" xdp obj "$TMP/foreign.bpf.o" program xp_foreign; then
	fail "attach a foreign program with ip link"
else
	fid=$(prog_id "$IFA")
	expect_ok "status of a foreign program" status "$IFA"
	has "status calls it foreign" "xp_foreign id $fid, native mode, not xdpath's"
	expect_fail "attach over a foreign program refused" \
		"already has XDP program 'xp_foreign' \(id $fid, native mode\) attached; detach it \(xpctl detach $IFA --force, or ip link set dev $IFA xdp off\) or pass --force" \
		attach "$IFA"
	check "the foreign program is still attached" test "$(prog_id "$IFA")" = "$fid"
	expect_fail "detach of a foreign program refused" "not xdpath's steering program; left in place" \
		detach "$IFA"
	check "the foreign program is still attached after detach" test "$(prog_id "$IFA")" = "$fid"
	expect_fail "stats on a foreign program refused" "not xdpath's steering program" \
		stats "$IFA"
	expect_fail "qpn add on a foreign program refused" "not xdpath's steering program" \
		qpn add "$IFA" 1 1
	expect_ok "attach --force replaces it" attach "$IFA" --force
	id2=$(prog_id "$IFA")
	check "a new program replaced the foreign one" test "$id2" != "$fid" -a "$id2" != 0
	expect_ok "status after the forced attach" status "$IFA"
	has "status shows ours after --force" "xdp_steer id $id2, native mode, xdpath steering program"
	expect_ok "detach ours" detach "$IFA"

	# A foreign generic program, replaced by a native attach.
	ip -n "$NSA" link set dev "$IFA" xdpgeneric obj "$TMP/foreign.bpf.o" program xp_foreign
	expect_fail "attach over a foreign generic program refused" "'xp_foreign' .*generic mode" \
		attach "$IFA" --mode native
	expect_ok "attach --force --mode native over a generic program" attach "$IFA" --force \
		--mode native
	expect_ok "status" status "$IFA"
	has "native steering program replaced the generic one" "xdp_steer id [0-9]+, native mode"

	# detach --force takes a foreign program off.
	expect_ok "detach ours again" detach "$IFA"
	ip -n "$NSA" link set dev "$IFA" xdp obj "$TMP/foreign.bpf.o" program xp_foreign
	expect_ok "detach --force of a foreign program" detach "$IFA" --force
	check "nothing attached after detach --force" test "$(prog_id "$IFA")" = 0

	# An impostor: named xdp_steer, maps not ours.
	ip -n "$NSA" link set dev "$IFA" xdp obj "$TMP/foreign.bpf.o" program xdp_steer
	expect_ok "status of an impostor named xdp_steer" status "$IFA"
	has "a program named xdp_steer without our maps is not ours" "xdp_steer id [0-9]+, native mode, not xdpath's"
	expect_fail "attach over the impostor refused" "already has XDP program 'xdp_steer'" attach "$IFA"
	ip -n "$NSA" link set dev "$IFA" xdp off
fi

# --- programs attached by other tools ---------------------------------------------------

if ip -n "$NSA" link set dev "$IFA" xdp obj "$STEER_OBJ" sec xdp; then
	iid=$(prog_id "$IFA")
	expect_ok "status of xdp_steer attached by ip link" status "$IFA"
	has "ip link's xdp_steer counts as ours" "xdp_steer id $iid, native mode, xdpath steering program"
	p0=$(counter "$IFA" passed)
	nsx "$NSB" ping -c 2 -i 0.2 -W 2 -q $ADDR_A >/dev/null
	p1=$(wait_count "$IFA" passed $((p0 + 2)))
	check "stats count on ip link's program ($p0 -> $p1)" test "$p1" -ge $((p0 + 2))
	expect_ok "qpn add on ip link's program" qpn add "$IFA" 5 1
	expect_ok "attach over ip link's program is a no-op" attach "$IFA"
	check "ip link's program stays" test "$(prog_id "$IFA")" = "$iid"
	expect_ok "detach ip link's program" detach "$IFA"
else
	fail "ip link set dev $IFA xdp obj $STEER_OBJ sec xdp"
fi

pin=/sys/fs/bpf/xpctl_test_$XP_TAG
on_exit rm -f "$pin"
if bpftool prog load "$STEER_OBJ" "$pin" type xdp >/dev/null 2>&1 &&
	nsx "$NSA" bpftool net attach xdpgeneric pinned "$pin" dev "$IFA"; then
	rm -f "$pin"
	bid=$(prog_id "$IFA")
	expect_ok "status of xdp_steer attached by bpftool" status "$IFA"
	has "bpftool's xdp_steer counts as ours, generic mode" \
		"xdp_steer id $bid, generic mode, xdpath steering program"
	p0=$(counter "$IFA" passed)
	nsx "$NSB" ping -c 2 -i 0.2 -W 2 -q $ADDR_A >/dev/null
	p1=$(wait_count "$IFA" passed $((p0 + 2)))
	check "stats count on bpftool's program ($p0 -> $p1)" test "$p1" -ge $((p0 + 2))
	expect_ok "detach bpftool's program" detach "$IFA"
else
	fail "bpftool prog load + bpftool net attach xdpgeneric"
fi

# --- MTU 9000: frames of several buffers (xdp.frags) ------------------------------------

ip -n "$NSA" link set dev "$IFA" mtu 9000
ip -n "$NSB" link set dev "$IFB" mtu 9000
expect_ok "attach at MTU 9000" attach "$IFA"
has "at MTU 9000 auto attaches xdp_steer_mb" "steering program xdp_steer_mb attached \(id [0-9]+\), native mode"
expect_ok "status at MTU 9000" status "$IFA"
has "xdp_steer_mb counts as ours" "xdp_steer_mb id [0-9]+, native mode, xdpath steering program"
p0=$(counter "$IFA" passed)
nsx "$NSB" ping -c 2 -i 0.2 -W 2 -q -s 8000 $ADDR_A >/dev/null
p1=$(wait_count "$IFA" passed $((p0 + 2)))
check "8028-byte pings (several buffers) pass and count ($p0 -> $p1)" test "$p1" -ge $((p0 + 2))
expect_ok "detach xdp_steer_mb" detach "$IFA"
expect_fail "--frags off at MTU 9000 is refused, with the way out" \
	"refuses xdp_steer at MTU 9000.*attach xdp_steer_mb" attach "$IFA" --frags off --mode native
check "nothing left attached after the refusal" test "$(prog_id "$IFA")" = 0
expect_fail "--frags bogus refused" "--frags 'bogus' is unknown" attach "$IFA" --frags bogus
if ip -n "$NSA" link set dev "$IFA" xdp obj "$STEER_OBJ" sec xdp.frags; then
	expect_ok "status of xdp_steer_mb attached by ip link (sec xdp.frags)" status "$IFA"
	has "ip link's xdp_steer_mb counts as ours" "xdp_steer_mb id [0-9]+, native mode, xdpath steering program"
	expect_ok "detach ip link's xdp_steer_mb" detach "$IFA"
else
	fail "ip link set dev $IFA xdp obj $STEER_OBJ sec xdp.frags at MTU 9000"
fi
check "ip link's sec xdp (no frags) is refused at MTU 9000 by the kernel" \
	bash -c "! ip -n '$NSA' link set dev '$IFA' xdp obj '$STEER_OBJ' sec xdp 2>/dev/null"
ip -n "$NSA" link set dev "$IFA" xdp off 2>/dev/null
expect_ok "--frags on at MTU 1500 too" attach "$IFA1" --frags on
has "--frags on attaches xdp_steer_mb" "steering program xdp_steer_mb attached"
expect_ok "detach $IFA1" detach "$IFA1"
ip -n "$NSB" link set dev "$IFB" mtu 1500
ip -n "$NSA" link set dev "$IFA" mtu 1500

# --- two interfaces, generic mode, mode switches ---------------------------------------

expect_ok "attach -v $IFA" -v attach "$IFA"
has "-v shows libbpf's debug output" "^libbpf: "
has "-v shows the library's debug output" "xdpath: $IFA: steering program xdp_steer attached in native mode"
expect_ok "attach $IFA1 generic" attach "$IFA1" --mode generic
has "generic attach reports generic mode" "generic mode"
expect_ok "status of every interface" status
has "status lists $IFA" "^$IFA \(ifindex [0-9]+\): xdp_steer id [0-9]+, native mode"
has "status lists $IFA1" "^$IFA1 \(ifindex [0-9]+\): xdp_steer id [0-9]+, generic mode"
maps0=$(nsx "$NSA" "$XPCTL" status "$IFA" | sed -n 's/.*maps: //p')
maps1=$(nsx "$NSA" "$XPCTL" status "$IFA1" | sed -n 's/.*maps: //p')
ids0=$(grep -oE '[0-9]+' <<<"$maps0" | sort)
ids1=$(grep -oE '[0-9]+' <<<"$maps1" | sort)
common=$(comm -12 <(echo "$ids0") <(echo "$ids1"))
if [[ -n $maps0 && -n $maps1 && -z $common ]]; then
	pass "two interfaces have different map ids ($maps0 / $maps1)"
else
	fail "two interfaces have different map ids ($maps0 / $maps1)"
fi
check "ip link shows $IFA1 in generic mode" \
	bash -c "ip -n '$NSA' link show dev '$IFA1' | grep -q xdpgeneric"
p0=$(counter "$IFA1" passed)
nsx "$NSB" ping -c 2 -i 0.2 -W 2 -q $ADDR_A1 >/dev/null
p1=$(wait_count "$IFA1" passed $((p0 + 2)))
check "generic mode counts too ($p0 -> $p1)" test "$p1" -ge $((p0 + 2))
expect_ok "qpn add on $IFA1" qpn add "$IFA1" 77 2
expect_ok "qpn list on $IFA" qpn list "$IFA"
has "a QPN added on $IFA1 is not on $IFA" "no QPNs steered"
expect_fail "attach native over our generic program refused" "not in the native mode asked for" \
	attach "$IFA1" --mode native
expect_ok "attach --force --mode native switches modes" attach "$IFA1" --mode native --force
expect_ok "status $IFA1" status "$IFA1"
has "$IFA1 now runs native" "xdp_steer id [0-9]+, native mode, xdpath steering program"

expect_ok "detach $IFA" detach "$IFA"
expect_ok "detach $IFA1" detach "$IFA1"
expect_ok "status after detaching everything" status
has "no XDP program left" "no interface has an XDP program attached"

summary
