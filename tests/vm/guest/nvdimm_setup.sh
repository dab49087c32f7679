# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_nvdimm, first boot. The kernel runs with
# memmap=192M$0x20000000, so 0x20000000-0x2bffffff is "Reserved", not RAM;
# the guest's RAM is a file on the host, so whatever lands there is still
# there when the next qemu boots on the same file (nvdimm_reboot.sh).
#
#   1. xp_nvdimm refuses bad parameters, each with EINVAL, its one log line
#      and nothing left behind (module, /proc/iomem entry, bus);
#   2. ranges=128M@0x20000000,64M@0x28000000 gives two buses, two DIMMs
#      and two pmem regions of 112 and 48 MiB; the 128 KiB label areas
#      pass nd_lsa's bounds checks;
#   3. labels, then fsdax, devdax and sector namespaces in one region and
#      fsdax in the other; destroying and re-creating one works;
#   4. rmmod is refused while regions are enabled, and nothing breaks;
#   5. 8 MiB of random data on each block namespace, whose sums and the
#      namespace layout the host hands to the second boot.
#
# Output for the host: CHECK lines (nvdimm_lib.sh), "sum ROLE SHA256",
# "layout UUID MODE SIZE PROVIDER", and "DONE setup failed=N" at the end.

# shellcheck source=tests/vm/guest/nvdimm_lib.sh
. /xp/files/nvdimm_lib.sh

T0=$(xp_now)
[ -f "$ND_KO" ] || xp_fail "$ND_KO missing (make kmod)"
[ -x "$ND_LSA" ] || xp_fail "$ND_LSA missing"

xp_step "the reserved range"
grep -o 'memmap=[^ ]*' /proc/cmdline
# The '$' must survive the host's shells and qemu, or this is a plain
# memmap= (which would take RAM away rather than reserve it).
# shellcheck disable=SC2016 # a literal '$'
xp_check 'memmap=192M$0x20000000 reached the kernel command line' \
	grep -qF 'memmap=192M$0x20000000' /proc/cmdline
xp_check "0x20000000-0x2bffffff is Reserved in /proc/iomem" \
	grep -q '^20000000-2bffffff : Reserved$' /proc/iomem

xp_step "bad parameters are refused ($(xp_secs "$T0") s)"
# nd_refused WHAT MESSAGE INSMOD-ARGS...: insmod fails with EINVAL, the
# kernel log has exactly one line of ours and it has MESSAGE, and nothing
# is left: no module, no /proc/iomem entry, no new bus.
nd_refused() {
	_what=$1 _msg=$2
	shift 2
	_b0=$(nd_buses)
	nd_mark
	_out=$(insmod "$ND_KO" "$@" 2>&1)
	_rc=$?
	_log=$(nd_our_klog)
	_n=$(printf '%s\n' "$_log" | grep -c .)
	echo "insmod xp_nvdimm.ko $*: status $_rc: $_out"
	printf '%s\n' "$_log" | grep . | sed 's/^/    kernel: /'
	_why=
	[ "$_rc" != 0 ] || _why="$_why, insmod succeeded"
	case $_out in
	*"Invalid argument"*) ;;
	*) _why="$_why, insmod did not report EINVAL" ;;
	esac
	[ "$_n" = 1 ] || _why="$_why, $_n kernel log lines of xp_nvdimm (want 1)"
	printf '%s\n' "$_log" | grep -qF "$_msg" || _why="$_why, no '$_msg' in the kernel log"
	if nd_loaded; then
		_why="$_why, module loaded"
		nd_unload
	fi
	nd_in_iomem && _why="$_why, xp_nvdimm in /proc/iomem"
	[ "$(nd_buses)" = "$_b0" ] || _why="$_why, $_b0 buses before, $(nd_buses) after"
	if [ -z "$_why" ]; then
		xp_ok "refused: $_what: EINVAL, '$_msg', nothing left"
	else
		xp_notok "refused: $_what:${_why#,}"
	fi
}

nd_refused "no ranges parameter" "no ranges given"
nd_refused "empty ranges" "no ranges given" ranges=
nd_refused "garbage 'abc'" "cannot parse" ranges=abc
nd_refused "a size without start '64M'" "cannot parse" ranges=64M
nd_refused "an empty start '64M@'" "cannot parse" ranges=64M@
nd_refused "start not 2 MiB aligned" "is not aligned" ranges=64M@0x20100000
nd_refused "size not 2 MiB aligned" "is not aligned" ranges=65M@0x20000000
nd_refused "no room for a region after the label area" "too small" ranges=2M@0x20000000
nd_refused "overlapping ranges" "overlaps" ranges=128M@0x20000000,64M@0x24000000
nd_refused "a start that overflows 64 bits" "cannot parse" ranges=64M@0x100000000000000000
nd_refused "a size whose suffix overflows 64 bits" "cannot parse" ranges=17179869184G@0x20000000
nd_refused "a range beyond the physical address space" "beyond the physical address space" \
	ranges=64M@0xfffffffff0000000
nd_refused "a range in System RAM" "is System RAM" ranges=64M@0x10000000
nd_refused "a range from Reserved into System RAM" "is System RAM" ranges=64M@0x2a000000
# Above the 1 GiB of RAM: one address inside a top-level entry that is
# neither RAM nor Reserved (qemu's 64-bit PCI window), one in no entry.
for a in 0x100000000 0x1000000000; do
	top=$(nd_iomem_top $a)
	case $top in
	"System RAM" | Reserved)
		xp_skip "refused: 64M@$a: the address is $top in this guest, not a hole"
		;;
	*)
		nd_refused "a range that is not reserved (64M@$a, in '${top:-no entry}')" \
			"is not reserved" ranges=64M@$a
		;;
	esac
done
nd_refused "label_size below 128K" "label_size" ranges=128M@0x20000000 label_size=64K
nd_refused "label_size not a multiple of 4K" "label_size" ranges=128M@0x20000000 label_size=130K
nd_refused "label_size above 1M" "label_size" ranges=128M@0x20000000 label_size=2M
nd_refused "label_size not a size" "label_size" ranges=128M@0x20000000 label_size=abc

xp_step "load ranges=$ND_RANGES ($(xp_secs "$T0") s)"
nd_mark
xp_run insmod "$ND_KO" ranges=$ND_RANGES
# Region and DIMM devices are registered asynchronously after insmod.
# nd_bus_summary: per bus, sorted:
#   <provider> dimms=<n> regions=<n> type=<type> size=<bytes>
nd_bus_summary() {
	ndctl list -BDR 2>/dev/null | nd_flat | awk '
	$1 ~ /^\.[0-9]+\.provider$/ { split($1, a, "."); prov[a[2]] = $2 }
	$1 ~ /^\.[0-9]+\.dimms\.[0-9]+\.dev$/ { split($1, a, "."); dimms[a[2]]++ }
	$1 ~ /^\.[0-9]+\.regions\.[0-9]+\.dev$/ { split($1, a, "."); regions[a[2]]++ }
	$1 ~ /^\.[0-9]+\.regions\.[0-9]+\.type$/ { split($1, a, "."); type[a[2]] = $2 }
	$1 ~ /^\.[0-9]+\.regions\.[0-9]+\.size$/ { split($1, a, "."); size[a[2]] = $2 }
	END {
		for (b in prov)
			printf "%s dimms=%d regions=%d type=%s size=%s\n", prov[b], dimms[b],
				regions[b], type[b], size[b]
	}' | sort
}
# 112 MiB and 48 MiB: each region starts at the first 16 MiB boundary
# after its 128 KiB label area (libnvdimm's region alignment, see
# docs/nvdimm.md), and both ranges start on such a boundary.
WANT_BUSES="xp_nvdimm.0 dimms=1 regions=1 type=pmem size=117440512
xp_nvdimm.1 dimms=1 regions=1 type=pmem size=50331648"
# shellcheck disable=SC2317 # called through nd_until
nd_bus_is() { [ "$(nd_bus_summary)" = "$WANT_BUSES" ]; }
nd_until 20 nd_bus_is
ndctl list -BDR
nd_klog | grep 'xp_nvdimm' | sed 's/^/    kernel: /'
nd_bus_summary | sed 's/^/bus: /'
xp_check "two buses xp_nvdimm.0/1, a DIMM and a pmem region of 112 and 48 MiB on each" nd_bus_is
grep -B1 'xp_nvdimm' /proc/iomem
xp_check "/proc/iomem: xp_nvdimm.0 at 20000000-27ffffff inside Reserved" \
	grep -qE '^ +20000000-27ffffff : xp_nvdimm\.0$' /proc/iomem
xp_check "/proc/iomem: xp_nvdimm.1 at 28000000-2bffffff inside Reserved" \
	grep -qE '^ +28000000-2bffffff : xp_nvdimm\.1$' /proc/iomem
# The label area and the gap up to the region are claimed (busy), so no
# other driver can claim the whole range while it is ours.
xp_check "/proc/iomem: the label area of xp_nvdimm.0 claimed at 20000000-20ffffff" \
	grep -qE '^ +20000000-20ffffff : xp_nvdimm\.0 label area$' /proc/iomem

DIMMS=$(ndctl list -D 2>/dev/null | nd_flat | awk '$1 ~ /^\.[0-9]+\.dev$/ { print $2 }' | sort)
[ "$(echo "$DIMMS" | grep -c nmem)" = 2 ] || xp_fail "want two DIMMs, ndctl lists: $DIMMS"
for d in $DIMMS; do
	rm -f /tmp/labels.bin
	ndctl read-labels "$d" -o /tmp/labels.bin
	size=$(wc -c </tmp/labels.bin 2>/dev/null || echo 0)
	xp_check "ndctl read-labels $d: $size bytes (want 131072)" [ "$size" = 131072 ]
done

xp_step "label area bounds, regions disabled ($(xp_secs "$T0") s)"
# libnvdimm refuses label writes while a region of the DIMM is enabled.
xp_run ndctl disable-region all
for d in $DIMMS; do
	"$ND_LSA" -s 131072 "/dev/$d" >/tmp/lsa.out 2>&1
	rc=$?
	sed 's/^/    /' /tmp/lsa.out
	okn=$(grep -c '^ok ' /tmp/lsa.out)
	bad=$(grep -c '^not ok ' /tmp/lsa.out)
	# 19 checks: size, full read, 4 refused reads, unchanged, 4 refused
	# writes each followed by unchanged, tail write, read-back,
	# unchanged after restoring, SMART.
	[ "$rc" = 0 ] && [ "$okn" = 19 ] && [ "$bad" = 0 ]
	xp_verdict "nd_lsa /dev/$d: $okn ok, $bad not ok, exit $rc (want 19 ok)"
done

xp_step "labels and namespaces ($(xp_secs "$T0") s)"
xp_run ndctl init-labels -f all
xp_run ndctl enable-region all
R0=$(nd_region $ND_P0)
R1=$(nd_region $ND_P1)
echo "regions: $ND_P0 $R0, $ND_P1 $R1"
if [ -z "$R0" ] || [ -z "$R1" ]; then
	xp_fail "no region on one of the buses"
fi
# nd_create WHAT ARGS...: ndctl create-namespace ARGS, one check.
nd_create() {
	_w=$1
	shift
	echo "+ ndctl create-namespace $*"
	xp_check "create-namespace $_w" ndctl create-namespace "$@"
}
nd_create "fsdax 32M in $R0 ($ND_P0)" -r "$R0" -m fsdax -s 32M
nd_create "devdax 32M align 2M in $R0 ($ND_P0)" -r "$R0" -m devdax -a 2M -s 32M
nd_create "sector 32M in $R0 ($ND_P0)" -r "$R0" -m sector -s 32M
nd_create "fsdax 32M in $R1 ($ND_P1)" -r "$R1" -m fsdax -s 32M
nd_list | sed 's/^/ns: /'

# nd_modes: "<provider> <mode>" per namespace, sorted, joined with ';'.
nd_modes() { nd_list | awk '{ print $1, $4 }' | sort | tr '\n' ';'; }
WANT_MODES="$ND_P0 devdax;$ND_P0 fsdax;$ND_P0 sector;$ND_P1 fsdax;"
xp_check "ndctl list: fsdax, devdax, sector on $ND_P0, fsdax on $ND_P1 (got: $(nd_modes))" \
	[ "$(nd_modes)" = "$WANT_MODES" ]
# nd_devices_ok: every namespace has its device node, of the right kind.
nd_devices_ok() {
	_ok=0
	for _l in $(nd_list | awk '{ print $4 ":" $7 }'); do
		_m=${_l%%:*} _d=${_l#*:}
		case $_m:$_d in
		fsdax:pmem*[0-9]) [ -b "/dev/$_d" ] ;;
		sector:pmem*s) [ -b "/dev/$_d" ] ;;
		devdax:dax*.*) [ -c "/dev/$_d" ] ;;
		*) false ;;
		esac || {
			echo "namespace in $_m mode has no proper device: /dev/$_d"
			_ok=1
		}
	done
	return $_ok
}
ls -l /dev/pmem* /dev/dax* 2>&1
xp_check "device nodes: /dev/pmemX (fsdax), /dev/pmemX.Ys (sector), /dev/daxX.Y (devdax)" nd_devices_ok

xp_step "destroy and re-create the devdax namespace ($(xp_secs "$T0") s)"
ns=$(nd_find $ND_P0 devdax 3)
chr=$(nd_find $ND_P0 devdax 7)
old=$(nd_find $ND_P0 devdax 6)
xp_check "destroy-namespace -f $ns" ndctl destroy-namespace -f "$ns"
[ -z "$(nd_find $ND_P0 devdax 3)" ] && [ ! -e "/dev/$chr" ] &&
	[ "$(nd_modes)" = "$ND_P0 fsdax;$ND_P0 sector;$ND_P1 fsdax;" ]
xp_verdict "$ns gone from ndctl list and /dev/$chr gone"
nd_create "devdax 32M align 2M in $R0 again" -r "$R0" -m devdax -a 2M -s 32M
new=$(nd_find $ND_P0 devdax 6)
[ -n "$new" ] && [ "$new" != "$old" ] && [ "$(nd_modes)" = "$WANT_MODES" ] && nd_devices_ok
xp_verdict "devdax back with a new uuid ($old -> $new), devices in place"

xp_step "rmmod while regions are enabled ($(xp_secs "$T0") s)"
before=$(nd_layout)
out=$(rmmod xp_nvdimm 2>&1)
rc=$?
echo "rmmod xp_nvdimm: status $rc: $out"
[ "$rc" != 0 ] && nd_is_busy "$out" && nd_loaded
xp_verdict "rmmod refused while regions are enabled (in use)"
[ "$(nd_layout)" = "$before" ] && nd_devices_ok
xp_verdict "after the refused rmmod: same namespaces, devices in place"

xp_step "data ($(xp_secs "$T0") s)"
# Random data on each block namespace, read back from the device (page
# cache dropped) and summed; the host compares the sums after a reboot.
for role in $ND_ROLES; do
	dev=$(nd_role_dev "$role")
	[ -n "$dev" ] || {
		xp_notok "data $role: no device"
		continue
	}
	dd if=/dev/urandom of="/tmp/$role" bs=1M count=$ND_DATA_MB 2>/dev/null
	want=$(sha256sum "/tmp/$role" | cut -d' ' -f1)
	dd if="/tmp/$role" of="/dev/$dev" bs=1M conv=fsync 2>/dev/null ||
		xp_notok "data $role: writing /dev/$dev failed"
	rm -f "/tmp/$role"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	got=$(nd_sum "$dev")
	xp_check "data $role: $ND_DATA_MB MiB on /dev/$dev read back intact" [ "$got" = "$want" ]
	echo "sum $role $got"
done
nd_layout
echo "setup took $(xp_secs "$T0") s"
# No unload and no clean shutdown: the data and labels are in the RAM file.
xp_done setup
