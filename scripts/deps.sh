#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages xdpath needs to build and test. Idempotent:
# when everything is present it only asks dpkg and returns.
set -euo pipefail

pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev bpftool
	iproute2 ethtool iputils-ping tcpdump gnuplot-nox
	libclang-rt-14-dev
	# VM test bed (tests/vm): qemu, the initramfs, module builds, guest tools
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod dwarves
	# the newest series' modules build in a Debian trixie root (tests/vm/lib/buildroot.sh)
	debootstrap debian-archive-keyring
	ibverbs-utils ibverbs-providers rdmacm-utils perftest ndctl dmsetup fio
	# the storage chain's initiators and iscsi-test-cu (tests/vm/test_iser.sh)
	open-iscsi nvme-cli libiscsi-bin
	# test_mr compares our verbs constants with libibverbs' own header
	libibverbs-dev
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $st == ii* ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ((EUID != 0)); then
	echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
