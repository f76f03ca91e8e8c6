#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The test suite behind `make test`: three layers, one line per test, and a
# last line "N passed, N failed, N skipped". Exits non-zero on any failure.
#
#   prog    BPF programs fed crafted packets with BPF_PROG_TEST_RUN (tests/prog)
#   lab     the real loaders and testenv labs with real traffic (tests/lab/*.bats)
#   checks  every assignment check fails on the starter code and passes on the
#           reference solution (tests/lib/prove-checks.sh)
#
# Usage: tests/run.sh [--tags TAGS] [--worktree] [LAYER...]
#   default: all three layers. lab:NAME runs one file, tests/lab/NAME.bats.
#   --tags vlan runs only the lab tests tagged vlan (`# bats test_tags=vlan`:
#   the tests that need a kernel feature some kernels lack, which make
#   test-kernels runs on Debian's kernels).
#
# The tests run on the lessons as committed, built first: when you have
# changed a lesson, on a copy (tests/lib/pristine.sh says so; --worktree: on
# the lessons as they are). Everything runs in a private network and mount
# namespace with its own bpffs and tracefs (tests/lib/isolate.sh): whatever a
# test makes is gone when the run ends, even after a failure or Ctrl-C. Each
# layer has a bound in time, so that nothing can hang the run.
#
# SANITIZE=1 in the environment (make test SANITIZE=1) builds the loaders and
# test programs with AddressSanitizer, LeakSanitizer and UBSan
# (common/common.mk); a leak at exit, a memory error or undefined behaviour
# then fails the program, and so its test.
set -uo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP_DIR" || exit 1

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
	sed -n 's/^# \{0,1\}//; 4,28p' "${BASH_SOURCE[0]}"
	exit 0
fi
if [[ $EUID -ne 0 ]]; then
	echo "error: the tests load BPF programs and make network namespaces, so they need root: run 'sudo make test'" >&2
	exit 1
fi
lab_filter=()
tags=()
worktree=()
while [[ "${1:-}" == --* ]]; do
	case "$1" in
	--tags)
		[[ -n "${2:-}" ]] || { echo "error: --tags needs a tag list, e.g. --tags vlan" >&2; exit 2; }
		lab_filter=(--filter-tags "$2")
		tags=(--tags "$2")
		shift 2
		;;
	--worktree) worktree=(--worktree); shift ;;
	*) echo "error: unknown option '$1' (see tests/run.sh --help)" >&2; exit 2 ;;
	esac
done
layers=("$@")
[[ ${#layers[@]} -gt 0 ]] || layers=(prog lab checks)
for layer in "${layers[@]}"; do
	case "$layer" in
	prog | lab | lab:?* | checks) ;;
	*) echo "error: unknown layer '$layer': use prog, lab, lab:NAME or checks" >&2; exit 2 ;;
	esac
done

# Under SANITIZE=1 every report ends the program with an error (LeakSanitizer
# included, which some setups turn off); a sanitizer's own options win.
if [[ ${SANITIZE:-} == 1 ]]; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
	export LSAN_OPTIONS=${LSAN_OPTIONS:-report_objects=1}
fi

# Choose the lessons to test and build them (tests/lib/pristine.sh), then
# isolate; each step runs this script again.
if [[ -z "${XDP_TUTORIAL_TREE:-}" ]]; then
	exec "$TOP_DIR/tests/lib/pristine.sh" "${worktree[@]}" tests/run.sh "${tags[@]}" "${layers[@]}"
fi
if [[ "${XDP_TUTORIAL_ISOLATED:-}" != 1 ]]; then
	exec "$TOP_DIR/tests/lib/isolate.sh" "${BASH_SOURCE[0]}" "${tags[@]}" "${layers[@]}"
fi

# The bound of each layer, in seconds: far above what a run takes, and a
# failure instead of a hang when a program never returns.
# XDP_TUTORIAL_BOUND_SCALE multiplies them where everything runs slower (the
# kernel matrix's emulated guests).
scale=${XDP_TUTORIAL_BOUND_SCALE:-1}
[[ $scale =~ ^[1-9][0-9]*$ ]] || scale=1
PROG_BOUND=$((300 * scale))
LAB_BOUND=$((1800 * scale))
CHECKS_BOUND=$((1800 * scale))

passed=0 failed=0 skipped=0
failures=()

# Read TAP on stdin; print one line per test, prefixed with the layer, and the
# diagnostics of failed tests; count the results.
report_tap() {
	local layer=$1 line desc last_failed=0 seen=0
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			desc=${line#not ok }
			desc=${desc#* }
			desc=${desc#- }
			echo "FAIL  $layer: $desc"
			failed=$((failed + 1)) seen=$((seen + 1)) last_failed=1
			failures+=("$layer: $desc")
			;;
		"ok "*)
			desc=${line#ok }
			desc=${desc#* }
			desc=${desc#- }
			seen=$((seen + 1)) last_failed=0
			if [[ "$desc" =~ \#\ [Ss][Kk][Ii][Pp] ]]; then
				echo "SKIP  $layer: ${desc%% # *} (${desc#* # [Ss][Kk][Ii][Pp]})"
				skipped=$((skipped + 1))
			else
				echo "PASS  $layer: $desc"
				passed=$((passed + 1))
			fi
			;;
		"# exit status "*)
			LAST_RC=${line#\# exit status }
			;;
		"#"*)
			[[ $last_failed -eq 1 ]] && echo "      $line"
			;;
		esac
	done
	LAST_SEEN=$seen
}

# The pids of every process PID started, and they started, and so on.
descendants() { # PID
	local child
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$child"
		descendants "$child"
	done
}

# Stop PID and every process below it: SIGTERM (bats then runs the teardowns),
# and SIGKILL for what is left 10 s later.
stop_tree() { # PID
	local pids tries=20
	mapfile -t pids < <(echo "$1"; descendants "$1")
	kill -TERM "${pids[@]}" 2>/dev/null || true
	# Until none is left but zombies (Z), which nothing can stop.
	while ((tries-- > 0)) && ps -o stat= -p "$(IFS=,; echo "${pids[*]}")" | grep -qv '^Z'; do
		sleep 0.5
	done
	kill -KILL "${pids[@]}" 2>/dev/null || true
}

run_layer() { # LAYER BOUND COMMAND...
	local layer=$1 bound=$2 tap pid watchdog
	shift 2
	echo "== $layer =="
	LAST_RC=none
	exec {tap}< <("$@" 2>&1; echo "# exit status $?")
	pid=$!
	# The watchdog stops the layer after BOUND seconds. It ends by itself as
	# soon as its pipe closes: when the layer is over, or this script ends
	# (Ctrl-C included). (A timeout(1) would make a process group of its own,
	# out of Ctrl-C's reach.)
	exec {watchdog}> >(read -r -t "$bound" || [[ $? -le 128 ]] || stop_tree "$pid")
	report_tap "$layer" <&"$tap"
	exec {tap}<&- {watchdog}>&-
	# A layer that was stopped, or printed no test at all, is a failure too.
	if [[ $LAST_RC == none ]]; then
		echo "FAIL  $layer: stopped after $bound s, unfinished ($*)"
		failed=$((failed + 1))
		failures+=("$layer: stopped after $bound s")
	elif [[ $LAST_SEEN -eq 0 ]]; then
		echo "FAIL  $layer: ran no test ($*)"
		failed=$((failed + 1))
		failures+=("$layer: ran no test")
	fi
}

for layer in "${layers[@]}"; do
	case "$layer" in
	prog)
		if [[ -x tests/prog/prog_test ]]; then
			run_layer prog "$PROG_BOUND" tests/prog/prog_test
		else
			run_layer prog 10 echo "not ok 1 - tests/prog/prog_test is not built: run make"
		fi
		;;
	lab | lab:*)
		if [[ $layer == lab ]]; then
			mapfile -t bats_files < <(ls tests/lab/*.bats 2>/dev/null)
		elif [[ -f tests/lab/${layer#lab:}.bats ]]; then
			bats_files=("tests/lab/${layer#lab:}.bats")
		else
			echo "error: no tests/lab/${layer#lab:}.bats for the layer '$layer'" >&2
			exit 2
		fi
		run_layer lab "$LAB_BOUND" bats --tap "${lab_filter[@]}" "${bats_files[@]}"
		;;
	checks)
		run_layer checks "$CHECKS_BOUND" tests/lib/prove-checks.sh
		;;
	*)
		echo "error: unknown layer '$layer': use prog, lab, lab:NAME or checks" >&2
		exit 2
		;;
	esac
done

if [[ $failed -gt 0 ]]; then
	echo
	echo "Failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
