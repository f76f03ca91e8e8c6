# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154 # status, output: set by bats' run
#
# Helpers shared by the lab tests (tests/lab/*.bats, each does `load lab_helpers`).
#
# The assert_* helpers check the last `run` (its status and output) or what is
# attached to a device. When the check fails they print what they expected and
# what they saw, and return 1, which fails the test; they change nothing.
# Helpers that take an optional DEV default to $DEV, the interface the test file
# attaches its XDP programs to (for a testenv lab: its outer end, named as the lab).

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
TESTENV=$TOP_DIR/testenv/testenv.sh
# xdp_prog_id, xdp_prog_name, xdp_mode, xdp_link_of, inside_address: what the
# kernel says, from ip -j and bpftool -j (shared with the lessons' checks).
# shellcheck source=tests/lib/xdp_state.bash
source "$TOP_DIR/tests/lib/xdp_state.bash"

# ---- the isolation guard ------------------------------------------------------

# For setup_file: fail unless run as root inside the test isolation, which
# tests/lib/isolate.sh (and tests/run.sh through it) marks with
# XDP_TUTORIAL_ISOLATED=1. The labs make namespaces, veth pairs, pins and
# state under /run: only there are they private, and gone when the run ends.
require_isolation() {
	if [[ $EUID -ne 0 ]]; then
		echo "the lab tests need root" >&2
		return 1
	fi
	if [[ ${XDP_TUTORIAL_ISOLATED:-} != 1 ]]; then
		echo "run these tests isolated: tests/lib/isolate.sh bats --tap $BATS_TEST_FILENAME" >&2
		return 1
	fi
}

# ---- bounds in time ---------------------------------------------------------------

# Every program a test runs has a bound in time, so that a program that never
# returns (a stats loop that should have refused to start, say) fails its test
# instead of hanging the run. BOUND is far above what any of them takes.
BOUND=30

# Run COMMAND (a program, not a shell function) for at most BOUND seconds, then
# stop it as Ctrl-C would (SIGINT), and kill it if it is still there 5 s later.
# A command stopped so exits 124.
bounded() { # COMMAND...
	timeout -s INT -k 5 "$BOUND" "$@"
}

# ---- building, labs, users ------------------------------------------------------

# Build each lesson DIR with make, quietly (make's errors still show).
build() { # DIR...
	local dir
	for dir in "$@"; do
		make -s -C "$dir" >/dev/null
	done
}

# testenv.sh, as the lessons' `t` alias runs it (within BOUND seconds).
t() {
	bounded "$TESTENV" "$@"
}

# Make the testenv lab NAME (for setup_file); fail if testenv fails.
setup_lab() { # NAME
	"$TESTENV" setup --name "$1" >/dev/null
}

# Remove the testenv lab NAME if it is there (for teardown_file); never fails.
remove_lab() { # NAME
	"$TESTENV" teardown --name "$1" >/dev/null 2>&1 || true
}

# Run COMMAND as user nobody (uid and gid 65534, no supplementary groups),
# within BOUND seconds.
as_nobody() { # COMMAND...
	bounded setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# Make DIR a directory (readable by anyone) of links to every command on PATH
# but the NAMEs, to run something with as PATH; print DIR. As for the shell,
# the first command of a name on PATH is the one linked.
make_path() { # DIR [NAME...]
	local dir=$1 bindir name dirs
	shift
	mkdir -p "$dir"
	chmod 755 "$dir"
	IFS=: read -ra dirs <<<"$PATH"
	for bindir in "${dirs[@]}"; do
		# cp -s makes the links in one go; -n keeps the first of a name.
		if [[ -d $bindir ]]; then
			cp -sn "$bindir"/* "$dir/" 2>/dev/null || true
		fi
	done
	for name in "$@"; do
		rm -f "$dir/$name"
	done
	echo "$dir"
}

# ---- waiting ------------------------------------------------------------------

# Run COMMAND until it succeeds, at most TRIES times 0.1 s apart; return 1 if
# it never does.
wait_until() { # TRIES COMMAND...
	local tries=$1
	shift
	while ((tries-- > 0)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# ---- what is attached to a device ---------------------------------------------

# The id of the XDP program attached to DEV ("" if none).
attached_id() { # [DEV]
	xdp_prog_id "${1:-$DEV}"
}

# Take any XDP program off DEV, native or generic, also one that a pinned
# bpf_link holds (hold_with_link's: its pins go); for teardown, never fails.
detach_xdp() { # [DEV]
	local dev=${1:-$DEV}
	if [[ -n "$(xdp_link_of "$dev" 2>/dev/null)" ]]; then
		rm -rf "/sys/fs/bpf/$dev"
		wait_until 20 nothing_on "$dev" || true
	fi
	ip link set dev "$dev" xdp off 2>/dev/null || true
	ip link set dev "$dev" xdpgeneric off 2>/dev/null || true
}

# Whether DEV has no XDP program (a released link detaches a moment later).
nothing_on() { # DEV
	[[ -z "$(xdp_prog_id "$1" 2>/dev/null)" ]]
}

# ---- a program held by a bpf_link ---------------------------------------------

# Attach basic04's xdp_pass_func to DEV through a bpf_link pinned at
# /sys/fs/bpf/DEV/xdp_link (basic04's xdp_link_pin, built from its skeleton):
# a program that neither --force nor --unload can take away. Prints the
# program's id. detach_xdp removes it again.
hold_with_link() { # DEV
	build "$TOP_DIR/basic04-pinning-maps"
	bounded "$TOP_DIR/basic04-pinning-maps/xdp_link_pin" --dev "$1" -q
	xdp_prog_id "$1"
}

# Assert that the last run was refused because a bpf_link holds DEV's
# program: one error with the kernel's own reason (libbpf passes it on), and a
# hint that names the link and the rm of its pin, not --force.
assert_refused_by_link() { # DEV
	assert_failed
	assert_one_error "$1 (ifindex "
	assert_output_matches_e "^error: .* \\(the kernel says: (Can't replace active BPF XDP link|Native and generic XDP can't be active at the same time)\\)\$"
	assert_output_matches_e "^hint: a bpf_link \(id [0-9]+\) holds the XDP program on $1, and neither --force nor --unload can take it away: remove the link's pin with 'rm /sys/fs/bpf/$1/xdp_link'\$"
}

# ---- not root -------------------------------------------------------------------

# `run` COMMAND as user nobody, from a copy of FILEs in a directory anyone can
# read (the checkout may be closed to nobody: under /root, say); the copy is
# removed afterwards.
run_as_nobody() { # FILE... -- COMMAND...
	local dir files=()
	while [[ $1 != -- ]]; do
		files+=("$1")
		shift
	done
	shift
	dir=$(mktemp -d /tmp/nobody.XXXXXX)
	cp "${files[@]}" "$dir"
	chmod -R a+rX "$dir"
	pushd "$dir" >/dev/null || return 1
	run as_nobody "$@"
	popd >/dev/null || return 1
	rm -rf "$dir"
}

# Assert that the last run refused, in one line, for want of root.
assert_needs_root() { # PROGRAM
	assert_failed
	assert_one_error "$1 needs root (or the capabilities CAP_BPF"
	local lines
	lines=$(grep -c . <<<"$output")
	[[ $lines -eq 1 ]] || { echo "expected one line, saw $lines:"; echo "$output"; return 1; }
}

# Assert that ip link shows no XDP program attached to DEV.
assert_nothing_attached() { # [DEV]
	local dev=${1:-$DEV} id
	id=$(attached_id "$dev")
	if [[ -n "$id" ]]; then
		echo "expected no XDP program on $dev, found id $id"
		return 1
	fi
}

# ---- what the loaders say --------------------------------------------------------

# The lines with which every lesson's loader reports an attach and a detach,
# in one wording (grep -E): 'Attached XDP program NAME (id N) to DEV (ifindex N)'
# and 'Detached XDP program id N from DEV (ifindex N)'. Each lesson may add to
# the attach line (a mode, a link); basic01's starter leaves the id out.
attached_line() { # NAME DEV
	printf "^Attached XDP program '%s' \\(id [0-9]+\\) to %s \\(ifindex [0-9]+\\)" "$1" "$2"
}

detached_line() { # ID DEV
	printf '^Detached XDP program id %s from %s \\(ifindex [0-9]+\\)$' "$1" "$2"
}

# Assert that a line of the last run's output matches the regular expression
# RE (grep -E).
assert_output_matches_e() { # RE
	if ! grep -q -E -- "$1" <<<"$output"; then
		echo "expected a line of the output to match '$1', saw:"
		echo "$output"
		return 1
	fi
}

# ---- the last run: its exit status and output -----------------------------------

# Assert that the last run exited with status N.
assert_status() { # N
	if [[ "$status" -ne "$1" ]]; then
		echo "expected exit $1, saw $status with output:"
		echo "$output"
		return 1
	fi
}

# Assert that the last run exited 0.
assert_ok() {
	assert_status 0
}

# Assert that the last run exited non-zero.
assert_failed() {
	if [[ "$status" -eq 0 ]]; then
		echo "expected a non-zero exit, saw 0 with output:"
		echo "$output"
		return 1
	fi
}

# Assert that the output of the last run holds exactly one line starting with
# "error:", and that this line contains TEXT.
assert_one_error() { # TEXT
	local errors
	errors=$(grep -c '^error:' <<<"$output" || true)
	if [[ "$errors" -ne 1 ]]; then
		echo "expected exactly one 'error:' line, saw $errors in:"
		echo "$output"
		return 1
	fi
	if [[ "$(grep '^error:' <<<"$output")" != *"$1"* ]]; then
		echo "expected the error line to mention '$1', saw:"
		echo "$output"
		return 1
	fi
}

# Assert that a line of the output of the last run contains TEXT (as is).
assert_output_has() { # TEXT
	if ! grep -q -F -- "$1" <<<"$output"; then
		echo "expected the output to contain '$1', saw:"
		echo "$output"
		return 1
	fi
}

# Assert that a line of the output of the last run matches REGEX (grep's basic
# regular expressions: ^ anchors it at a line's start).
assert_output_matches() { # REGEX
	if ! grep -q -- "$1" <<<"$output"; then
		echo "expected a line of the output to match '$1', saw:"
		echo "$output"
		return 1
	fi
}

# ---- a command in the background ---------------------------------------------

# Start COMMAND in the background, its stdout and stderr in the file OUT, for at
# most SECONDS: then timeout sends it SIGINT, as Ctrl-C would. BG_PID is the
# pid of timeout, which passes on the signals it gets; BG_OUT is OUT.
start_bg() { # OUT SECONDS COMMAND...
	BG_OUT=$1
	local secs=$2
	shift 2
	timeout -s INT "$secs" "$@" >"$BG_OUT" 2>&1 &
	BG_PID=$!
}

# Assert that the background command is still running, then send it SIGNAL
# (default INT, as Ctrl-C does) and assert that it exits 0. On failure, print
# its output.
assert_stops_cleanly() { # [SIGNAL]
	local sig=${1:-INT} rc=0
	if ! kill -"$sig" "$BG_PID"; then
		echo "the background command had ended before SIG$sig:"
		cat "$BG_OUT"
		return 1
	fi
	wait "$BG_PID" || rc=$?
	BG_PID=""
	if [[ $rc -ne 0 ]]; then
		echo "the background command exited $rc after SIG$sig:"
		cat "$BG_OUT"
		return 1
	fi
}

# Stop the background command, if one is left, with SIGNAL (default TERM) and
# wait for it, whatever its state and exit status (for teardown, and for
# readers whose exit status does not matter); never fails.
stop_bg() { # [SIGNAL]
	if [[ -n ${BG_PID:-} ]]; then
		kill -"${1:-TERM}" "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
		BG_PID=""
	fi
}

# The tour of make demo in $output, as it must be: pings pass, are dropped,
# counted (3 XDP_PASS), then packet01 answers only the odd sequence numbers
# and xdp_stats shows 3 dropped, 3 passed. demo.bats and clone.bats use it.
assert_demo_tour() {
	local losses basics packet seqs counted
	# Ping statistics in order: no program, XDP_PASS, XDP_DROP, packet01's half.
	mapfile -t losses < <(grep -o '[0-9]*% packet loss' <<<"$output")
	[ "${losses[*]}" = "0% packet loss 0% packet loss 100% packet loss 50% packet loss" ] ||
		{ echo "ping losses: ${losses[*]}"; return 1; }
	basics=$(sed '/==> packet01:/,$d' <<<"$output")
	packet=$(sed -n '/==> packet01:/,$p' <<<"$output")
	grep -q "Attached XDP program 'xdp_drop_func'" <<<"$output"
	# After the first attach, ip link shows the program on the lab.
	grep -q -E '^    prog/xdp id [0-9]+ name xdp_pass ' <<<"$output" ||
		{ echo "no prog/xdp line for xdp_pass:"; echo "$output"; return 1; }
	# The counter saw the 3 ping replies (and nothing else: the lab is quiet).
	counted=$(awk '$1 == "XDP_PASS" { n += $2 } END { print n + 0 }' <<<"$basics")
	[ "$counted" -eq 3 ] || { echo "XDP_PASS counted $counted, expected 3"; echo "$output"; return 1; }
	# packet01: replies to the odd requests only, and the verdicts in the map.
	grep -q "Attached XDP program 'xdp_parser_func'" <<<"$packet"
	seqs=$(grep -o 'icmp_seq=[0-9]*' <<<"$packet" | tr '\n' ' ')
	[ "$seqs" = "icmp_seq=1 icmp_seq=3 icmp_seq=5 " ] || { echo "replies: $seqs"; echo "$output"; return 1; }
	grep -q -E '^XDP_DROP .* total 3 pkts ' <<<"$packet" || { echo "$output"; return 1; }
	grep -q -E '^XDP_PASS .* total 3 pkts ' <<<"$packet" || { echo "$output"; return 1; }
	grep -q 'Removed the pin /sys/fs/bpf/demo/xdp_stats_map' <<<"$packet"
}
