# SPDX-License-Identifier: GPL-2.0
#
# Which libbpf to build against.
#
# 1. Default: the system libbpf, when pkg-config finds version >= 1.0.
# 2. Otherwise, or when LIBBPF_SRC=DIR is given: a libbpf source tree (the
#    libbpf/ submodule by default), built statically into build/libbpf-NAME/.
#
# Sets LIBBPF_CFLAGS and LIBBPF_LDLIBS for user programs, LIBBPF_BPF_CFLAGS for
# BPF programs, and LIBBPF_DEP: what every object depends on (the static
# library when built from source, and a file that changes when the choice does).
#
# The choice is made once, by the make the user started: the top-level
# Makefile hands it to each lesson's make as LIBBPF_FROM=system|source (with
# LIBBPF_SRC), so that all lessons of one build use the same libbpf and none
# asks pkg-config again. A fresh make decides afresh: make test installs what
# is missing first, and only then starts the make that builds.

LIBBPF_MK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
LIBBPF_TOP := $(abspath $(LIBBPF_MK_DIR)/..)
LIBBPF_MIN_VERSION := 1.0
# The rules below must not become the default goal of the file including this one.
LIBBPF_SAVED_GOAL := $(.DEFAULT_GOAL)

ifeq ($(V),1)
LIBBPF_Q :=
LIBBPF_QUIET :=
else
LIBBPF_Q := @
LIBBPF_QUIET := -s >/dev/null
endif

LIBBPF_SRC_GIVEN := $(LIBBPF_SRC)

ifeq ($(LIBBPF_FROM),)
ifneq ($(LIBBPF_SRC),)
LIBBPF_FROM := source
else ifeq ($(shell pkg-config --atleast-version=$(LIBBPF_MIN_VERSION) libbpf 2>/dev/null && echo yes),yes)
LIBBPF_FROM := system
else
LIBBPF_FROM := source
endif
endif

ifeq ($(LIBBPF_FROM),system)
LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf)
LIBBPF_LDLIBS := $(shell pkg-config --libs libbpf)
LIBBPF_BPF_CFLAGS :=
LIBBPF_DEP :=
LIBBPF_CHOICE := system libbpf $(shell pkg-config --modversion libbpf)
else ifeq ($(LIBBPF_SRC),)
LIBBPF_SRC := $(LIBBPF_TOP)/libbpf
endif

ifeq ($(LIBBPF_FROM),source)
# A relative LIBBPF_SRC names a directory relative to where make was started.
# Lessons are built by sub-makes in their own directories, so hand them the
# absolute path (through the environment) instead of the command-line value.
override LIBBPF_SRC := $(abspath $(LIBBPF_SRC))
ifneq ($(LIBBPF_SRC_GIVEN),)
MAKEOVERRIDES := $(filter-out LIBBPF_SRC=%,$(MAKEOVERRIDES))
export LIBBPF_SRC
endif
# One build directory per source tree (by its real path), so switching trees
# never mixes objects. LIBBPF_BUILD_DIR puts it elsewhere: make test's copy of
# the lessons (tests/lib/pristine.sh) reuses the libbpf this tree has built.
LIBBPF_BUILD_DIR ?= $(LIBBPF_TOP)/build
LIBBPF_OUT := $(LIBBPF_BUILD_DIR)/libbpf-$(shell printf '%s' '$(or $(realpath $(LIBBPF_SRC)),$(LIBBPF_SRC))' | cksum | cut -d' ' -f1)
LIBBPF_A := $(LIBBPF_OUT)/lib/libbpf.a
# The tree's own UAPI headers (linux/bpf.h, btf.h, bpf_common.h) are installed
# beside its libbpf headers: they match its libbpf.h, are usually newer than the
# distribution's, and the loaders and the BPF programs then see the same ones.
LIBBPF_CFLAGS := -I$(LIBBPF_OUT)/include
LIBBPF_LDLIBS := $(LIBBPF_A) -lelf -lz
LIBBPF_BPF_CFLAGS := -I$(LIBBPF_OUT)/include
LIBBPF_DEP := $(LIBBPF_A)
LIBBPF_CHOICE := libbpf source tree $(LIBBPF_SRC)

# Rebuilt when the tree changes (a submodule update, an edited source file).
$(LIBBPF_A): $(wildcard $(LIBBPF_SRC)/src/*.[ch] $(LIBBPF_SRC)/src/Makefile)
	@if [ ! -f '$(LIBBPF_SRC)/src/Makefile' ]; then \
		if [ '$(LIBBPF_SRC)' = '$(LIBBPF_TOP)/libbpf' ]; then \
			echo "error: no libbpf >= $(LIBBPF_MIN_VERSION) on this system (pkg-config found none) and libbpf/ is empty: run 'git submodule update --init libbpf', or install libbpf-dev and pkg-config ('sudo make deps'), or give a libbpf source tree with 'make LIBBPF_SRC=DIR'" >&2; \
		else \
			echo "error: LIBBPF_SRC=$(LIBBPF_SRC) is not a libbpf source tree (it has no src/Makefile)" >&2; \
		fi; exit 1; fi
	@printf '  %-7s %s\n' LIBBPF '$(LIBBPF_SRC) -> $(LIBBPF_OUT)'
	$(LIBBPF_Q)mkdir -p $(LIBBPF_OUT)/obj
	$(LIBBPF_Q)$(MAKE) -C '$(LIBBPF_SRC)/src' BUILD_STATIC_ONLY=1 \
		OBJDIR=$(LIBBPF_OUT)/obj DESTDIR= PREFIX=$(LIBBPF_OUT) \
		LIBDIR=$(LIBBPF_OUT)/lib INCLUDEDIR=$(LIBBPF_OUT)/include \
		UAPIDIR=$(LIBBPF_OUT)/include \
		install install_uapi_headers $(LIBBPF_QUIET)
	$(LIBBPF_Q)touch $@
endif

# What a sub-make needs to use the same libbpf: the top-level Makefile puts it
# on the command line of each lesson's make.
LIBBPF_HANDOFF := LIBBPF_FROM=$(LIBBPF_FROM) LIBBPF_SRC='$(LIBBPF_SRC)'

# Switching between the system libbpf and a source tree (or between trees)
# must rebuild the lessons: every object depends on this file, which is
# rewritten only when the choice differs from what it holds. Written by a
# recipe, never while parsing (no $(shell) that writes): make help or make -n
# must leave the tree as it was. The new content goes to a temporary file
# renamed into place, so that lessons built in parallel never see half a file.
LIBBPF_CHOICE_FILE := $(LIBBPF_TOP)/build/libbpf-choice
ifneq ($(file <$(LIBBPF_CHOICE_FILE)),$(LIBBPF_CHOICE))
$(LIBBPF_CHOICE_FILE): libbpf-choice-force
endif
$(LIBBPF_CHOICE_FILE):
	@mkdir -p '$(dir $@)'
	@printf '%s\n' '$(LIBBPF_CHOICE)' >'$@.tmp.$$$$' && \
		if cmp -s '$@.tmp.$$$$' '$@'; then rm -f '$@.tmp.$$$$'; \
		else mv -f '$@.tmp.$$$$' '$@'; fi
LIBBPF_DEP += $(LIBBPF_CHOICE_FILE)

.PHONY: libbpf libbpf-choice-force
libbpf: $(LIBBPF_DEP)

.DEFAULT_GOAL := $(LIBBPF_SAVED_GOAL)
