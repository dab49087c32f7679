# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_kmod: xp_roce_core (the transport core of core/roce,
# built for this kernel) loads, and its load-time self-test runs every RC
# operation between two loopback devices with data and guard areas checked;
# a failed self-test would refuse the load. Then it unloads.

ko=/xp/kmod/xp_roce_core.ko
[ -f $ko ] || xp_fail "$ko missing (make kmod)"

xp_step "load: the core's self-test runs"
xp_run insmod $ko
lsmod | grep -q '^xp_roce_core ' || xp_fail "xp_roce_core not in lsmod after insmod"
line=$(dmesg | grep 'xp_roce_core: self-test passed' | tail -n 1)
[ -n "$line" ] || {
	dmesg | grep -E 'xp_roce|BUG|WARNING' | tail -n 10
	xp_fail "no 'xp_roce_core: self-test passed' in the kernel log"
}
echo "$line"
dmesg | grep -qE 'BUG|WARNING:|UBSAN|KASAN' && {
	dmesg | grep -E 'BUG|WARNING:|UBSAN|KASAN' | head -n 5
	xp_fail "the kernel complained while the core ran"
}

xp_step "unload"
xp_run rmmod xp_roce_core
lsmod | grep -q '^xp_roce_core ' && xp_fail "xp_roce_core still loaded after rmmod"

xp_step "load without the self-test"
xp_run insmod $ko selftest=0
dmesg | grep -q 'xp_roce_core: loaded without self-test' || xp_fail "no 'loaded without self-test' line"
xp_run rmmod xp_roce_core
echo "xp_roce_core: self-test passed, unloads, loads without it"
exit 0
