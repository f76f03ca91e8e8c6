#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a lesson's assignment checks against some code: the student's (the
# lesson directory itself) or a reference solution. `make check [A=N]` in a
# lesson calls this.
#
# Usage: tests/lib/check.sh --lesson LESSON_DIR [--code CODE_DIR] [N]
#
# A lesson describes its checks in LESSON_DIR/check.sh, sourced here:
#   ASSIGNMENTS=(1 2)                 # the assignment numbers
#   TITLE_1="what assignment 1 asks"  # one title each
#   check_1() { ...; }                # runs in CODE_DIR; returns non-zero on failure
# A check reports what went wrong with `fail "expected X, saw Y"` or
# `expect_eq WHAT EXPECTED ACTUAL`. Checks run under `set -e`, so the first
# failing command or `fail` ends the check: echo any further detail before
# the `fail`, indented by four spaces. But bash turns set -e off for the
# whole of a function called as `step || return 1` (or in an `if`): such a
# step must test its own commands. Read a command's output into a variable
# before matching it: under pipefail, `cmd | grep -q` fails whenever grep
# stops reading before cmd has written everything (cmd dies of SIGPIPE).
# The functions of tests/lib/xdp_state.bash (xdp_prog_id DEV, xdp_mode DEV,
# inside_address LAB...) read what is attached from ip -j and bpftool -j.
# A check makes labs with
# `lab_setup [OPTIONS]` (a testenv environment named $LAB, removed afterwards),
# and registers its own cleanup with `on_exit COMMAND...`. Every check runs in a private network and
# mount namespace (tests/lib/isolate.sh), so nothing it makes outlives it.
# shellcheck disable=SC2317 # the helpers below are called from the lessons' check.sh
set -uo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TESTENV="$TOP_DIR/testenv/testenv.sh"
# shellcheck source=tests/lib/xdp_state.bash
source "$TOP_DIR/tests/lib/xdp_state.bash"

usage() {
	sed -n 's/^# \{0,1\}//; 4,10p' "${BASH_SOURCE[0]}"
}

die() {
	echo "error: $*" >&2
	exit 2
}

parse_args() {
	LESSON_DIR='' CODE_DIR='' ONLY=''
	while [[ $# -gt 0 ]]; do
		case "$1" in
		--lesson) LESSON_DIR=${2:-}; shift 2 || die "--lesson needs a directory" ;;
		--code) CODE_DIR=${2:-}; shift 2 || die "--code needs a directory" ;;
		-h | --help) usage; exit 0 ;;
		[0-9]*) ONLY=$1; shift ;;
		*) die "unknown argument '$1' (see --help)" ;;
		esac
	done
	[[ -n "$LESSON_DIR" ]] || die "no lesson given: use --lesson DIR (see --help)"
	LESSON_DIR=$(cd "$LESSON_DIR" 2>/dev/null && pwd) || die "no such lesson directory"
	CODE_DIR=$(cd "${CODE_DIR:-$LESSON_DIR}" 2>/dev/null && pwd) || die "no such code directory"
	[[ -f "$LESSON_DIR/check.sh" ]] || die "$(basename "$LESSON_DIR") has no assignment checks"
}

# ---- helpers for the checks ----------------------------------------------

CLEANUPS=()

on_exit() {
	CLEANUPS+=("$(printf '%q ' "$@")")
}

run_cleanups() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true
	done
	CLEANUPS=()
}

fail() { # WORDS... (joined with spaces, as echo does)
	echo "    $*"
	return 1
}

# One more line of a failure report, indented as fail's, without failing: for
# a report of several lines (say_more ...; say_more ...; return 1).
say_more() { # WORDS...
	local words="$*"
	echo "    ${words//$'\n'/ }"
}

expect_eq() {
	local what=$1 expected=$2 actual=$3
	[[ "$expected" == "$actual" ]] && return 0
	fail "$what: expected $expected, saw $actual"
}

# Create a lab environment for this check; it is torn down when the check ends.
lab_setup() {
	LAB=${LAB:-chk$$}
	"$TESTENV" setup --name "$LAB" "$@" >/dev/null ||
		fail "could not set up the lab environment $LAB" || return 1
	on_exit "$TESTENV" teardown --name "$LAB"
}

testenv() {
	"$TESTENV" "$@"
}

# The functions of a BPF object file and the ELF section each lives in, as
# "NAME (section SEC)", separated by commas ("none" when there are none): what
# a check shows when the program it looks for is not there, or not an XDP
# program (SEC("xdp") puts it in section xdp; without it, it lands in .text).
functions_in() { # OBJECT
	local out
	out=$(llvm-objdump -t "$1" 2>&1) || {
		echo "none (llvm-objdump cannot read $1: $out)"
		return 0
	}
	awk '$3 == "F" { printf "%s%s (section %s)", sep, $NF, $4; sep = ", " }
		END { print sep ? "" : "none" }' <<<"$out"
}

# The section of function NAME in a BPF object file; empty when there is no
# such function.
section_of() { # OBJECT NAME
	local out
	out=$(llvm-objdump -t "$1" 2>/dev/null) || return 0
	awk -v name="$2" '$3 == "F" && $NF == name { print $4; exit }' <<<"$out"
}

# ---- running a program on a frame (BPF_PROG_TEST_RUN) ---------------------

# Load a BPF object with bpftool (attached nowhere), its programs pinned under
# CHECK_PIN_DIR (the lesson's check.sh sets it). Call it directly, not in
# $(...): the cleanup it registers with on_exit must reach the check. When the
# verifier refuses a program, say so with the end of its log, and fail.
load_object() { # OBJECT
	local out
	rm -rf "$CHECK_PIN_DIR"
	on_exit rm -rf "$CHECK_PIN_DIR"
	out=$(bpftool prog loadall "$1" "$CHECK_PIN_DIR" 2>&1) && return 0
	say_more "expected every program of $1 to load; the verifier refused one. The end of"
	say_more "its log (bpftool prog loadall $1 DIR shows all of it):"
	grep -v -E '^(libbpf|Error|processed|-- END)' <<<"$out" | tail -n 6 | sed 's/^/      /'
	return 1
}

# Run the program PROGNAME that load_object pinned once on the frame in the
# file FRAME_FILE; sets OUT_ACTION (the number it returned) and OUT_FRAME (the
# frame it left, in hex).
run_prog_on() { # PROGNAME FRAME_FILE
	local out res
	out=$(mktemp)
	on_exit rm -f "$out"
	res=$(bpftool prog run pinned "$CHECK_PIN_DIR/$1" data_in "$2" data_out "$out")
	# shellcheck disable=SC2034 # read by the lessons' check.sh
	OUT_ACTION=$(sed -n 's/^Return value: \([0-9]*\).*/\1/p' <<<"$res")
	# shellcheck disable=SC2034 # read by the lessons' check.sh
	OUT_FRAME=$(xxd -p "$out" | tr -d '\n')
}

# An XDP action as a check shows it: "1 (XDP_DROP)".
action_name() { # NUMBER
	local names=(XDP_ABORTED XDP_DROP XDP_PASS XDP_TX XDP_REDIRECT)
	[[ "$1" =~ ^[0-9]+$ ]] || { echo "no return value"; return; }
	echo "$1 (${names[$1]:-not an XDP action})"
}

# ---- running ---------------------------------------------------------------

run_one() {
	local n=$1 title_var="TITLE_$1" out rc
	local title=${!title_var:-}

	out=$(
		trap run_cleanups EXIT
		# A command that fails inside a check fails the check, and says which.
		set -eE
		trap 'case "$BASH_COMMAND" in return* | fail* | expect_*) ;; *) echo "    this step failed: $BASH_COMMAND" ;; esac' ERR
		cd "$CODE_DIR"
		"check_$n" 2>&1
	)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		echo "Assignment $n: $title ... PASS"
	else
		echo "Assignment $n: $title ... FAIL"
		[[ -n "$out" ]] && echo "$out" || echo "    the check failed (exit $rc) without saying why"
	fi
	return $rc
}

main() {
	parse_args "$@"
	if [[ "${XDP_TUTORIAL_ISOLATED:-}" != 1 ]]; then
		exec "$TOP_DIR/tests/lib/isolate.sh" "${BASH_SOURCE[0]}" --lesson "$LESSON_DIR" \
			--code "$CODE_DIR" ${ONLY:+"$ONLY"}
	fi
	# shellcheck source=/dev/null
	source "$LESSON_DIR/check.sh"

	local n rc failed=0 found=0
	# WERROR= : a student's warnings are not errors, whatever WERROR the caller
	# (make test WERROR=1, through MAKEFLAGS) was started with.
	if ! make -s -C "$CODE_DIR" WERROR= >/dev/null 2>&1; then
		echo "The code in $CODE_DIR does not build: run 'make' there and fix the errors first."
		exit 1
	fi
	for n in "${ASSIGNMENTS[@]}"; do
		[[ -n "$ONLY" && "$ONLY" != "$n" ]] && continue
		found=1
		# Not `run_one || ...`: bash ignores set -e in the whole of a call
		# made in such a condition, and the checks rely on it.
		run_one "$n"
		rc=$?
		[[ $rc -eq 0 ]] || failed=1
	done
	[[ $found -eq 1 ]] || die "no assignment $ONLY in $(basename "$LESSON_DIR") (there are: ${ASSIGNMENTS[*]})"
	exit $failed
}

main "$@"
