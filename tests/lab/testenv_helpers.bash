# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # status, output, stderr, stderr_lines: set by bats' run
# Helpers for testenv.bats only: find what a lab left behind, capture traffic.
# Load lab_helpers first: these use its TOP_DIR, TESTENV and wait_until.

# shellcheck disable=SC2034 # used by testenv.bats
REDIRECT_OBJ=$TOP_DIR/testenv/xdp_redirect.bpf.o
STATE_DIR=/run/xdp-tutorial/testenv
BPFFS=/sys/fs/bpf
# The current lab of the user running the tests (each user has one).
CURRENT_FILE=$STATE_DIR/current.${SUDO_UID:-$EUID}

# Every lab name the tests use, so that cleanup finds them even without state.
LAB_NAMES=(lab1 lab2 test01 test02 test03)

# Tear down every lab a test made: those with state, and the leftovers of the
# names the tests use (only when something of them exists: each run costs time).
remove_all_labs() {
	local file name
	for file in "$STATE_DIR"/*.env; do
		[[ -f $file ]] || continue
		name=${file##*/}
		"$TESTENV" teardown -n "${name%.env}" >/dev/null 2>&1 || true
	done
	for name in "${LAB_NAMES[@]}"; do
		if [[ -e /run/netns/$name || -e /sys/class/net/$name || -e $BPFFS/$name ]]; then
			"$TESTENV" teardown -n "$name" >/dev/null 2>&1 || true
			rm -rf "${BPFFS:?}/$name"
		fi
	done
	for file in "$STATE_DIR"/*.router; do
		[[ -f $file ]] || continue
		name=${file##*/}
		"$TESTENV" router teardown -n "${name%.router}" >/dev/null 2>&1 || true
	done
	rm -rf /run/xdp-tutorial
}

# Fail, with what was found, when anything of lab NAME is left.
assert_no_trace() { # NAME
	local name=$1 left=()
	[[ -e /run/netns/$name ]] && left+=("netns /run/netns/$name")
	ip link show dev "$name" >/dev/null 2>&1 && left+=("link $name")
	[[ -e $BPFFS/$name ]] && left+=("pins $BPFFS/$name")
	[[ -e $STATE_DIR/$name.env ]] && left+=("state $STATE_DIR/$name.env")
	local file
	for file in "$STATE_DIR"/current.*; do
		[[ -f $file && $(cat "$file") == "$name" ]] && left+=("${file##*/} = $name")
	done
	if [[ ${#left[@]} -gt 0 ]]; then
		echo "left behind by $name: ${left[*]}" >&2
		return 1
	fi
}

# No lab at all: no namespace, no veth, no state file.
assert_no_labs() {
	local netns veths envs
	netns=$(ip netns list)
	veths=$(ip -o link show type veth)
	envs=$(ls "$STATE_DIR"/*.env 2>/dev/null || true)
	if [[ -n $netns || -n $veths || -n $envs ]]; then
		echo "left: netns [$netns] veth [$veths] state [$envs]" >&2
		return 1
	fi
}

# The standard failure: one line on stderr, starting "testenv: error:", containing
# TEXT, nothing on stdout, exit status 1. Call after run --separate-stderr.
assert_one_error_line() { # TEXT
	if [[ $status -ne 1 || ${#stderr_lines[@]} -ne 1 || -n $output ||
		${stderr_lines[0]:-} != "testenv: error: "* || ${stderr_lines[0]:-} != *"$1"* ]]; then
		printf 'expected exit 1 and one line "testenv: error: ...%s..."\n' "$1" >&2
		printf 'got exit %s, stdout [%s], stderr [%s]\n' "$status" "$output" "$stderr" >&2
		return 1
	fi
}

# In a directory made by make_path (lab_helpers): hide_tool makes TOOL missing,
# show_tool brings it back.
hide_tool() { # DIR TOOL
	mv "$1/$2" "$1/.hidden-$2"
}

show_tool() { # DIR TOOL
	mv "$1/.hidden-$2" "$1/$2"
}

# The number of frames an interface has received / sent (this namespace).
rx_packets() {
	cat "/sys/class/net/$1/statistics/rx_packets"
}

tx_packets() {
	cat "/sys/class/net/$1/statistics/tx_packets"
}

# Run a capture in the background (bounded by SECONDS) and wait until tcpdump
# is listening. Sets CAPTURE_PID; the capture writes OUT and OUT.err.
start_capture() { # OUT SECONDS COMMAND...
	local out=$1 secs=$2
	shift 2
	timeout "$secs" "$@" >"$out" 2>"$out.err" &
	CAPTURE_PID=$!
	wait_until 50 grep -qs 'listening on' "$out.err" && return 0
	echo "capture did not start: $(cat "$out.err")" >&2
	return 1
}

# Wait for the capture to end (it ends by itself after -c frames or its timeout).
wait_capture() {
	wait "$CAPTURE_PID" || true
}

# The XDP programs on DEV as "prog/xdp:NAME " words ("" for none), from ip -j.
xdp_progs() { # NS DEV ('' = this namespace)
	local out
	out=$(ip_link_json "$2" "$1")
	jq -r '.[0].xdp.attached[]? | "prog/xdp:\(.prog.name)"' <<<"$out" | tr '\n' ' '
}
