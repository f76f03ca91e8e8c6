# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # status, output, stderr, stderr_lines: set by bats' run
# Helpers for testenv.bats: run testenv, find what a lab left behind, capture traffic.

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TESTENV=$TOP_DIR/testenv/testenv.sh
# shellcheck disable=SC2034 # used by testenv.bats
REDIRECT_OBJ=$TOP_DIR/testenv/xdp_redirect.bpf.o
STATE_DIR=/run/xdp-tutorial/testenv
BPFFS=/sys/fs/bpf

# Every lab name the tests use, so that cleanup finds them even without state.
LAB_NAMES=(lab1 lab2 test01 test02 test03)

t() {
	"$TESTENV" "$@"
}

# The labs are made in the namespace the tests run in: refuse to run anywhere
# but in a private one (tests/run.sh and tests/lib/isolate.sh make it; a fresh
# namespace has only lo).
require_isolation() {
	local links
	[[ $EUID -eq 0 ]] || {
		echo "the testenv tests need root" >&2
		return 1
	}
	[[ ${XDP_TUTORIAL_ISOLATED:-} == 1 ]] && return 0
	links=$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
	[[ $links == "lo " ]] || {
		echo "run these tests isolated: tests/lib/isolate.sh bats $BATS_TEST_FILENAME" >&2
		return 1
	}
}

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
	rm -rf /run/xdp-tutorial
}

# Fail, with what was found, when anything of lab NAME is left.
assert_no_trace() { # NAME
	local name=$1 left=()
	[[ -e /run/netns/$name ]] && left+=("netns /run/netns/$name")
	ip link show dev "$name" >/dev/null 2>&1 && left+=("link $name")
	[[ -e $BPFFS/$name ]] && left+=("pins $BPFFS/$name")
	[[ -e $STATE_DIR/$name.env ]] && left+=("state $STATE_DIR/$name.env")
	[[ -f $STATE_DIR/current && $(cat "$STATE_DIR/current") == "$name" ]] &&
		left+=("current = $name")
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

# A directory of links to every command in /usr/bin and /usr/sbin, to use as
# PATH; hide_tool makes one of them missing, show_tool brings it back.
make_path() {
	local dir=$BATS_TEST_TMPDIR/path
	mkdir -p "$dir"
	ln -sf -t "$dir" /usr/bin/* /usr/sbin/* 2>/dev/null || true
	printf '%s' "$dir"
}

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
	local out=$1 secs=$2 i
	shift 2
	timeout "$secs" "$@" >"$out" 2>"$out.err" &
	CAPTURE_PID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$out.err" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "capture did not start: $(cat "$out.err")" >&2
	return 1
}

# Wait for the capture to end (it ends by itself after -c frames or its timeout).
wait_capture() {
	wait "$CAPTURE_PID" || true
}

# The XDP programs on DEV as "mode:name" words ("" for none), from ip link.
xdp_progs() { # NS DEV ('' = this namespace)
	local out
	if [[ -n $1 ]]; then
		out=$(ip -n "$1" -o link show dev "$2")
	else
		out=$(ip -o link show dev "$2")
	fi
	grep -o 'prog/xdp[a-z]* id [0-9]* name [^ ]*' <<<"$out" | awk '{print $1 ":" $5}' | tr '\n' ' '
}
