# SPDX-License-Identifier: GPL-2.0
# Top level: build every lesson, run the tests, prepare a machine.

LESSONS := $(patsubst %/,%,$(dir $(wildcard basic*-*/Makefile packet*-*/Makefile)))
SOLUTIONS := $(patsubst %/,%,$(dir $(wildcard *-solutions/*/Makefile)))
BUILD_DIRS := $(LESSONS) $(SOLUTIONS) $(patsubst %/,%,$(dir $(wildcard testenv/Makefile tests/*/Makefile)))
# bench/ is built as the lessons are, by its own name: `make bench` runs it.
BENCH_DIR := $(patsubst %/,%,$(dir $(wildcard bench/Makefile)))

include common/libbpf.mk
.DEFAULT_GOAL := all

.PHONY: all test test-kernels check demo bench bench-build fuzz deps deps-kernels lint clean help $(BUILD_DIRS)

all: $(BUILD_DIRS) $(if $(BENCH_DIR),bench-build)

# libbpf (when built from source) comes first, so lessons never race to build it.
# The libbpf chosen here is handed to every lesson (common/libbpf.mk).
# Each line names the lesson (BUILD_PREFIX); a lesson with nothing to do says nothing.
$(BUILD_DIRS): $(LIBBPF_DEP)
	@$(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) -C $@ BUILD_PREFIX=$@/ \
		$(LIBBPF_HANDOFF)

bench-build: $(LIBBPF_DEP)
	@$(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) -C bench BUILD_PREFIX=bench/ \
		$(LIBBPF_HANDOFF)

help:
	@echo 'make            build every lesson (and libbpf from source when the system has none >= 1.0)'
	@echo 'make test       install what is missing (as root), build, run every test (needs root),'
	@echo '                on the lessons as committed: your changes to them are left out'
	@echo 'make test-kernels  the tests on Debian 12 kernels 6.1 and 6.12, booted under qemu (needs root);'
	@echo '                KERNELS="6.1 6.12" to choose, FULL=1 for every layer (slow: see README)'
	@echo 'make check      run the assignment checks of every lesson on your code (needs root)'
	@echo '                in a lesson directory: make check, or make check A=N for one assignment'
	@echo 'make demo       a one-minute live tour of the first lessons on a lab (needs root)'
	@echo 'make bench      what XDP buys here: drop, forward, reply against Linux, ns/pkt of every lesson'
	@echo '                program; a table, a headline, JSON and a chart in bench/results (needs root;'
	@echo '                under 3 minutes); QUICK=1 runs each measurement once (see bench/README.org)'
	@echo 'make fuzz       fuzz the helpers of headers/ for a minute (needs root); FUZZ_SECONDS=S,'
	@echo '                FUZZ_FRAMES=N, FUZZ_SEED=N to choose (see tests/fuzz/README.org)'
	@echo 'make deps       install the packages building, the labs and the tests need'
	@echo 'make deps-kernels  install what make test-kernels needs (qemu, busybox-static, ...)'
	@echo 'make lint       shellcheck every shell script, clang-format check every C file'
	@echo 'make clean      remove everything the build made'
	@echo 'Options: V=1 shows full commands; LIBBPF_SRC=DIR builds against a libbpf source tree;'
	@echo '         SANITIZE=1 (all, test) builds the user programs with ASan, LSan and UBSan;'
	@echo '         WERROR=1 makes compiler warnings errors (CI);'
	@echo '         WORKTREE=1 (test, demo) takes the lessons as they are here; FAST=1 (demo) no pauses'

# tests/run.sh and scripts/demo.sh build what they run (tests/lib/pristine.sh).
test:
	@scripts/deps.sh --ensure
	@tests/run.sh $(if $(WORKTREE),--worktree)

test-kernels:
	@scripts/deps.sh --ensure
	@scripts/deps.sh --ensure matrix
	@tests/kernels/run.sh

check: all
	@rc=0; for l in $(LESSONS); do [ -f $$l/check.sh ] || continue; \
		echo "== $$l =="; $(MAKE) --no-print-directory -s -C $$l check $(LIBBPF_HANDOFF) || rc=1; done; exit $$rc

demo:
	@scripts/deps.sh --ensure
	@scripts/demo.sh $(if $(WORKTREE),--worktree) $(if $(FAST),--fast)

# The lessons' reference solutions are what the bench measures: build them all.
bench: all
	@scripts/deps.sh --ensure
	@bench/bench.sh $(if $(filter 1,$(QUICK)),--quick)

# Without FUZZ_SECONDS or FUZZ_FRAMES, the fuzzer runs for a minute.
fuzz: tests/fuzz
	@tests/fuzz/fuzz $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) \
		$(if $(FUZZ_FRAMES),--frames $(FUZZ_FRAMES)) $(if $(FUZZ_SECONDS),--seconds $(FUZZ_SECONDS))

deps:
	@scripts/deps.sh --install

deps-kernels:
	@scripts/deps.sh --install matrix

lint:
	@scripts/lint.sh

clean:
	@for d in $(BUILD_DIRS) $(BENCH_DIR); do $(MAKE) --no-print-directory -C $$d clean $(LIBBPF_HANDOFF); done
	@rm -rf build
