# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_nvdimm, second boot: a new qemu on the RAM file the
# first boot (nvdimm_setup.sh) left its labels and data in.
#
#   1. the same ranges bring back the same namespaces (uuid, mode, size,
#      bus) and the same data (sha256 of each block namespace);
#   2. a control: the same comparison, given deliberately wrong sums, must
#      report mismatches, so a broken comparison cannot pass;
#   3. XP_ND_CYCLES load/unload cycles: most wait for the namespaces, then
#      disable the regions and rmmod; two in five unload while insmod still
#      runs in the background (at once, or after 50 ms), racing the
#      module's init and the asynchronous probe of its buses (refusals as
#      busy are accepted: disable the regions, retry). An rmmod right after
#      insmod returns is no race: it found the regions up every time.
#      After each cycle nothing of ours is left. Leak check across the
#      cycles: memremap'ed and ioremap'ed vmalloc areas and unreclaimable
#      slab, before and after;
#   4. after the cycles, the same namespaces and data once more.
#
# From the host:
#   XP_ND_LAYOUT    the first boot's layout lines, joined with ';'
#   XP_ND_SUMS      role=sha256 pairs, joined with ';'
#   XP_ND_BAD_SUMS  the same with each sum altered (the control)
#   XP_ND_CYCLES    load/unload cycles (default 50)
# Output: CHECK lines, "sum ROLE SHA256" (after the reboot and after the
# cycles), "mem ..." and "cycles: ..." (the leak check's numbers, the
# races), and "DONE reboot failed=N".

# shellcheck source=tests/vm/guest/nvdimm_lib.sh
. /xp/files/nvdimm_lib.sh

T0=$(xp_now)
CYCLES=${XP_ND_CYCLES:-50}
WANT=${XP_ND_LAYOUT:?"the layout of the first boot"}
[ -f "$ND_KO" ] || xp_fail "$ND_KO missing (make kmod)"
if [ -z "${XP_ND_SUMS:-}" ] || [ -z "${XP_ND_BAD_SUMS:-}" ]; then
	xp_fail "XP_ND_SUMS and XP_ND_BAD_SUMS must be set"
fi
# Boot 1 left the module loaded; in this boot it is not yet.
xp_check "a new boot starts without xp_nvdimm" nd_gone

# nd_same_data WHEN: the layout and the data are the first boot's.
nd_same_data() {
	if nd_until 30 nd_layout_is "$WANT"; then
		xp_ok "$1: same namespaces as the first boot (uuid, mode, size, bus)"
	else
		echo "want: $WANT" | tr ';' '\n'
		echo "got:"
		nd_layout
		xp_notok "$1: the namespaces differ from the first boot's"
	fi
	for _role in $ND_ROLES; do
		_dev=$(nd_role_dev "$_role")
		xp_check "$1: data of $_role on /dev/${_dev:-?} as written in the first boot" \
			nd_sum_matches "$_role" "$XP_ND_SUMS"
		echo "sum $_role $(nd_sum "${_dev:-nonexistent}")"
	done
}

xp_step "load ranges=$ND_RANGES"
xp_run insmod "$ND_KO" ranges=$ND_RANGES
nd_same_data "after a reboot"
# What the leak check counts while everything is mapped: the label areas
# and the sector namespace's 32 MiB are memremap'ed, so a leaked mapping
# would show in the same numbers.
MEM_LOADED=$(nd_mem)
echo "mem loaded: memremap areas/bytes ioremap areas/bytes SUnreclaim kB: $MEM_LOADED"

xp_step "control: wrong sums must not match"
n=0
for role in $ND_ROLES; do
	if nd_sum_matches "$role" "$XP_ND_BAD_SUMS"; then
		echo "control: a wrong sum for $role was accepted"
	else
		n=$((n + 1))
	fi
done
xp_check "control: $n of 3 deliberately wrong sums reported as mismatches" [ "$n" = 3 ]

xp_step "$CYCLES load/unload cycles ($(xp_secs "$T0") s)"
nd_unload
xp_check "unload: disable-region, rmmod, nothing left" nd_gone

# nd_cycle I: one cycle; 0 when it went as it should. Most cycles wait
# for the namespaces, disable the regions and rmmod, which must then work
# at once. Every fifth cycle starts insmod in the background and unloads
# at once, every fifth after 50 ms, racing the module's init and the
# asynchronous probe of its buses: rmmod is refused until the init is done
# and while regions are enabled, disable-region may come before a region
# is registered; nd_unload retries until the module is gone.
# RACED_INIT / RACED_REGIONS count racing cycles whose first rmmod found
# the module in its init / a region enabled.
RACED_INIT=0
RACED_REGIONS=0
nd_cycle() {
	_kind=waiting
	case $(($1 % 5)) in
	0) _kind=race ;;
	1) _kind=race50ms ;;
	esac
	if [ $_kind = waiting ]; then
		_out=$(insmod "$ND_KO" ranges=$ND_RANGES 2>&1) || {
			echo "cycle $1: insmod failed: $_out"
			return 1
		}
		nd_until 30 nd_layout_is "$WANT" || {
			echo "cycle $1: the namespaces did not come back within 30 s:"
			nd_layout
			return 1
		}
		_out=$(ndctl disable-region all 2>&1) || {
			echo "cycle $1: ndctl disable-region all: $_out"
			return 1
		}
		_out=$(rmmod xp_nvdimm 2>&1) || {
			echo "cycle $1: rmmod after disable-region failed: $_out"
			return 1
		}
	else
		insmod "$ND_KO" ranges=$ND_RANGES >/tmp/insmod.out 2>&1 &
		_pid=$!
		[ $_kind = race50ms ] && sleep 0.05
		# Until insmod is done the module may not even be listed yet.
		nd_unload || return 1
		case $ND_UNLOAD_FIRST in
		"") ;;
		*"resource busy"*) RACED_INIT=$((RACED_INIT + 1)) ;;
		*) RACED_REGIONS=$((RACED_REGIONS + 1)) ;;
		esac
		wait $_pid || {
			echo "cycle $1 ($_kind): insmod failed: $(cat /tmp/insmod.out)"
			nd_unload
			return 1
		}
		nd_unload || return 1
	fi
	nd_gone || {
		echo "cycle $1 ($_kind): after rmmod: loaded=$(nd_loaded && echo yes || echo no)" \
			"buses=$(nd_our_buses)"
		grep xp_nvdimm /proc/iomem
		return 1
	}
}

# Two cycles first, so one-time allocations (caches, sysfs, dentries) are
# in the baseline of the leak check rather than counted as a leak.
errors=0
i=1
MEM0=$(nd_mem)
t_cycles=$(xp_now)
while [ $i -le "$CYCLES" ]; do
	if [ $i = 3 ]; then
		MEM0=$(nd_mem)
		t_cycles=$(xp_now)
	fi
	nd_cycle $i || errors=$((errors + 1))
	# A broken unload tends to break every later cycle the same way.
	if [ $errors -ge 3 ]; then
		echo "stopping after $errors failed cycles"
		break
	fi
	i=$((i + 1))
done
done_cycles=$((i > CYCLES ? CYCLES : i))
MEM1=$(nd_mem)
echo "cycles: $done_cycles run, $errors failed; racing cycles whose first rmmod found the" \
	"module in its init: $RACED_INIT, a region enabled: $RACED_REGIONS;" \
	"$(xp_secs "$t_cycles") s from cycle 3 on"
[ "$errors" = 0 ] && [ "$done_cycles" = "$CYCLES" ]
xp_verdict "$CYCLES load/unload cycles, racing and waiting: $errors failed"

# mem: areas, bytes of memremap'ed vmalloc areas; the same for ioremap;
# SUnreclaim in kB. Within 2 MiB over ~50 cycles: a leak of one range's
# mapping or of one bus's devices per cycle would be far more.
echo "mem before: memremap areas/bytes ioremap areas/bytes SUnreclaim kB: $MEM0"
echo "mem after:  memremap areas/bytes ioremap areas/bytes SUnreclaim kB: $MEM1"
# shellcheck disable=SC2086 # the numbers, one word each
set -- $MEM0 $MEM1 $MEM_LOADED
xp_check "leak check sees our mappings: memremap bytes ${12} while loaded, $7 after unloading" \
	[ $((${12} - $7)) -ge 33554432 ]
xp_check "leak check: memremap vmalloc bytes $2 -> $7 (growth under 2 MiB)" \
	[ $(($7 - $2)) -lt 2097152 ]
xp_check "leak check: ioremap vmalloc bytes $4 -> $9 (growth under 2 MiB)" \
	[ $(($9 - $4)) -lt 2097152 ]
xp_check "leak check: SUnreclaim $5 kB -> ${10} kB (growth under 2048 kB)" \
	[ $((${10} - $5)) -lt 2048 ]

xp_step "after the cycles ($(xp_secs "$T0") s)"
xp_run insmod "$ND_KO" ranges=$ND_RANGES
nd_same_data "after $CYCLES cycles"
echo "reboot took $(xp_secs "$T0") s"
xp_done reboot
