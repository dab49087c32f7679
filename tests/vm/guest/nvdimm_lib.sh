# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the xp_nvdimm guest scripts (nvdimm_setup.sh, nvdimm_reboot.sh),
# busybox sh. test_nvdimm.sh ships this file as /xp/files/nvdimm_lib.sh.
#
# Results go to the host as CHECK lines and a DONE line (xp_check,
# xp_verdict, xp_done in lib.sh); everything else is commentary for the log.

# Constants and results the scripts that source this file read.
# shellcheck disable=SC2034
{
ND_KO=/xp/kmod/xp_nvdimm.ko
ND_LSA=/xp/files/nd_lsa
# The ranges both boots load: 128 MiB and 64 MiB inside the 192 MiB the
# kernel was told to leave alone (memmap=192M$0x20000000).
ND_RANGES=128M@0x20000000,64M@0x28000000
ND_ROLES="fsdax0 sector fsdax1"
ND_DATA_MB=8
ND_UNLOAD_TRIES=0
ND_UNLOAD_FIRST=
}
ND_P0=xp_nvdimm.0
ND_P1=xp_nvdimm.1
ND_MARK=0

# nd_flat: JSON on stdin to one "PATH VALUE" line per scalar, PATH made of
# keys and array indexes (.0.regions.1.size). ndctl prints a bare object
# when it lists one thing and an array otherwise: a bare top-level object
# is given index 0, so both read alike. Strings are printed unquoted; ndctl
# puts no spaces or escapes in the fields these tests read.
nd_flat() {
	awk '
	function path(   p, l) {
		p = ""
		for (l = 1; l <= d; l++)
			p = p "." (typ[l] == "[" ? idx[l] : key[l])
		return p
	}
	{ s = s $0 "\n" }
	END {
		# index() rather than bracket expressions: busybox awk and gawk
		# disagree about escapes inside them.
		ws = " \t\n\r"
		n = length(s)
		d = 0
		if (substr(s, 1, 200) ~ /^[ \t\n]*\{/) {
			d = 1; typ[1] = "["; idx[1] = 0
		}
		for (i = 1; i <= n; ) {
			c = substr(s, i, 1)
			if (c == "{" || c == "[") {
				d++; typ[d] = c; idx[d] = 0; key[d] = ""
				i++
			} else if (c == "}" || c == "]") {
				d--
				i++
			} else if (c == ",") {
				if (typ[d] == "[")
					idx[d]++
				i++
			} else if (c == "\"") {
				for (j = i + 1; j <= n && substr(s, j, 1) != "\""; j++)
					if (substr(s, j, 1) == "\\")
						j++
				str = substr(s, i + 1, j - i - 1)
				for (i = j + 1; i <= n && index(ws, substr(s, i, 1)); i++)
					;
				if (substr(s, i, 1) == ":") {
					key[d] = str
					i++
				} else {
					print path(), str
				}
			} else if (index(ws ":", c)) {
				i++
			} else {
				for (j = i; j <= n && !index(ws ",}]", substr(s, j, 1)); j++)
					;
				print path(), substr(s, i, j - i)
				i = j
			}
		}
	}'
}

# nd_list: the namespaces with their bus, one line each:
#   <provider> <region> <namespace> <mode> <size> <uuid> <device>
# where device is the block device (fsdax, sector) or dax char device.
nd_list() {
	ndctl list -BRN 2>/dev/null | nd_flat | awk '
	$1 ~ /^\.[0-9]+\.provider$/ { split($1, a, "."); prov[a[2]] = $2 }
	$1 ~ /^\.[0-9]+\.regions\.[0-9]+\.dev$/ { split($1, a, "."); reg[a[2] "." a[4]] = $2 }
	match($1, /^\.[0-9]+\.regions\.[0-9]+\.namespaces\.[0-9]+\./) {
		ns = substr($1, 1, RLENGTH)
		f = substr($1, RLENGTH + 1)
		if (!(ns in seen)) {
			seen[ns] = 1
			order[++n] = ns
		}
		v[ns, f] = $2
	}
	END {
		for (i = 1; i <= n; i++) {
			ns = order[i]
			split(ns, a, ".")
			dev = v[ns, "blockdev"] != "" ? v[ns, "blockdev"] : v[ns, "chardev"]
			print prov[a[2]], reg[a[2] "." a[4]], v[ns, "dev"], v[ns, "mode"], \
				v[ns, "size"], v[ns, "uuid"], (dev == "" ? "-" : dev)
		}
	}'
}

# nd_layout: what must survive a reboot, sorted, one line per namespace:
#   layout <uuid> <mode> <size> <provider>
nd_layout() {
	nd_list | awk '{ print "layout", $6, $4, $5, $1 }' | sort
}

# nd_find PROVIDER MODE FIELD: FIELD (1-7 as in nd_list) of the first
# namespace of MODE on PROVIDER's bus.
nd_find() {
	nd_list | awk -v p="$1" -v m="$2" -v f="$3" '$1 == p && $4 == m { print $f; exit }'
}

# nd_region PROVIDER: the region on PROVIDER's bus.
nd_region() {
	ndctl list -BR 2>/dev/null | nd_flat | awk -v p="$1" '
	$1 ~ /^\.[0-9]+\.provider$/ { split($1, a, "."); prov[a[2]] = $2 }
	$1 ~ /^\.[0-9]+\.regions\.[0-9]+\.dev$/ { split($1, a, "."); reg[a[2]] = $2 }
	END { for (b in prov) if (prov[b] == p) print reg[b] }'
}

# nd_until SECONDS CMD...: run CMD every 0.1 s until it succeeds; 1 if it
# still fails after SECONDS.
nd_until() {
	_end=$(awk -v a="$(xp_now)" -v s="$1" 'BEGIN { print a + s }')
	shift
	until "$@"; do
		awk -v a="$(xp_now)" -v e="$_end" 'BEGIN { exit !(a > e) }' && return 1
		sleep 0.1
	done
}

# nd_loaded: xp_nvdimm is in the module list.
nd_loaded() { grep -q '^xp_nvdimm ' /proc/modules; }

# nd_in_iomem: a resource of ours is in /proc/iomem.
nd_in_iomem() { grep -q 'xp_nvdimm' /proc/iomem; }

# nd_our_buses: buses ndctl lists with our provider name.
nd_our_buses() {
	ndctl list -B 2>/dev/null | nd_flat | awk '$1 ~ /\.provider$/ && $2 ~ /^xp_nvdimm\./' | wc -l
}

# nd_buses: every nvdimm bus (its ndctl control device), ours or not.
nd_buses() { find /sys/class/nd -maxdepth 1 -name 'ndctl*' 2>/dev/null | wc -l; }

# nd_mark / nd_klog: a line in the kernel log, then the kernel log since it.
nd_mark() {
	ND_MARK=$((ND_MARK + 1))
	echo "xpnd-mark $ND_MARK" >/dev/kmsg
}
nd_klog() { dmesg | sed -n "/xpnd-mark $ND_MARK\$/,\$p" | sed 1d; }

# nd_our_klog: our module's own lines since the mark, without the module
# loader's taint notices (they carry the module's name too), each distinct
# text once: busybox insmod tries init_module after a failed finit_module,
# so the kernel runs a refused init, and logs its refusal, twice.
nd_our_klog() {
	nd_klog | grep 'xp_nvdimm: ' | grep -v 'taint' | sed 's/^\[ *[0-9.]*\] //' | sort -u
}

# nd_iomem_top ADDR: the name of the top-level /proc/iomem entry that holds
# ADDR (hex, 0x...), or nothing.
nd_iomem_top() {
	_a=$(($1))
	grep -v '^ ' /proc/iomem | while IFS= read -r _l; do
		_r=${_l%% : *}
		_s=$((0x${_r%-*}))
		_e=$((0x${_r#*-}))
		if [ "$_a" -ge "$_s" ] && [ "$_a" -le "$_e" ]; then
			echo "${_l#* : }"
			break
		fi
	done
}

# nd_is_busy TEXT: TEXT is how busybox rmmod says "the module is in use".
nd_is_busy() {
	case $1 in
	*"in use"* | *"Resource temporarily unavailable"* | *"resource busy"*) return 0 ;;
	esac
	return 1
}

# nd_unload: rmmod, and while it is refused as busy, disable our regions
# and retry; 0 when the module is gone. While a region is enabled
# libnvdimm holds a reference on the module, a module still in its init
# cannot be removed at all, and a probe still running may enable a region
# after the disable: hence the retries. ND_UNLOAD_TRIES: refusals seen;
# ND_UNLOAD_FIRST: the first refusal.
nd_unload() {
	_i=0
	ND_UNLOAD_FIRST=
	while nd_loaded; do
		_out=$(rmmod xp_nvdimm 2>&1) && continue
		[ -n "$ND_UNLOAD_FIRST" ] || ND_UNLOAD_FIRST=$_out
		nd_is_busy "$_out" || {
			echo "rmmod xp_nvdimm: $_out"
			return 1
		}
		_i=$((_i + 1))
		[ $_i -gt 50 ] && {
			echo "rmmod xp_nvdimm: still in use after $_i tries: $_out"
			return 1
		}
		ndctl disable-region -b $ND_P0 all >/dev/null 2>&1
		ndctl disable-region -b $ND_P1 all >/dev/null 2>&1
		sleep 0.1
	done
	# shellcheck disable=SC2034 # for the caller
	ND_UNLOAD_TRIES=$_i
}

# nd_gone: after an unload, nothing of ours is left.
nd_gone() {
	! nd_loaded && ! nd_in_iomem && [ "$(nd_our_buses)" = 0 ]
}

# nd_layout_is WANT: nd_layout prints WANT (its lines joined with ';').
nd_layout_is() { [ "$(nd_layout | tr '\n' ';')" = "$1" ]; }

# nd_sum DEV: sha256 of the first 8 MiB of /dev/DEV.
nd_sum() {
	dd if="/dev/$1" bs=1M count=$ND_DATA_MB 2>/dev/null | sha256sum | cut -d' ' -f1
}

# nd_sum_matches ROLE SUMS: ROLE's entry in SUMS ("role=sha;...") equals
# the sum of ROLE's device now. The same function judges the real sums and
# the deliberately wrong ones of the control.
nd_sum_matches() {
	_want=$(echo "$2" | tr ';' '\n' | sed -n "s/^$1=//p")
	_dev=$(nd_role_dev "$1")
	[ -n "$_want" ] && [ -n "$_dev" ] && [ "$(nd_sum "$_dev")" = "$_want" ]
}

# nd_role_dev ROLE: the device the data of ROLE lives on:
#   fsdax0  the fsdax namespace in xp_nvdimm.0's region
#   sector  the sector (BTT) namespace in xp_nvdimm.0's region
#   fsdax1  the fsdax namespace in xp_nvdimm.1's region
nd_role_dev() {
	case $1 in
	fsdax0) nd_find $ND_P0 fsdax 7 ;;
	sector) nd_find $ND_P0 sector 7 ;;
	fsdax1) nd_find $ND_P1 fsdax 7 ;;
	esac
}

# nd_mem: the numbers of the leak check, after dropping the caches:
#   <memremap areas> <their bytes> <ioremap areas> <their bytes> <SUnreclaim kB>
nd_mem() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	_vm=$(awk '/memremap/ { n++; b += $2 } END { print n + 0, b + 0 }' /proc/vmallocinfo)
	_io=$(awk '/ioremap/ { n++; b += $2 } END { print n + 0, b + 0 }' /proc/vmallocinfo)
	echo "$_vm $_io $(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)"
}
