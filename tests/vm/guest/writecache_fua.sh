# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_writecache: what `fua` and `nofua` change. The origin
# is dm-log-writes over /dev/vda logging to /dev/vdc, the cache /dev/vdb
# (mode s). For each option: 4 MiB through xpcache, the flush message,
# then the origin's log (lw_replay list) must show writeback as
#   nofua  plain writes and FLUSHes (a batch's, then the message's own);
#   fua    FUA writes only, and one FLUSH: the message's own, last;
# and replaying the log up to the entry that made the copies durable (the
# last FLUSH under nofua, the last FUA write under fua) must give the
# 4 MiB back.

# shellcheck source=tests/vm/guest/writecache_lib.sh
. /xp/files/writecache_lib.sh
LW=/xp/files/lw_replay
LOG=/dev/vdc
REPLAY=/dev/vdd
osz=$(cat /sys/block/vda/size)
MiB4=4194304

for d in $O $C $LOG $REPLAY; do
	[ -b "$d" ] || xp_fail "needs $d (origin, cache, log, replay disks)"
done
xp_run insmod "$WC_KO"
head -c $MiB4 /dev/urandom >/tmp/data
want=$(sha256sum </tmp/data | cut -d' ' -f1)

for opt in nofua fua; do
	xp_step "$opt"
	dd if=/dev/zero of=$C bs=4096 count=2 oflag=direct 2>/dev/null
	dd if=/dev/zero of=$REPLAY bs=1M count=8 oflag=direct 2>/dev/null
	xp_run dmsetup create lwo --table "0 $osz log-writes $O $LOG"
	xp_run dmsetup create wc --table "0 $osz xpcache s /dev/mapper/lwo $C 4096 1 $opt"
	xp_check "$opt: the table line keeps the option" \
		sh -c "dmsetup table wc | grep -qw $opt"
	dd if=/tmp/data of=/dev/mapper/wc bs=64k oflag=direct 2>/dev/null ||
		xp_fail "$opt: writing 4 MiB through xpcache"
	xp_check "$opt: the 4 MiB wait in the cache before the flush message" \
		test "$(wc_field 10)" -ge 1024
	xp_run dmsetup message wc 0 flush
	xp_check "$opt: nothing dirty after the flush message" test "$(wc_field 10)" = 0
	xp_check "$opt: no error state" test "$(wc_field 1)" = 0
	xp_run dmsetup remove wc
	xp_run dmsetup remove lwo

	"$LW" list $LOG >/tmp/list.$opt || xp_fail "$opt: lw_replay list"
	# Data entries: sectors > 0 and not a discard or mark.
	plain=$(awk '!/^#|^total/ && $3 > 0 && $4 == "-"' /tmp/list.$opt | wc -l)
	fua=$(awk '!/^#|^total/ && $3 > 0 && $4 ~ /FUA/' /tmp/list.$opt | wc -l)
	flush=$(awk '!/^#|^total/ && $4 ~ /FLUSH/' /tmp/list.$opt | wc -l)
	echo "$opt: origin log: $plain plain writes, $fua FUA writes, $flush FLUSH entries"
	if [ $opt = nofua ]; then
		xp_check "nofua: writeback wrote plain writes ($plain) and flushed ($flush > 1), no FUA ($fua)" \
			test "$plain" -gt 0 -a "$flush" -gt 1 -a "$fua" = 0
		last=$(awk '!/^#|^total/ && $4 ~ /FLUSH/ { i = $1 } END { print i }' /tmp/list.$opt)
	else
		xp_check "fua: writeback wrote FUA writes ($fua), no plain write ($plain), only the message's FLUSH ($flush)" \
			test "$fua" -gt 0 -a "$plain" = 0 -a "$flush" = 1
		last=$(awk '!/^#|^total/ && $3 > 0 && $4 ~ /FUA/ { i = $1 } END { print i }' /tmp/list.$opt)
	fi
	[ -n "$last" ] || xp_fail "$opt: the log has no entry that made the copies durable"
	xp_run "$LW" replay $LOG $REPLAY --to $((last + 1))
	got=$(dd if=$REPLAY bs=64k count=64 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)
	xp_check "$opt: the log up to entry $last holds the 4 MiB" test "$got" = "$want"
done
xp_done writecache_fua
