# SPDX-License-Identifier: GPL-2.0
# Runner self-test: the guest kernel panics (sysrq crash). Must be a failure.
echo "selftest: crashing the kernel"
echo 1 >/proc/sys/kernel/sysrq
echo c >/proc/sysrq-trigger
sleep 30
exit 0
