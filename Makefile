# SPDX-License-Identifier: GPL-2.0
#
# xdpath top-level build.
#
#   make            build BPF objects, skeletons, the library, tools and tests
#   make deps       install the Debian packages the build and tests need
#   make check      every test (unit and BPF tests with ASan+UBSan, then netns tests,
#                   then the VM tests on Debian's 6.1, 6.12 and newest kernels)
#   make kmod       build kmod/* against Debian's headers (KVER=6.1|6.12|newest|<version>;
#                   default all three series) into build/kmod/<version>/
#   make vm-test    only the VM tests (tests/vm, see docs/testing.md)
#   make vm-test-newest  xp_nvdimm's and xpcache's VM suites on the newest kernel
#   make vm-test-storage the storage chain over iSER (tests/vm/test_iser.sh, docs/storage.md)
#   make demo       RoCEv2 steering on a built-in veth test bed
#   make bench      benchmarks (ours against in-kernel references)
#   make bench-rdma RDMA benchmarks: xdpath against kernel rxe in two guests, and on veth
#   make bench-writecache  the xpcache target against dm-writecache in a guest (fio)
#   make bench-rxe  the xp_rxe kernel device against rdma_rxe, perftest in two guests
#   make vmlinux    regenerate vmlinux.h from the running kernel's BTF
#   make SANITIZE=1 build with AddressSanitizer and UBSan into build/san
#   make fuzzers    the libFuzzer harnesses (tests/fuzz) into build/fuzz/fuzz
#   make fuzz       run every harness long (XP_FUZZ_RUNS executions, default 10 M)
#   make V=1        show the commands
#
# Everything is built under $(BUILD); the source tree stays clean.

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ifeq ($(SANITIZE),1)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(FUZZ),1)
# libFuzzer harnesses (tests/fuzz): everything instrumented for coverage,
# ASan and UBSan; only the harnesses link libFuzzer's main.
BUILD ?= build/fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all
else ifeq ($(FUZZ),fast)
# The same harnesses for throughput in long campaigns: edge coverage and
# UBSan only, without ASan and comparison tracing (4x the executions per
# second of fuzz_rc_pair). Replay what they find under FUZZ=1.
BUILD ?= build/fuzz-fast
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,undefined -fno-sanitize-coverage=trace-cmp \
	     -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS :=
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -D_GNU_SOURCE $(SAN_FLAGS)
# The transport core (core/roce) is host-neutral: libxdpath builds it with
# the user-space environment, kmod/ with the kernel's. The library's layers
# (user/lib/*/) each keep their public headers next to their sources.
CORE_DIRS := core/roce
LIB_DIRS := user/lib $(patsubst %/,%,$(sort $(dir $(wildcard user/lib/*/*.c user/lib/*/*.h))))
CPPFLAGS += -Iinclude $(addprefix -I,$(CORE_DIRS) $(LIB_DIRS)) -Itests/lib -I$(BUILD)/include -MMD -MP
LDFLAGS += $(SAN_FLAGS)
LDLIBS += $(shell $(PKG_CONFIG) --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf) -lelf -lz -lpthread -lm

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror -Iinclude -Ibpf -I.

# Sources: adding a file never needs a Makefile edit.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/include/%.skel.h,$(BPF_SRCS))
BPF_HDRS := $(wildcard bpf/lib/*.h include/xdpath/*.h)

CORE_SRCS := $(wildcard $(addsuffix /*.c,$(CORE_DIRS)))
LIB_SRCS := $(CORE_SRCS) $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
LIB := $(BUILD)/lib/libxdpath.a

TOOL_SRCS := $(wildcard user/tools/*.c)
TOOLS := $(patsubst user/tools/%.c,$(BUILD)/bin/%,$(TOOL_SRCS))
# Helpers the tools share (user/tools/lib): linked into every tool.
TOOL_LIB_SRCS := $(wildcard user/tools/lib/*.c)
TOOL_LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TOOL_LIB_SRCS))

LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LOADER_SRCS))
XPCTL := $(if $(LOADER_SRCS),$(BUILD)/bin/xpctl)

TEST_LIB_SRCS := $(wildcard tests/lib/*.c)
TEST_LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_LIB_SRCS))
TEST_SRCS := $(wildcard tests/unit/*.c tests/bpf/*.c tests/net/*.c tests/interop/*.c)
TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRCS))

FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))

ALL_OBJS := $(LIB_OBJS) $(LOADER_OBJS) $(TEST_LIB_OBJS) $(TOOL_LIB_OBJS) \
	    $(patsubst %.c,$(BUILD)/obj/%.o,$(TOOL_SRCS) $(TEST_SRCS) $(FUZZ_SRCS))

.PHONY: all bpf lib tools tests fuzzers fuzz check demo bench bench-rdma bench-writecache bench-rxe deps vmlinux clean format kmod vm-test vm-test-newest vm-test-storage
.DEFAULT_GOAL := all
# Keep objects that only pattern rules mention (tests, tools).
.SECONDARY:

all: bpf lib tools $(XPCTL) tests

bpf: $(BPF_OBJS) $(SKELS)
lib: $(LIB)
tools: $(TOOLS)
tests: $(TESTS)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/include/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

# Every C object may include a skeleton: generate them first.
$(BUILD)/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The core's rules (core/roce/xp_env.h): no floating point (GCC refuses it
# with general registers only) and at most 1 KiB of stack per function
# (checked where sanitizers do not grow the frames).
CC_IS_GCC := $(shell $(CC) -dM -E - </dev/null 2>/dev/null | grep -q __clang__ || echo 1)
CORE_CFLAGS := $(if $(CC_IS_GCC),-mgeneral-regs-only) \
	       $(if $(SAN_FLAGS),,-Wframe-larger-than=1024)
$(patsubst %.c,$(BUILD)/obj/%.o,$(CORE_SRCS)): CFLAGS += $(CORE_CFLAGS)

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/user/tools/%.o $(TOOL_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/xpctl: $(LOADER_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(TEST_LIB_OBJS) $(TOOL_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The harnesses exist only in the FUZZ=1 (or fast) build; make fuzzers
# does that.
ifneq ($(filter 1 fast,$(FUZZ)),)
fuzzers: $(FUZZERS)

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(TEST_LIB_OBJS) $(TOOL_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@
else
fuzzers:
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzzers
endif

# Every harness for a long run (XP_FUZZ_RUNS executions each, default 10 M);
# make FUZZ=fast fuzz runs the fast build.
fuzz: deps fuzzers
	$(Q)XP_FUZZ_RUNS=$${XP_FUZZ_RUNS:-10000000} \
	    $(if $(filter fast,$(FUZZ)),XP_FUZZ_BIN=$(abspath $(BUILD))/fuzz) tests/fuzz/run.sh

deps:
	$(Q)scripts/deps.sh

# Unit and BPF tests run from the sanitizer build; the netns tests use the
# normal build (ASan's shadow memory and AF_XDP's pinned umem do not mix well
# with the 8 MiB memlock limit of some sandboxes).
# The builds of make check use every CPU (JOBS) unless make was given -j.
JOBS ?= $(shell nproc)
CHECK_MAKE = $(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS))

check: deps
	$(Q)$(CHECK_MAKE) all
	$(Q)$(CHECK_MAKE) SANITIZE=1 tests
	$(Q)$(CHECK_MAKE) FUZZ=1 fuzzers
	$(Q)$(MAKE) --no-print-directory kmod
	$(Q)tests/run.sh

# Kernel modules build against Debian's headers, fetched by the VM test bed.
kmod:
	$(Q)XP_BUILD=$(abspath $(BUILD)) kmod/build.sh $(KVER)

vm-test: deps kmod
	$(Q)tests/run.sh 'vm/*'

# The storage modules' suites on Debian's newest kernel (make check runs
# them on 6.1 and 6.12; on newest only kmod, the AF_XDP rules and zero-copy).
vm-test-newest: deps kmod
	$(Q)XP_VM_SERIES=newest tests/run.sh 'vm/test_@(nvdimm|writecache)'

# The storage chain over iSER, not in make check yet (docs/storage.md,
# section 4): XP_ISER_NVME=1 adds the NVMe-oF part.
vm-test-storage: deps kmod bpf
	$(Q)XP_ISER=1 tests/run.sh 'vm/test_iser'

demo: deps all
	$(Q)scripts/demo.sh

bench: deps all
	$(Q)bench/xdp-bench.sh

bench-rdma: deps all
	$(Q)bench/rdma-bench.sh

bench-writecache: deps kmod
	$(Q)XP_BUILD=$(abspath $(BUILD)) bench/writecache-bench.sh

bench-rxe: deps kmod bpf
	$(Q)XP_BUILD=$(abspath $(BUILD)) bench/rxe-bench.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^vmlinux.h$$')

clean:
	$(Q)rm -rf build

-include $(ALL_OBJS:.o=.d)
