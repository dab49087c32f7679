# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# For the VM suites (tests/vm/test_*.sh): the shell test library (pass, fail,
# skip, summary, on_exit) plus the test bed, and the checks every VM suite
# makes before it boots anything.
#
#   XP_VM_SERIES  kernel series to test (default: "6.1 6.12")

# shellcheck source=tests/lib/testlib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/testlib.sh"
# shellcheck source=tests/vm/lib/qemu.sh
source "$(dirname "${BASH_SOURCE[0]}")/qemu.sh"

XPVM=$XPVM_ROOT/tests/vm/xpvm
XPVM_GUEST=$XPVM_ROOT/tests/vm/guest
XP_VM_SERIES=${XP_VM_SERIES:-$XPVM_SERIES_DEFAULT}

# vm_require NAME: root, qemu and apt must be there; otherwise skip with
# the reason (make deps installs everything, so CI never skips).
vm_require() {
	local why=
	if ((EUID != 0)); then
		why="needs root (network namespaces, taps, device nodes)"
	elif ! command -v qemu-system-x86_64 >/dev/null; then
		why="qemu-system-x86_64 missing: run make deps (Debian package qemu-system-x86)"
	elif ! command -v apt-get >/dev/null; then
		why="needs apt-get to fetch Debian kernels"
	fi
	if [[ -n $why ]]; then
		skip "$1: $why"
		summary
		exit 0
	fi
}

# vm_kernel SERIES: resolve and fetch, print the version; fail the test
# (and return 1) when that is impossible.
vm_kernel() {
	local kver
	if ! kver=$("$XPVM" kernel "$1"); then
		fail "kernel $1: cannot resolve or download it (see above)"
		return 1
	fi
	echo "$kver"
}

# vm_secs START: seconds since START ($EPOCHREALTIME), one decimal.
vm_secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
