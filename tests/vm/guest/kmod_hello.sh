# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_kmod: our xp_hello module (built by make kmod for this
# kernel) loads with a parameter, logs, shows in sysfs, unloads, and a
# refused init (fail=1) comes back as EINVAL with nothing left loaded.

ko=/xp/kmod/xp_hello.ko
word=xpvm$$
[ -f $ko ] || xp_fail "$ko missing (make kmod)"

xp_step "vermagic matches the running kernel"
vermagic=$(modinfo -F vermagic $ko 2>/dev/null || modinfo $ko | sed -n 's/^vermagic: *//p')
case "$vermagic" in
"$(uname -r) "*) echo "vermagic: $vermagic" ;;
*) xp_fail "vermagic '$vermagic' is not for $(uname -r)" ;;
esac

xp_step "load with greeting=$word"
xp_run insmod $ko greeting=$word
lsmod | grep -q '^xp_hello ' || xp_fail "xp_hello not in lsmod after insmod"
[ "$(cat /sys/module/xp_hello/parameters/greeting)" = "$word" ] ||
	xp_fail "greeting parameter not $word in sysfs"
dmesg | grep -q "xp_hello: $word from $(uname -r)" || {
	dmesg | tail -n 5
	xp_fail "no 'xp_hello: $word from $(uname -r)' in the kernel log"
}

xp_step "unload"
xp_run rmmod xp_hello
lsmod | grep -q '^xp_hello ' && xp_fail "xp_hello still loaded after rmmod"
dmesg | grep -q "xp_hello: goodbye, $word" || xp_fail "no goodbye line in the kernel log"

xp_step "a refused init fails the load"
if out=$(insmod $ko fail=1 2>&1); then
	xp_fail "insmod fail=1 succeeded"
fi
echo "insmod fail=1: $out"
case "$out" in
*"Invalid argument"* | *"Invalid parameters"*) ;;
*) xp_fail "insmod fail=1 did not report EINVAL: $out" ;;
esac
lsmod | grep -q '^xp_hello ' && xp_fail "xp_hello loaded after a refused init"
dmesg | grep -q "xp_hello: load refused: fail=1" || xp_fail "no refusal line in the kernel log"
echo "xp_hello: load, parameter, unload and refused load all as expected"
exit 0
