#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lw_replay (tests/vm/tools/lw_replay.c), our replay tool for Linux's
# dm-log-writes logs, which the writecache crash-consistency tests build
# on. Two parts:
#
#   here, without qemu: logs built byte by byte in files, with sector sizes
#     512, 1024 and 4096, every flag, a mark of the longest length, a
#     write that ends at the device's end and entries past the count in
#     the super; each limit (--to, --to-mark, --to-flush) gives the
#     expected image, and so does a replay that goes on with --from from
#     where an earlier one stopped; corrupt headers, truncation at every half sector and
#     random byte flips are refused or harmless, and never write outside
#     the device (a file that must keep its size and, when refused, its
#     contents). Run under ASan and UBSan when gcc has them;
#   in a guest per kernel series (guest/logwrites_replay.sh): the target
#     logs a workload of flushes, marks, a discard and concurrent writers;
#     replays at every mark, every FLUSH and random entries equal the
#     states the guest recorded; Linux's dm-writecache provides real FUA
#     entries; refusals and bad arguments. Then this side checks the disk
#     images itself: the replayed disk equals the logged one, and the log
#     image replayed here onto a file gives the guest's state with the
#     discard zeroed (a hole in a file reads as zeroes).
#
#   XP_LOGWRITES_SEED         the guest workload's seed (default: random,
#                             printed)
#   XP_LOGWRITES_WRONG_SUMS=1 the guest checks its mark replays against wrong
#                             sums: the suite must then fail
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
LWR=$XP_BUILD/vm/lw_replay
SEED=${XP_LOGWRITES_SEED:-$((RANDOM % 10000 + 1))}

# The guests' tool, static; the same source with ASan and UBSan for the
# checks here.
vm_tool_build lw_replay "$LWR" || { summary; exit 1; }
HOST_LWR=$TMP/lw_replay.san
vm_tool_host lw_replay "$LWR" "$HOST_LWR"

# ---- logs built here ----

# le BYTES VALUE: VALUE as BYTES little-endian bytes (bash arithmetic is
# 64-bit two's complement, so -1 is 2^64-1).
le() {
	local i b s=
	for ((i = 0; i < $1; i++)); do
		printf -v b '\\%03o' $((($2 >> (8 * i)) & 255))
		s+=$b
	done
	printf '%b' "$s"
}

# blk SS FILE: FILE (made by the caller) padded with zeroes to SS bytes.
blk() { truncate -s "$1" "$2"; }

# mklog FILE SS NR_ENTRIES [MAGIC [VERSION [SECTORSIZE]]]: write the super
# (at byte 0, one sector) into FILE, keeping the rest of FILE.
mklog() {
	local f=$1 ss=$2
	{
		le 8 "${4:-0x6a736677736872}"
		le 8 "${5:-1}"
		le 8 "$3"
		le 4 "${6:-$ss}"
	} >"$TMP/super"
	blk "$ss" "$TMP/super"
	[[ -f $f ]] || : >"$f"
	dd if="$TMP/super" of="$f" conv=notrunc status=none
}

# entry FILE SS SECTOR NR FLAGS DATA_LEN [MARK] [DATAFILE]: append an entry
# block (and DATAFILE's bytes, which the caller sized to NR sectors).
entry() {
	local f=$1 ss=$2
	{
		le 8 "$3"
		le 8 "$4"
		le 8 "$5"
		le 8 "$6"
		printf '%s' "${7:-}"
	} >"$TMP/entry"
	blk "$ss" "$TMP/entry"
	cat "$TMP/entry" >>"$f"
	[[ -n ${8:-} ]] && cat "$8" >>"$f"
	return 0
}

# put IMG SS SECTOR FILE: FILE's bytes into IMG at SECTOR (of SS bytes).
put() { dd if="$4" of="$1" bs="$2" seek="$3" conv=notrunc status=none; }

sum() { sha256sum "$1" | cut -d' ' -f1; }

# The log every size-specific check starts from, in $TMP/s$SS/:
#   0  write sector 2, 3 sectors (A)
#   1  FLUSH
#   2  MARK first
#   3  write sector 30, 2 sectors, FUA|METADATA (B): ends at the device's end
#   4  DISCARD sector 3, 1 sector
#   5  FLUSH with data: sector 0, 1 sector (C)
#   6  MARK of SS-32 bytes, the longest a header block holds
#   7  MARK dm-log-writes-end
#   then an entry with every flag bit set, beyond the super's count of 8.
# The device is a file of 32 sectors of random bytes (R); the images x.N
# are what replaying entries [0, N) must give (N = 1, 4, 5, 8; x.0 is R).
build_case() {
	local ss=$1 d=$TMP/s$1 long
	mkdir -p "$d"
	head -c $((32 * ss)) /dev/urandom >"$d/R"
	head -c $((3 * ss)) /dev/urandom >"$d/A"
	head -c $((2 * ss)) /dev/urandom >"$d/B"
	head -c "$ss" /dev/urandom >"$d/C"
	long=$(printf "%$((ss - 32))s" '' | tr ' ' m)
	rm -f "$d/log"
	mklog "$d/log" "$ss" 8
	entry "$d/log" "$ss" 2 3 0 0 "" "$d/A"
	entry "$d/log" "$ss" 0 0 1 0
	entry "$d/log" "$ss" 0 0 8 5 first
	entry "$d/log" "$ss" 30 2 $((0x12)) 0 "" "$d/B"
	entry "$d/log" "$ss" 3 1 4 0
	entry "$d/log" "$ss" 0 1 1 0 "" "$d/C"
	entry "$d/log" "$ss" 0 0 8 $((ss - 32)) "$long"
	entry "$d/log" "$ss" 0 0 8 17 dm-log-writes-end
	entry "$d/log" "$ss" 0 0 $((0xffff)) 0
	cp "$d/R" "$d/x.0"
	cp "$d/R" "$d/x.1" && put "$d/x.1" "$ss" 2 "$d/A"
	cp "$d/x.1" "$d/x.4" && put "$d/x.4" "$ss" 30 "$d/B"
	cp "$d/x.4" "$d/x.5" && head -c "$ss" /dev/zero >"$d/Z" && put "$d/x.5" "$ss" 3 "$d/Z"
	cp "$d/x.5" "$d/x.8" && put "$d/x.8" "$ss" 0 "$d/C"
	printf '%s\n' "0 2 3 -" "1 0 0 FLUSH" "2 0 0 MARK first" "3 30 2 FUA,METADATA" \
		"4 3 1 DISCARD" "5 0 1 FLUSH" "6 0 0 MARK $long" "7 0 0 MARK dm-log-writes-end" \
		"total 8 entries: 3 write, 2 flush, 1 fua, 1 discard, 3 mark, 1 metadata; 6 sectors of $ss bytes written" \
		>"$d/list.want"
}

# replay_is SS NAME IMG ARGS...: replay the case's log onto a copy of R
# with ARGS; the result must equal image IMG.
replay_is() {
	local ss=$1 name=$2 img=$3 d=$TMP/s$1 rc=0 args
	shift 3
	cp "$d/R" "$d/dev"
	"$HOST_LWR" replay "$d/log" "$d/dev" "$@" >"$d/out" 2>"$d/err" || rc=$?
	((rc)) && sed 's/^/    # /' "$d/err" | head -5
	args=${*:-(the whole log)}
	((${#args} < 40)) || args="${args:0:36}..."
	check "sector size $ss: replay $args gives $name (status $rc)" \
		test "$rc" = 0 -a "$(sum "$d/dev")" = "$(sum "$d/$img")"
}

# replay_from SS NAME START IMG ARGS...: replay the case's log onto a copy
# of image START (an earlier replay's result) with ARGS (--from ...); the
# result must equal image IMG.
replay_from() {
	local ss=$1 name=$2 start=$3 img=$4 d=$TMP/s$1 rc=0
	shift 4
	cp "$d/$start" "$d/dev"
	"$HOST_LWR" replay "$d/log" "$d/dev" "$@" >"$d/out" 2>"$d/err" || rc=$?
	((rc)) && sed 's/^/    # /' "$d/err" | head -5
	check "sector size $ss: replay $* onto $start gives $name (status $rc)" \
		test "$rc" = 0 -a "$(sum "$d/dev")" = "$(sum "$d/$img")"
}

# refused SS WHAT LOG MESSAGE [ARGS...]: replaying LOG onto a copy of R
# exits 1 with MESSAGE, and the copy keeps its size and bytes.
refused() {
	local ss=$1 what=$2 log=$3 msg=$4 d=$TMP/s$1 rc=0 why=
	shift 4
	cp "$d/R" "$d/dev"
	"$HOST_LWR" replay "$log" "$d/dev" "$@" >"$d/out" 2>"$d/err" || rc=$?
	((rc == 1)) || why+=", status $rc (want 1)"
	grep -qF -- "$msg" "$d/err" || why+=", no '$msg' in: $(head -c 300 "$d/err")"
	[[ $(sum "$d/dev") == "$(sum "$d/R")" ]] || why+=", the device changed"
	if [[ -z $why ]]; then
		pass "sector size $ss: refused: $what: '$msg', device untouched"
	else
		fail "sector size $ss: refused: $what:${why#,}"
	fi
}

# patched SS OFF BYTES VALUE: a copy of the case's log with VALUE (BYTES
# little-endian bytes) at byte OFF; prints its path.
patched() {
	local d=$TMP/s$1
	cp "$d/log" "$d/bad"
	le "$3" "$4" >"$TMP/patch"
	dd if="$TMP/patch" of="$d/bad" bs=1 seek="$2" conv=notrunc status=none
	echo "$d/bad"
}

host_case() {
	local ss=$1 d=$TMP/s$1 rc n bad=0 fuzz=0 end off hdrs byte
	build_case "$ss"
	"$HOST_LWR" list "$d/log" >"$d/list" 2>"$d/err"
	rc=$?
	check "sector size $ss: list exits 0 and shows each entry, flag and mark ($rc)" \
		sh -c "test $rc = 0 && grep -v '^#' '$d/list' | cmp -s - '$d/list.want'"
	check "sector size $ss: list's header gives the sector size and where the entries end" \
		grep -q "sector size $ss, 8 entries in bytes \[$ss, $((15 * ss))) of $((16 * ss))" "$d/list"
	check "sector size $ss: flushes lists FLUSH and FUA entries: 1 3 5" \
		test "$("$HOST_LWR" flushes "$d/log" | tr '\n' ' ')" = "1 3 5 "

	replay_is "$ss" "the final image" x.8
	replay_is "$ss" "the final image" x.8 --discard-zeroes
	replay_is "$ss" "R unchanged" x.0 --to 0
	replay_is "$ss" "R + A" x.1 --to-flush 1
	replay_is "$ss" "R + A" x.1 --to-mark first
	replay_is "$ss" "R + A + B" x.4 --to 4
	replay_is "$ss" "R + A + B, then the discard's zeroes" x.5 --to 5
	replay_is "$ss" "the final image" x.8 --to-flush 2
	replay_is "$ss" "the final image" x.8 --to-mark dm-log-writes-end
	replay_is "$ss" "the final image" x.8 --to-mark "$(printf "%$((ss - 32))s" '' | tr ' ' m)"
	replay_from "$ss" "R + A + B" x.1 x.4 --from 1 --to 4
	replay_from "$ss" "R + A + B, then the discard's zeroes" x.4 x.5 --from 4 --to 5 \
		--discard-zeroes
	check "sector size $ss: --from 4 --to 5 says it replayed entries [4, 5), the discard" \
		grep -q "^replayed entries \[4, 5) of 8 .*: 1 entries: 0 write, .* 1 discard" "$d/out"
	replay_from "$ss" "the final image" x.5 x.8 --from 5 --to-flush 2
	replay_from "$ss" "the final image" x.4 x.8 --from 4
	replay_from "$ss" "x.8 unchanged (nothing to replay)" x.8 x.8 --from 8
	replay_from "$ss" "R unchanged (nothing to replay)" x.0 x.0 --from 0 --to 0
	refused "$ss" "--from 5 --to 4" "$d/log" \
		"--from 5 is past the limit: the replay would stop before entry 4" --from 5 --to 4
	refused "$ss" "--from 9 of 8" "$d/log" "--from 9 is past the limit" --from 9
	refused "$ss" "--from 4 --to-mark first (the mark is entry 2)" "$d/log" \
		"--from 4 is past the limit: the replay would stop before entry 3" --from 4 \
		--to-mark first
	refused "$ss" "--to-flush 3 of 2" "$d/log" "has 2 FLUSH entries" --to-flush 3
	refused "$ss" "--to 9 of 8" "$d/log" "--to 9 is beyond the log" --to 9

	# Headers: the super at byte 0, entries 0..8 at SS times 1 5 6 7 10 11
	# 13 14 15; each {sector, nr_sectors, flags, data_len}.
	refused "$ss" "a wrong magic" "$(patched "$ss" 0 8 0x6a736677736873)" \
		"magic 0x6a736677736873 is not dm-log-writes' 0x6a736677736872"
	refused "$ss" "version 2" "$(patched "$ss" 8 8 2)" "log version 2 is not supported"
	for n in 0 256 768 8192 65536; do
		refused "$ss" "sector size $n" "$(patched "$ss" 24 4 $n)" \
			"sector size $n is not a power of two from 512 to 4096"
	done
	refused "$ss" "2^64-1 entries" "$(patched "$ss" 16 8 -1)" \
		"the super counts 18446744073709551615 entries"
	refused "$ss" "a 9th entry counted (every flag bit set)" "$(patched "$ss" 16 8 9)" \
		"entry 8 at byte $((15 * ss)): flags 0xffff have unknown bits 0xffe0"
	refused "$ss" "data_len on a write" "$(patched "$ss" $((ss + 24)) 8 5)" \
		"data_len 5 on an entry that is not a mark"
	refused "$ss" "a mark of SS-31 bytes" "$(patched "$ss" $((6 * ss + 24)) 8 $((ss - 31)))" \
		"mark text of $((ss - 31)) bytes does not fit its sector"
	refused "$ss" "a mark with data" "$(patched "$ss" $((6 * ss + 8)) 8 1)" \
		"a mark with 1 sectors of data"
	refused "$ss" "a mark with a NUL inside" "$(patched "$ss" $((6 * ss + 24)) 8 10)" \
		"mark text of 10 bytes has a NUL byte"
	refused "$ss" "2^62 sectors of data" "$(patched "$ss" $((ss + 8)) 8 $((1 << 62)))" \
		"entry 0: 4611686018427387904 sectors of data from byte $((2 * ss))"
	refused "$ss" "2^64-1 sectors of data" "$(patched "$ss" $((ss + 8)) 8 -1)" \
		"the log is truncated"
	refused "$ss" "a write past the device's end" "$(patched "$ss" "$ss" 8 30)" \
		"entry 0 covers sectors [30, +3) of $ss bytes, but $d/dev has 32 such sectors"
	refused "$ss" "sector 2^64-1 (a wrapping end)" "$(patched "$ss" "$ss" 8 -1)" \
		"entry 0 covers sectors [18446744073709551615, +3)"
	refused "$ss" "a discard past the device's end" "$(patched "$ss" $((10 * ss)) 8 32)" \
		"entry 4 covers sectors [32, +1)"
	check "sector size $ss: list shows a sector of 2^64-1 as it is (no device to check)" \
		grep -q "^0 18446744073709551615 3 -$" <("$HOST_LWR" list "$(patched "$ss" "$ss" 8 -1)")
	cp "$d/log" "$d/bad"
	rc=0
	"$HOST_LWR" replay "$d/log" "$d/log" >/dev/null 2>"$d/err" || rc=$?
	check "sector size $ss: refused: the log as its own DEV: status $rc, the log unchanged" \
		sh -c "test $rc = 1 && grep -q 'is the log' '$d/err' && cmp -s '$d/log' '$d/bad'"

	# Truncation: every half sector short of the entries' end.
	end=$((15 * ss))
	n=0
	cp "$d/R" "$d/dev"
	for ((off = 0; off < end; off += ss / 2)); do
		cp "$d/log" "$d/bad"
		truncate -s "$off" "$d/bad"
		rc=0
		"$HOST_LWR" replay "$d/bad" "$d/dev" >/dev/null 2>"$d/err" || rc=$?
		n=$((n + 1))
		if ((rc != 1)) || ! grep -qE "truncated|too small for a log" "$d/err"; then
			bad=$((bad + 1))
			note "truncated at $off: status $rc: $(head -c 200 "$d/err")"
		fi
	done
	cmp -s "$d/dev" "$d/R" || {
		bad=$((bad + 1))
		note "a truncated log changed the device"
	}
	check "sector size $ss: the log truncated at each of $n points refused as truncated, device untouched" \
		test "$bad" = 0

	# Random bytes in the super and the entry headers: any outcome but a
	# crash, a sanitizer report, or a device of another size. (A log that
	# is still valid may write into the device: no need for a fresh one.)
	bad=0
	hdrs=(0 1 5 6 7 10 11 13 14)
	for ((n = 0; n < 100; n++)); do
		cp "$d/log" "$d/bad"
		off=$((hdrs[RANDOM % 9] * ss + RANDOM % 40))
		printf -v byte '\\%03o' $((RANDOM % 256))
		printf '%b' "$byte" | dd of="$d/bad" bs=1 seek="$off" conv=notrunc status=none
		rc=0
		"$HOST_LWR" replay "$d/bad" "$d/dev" >/dev/null 2>"$d/err" || rc=$?
		((rc == 0)) && fuzz=$((fuzz + 1))
		if ((rc > 1)) || [[ $(stat -c %s "$d/dev") != $((32 * ss)) ]]; then
			bad=$((bad + 1))
			note "byte $off changed: status $rc: $(head -c 300 "$d/err")"
		fi
	done
	check "sector size $ss: 100 logs with a random byte changed: no crash, no write outside the device ($fuzz still valid)" \
		test "$bad" = 0
}

for ss in 512 1024 4096; do
	host_case "$ss"
done

# ---- in the guests ----
vm_require test_logwrites

# gsum LOG NAME: the guest's "sum NAME SHA" value.
gsum() { vm_output "$1" | awk -v n="$2" '$1 == "sum" && $2 == n { print $3 }'; }

logwrites_series() {
	local series=$1 kver t0 rc log d want got
	vm_kernel "$series" || return
	kver=$VM_KVER
	d=$TMP/vm-$series
	mkdir -p "$d"
	log=$d/guest.log
	t0=$EPOCHREALTIME
	rc=0
	local wrong=()
	if [[ ${XP_LOGWRITES_WRONG_SUMS:-0} == 1 ]]; then
		note "XP_LOGWRITES_WRONG_SUMS=1: the guest checks against wrong sums; this suite must fail"
		wrong=(-e XP_LW_WRONG_SUMS=1)
	fi
	# vda: logged data, vdb: its log, vdc: replays, vdd: dm-writecache's
	# cache (logged), vde: that log.
	"$XPVM" run -k "$kver" -m dm_mod,dm_log_writes,dm_writecache --name "lw-$series" -t 150 \
		--disk "$d/vda.img:4M" --disk "$d/vdb.img:32M" --disk "$d/vdc.img:4M" \
		--disk "$d/vdd.img:4M" --disk "$d/vde.img:8M" \
		-f "$LWR" -f "$XPVM_GUEST/logwrites_lib.sh" -e "XP_LW_SEED=$SEED" "${wrong[@]}" \
		"$XPVM_GUEST/logwrites_replay.sh" >"$log" 2>&1 || rc=$?
	if ((rc)); then
		sed 's/^/    | /' "$log"
	else
		grep -v ' CHECK ' "$log" | grep -vE '^\[[^]]*\]     ' | tail -n 8 | sed 's/^/    | /'
	fi
	vm_guest_checks "logwrites $kver" "$log"
	check "logwrites $kver: guest finished and passed ($(vm_secs "$t0") s, status $rc, seed $SEED)" \
		vm_guest_finished "$rc" "$log" logwrites

	# This side's own look at the disks the guest left.
	want=$(gsum "$log" vda-final)
	got=$(sum "$d/vda.img")
	check "logwrites $kver: vda.img here has the sum the guest read from /dev/vda" \
		test -n "$want" -a "$got" = "$want"
	check "logwrites $kver: vdc.img (the guest's last replay) equals vda.img" \
		cmp -s "$d/vdc.img" "$d/vda.img"
	check "logwrites $kver: lw_replay here lists vdb.img as the guest did" \
		test "$(vm_output "$log" | sed -n 's/^lwlist //p')" = \
		"$("$HOST_LWR" list "$d/vdb.img" 2>&1 | tail -1)"
	truncate -s 0 "$d/replay.img"
	truncate -s "$(stat -c %s "$d/vda.img")" "$d/replay.img"
	"$HOST_LWR" replay "$d/vdb.img" "$d/replay.img" >/dev/null 2>"$d/err" ||
		sed 's/^/    # /' "$d/err"
	# A hole in a file reads as zeroes: the guest's state with the
	# discarded slot zeroed (the plan of some seeds has no discard).
	want=$(gsum "$log" final-discard-zeroes)
	[[ -n $want ]] || want=$(gsum "$log" vda-final)
	check "logwrites $kver: vdb.img replayed here onto a file gives the guest's final state with the discard zeroed" \
		test -n "$want" -a "$(sum "$d/replay.img")" = "$want"
	rm -f "$d"/*.img
}

note "guest workload seed $SEED (XP_LOGWRITES_SEED=$SEED to repeat it)"
for s in $XP_VM_SERIES; do
	logwrites_series "$s"
done
summary
