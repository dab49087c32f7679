# SPDX-License-Identifier: GPL-2.0
# Runner self-test: the guest never finishes. The timeout must fail it, and
# the runner must show the tasks the guest dumps (sysrq w, t) before it dies.
echo "selftest: sleeping forever"
while :; do sleep 1000; done
