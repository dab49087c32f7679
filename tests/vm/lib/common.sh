# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Paths and helpers shared by the VM test bed (tests/vm/lib/*.sh).
# Functions return non-zero with a message on stderr; they never exit,
# so test scripts can source them and report failures themselves.
#
#   XP_BUILD      build directory (default: <repo>/build)
#   XP_VM_CACHE   downloads, unpacked kernels and initramfs images
#                 (default: $XP_BUILD/vm/cache); share it between clones
#                 to make a fresh clone's first run offline too
#   XP_VM_VERBOSE 1: echo guest consoles while they run

XPVM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
XPVM_BUILD=${XP_BUILD:-$XPVM_ROOT/build}
XPVM_CACHE=${XP_VM_CACHE:-$XPVM_BUILD/vm/cache}
# shellcheck disable=SC2034 # used by the files that source this one
XPVM_RUNS=$XPVM_BUILD/vm/runs
# Series: Debian 12's two, and Debian's newest kernel (trixie-backports,
# see kernel.sh). Suites run on the first two unless they ask for all.
# shellcheck disable=SC2034
XPVM_SERIES_DEFAULT="6.1 6.12"
# shellcheck disable=SC2034
XPVM_SERIES_ALL="6.1 6.12 newest"

vm_log() { printf 'xpvm: %s\n' "$*" >&2; }
vm_err() { printf 'xpvm: error: %s\n' "$*" >&2; return 1; }

# vm_now_ms: milliseconds since the epoch, for timings.
vm_now_ms() { date +%s%3N; }

# vm_need CMD PACKAGE: CMD must be on PATH; say which package provides it.
vm_need() {
	command -v "$1" >/dev/null 2>&1 ||
		vm_err "$1 not found: install Debian package $2 (make deps does)"
}

# vm_locked NAME CMD...: run CMD holding the cache lock NAME, so that guests
# started together never build the same kernel tree or image twice at once.
vm_locked() {
	local name=$1 rc=0
	shift
	mkdir -p "$XPVM_CACHE"
	exec {_vm_lock_fd}>"$XPVM_CACHE/.$name.lock"
	flock "$_vm_lock_fd"
	"$@" || rc=$?
	exec {_vm_lock_fd}>&-
	return $rc
}
