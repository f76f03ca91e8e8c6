#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/deps.sh: what it reports missing, what it tells a user who is not
# root, and the kernel file systems it mounts. No network and no packages are
# installed or removed here: a tool is made "missing" by running the script
# with a PATH that lacks it, a header by pointing DEPS_ROOT at an empty
# directory (and PKG_CONFIG_LIBDIR at nothing).
#
#   real PATH minus nc, clang --> deps.sh --check   --> "missing: netcat-openbsd", exit 1
#   same, as user nobody      --> deps.sh --ensure  --> one line: sudo make deps, exit 1
#   private mount ns, no bpffs --> deps.sh --kernel  --> bpffs and tracefs mounted

load lab_helpers

setup() {
	DEPS=$TOP_DIR/scripts/deps.sh
	# A directory that user nobody can read, holding a copy of the script and a
	# bin directory with every command of PATH except the ones a test hides.
	WORK=$(mktemp -d)
	chmod 755 "$WORK"
	cp "$DEPS" "$WORK/deps.sh"
	chmod 755 "$WORK/deps.sh"
}

teardown() {
	rm -rf "$WORK"
}

# A PATH of every command but NAME..., in $WORK/bin (readable by nobody). deps.sh
# adds the sbin directories itself, so only commands outside them can be hidden.
path_without() { # NAME...
	make_path "$WORK/bin" "$@"
}

@test "deps.sh --help describes every mode" {
	run "$DEPS" --help
	[ "$status" -eq 0 ]
	for mode in --check --ensure --install --kernel; do
		[[ "$output" == *"$mode"* ]] || { echo "no $mode in: $output"; return 1; }
	done
}

@test "deps.sh rejects an unknown option with usage, exit 2" {
	run "$DEPS" --frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option '--frobnicate'"* ]]
	[[ "$output" == *"Usage:"* ]]
}

@test "deps.sh --check: everything present on this machine, exit 0" {
	run "$DEPS" --check
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "All "*" requirements are present."* ]]
	[[ "$output" != *missing* ]]
}

@test "deps.sh --check: a PATH without nc and clang reports their packages, exit 1" {
	local path
	path=$(path_without nc clang)
	run env PATH="$path" DEPS_FAMILY=debian "$WORK/deps.sh" --check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing: netcat-openbsd "*"(command: nc)"* ]]
	[[ "$output" == *"missing: clang "* ]]
	[[ "$output" == *"2 of "*" requirements missing: run 'sudo make deps'"* ]]
	# Only those two: gcc, bats and the rest are still found.
	[ "$(grep -c '^missing:' <<<"$output")" -eq 2 ]
}

@test "deps.sh --check: missing headers are found by file, named per distribution" {
	mkdir "$WORK/root"
	run env DEPS_ROOT="$WORK/root" PKG_CONFIG_LIBDIR="$WORK/root" DEPS_FAMILY=debian \
		"$DEPS" --check
	echo "$output"
	[ "$status" -eq 1 ]
	for pkg in libbpf-dev libelf-dev zlib1g-dev libc6-dev linux-libc-dev; do
		[[ "$output" == *"missing: $pkg "* ]] || { echo "no $pkg"; return 1; }
	done

	# The same on Fedora, by Fedora's names.
	run env DEPS_ROOT="$WORK/root" PKG_CONFIG_LIBDIR="$WORK/root" DEPS_FAMILY=fedora \
		"$DEPS" --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"missing: elfutils-libelf-devel "* ]]
	[[ "$output" == *"missing: libbpf-devel "* ]]

	# And nothing is missing once the headers are there.
	mkdir -p "$WORK/root/usr/include/bpf" "$WORK/root/usr/include/linux"
	touch "$WORK/root/usr/include/"{stdio.h,gelf.h,zlib.h,bpf/libbpf.h,linux/if_ether.h}
	run env DEPS_ROOT="$WORK/root" PKG_CONFIG_LIBDIR="$WORK/root" "$DEPS" --check
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "deps.sh --ensure, not root, something missing: one line naming 'sudo make deps', exit 1" {
	local path
	path=$(path_without nc)
	run as_nobody env PATH="$path" "$WORK/deps.sh" --ensure
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"missing netcat-openbsd: run 'sudo make deps'"* ]]

	# --install says the same.
	run as_nobody env PATH="$path" "$WORK/deps.sh" --install
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"run 'sudo make deps'"* ]]
}

@test "deps.sh --ensure, not root, nothing missing: silent, exit 0" {
	run as_nobody "$WORK/deps.sh" --ensure
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "deps.sh --kernel mounts bpffs and tracefs where they are missing, then does nothing" {
	# A mount namespace of its own, so the suite's bpffs stays where it is.
	# shellcheck disable=SC2016 # expanded by the inner shell
	run unshare --mount --propagation private bash -c '
		is() { [ "$(stat -f -c %T "$2")" = "$1" ]; }
		while is bpf_fs /sys/fs/bpf; do umount /sys/fs/bpf || exit 9; done
		while is tracefs /sys/kernel/tracing; do umount /sys/kernel/tracing || exit 9; done
		"$1" --kernel || exit 10
		is bpf_fs /sys/fs/bpf || exit 11
		is tracefs /sys/kernel/tracing || exit 12
		echo "second run:"
		"$1" --kernel || exit 13' kernel-test "$DEPS"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Mounted bpffs at /sys/fs/bpf" ]
	[ "${lines[1]}" = "Mounted tracefs at /sys/kernel/tracing" ]
	[ "${lines[2]}" = "second run:" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "deps.sh --kernel, not root: says to run it as root, exit 1" {
	run as_nobody "$WORK/deps.sh" --kernel
	[ "$status" -eq 1 ]
	[[ "$output" == *"needs root"* ]]
}
