# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of vm/test_rxe_kmod_interop: xp_rxe against Linux's rdma_rxe,
# one guest each, on the same wire; A's frames reach xp_rxe through XDP
# (bpf/xdp_rxe.bpf.o on eth0, the kfunc). First unmodified rdma-core
# programs (rdma-core's rxe provider drives xp_rxe through its user ABI):
# ibv_devinfo on A, ibv_rc_pingpong with 1 B to 1 MiB messages and with
# completion events, ibv_ud_pingpong, ibv_srq_pingpong (16 QPs on one SRQ),
# rping, perftest's bandwidth and latency tests, each with xp_rxe as the
# server and as the client. Then the
# kernel client, through rdma_cm (kmod/rxe_test, rxe_test_peer.c: a SEND, a
# WRITE into the server's fast-reg MR, a READ of it back, a fetch-and-add,
# a last SEND, each side checking; then the server invalidates the MR and a
# WRITE with its stale rkey is refused), A the client of B, then the other
# way round. Then the QPN split (split_part) and the fault parts (fault_part).
# With XP_PAIR=1, B is xp_rxe too, without an XDP program: the rdma-core
# parts with A serving, and the kernel client both ways.
#
#   XP_ROLE     a (xp_rxe) or b (rdma_rxe; xp_rxe with XP_PAIR=1)
#   XP_PEER     the other guest's address
#   XP_SERVERS  which of a and b serve the rdma-core parts (default "b a")
# Each kernel part prints "PEERPART ROLE NAME STATUS" for the host, each
# rdma-core part "USERPART ROLE NAME STATUS", an xp_rxe server of the kernel
# part "RKEYREFUSED BEFORE AFTER" (its mr_rkey_refused around it); guest A
# also prints "DEVINFO STATUS", "XDPPROG" with the program's mode and id,
# "COUNTER NAME N" for xrxe0's counters (B for its own with XP_PAIR=1),
# "SPLIT ..." and "SPLITQPN ..." (split_part), and after each fault part
# "FAULT PART NAME N". Needs ib_core, ib_uverbs, rdma_cm, rdma_ucm (xpvm -m), rdma_rxe on b,
# the rdma-core and perftest programs of xpvm -b default, iproute2's ip,
# and on a /xp/files/xdp_rxe.bpf.o and /xp/bin/xp-rc-pingpong.

test_ko=/xp/kmod/xp_rxe_test.ko
[ -f $test_ko ] || xp_fail "$test_ko missing (make kmod)"

# kpart NAME ARGS...: the kernel client with ARGS; its checks and status.
kpart() {
	_name=$1
	shift
	xp_step "$XP_ROLE: $_name"
	dmesg -c >/dev/null
	insmod $test_ko "$@"
	_rc=$?
	dmesg | grep 'xp_rxe_test:'
	if [ $_rc = 0 ] && dmesg | grep -q 'xp_rxe_test: [1-9][0-9]* passed, 0 failed'; then
		echo "PEERPART $XP_ROLE $_name 0"
	else
		echo "PEERPART $XP_ROLE $_name 1"
	fi
	rmmod xp_rxe_test 2>/dev/null
	return 0
}

# kserver DEV: kpart server on xp_rxe's DEV, with DEV's mr_rkey_refused
# before and after it (the client's WRITE with the stale rkey, refused).
kserver() {
	_rk=/sys/class/infiniband/$1/ports/1/hw_counters/mr_rkey_refused
	_r0=$(cat "$_rk")
	kpart server listen=1
	echo "RKEYREFUSED $_r0 $(cat "$_rk")"
}

# upart NAME SERVER-ROLE OK [-s SERVER-OK] CMD...: CMD as the server when
# this guest has SERVER-ROLE, else as the client of XP_PEER, again while the
# server does not listen yet; the part passes when CMD exits 0 and prints a
# line that matches the extended regular expression OK (SERVER-OK on the
# server, if given). Prints CMD's output, its time and USERPART.
upart() {
	_name=$1 _srv=$2 _ok=$3
	shift 3
	if [ "$1" = -s ]; then
		[ "$XP_ROLE" != "$_srv" ] || _ok=$2
		shift 2
	fi
	xp_step "$XP_ROLE: $_name"
	_t0=$(xp_now)
	if [ "$XP_ROLE" = "$_srv" ]; then
		timeout 120 "$@" >/tmp/part.log 2>&1
		_rc=$?
		# A server process that died of a signal (once, rdma_rxe's
		# ibv_rc_pingpong server: SIGSEGV) serves once more, long
		# enough for the client to give up its first try and come back.
		if [ $_rc -gt 128 ] && [ $_rc != 137 ]; then
			cat /tmp/part.log
			echo "RETRY $XP_ROLE $_name: the server died of signal $((_rc - 128))"
			dmesg | grep -E 'segfault|traps:' | tail -n 2
			timeout 240 "$@" >/tmp/part.log 2>&1
			_rc=$?
		fi
	else
		xp_connect 200 /tmp/part.log timeout 120 "$@" "$XP_PEER"
		_rc=$?
		# The client of a server that died gives up after its time: once
		# more, to the server serving again (above).
		if [ $_rc = 124 ]; then
			cat /tmp/part.log
			echo "RETRY $XP_ROLE $_name: the client timed out"
			xp_connect 200 /tmp/part.log timeout 120 "$@" "$XP_PEER"
			_rc=$?
		fi
	fi
	cat /tmp/part.log
	echo "($(xp_secs "$_t0") s)"
	upart_verdict "$_name" "$_rc" "$_ok"
	# A pause: the next part's server must listen before its client gives up.
	sleep 1
}

# upart_verdict NAME STATUS OK: USERPART for /tmp/part.log.
upart_verdict() {
	if [ "$2" = 0 ] && grep -Eq "$3" /tmp/part.log; then
		echo "USERPART $XP_ROLE $1 0"
	else
		echo "USERPART $XP_ROLE $1 1 (status $2)"
		# What the device saw: its counters, rdma_rxe's or ours.
		grep -H . /sys/class/infiniband/*/ports/1/hw_counters/* | grep -v ':0$'
	fi
}

# rping_part NAME SERVER-ROLE: rping through rdma_cm, 10 pings with their
# data checked (-V), as the server or as the client; the client retries
# while the server's listener is not up (a rejected connection). Debian
# 12's rping (rdma-core 44) may exit 255 after a run that passed: its CM
# thread, after the last event, calls rdma_get_cm_event() on the channel
# the main thread has just destroyed (fixed in rdma-core v59 by
# f3ae6534a, "rping: terminate CM event thread before exiting"). When that
# failure, after the disconnect, is the only line rping did not print on
# a good run, the status counts as 0 and a RPINGRACE line says so.
rping_part() {
	_name=$1
	xp_step "$XP_ROLE: $_name"
	_t0=$(xp_now)
	if [ "$XP_ROLE" = "$2" ]; then
		timeout 120 rping -s -a 0.0.0.0 -C 10 -V -v >/tmp/part.log 2>&1
		_rc=$?
	else
		_i=0
		while :; do
			timeout 120 rping -c -a "$XP_PEER" -C 10 -V -v >/tmp/part.log 2>&1
			_rc=$?
			grep -Eq 'REJECTED|UNREACHABLE|connect error' /tmp/part.log || break
			_i=$((_i + 1))
			[ $_i -lt 100 ] || break
			sleep 0.3
		done
	fi
	cat /tmp/part.log
	echo "($(xp_secs "$_t0") s)"
	if [ $_rc = 255 ] && grep -Eq '^(client|server) DISCONNECT EVENT' /tmp/part.log &&
		[ "$(grep -Ev '^((server )?ping data: rdma-ping-[0-9]+: |(client|server) DISCONNECT EVENT|wait for RDMA_READ_ADV state)' \
			/tmp/part.log)" = "rdma_get_cm_event: Bad file descriptor" ]; then
		echo "RPINGRACE $XP_ROLE $_name: exit 255 from rping's CM thread after the disconnect"
		_rc=0
	fi
	upart_verdict "$_name" "$_rc" 'ping data: rdma-ping-9: '
	sleep 1
}

# The rdma-core parts on device $1: rdma_rxe (b) serving them all, then
# xp_rxe (a). Both orders are deliberate: when B's ibv_rc_pingpong server
# starts soon after B's previous client exited, that server (rdma_rxe, or
# its provider) may never leave its polling loop, with rdma_rxe on A as
# much as with xp_rxe (docs/rxe.md).
user_parts() {
	_pp='^[0-9]+ iters in [0-9.]+ seconds'
	# perftest's result row: size, iterations, then figures.
	_pt='^ *[0-9]+ +100 +[0-9.]+ +[0-9.]+'
	# The roles the host asks for (XP_SERVERS: who serves), by default both.
	for _srv in ${XP_SERVERS:-b a}; do
		for _s in 1 4096 65536 1048576; do
			# 1 MiB messages: fewer round trips, the same coverage.
			_n=100
			[ $_s -lt 1048576 ] || _n=20
			upart "pp-$_s-$_srv-serves" "$_srv" "$_pp" ibv_rc_pingpong -d "$1" -g 1 -s $_s -n $_n
		done
		upart "pp-events-$_srv-serves" "$_srv" "$_pp" ibv_rc_pingpong -d "$1" -g 1 -e -n 100
		upart "ud-$_srv-serves" "$_srv" "$_pp" ibv_ud_pingpong -d "$1" -g 1 -s 1024 -n 100
		upart "srq-$_srv-serves" "$_srv" "$_pp" ibv_srq_pingpong -d "$1" -g 1 -s 4096 -n 100
		rping_part "rping-$_srv-serves" "$_srv"
		upart "write-bw-$_srv-serves" "$_srv" "$_pt" ib_write_bw -d "$1" -x 1 -F -s 65536 -n 100
		upart "read-bw-$_srv-serves" "$_srv" "$_pt" ib_read_bw -d "$1" -x 1 -F -s 65536 -n 100
		upart "send-lat-$_srv-serves" "$_srv" "$_pt" ib_send_lat -d "$1" -x 1 -F -s 64 -n 100
		# The target of READs measures nothing: it only sees the exchange.
		upart "read-lat-$_srv-serves" "$_srv" "$_pt" -s '^ remote address: ' ib_read_lat -d "$1" -x 1 -F -s 64 -n 100
		upart "atomic-bw-$_srv-serves" "$_srv" "$_pt" ib_atomic_bw -d "$1" -x 1 -F -n 100
	done
}

# split_part DEV: the QPN split. On A, two clients at once on eth0 and one
# address: our AF_XDP engine (/xp/bin/xp-rc-pingpong, QPNs from 17) and
# ibv_rc_pingpong on xp_rxe (QPNs from its qpn_first, 0x10000). xdp_rxe
# sends the engine's QPNs (in its map) to the engine's socket and the rest
# to xp_rxe. On B, two ibv_rc_pingpong -c servers on rdma_rxe, one for
# each. Prints "SPLIT ROLE WHO STATUS" for each program and, on A,
# "SPLITQPN engine|kernel QPN".
# shellcheck disable=SC2086 # $_c is the options, split on purpose
split_part() {
	xp_step "$XP_ROLE: split"
	_c='-g 1 -m 1024 -c -s 65536 -n 100'
	if [ "$XP_ROLE" = b ]; then
		timeout 120 ibv_rc_pingpong -d "$1" $_c -p 18530 >/tmp/se.log 2>&1 &
		_pe=$!
		timeout 120 ibv_rc_pingpong -d "$1" $_c -p 18531 >/tmp/sk.log 2>&1 &
		_pk=$!
	else
		# The engine takes the peer's MAC from the neighbour table.
		ping -c 1 -W 1 "$XP_PEER" >/dev/null
		timeout 120 /xp/bin/xp-rc-pingpong -d eth0 $_c -p 18530 -w 60000 "$XP_PEER" \
			>/tmp/se.log 2>&1 &
		_pe=$!
		xp_connect 200 /tmp/sk.log timeout 120 ibv_rc_pingpong -d "$1" $_c -p 18531 "$XP_PEER" &
		_pk=$!
	fi
	wait $_pe
	_re=$?
	wait $_pk
	_rk=$?
	for _w in e k; do
		echo "-- ${_w}:"
		cat /tmp/s$_w.log
	done
	# ibv_rc_pingpong -c only reports bad data ("invalid data"), with status 0.
	grep -q 'invalid data' /tmp/se.log && _re=99
	grep -q 'invalid data' /tmp/sk.log && _rk=99
	echo "SPLIT $XP_ROLE engine $_re"
	echo "SPLIT $XP_ROLE kernel $_rk"
	if [ "$XP_ROLE" = a ]; then
		for _w in e k; do
			_q=$(sed -n 's/.*local address:.*QPN \(0x[0-9a-f]*\).*/\1/p' /tmp/s$_w.log | head -n 1)
			[ $_w = e ] && echo "SPLITQPN engine ${_q:-none}" || echo "SPLITQPN kernel ${_q:-none}"
		done
	fi
	sleep 1
}

# fault_part NAME DEV XDP DROP DUP REORDER: perftest's ib_write_bw, 64 KiB
# x 100, from B into A (xp_rxe), with faults injected into A's receive
# path (its fault_* parameters, in ppm) and xdp_rxe on eth0 (XDP on) or
# not (off: the rx_handler path, where the core can also duplicate and
# reorder). Not ibv_rc_pingpong: each side exits, its QP with it, as soon
# as it has its own completions, while the other may still wait for an
# ACK from it; when the faulty receive path loses that ACK, the waiting
# side retries for ever (retry_cnt 7 means no limit, in rxe as here) at a
# QP that is gone. perftest shakes hands over TCP before either side
# destroys its QP, so every lost frame has a sender left to resend it.
# A prints its counters after it as "FAULT NAME COUNTER VALUE", and how
# many frames each receive path took during it as "FAULT NAME
# rx_xdp_frames|rx_handler_frames +N".
fault_part() {
	_p=/sys/module/xp_rxe/parameters
	_hw=/sys/class/infiniband/$2/ports/1/hw_counters
	if [ "$XP_ROLE" = a ]; then
		_x0=$(cat "$_hw/rx_xdp_frames") _h0=$(cat "$_hw/rx_handler_frames")
		[ "$3" = on ] || xp_run /usr/bin/ip link set dev eth0 xdp off
		if ! { echo "$4" >$_p/fault_drop_ppm && echo "$5" >$_p/fault_dup_ppm &&
			echo "$6" >$_p/fault_reorder_ppm; }; then
			xp_fail "setting xp_rxe's fault_* parameters"
		fi
	fi
	upart "$1" a '^ *65536 +100 +[0-9.]+ +[0-9.]+' ib_write_bw -d "$2" -x 1 -F -s 65536 -n 100
	[ "$XP_ROLE" = a ] || return 0
	echo 0 >$_p/fault_drop_ppm && echo 0 >$_p/fault_dup_ppm && echo 0 >$_p/fault_reorder_ppm
	for _c in rx_drop_fault rx_fault_dups rx_fault_reorders rc_retransmits rc_timeouts \
		rc_seq_naks_sent rc_seq_naks_rcvd rc_dup_requests rc_out_of_seq; do
		echo "FAULT $1 $_c $(cat "$_hw/$_c")"
	done
	echo "FAULT $1 rx_xdp_frames +$(($(cat "$_hw/rx_xdp_frames") - _x0))"
	echo "FAULT $1 rx_handler_frames +$(($(cat "$_hw/rx_handler_frames") - _h0))"
}

# The fault parts, after every other (their frames would spoil the path
# counters above): drops, duplicates and reordering through XDP, then
# without XDP. On A the XDP program is off afterwards.
fault_parts() {
	if [ "$XP_ROLE" = a ]; then
		# Refused, with the reason in the log: too much, and no number.
		_p=/sys/module/xp_rxe/parameters
		if ! echo 2000000 >$_p/fault_drop_ppm 2>/dev/null &&
			echo 600000 >$_p/fault_drop_ppm &&
			! echo 600000 >$_p/fault_dup_ppm 2>/dev/null &&
			! echo many >$_p/fault_seed 2>/dev/null &&
			echo 0 >$_p/fault_drop_ppm &&
			dmesg | grep -q 'fault_drop_ppm=2000000 refused' &&
			dmesg | grep -q 'fault_dup_ppm=600000 refused' &&
			dmesg | grep -q "fault_seed: 'many' is not a number" &&
			[ "$(cat $_p/fault_dup_ppm)" = 0 ]; then
			echo "FAULTREFUSE 0"
		else
			echo "FAULTREFUSE 1"
		fi
	fi
	fault_part faults-xdp "$1" on 10000 10000 10000
	fault_part faults-skb "$1" off 10000 10000 10000
}

xp_wait_peer "$XP_PEER" 120
modprobe ib_uverbs || xp_fail "modprobe ib_uverbs"
modprobe rdma_ucm || xp_fail "modprobe rdma_ucm"
if [ "$XP_ROLE" = a ]; then
	xp_step "a: xp_rxe on eth0, fed by xdp_rxe"
	# The XDP receive path: every RoCEv2 frame to xrxe0 through the kfunc,
	# none through the rx_handler (checked on the host from the counters).
	xp_xprxe_up eth0 xrxe0 /xp/files/xdp_rxe.bpf.o
	xp_step "a: rdma-core's rxe provider on xrxe0"
	ibv_devinfo -d xrxe0 -v >/tmp/devinfo.log 2>&1
	_rc=$?
	cat /tmp/devinfo.log
	if [ $_rc = 0 ] && grep -q PORT_ACTIVE /tmp/devinfo.log; then
		echo "DEVINFO 0"
	else
		echo "DEVINFO 1 (status $_rc)"
	fi
	user_parts xrxe0
	kpart client peer="$XP_PEER"
	kserver xrxe0
	[ -n "${XP_PAIR:-}" ] || split_part xrxe0
	cnt=/sys/class/infiniband/xrxe0/ports/1/hw_counters
	for c in rx_frames tx_frames loopback_frames tx_dropped rx_nomem rx_xdp_frames \
		rx_handler_frames xdp_declined; do
		echo "COUNTER $c $(cat $cnt/$c)"
	done
	grep -H . $cnt/rx_drop_* $cnt/rx_parse_* | grep -v ':0$'
	# The second takes the XDP program off (it pins the module: it calls
	# the kfunc), as rmmod needs.
	if [ -z "${XP_PAIR:-}" ]; then
		fault_parts xrxe0
	else
		xp_run /usr/bin/ip link set dev eth0 xdp off
	fi
	xp_run rdma link delete xrxe0
	xp_run rmmod xp_rxe
elif [ -z "${XP_PAIR:-}" ]; then
	xp_step "b: rdma_rxe on eth0"
	xp_rxe_up eth0 rxe0
	user_parts rxe0
	kpart server listen=1
	kpart client peer="$XP_PEER"
	split_part rxe0
	fault_parts rxe0
else
	# xp_rxe against xp_rxe: B's takes every frame through its rx_handler.
	xp_step "b: xp_rxe on eth0, no XDP program"
	xp_xprxe_up eth0 rxe0
	user_parts rxe0
	kserver rxe0
	kpart client peer="$XP_PEER"
	for c in rx_frames rx_xdp_frames rx_handler_frames; do
		echo "COUNTER $c $(cat /sys/class/infiniband/rxe0/ports/1/hw_counters/$c)"
	done
	xp_run rdma link delete rxe0
	xp_run rmmod xp_rxe
fi
xp_kernel_quiet
