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
	# User space does not include that header: it is not rebuilt, but for
	# xdp_link_pin, which carries the object in its skeleton.
	grep -qx '  SKEL    xdp_prog.skel.h' <<<"$output"
	if grep -v 'xdp_link_pin' <<<"$output" | grep -q 'LINK'; then echo "$output"; return 1; fi
	grep -qx '  LINK    xdp_link_pin' <<<"$output"
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

@test "build: make test installs what is missing before any make builds" {
	# make test runs scripts/deps.sh --ensure, and only then tests/run.sh,
	# whose make (tests/lib/pristine.sh) builds. Here the fake deps.sh
	# "installs" libbpf: the fake pkg-config finds it only from then on. A
	# build started before the install would fall back to the (empty)
	# submodule and fail; one after it links against the system libbpf.
	make_tree
	mkdir -p "$WORK/tree/scripts" "$WORK/tree/tests/lib" "$WORK/bin"
	printf '#!/bin/sh\ntouch "%s/installed"\n' "$WORK" >"$WORK/tree/scripts/deps.sh"
	# shellcheck disable=SC2016 # expanded by the fake tests/run.sh
	printf '#!/bin/sh\nexec "$(dirname "$0")/lib/pristine.sh" true\n' >"$WORK/tree/tests/run.sh"
	cp "$TOP_DIR/tests/lib/pristine.sh" "$WORK/tree/tests/lib/"
	chmod +x "$WORK/tree/scripts/deps.sh" "$WORK/tree/tests/run.sh"
	cat >"$WORK/bin/pkg-config" <<-EOF
		#!/bin/sh
		[ -e "$WORK/installed" ] || exit 1
		exec "$(command -v pkg-config)" "\$@"
	EOF
	chmod +x "$WORK/bin/pkg-config"
	run env -u XDP_TUTORIAL_TREE PATH="$WORK/bin:$PATH" make -C "$WORK/tree" --no-print-directory test
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -x "$WORK/tree/basic04-pinning-maps/xdp_loader" ]
	# Linked against the system libbpf, not a static one from the submodule.
	output=$(readelf -d "$WORK/tree/basic04-pinning-maps/xdp_loader")
	grep -q 'NEEDED.*libbpf\.so' <<<"$output"
}

@test "build: the top-level make chooses libbpf once and hands the choice to every lesson" {
	# Two lessons; a pkg-config that logs every question. Only the top-level
	# make asks whether the system has a libbpf >= 1.0: were each lesson to
	# ask again, a libbpf installed or removed halfway through a build would
	# give lessons of one build different libbpfs.
	make_tree
	cp -r "$WORK/tree/basic04-pinning-maps" "$WORK/tree/basic05-copy"
	mkdir -p "$WORK/bin"
	cat >"$WORK/bin/pkg-config" <<-EOF
		#!/bin/sh
		echo "\$*" >>"$WORK/pkg-config.log"
		exec "$(command -v pkg-config)" "\$@"
	EOF
	chmod +x "$WORK/bin/pkg-config"
	run env PATH="$WORK/bin:$PATH" make -C "$WORK/tree" --no-print-directory
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run grep -c -- '--atleast-version' "$WORK/pkg-config.log"
	[ "$output" -eq 1 ] || { echo "pkg-config asked $output times:"; cat "$WORK/pkg-config.log"; return 1; }
	output=$(readelf -d "$WORK/tree/basic05-copy/xdp_loader")
	grep -q 'NEEDED.*libbpf\.so' <<<"$output"
}

@test "build: CC is gcc by default, and the user's CC is used, on the command line or in the environment" {
	# A compiler of the user's: gcc under another name, that says when it runs.
	mkdir -p "$WORK/bin"
	printf '#!/bin/sh\necho "mycc ran" >>"%s/mycc.log"\nexec gcc "$@"\n' "$WORK" >"$WORK/bin/mycc"
	chmod +x "$WORK/bin/mycc"
	# make's own default for CC is cc: a plain CC ?= gcc would keep it.
	run make -C "$LESSON" --no-print-directory -n all
	grep -q '^gcc .*-c xdp_loader.c' <<<"$output" || { echo "$output"; return 1; }
	run make -C "$LESSON" --no-print-directory CC="$WORK/bin/mycc"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -s "$WORK/mycc.log" ] || { echo "make CC=... did not use that compiler"; return 1; }
	make -s -C "$LESSON" clean >/dev/null
	rm "$WORK/mycc.log"
	run env CC="$WORK/bin/mycc" make -C "$LESSON" --no-print-directory
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -s "$WORK/mycc.log" ] || { echo "CC in the environment was not used"; return 1; }
}

@test "build: a recipe that fails leaves no half-written object behind" {
	# A clang that writes part of its output and then fails, as one killed
	# or out of disk space would. The object must not survive to be taken as
	# up to date by the next make.
	mkdir -p "$WORK/bin"
	cat >"$WORK/bin/clang" <<-'EOF'
		#!/bin/sh
		case "$1" in -dumpversion) echo 14.0.6; exit 0 ;; -v) exit 0 ;; esac
		while [ $# -gt 1 ]; do [ "$1" = -o ] && echo partial >"$2"; shift; done
		exit 1
	EOF
	chmod +x "$WORK/bin/clang"
	run make -C "$LESSON" --no-print-directory CLANG="$WORK/bin/clang" xdp_prog.bpf.o
	[ "$status" -ne 0 ] || { echo "$output"; return 1; }
	[ ! -e "$LESSON/xdp_prog.bpf.o" ] || { echo "$output"; echo "xdp_prog.bpf.o was left behind"; return 1; }
}

# Every file under DIR, with its size and time, one a line.
snapshot() { # DIR
	find "$1" -printf '%p %s %T@\n' | sort
}

@test "build: reading the Makefiles writes nothing (make help, make -n)" {
	make_tree
	local before
	before=$(snapshot "$WORK")
	run make -C "$WORK/tree" --no-print-directory help
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run make -C "$WORK/tree" --no-print-directory -n
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run make -C "$WORK/tree/basic04-pinning-maps" --no-print-directory -n
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run diff <(echo "$before") <(snapshot "$WORK")
	[ "$status" -eq 0 ] || { echo "files written: $output"; return 1; }
}
