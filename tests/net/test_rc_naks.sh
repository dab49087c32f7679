#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every RC error and NAK path, end to end (tests/net/rc_naks.c): one process
# opens an xdpath device in each namespace of a veth pair and checks, case
# by case on fresh QPs, the completion statuses on both sides, the QP
# states and the QP counters for: a stale rkey, a READ past the MR, an MR
# without REMOTE_WRITE, a QP without REMOTE_READ, a SEND too long for its
# receive, RNR retries exhausted and recovered, a receive whose MR is gone,
# SEND_WITH_INV and LOCAL_INV, retry exhaustion under total loss, atomics
# under duplication, and post_send's refusals. Then:
#   - a negative control: expecting REM_ACCESS_ERR from a WRITE with the
#     right rkey must fail;
#   - the steering program each device attached is gone afterwards.
# Runs the sanitizer build (build/san, make SANITIZE=1) when there is one,
# else the normal build; XP_RC_NAKS_BIN overrides.
set -u
. "$(dirname "$0")/../lib/testlib.sh"

require_root rc_naks
PROG=${XP_RC_NAKS_BIN:-}
if [[ -z $PROG ]]; then
	PROG=$XP_ROOT/build/san/tests/net/rc_naks
	[[ -x $PROG ]] || PROG=$XP_BUILD/tests/net/rc_naks
fi
require_bin "$PROG"

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

pair_bed 198.18.12

# The QPs resolve each other's MAC from the neighbour tables.
if ! nsx "$NSA" ping -c1 -W2 "$IPB" >/dev/null; then
	fail "test bed: $IPA cannot ping $IPB"
	summary
	exit 1
fi
note "running $PROG"

# rc_naks ARGS...: output in $TMP/out (PASS/FAIL lines and its summary
# line), stderr in $TMP/err, exit status returned.
rc_naks() {
	timeout 60 "$PROG" "$@" "$NSA" "$VA" "$NSB" "$VB" >"$TMP/out" 2>"$TMP/err"
}

rc_naks
rc=$?
grep -Ev '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$TMP/out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$TMP/out" | tail -n1)
if [[ -n $line ]]; then
	read -r p _ f _ s _ <<<"${line//,/}"
	_n_pass=$((_n_pass + p))
	_n_fail=$((_n_fail + f))
	_n_skip=$((_n_skip + s))
	if ((rc != 0 && f == 0)); then
		fail "rc_naks exited $rc with no failed check"
	fi
else
	fail "rc_naks exited $rc without a summary line"
fi
if ((rc != 0)) && [[ -s $TMP/err ]]; then
	note "stderr of rc_naks (last 20 lines):"
	tail -n 20 "$TMP/err" | sed 's/^/    # /'
fi

# The checks can fail: case 1 with the right rkey must not end in REM_ACCESS_ERR.
if rc_naks -c -o 1; then
	fail "negative control: a good WRITE expected to fail with REM_ACCESS_ERR passed"
else
	check "negative control: a good WRITE fails the REM_ACCESS_ERR check" \
		grep -q '^FAIL case 1: WRITE with a stale rkey completes with REM_ACCESS_ERR' "$TMP/out"
fi

check "steering program detached from both ends" \
	bash -c "! ip -n $NSA link show dev $VA | grep -q prog/xdp && ! ip -n $NSB link show dev $VB | grep -q prog/xdp"

summary
