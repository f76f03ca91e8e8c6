#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a short live tour of the first lessons on a lab. It makes a lab,
# pings through an XDP_PASS program, swaps in XDP_DROP and shows ping failing,
# attaches the counter of basic03 and shows it count the pings, then runs
# packet01's parser, which drops the echo requests with an even sequence number.
#
# Usage: scripts/demo.sh [--fast] [--worktree]   (needs root)
#   --fast      no pauses between the steps
#   --worktree  run the lessons as they are here, local changes and all
#
# The demo runs the lessons as committed, built first: when you have changed a
# lesson, on a copy (tests/lib/pristine.sh says so). It runs in a private
# network and mount namespace (tests/lib/isolate.sh), so the lab is gone when
# it ends, also on Ctrl-C or a failure; every step has a bound in time.
set -Eeuo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAUSE=1.5
LAB=demo
# The bound of one step, in seconds: far above what a step takes.
STEP_BOUND=30

usage() {
	sed -n 's/^# \{0,1\}//; 4,10p' "${BASH_SOURCE[0]}"
}

worktree=()
fast=()
for arg in "$@"; do
	case "$arg" in
	-h | --help) usage; exit 0 ;;
	--fast) PAUSE=0 fast=(--fast) ;;
	--worktree) worktree=(--worktree) ;;
	*) echo "error: unknown option '$arg' (see --help)" >&2; exit 2 ;;
	esac
done

if [[ $EUID -ne 0 ]]; then
	echo "error: the demo loads BPF programs and makes a network namespace: run 'sudo make demo'" >&2
	exit 1
fi
if [[ -z "${XDP_TUTORIAL_TREE:-}" ]]; then
	exec "$TOP_DIR/tests/lib/pristine.sh" "${worktree[@]}" scripts/demo.sh "${fast[@]}"
fi
for f in basic01-xdp-pass/xdp_loader basic-solutions/basic02-prog-by-name/xdp_loader \
	basic03-map-counter/xdp_load_and_stats packet-solutions/packet01-parsing/xdp_loader \
	packet-solutions/packet01-parsing/xdp_stats; do
	if [[ ! -x "$TOP_DIR/$f" ]]; then
		echo "error: $f is not built: run 'make' at the top first (or 'make demo')" >&2
		exit 1
	fi
done
if [[ "${XDP_TUTORIAL_ISOLATED:-}" != 1 ]]; then
	exec "$TOP_DIR/tests/lib/isolate.sh" "${BASH_SOURCE[0]}" "${fast[@]}"
fi

t() {
	timeout "$STEP_BOUND" "$TOP_DIR/testenv/testenv.sh" "$@"
}

say() {
	printf '\n\033[1m==> %s\033[0m\n' "$*"
	sleep "$PAUSE"
}

# Show a command, then run it for at most STEP_BOUND seconds.
show() {
	STEP="$*"
	printf '$ %s\n' "$*"
	if [[ $(type -t "$1") == function ]]; then
		"$@"
	else
		timeout "$STEP_BOUND" "$@"
	fi
}

# Show a command that runs until Ctrl-C (t or a program), and press Ctrl-C
# after SECONDS: that is its end, not a failure.
show_for() { # SECONDS COMMAND...
	local seconds=$1 rc=0
	shift
	STEP="$*"
	printf '$ %s   (Ctrl-C after %ss)\n' "$*" "$seconds"
	if [[ $1 == t ]]; then
		set -- "$TOP_DIR/testenv/testenv.sh" "${@:2}"
	fi
	timeout -s INT "$seconds" "$@" || rc=$?
	[[ $rc -eq 124 ]] || return "$rc"
}

# A step that fails stops the demo, with one line that names it; the EXIT
# trap then removes the lab.
STEP=""
on_error() { # STATUS
	local how="exit status $1"
	[[ $1 -eq 124 ]] && how="no answer within $STEP_BOUND s"
	echo "error: the demo stopped at '$STEP' ($how): removed the lab; 'make test' tells more" >&2
}

cleanup() {
	t teardown --name "$LAB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'on_error $?' ERR
trap 'exit 130' INT TERM

say "Make a lab: a network namespace '$LAB' joined to this one by a veth pair."
show t setup --name "$LAB"

say "Ping the inside of the lab from outside: no XDP program yet."
show t ping -- -c 2 -i 0.2

cd "$TOP_DIR/basic01-xdp-pass"
say "basic01: attach the smallest XDP program, which returns XDP_PASS for every frame."
show ./xdp_loader --dev "$LAB"
say "ip link shows it: 'xdp' (native mode) after the MTU, and the program on the last line."
show ip link show dev "$LAB"
say "The replies to our pings cross that program on their way in: it lets them pass."
show t ping -- -c 2 -i 0.2

# basic02's starter loader ignores --progname until its first assignment is
# done, so the demo uses the finished one.
cd "$TOP_DIR/basic-solutions/basic02-prog-by-name"
say "basic02: replace it (--force) with the program named xdp_drop_func, which returns XDP_DROP."
show ./xdp_loader --dev "$LAB" --progname xdp_drop_func --force
say "Now every reply is dropped in the driver, before the kernel sees it: ping gets nothing back."
show t ping -- -c 2 -i 0.2 || true

cd "$TOP_DIR/basic03-map-counter"
say "basic03: attach a program that counts what it passes in a BPF map, and read the map every second."
STEP="./xdp_load_and_stats --dev $LAB --force --interval 1"
timeout -s INT "$STEP_BOUND" ./xdp_load_and_stats --dev "$LAB" --force --interval 1 &
stats_pid=$!
sleep 1.5
say "Send 3 pings. Each line counts the replies of its second: 3 in all, none once the pings stop."
show t ping -- -c 3 -i 0.3 >/dev/null
sleep 2.2
kill -INT "$stats_pid" 2>/dev/null || true
wait "$stats_pid" 2>/dev/null || true

# packet01's starter is refused by the verifier until its first assignment is
# done (the lesson starts there), so the demo runs the reference solution.
cd "$TOP_DIR/packet-solutions/packet01-parsing"
say "packet01: a parser that drops the ping requests with an even sequence number, counting its verdicts."
show t load
outside=$(ip -6 -o addr show dev "$LAB" scope global)
outside=${outside#* inet6 }
outside=${outside%%/*}
say "Ping the outside from inside the lab, 6 times: replies come for icmp_seq 1, 3 and 5 only."
show t exec -- ping -c 6 -i 0.2 -W 1 "$outside" || true
say "basic04's xdp_stats reads the pinned map of verdicts: 3 dropped, 3 passed."
show_for 1.5 t stats -- --interval 1
show t unload

say "Tear the lab down: namespace, veth pair and program go with it."
show t teardown --name "$LAB"
trap - EXIT

cat <<'EOF'

That was lessons basic01 to basic03, and packet01, in a minute. To do it
yourself, start with basic01-xdp-pass/README.org; run 'make test' (as root)
to see every test pass, and 'make check' in a lesson directory to check your
assignments.
EOF
