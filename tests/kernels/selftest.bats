#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the kernel matrix itself (tests/kernels/run.sh): that it says no in
# one line to what it cannot do, that a guest whose tests fail or that never
# finishes is a failure of the matrix, and that nothing is left running after
# a timeout or Ctrl-C. They boot the 6.1 kernel that make test-kernels has
# already fetched, so run them after it (CI does):
#
#   bats tests/kernels/selftest.bats
#
#   run.sh --qemu--> guest: tests/run.sh ARGS --> status file --> summary line

# shellcheck disable=SC2154 # status, output, lines: set by bats' run
bats_require_minimum_version 1.5.0

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
RUN=$TOP_DIR/tests/kernels/run.sh

setup() {
	[[ $EUID -eq 0 ]] || skip "needs root"
	unset FULL TESTS GUEST_TIMEOUT KERNEL_CMDLINE
	export KERNELS=6.1
}

teardown() {
	pkill -f 'qemu-system-x86_64 .*build/kernels/' 2>/dev/null || true
}

# Nothing of a run is left: no qemu, no console reader, no work directory.
assert_nothing_left() {
	local left
	left=$(pgrep -af "qemu-system-x86_64 .*$TOP_DIR/build/kernels/|tail -n \+1 .*$TOP_DIR/build/kernels/" || true)
	[[ -z $left ]] || { echo "still running: $left" >&2; return 1; }
	left=$(find "$TOP_DIR/build/kernels" -maxdepth 1 -name '.run.*' 2>/dev/null)
	[[ -z $left ]] || { echo "work directories left: $left" >&2; return 1; }
}

@test "kernel matrix: a bad kernel name or timeout is refused in one line" {
	run --separate-stderr env KERNELS="six" "$RUN"
	[ "$status" -eq 1 ]
	[[ ${#stderr_lines[@]} -eq 1 && $stderr == *"'six' is neither a kernel series"* ]]
	run --separate-stderr env GUEST_TIMEOUT=soon "$RUN"
	[ "$status" -eq 1 ]
	[[ $stderr == *"GUEST_TIMEOUT must be a number of seconds"* ]]
	run --separate-stderr env KERNELS="9.99" "$RUN"
	[ "$status" -eq 1 ]
	[[ $stderr == *"no Debian kernel package of series 9.99"* ]]
	assert_nothing_left
}

@test "kernel matrix: a guest whose tests cannot run makes the matrix fail, with its lines" {
	run env TESTS="lab-that-does-not-exist" "$RUN"
	[ "$status" -ne 0 ]
	[[ $output == *"[6.1] error: unknown layer 'lab-that-does-not-exist'"* ]]
	[[ $output == *"6.1 (linux-image-6.1."*"did not finish"* ]]
	[[ ${lines[-1]} == "0 passed, 1 failed, 0 skipped" ]]
	assert_nothing_left
}

@test "kernel matrix: a guest that runs out of time is stopped, and counts as a failure" {
	run env GUEST_TIMEOUT=4 "$RUN"
	[ "$status" -ne 0 ]
	[[ $output == *"the guest was stopped after 4s"* ]]
	[[ ${lines[-1]} == "0 passed, 1 failed, 0 skipped" ]]
	assert_nothing_left
}

@test "kernel matrix: Ctrl-C stops the guest at once and leaves nothing behind" {
	local out=$BATS_TEST_TMPDIR/out pid
	# A process group of its own, as a terminal's Ctrl-C reaches; and SIGINT
	# not ignored, as it is for a job started with & from a script.
	setsid env --default-signal=INT "$RUN" >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		pgrep -f "qemu-system-x86_64 .*$TOP_DIR/build/kernels/" >/dev/null && break
		sleep 0.2
	done
	pgrep -f "qemu-system-x86_64 .*$TOP_DIR/build/kernels/" >/dev/null ||
		{ cat "$out" >&2; return 1; }
	kill -INT -- -"$pid"
	local rc=0
	timeout 20 tail --pid="$pid" -f /dev/null || rc=$?
	[ "$rc" -eq 0 ] || { echo "run.sh still running 20 s after Ctrl-C" >&2; return 1; }
	grep -q 'interrupted: stopping the guest' "$out" || { cat "$out" >&2; return 1; }
	assert_nothing_left
}
