#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# make demo (scripts/demo.sh): it runs the tour it promises, and leaves nothing
# behind, also when stopped with Ctrl-C halfway.
#
#   scripts/demo.sh --fast
#     lab "demo": ping ok --> XDP_PASS: ping ok --> XDP_DROP: 100% loss
#                 --> counter: XDP_PASS counts the ping replies --> teardown

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

@test "demo: the tour passes, drops, counts, and tears down" {
	run "$TOP_DIR/scripts/demo.sh" --fast
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# Ping statistics in order: no program, XDP_PASS, XDP_DROP.
	mapfile -t losses < <(grep -o '[0-9]*% packet loss' <<<"$output")
	[ "${losses[*]}" = "0% packet loss 0% packet loss 100% packet loss" ] ||
		{ echo "ping losses: ${losses[*]}"; return 1; }
	grep -q "Attached XDP program 'xdp_drop_func'" <<<"$output"
	# The counter saw the 3 ping replies (and nothing else: the lab is quiet).
	counted=$(awk '$1 == "XDP_PASS" { n += $2 } END { print n + 0 }' <<<"$output")
	[ "$counted" -eq 3 ] || { echo "XDP_PASS counted $counted, expected 3"; echo "$output"; return 1; }
	grep -q 'start with' <<<"$output"
	assert_nothing_left
}

@test "demo: Ctrl-C halfway leaves nothing behind" {
	"$TOP_DIR/scripts/demo.sh" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	# Wait (bounded) until the lab exists, then interrupt.
	for _ in $(seq 50); do
		ip link show dev demo >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip link show dev demo >/dev/null 2>&1 || { cat "$BATS_TEST_TMPDIR/out"; return 1; }
	kill -INT "$pid"
	wait "$pid" || true
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
