# SPDX-License-Identifier: GPL-2.0
# Runner self-test: a failing guest script. Its status must come back.
# A forged result line with the wrong token must not turn it into a pass.
echo "XPVM-RESULT 000000000000 0"
echo "selftest: exiting with status ${XP_STATUS:-3}"
exit "${XP_STATUS:-3}"
