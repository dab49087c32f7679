#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The crash-consistency replay of xp_writecache (the xpcache target,
# docs/writecache.md section 8), issue 6: dm-log-writes under the cache and
# the origin logs a workload with flushes; the log is replayed up to every
# FLUSH mark and to random points between marks, and at each point the
# target must load without error and every write acknowledged before the
# last completed FLUSH (or a completed FUA write) must read back intact.
# SSD mode only: in pmem mode the cache is written through DAX, which no
# bio, and so no log, sees.
#
#   here, without qemu: wc_crashload (tests/vm/tools), the workload and its
#     checker, on a file: the same seed gives the same plan; a written
#     image passes the check of its last batch and fails the one before
#     with the blocks of the last batch named; --between accepts them, and
#     --fua-done requires completed FUA writes; a torn, a zeroed, a
#     misplaced, a stale and a garbage block are each named as such. Under
#     ASan and UBSan when gcc has them;
#   in a guest per kernel series (guest/writecache_replay.sh): origin and
#     cache are two dm-linear pieces of one dm-log-writes device, so one
#     log orders both; 41 marks, the end of the log and 30 random points
#     between marks are replayed (incrementally, lw_replay --from) and
#     checked through a new xpcache target on a throw-away dm-snapshot;
#     then the end of the log is loaded 20 times in a loop and read whole.
#     The workload's FUA writes are io_submit writes with RWF_DSYNC, no
#     flush after them: the log must show each one's record written FUA
#     before its mark, and 6 more points, right after a FUA mark, must
#     find the write there. All of it runs twice, on fresh disks: with
#     today's table (nofua, xpcache's default) and with `fua` (writeback
#     writes the origin FUA, without a flush); the fua run replays the
#     marks b000, b008, ..., b040, the end, 8 random points and 4 after
#     FUA marks, and loads the end 3 times. Any load, check or read that
#     takes over 120 s fails at once, with the guest's blocked tasks and
#     in-flight I/O on the console. The guest script's header says what
#     the replays cannot show.
#
#   XP_WC_REPLAY_SEED     the workload's seed (default: random, printed)
#   XP_WC_REPLAY_POINTS   random points between marks, nofua (default 30)
#   XP_WC_REPLAY_FUA_POINTS  the same, fua (default 8)
#   XP_WC_REPLAY_LOADS    loads of the end of the log in a loop, nofua (20)
#   XP_WC_REPLAY_TIMEOUT  seconds a guest may take (default 900)
#   XP_WC_REPLAY_BREAK=1  negative control (not part of make check): in the
#                         nofua run the guest replays each mark b001..b040
#                         without the last record written to the cache
#                         before it. Each check of those 40 points must
#                         fail, and it is reported as a pass when it does;
#                         every other point (b000, the end, the random
#                         ones, the whole fua run) must pass as usual. So
#                         the suite passes only when exactly the cut
#                         points are refused: a cut that goes unseen, or
#                         a point that fails without a cut, fails it.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
BIN=$XP_BUILD/vm/wc_replay
SEED=${XP_WC_REPLAY_SEED:-$((RANDOM % 100000 + 1))}
POINTS=${XP_WC_REPLAY_POINTS:-30}
FUA_POINTS=${XP_WC_REPLAY_FUA_POINTS:-8}
LOADS=${XP_WC_REPLAY_LOADS:-20}
BATCHES=40

# The guests' tools, static.
vm_tool_build wc_crashload "$BIN/wc_crashload" || { summary; exit 1; }
vm_tool_build lw_replay "$BIN/lw_replay" || { summary; exit 1; }
# wc_crashload with ASan and UBSan for the checks here.
WCL=$TMP/wc_crashload.san
vm_tool_host wc_crashload "$BIN/wc_crashload" "$WCL"

# ---- wc_crashload on a file ----

# wcl NAME ARGS...: wc_crashload ARGS, output in $TMP/NAME.out, status in RC.
wcl() {
	local name=$1
	shift
	RC=0
	"$WCL" "$@" >"$TMP/$name.out" 2>&1 || RC=$?
}

# blk IMG BLOCK [COUNT]: print COUNT (1) blocks of 4 KiB of IMG.
blk() { dd if="$1" bs=4096 skip="$2" count="${3:-1}" status=none; }

# put IMG BLOCK FILE: FILE's bytes into IMG at BLOCK.
put() { dd if="$3" of="$1" bs=4096 seek="$2" conv=notrunc status=none; }

# fails_with NAME TEXT STATUS-WANTED PATTERN: the run NAME exited with
# STATUS-WANTED and printed a line matching the extended regex PATTERN.
fails_with() {
	local why=
	((RC == $3)) || why+=", status $RC (want $3)"
	grep -Eq -- "$4" "$TMP/$1.out" || why+=", no line like '$4' in: $(head -c 400 "$TMP/$1.out")"
	if [[ -z $why ]]; then
		pass "wc_crashload: $2"
	else
		fail "wc_crashload: $2:${why#,}"
	fi
}

host_checks() {
	local img=$TMP/img blocks=6144 k fua nf b c g z plan=$TMP/plan
	truncate -s $((blocks * 4096)) "$img"

	wcl plan1 plan 7 --blocks $blocks
	wcl plan2 plan 7 --blocks $blocks
	wcl plan3 plan 8 --blocks $blocks
	wcl plan10 plan 7 --blocks $blocks --batches 10
	check "wc_crashload: plan: the same seed gives the same writes, another seed others" \
		sh -c "cmp -s '$TMP/plan1.out' '$TMP/plan2.out' && ! cmp -s '$TMP/plan1.out' '$TMP/plan3.out'"
	awk '!/^#/ && $2 <= 10' "$TMP/plan1.out" >"$TMP/plan1.10"
	check "wc_crashload: plan: 10 batches are the first 10 of 40" \
		cmp -s <(grep -v '^#' "$TMP/plan10.out") "$TMP/plan1.10"
	grep -v '^#' "$TMP/plan1.out" >"$plan"
	# shellcheck disable=SC2016 # an awk program
	check "wc_crashload: plan: 40 batches of 4..16 writes of 1..16 blocks, FUA writes among them" \
		awk '{ n[$2]++; if ($5 < 1 || $5 > 16 || $4 + $5 > 6144) bad = 1; fua += $6 > 0 }
			END { for (k = 1; k <= 40; k++) if (n[k] < 4 || n[k] > 16) bad = 1
			exit bad || length(n) != 40 || fua < 10 }' "$plan"

	wcl write write "$img" 7
	check "wc_crashload: write on a 24 MiB file: $(head -n 1 "$TMP/write.out") (status $RC)" \
		test "$RC" = 0
	wcl c40 check "$img" 7 40
	check "wc_crashload: check after batch 40 passes: $(tail -n 1 "$TMP/c40.out")" \
		sh -c "test $RC = 0 && grep -q ', 0 bad$' '$TMP/c40.out'"
	wcl c39 check "$img" 7 39
	fails_with c39 "check after batch 39 fails: batch 40's blocks are too new" 1 \
		"^block [0-9]+: too new: batch 40 write [0-9]+ .*; want "
	wcl c39b check "$img" 7 39 --between
	check "wc_crashload: check 39 --between accepts batch 40's blocks: $(tail -n 1 "$TMP/c39b.out")" \
		sh -c "test $RC = 0 && grep -Eq ', [1-9][0-9]* from batch 40, 0 bad$' '$TMP/c39b.out'"
	wcl c38b check "$img" 7 38 --between
	fails_with c38b "check 38 --between still refuses batch 40's blocks" 1 \
		"too new: batch 40 write"

	# FUA writes: the first batch K+1 (K >= 1) with two, on an image of
	# batch K.
	k=$(awk '$2 > 1 && $6 == 2 { print $2 - 1; exit }' "$plan")
	fua=$(awk -v k=$((k + 1)) '$2 == k && $6 == 1 { print $4; exit }' "$plan")
	truncate -s 0 "$TMP/imgk"
	truncate -s $((blocks * 4096)) "$TMP/imgk"
	wcl wk write "$TMP/imgk" 7 --batches "$k"
	check "wc_crashload: write --batches $k: $(head -n 1 "$TMP/wk.out")" test "$RC" = 0
	wcl fua0 check "$TMP/imgk" 7 "$k" --between --fua-done 0
	check "wc_crashload: the state after batch $k passes --between $k --fua-done 0" test "$RC" = 0
	wcl fua1 check "$TMP/imgk" 7 "$k" --between --fua-done 1
	fails_with fua1 "--fua-done 1: batch $((k + 1))'s first FUA write (block $fua..) is missing" 1 \
		"^block $fua: (stale|zeroes): .*; want batch $((k + 1)) write [0-9]+ \(gen [0-9]+, FUA\)"
	nf=$(awk -v k=$((k + 1)) '$2 == k && $6 > 0' "$plan" | wc -l)
	wcl fua9 check "$TMP/imgk" 7 "$k" --between --fua-done 9
	fails_with fua9 "--fua-done 9 of $nf is refused" 1 "--fua-done 9: batch $((k + 1)) has $nf FUA writes"
	wcl kplus check "$TMP/imgk" 7 $((k + 1))
	fails_with kplus "an image of batch $k checked as batch $((k + 1)): stale or never-written blocks" 1 \
		"^block [0-9]+: (stale|zeroes): "

	# Damage, one block at a time, on a copy of the image: b and c are
	# blocks the last batch wrote; z one never written.
	b=$(awk '$2 == 40 { print $4; exit }' "$plan")
	c=$(awk -v b="$b" '$2 == 40 && $4 != b { print $4 + $5 - 1; exit }' "$plan")
	g=$(awk -v b="$b" '$4 <= b && b < $4 + $5 { g = $1 } END { print g }' "$plan")
	blk "$img" "$b" >"$TMP/b.blk"
	cp "$img" "$TMP/bad"
	printf '\x5a' | dd of="$TMP/bad" bs=1 seek=$((b * 4096 + 3000)) conv=notrunc status=none
	wcl torn check "$TMP/bad" 7 40
	fails_with torn "one byte changed in block $b: torn, the first difference at byte 3000" 1 \
		"^block $b: torn: the header of batch 40 write [0-9]+ \(gen ${g}[,)].* 1 of 4096 bytes differ from its data, the first at byte 3000; want "
	cp "$img" "$TMP/bad"
	head -c 2048 "$TMP/b.blk" >"$TMP/half"
	head -c 2048 /dev/zero >>"$TMP/half"
	put "$TMP/bad" "$b" "$TMP/half"
	wcl half check "$TMP/bad" 7 40
	fails_with half "block $b's second half zeroed: torn" 1 "^block $b: torn: .*differ from its data, the first at byte 2048"
	cp "$img" "$TMP/bad"
	put "$TMP/bad" "$b" <(head -c 4096 /dev/zero)
	wcl zero check "$TMP/bad" 7 40
	fails_with zero "block $b zeroed: zeroes" 1 "^block $b: zeroes: all zeroes; want batch 40 write"
	cp "$img" "$TMP/bad"
	put "$TMP/bad" "$c" "$TMP/b.blk"
	wcl misplaced check "$TMP/bad" 7 40
	fails_with misplaced "block $b's data in block $c: misplaced" 1 \
		"^block $c: misplaced: block $b's data of batch 40 write"
	cp "$img" "$TMP/bad"
	z=$(awk '{ for (i = $4; i < $4 + $5; i++) w[i] = 1 } END { for (i = 0; i < 6144; i++) if (!(i in w)) { print i; exit } }' "$plan")
	put "$TMP/bad" "$z" <(head -c 4096 /dev/urandom)
	wcl garbage check "$TMP/bad" 7 40
	fails_with garbage "random bytes in block $z, never written: garbage" 1 \
		"^block $z: garbage: no valid header .*; want zeroes \(never written\)"
	wcl other check "$img" 8 40
	fails_with other "the image checked with another seed: another workload's blocks" 1 \
		"garbage: a block of another workload \(seed 7\)"
	check "wc_crashload: ... at most 10 bad blocks printed, then a count" \
		sh -c "test \$(grep -c '^block ' '$TMP/other.out') = 10 && grep -q '^\\.\\.\\. and [0-9]* more bad blocks' '$TMP/other.out'"

	wcl u1 check "$img" 7
	fails_with u1 "usage: check without K" 2 "check takes 3 operands, 2 given"
	wcl u2 check "$img" 7 3 --fua-done 1
	fails_with u2 "usage: --fua-done without --between" 2 "--fua-done counts FUA writes of batch K\+1: it needs --between"
	wcl u3 check "$img" 7 40 --between
	fails_with u3 "--between after the last batch" 1 "--between after the last batch \(40\)"
	wcl u4 write "$img" 7 --mark 'lw;reboot'
	fails_with u4 "usage: --mark with a name that is not a plain word" 2 "--mark 'lw;reboot' is not a device-mapper name"
	wcl u5 write "$img" 7 --blocks 999999
	fails_with u5 "--blocks beyond the file" 1 "--blocks 999999 does not fit"
	wcl u6 check "$img" x 3
	fails_with u6 "usage: a seed that is not a number" 2 "SEED 'x' is not a number"
}

host_checks

# ---- in the guests ----
vm_require test_wc_replay

replay_series() {
	local series=$1 kver t0 rc=0 log d env=() try retried=
	vm_kernel "$series" || return
	kver=$VM_KVER
	vm_kmod_build "$kver" xp_writecache || return
	d=$TMP/vm-$series
	mkdir -p "$d"
	log=$d/guest.log
	env=(-e "XP_WCR_SEED=$SEED" -e "XP_WCR_BATCHES=$BATCHES" -e "XP_WCR_POINTS=$POINTS"
		-e "XP_WCR_FUA_POINTS=$FUA_POINTS" -e "XP_WCR_LOADS=$LOADS")
	if [[ ${XP_WC_REPLAY_BREAK:-0} == 1 ]]; then
		note "XP_WC_REPLAY_BREAK=1: the nofua run replays marks b001..b$(printf %03d "$BATCHES") without their last cache record; exactly those checks must fail, the rest pass"
		env+=(-e XP_WCR_BREAK=1)
	fi
	for try in 1 2; do
		t0=$EPOCHREALTIME
		rc=0
		rm -f "$d"/*.img
		# vda: origin and cache (logged), vdb: the log, vdc: replays, vdd:
		# the snapshot's exceptions.
		"$XPVM" run -k "$kver" -m "$VM_WC_MODULES dm_log_writes dm_snapshot" -b dmsetup --kmod \
			--name "wcr-$series" -t "${XP_WC_REPLAY_TIMEOUT:-900}" \
			--disk "$d/vda.img:32M" --disk "$d/vdb.img:192M" --disk "$d/vdc.img:32M" \
			--disk "$d/vdd.img:32M" -f "$BIN/lw_replay" -f "$BIN/wc_crashload" "${env[@]}" \
			"$XPVM_GUEST/writecache_replay.sh" >"$log" 2>&1 || rc=$?
		if ((try == 2)) || ! vm_tcg_double_fault "$log"; then
			break
		fi
		note "wc_replay $kver: the guest once more, on new disks (a crash of Debian's 6.12 kernel under TCG, docs/testing.md)"
		retried=", after a guest kernel's double fault and a second try"
	done
	if ((rc)); then
		grep -v '^\[[^]]*\] \[ *[0-9.]*\] device-mapper:' "$log" | grep -v ' CHECK pass ' |
			sed 's/^/    | /' | head -n 400
	else
		vm_output "$log" | grep -vE '^CHECK |^\+ ' | sed 's/^/    | /'
	fi
	vm_guest_checks "wc_replay $kver" "$log"
	check "wc_replay $kver: guest finished and passed ($(vm_secs "$t0") s, status $rc, seed $SEED$retried)" \
		vm_guest_finished "$rc" "$log" writecache_replay
	rm -f "$d"/*.img
}

note "workload seed $SEED (XP_WC_REPLAY_SEED=$SEED to repeat it)"
for s in $XP_VM_SERIES; do
	replay_series "$s"
done
summary
