# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest A of tests/vm/test_iser.sh: the initiators of Linux against guest
# B (iser_target.sh), over Linux's rdma_rxe and over our xp_rxe fed by
# xdp_rxe, on the same eth0.
#
# iSER, open-iscsi with the kernel's ib_iser, a round over each device:
# SendTargets discovery over iSER, login, both LUNs appear as disks of the
# LUN size, fio with verify on each (random writes of mixed sizes at queue
# depth 8, then sequential 256 KiB writes at queue depth 4, each read back
# and checked), logout, then XP_CYCLES login/logout cycles that must each
# see both disks and leave no session behind.
#
# NVMe-oF (XP_NVME=1), nvme-cli with the kernel's nvme-rdma, when the
# target says its nvmet-rdma port is up: discover, connect, both
# namespaces of the LUN size, fio with verify on each (random 4..128 KiB
# at queue depth 16, sequential 256 KiB at queue depth 4), disconnect;
# over xp_rxe, over rdma_rxe, then over rdma_rxe against the target with
# use_srq=1.
#
# Environment: XP_IQN, XP_NQN, XP_PEER (the target's address),
# XP_LUN_SECTORS (each LUN's size in 512-byte sectors), XP_CYCLES,
# XP_FIO_SIZE, XP_NVME, XP_MON (1: counters every 5 s).

IQN=${XP_IQN:?}
PORTAL=${XP_PEER:?}:3260
INAME=iqn.2024-01.org.xdpath:init0
LUNS="0 1"

xp_step "a: modules, iscsid"
modprobe ib_iser || xp_fail "modprobe ib_iser"
modprobe sd_mod || xp_fail "modprobe sd_mod"
mkdir -p /etc/iscsi /run/lock/iscsi
echo "InitiatorName=$INAME" >/etc/iscsi/initiatorname.iscsi
# iscsid -f stays in the foreground and logs to stderr; it ends with the
# guest (killing it here would take this script's process group along).
iscsid -f >/tmp/iscsid.log 2>&1 &
xp_retry 50 0.1 grep -q ISCSIADM_ABSTRACT_NAMESPACE /proc/net/unix ||
	{ cat /tmp/iscsid.log; xp_fail "iscsid did not come up"; }
xp_wait_peer "$XP_PEER" 120

# disk N: the block device of LUN N of the session, empty if none.
disk() {
	for _b in /sys/class/iscsi_session/session*/device/target*/*:*:*:"$1"/block/*; do
		[ -e "$_b" ] && echo "/dev/${_b##*/}" && return 0
	done
	return 1
}
disks_up() { for _l in $LUNS; do disk "$_l" >/dev/null || return 1; done; }
sessions() { find /sys/class/iscsi_session -name 'session*' 2>/dev/null | wc -l; }

login() { iscsiadm -m node -T "$IQN" -p "$PORTAL" -I iser --login >/tmp/login.out 2>&1; }
logout() { iscsiadm -m node -T "$IQN" -p "$PORTAL" -I iser --logout >/tmp/logout.out 2>&1; }

# fio_job NAME DISK ARGS...: one fio job on DISK that writes and verifies.
fio_job() {
	_name=$1 _disk=$2
	shift 2
	fio --name="$_name" --filename="$_disk" --direct=1 --ioengine=libaio \
		--size="${XP_FIO_SIZE:-16M}" --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --output-format=terse --terse-version=3 "$@" >"/tmp/fio.$_name" 2>&1
	_rc=$?
	# terse v3: field 48 is the write bandwidth in KiB/s.
	echo "FIO $ROUND $_name status $_rc write $(awk -F';' '{ print $48 }' "/tmp/fio.$_name" | head -n 1) KiB/s"
	[ $_rc = 0 ] || cat "/tmp/fio.$_name"
	return $_rc
}

# conformance DISK: libiscsi's iscsi-test-cu, its SCSI suites for a small
# target through SG_IO on DISK (the LINUX family: through the kernel's
# ib_iser), one suite at a time; "CONFORMANCE SUITE ran N passed N failed N".
# DISK is LUN 1, of 512-byte blocks: the Simple and BeyondEol tests send up
# to 256 blocks in one command, which with 4 KiB blocks is more than
# ib_iser's 512 KiB (SG_IO refuses those).
# In the rdma_rxe round: its writes reach the target as RDMA READs that
# the initiator's device serves, and xp_rxe serves them slowly (see
# docs/storage.md).
CU_SUITES="TestUnitReady Inquiry ReadCapacity10 ReadCapacity16 Mandatory Read10 Read12 Read16 Write10 Write12 Write16 ModeSense6 Prefetch10 Prefetch16"
conformance() {
	_d=$1
	xp_step "a: $ROUND: iscsi-test-cu on $_d"
	for _s in $CU_SUITES; do
		_again=
		for _try in 1 2; do
			iscsi-test-cu --dataloss --normal --test="LINUX.$_s" "$_d" >/tmp/cu.out 2>&1
			# CUnit's summary: "tests TOTAL RAN PASSED FAILED INACTIVE".
			read -r _ran _passed _failed <<EOF2
$(awk '$1 == "tests" { print $3, $4, $5; exit }' /tmp/cu.out)
EOF2
			echo "CONFORMANCE $_s ran ${_ran:-?} passed ${_passed:-?} failed ${_failed:-?}"
			[ "${_ran:-0}" -gt 0 ] 2>/dev/null && [ "$_failed" = 0 ] && break
			grep -m 3 -E 'FAILED|^ +[0-9]+\. ' /tmp/cu.out
			# A suite that fails runs once more, and says so.
			[ $_try = 1 ] && _again=" at its second run, after ${_failed:-?} failed"
		done
		xp_check "a: $ROUND: iscsi-test-cu LINUX.$_s: ${_ran:-no} tests ran, ${_passed:-?} passed$_again" \
			[ "${_ran:-0}" -gt 0 -a "$_failed" = 0 ]
	done
}

# round DEV: one round of everything over RDMA device DEV.
round() {
	ROUND=$1
	xp_step "a: $ROUND: discovery over iSER"
	iscsiadm -m discovery -t st -p "$PORTAL" -I iser >/tmp/disc.out 2>&1
	_rc=$?
	cat /tmp/disc.out
	xp_check "a: $ROUND: SendTargets discovery over iSER finds $IQN" \
		[ $_rc = 0 -a -n "$(grep -F "$IQN" /tmp/disc.out)" ]
	# Pings are not needed over a quiet wire of two guests, and under TCG
	# a slow answer would drop the connection.
	iscsiadm -m node -T "$IQN" -p "$PORTAL" -I iser -o update \
		-n node.conn[0].timeo.noop_out_interval -v 0 >/dev/null 2>&1

	xp_step "a: $ROUND: login"
	login
	_rc=$?
	cat /tmp/login.out
	xp_check "a: $ROUND: login over iSER (status $_rc)" [ $_rc = 0 ]
	xp_retry 100 0.1 disks_up
	for n in $LUNS; do
		d=$(disk "$n")
		sz=$(blockdev --getsz "$d" 2>/dev/null)
		xp_check "a: $ROUND: LUN $n is ${d:-no disk}, $sz sectors (want $XP_LUN_SECTORS)" \
			[ -n "$d" -a "$sz" = "$XP_LUN_SECTORS" ]
	done
	iscsiadm -m session -P 1 2>/dev/null | grep -E 'Transport|State'

	xp_step "a: $ROUND: fio with verify"
	for n in $LUNS; do
		d=$(disk "$n")
		[ -n "$d" ] || continue
		fio_job "lun$n-rand" "$d" --rw=randwrite --bsrange=4k-128k --iodepth=8 \
			--randseed=$((n + 7))
		xp_verdict "a: $ROUND: LUN $n: random writes of 4..128 KiB at queue depth 8, verified"
		fio_job "lun$n-seq" "$d" --rw=write --bs=256k --iodepth=4 --offset=32M
		xp_verdict "a: $ROUND: LUN $n: sequential 256 KiB writes at queue depth 4, verified"
	done

	[ "$ROUND" = rdma_rxe ] && conformance "$(disk 1)"

	xp_step "a: $ROUND: logout"
	logout
	_rc=$?
	cat /tmp/logout.out
	xp_check "a: $ROUND: logout (status $_rc), no session left" [ $_rc = 0 -a "$(sessions)" = 0 ]

	xp_step "a: $ROUND: ${XP_CYCLES:?} login/logout cycles"
	_t0=$(xp_now)
	_bad=0
	_cy=0
	while [ $_cy -lt "$XP_CYCLES" ]; do
		_cy=$((_cy + 1))
		if ! login; then
			echo "cycle $_cy: login failed"
			cat /tmp/login.out
			_bad=$((_bad + 1))
			continue
		fi
		xp_retry 100 0.1 disks_up || {
			echo "cycle $_cy: the disks did not appear"
			_bad=$((_bad + 1))
		}
		if ! logout || [ "$(sessions)" != 0 ]; then
			echo "cycle $_cy: logout failed"
			cat /tmp/logout.out
			_bad=$((_bad + 1))
		fi
	done
	xp_check "a: $ROUND: $XP_CYCLES login/logout cycles, each seeing both disks, none failed ($_bad failed, $(xp_secs "$_t0") s)" \
		[ $_bad = 0 ]
	xp_rxe_counters
}

# nvme_disks: the namespaces of the NVMe-oF controller, one per line.
nvme_disks() { find /dev -maxdepth 1 -name 'nvme[0-9]*n[0-9]*' | sort; }
nvme_up() { [ "$(nvme_disks | wc -l)" -ge 2 ]; }
nvme_gone() { [ -z "$(find /dev -maxdepth 1 -name 'nvme[0-9]*')" ]; }

# nvme_round NAME: connect to B's nvmet-rdma subsystem, fio with verify on
# each namespace, disconnect.
nvme_round() {
	ROUND=$1
	xp_step "a: $ROUND: nvme discover, connect"
	nvme discover -t rdma -a "$XP_PEER" -s 4420 --hostnqn="$HOSTNQN" --hostid="$HOSTID" >/tmp/ndisc.out 2>&1
	_rc=$?
	cat /tmp/ndisc.out
	xp_check "a: $ROUND: nvme discover over RDMA finds $NQN" \
		[ $_rc = 0 -a -n "$(grep -F "$NQN" /tmp/ndisc.out)" ]
	# A keep-alive timeout of 30 s, not 5: under TCG a guest busy with
	# I/O can leave the admin queue's keep-alive unanswered for seconds.
	nvme connect -t rdma -a "$XP_PEER" -s 4420 -n "$NQN" --hostnqn="$HOSTNQN" --hostid="$HOSTID" \
		--keep-alive-tmo=30 >/tmp/nconn.out 2>&1
	_rc=$?
	cat /tmp/nconn.out
	xp_check "a: $ROUND: nvme connect (status $_rc)" [ $_rc = 0 ]
	xp_retry 100 0.1 nvme_up
	_k=0
	for d in $(nvme_disks); do
		sz=$(blockdev --getsz "$d" 2>/dev/null)
		xp_check "a: $ROUND: namespace $d, $sz sectors (want $XP_LUN_SECTORS)" \
			[ "$sz" = "$XP_LUN_SECTORS" ]
		fio_job "ns$_k-rand" "$d" --rw=randwrite --bsrange=4k-128k --iodepth=16 \
			--randseed=$((_k + 11))
		xp_verdict "a: $ROUND: $d: random writes of 4..128 KiB at queue depth 16, verified"
		fio_job "ns$_k-seq" "$d" --rw=write --bs=256k --iodepth=4 --offset=48M
		xp_verdict "a: $ROUND: $d: sequential 256 KiB writes at queue depth 4, verified"
		_k=$((_k + 1))
	done
	xp_check "a: $ROUND: two namespaces ($_k)" [ $_k = 2 ]
	nvme disconnect -n "$NQN" >/tmp/ndisconn.out 2>&1
	_rc=$?
	cat /tmp/ndisconn.out
	xp_retry 50 0.1 nvme_gone
	xp_check "a: $ROUND: nvme disconnect (status $_rc), no controller left" \
		[ $_rc = 0 -a -z "$(find /dev -maxdepth 1 -name 'nvme[0-9]*')" ]
}

# mr_check WHAT: xp_rxe's memory registration counters on rxe0 so far:
# fast registrations and remote invalidations happened, every registered
# MR was invalidated again (remotely by the target's SEND_WITH_INV, or by
# our LOCAL_INV) before its next registration, and none was refused.
mr_check() {
	_c=/sys/class/infiniband/rxe0/ports/1/hw_counters
	_fr=$(cat $_c/mr_fast_reg) _li=$(cat $_c/mr_local_inv) _ri=$(cat $_c/mr_remote_inv)
	_rf=$(cat $_c/mr_reg_refused)
	echo "MRCOUNTERS $1 mr_fast_reg $_fr mr_local_inv $_li mr_remote_inv $_ri mr_reg_refused $_rf"
	xp_check "a: $1: xp_rxe registered $_fr MRs, invalidated $_ri on the target's word and $_li itself: every one ($_fr = $_ri + $_li), none refused ($_rf)" \
		[ "$_fr" -gt 0 -a "$_ri" -gt 0 -a "$_fr" = $((_ri + _li)) -a "$_rf" = 0 ]
}

xp_step "a: rdma_rxe on eth0"
xp_rxe_up eth0 rxe0
round rdma_rxe
xp_run rdma link delete rxe0

xp_step "a: xp_rxe on eth0, fed by xdp_rxe"
xp_xprxe_up eth0 rxe0 /xp/files/xdp_rxe.bpf.o
round xp_rxe
mr_check "iSER on xp_rxe"
xp_signal iser-done

if [ "${XP_NVME:-0}" = 1 ]; then
	NQN=${XP_NQN:?}
	HOSTID=6a1e0a0e-0da0-4000-8000-000000000001
	HOSTNQN=nqn.2014-08.org.nvmexpress:uuid:$HOSTID
	modprobe nvme_rdma || xp_fail "modprobe nvme_rdma"
	xp_rdma_monitor a rxe0
	xp_await nvme-ready.1 600
	nvme_round "nvme on xp_rxe"
	xp_rxe_counters
	mr_check "iSER and NVMe-oF on xp_rxe"
	xp_run /usr/bin/ip link set dev eth0 xdp off
	xp_run rdma link delete rxe0
	xp_step "a: rdma_rxe on eth0 again"
	xp_rxe_up eth0 rxe0
	nvme_round "nvme on rdma_rxe"
	xp_signal nvme-done.1
	xp_await nvme-ready.2 300
	nvme_round "nvme on rdma_rxe, target with use_srq=1"
	xp_signal nvme-done.2
	xp_run rdma link delete rxe0
else
	xp_run /usr/bin/ip link set dev eth0 xdp off
	xp_run rdma link delete rxe0
fi
xp_kernel_quiet
xp_done iser_initiator
