# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest B of tests/vm/test_iser.sh: Linux's LIO iSCSI target with its iSER
# transport (ib_isert), set up through configfs alone, on our soft-RoCE
# device xp_rxe fed by xdp_rxe on eth0. Its two LUNs are xpcache devices
# (kmod/writecache), on the two halves of the origin disk /dev/vda:
#   LUN 0  pmem mode: the cache is an fsdax namespace on xp_nvdimm
#          (kmod/nvdimm), in memory the kernel was told to leave alone
#          (memmap=, the suite's --append);
#   LUN 1  SSD mode, 512-byte blocks: the cache is the virtio disk /dev/vdb.
# With XP_NVME=1, then the same two devices through NVMe-oF: nvmet-rdma's
# subsystem with a namespace for each, on an RDMA port on eth0, for the
# initiator's rounds; then again with nvmet_rdma's use_srq=1, while the
# SRQs in use are counted. The two guests take turns by files in the directory they share
# (--share): iser-done, nvme-ready.N, nvme-done.N.
# At the end: the logins (every one accepted, as many logouts as the
# initiator made), the writes that went through both caches, xp_rxe's
# counters, and a teardown in reverse order that leaves nothing holding
# the devices.
#
# Environment: XP_IQN and XP_NQN (the target's names), XP_LOGOUTS (the
# initiator's logins), XP_WAIT (seconds to wait for a turn), XP_ND_RANGE
# (xp_nvdimm's range), XP_PEER (guest A), XP_NVME, XP_MON (1: counters
# every 5 s, xp_rdma_monitor).

T=/sys/kernel/config/target
IQN=${XP_IQN:?}
IP=${XP_IP%/*}
PORT=3260
G=$T/iscsi/$IQN/tpgt_1
ND_KO=/xp/kmod/xp_nvdimm.ko
WC_KO=/xp/kmod/xp_writecache.ko
LUNS="0 1"

# lun_dev N: the xpcache device of LUN N.
lun_dev() { [ "$1" = 0 ] && echo wcp || echo wcs; }
# wc_field N DEV: field N of an xpcache status (docs/writecache.md).
wc_field() { dmsetup status "$2" | awk -v n="$1" '{ print $(3 + n) }'; }
stat_of() { tr -d '\0' 2>/dev/null <"$T/iscsi/$IQN/fabric_statistics/$1"; }
counter() { cat "/sys/class/infiniband/xrxe0/ports/1/hw_counters/$1" 2>/dev/null; }

xp_step "b: modules, configfs"
mkdir -p /etc/target
# LIO's login asks the crypto API for crc32c (pitfall 2 of
# ../shared/research/iser-e2e.md); 7.x has no separate crc32c_generic.
[ -z "$(find /lib/modules/"$(uname -r)" -name 'crc32c_generic.ko*' 2>/dev/null)" ] ||
	modprobe crc32c_generic || xp_fail "modprobe crc32c_generic"
grep -q ' /sys/kernel/config ' /proc/mounts ||
	xp_run mount -t configfs configfs /sys/kernel/config

xp_step "b: xp_nvdimm namespace, xpcache targets"
xp_run insmod $ND_KO "ranges=${XP_ND_RANGE:?}"
xp_run ndctl disable-region all
xp_run ndctl init-labels -f all
xp_run ndctl enable-region all
xp_run ndctl create-namespace -r region0 -m fsdax -M mem -s 48M
[ -b /dev/pmem0 ] || xp_fail "no /dev/pmem0 on xp_nvdimm"
xp_run insmod $WC_KO
half=$(($(blockdev --getsz /dev/vda) / 2))
xp_run dmsetup create o0 --table "0 $half linear /dev/vda 0"
xp_run dmsetup create o1 --table "0 $half linear /dev/vda $half"
xp_run dmsetup create wcp --table "0 $half xpcache p /dev/mapper/o0 /dev/pmem0 4096 0"
# Blocks of 512 bytes on LUN 1: iscsi-test-cu's suites run on it.
xp_run dmsetup create wcs --table "0 $half xpcache s /dev/mapper/o1 /dev/vdb 512 0"
dmsetup table

xp_step "b: xp_rxe on eth0, fed by xdp_rxe"
xp_wait_peer "$XP_PEER" 120
# Before the portal's iser=1: ib_isert binds the portal's address, which
# needs an RDMA device behind eth0 (pitfall 3).
xp_xprxe_up eth0 xrxe0 /xp/files/xdp_rxe.bpf.o

xp_step "b: LIO through configfs"
for n in $LUNS; do
	d=$T/core/iblock_$n/disk$n
	xp_run mkdir -p "$d"
	xp_run sh -c "echo udev_path=/dev/mapper/$(lun_dev "$n") > $d/control"
	xp_run sh -c "echo /dev/mapper/$(lun_dev "$n") > $d/udev_path"
	xp_run sh -c "echo 1 > $d/enable"
	# Before the LUN is linked, or INQUIRY lists no VPD pages (pitfall 4).
	xp_run sh -c "echo xdpath-lun$n-$(lun_dev "$n") > $d/wwn/vpd_unit_serial"
done
xp_run mkdir -p "$G"
for n in $LUNS; do
	xp_run mkdir "$G/lun/lun_$n"
	xp_run ln -s "$T/core/iblock_$n/disk$n" "$G/lun/lun_$n/disk$n"
done
xp_run mkdir "$G/np/$IP:$PORT"
xp_run sh -c "echo 1 > $G/np/$IP:$PORT/iser"
for a in authentication=0 generate_node_acls=1 cache_dynamic_acls=1 demo_mode_write_protect=0; do
	xp_run sh -c "echo ${a#*=} > $G/attrib/${a%=*}"
done
xp_run sh -c "echo 1 > $G/enable"
echo "TARGET READY $IQN $IP:$PORT"

xp_step "b: waiting for the initiator's iSER rounds (at most ${XP_WAIT:?} s)"
t0=$(xp_now)
xp_await iser-done "$XP_WAIT"
logouts=$(stat_of iscsi_logout_stats/normal_logouts)
xp_check "b: the initiator logged out $logouts times, as it logged in (${XP_LOGOUTS:?}; $(xp_secs "$t0") s)" \
	[ "$logouts" = "$XP_LOGOUTS" ]
for s in accepts other_fails authorize_fails negotiate_fails; do
	echo "login_stats $s $(stat_of iscsi_login_stats/$s)"
done
xp_check "b: every login accepted ($(stat_of iscsi_login_stats/accepts)), none failed" \
	[ "$(stat_of iscsi_login_stats/other_fails)$(stat_of iscsi_login_stats/authorize_fails)$(stat_of iscsi_login_stats/negotiate_fails)" = 000 ]
xp_check "b: no session left" [ -z "$(tr -d '\0' <"$G/dynamic_sessions")" ]

xp_step "b: what went through the caches"
for n in $LUNS; do
	dev=$(lun_dev "$n")
	dmsetup status "$dev"
	xp_check "b: LUN $n ($dev): writes went through the cache ($(wc_field 8 "$dev") write misses, $(wc_field 12 "$dev") records), no error state" \
		[ "$(wc_field 1 "$dev")" = 0 -a "$(wc_field 8 "$dev")" -gt 0 -a "$(wc_field 12 "$dev")" -gt 0 ]
done
xp_step "b: xrxe0 counters"
for f in /sys/class/infiniband/xrxe0/ports/1/hw_counters/*; do
	v=$(cat "$f")
	[ "$v" = 0 ] || echo "COUNTER ${f##*/} $v"
done
# The target moves data with RDMA READ and WRITE and answers with
# SEND_WITH_INV, which invalidates the initiator's MR remotely.
xp_check "b: xp_rxe sent remote invalidations ($(counter send_inv_sent))" \
	[ "$(counter send_inv_sent)" -gt 0 ]

xp_step "b: teardown, in reverse"
xp_run sh -c "echo 0 > $G/enable"
xp_run sh -c "echo 0 > $G/np/$IP:$PORT/iser"
xp_run rmdir "$G/np/$IP:$PORT"
for n in $LUNS; do
	xp_run rm "$G/lun/lun_$n/disk$n"
	xp_run rmdir "$G/lun/lun_$n"
done
xp_run rmdir "$G" "$T/iscsi/$IQN"
for n in $LUNS; do
	xp_run rmdir "$T/core/iblock_$n/disk$n" "$T/core/iblock_$n"
done
# ---- NVMe-oF: nvmet-rdma on the same xpcache devices ----
N=/sys/kernel/config/nvmet
NQN=${XP_NQN:?}
# nvmet_up: the subsystem with a namespace per xpcache device, and an RDMA
# port on eth0's address.
nvmet_up() {
	xp_run mkdir "$N/subsystems/$NQN"
	xp_run sh -c "echo 1 > $N/subsystems/$NQN/attr_allow_any_host"
	for n in $LUNS; do
		ns="$N/subsystems/$NQN"/namespaces/$((n + 1))
		xp_run mkdir "$ns"
		xp_run sh -c "echo -n /dev/mapper/$(lun_dev "$n") > $ns/device_path"
		xp_run sh -c "echo 1 > $ns/enable"
	done
	xp_run mkdir $N/ports/1
	for a in trtype=rdma adrfam=ipv4 traddr=$IP trsvcid=4420; do
		xp_run sh -c "echo ${a#*=} > $N/ports/1/addr_${a%=*}"
	done
	xp_run ln -s "$N/subsystems/$NQN" "$N/ports/1/subsystems/$NQN"
}
nvmet_down() {
	xp_run rm "$N/ports/1/subsystems/$NQN"
	xp_run rmdir $N/ports/1
	for n in $LUNS; do
		ns="$N/subsystems/$NQN"/namespaces/$((n + 1))
		xp_run sh -c "echo 0 > $ns/enable"
		xp_run rmdir "$ns"
	done
	xp_run rmdir "$N/subsystems/$NQN"
}
# srqs: the SRQs on the RDMA devices now.
srqs() { rdma resource show 2>/dev/null | sed -n 's/.* srq \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'; }

# XP_NVME=1 only: under I/O from nvme-rdma, this guest has been seen to stop
# dead (qemu at 100 %, no console, no answer to sysrq; docs/storage.md).
if [ "${XP_NVME:-0}" = 1 ]; then
	xp_step "b: nvmet-rdma"
	xp_rdma_monitor b xrxe0
	xp_run modprobe nvmet_rdma
	nvmet_up
	xp_signal nvme-ready.1
	t0=$(xp_now)
	xp_await nvme-done.1 "$XP_WAIT"
	nvmet_down
	xp_ok "b: nvmet-rdma served the initiator's two rounds ($(xp_secs "$t0") s)"
	xp_step "b: nvmet-rdma with use_srq=1"
	xp_run rmmod nvmet_rdma
	xp_run modprobe nvmet_rdma use_srq=1
	xp_check "b: nvmet_rdma's use_srq is on" [ "$(cat /sys/module/nvmet_rdma/parameters/use_srq)" = Y ]
	nvmet_up
	xp_signal nvme-ready.2
	t0=$(xp_now)
	max=0
	i=0
	while [ ! -e /xp/share/nvme-done.2 ] && [ $i -le "$XP_WAIT" ]; do
		s=$(srqs)
		[ "$s" -le "$max" ] || max=$s
		i=$((i + 1))
		sleep 1
	done
	[ -e /xp/share/nvme-done.2 ] || xp_fail "the initiator never said nvme-done.2"
	xp_check "b: with use_srq=1 nvmet-rdma served from shared receive queues on xp_rxe (at most $max at once)" \
		[ "$max" -gt 0 ]
	nvmet_down
	xp_run rmmod nvmet_rdma
fi

# iblock held the devices open exclusively until here (pitfall 10).
xp_run dmsetup remove wcp
xp_run dmsetup remove wcs
xp_run dmsetup remove o0
xp_run dmsetup remove o1
xp_run rmmod xp_writecache
xp_run ndctl disable-region all
xp_run rmmod xp_nvdimm
xp_run /usr/bin/ip link set dev eth0 xdp off
xp_run rdma link delete xrxe0
xp_run rmmod ib_isert
xp_run rmmod xp_rxe
xp_ok "b: teardown: LIO, xpcache, xp_nvdimm and xp_rxe all gone"
xp_kernel_quiet
xp_done iser_target
