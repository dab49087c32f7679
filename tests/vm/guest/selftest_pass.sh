# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a passing guest. Prints a line the host looks for,
# forges a result line with the wrong token (which the host must ignore),
# and leaves a file in the 9p share when there is one.
echo "selftest: ran in $(uname -r) as $(hostname)"
echo "XPVM-RESULT 000000000000 7"
[ -d /xp/share ] && echo "written by $(hostname)" >/xp/share/from-guest
echo "selftest: env XP_WORD=$XP_WORD"
exit 0
