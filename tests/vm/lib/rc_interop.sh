# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# RC interop with kernel rdma_rxe, shared by vm/test_rc_interop (our
# xp-rc-pingpong in a host-side namespace, copy mode on veth) and
# vm/test_rc_zc (ours in a guest of its own, zero-copy on virtio-net).
# The rxe guest runs tests/vm/guest/rc_interop.sh against $OURS_IP.
#
# For each size of $SIZES, the rxe guest serves `ibv_rc_pingpong -g 1
# -m 1024 -c -s SIZE -n N` and we are the client, then we serve and it is
# the client. Each side's exit status is its verdict; ibv_rc_pingpong -c's
# server also must print no "invalid data" line; ours checks every echo
# (client) or message (server) byte for byte, and reports its device's drops
# (none expected). Negative controls: our 64-byte client against a
# 1024-byte server must fail with a length error (and the guest's server
# with a NAK), and our -c server must refuse a guest client without -c.
#
# Sourced after vm_require, it sets PP, TMP (removed at exit), ITERS and
# SIZES (XP_RC_ITERS, XP_RC_SIZES), PORT_G (the rxe guest serves there) and
# PORT_H (we serve there), and OURS_RUN=rc_host_ours. The suite sets
# GUEST_IP (the rxe guest), KVER, HOSTNS, RC_PMTU if not 1024 (the guest
# gets it as XP_PMTU), and OURS_RUN if ours runs elsewhere: a command that
# runs xp-rc-pingpong with NAME SECONDS ARGS... (output in $TMP/NAME.out and
# NAME.err, its status).

PP=$XP_BIN/xp-rc-pingpong
require_bin "$PP"
ITERS=${XP_RC_ITERS:-100}
SIZES=${XP_RC_SIZES:-1 4096 65536}
PORT_G=18515
PORT_H=18516
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# rc_host_ours NAME SECONDS ARGS...: xp-rc-pingpong in the host namespace.
rc_host_ours() {
	vm_host_run "$1" "$2" "$PP" "${@:3}"
}
OURS_RUN=rc_host_ours

# ours NAME ARGS...: xp-rc-pingpong on eth0 wherever the suite runs it, at
# path MTU $RC_PMTU (default 1024).
ours() {
	"$OURS_RUN" "$1" 90 -d eth0 -g 1 -m "${RC_PMTU:-1024}" "${@:2}"
}

# drops NAME: the frames our device dropped (its counter line), or 999999.
drops() {
	local d
	d=$(sed -n 's/^xp-rc-pingpong: device: .*drops \([0-9]*\)$/\1/p' "$TMP/$1.err")
	echo "${d:-999999}"
}

# report NAME: our result lines and counters, and what went wrong.
report() {
	note "$1: $(grep -E 'iters in' "$TMP/$1.out" | tr '\n' ';')"
	grep -E '^xp-rc-pingpong: (qp|-c)' "$TMP/$1.err" | sed "s/^xp-rc-pingpong: /    # $1: /"
	grep -vE "ready, listening|^xp-rc-pingpong: (qp|-c|device)|^xdpath: .*: no zero-copy" "$TMP/$1.err" |
		sed "s/^/    # $1: /" | head -10
	[[ $(drops "$1") == 0 ]] || note "$1: our device dropped frames: $(grep device: "$TMP/$1.err")"
}

# rc_runs [ARGS...]: every run against the rxe guest, ARGS added to each of
# ours. Results in rc_c, rc_s (by size), drops_total, rc_neg_size, rc_neg_chk.
declare -A rc_c rc_s
rc_runs() {
	local s
	drops_total=0
	for s in $SIZES; do
		# -w: retry while the guest does not listen yet (rxe set-up, the run before).
		ours "c$s" "$@" -c -s "$s" -n "$ITERS" -p "$PORT_G" -w 60000 "$GUEST_IP"
		rc_c[$s]=$?
		report "c$s"
		ours "s$s" "$@" -c -s "$s" -n "$ITERS" -p "$PORT_H" -w 60000
		rc_s[$s]=$?
		report "s$s"
		drops_total=$((drops_total + $(drops "c$s") + $(drops "s$s")))
	done
	# Negative controls: echoes of 1024 bytes into our 64-byte buffers;
	# a guest client without -c for our -c server.
	ours negsize "$@" -s 64 -n 5 -p "$PORT_G" -w 60000 --timeout 5000 "$GUEST_IP"
	rc_neg_size=$?
	ours negchk "$@" -c -s 4096 -n 5 -p "$PORT_H" -w 60000 --timeout 5000
	rc_neg_chk=$?
}

# rc_checks LABEL GUESTLOG: the verdicts of rc_runs, with the rxe guest's
# RCRESULT lines from GUESTLOG.
rc_checks() {
	local l=$1 log=$2 s g inv
	for s in $SIZES; do
		read -r g inv <<<"$(sed -n "s/.*RCRESULT server $s \([0-9]*\) \([0-9]*\)\$/\1 \2/p" "$log")"
		check "$l -s $s: guest ibv_rc_pingpong -c server passed (status ${g:-none}, ${inv:-?} invalid pages)" \
			test "${g:-x}:${inv:-x}" = 0:0
		check "$l -s $s: our xp-rc-pingpong -c client passed (status ${rc_c[$s]})" \
			test "${rc_c[$s]}" = 0
		check "$l -s $s: our client checked $ITERS echoes" \
			grep -q -- "-c: $ITERS echoes checked byte for byte" "$TMP/c$s.err"
		g=$(sed -n "s/.*RCRESULT client $s \([0-9]*\) .*/\1/p" "$log")
		check "$l -s $s: guest ibv_rc_pingpong -c client passed (status ${g:-none})" \
			test "${g:-x}" = 0
		check "$l -s $s: our xp-rc-pingpong -c server passed (status ${rc_s[$s]})" \
			test "${rc_s[$s]}" = 0
		check "$l -s $s: our server saw $ITERS messages in ibv_rc_pingpong -c's pattern" \
			grep -Eq -- "-c: $ITERS messages checked: 0 in our client's pattern, [0-9]+ in ibv_rc_pingpong's" "$TMP/s$s.err"
	done
	check "$l: our device dropped no frame in $(wc -w <<<"$SIZES") x 2 runs ($drops_total)" \
		test "$drops_total" = 0
	g=$(sed -n "s/.*RCRESULT negative size \([0-9]*\)\$/\1/p" "$log")
	check "$l: negative control: our 64-byte client fails on 1024-byte messages (status $rc_neg_size)" \
		bash -c "test $rc_neg_size != 0 && grep -q 'Failed status' '$TMP/negsize.err'"
	check "$l: negative control: the guest's server fails too (status ${g:-none})" \
		bash -c "test '${g:-0}' != 0"
	sed 's/^/    # negative size: /' "$TMP/negsize.err" | head -4
	check "$l: negative control: our -c server refuses a guest client without -c (status $rc_neg_chk)" \
		bash -c "test $rc_neg_chk != 0 && grep -q 'invalid data in page 0' '$TMP/negchk.err'"
	sed 's/^/    # negative -c: /' "$TMP/negchk.err" | grep -v "ready, listening" | head -4
}
