# SPDX-License-Identifier: GPL-2.0
#
# Guest side of test_xsk_rules: the AF_XDP rule tables of the unit tests
# (tests/unit/test_umem and test_xsk_rules, paths in XP_RULES_TESTS) against
# this kernel. Each of their checks becomes one of ours; their notes (the
# probed rules, why a row failed) are shown as they are.

for t in $XP_RULES_TESTS; do
	name=${t##*/}
	if [ ! -x "$t" ]; then
		xp_notok "$name: $t is not an executable in the guest"
		continue
	fi
	xp_step "$name on $(uname -r)"
	"$t" >/tmp/out 2>&1
	rc=$?
	grep -v '^PASS ' /tmp/out
	sed -n -e "s/^PASS /CHECK pass $name: /p" -e "s/^FAIL /CHECK fail $name: /p" \
		-e "s/^SKIP /CHECK skip $name: /p" /tmp/out
	XP_FAILED=$((XP_FAILED + $(grep -c '^FAIL ' /tmp/out)))
	# The tables must have asked this kernel, not fallen back to our rules.
	! grep -q '^SKIP .*cannot create AF_XDP sockets' /tmp/out
	xp_verdict "$name: AF_XDP sockets work in the guest, so every row met the kernel"
	tail -n 1 /tmp/out | grep -Eq '^[1-9][0-9]* passed, 0 failed, [0-9]+ skipped$'
	xp_verdict "$name: ended with its summary line and no failure (exit $rc)"
done
xp_done xsk_rules
