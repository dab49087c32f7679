# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the dm-log-writes guest script (logwrites_replay.sh), busybox
# sh. test_logwrites.sh ships this file as /xp/files/logwrites_lib.sh.
#
# Results go to the host as CHECK lines and "DONE logwrites failed=N"
# (xp_check, xp_done in lib.sh).

# Constants the script reads.
# shellcheck disable=SC2034
{
LW=/xp/files/lw_replay
LW_DATA=/dev/vda	# under the log-writes target
LW_LOG=/dev/vdb		# the log
LW_DEV=/dev/vdc		# replays go here
LW_TMP=/tmp/lw
LW_SLOT=65536		# the workload writes each slot at most once per phase
}
# lw_devsum DEV: sha256 of all of block device DEV, read with O_DIRECT so
# that no page cached before a device-mapper target wrote underneath can
# answer instead of the device.
lw_devsum() {
	dd if="$1" bs=1M iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1
}

# lw_sum FILE: sha256 of a file.
lw_sum() { sha256sum "$1" | cut -d' ' -f1; }

# lw_zero DEV: zeroes over all of DEV.
lw_zero() {
	dd if=/dev/zero of="$1" bs=1M count=$(($(blockdev --getsize64 "$1") / 1048576)) \
		oflag=direct 2>/dev/null
}

# lw_write DEV OFF LEN SRC: one write of LEN bytes of SRC at byte OFF,
# O_DIRECT, as one system call. busybox dd reads and writes through a
# malloc'ed buffer when bs is below a page, and then silently drops
# O_DIRECT when the device refuses the unaligned buffer (EINVAL): the write
# becomes a read-modify-write of the page cache, written back as a whole
# page when the device is closed. A bs of a page or more gets an mmap'ed,
# page-aligned buffer; shorter writes therefore read LEN bytes into a
# one-page buffer (iflag=count_bytes).
lw_write() {
	if [ $(($3 % 4096)) = 0 ]; then
		dd if="$4" of="$1" bs="$3" count=1 seek="$2" oflag=seek_bytes,direct \
			conv=notrunc 2>/dev/null
	else
		dd if="$4" of="$1" bs=4096 count="$3" iflag=count_bytes seek="$2" \
			oflag=seek_bytes,direct conv=notrunc 2>/dev/null
	fi
}

# lw_put FILE OFF LEN SRC [SRCOFF]: LEN bytes of SRC (from SRCOFF) into FILE
# at OFF, FILE keeping its size (the expected images).
lw_put() {
	dd if="$4" of="$1" bs=512 count=$(($3 / 512)) skip=$((${5:-0} / 512)) \
		seek=$(($2 / 512)) conv=notrunc 2>/dev/null
}

# lw_flush DEV: fdatasync on DEV, which the block layer turns into a FLUSH
# (REQ_PREFLUSH) for the device.
lw_flush() { sync -d "$1"; }

# lw_run NAME CMD...: CMD with its output in $LW_TMP/NAME.out and .err; its
# status in LW_RC.
lw_run() {
	_n=$1
	shift
	"$@" >"$LW_TMP/$_n.out" 2>"$LW_TMP/$_n.err"
	LW_RC=$?
}

# lw_refused TEXT STATUS MESSAGE CMD...: CMD (an lw_replay that must be
# refused) exits STATUS, says MESSAGE on stderr, and leaves LW_DEV as it
# was: its sum is LW_DEV_SUM before (lw_refusals sets it) and after.
lw_refused() {
	_t=$1 _st=$2 _msg=$3
	shift 3
	lw_run refused "$@"
	_after=$(lw_devsum $LW_DEV)
	_why=
	[ "$LW_RC" = "$_st" ] || _why="$_why, exit status $LW_RC (want $_st)"
	grep -qF -- "$_msg" "$LW_TMP/refused.err" || _why="$_why, no '$_msg' in its error"
	[ "$_after" = "$LW_DEV_SUM" ] || _why="$_why, $LW_DEV changed"
	LW_DEV_SUM=$_after
	sed 's/^/    /' "$LW_TMP/refused.err" | head -1
	if [ -z "$_why" ]; then
		xp_ok "refused: $_t: status $_st, '$_msg', $LW_DEV untouched"
	else
		xp_notok "refused: $_t:${_why#,}"
	fi
}

# lw_refusals: the start of a run of lw_refused.
lw_refusals() { LW_DEV_SUM=$(lw_devsum $LW_DEV); }

# lw_patch FILE OFF OCTAL...: bytes (given as octal, e.g. 377) into FILE at
# byte OFF.
lw_patch() {
	_f=$1 _o=$2
	shift 2
	_s=
	for _b in "$@"; do _s="$_s\\$_b"; done
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$_s" | dd of="$_f" bs=1 seek="$_o" conv=notrunc 2>/dev/null
}
