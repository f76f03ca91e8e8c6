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
# Usage: tests/run.sh [--tags TAGS] [LAYER...]
#   default: all three layers; build first with make. --tags vlan runs only the
#   lab tests tagged vlan (`# bats test_tags=vlan`: the tests that need a kernel
#   feature some kernels lack, which make test-kernels runs on Debian's kernels).
#
# Everything runs in a private network and mount namespace with its own bpffs
# and tracefs (tests/lib/isolate.sh): whatever a test makes is gone when the
# run ends, even after a failure or Ctrl-C.
set -uo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP_DIR" || exit 1

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
	sed -n 's/^# \{0,1\}//; 4,19p' "${BASH_SOURCE[0]}"
	exit 0
fi
if [[ $EUID -ne 0 ]]; then
	echo "error: the tests load BPF programs and make network namespaces, so they need root: run 'sudo make test'" >&2
	exit 1
fi
if [[ "${XDP_TUTORIAL_ISOLATED:-}" != 1 ]]; then
	exec "$TOP_DIR/tests/lib/isolate.sh" "${BASH_SOURCE[0]}" "$@"
fi

lab_filter=()
if [[ "${1:-}" == "--tags" ]]; then
	[[ -n "${2:-}" ]] || { echo "error: --tags needs a tag list, e.g. --tags vlan" >&2; exit 2; }
	lab_filter=(--filter-tags "$2")
	shift 2
fi
layers=("$@")
[[ ${#layers[@]} -gt 0 ]] || layers=(prog lab checks)

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
		"#"*)
			[[ $last_failed -eq 1 ]] && echo "      $line"
			;;
		esac
	done
	LAST_SEEN=$seen
}

run_layer() { # LAYER COMMAND...
	local layer=$1
	shift
	echo "== $layer =="
	report_tap "$layer" < <("$@" 2>&1; echo "# exit status $?")
	# A layer that crashed or printed no test at all is a failure too.
	if [[ $LAST_SEEN -eq 0 ]]; then
		echo "FAIL  $layer: ran no test ($*)"
		failed=$((failed + 1))
		failures+=("$layer: ran no test")
	fi
}

for layer in "${layers[@]}"; do
	case "$layer" in
	prog)
		if [[ -x tests/prog/prog_test ]]; then
			run_layer prog tests/prog/prog_test
		else
			run_layer prog echo "not ok 1 - tests/prog/prog_test is not built: run make"
		fi
		;;
	lab)
		mapfile -t bats_files < <(ls tests/lab/*.bats 2>/dev/null)
		run_layer lab bats --tap "${lab_filter[@]}" "${bats_files[@]}"
		;;
	checks)
		run_layer checks tests/lib/prove-checks.sh
		;;
	*)
		echo "error: unknown layer '$layer': use prog, lab or checks" >&2
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
