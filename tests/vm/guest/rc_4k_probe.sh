# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_rc_4k's negative control: our xp-rc-pingpong ($PP) at
# path MTU 4096 on an eth0 of MTU 9000, in a kernel without AF_XDP
# multi-buffer (6.1). It must refuse, and say why; its output is for the
# host to check.

: "${PP:?}"
xp_step "xp-rc-pingpong -m 4096 on $(uname -r), eth0 MTU $(cat /sys/class/net/eth0/mtu)"
"$PP" -d eth0 -g 1 -m 4096 -w 200 >/tmp/out 2>&1
echo "PROBE exit $?"
cat /tmp/out
exit 0
