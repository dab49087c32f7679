#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The transport core's rules (core/roce/xp_env.h), checked on its sources:
# no header from outside the core but the environment (xp_env.h picks the
# host's) and <xdpath/...>, no threads, no sleeping; and compiled the way
# a kernel module would need it: general registers only (no floating
# point) and at most 1 KiB of stack per function. Each rule is first shown
# to catch a planted violation, so a rule that cannot fail fails here.

. "$(dirname "$0")/../lib/testlib.sh"

CORE=$XP_ROOT/core/roce
TMP=$(mktemp -d)
on_exit rm -rf "$TMP"
trap _run_cleanups EXIT

# Files allowed to reach outside: the environment headers themselves.
is_env() { [[ $1 == env_*.h || $1 == xp_env.h || $1 == xp_types.h ]]; }

# bad_includes FILE...: every #include naming neither a core header nor
# <xdpath/...>; empty when the rule holds.
bad_includes() {
	local f inc
	for f in "$@"; do
		is_env "$(basename "$f")" && continue
		while read -r inc; do
			case $inc in
			'<xdpath/'*'>') ;;
			'"'*'"')
				inc=${inc//\"/}
				[[ -e $CORE/$inc || -e $(dirname "$f")/$inc ]] ||
					echo "$(basename "$f"): $inc"
				;;
			*) echo "$(basename "$f"): $inc" ;;
			esac
		done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$f")
	done
}

# bad_calls FILE...: threads, sleeping, libc allocation or printing, and
# floating point, outside comments and string literals.
bad_calls() {
	local f
	for f in "$@"; do
		is_env "$(basename "$f")" && continue
		gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null | sed -e 's/"\([^"\\]\|\\.\)*"/""/g' |
			grep -oE '\b(pthread_[a-z_]+|sleep|usleep|nanosleep|msleep|malloc|calloc|realloc|free|printf|fprintf)[[:space:]]*\(|\b(float|double)\b' |
			sed "s#^#$(basename "$f"): #"
	done
}

mapfile -t srcs < <(find "$CORE" -maxdepth 1 -name '*.[ch]' | sort)
if ((${#srcs[@]} > 10)); then
	pass "core sources found (${#srcs[@]} files)"
else
	fail "core sources found: only ${#srcs[@]} in $CORE"
fi

# The checks catch what they are for.
cat >"$TMP/planted.c" <<'C'
#include <stdio.h>
#include "nowhere.h"
#include <xdpath/bth.h>
static double half(int x) { return x / 2.0; }
int planted(int x) { usleep(1); return (int)half(x); }
C
b=$(bad_includes "$TMP/planted.c" | wc -l)
check "include check catches a libc header and a foreign one (found $b of 2)" test "$b" = 2
b=$(bad_calls "$TMP/planted.c" | wc -l)
check "call check catches floating point and sleeping (found $b of 2)" test "$b" = 2

# expect_none WHAT OUTPUT: PASS when the check printed nothing.
expect_none() {
	if [[ -z $2 ]]; then
		pass "$1"
	else
		fail "$1; found:"
		note "${2//$'\n'/; }"
	fi
}
expect_none "core includes only its own headers, the environment and <xdpath/...>" \
	"$(bad_includes "${srcs[@]}")"
expect_none "core names no threads, sleeping, floating point, libc allocation or printing" \
	"$(bad_calls "${srcs[@]}")"

# Compile as the library does, plus the kernel's constraints.
cc=${CC:-gcc}
if ! $cc -dM -E - </dev/null 2>/dev/null | grep -q __GNUC__ || $cc -dM -E - </dev/null | grep -q __clang__; then
	cc=gcc
fi
flags=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
	-D_GNU_SOURCE -mgeneral-regs-only -Wframe-larger-than=1024 -I"$XP_ROOT/include" -I"$CORE"
	-I"$XP_ROOT/user/lib")
if $cc "${flags[@]}" -c "$TMP/planted.c" -o /dev/null 2>/dev/null; then
	fail "compiler refuses floating point with -mgeneral-regs-only ($cc)"
else
	pass "compiler refuses floating point with -mgeneral-regs-only ($cc)"
fi
printf 'int big(int i) { volatile char b[4096]; b[i] = 1; return b[i / 2]; }\n' >"$TMP/stack.c"
if $cc "${flags[@]}" -c "$TMP/stack.c" -o /dev/null 2>/dev/null; then
	fail "compiler refuses a 4 KiB stack frame"
else
	pass "compiler refuses a 4 KiB stack frame"
fi
bad=()
for f in "${srcs[@]}"; do
	[[ $f == *.c ]] || continue
	if ! $cc "${flags[@]}" -c "$f" -o "$TMP/o.o" 2>"$TMP/err"; then
		bad+=("$(basename "$f"): $(grep -m1 -E 'error|warning' "$TMP/err")")
	fi
done
if ((${#bad[@]} == 0)); then
	pass "every core file compiles with general registers only and 1 KiB frames"
else
	fail "core files break the kernel's constraints:"
	for b in "${bad[@]}"; do note "$b"; done
fi

summary
