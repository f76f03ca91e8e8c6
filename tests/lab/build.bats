#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The build (common/common.mk, common/libbpf.mk), on a copy of a lesson in a
# temporary directory so the tree itself is never touched:
#
#   lesson copy --make--> quiet kbuild lines ("  CLANG   x.bpf.o"), V=1 full commands
#   edit a header ---> what includes it is rebuilt, nothing else
#   no clang / old clang / bad LIBBPF_SRC / empty submodule ---> one error line
#   tree copy --make at the top--> each line names its lesson; nothing to do: silence
#   make check A=one ---> one error line in make's terms, nothing built

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	# Run as `make test` does, these makes would inherit the outer make's
	# level and flags ("make[1]: ..."): start each from scratch.
	unset MAKELEVEL MAKEFLAGS MFLAGS
	WORK=$(mktemp -d)
	# A tree of its own: common/ and headers/ copied, one lesson beside them.
	cp -r "$TOP_DIR/common" "$TOP_DIR/headers" "$WORK/"
	mkdir "$WORK/lesson"
	cp "$TOP_DIR/basic04-pinning-maps/Makefile" "$TOP_DIR"/basic04-pinning-maps/*.c "$WORK/lesson/"
	LESSON="$WORK/lesson"
}

teardown() {
	rm -rf "$WORK"
}

# A fake clang on PATH that reports the given version and does nothing else.
fake_clang() {
	mkdir -p "$WORK/bin"
	# shellcheck disable=SC2016 # $1 belongs to the fake clang
	printf '#!/bin/sh\n[ "$1" = -dumpversion ] && echo %s\nexit 0\n' "$1" >"$WORK/bin/clang"
	chmod +x "$WORK/bin/clang"
}

@test "build: quiet kbuild-style lines, and every object and program made" {
	run make -C "$LESSON" --no-print-directory
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -qx '  CLANG   xdp_prog.bpf.o' <<<"$output"
	grep -qx '  CC      xdp_loader.o' <<<"$output"
	grep -qx '  LINK    xdp_stats' <<<"$output"
	# No full compiler command lines without V=1.
	if grep -q -- '-target bpf' <<<"$output"; then echo "$output"; return 1; fi
	output=$(readelf -h "$LESSON/xdp_prog.bpf.o")
	grep -q 'Machine: *Linux BPF' <<<"$output"
	[ -x "$LESSON/xdp_loader" ] && [ -x "$LESSON/xdp_stats" ] && [ -x "$LESSON/xdp_link_pin" ]
}

@test "build: V=1 shows the full commands, with the multiarch include directory" {
	run make -C "$LESSON" --no-print-directory V=1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -q -- 'clang -target bpf -O2 -g' <<<"$output"
	# The directory that holds asm/types.h on Debian/Ubuntu is searched.
	grep -q -- "-idirafter /usr/include/$(gcc -dumpmachine)" <<<"$output"
}

@test "build: a second make does nothing; editing a shared header rebuilds what includes it" {
	make -s -C "$LESSON" >/dev/null
	run make -C "$LESSON" --no-print-directory
	[ "$output" = "make: Nothing to be done for 'all'." ] || { echo "$output"; return 1; }
	sleep 1 # a newer timestamp than the objects
	touch "$WORK/headers/xdp_stats_kern.h"
	run make -C "$LESSON" --no-print-directory
	grep -qx '  CLANG   xdp_prog.bpf.o' <<<"$output"
	# User space does not include that header: it is not rebuilt.
	if grep -q 'LINK' <<<"$output"; then echo "$output"; return 1; fi
	touch "$WORK/headers/xdp_stats_kern_user.h"
	run make -C "$LESSON" --no-print-directory
	grep -qx '  CLANG   xdp_prog.bpf.o' <<<"$output"
	grep -qx '  LINK    xdp_stats' <<<"$output"
}

@test "build: without clang, one line names the package to install" {
	run make -C "$LESSON" --no-print-directory CLANG=/nonexistent/clang
	[ "$status" -ne 0 ]
	grep -q 'clang not found: install it with .make deps. (Debian/Ubuntu package: clang)' <<<"$output"
	[ "$(grep -c 'clang' <<<"$output")" -eq 1 ] || { echo "$output"; return 1; }
}

@test "build: a clang older than the minimum is refused in one line" {
	fake_clang 9.0.1
	run make -C "$LESSON" --no-print-directory CLANG="$WORK/bin/clang"
	[ "$status" -ne 0 ]
	grep -q 'clang 9 is too old: clang >= 11 is needed' <<<"$output" || { echo "$output"; return 1; }
}

@test "build: LIBBPF_SRC that is no libbpf tree is refused in one line" {
	mkdir "$WORK/not-libbpf"
	run make -C "$LESSON" --no-print-directory LIBBPF_SRC="$WORK/not-libbpf"
	[ "$status" -ne 0 ]
	grep -q "is not a libbpf source tree" <<<"$output" || { echo "$output"; return 1; }
	[ ! -e "$LESSON/xdp_loader" ]
}

@test "build: no system libbpf and an empty submodule: says how to initialise it" {
	mkdir "$WORK/libbpf"
	# PKG_CONFIG_LIBDIR pointing at nothing hides the system libbpf.
	run env PKG_CONFIG_LIBDIR=/nonexistent make -C "$LESSON" --no-print-directory
	[ "$status" -ne 0 ]
	grep -q "git submodule update --init libbpf" <<<"$output" || { echo "$output"; return 1; }
}

# A tree of its own in $WORK/tree: the top-level Makefile, common/, headers/
# and the lesson basic04-pinning-maps.
make_tree() {
	mkdir -p "$WORK/tree/basic04-pinning-maps"
	cp -r "$TOP_DIR/Makefile" "$WORK/common" "$WORK/headers" "$WORK/tree/"
	cp "$LESSON"/* "$WORK/tree/basic04-pinning-maps/"
}

@test "build: make at the top names the lesson on each line, and says nothing with nothing to do" {
	make_tree
	run make -C "$WORK/tree" --no-print-directory
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	grep -qx '  CLANG   basic04-pinning-maps/xdp_prog.bpf.o' <<<"$output" || { echo "$output"; return 1; }
	grep -qx '  LINK    basic04-pinning-maps/xdp_stats' <<<"$output" || { echo "$output"; return 1; }
	run make -C "$WORK/tree" --no-print-directory
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "a make with nothing to do said: $output"; return 1; }
}

@test "build: make check A=one says in make's terms what A takes, before building anything" {
	cp "$TOP_DIR/basic04-pinning-maps/check.sh" "$LESSON/"
	run make -C "$LESSON" --no-print-directory check A=one
	[ "$status" -eq 2 ] || { echo "$output"; return 1; }
	[ "${lines[0]}" = "error: A=one is not an assignment number: make check A=N runs assignment N of this lesson (1 2); make check runs them all" ] ||
		{ echo "$output"; return 1; }
	[ ! -e "$LESSON/xdp_loader" ]
}

@test "build: a libbpf installed after the top-level make started is used (as make test does)" {
	# make test installs libbpf-dev and then builds (tests/run.sh, through
	# tests/lib/pristine.sh). The top-level make read common/libbpf.mk before
	# the install; the build must look again rather than inherit the fallback
	# to the (empty) submodule. A fake pkg-config finds no libbpf on its first
	# call only.
	make_tree
	mkdir -p "$WORK/tree/scripts" "$WORK/tree/tests/lib" "$WORK/bin"
	# make test's own steps: deps.sh does nothing here, and tests/run.sh
	# only builds, as the real one does first (no .git: here, in place).
	printf '#!/bin/sh\nexit 0\n' >"$WORK/tree/scripts/deps.sh"
	# shellcheck disable=SC2016 # expanded by the fake tests/run.sh
	printf '#!/bin/sh\nexec "$(dirname "$0")/lib/pristine.sh" true\n' >"$WORK/tree/tests/run.sh"
	cp "$TOP_DIR/tests/lib/pristine.sh" "$WORK/tree/tests/lib/"
	chmod +x "$WORK/tree/scripts/deps.sh" "$WORK/tree/tests/run.sh"
	cat >"$WORK/bin/pkg-config" <<-EOF
		#!/bin/sh
		[ -e "$WORK/pkg-config-ran" ] || { touch "$WORK/pkg-config-ran"; exit 1; }
		exec "$(command -v pkg-config)" "\$@"
	EOF
	chmod +x "$WORK/bin/pkg-config"
	run env -u XDP_TUTORIAL_TREE PATH="$WORK/bin:$PATH" make -C "$WORK/tree" --no-print-directory test
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -e "$WORK/pkg-config-ran" ]
	[ -x "$WORK/tree/basic04-pinning-maps/xdp_loader" ]
	# Linked against the system libbpf, not a static one from the submodule.
	output=$(readelf -d "$WORK/tree/basic04-pinning-maps/xdp_loader")
	grep -q 'NEEDED.*libbpf\.so' <<<"$output"
}

