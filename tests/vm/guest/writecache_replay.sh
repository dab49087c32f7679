# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_wc_replay: the crash-consistency replay of xpcache
# (docs/writecache.md, section 8), SSD mode.
#
# One dm-log-writes target "lw" over /dev/vda logs to /dev/vdb; the origin
# (wco) and the cache (wcc) are two dm-linear pieces of it, so one log
# gives one order of every write to either device:
#
#   /dev/vda: [ origin: sectors 0..OS-1 | cache: OS..OS+CS-1 ]   (lw, logged)
#   wc = xpcache s wco wcc 4096 OPTS, a cache of CS (8 MiB) with low
#        watermarks, so writeback, tail moves and superblock writes happen
#        all through the workload and the log wraps
#
# Steps 1 to 4 run twice, each time on zeroed disks and a new log, with two
# tables (replay_table at the end):
#
#   nofua  OPTS "4 high_watermark 30 low_watermark 10", no fua argument:
#          xpcache's default, writeback writes the origin plainly and
#          flushes it before the superblock moves the tail;
#   fua    the same and "fua": writeback writes the origin with FUA and
#          does not flush it.
#
# The fua run costs less: it replays the marks bK with K a multiple of 8
# and the last (XP_WCR_FUA_EVERY), 8 random points (XP_WCR_FUA_POINTS), 4
# after FUA marks, and loads the end of its log 3 times (XP_WCR_FUA_LOADS).
#
# 1. wc_crashload writes its workload through wc: batches of O_DIRECT
#    writes of 1..16 blocks over the origin (three times the cache's size),
#    overwrites included, some FUA writes (io_submit with RWF_DSYNC: one
#    REQ_FUA bio and no flush after it); each batch ends with fdatasync (a
#    FLUSH) and, once that completed, the mark bK in the log; each
#    completed FUA write is followed by the mark fK.J. Then the stack is
#    removed cleanly.
# 2. From the log (lw_replay list): writeback wrote the origin, with FUA
#    under fua and without under nofua, and the superblock during the
#    workload, and the cache's log went round. Each mark fK.J follows a
#    write into the cache's log flagged FUA, logged since the mark before
#    it: dm-log-writes logs a FUA write when it completes, a plain one
#    only at the next FLUSH, so a target that wrote the FUA write's record
#    plainly fails here.
# 3. Points in the log, each a crash where the disks kept what the log
#    holds before the point and lost the rest: every mark bK (K = 0..B,
#    the state after batch K), the end of the log, random entries between
#    two marks (from the seed), and entries right after a FUA mark fK.J
#    (XP_WCR_AFTER_FUA of them), where FUA write J must be there although
#    the FLUSH ending batch K has not come. For each, in the log's order,
#    the replay goes on from the point before (lw_replay --from) onto
#    /dev/vdc; a non-persistent dm-snapshot over it (exceptions on
#    /dev/vdd) takes the writes of loading and checking, and linear
#    origin and cache over the snapshot carry a new xpcache target with
#    the same table. It must load (recovery runs at the first resume),
#    show no error, and wc_crashload check must find every block as the
#    workload left it at batch K: at a mark exactly; between marks bK and
#    b(K+1) anything of batch K+1 may be there or not, except the FUA
#    writes whose fK+1.J mark precedes the point, but never torn, stale
#    or misplaced. At some points (every mark bK with K a multiple of 8,
#    and the end) the `flush` message then writes everything back, and
#    the origin alone must pass the same check.
# 4. The end of the log, loaded LOADS times in a loop on a new stack and
#    read whole each time. Every load, check, flush and read has LIMIT
#    seconds: a hang is a failed result with the kernel's blocked tasks and
#    the in-flight I/O of every block device on the console, at once.
#
# What the replays cannot show: origin and cache share one log, so a
# FLUSH of either makes the writes to both durable. A crash where the
# cache's flush completed but the origin lost writes in its volatile
# cache never appears; that writeback flushes the origin before the
# superblock moves the tail is argued in docs/writecache.md section 8 (two
# logs could not be cut at one consistent point). Each entry is a whole
# bio, so no replay tears a record (writecache_recovery does that), and a
# replay keeps a prefix of the log in the order it was logged, never an
# arbitrary subset of unflushed writes. Pmem mode (p) writes the cache
# through DAX, which no bio and so no log sees: it is not tested here.
#
# Environment:
#   XP_WCR_SEED          the workload's seed (default 1)
#   XP_WCR_BATCHES       batches (default 40)
#   XP_WCR_POINTS        random points between marks, nofua (default 30)
#   XP_WCR_AFTER_FUA     points right after a FUA mark, nofua (default 6)
#   XP_WCR_LOADS         loads of the end of the log in a loop, nofua (20)
#   XP_WCR_FUA_EVERY     fua: replay the marks bK with K a multiple of it (8)
#   XP_WCR_FUA_POINTS    the same as XP_WCR_POINTS for fua (default 8)
#   XP_WCR_FUA_AFTER_FUA the same as XP_WCR_AFTER_FUA for fua (default 4)
#   XP_WCR_FUA_LOADS     the same as XP_WCR_LOADS for fua (default 3)
#   XP_WCR_LIMIT         seconds any one load, check or flush may take (120)
#   XP_WCR_BREAK=1       negative control, nofua run only: each mark bK
#                        (K >= 1) is replayed without the last record
#                        written to the cache before it, as if the cache
#                        had lost a write a completed FLUSH covered. Each
#                        such check must then fail (a result that passes
#                        when it does) and every other point pass as
#                        usual: the script passes only when exactly the cut
#                        points are refused. (Under fua, writeback may have
#                        put such a record's blocks on the origin with FUA
#                        before the record itself was logged, so a cut
#                        there need not lose anything.)
#
# Output for the host: CHECK lines and "DONE writecache_replay failed=N".

LW=/xp/files/lw_replay
WL=/xp/files/wc_crashload
KO=${XP_WC_KO:-/xp/kmod/xp_writecache.ko}
DATA=/dev/vda
LOG=/dev/vdb
BASE=/dev/vdc
COW=/dev/vdd
SEED=${XP_WCR_SEED:-1}
BATCHES=${XP_WCR_BATCHES:-40}
CS=16384	# cache sectors: 8 MiB
WM="high_watermark 30 low_watermark 10"

T0=$(xp_now)
for d in $DATA $LOG $BASE $COW; do
	[ -b "$d" ] || xp_fail "needs $d (data, log, replay base, snapshot exceptions)"
done
if [ ! -x $LW ] || [ ! -x $WL ]; then
	xp_fail "needs $LW and $WL"
fi
DS=$(blockdev --getsz $DATA)
OS=$((DS - CS))
[ "$(blockdev --getsz $BASE)" -ge "$DS" ] || xp_fail "$BASE is smaller than $DATA"
echo "seed $SEED, $BATCHES batches; origin $OS sectors, cache $CS sectors, both on $DATA"
xp_run insmod "$KO"

# within WHAT OUT CMD...: CMD, its output to the file OUT, within LIMIT
# seconds (xp_within). A step that hangs is a failed result with the
# kernel's blocked tasks on the console, and the end of the script: the
# hung task cannot be killed and would hold the next step too.
LIMIT=${XP_WCR_LIMIT:-120}
within() {
	_w=$1 _o=$2
	shift 2
	xp_within "$LIMIT" "$@" >"$_o" 2>&1
	_rc=$?
	if [ $_rc = 124 ]; then
		cat "$_o"
		xp_notok "$_w: hung: '$*' did not finish within $LIMIT s (its blocked tasks are above)"
		xp_done writecache_replay
	fi
	return $_rc
}

# status_field DEV N: field N of an xpcache status (1 error, 10 dirty, see
# docs/writecache.md).
status_field() { dmsetup status "$1" | awk -v n="$2" '{ print $(3 + n) }'; }

# stack PREFIX BASEDEV: PREFIXo (origin) and PREFIXc (cache), linear
# pieces of BASEDEV, and the xpcache target PREFIX over them with the
# table's OPTS; 1 when dmsetup create of the target fails (its error in
# $T/create.err).
stack() {
	xp_run dmsetup create "${1}o" --table "0 $OS linear $2 0"
	xp_run dmsetup create "${1}c" --table "0 $CS linear $2 $OS"
	within "$TAB: loading xpcache as $1" "$T/create.err" \
		dmsetup create "$1" --table "0 $OS xpcache s /dev/mapper/${1}o /dev/mapper/${1}c 4096 $OPTS"
}

# Each run below works on these, set by replay_table: TAB (the table's
# name in every result), OPTS (its optional arguments), T (its files),
# EVERY (the marks bK replayed: K a multiple of EVERY, and the last),
# NRAND, NFUAP and LOADS (random points, points after a FUA mark, loads of
# the end), BRK (1: the negative control).

# ---- 1. the workload ----
workload() {
	xp_step "$TAB: workload through xpcache over dm-log-writes ($(xp_secs "$T0") s)"
	xp_run dmsetup create lw --table "0 $DS log-writes $DATA $LOG"
	stack wc /dev/mapper/lw || { cat "$T/create.err"; xp_fail "$TAB: cannot create the xpcache target"; }
	dmsetup table wc
	$WL write /dev/mapper/wc "$SEED" --batches "$BATCHES" --mark lw >"$T/write.out" 2>&1
	_rc=$?
	[ $_rc = 0 ] || cat "$T/write.out"
	xp_check "$TAB: the workload ran through xpcache: $(tail -n 1 "$T/write.out")" [ $_rc = 0 ]
	dmsetup status wc
	xp_check "$TAB: no error state after the workload" [ "$(status_field wc 1)" = 0 ]
	$WL check /dev/mapper/wc "$SEED" "$BATCHES" --batches "$BATCHES" >"$T/live.out" 2>&1
	_rc=$?
	[ $_rc = 0 ] || cat "$T/live.out"
	xp_check "$TAB: the live target reads back the state after batch $BATCHES: $(tail -n 1 "$T/live.out")" \
		[ $_rc = 0 ]
	# A clean removal: postsuspend makes the cache durable, lw adds its end mark.
	xp_run dmsetup remove wc
	xp_run dmsetup remove wcc
	xp_run dmsetup remove wco
	xp_run dmsetup remove lw
}

# idx NAME: the index of mark NAME, empty if there is none.
idx() { awk -v m="$1" '$1 == m { print $2; exit }' "$T/marks"; }

# ---- 2. the log ----
the_log() {
	xp_step "$TAB: the log ($(xp_secs "$T0") s)"
	$LW list $LOG >"$T/list" 2>"$T/list.err" || { cat "$T/list.err"; xp_fail "$TAB: lw_replay list $LOG"; }
	head -n 1 "$T/list"
	tail -n 1 "$T/list"
	grep -v '^#' "$T/list" | grep -v '^total' >"$T/entries"
	NENT=$(wc -l <"$T/entries")
	# Marks: "NAME INDEX".
	awk '$4 == "MARK" { print $5, $1 }' "$T/entries" >"$T/marks"
	LAST=$(idx "$(printf 'b%03d' "$BATCHES")")
	xp_check "$TAB: marks b000..b$(printf %03d "$BATCHES") in order, and $(grep -c '^f' "$T/marks") FUA marks" \
		[ "$(awk '/^b/ { printf "%s ", $1 }' "$T/marks")" = \
			"$(k=0; while [ $k -le "$BATCHES" ]; do printf 'b%03d ' $k; k=$((k + 1)); done)" ]
	# Every FUA write completed before its mark fK.J: the target must have
	# written its record with FUA, which dm-log-writes logs when it
	# completes, so between the mark before fK.J and fK.J there is a write
	# into the cache's log flagged FUA. A record written plain would be
	# logged only at the next FLUSH, after the mark.
	awk -v c=$((OS + 16)) '$4 == "MARK" {
		if ($5 ~ /^f/) { n++; if (!fua) { bad++; if (!first) first = $5 } }
		fua = 0
		next
	}
	$2 >= c && $3 > 0 && $4 ~ /FUA/ { fua = 1 }
	END { print n + 0, bad + 0, (first == "" ? "-" : first) }' "$T/entries" >"$T/fua"
	read -r F_N F_BAD F_FIRST <"$T/fua"
	[ "$F_N" -gt 0 ] && [ "$F_BAD" = 0 ]
	xp_verdict "$TAB: each of the $F_N FUA marks follows a FUA write into the cache's log since the mark before it ($F_BAD do not, the first: $F_FIRST)"
	# Sectors: origin [0, OS), superblocks [OS, OS+16), the cache's log after.
	awk -v os=$OS -v last="$LAST" '$1 < last && $3 > 0 && $4 !~ /MARK|DISCARD/ {
		if ($2 < os) { ow++; os_sec += $3; if ($4 ~ /FUA/) of++ }
		else if ($2 < os + 16) sb++
		else { cw++; cs_sec += $3 }
	} END { print ow + 0, os_sec / 8, of + 0, sb + 0, cw + 0, cs_sec / 8 }' "$T/entries" >"$T/counts"
	read -r O_W O_BLK O_FUA SB_W C_W C_BLK <"$T/counts"
	echo "$TAB: before the last mark: $C_W cache log writes ($C_BLK blocks), $O_W origin writes ($O_BLK blocks, $O_FUA FUA), $SB_W superblock writes"
	xp_check "$TAB: writeback wrote the origin during the workload ($O_W writes, $O_BLK blocks)" [ "$O_W" -gt 0 ]
	# The table decides how: fua writes the origin FUA, nofua plainly and
	# flushes it before the superblock moves the tail.
	case " $OPTS " in
	*" fua "*) xp_check "$TAB: writeback wrote the origin with FUA ($O_FUA of $O_W writes)" [ "$O_FUA" = "$O_W" ] ;;
	*) xp_check "$TAB: writeback wrote the origin without FUA ($O_FUA of $O_W writes)" [ "$O_FUA" = 0 ] ;;
	esac
	xp_check "$TAB: the superblock was written $SB_W times during the workload (the tail moved; 3 are the format's and the activation's)" \
		[ "$SB_W" -gt 6 ]
	xp_check "$TAB: the cache's log went round: $C_BLK blocks written into $((CS / 8 - 2))" \
		[ "$C_BLK" -gt $((CS / 8)) ]
}

# ---- 3. the points ----
# Lines "E KIND K FUA WHERE": replay entries [0, E), then check the state
# after batch K; KIND mark, end, after (the last mark) or between (FUA: the
# number of batch K+1's FUA writes whose mark precedes E); WHERE says how
# E was chosen, "break" for a point of the negative control.
points() {
	: >"$T/points"
	k=0
	while [ $k -le "$BATCHES" ]; do
		if [ $((k % EVERY)) != 0 ] && [ $k != "$BATCHES" ]; then
			k=$((k + 1))
			continue
		fi
		m=$(idx "$(printf 'b%03d' $k)")
		e=$((m + 1))
		where=mark
		if [ "$BRK" = 1 ] && [ $k -gt 0 ]; then
			where="break"
			# Stop before the last write into the cache's log before the mark.
			e=$(awk -v m="$m" -v c=$((OS + 16)) '$1 < m && $2 >= c && $3 > 0 && $4 !~ /MARK|DISCARD/ { e = $1 }
				END { print e }' "$T/entries")
		fi
		echo "$e mark $k 0 $where" >>"$T/points"
		k=$((k + 1))
	done
	echo "$NENT end $BATCHES 0 end" >>"$T/points"
	# Random points: a third right before or right after a superblock
	# write (the tail moves: the records behind it may be reused from then
	# on), the rest anywhere after mark b000 but on no mark's own point;
	# then NFUAP right after a FUA mark fK.J, where FUA write J of batch K
	# must be there and the FLUSH that ends the batch has not come. K is
	# the last mark bK before the point; after the last mark (the
	# removal's entries) the state must be exactly that of batch B.
	awk -v seed="$SEED" -v n="$NRAND" -v nf="$NFUAP" -v b="$BATCHES" -v nent="$NENT" \
		-v s0="$OS" -v s1=$((OS + 16)) '
	FILENAME == ARGV[1] { at[$1] = $2; if ($1 ~ /^f/) fm[nfm++] = $2; next }
	$3 > 0 && $2 >= s0 && $2 < s1 && $4 !~ /MARK|DISCARD/ && $1 > at["b000"] { sb[nsb++] = $1 }
	function add(e, what,   k, m, fua) {
		if (e <= at["b000"] + 1 || e >= nent || (e in seen))
			return 0
		for (k = b; at[sprintf("b%03d", k)] >= e; k--)
			;
		if (e == at[sprintf("b%03d", k)] + 1)
			return 0
		seen[e] = 1
		fua = 0
		for (m in at)
			if (index(m, sprintf("f%03d.", k + 1)) == 1 && at[m] < e)
				fua++
		print e, (k == b ? "after" : "between"), k, fua, what
		return 1
	}
	END {
		srand(seed)
		for (i = 0; i < n * 4 && got < int(n / 3) && nsb; i++) {
			x = sb[int(rand() * nsb)]
			if (rand() < 0.5)
				got += add(x, "before-sb")
			else
				got += add(x + 1, "after-sb")
		}
		for (i = 0; i < n * 8 && got < n; i++)
			got += add(at["b000"] + 2 + int(rand() * (nent - at["b000"] - 2)), "random")
		for (i = 0; i < nf * 8 && gotf < nf && nfm; i++)
			gotf += add(fm[int(rand() * nfm)] + 1, "after-fua")
	}' "$T/marks" "$T/entries" >>"$T/points"
	sort -n -k1,1 "$T/points" >"$T/points.s"
	NP=$(wc -l <"$T/points.s")
	echo "$TAB: $NP points: $(grep -c ' mark ' "$T/points.s") marks, the end, $(grep -c -- -sb$ "$T/points.s") next to a superblock write, $(grep -c ' random$' "$T/points.s") random, $(grep -c ' after-fua$' "$T/points.s") right after a FUA mark"
	[ "$BRK" = 1 ] && echo "$TAB: XP_WCR_BREAK=1: each mark bK (K >= 1) is replayed without the last record before it; exactly those checks must fail"
}

# expect WANT WHAT GOOD: one result for a check whose status was GOOD (0:
# passed); WANT pass or fail (a point of the negative control). The
# caller's output file is printed when the result is not the one wanted.
expect() {
	if [ "$1" = pass ] && [ "$3" = 0 ]; then
		xp_ok "$2"
	elif [ "$1" = pass ]; then
		xp_notok "$2"
	elif [ "$3" != 0 ]; then
		BROKE=$((BROKE + 1))
		xp_ok "$2 (refused, as the negative control must be)"
	else
		xp_notok "$2: passed, but the negative control cut it (the cut went unseen)"
	fi
}

# check_point N E KIND K FUA WHERE: one point, one result (two with the
# flush message). A point of the negative control must load, and its
# checks must fail.
check_point() {
	_what="$TAB: point $1/$NP: entry $2"
	case $3 in
	mark) _what="$_what, mark b$(printf %03d "$4")" ;;
	end) _what="$_what, the end of the log" ;;
	after) _what="$_what ($6), after the last mark" ;;
	between) _what="$_what ($6), between b$(printf %03d "$4") and b$(printf %03d $(($4 + 1))) after $5 FUA marks" ;;
	esac
	_want=pass
	if [ "$6" = break ]; then
		_what="$_what, cut before its last cache record (XP_WCR_BREAK)"
		_want=fail
		CUT=$((CUT + 1))
	fi
	_args="$4"
	[ "$3" = between ] && _args="$4 --between --fua-done $5"
	xp_run dmsetup create rs --table "0 $DS snapshot $BASE $COW N 8"
	if ! stack r /dev/mapper/rs; then
		cat "$T/create.err"
		xp_notok "$_what: xpcache does not load: $(head -n 1 "$T/create.err")"
	elif [ "$(status_field r 1)" != 0 ]; then
		dmsetup status r
		xp_notok "$_what: xpcache loaded in the error state ($(status_field r 1))"
		xp_run dmsetup remove r
	else
		_dirty=$(status_field r 10)
		# shellcheck disable=SC2086 # _args is words
		within "$_what" "$T/check.out" $WL check /dev/mapper/r "$SEED" $_args --batches "$BATCHES"
		_rc=$?
		[ $_rc = 0 ] || cat "$T/check.out"
		expect $_want "$_what: loaded ($_dirty dirty), $(tail -n 1 "$T/check.out" | sed 's/.*: \([0-9]* blocks\)/\1/')" $_rc
		# Now and then: write everything back; the origin alone must pass.
		if { [ "$3" = mark ] && [ $(($4 % 8)) = 0 ]; } || [ "$3" = end ]; then
			if ! within "$_what" "$T/flush.out" dmsetup message r 0 flush; then
				cat "$T/flush.out"
				xp_notok "$_what: the flush message failed"
			elif [ "$(status_field r 10)" != 0 ] || [ "$(status_field r 1)" != 0 ]; then
				dmsetup status r
				xp_notok "$_what: after the flush message, dirty $(status_field r 10) error $(status_field r 1)"
			else
				# shellcheck disable=SC2086
				within "$_what" "$T/check.out" $WL check /dev/mapper/ro "$SEED" $_args --batches "$BATCHES"
				_rc=$?
				[ $_rc = 0 ] || cat "$T/check.out"
				expect $_want "$_what: after the flush message, the origin alone: $(tail -n 1 "$T/check.out" | sed 's/.*: \([0-9]* blocks\)/\1/')" $_rc
			fi
		fi
		xp_run dmsetup remove r
	fi
	xp_run dmsetup remove rc
	xp_run dmsetup remove ro
	xp_run dmsetup remove rs
}

replays() {
	xp_step "$TAB: replays onto $BASE ($(xp_secs "$T0") s)"
	CUT=0 BROKE=0 _n=0 _from=0
	while read -r e kind k fua where <&3; do
		_n=$((_n + 1))
		if ! $LW replay $LOG $BASE --from "$_from" --to "$e" >"$T/replay.out" 2>&1; then
			cat "$T/replay.out"
			xp_fail "$TAB: lw_replay --from $_from --to $e"
		fi
		_from=$e
		check_point $_n "$e" "$kind" "$k" "$fua" "$where"
	done 3<"$T/points.s"
	echo "$TAB: replays done in $(xp_secs "$T0") s"
	if [ "$BRK" = 1 ]; then
		[ "$CUT" = "$BATCHES" ] && [ "$BROKE" -ge "$CUT" ]
		xp_verdict "$TAB: XP_WCR_BREAK: $CUT marks cut (want $BATCHES), $BROKE checks of theirs refused; every other point passed or failed above"
	fi
}

# ---- 4. loads in a loop ----
# $BASE now holds the replay of the whole log. Load xpcache on a new
# throw-away stack over it LOADS times and read all of it with 1 MiB
# O_DIRECT reads: recovery reads the cache's log in 1 MiB pieces and the
# snapshot splits every read into 4 KiB requests, hundreds in flight at
# once, which is how the guests of QEMU 7.2's single-vCPU TCG lost
# virtio completions (tests/vm/lib/qemu.sh). Each step must finish within
# LIMIT seconds; a hang ends the script with the kernel's blocked tasks.
loads() {
	xp_step "$TAB: $LOADS loads of the end of the log ($(xp_secs "$T0") s)"
	_i=0
	_bad=0
	while [ $_i -lt "$LOADS" ]; do
		_i=$((_i + 1))
		xp_run dmsetup create rs --table "0 $DS snapshot $BASE $COW N 8"
		if ! stack r /dev/mapper/rs; then
			cat "$T/create.err"
			_bad=$((_bad + 1))
		else
			[ "$(status_field r 1)" = 0 ] || _bad=$((_bad + 1))
			within "$TAB: load $_i/$LOADS: reading it all" "$T/read.out" \
				dd if=/dev/mapper/r of=/dev/null bs=1M iflag=direct ||
				{ cat "$T/read.out"; _bad=$((_bad + 1)); }
			xp_run dmsetup remove r
		fi
		xp_run dmsetup remove rc
		xp_run dmsetup remove ro
		xp_run dmsetup remove rs
	done
	xp_check "$TAB: $LOADS loads of the end of the log, each read back whole, none hung ($_bad failed)" [ $_bad = 0 ]
}

# replay_table NAME OPTS EVERY NRAND NFUAP LOADS BREAK: steps 1 to 4 with
# the table's optional arguments OPTS, on zeroed disks.
replay_table() {
	TAB=$1 OPTS=$2 EVERY=$3 NRAND=$4 NFUAP=$5 LOADS=$6 BRK=$7
	T=/tmp/wcr/$TAB
	mkdir -p "$T"
	xp_step "$TAB: the table's optional arguments: $OPTS; zeroing $DATA and $BASE ($(xp_secs "$T0") s)"
	xp_run dd if=/dev/zero of=$DATA bs=1M count=$((DS / 2048)) oflag=direct status=none
	xp_run dd if=/dev/zero of=$BASE bs=1M count=$((DS / 2048)) oflag=direct status=none
	workload
	the_log
	points
	replays
	loads
}

replay_table nofua "4 $WM" 1 "${XP_WCR_POINTS:-30}" "${XP_WCR_AFTER_FUA:-6}" \
	"${XP_WCR_LOADS:-20}" "${XP_WCR_BREAK:-0}"
replay_table fua "5 $WM fua" "${XP_WCR_FUA_EVERY:-8}" "${XP_WCR_FUA_POINTS:-8}" \
	"${XP_WCR_FUA_AFTER_FUA:-4}" "${XP_WCR_FUA_LOADS:-3}" 0
xp_done writecache_replay
