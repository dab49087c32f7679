# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_logwrites: Linux's dm-log-writes records a workload on
# /dev/vda into the log on /dev/vdb; lw_replay rebuilds its states on
# /dev/vdc, and each must be exactly what the workload had written by then.
#
#   1. workload on /dev/mapper/lw ("0 N log-writes /dev/vda /dev/vdb"), in
#      five phases of O_DIRECT writes of random data (whole pages and
#      single sectors), each ended by an fdatasync (a FLUSH) and a mark;
#      phase 3 discards a slot, phase 4 has a mark before its flush, phase
#      5 writes from two processes at once. The script keeps its own image
#      of what each phase left (expect.K), from which every expected state
#      below is built, and records the sum of /dev/vda at each mark;
#   2. the log as lw_replay lists it: sector size, marks in order, one
#      FLUSH per phase and between them exactly the phase's writes (in the
#      order they were made for the sequential phases);
#   3. replays onto a zeroed /dev/vdc: the whole log equals /dev/vda; each
#      mark equals /dev/vda's sum at that mark, except the mark before
#      phase 4's flush, which must equal phase 3's state (writes are logged
#      at the FLUSH after them); the K-th FLUSH equals expect.K; a random
#      entry between two FLUSHes equals the state before plus exactly the
#      writes the log has before that entry; replays that go on with
#      --from from where the one before stopped give each FLUSH's state
#      too; --discard-zeroes zeroes the discarded slot;
#   4. refusals, each with its message and /dev/vdc untouched: a log still
#      held by the target, copies of the log with a bad magic, version,
#      sector size or entry count, an unknown flag, a sector beyond the
#      device, truncated copies, a device too small or in use, and bad
#      arguments; and a control: a wrong expected sum is a mismatch;
#   5. a last full replay, which the host compares with /dev/vda itself.
#
# Before all that (step 0), FUA entries from a real writer: Linux's
# dm-writecache (SSD mode) with its cache device on a second log-writes
# target (/dev/vdd logged to /dev/vde, origin /dev/vdc) writes its
# superblock with FUA when it commits. flushes must list those entries as
# well as the FLUSHes, --to-flush must count only the FLUSHes, and the
# whole log replayed must equal /dev/vdd.
#
# Environment: XP_LW_SEED (the workload's random choices), XP_LW_WRONG_SUMS
# (1: the mark sums are made wrong, and the checks on them must fail).
# Output for the host: CHECK lines, "sum NAME SHA256", "lwlist ...", and
# "DONE logwrites failed=N".

# shellcheck source=tests/vm/guest/logwrites_lib.sh
. /xp/files/logwrites_lib.sh

T0=$(xp_now)
SEED=${XP_LW_SEED:-1}
[ -x "$LW" ] || xp_fail "$LW missing"
mkdir -p $LW_TMP
SIZE=$(blockdev --getsize64 $LW_DATA)
SECTORS=$((SIZE / 512))
[ "$(blockdev --getsize64 $LW_DEV)" -ge "$SIZE" ] || xp_fail "$LW_DEV is smaller than $LW_DATA"
echo "seed $SEED; $LW_DATA $SIZE bytes, log $LW_LOG $(blockdev --getsize64 $LW_LOG) bytes"

# ---- the workload's plan: "W|D PHASE PART OFF LEN" lines ----
# Slots of 64 KiB; a phase touches each slot at most once, so every
# sector's content after a phase is that of the one write of the phase
# that covered it, or the previous phase's. Part 0 runs in order; in phase
# 4, part 1 runs after the mark that comes before the phase's flush; in
# phase 5, parts 1 and 2 run at the same time.
awk -v seed="$SEED" -v nslots=$((SIZE / LW_SLOT)) -v slot=$LW_SLOT '
function pick(   s) {
	do { s = int(rand() * nslots) } while (s in used)
	used[s] = 1
	return s
}
function page(p, part, s,   n, b) {
	n = 1 + int(rand() * 16)
	b = int(rand() * (17 - n))
	print "W", p, part, s * slot + b * 4096, n * 4096
}
function sectors(p, part, s,   pg, st, n) {
	pg = int(rand() * 16)
	st = int(rand() * 8)
	n = 1 + int(rand() * (8 - st))
	print "W", p, part, s * slot + pg * 4096 + st * 512, n * 512
}
BEGIN {
	srand(seed)
	for (i = 0; i < 10; i++) {
		s = pick()
		p1[i] = s
		page(1, 0, s)
	}
	split("", used)
	for (i = 0; i < 10; i++) {
		if (i % 2 == 0 && !(p1[i] in used)) {
			used[p1[i]] = 1
			page(2, 0, p1[i])	# over phase 1
		} else {
			page(2, 0, pick())
		}
	}
	split("", used)
	for (i = 0; i < 6; i++)
		page(3, 0, pick())
	for (i = 0; i < 3; i++)
		sectors(3, 0, pick())
	for (i = 0; i < 10 && (p1[i] in used); i++)
		;
	if (i < 10) {
		used[p1[i]] = 1
		print "D", 3, 0, p1[i] * slot, slot
	}
	split("", used)
	for (i = 0; i < 10; i++)
		page(4, (i < 5 ? 0 : 1), pick())
	split("", used)
	for (i = 0; i < 10; i++)
		if (i % 3 == 0)
			sectors(5, 1 + i % 2, pick())
		else
			page(5, 1 + i % 2, pick())
}' >$LW_TMP/plan
PHASES=5

# ---- step 0: FUA entries, from dm-writecache ----
xp_step "FUA entries from dm-writecache ($(xp_secs "$T0") s)"
CACHE=/dev/vdd CLOG=/dev/vde
CS=$(($(blockdev --getsize64 $CACHE) / 512))
xp_run dmsetup create lwc --table "0 $CS log-writes $CACHE $CLOG"
xp_run dmsetup create wc --table "0 $SECTORS writecache s $LW_DEV /dev/mapper/lwc 4096 0"
dd if=/dev/urandom of=$LW_TMP/wc.data bs=65536 count=1 2>/dev/null
for off in 0 262144 1048576; do
	lw_write /dev/mapper/wc $off 65536 $LW_TMP/wc.data || xp_notok "write to wc at $off"
	lw_flush /dev/mapper/wc
done
dmsetup status wc
xp_run dmsetup remove wc
xp_run dmsetup remove lwc
lw_run clist "$LW" list $CLOG
tail -1 $LW_TMP/clist.out
awk '$4 ~ /FLUSH|FUA/ { print $1 }' $LW_TMP/clist.out >$LW_TMP/cfl
NFUA=$(awk '$4 ~ /FUA/' $LW_TMP/clist.out | wc -l)
NFLUSH=$(awk '$4 ~ /FLUSH/' $LW_TMP/clist.out | wc -l)
xp_check "dm-writecache's log has FUA entries ($NFUA) and FLUSH entries ($NFLUSH)" \
	[ "$NFUA" -gt 0 ] && [ "$NFLUSH" -gt 0 ]
lw_run cflushes "$LW" flushes $CLOG
xp_check "flushes lists the FLUSH and the FUA entries: $(tr '\n' ' ' <$LW_TMP/cfl)" \
	cmp -s $LW_TMP/cflushes.out $LW_TMP/cfl
lw_run cf "$LW" replay $CLOG $LW_DEV --to-flush "$NFLUSH"
lw_run cf1 "$LW" replay $CLOG $LW_DEV --to-flush $((NFLUSH + 1))
xp_check "--to-flush counts FLUSH entries only: $NFLUSH replays, $((NFLUSH + 1)) is refused" \
	[ "$(cat $LW_TMP/cf.err $LW_TMP/cf1.err)" = "lw_replay: --to-flush $((NFLUSH + 1)) is beyond the log: $CLOG has $NFLUSH FLUSH entries" ]
FUA1=$(awk '$4 ~ /FUA/ { print $1; exit }' $LW_TMP/clist.out)
lw_run cfua "$LW" replay $CLOG $LW_DEV --to $((FUA1 + 1))
xp_check "--to past the first FUA entry ($FUA1) ends with it" \
	grep -q "last entry $FUA1 FUA" $LW_TMP/cfua.out
lw_zero $LW_DEV
lw_run call "$LW" replay $CLOG $LW_DEV
xp_check "dm-writecache's whole log replayed equals its cache device" \
	[ "$(lw_devsum $CACHE)" = "$(dd if=$LW_DEV bs=1M count=$((CS / 2048)) iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)" ]

# ---- step 1: the workload ----
xp_step "workload on /dev/mapper/lw ($(xp_secs "$T0") s)"
dd if=/dev/zero of=$LW_TMP/expect.img bs=1M count=$((SIZE / 1048576)) 2>/dev/null
cp $LW_TMP/expect.img $LW_TMP/e.0.img
xp_check "$LW_DATA starts zeroed" [ "$(lw_devsum $LW_DATA)" = "$(lw_sum $LW_TMP/e.0.img)" ]
xp_run dmsetup create lw --table "0 $SECTORS log-writes $LW_DATA $LW_LOG"
LWDEV=/dev/mapper/lw
: >$LW_TMP/ledger
: >$LW_TMP/errors
: >$LW_TMP/marks

# do_part PHASE PART: the plan's lines of PHASE and PART, in order.
do_part() {
	awk -v p="$1" -v q="$2" '$2 == p && $3 == q' $LW_TMP/plan | while read -r op _ _ off len; do
		case $op in
		W)
			dd if=/dev/urandom of="$LW_TMP/data.$2" bs="$len" count=1 iflag=fullblock \
				2>/dev/null
			lw_write $LWDEV "$off" "$len" "$LW_TMP/data.$2" ||
				echo "phase $1: write of $len bytes at $off failed" >>$LW_TMP/errors
			lw_put $LW_TMP/expect.img "$off" "$len" "$LW_TMP/data.$2"
			;;
		D)
			blkdiscard -o "$off" -l "$len" $LWDEV ||
				echo "phase $1: discard at $off failed" >>$LW_TMP/errors
			;;
		esac
		echo "$1 $op $off $len" >>$LW_TMP/ledger
	done
}

# mark NAME: a mark in the log, and /dev/vda's sum at that point.
mark() {
	dmsetup message lw 0 mark "$1" || xp_notok "dmsetup message lw 0 mark $1"
	_s=$(lw_devsum $LW_DATA)
	echo "$1 $_s" >>$LW_TMP/marks
	echo "sum mark-$1 $_s"
}

for k in 1 2 3 4 5; do
	case $k in
	4)
		do_part 4 0
		mark p4-unflushed
		do_part 4 1
		;;
	5)
		do_part 5 1 &
		do_part 5 2 &
		wait
		;;
	*) do_part $k 0 ;;
	esac
	lw_flush $LWDEV
	if [ $k = 3 ] && grep -q '^3 D ' $LW_TMP/ledger; then
		# What a discard leaves behind is the device's business: qemu
		# ignores them by default (discard=ignore) and keeps the data.
		# expect.K follows /dev/vda here; the check after the mark
		# still compares the rest.
		DISC_OFF=$(awk '$1 == 3 && $2 == "D" { print $3 }' $LW_TMP/ledger)
		DISC_LEN=$(awk '$1 == 3 && $2 == "D" { print $4 }' $LW_TMP/ledger)
		dd if=$LW_DATA bs=512 skip=$((DISC_OFF / 512)) count=$((DISC_LEN / 512)) \
			iflag=direct 2>/dev/null >$LW_TMP/disc.now
		dd if=/dev/zero bs=512 count=$((DISC_LEN / 512)) 2>/dev/null >$LW_TMP/disc.zero
		if cmp -s $LW_TMP/disc.now $LW_TMP/disc.zero; then
			DISC_ZEROES=1
			lw_put $LW_TMP/expect.img "$DISC_OFF" "$DISC_LEN" $LW_TMP/disc.zero
		else
			DISC_ZEROES=0
		fi
		echo "discard of bytes $DISC_OFF+$DISC_LEN on $LW_DATA: zeroes=$DISC_ZEROES"
	fi
	mark p$k
	cp $LW_TMP/expect.img $LW_TMP/e.$k.img
	xp_check "phase $k: $LW_DATA holds what the workload wrote through the target" \
		[ "$(awk -v m=p$k '$1 == m { print $2 }' $LW_TMP/marks)" = "$(lw_sum $LW_TMP/e.$k.img)" ]
done
echo "workload: $(grep -c ' W ' $LW_TMP/ledger) writes, $(grep -c ' D ' $LW_TMP/ledger) discard"
cat $LW_TMP/errors
xp_check "every write and discard of the workload succeeded" [ ! -s $LW_TMP/errors ]

# A log the target still writes is refused: its super is not final.
lw_run busy "$LW" list $LW_LOG
xp_check "list refuses $LW_LOG while the target holds it (status $LW_RC, EBUSY)" \
	grep -q "is in use" $LW_TMP/busy.err
xp_run dmsetup remove lw

# ---- step 2: the log ----
xp_step "the log ($(xp_secs "$T0") s)"
lw_run list "$LW" list $LW_LOG
xp_check "list $LW_LOG succeeds (status $LW_RC)" [ "$LW_RC" = 0 ]
L=$LW_TMP/list.out
head -1 $L
tail -1 $L
echo "lwlist $(tail -1 $L)"
xp_check "sector size 512, the logical block size of $LW_DATA ($(cat /sys/block/vda/queue/logical_block_size))" \
	grep -q "sector size $(cat /sys/block/vda/queue/logical_block_size)," $L
NENT=$(sed -n 's/.* \([0-9]*\) entries in bytes.*/\1/p' $L)
LOGEND=$(sed -n 's/.* entries in bytes \[[0-9]*, \([0-9]*\)).*/\1/p' $L)
grep -v '^#' $L | grep -v '^total' >$LW_TMP/entries
xp_check "$NENT entry lines, numbered 0..$((NENT - 1))" \
	[ "$(awk '$1 != NR - 1 { bad = 1 } END { print NR, bad + 0 }' $LW_TMP/entries)" = "$NENT 0" ]
MARKS=$(awk '$4 == "MARK" { printf "%s ", $5 }' $LW_TMP/entries)
xp_check "marks in order: $MARKS" \
	[ "$MARKS" = "p1 p2 p3 p4-unflushed p4 p5 dm-log-writes-end " ]
xp_check "the last entry is the target's own end mark" \
	[ "$(tail -1 $LW_TMP/entries | cut -d' ' -f2-)" = "0 0 MARK dm-log-writes-end" ]
awk '$4 ~ /FLUSH/ { print $1 }' $LW_TMP/entries >$LW_TMP/fl
xp_check "$PHASES FLUSH entries, one per fdatasync: $(tr '\n' ' ' <$LW_TMP/fl)" \
	[ "$(wc -l <$LW_TMP/fl)" = $PHASES ]
xp_check "no FUA entry (none was written) and no unexpected flag" \
	[ -z "$(awk '$4 != "-" && $4 != "FLUSH" && $4 != "MARK" && $4 != "DISCARD"' $LW_TMP/entries)" ]
lw_run flushes "$LW" flushes $LW_LOG
xp_check "flushes prints the FLUSH entries list shows" cmp -s $LW_TMP/flushes.out $LW_TMP/fl
# f K: index of the K-th FLUSH (f 0 = -1).
f() {
	if [ "$1" = 0 ]; then echo -1; else sed -n "${1}p" $LW_TMP/fl; fi
}
for k in 1 2 3 4 5; do
	# The phase's entries, as "W|D SECTOR SECTORS", against its ledger.
	awk -v a="$(f $((k - 1)))" -v b="$(f $k)" '$1 > a && $1 < b && $4 != "MARK" {
		print ($4 == "DISCARD" ? "D" : "W"), $2, $3 }' $LW_TMP/entries >$LW_TMP/got.$k
	awk -v k=$k '$1 == k { print $2, $3 / 512, $4 / 512 }' $LW_TMP/ledger >$LW_TMP/want.$k
	if [ $k = 5 ]; then
		sort $LW_TMP/got.$k >$LW_TMP/got.s
		sort $LW_TMP/want.$k >$LW_TMP/want.s
		xp_check "phase 5: between FLUSH 4 and 5, exactly the $(wc -l <$LW_TMP/want.$k) writes of two concurrent writers" \
			cmp -s $LW_TMP/got.s $LW_TMP/want.s
	else
		xp_check "phase $k: between FLUSH $((k - 1)) and $k, exactly its $(wc -l <$LW_TMP/want.$k) writes/discards, in the order made" \
			cmp -s $LW_TMP/got.$k $LW_TMP/want.$k
	fi
done
# Writes of phase 4 made before the mark p4-unflushed are logged after it.
# shellcheck disable=SC2016 # an awk program
xp_check "the mark made before phase 4's FLUSH precedes all of phase 4's writes in the log" \
	awk -v a="$(f 3)" '$4 == "MARK" && $5 == "p4-unflushed" { m = $1 }
		$1 > a && $4 == "-" && !first { first = $1 }
		END { exit !(m && first && m < first) }' $LW_TMP/entries

# ---- step 3: replays ----
xp_step "replays onto $LW_DEV ($(xp_secs "$T0") s)"
# replay NAME ARGS...: zero LW_DEV, replay onto it; its sum in GOT, empty
# when lw_replay failed.
replay() {
	_n=$1
	shift
	lw_zero $LW_DEV
	lw_run "r-$_n" "$LW" replay $LW_LOG $LW_DEV "$@"
	GOT=
	if [ "$LW_RC" = 0 ]; then
		GOT=$(lw_devsum $LW_DEV)
	else
		sed 's/^/    /' "$LW_TMP/r-$_n.err"
	fi
}
# same GOT WANT: the sums are equal and not empty.
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }

VDA=$(lw_devsum $LW_DATA)
echo "sum vda-final $VDA"
replay all
cat $LW_TMP/r-all.out
xp_check "the whole log replayed equals $LW_DATA" same "$GOT" "$VDA"
ALL=$GOT

if [ "${XP_LW_WRONG_SUMS:-0}" = 1 ]; then
	echo "XP_LW_WRONG_SUMS=1: the mark sums are made wrong; their checks must fail"
	awk '{ print $1, substr($2, 1, 63) (substr($2, 64) == "0" ? "1" : "0") }' \
		$LW_TMP/marks >$LW_TMP/marks.bad
	mv $LW_TMP/marks.bad $LW_TMP/marks
fi
for m in p1 p2 p3 p4 p5; do
	replay "$m" --to-mark $m
	xp_check "--to-mark $m equals $LW_DATA at mark $m" \
		same "$GOT" "$(awk -v m=$m '$1 == m { print $2 }' $LW_TMP/marks)"
done
replay p4u --to-mark p4-unflushed
cat $LW_TMP/r-p4u.out
xp_check "--to-mark p4-unflushed equals phase 3's state: writes not yet flushed are not in it" \
	same "$GOT" "$(lw_sum $LW_TMP/e.3.img)"
xp_check "... while $LW_DATA already had them at that mark" \
	[ "$(awk '$1 == "p4-unflushed" { print $2 }' $LW_TMP/marks)" != "$(lw_sum $LW_TMP/e.3.img)" ]

for k in 1 2 3 4 5; do
	replay "f$k" --to-flush $k
	xp_check "--to-flush $k (entry $(f $k)) equals the state after phase $k" \
		same "$GOT" "$(lw_sum $LW_TMP/e.$k.img)"
done

# The same states again, each replay going on from where the one before
# stopped: what the writecache replay test does to stay linear.
lw_zero $LW_DEV
from=0
for k in 1 2 3 4 5; do
	lw_run "from$k" "$LW" replay $LW_LOG $LW_DEV --from $from --to-flush $k
	GOT=
	[ "$LW_RC" = 0 ] && GOT=$(lw_devsum $LW_DEV)
	xp_check "--from $from --to-flush $k onto the replay up to entry $from equals the state after phase $k" \
		same "$GOT" "$(lw_sum $LW_TMP/e.$k.img)"
	from=$(($(f $k) + 1))
done
xp_check "... and says which entries it replayed: [$(($(f 4) + 1)), $from)" \
	grep -q "^replayed entries \[$(($(f 4) + 1)), $from) of $NENT " $LW_TMP/from5.out

# A random entry E between FLUSH K-1 and FLUSH K (E may be the entry right
# after FLUSH K-1, or FLUSH K itself, which replays all but the flush):
# expected is phase K-1's state plus, for each entry of the log before E,
# its range as phase K left it (a phase writes each slot once, so that is
# the data of that very entry).
for k in 1 2 3 4 5; do
	a=$(($(f $((k - 1))) + 1))
	b=$(f $k)
	e=$(awk -v s="$SEED$k" -v a="$a" -v b="$b" 'BEGIN { srand(s); print a + int(rand() * (b - a + 1)) }')
	cp $LW_TMP/e.$((k - 1)).img $LW_TMP/x.img
	awk -v a=$a -v e="$e" '$1 >= a && $1 < e && $4 != "MARK" && $3 > 0 { print $2, $3 }' \
		$LW_TMP/entries | while read -r sec n; do
		lw_put $LW_TMP/x.img $((sec * 512)) $((n * 512)) $LW_TMP/e.$k.img $((sec * 512))
	done
	replay "e$k" --to "$e"
	xp_check "--to $e (random in phase $k, entries $a..$b): phase $((k - 1))'s state and the $(awk -v a=$a -v e="$e" '$1 >= a && $1 < e && $4 != "MARK"' $LW_TMP/entries | wc -l) entries before it" \
		same "$GOT" "$(lw_sum $LW_TMP/x.img)"
done

if [ -n "${DISC_OFF:-}" ]; then
	# Zeroes in the slot, then whatever later phases wrote over it.
	cp $LW_TMP/e.5.img $LW_TMP/x.img
	lw_put $LW_TMP/x.img "$DISC_OFF" "$DISC_LEN" $LW_TMP/disc.zero
	awk '$1 > 3 && $2 == "W" { print $3, $4 }' $LW_TMP/ledger | while read -r off len; do
		lw_put $LW_TMP/x.img "$off" "$len" $LW_TMP/e.5.img "$off"
	done
	replay dz --discard-zeroes
	xp_check "--discard-zeroes: the final state with zeroes in the discarded slot" \
		same "$GOT" "$(lw_sum $LW_TMP/x.img)"
	echo "sum final-discard-zeroes $(lw_sum $LW_TMP/x.img)"
else
	xp_skip "--discard-zeroes: the plan has no discard (seed $SEED)"
fi

# The control: the comparison that passed above must fail on a wrong sum.
WRONG=$(echo "$VDA" | tr 0-9a-f 1-9a-f0)
if same "$ALL" "$WRONG"; then
	xp_notok "control: a wrong expected sum was reported as a match"
else
	xp_ok "control: a wrong expected sum is reported as a mismatch"
fi

# ---- step 4: refusals ----
xp_step "refusals ($(xp_secs "$T0") s)"
# A copy of the log's used part, corrupted a different way each time.
dd if=$LW_LOG of=$LW_TMP/good.img bs=512 count=$((LOGEND / 512)) 2>/dev/null
C=$LW_TMP/bad.img
lw_refusals
fresh() { cp $LW_TMP/good.img $C; }
fresh
"$LW" list $C 2>&1 | grep -v '^#' >$LW_TMP/copy.list
xp_check "a copy of the log's $LOGEND used bytes lists the same entries" \
	sh -c "grep -v '^#' $L | cmp -s - $LW_TMP/copy.list"
fresh
lw_patch $C 0 243	# 'r' (0x72) -> 0xa3
lw_refused "magic flipped" 1 "is not dm-log-writes'" "$LW" replay $C $LW_DEV
fresh
lw_patch $C 8 2
lw_refused "version 2" 1 "log version 2 is not supported" "$LW" replay $C $LW_DEV
fresh
lw_patch $C 24 350 3	# 1000
lw_refused "sector size 1000" 1 "sector size 1000 is not a power of two" "$LW" replay $C $LW_DEV
fresh
lw_patch $C 24 0 40	# 8192
lw_refused "sector size 8192" 1 "sector size 8192 is not a power of two from 512 to 4096" \
	"$LW" replay $C $LW_DEV
fresh
lw_patch $C 22 1	# 2^48 + n entries
lw_refused "entry count beyond the log's size" 1 "the super is corrupt or the log truncated" \
	"$LW" replay $C $LW_DEV
fresh
lw_patch $C 529 1	# entry 0's flags | 0x100
lw_refused "an unknown flag in entry 0" 1 "unknown bits 0x100" "$LW" replay $C $LW_DEV
fresh
lw_patch $C 518 1	# entry 0's sector + 2^48
lw_refused "entry 0 beyond the device" 1 "a corrupt log, or the wrong DEV" "$LW" replay $C $LW_DEV
fresh
truncate -s $((LOGEND / 2 + 100)) $C
lw_refused "log truncated to half" 1 "the log is truncated" "$LW" replay $C $LW_DEV
fresh
truncate -s $((LOGEND - 512)) $C
lw_refused "log truncated by its last sector" 1 "the log is truncated" "$LW" replay $C $LW_DEV
fresh
truncate -s 300 $C
lw_refused "log truncated to 300 bytes" 1 "is too small for a log" "$LW" replay $C $LW_DEV
dd if=/dev/zero of=$LW_TMP/small.img bs=1M count=1 2>/dev/null
lw_refused "a DEV of 1 MiB" 1 "a corrupt log, or the wrong DEV" "$LW" replay $LW_LOG $LW_TMP/small.img
xp_check "... and the 1 MiB file is still zero and 1 MiB" \
	[ "$(lw_sum $LW_TMP/small.img)" = "$(dd if=/dev/zero bs=1M count=1 2>/dev/null | sha256sum | cut -d' ' -f1)" ]
dmsetup create hold --table "0 $SECTORS linear $LW_DEV 0"
lw_refused "a DEV held by device-mapper" 1 "is in use" "$LW" replay $LW_LOG $LW_DEV
dmsetup remove hold
lw_refused "DEV is the log" 1 "is the log" "$LW" replay $LW_LOG $LW_LOG

lw_refused "no arguments" 2 "usage: lw_replay" "$LW"
lw_refused "an unknown command" 2 "unknown command 'frob'" "$LW" frob $LW_LOG
lw_refused "replay without DEV" 2 "replay takes LOG and DEV, 1 operand was given" \
	"$LW" replay $LW_LOG
lw_refused "list with two operands" 2 "list takes only LOG" "$LW" list $LW_LOG $LW_DEV
lw_refused "list with --to" 2 "replay's options do not apply" "$LW" list $LW_LOG --to 3
lw_refused "--to abc" 2 "--to 'abc' is not a number" "$LW" replay $LW_LOG $LW_DEV --to abc
lw_refused "--to -1" 2 "--to '-1' is not a number" "$LW" replay $LW_LOG $LW_DEV --to -1
lw_refused "--to 2^64" 2 "--to '18446744073709551616' is not a number" \
	"$LW" replay $LW_LOG $LW_DEV --to 18446744073709551616
lw_refused "--to past the end" 1 "--to $((NENT + 1)) is beyond the log" \
	"$LW" replay $LW_LOG $LW_DEV --to $((NENT + 1))
lw_refused "--from past the limit" 1 "--from 5 is past the limit: the replay would stop before entry 4" \
	"$LW" replay $LW_LOG $LW_DEV --from 5 --to 4
lw_refused "--from past the end" 1 "--from $((NENT + 1)) is past the limit" \
	"$LW" replay $LW_LOG $LW_DEV --from $((NENT + 1))
lw_refused "--from abc" 2 "--from 'abc' is not a number" "$LW" replay $LW_LOG $LW_DEV --from abc
lw_refused "--from twice" 2 "--from given twice" "$LW" replay $LW_LOG $LW_DEV --from 1 --from 2
lw_refused "list with --from" 2 "replay's options do not apply" "$LW" list $LW_LOG --from 1
lw_refused "--to-flush 0" 2 "--to-flush 0: K counts FLUSH entries from 1" \
	"$LW" replay $LW_LOG $LW_DEV --to-flush 0
lw_refused "--to-flush past the last" 1 "has $PHASES FLUSH entries" \
	"$LW" replay $LW_LOG $LW_DEV --to-flush $((PHASES + 1))
lw_refused "--to-mark of no mark" 1 "no mark named 'nosuch'" \
	"$LW" replay $LW_LOG $LW_DEV --to-mark nosuch
lw_refused "--to with --to-mark" 2 "--to and --to-mark exclude each other" \
	"$LW" replay $LW_LOG $LW_DEV --to 1 --to-mark p1
lw_refused "an unknown option" 2 "unrecognized option '--frob'" \
	"$LW" replay $LW_LOG $LW_DEV --frob
lw_refused "a LOG that does not exist" 1 "No such file or directory" "$LW" list /nonexistent
lw_refused "a LOG that is not a log" 1 "is not dm-log-writes'" "$LW" list $LW_DATA

# ---- step 5: the last full replay, for the host to compare ----
xp_step "the last full replay ($(xp_secs "$T0") s)"
replay last
xp_check "the last full replay equals $LW_DATA" same "$GOT" "$VDA"
echo "sum vdc-final $GOT"
echo "guest done in $(xp_secs "$T0") s"
xp_done logwrites
