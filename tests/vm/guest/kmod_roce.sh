# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Guest side of test_kmod's second boot: the transport core in the kernel
# (kmod_roce_core.sh), then the soft-RoCE device (kmod_rxe.sh), its receive
# path under hostile frames (kmod_rxe_rx.sh), its kernel verbs
# (kmod_rxe_verbs.sh) and its user ABI under hostile processes and inline
# data (kmod_rxe_user.sh), all shipped as files. Each part runs in a subshell
# and reports "KMODPART NAME STATUS" for the host to check; the script
# fails when any does.

status=0
for part in roce_core rxe rxe_rx rxe_verbs rxe_user; do
	xp_step "== $part"
	# shellcheck disable=SC1090 # the parts are shipped with -f
	(. /xp/files/kmod_$part.sh)
	rc=$?
	echo "KMODPART $part $rc"
	[ $rc = 0 ] || status=1
done
exit $status
