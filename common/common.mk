# SPDX-License-Identifier: GPL-2.0
#
# Build rules shared by every lesson. A lesson's Makefile names what it builds
# and includes this file:
#
#   BPF_OBJS   := xdp_prog.bpf.o      # built from xdp_prog.bpf.c with clang -target bpf
#   USER_PROGS := xdp_loader          # built from xdp_loader.c, linked with common/ and libbpf
#   COMMON_DIR ?= ../common
#   include $(COMMON_DIR)/common.mk
#
# Optional: SKELETONS (BPF objects to generate a libbpf skeleton of: SKELETONS :=
# xdp_prog makes $(OBJ_DIR)/xdp_prog.skel.h from xdp_prog.bpf.o with
# `bpftool gen skeleton`; a loader includes "xdp_prog.skel.h"),
# USER_EXTRA_SRCS (more .c files linked into every user program),
# LESSON_DIR (a directory whose sources stand in for files missing here; the
# reference solutions use it to hold only the files they change), V=1 for the
# full commands, SANITIZE=1 to build the user programs with AddressSanitizer
# (LeakSanitizer included) and UndefinedBehaviorSanitizer, WERROR=1 to make
# every compiler warning an error (CI does both).

COMMON_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
TOP_DIR := $(abspath $(COMMON_DIR)/..)
HEADERS_DIR := $(TOP_DIR)/headers
OBJ_DIR := .build

include $(COMMON_DIR)/libbpf.mk

CLANG ?= clang
# gcc unless the user names another compiler (make CC=clang, or CC in the
# environment). A plain `CC ?= gcc` would never apply: make defines CC itself
# (as cc, origin "default"), and without it under make -R.
ifneq ($(filter default undefined,$(origin CC)),)
CC := gcc
endif
CLANG_MIN_MAJOR := 11

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-7s %s\n' "$(1)" "$(BUILD_PREFIX)$(2)";
endif

# Fail early, in one line, when clang is missing or too old for BTF-defined maps.
CLANG_MAJOR := $(shell $(CLANG) -dumpversion 2>/dev/null | cut -d. -f1)
ifeq ($(CLANG_MAJOR),)
$(error clang not found: install it with 'make deps' (Debian/Ubuntu package: clang))
endif
ifeq ($(shell [ $(CLANG_MAJOR) -ge $(CLANG_MIN_MAJOR) ] && echo ok),)
$(error clang $(CLANG_MAJOR) is too old: clang >= $(CLANG_MIN_MAJOR) is needed for BTF-defined maps (install a newer 'clang' package))
endif

# With -target bpf, clang does not search the multiarch directories that hold
# asm/types.h on Debian/Ubuntu (the classic "asm/types.h not found" error).
# Ask the host compiler where it looks and append those directories.
BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

ifdef LESSON_DIR
# Only sources come from the lesson: its built objects and programs must not
# stand in for the ones this directory builds.
vpath %.c $(LESSON_DIR)
vpath %.h $(LESSON_DIR)
LESSON_INCLUDES := -I$(LESSON_DIR)
endif

# SANITIZE=1: a memory error, a leak at exit or undefined behaviour ends the
# program with a report and a non-zero exit (no recovery: a test sees it).
# Only the user programs: BPF code has the verifier. Not alignment: the test
# harness and the fuzzer read and write headers in frames the way the kernel
# and BPF programs do, an IPv4 header at offset 14 (x86 and arm64 load such
# words at any address; the decoders that must be exact compare bytes).
ifeq ($(SANITIZE),1)
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize=alignment \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
ifneq ($(shell printf 'int main(void){return 0;}' | \
	$(CC) $(SANITIZE_FLAGS) -x c - -o /dev/null 2>/dev/null && echo ok),ok)
$(error SANITIZE=1: $(CC) cannot link -fsanitize=address,undefined: install the sanitizer runtimes with 'make deps' (Debian: libasan8 libubsan1 for gcc, libclang-rt-dev for clang))
endif
else ifneq ($(SANITIZE),)
$(error SANITIZE=$(SANITIZE): use SANITIZE=1, or leave it out)
endif
ifeq ($(WERROR),1)
WERROR_FLAGS := -Werror
endif

BPF_CFLAGS := -target bpf -O2 -g -Wall -Wno-unused-value -Wno-compare-distinct-pointer-types \
	$(WERROR_FLAGS) -I. $(LESSON_INCLUDES) -I$(HEADERS_DIR) $(LIBBPF_BPF_CFLAGS) \
	$(BPF_SYS_INCLUDES) $(EXTRA_BPF_CFLAGS)
USER_CFLAGS := -O2 -g -Wall -Wextra -Wno-unused-parameter $(WERROR_FLAGS) $(SANITIZE_FLAGS) \
	-I. -I$(OBJ_DIR) $(LESSON_INCLUDES) -I$(COMMON_DIR) -I$(HEADERS_DIR) $(LIBBPF_CFLAGS) \
	$(EXTRA_CFLAGS)
USER_LDFLAGS := $(SANITIZE_FLAGS)
USER_LDLIBS := $(LIBBPF_LDLIBS) $(EXTRA_LDLIBS)

# Switching SANITIZE or WERROR (or the compiler) must rebuild everything: every
# object depends on this file, rewritten only when the flags differ from what
# it holds (as common/libbpf.mk does for the libbpf choice).
BUILD_FLAGS := $(CC) $(CLANG) $(USER_CFLAGS) $(USER_LDFLAGS) $(BPF_CFLAGS)
BUILD_FLAGS_FILE := $(OBJ_DIR)/build-flags
ifneq ($(file <$(BUILD_FLAGS_FILE)),$(BUILD_FLAGS))
$(BUILD_FLAGS_FILE): build-flags-force
endif
$(BUILD_FLAGS_FILE): | $(OBJ_DIR)/common
	@printf '%s\n' '$(BUILD_FLAGS)' >'$@.tmp.$$$$' && mv -f '$@.tmp.$$$$' '$@'
.PHONY: build-flags-force

COMMON_SRCS := $(wildcard $(COMMON_DIR)/*.c)
COMMON_OBJS := $(patsubst $(COMMON_DIR)/%.c,$(OBJ_DIR)/common/%.o,$(COMMON_SRCS))
USER_EXTRA_OBJS := $(patsubst %.c,$(OBJ_DIR)/%.o,$(USER_EXTRA_SRCS))

# A recipe that fails (a compiler killed, a disk full) may leave a partial
# object behind, newer than its sources: make would take it as up to date.
.DELETE_ON_ERROR:

.DEFAULT_GOAL := all
.PHONY: all clean check check-arg
all: $(BPF_OBJS) $(USER_PROGS)

# Assignment checks (needs root): `make check` runs them all, `make check A=N` one.
# In a solution directory, the checks are those of the lesson it solves.
check: check-arg all
	@$(TOP_DIR)/tests/lib/check.sh --lesson $(if $(LESSON_DIR),$(LESSON_DIR),.) --code . $(A)

# A is a number, said in make's terms before anything is built (check.sh would
# answer in its own: "see --help").
CHECK_ASSIGNMENTS = $(shell sed -n 's/^ASSIGNMENTS=(\(.*\))/\1/p' $(if $(LESSON_DIR),$(LESSON_DIR),.)/check.sh 2>/dev/null)
check-arg:
	@case '$(A)' in *[!0-9]*) echo "error: A=$(A) is not an assignment number: make check A=N runs assignment N of this lesson$(if $(CHECK_ASSIGNMENTS), ($(CHECK_ASSIGNMENTS))); make check runs them all" >&2; exit 2 ;; esac

%.bpf.o: %.bpf.c $(BUILD_FLAGS_FILE)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(OBJ_DIR)/$@.d -c $< -o $@

$(OBJ_DIR)/common/%.o: $(COMMON_DIR)/%.c $(LIBBPF_DEP) $(BUILD_FLAGS_FILE)
	$(call msg,CC,$(notdir $@))
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ_DIR)/%.o: %.c $(LIBBPF_DEP) $(BUILD_FLAGS_FILE)
	$(call msg,CC,$(notdir $@))
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

# A skeleton is a header that embeds the BPF object and names its programs
# and maps: generated here, in the build directory, from the object as built,
# and never committed. Every user program of the lesson may include it.
BPFTOOL ?= bpftool
SKEL_HEADERS := $(SKELETONS:%=$(OBJ_DIR)/%.skel.h)
$(OBJ_DIR)/%.skel.h: %.bpf.o
	$(call msg,SKEL,$(notdir $@))
	$(Q)command -v $(BPFTOOL) >/dev/null || { echo "error: $(BPFTOOL) not found: it generates $(notdir $@); install it with 'make deps' (Debian/Ubuntu package: bpftool)" >&2; exit 1; }
	$(Q)$(BPFTOOL) gen skeleton $< name $* >$@
# Made before any user object is compiled; after that, the compiler's
# dependency files name the objects that include a skeleton, and only those
# are rebuilt when it changes.
$(USER_PROGS:%=$(OBJ_DIR)/%.o) $(USER_EXTRA_OBJS): | $(SKEL_HEADERS)

$(USER_PROGS): %: $(OBJ_DIR)/%.o $(USER_EXTRA_OBJS) $(COMMON_OBJS) $(LIBBPF_DEP) $(BUILD_FLAGS_FILE)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(USER_LDFLAGS) -o $@ $(filter %.o,$^) $(USER_LDLIBS)

# Object directories exist before anything is written into them.
$(BPF_OBJS) $(COMMON_OBJS) $(USER_EXTRA_OBJS) $(USER_PROGS:%=$(OBJ_DIR)/%.o) $(SKEL_HEADERS): | $(OBJ_DIR)/common
$(OBJ_DIR)/common:
	$(Q)mkdir -p $@

clean::
	$(call msg,CLEAN,$(notdir $(CURDIR)))
	$(Q)rm -rf $(OBJ_DIR) $(BPF_OBJS) $(USER_PROGS) $(EXTRA_CLEAN)

-include $(wildcard $(OBJ_DIR)/*.d $(OBJ_DIR)/common/*.d)
