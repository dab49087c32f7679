# SPDX-License-Identifier: GPL-2.0
# Runner self-test: xp_within (guest/lib.sh) gives up on a command that
# outlives its limit, says so, and passes a quick command's status on.
xp_within 1 sleep 30 >/tmp/within.out 2>&1
echo "selftest: xp_within 1 sleep 30: status $?"
grep -q "^xp_within: 'sleep 30' still runs after 1 s" /tmp/within.out &&
	grep -Eq '^  vda: +0 +0$' /tmp/within.out && echo "selftest: xp_within said so"
xp_within 10 sh -c 'exit 5'
echo "selftest: xp_within 10 sh -c 'exit 5': status $?"
exit 0
