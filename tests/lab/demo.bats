#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# make demo (scripts/demo.sh): it runs the tour it promises, and leaves nothing
# behind, also when stopped with Ctrl-C halfway or when a step fails.
#
#   scripts/demo.sh --fast
#     lab "demo": ping ok --> XDP_PASS (ip link shows it): ping ok
#                 --> XDP_DROP: 100% loss
#                 --> counter: XDP_PASS counts the ping replies
#                 --> packet01: pings from inside, replies for 1 3 5 only;
#                     xdp_stats: XDP_DROP 3, XDP_PASS 3 --> unload --> teardown
#
# Run inside make test's tree, the demo runs where it is (XDP_TUTORIAL_TREE):
# clone.bats runs it on a clone of its own, as a student would.

load lab_helpers

setup_file() {
	require_isolation
	build "$TOP_DIR"
}

# Nothing of the demo's lab is left: no namespace, no veth, no state.
assert_nothing_left() {
	if [[ -n "$(ip netns list)" ]] || ip link show dev demo >/dev/null 2>&1 ||
		[[ -e /run/xdp-tutorial/testenv/demo.env ]]; then
		echo "left behind: netns [$(ip netns list)], $(ip -o link show type veth)"
		return 1
	fi
}

@test "demo: the tour passes, drops, counts, parses, and tears down" {
	run "$TOP_DIR/scripts/demo.sh" --fast
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	assert_demo_tour
	grep -q 'start with' <<<"$output"
	assert_nothing_left
}

@test "demo: Ctrl-C halfway leaves nothing behind" {
	local pid rc=0
	# A process group of its own (set -m), as a shell gives a command: Ctrl-C
	# sends SIGINT to the whole group. (A plain background job of a script
	# ignores SIGINT.)
	set -m
	timeout 60 "$TOP_DIR/scripts/demo.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	set +m
	# Wait (bounded) until the lab exists, then interrupt.
	wait_until 50 ip link show dev demo >/dev/null 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/out"; return 1; }
	kill -INT -- -"$pid"
	wait "$pid" || rc=$?
	# Stopped by the Ctrl-C, before its end.
	[[ $rc -eq 130 ]] || { echo "exit status $rc, expected 130:"; cat "$BATS_TEST_TMPDIR/out"; return 1; }
	! grep -q 'That was lessons' "$BATS_TEST_TMPDIR/out" || { cat "$BATS_TEST_TMPDIR/out"; return 1; }
	assert_nothing_left
}

@test "demo: Ctrl-C during packet01's step leaves nothing behind" {
	local pid rc=0
	set -m
	timeout 60 "$TOP_DIR/scripts/demo.sh" --fast >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	set +m
	# Wait (bounded) until packet01's program runs and its map is pinned.
	wait_until 300 test -e /sys/fs/bpf/demo/xdp_stats_map ||
		{ cat "$BATS_TEST_TMPDIR/out"; return 1; }
	kill -INT -- -"$pid"
	wait "$pid" || rc=$?
	[[ $rc -eq 130 ]] || { echo "exit status $rc, expected 130:"; cat "$BATS_TEST_TMPDIR/out"; return 1; }
	grep -q "xdp_parser_func" "$BATS_TEST_TMPDIR/out" || { cat "$BATS_TEST_TMPDIR/out"; return 1; }
	assert_nothing_left
	[ ! -e /sys/fs/bpf/demo ] || { ls -R /sys/fs/bpf; return 1; }
}

@test "demo: a step that fails stops it with one line that names the step, and the lab goes" {
	local bin
	# A ping that fails, in place of the real one.
	bin=$(make_path "$BATS_TEST_TMPDIR/bin" ping)
	printf '#!/bin/sh\necho "ping: sendmsg: Operation not permitted" >&2\nexit 1\n' >"$bin/ping"
	chmod +x "$bin/ping"
	run env PATH="$bin" "$TOP_DIR/scripts/demo.sh" --fast
	assert_status 1
	assert_one_error "the demo stopped at 't ping -- -c 2 -i 0.2' (exit status 1): removed the lab"
	assert_nothing_left
}

@test "demo: --help, and an unknown option is refused in one line" {
	run "$TOP_DIR/scripts/demo.sh" --help
	[ "$status" -eq 0 ]
	grep -q 'Usage: scripts/demo.sh' <<<"$output"
	run "$TOP_DIR/scripts/demo.sh" --bogus
	[ "$status" -eq 2 ]
	[ "$output" = "error: unknown option '--bogus' (see --help)" ]
}
