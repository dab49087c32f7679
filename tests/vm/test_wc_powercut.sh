#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Power cut under fio (issue 6): qemu is killed while fio writes through the
# xpcache target (kmod/writecache), then a second guest on the same disk and
# NVDIMM files recovers the target and fio verifies everything the first
# one had completed, from fio's own saved verify state. For each series and
# each mode (s: the cache is a virtio-blk disk, p: an fsdax namespace on an
# NVDIMM):
#
#   host ns eth0 (198.18.110.1) --+- xpbr0 in ns xppn<tag>
#   guest eth0   (198.18.110.11) -+   fio --server, the target live
#
#   boot 1  guest/writecache_powercut_write.sh: a fresh target, fio --server,
#           the target's status twice a second. Here, in the host-side
#           namespace: fio --client=GUEST --trigger-timeout=T
#           --trigger="kill -9 QEMU ..." with the write job. T after its
#           start the client sends the trigger; the server stops issuing
#           and sends each job's write state (writes issued, the offsets
#           of the last iodepth completions); the client saves it as
#           GUEST-powercut-0-verify.state here, then runs the trigger:
#           qemu dies with writes in flight (xpvm --pidfile gives its pid).
#   boot 2  guest/writecache_powercut_check.sh: the same table (recovery),
#           fio --server; here fio --client=GUEST with the verify job
#           (verify_only, verify_state_load, iodepth=1: see below): the
#           server asks us for the state file and verifies the writes in
#           the order they were issued, up to the first the state does
#           not show complete. Then the guest writes everything back and
#           removes the target.
#
# The write job uses sync=1 (O_SYNC: with direct=1 every write is a FUA
# write), so every write fio saw complete is durable by the target's
# contract, and the saved state is exactly what must survive. fdatasync=N
# would not do: writes completed after the last fdatasync are in the state
# too, but the contract lets a power cut lose them.
#
# Checks: the trigger killed qemu during the write phase (xpvm says 137,
# the state holds at least PC_MIN_WRITES writes, the guest's last status
# before the cut shows dirty blocks and no error); recovery without the
# error state and with dirty blocks; fio verifies without an error, as many
# blocks as the state says completed; nothing dirty after a flush; no qemu,
# tap or namespace left over.
#
# What fio's state cannot tell: a write issued before the last iodepth and
# still in flight at the trigger is verified (fio lists only the last
# iodepth completions); it normally completes, and so is durable, in the
# milliseconds before the kill. Writes that complete between the trigger
# and the kill are durable but not verified.
#
# What this tests: recovery of a target whose power went in the middle of
# its work, with user writes and records in flight and, normally,
# writeback copying to the origin (watermarks 40/20: writeback starts once
# 40% of the 64 MiB cache disk or 48 MiB namespace is used, about 19 to 26
# MiB, and the cut comes after tens of MiB). The checks ask for dirty
# blocks at the last status before the cut, not for a writeback batch in
# flight at that instant; its count, writeback_blocks, is field 4 of the
# last three statuses printed. Recovery must end without the error state,
# the log it finds must hold every write fio saw complete, and writeback
# after it must leave nothing dirty.
#
# What it does not test: a drive that loses its volatile write cache. The
# disks are raw files opened with cache=unsafe (tests/vm/lib/qemu.sh):
# qemu writes them with plain writes into the host's page cache and
# ignores the guest's flushes; the NVDIMM is a file mapped shared, which
# the guest's stores reach at once. Killing qemu loses neither: at boot 2
# the disks hold every write qemu had completed, flushed or not, and of
# those it had not completed, any part. So a target that dropped a FLUSH
# or a FUA, or in pmem mode a cache-line write-back or fence, would still
# pass here. Lost unflushed writes are test_wc_replay.sh's (dm-log-writes
# logs a plain write only at the FLUSH after it), and writecache_fua.sh
# checks the flushes and FUA writes that writeback sends.
#
# When fio's server disconnects before it sends its state (the trigger
# never runs: seen once in CI, the target without an error), boot 1 runs
# once more with fresh disks, noted as a RETRY, unless the guest kernel
# logged a BUG, oops, warning or hung task; the server's output is on the
# guest's console ("fio-server:" lines) for such a case.
#
#   XP_WC_MODES            modes to test (default "s p")
#   XP_WC_POWERCUT_TRIGGER time to the power cut (default 3s: fio starts
#                          writing 1-2 s after it connects)
#   XP_WC_POWERCUT_BREAK=1 negative control (not part of make check):
#                          boot 2 wipes the cache's superblock before
#                          loading the table, so the cached data is lost.
#                          Then fio's verify must fail, which is reported
#                          as a pass; recovery must find nothing dirty (a
#                          new cache); every other check must pass as
#                          usual, except the count of blocks verified,
#                          which a failed verify does not give. The suite
#                          passes only when the wipe is seen, and only by
#                          the verify.
set -uo pipefail

# shellcheck source=tests/vm/lib/testvm.sh
source "$(dirname "$0")/lib/testvm.sh"

vm_require test_wc_powercut

MODES=${XP_WC_MODES:-s p}
TRIGGER=${XP_WC_POWERCUT_TRIGGER:-3s}
BREAK=${XP_WC_POWERCUT_BREAK:-0}
NET=$(ns_name pn)
HOSTNS=$(ns_name ph)
HOST_IP=198.18.110.1
GUEST_IP=198.18.110.11
# A power cut after too few writes would test little.
PC_MIN_WRITES=200
IODEPTH=8
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
VMPID=

if ! command -v fio >/dev/null; then
	fail "fio missing: the host runs the client and ships its fio to the guests (make deps)"
	summary
	exit 1
fi

# job FILE EXTRA...: the job file both runs share (the verify run must
# replay the write run's offsets and sizes), with EXTRA lines.
job() {
	local file=$1
	shift
	{
		echo "[powercut]"
		echo "filename=/dev/mapper/wc"
		echo "rw=randwrite"
		echo "size=768m"
		echo "bsrange=4k-64k"
		echo "ioengine=libaio"
		echo "direct=1"
		echo "verify=crc32c"
		printf '%s\n' "$@"
	} >"$file"
}
# Full speed, so the queue is full (iodepth writes in flight) when the
# power goes: the guest writes about 28 MiB/s on an idle machine, so the
# trigger comes after tens of MiB, long before the 768 MiB are done (a
# machine ten times faster would still be cut in the write phase).
# do_verify=0: a write phase that ends before the trigger ends the job
# without a power cut, which fails the test, rather than cutting the power
# during a read phase.
job "$TMP/write.fio" iodepth=$IODEPTH sync=1 do_verify=0
# iodepth=1: fio 3.33 decides whether a block is among the last iodepth
# writes (those the state may list as still in flight) by the count of
# verify reads completed, not issued; with reads in flight that count lags,
# and fio would verify writes that were in flight at the cut (seen on the
# host: 8 reads in flight verify numberio - 1 blocks, 1 verifies
# numberio - 8, the 8 writes in flight left out).
job "$TMP/verify.fio" iodepth=1 verify_only=1 verify_state_load=1 \
	"exec_postrun=touch /tmp/powercut.verified"

# boot N SCRIPT SECONDS: guest/SCRIPT.sh on KVER in MODE, on NET at
# GUEST_IP, in the background (VMPID); qemu's pid in $TMP/qemu.pid, the
# console in $TMP/bootN.console, xpvm's output in $TMP/bootN.log.
boot() {
	"$XPVM" run -k "$KVER" -m "$VM_WC_MODULES" -b "dmsetup fio ndctl" --kmod --name "pc$1-$SERIES-$MODE" \
		-t "$3" --net "$NET" --ip "$GUEST_IP/24" --pidfile "$TMP/qemu.pid" \
		--log "$TMP/boot$1.console" -f "$XPVM_GUEST/writecache_lib.sh" \
		-e "XP_WC_MODE=$MODE" -e "XP_WC_POWERCUT_BREAK=$BREAK" \
		--disk "$TMP/origin.img" "${CACHE[@]}" "$XPVM_GUEST/$2.sh" >"$TMP/boot$1.log" 2>&1 &
	VMPID=$!
}

# stop_guest [kill]: wait for the guest (xpvm removes its tap), its
# status in GUEST_RC; with kill, kill its qemu first (once it has started).
stop_guest() {
	local i q
	GUEST_RC=
	[[ -n $VMPID ]] || return 0
	for ((i = 0; i < 600; i++)); do
		[[ ${1:-} == kill ]] || break
		kill -0 "$VMPID" 2>/dev/null || break
		q=$(cat "$TMP/qemu.pid" 2>/dev/null) || q=
		if [[ -n $q ]]; then
			kill -9 "$q" 2>/dev/null
			break
		fi
		sleep 0.2
	done
	wait "$VMPID" 2>/dev/null
	GUEST_RC=$?
	VMPID=
}
on_exit net_down "$NET" "$HOSTNS"
on_exit stop_guest kill

# client NAME SECONDS ARGS...: fio --client=GUEST ARGS in HOSTNS, in
# $TMP/state (where the state files go and are read from), output in
# $TMP/NAME.out; retried while the guest's server does not listen yet.
# fio's status.
client() {
	local name=$1 secs=$2 i rc
	shift 2
	for ((i = 0; i < 200; i++)); do
		(cd "$TMP/state" && nsx "$HOSTNS" timeout "$secs" fio --client="$GUEST_IP" "$@") \
			>"$TMP/$name.out" 2>&1
		rc=$?
		grep -q "failed to connect" "$TMP/$name.out" || return $rc
		kill -0 "$VMPID" 2>/dev/null || return $rc
		sleep 0.5
	done
	return $rc
}

# wait_guest: until the guest answers a ping from HOSTNS (at most 90 s
# while it runs); 1 when it never does.
wait_guest() {
	local i
	for ((i = 0; i < 180; i++)); do
		kill -0 "$VMPID" 2>/dev/null || return 1
		nsx "$HOSTNS" ping -c 1 -W 1 -q "$GUEST_IP" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

# state_u64 FILE OFFSET: the little-endian 64-bit number at OFFSET.
state_u64() { od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '; }

# last_stat FIELD: field FIELD (1 = error, 10 = dirty: see
# docs/writecache.md) of the last status line boot 1 printed.
last_stat() {
	grep '^WCSTAT ' "$TMP/boot1.console" | tail -n1 | awk -v n="$1" '{ print $(5 + n) + 0 }'
}

# show LOG: the guest's output (its console log without kernel lines).
show() { grep -vE '^\[ *[0-9.]+\] |^XPVM-' "$1" | grep -v '^WCSTAT ' | sed 's/^/    | /'; }

# kernel_trouble LOG: the guest kernel's complaints in a console log
# (show leaves kernel lines out); 1 when there are none.
kernel_trouble() {
	grep -E '\] (BUG|Oops|WARNING|Call Trace|Kernel panic|INFO: task)|segfault|general protection' "$1" |
		head -n 40 | sed 's/^/    | /' | grep .
}

# boot1_write: boot 1, fio's write job from HOSTNS and the trigger; killed=1
# when the trigger ran (it killed qemu), the client's status in rc, qemu's
# pid in q (the caller's locals).
boot1_write() {
	rm -rf "$TMP"/*.img "$TMP/state" "$TMP"/boot* "$TMP/killed"
	mkdir -p "$TMP/state"
	# A 1 GiB origin (sparse), a 64 MiB cache disk or NVDIMM (its
	# fsdax namespace: 48 MiB), as in the crash test.
	truncate -s 1G "$TMP/origin.img"
	truncate -s 64M "$TMP/cache.img"
	CACHE=(--disk "$TMP/cache.img")
	[[ $MODE == p ]] && CACHE=(--nvdimm "$TMP/cache.img")
	killed=0 q=
	boot 1 writecache_powercut_write 240
	if ! wait_guest; then
		rc=noping
		return
	fi
	q=$(cat "$TMP/qemu.pid" 2>/dev/null)
	# The client runs the trigger (sh -c) after it has saved the state;
	# left alone, it would wait half a minute for the dead server, so the
	# trigger ends it too ($PPID: the client).
	client write 180 --trigger-timeout="$TRIGGER" \
		--trigger="kill -9 $q && touch $TMP/killed && kill -9 \$PPID" "$TMP/write.fio"
	rc=$?
	[[ -e $TMP/killed ]] && killed=1
	grep -E 'fio:|err=|WRITE:|timed out|vtrigger|disconnected' "$TMP/write.out" | sed 's/^/    # client: /'
}

# powercut: both boots in MODE on KVER, and the checks.
powercut() {
	local what="powercut $KVER $MODE" t0 rc q state n w comps reads err killed attempt
	for attempt in 1 2; do
		t0=$EPOCHREALTIME
		boot1_write
		if [[ $rc == noping ]]; then
			stop_guest kill
			show "$TMP/boot1.log"
			fail "$what: boot 1: the guest never answered a ping"
			return
		fi
		note "$what: boot 1: fio client status $rc (137: the trigger ended it), $(vm_secs "$t0") s"
		((killed)) && break
		# The write job ran, but fio's server went away before it sent
		# its verify state, so the client never ran the trigger (seen
		# once in CI, at the trigger's time, the target without an
		# error). That is fio's client/server, not the target: once
		# more, when the guest's kernel has nothing to say.
		sleep 1
		stop_guest kill
		show "$TMP/boot1.console"
		sed 's/^/    # client: /' "$TMP/write.out" | tail -n 20
		if ((attempt == 1)) && grep -q 'disconnected' "$TMP/write.out" &&
			! kernel_trouble "$TMP/boot1.console"; then
			note "$what: boot 1: RETRY: fio's server disconnected without its state, the guest kernel quiet"
			continue
		fi
		kernel_trouble "$TMP/boot1.console"
		break
	done
	if ((killed)); then
		stop_guest
	fi
	rc=$GUEST_RC
	check "$what: boot 1: the trigger killed qemu (xpvm status $rc, 137 expected)" \
		test "$killed$rc" = 1137
	check "$what: boot 1: qemu ${q:-?} is gone" bash -c "test -n '$q' && ! kill -0 '$q' 2>/dev/null"
	check "$what: boot 1: its tap is gone" \
		bash -c "! ip -n '$NET' -o link show type tun | grep -q ."
	grep '^WCSTAT ' "$TMP/boot1.console" | tail -n 3 | sed 's/^/    # boot 1 status: /'
	n=$(last_stat 10)
	err=$(last_stat 1)
	w=$(($(last_stat 7 || echo 0) + $(last_stat 8 || echo 0)))
	note "$what: boot 1: $((w / 256)) MiB written through the target at its last status"
	check "$what: boot 1: before the cut, $n blocks were dirty (only in the cache), error=$err" \
		test "${n:-0}" -gt 0 -a "${err:-x}" = 0

	state=$TMP/state/$GUEST_IP-powercut-0-verify.state
	n=0 comps=0
	if [[ -f $state ]]; then
		# verify_state_hdr (version, size, crc), then thread_io_list:
		# no_comps, depth and nofiles (32 bits each), numberio.
		n=$(state_u64 "$state" 40)
		comps=$(state_u64 "$state" 24)
	fi
	check "$what: boot 1: fio saved its verify state at the cut: $n writes issued, the last $comps of them listed complete" \
		test "$n" -ge "$PC_MIN_WRITES"
	if ((!killed)); then
		fail "$what: no power cut, no boot 2"
		return
	fi

	# ---- boot 2: recover, verify from the saved state ----
	t0=$EPOCHREALTIME
	boot 2 writecache_powercut_check 300
	if ! wait_guest; then
		stop_guest kill
		show "$TMP/boot2.log"
		fail "$what: boot 2: the guest never answered a ping"
		return
	fi
	client verify 240 "$TMP/verify.fio"
	rc=$?
	grep -E '^(<[^>]*> )?(verify|fio):|err=|READ:|issued rwts' "$TMP/verify.out" | head -n 20 |
		sed 's/^/    # client: /'
	reads=$(sed -n 's/.*issued rwts: total=\([0-9]*\),.*/\1/p' "$TMP/verify.out" | head -n1)
	if ((BREAK)); then
		check "$what: boot 2: negative control: fio's verify fails on the wiped cache (status $rc)" \
			bash -c "test $rc != 0 && grep -Eq 'verify: bad|err= *[1-9]' '$TMP/verify.out'"
	else
		check "$what: boot 2: fio verified from the saved state without an error (status $rc)" \
			bash -c "test $rc = 0 && grep -q 'err= 0' '$TMP/verify.out' && ! grep -q 'verify: bad' '$TMP/verify.out'"
		# The state lists the last iodepth writes that completed; fio
		# stops at the first of the last iodepth issued that is not
		# listed (it was in flight).
		check "$what: boot 2: fio verified ${reads:-no} blocks: the $n writes issued less at most $IODEPTH in flight" \
			test "${reads:-0}" -le "$n" -a "${reads:-0}" -ge $((n - IODEPTH)) -a "$n" -gt 0
	fi
	stop_guest
	rc=$GUEST_RC
	vm_output "$TMP/boot2.log" | grep -E '^(recovery|negative|---|FAIL)' | sed 's/^/    | /'
	((rc)) && show "$TMP/boot2.log"
	vm_guest_checks "$what: boot 2" "$TMP/boot2.log"
	check "$what: boot 2: guest finished and passed ($(vm_secs "$t0") s, status $rc)" \
		vm_guest_finished "$rc" "$TMP/boot2.log" writecache_powercut_check
}

if ! { net_up "$NET" && net_host_add "$NET" "$HOSTNS" "$HOST_IP/24"; }; then
	fail "powercut: test network"
	summary
	exit 1
fi
((BREAK)) && note "negative control (XP_WC_POWERCUT_BREAK=1): fio's verify must fail, every other check pass"
for SERIES in $XP_VM_SERIES; do
	vm_kernel "$SERIES" || continue
	KVER=$VM_KVER
	vm_kmod_build "$KVER" xp_writecache || continue
	for MODE in $MODES; do
		powercut
	done
done
rm -f "$TMP"/*.img
net_down "$NET" "$HOSTNS"
check "powercut: namespaces $NET and $HOSTNS are gone" \
	bash -c "! ip netns list | grep -qE '^($NET|$HOSTNS)( |\$)'"
summary
