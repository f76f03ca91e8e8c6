#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the assignment checks: each must fail on a lesson's starter code and
# pass on its reference solution (SOLUTIONS_DIR/LESSON). Prints TAP.
#
# Usage: tests/lib/prove-checks.sh [LESSON_DIR...]   (default: every lesson with a check.sh)
set -uo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHECK="$TOP_DIR/tests/lib/check.sh"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
	sed -n 's/^# \{0,1\}//; 4,8p' "${BASH_SOURCE[0]}"
	exit 0
fi

solution_dir() {
	local lesson
	lesson=$(basename "$1")
	echo "$TOP_DIR/${lesson%%[0-9]*}-solutions/$lesson"
}

assignments_of() {
	# shellcheck source=/dev/null
	(source "$1/check.sh" && echo "${ASSIGNMENTS[*]}")
}

lessons=("$@")
if [[ ${#lessons[@]} -eq 0 ]]; then
	for f in "$TOP_DIR"/*/check.sh; do
		[[ -e "$f" ]] && lessons+=("$(dirname "$f")")
	done
fi

count=0
tap() { # STATUS DESCRIPTION [OUTPUT]
	count=$((count + 1))
	echo "$1 $count - $2"
	if [[ "$1" == "not ok" && -n "${3:-}" ]]; then
		while IFS= read -r line; do echo "# $line"; done <<<"$3"
	fi
}

for lesson in "${lessons[@]}"; do
	name=$(basename "$lesson")
	solution=$(solution_dir "$lesson")
	for n in $(assignments_of "$lesson"); do
		if ! out=$("$CHECK" --lesson "$lesson" --code "$lesson" "$n" 2>&1) && grep -q "^Assignment $n: .* FAIL" <<<"$out"; then
			tap ok "$name assignment $n: check fails on the starter code"
		else
			tap "not ok" "$name assignment $n: check fails on the starter code" "$out"
		fi
		if [[ ! -d "$solution" ]]; then
			tap "not ok" "$name assignment $n: check passes on the reference solution" \
				"no reference solution at $solution"
			continue
		fi
		if out=$("$CHECK" --lesson "$lesson" --code "$solution" "$n" 2>&1); then
			tap ok "$name assignment $n: check passes on the reference solution"
		else
			tap "not ok" "$name assignment $n: check passes on the reference solution" "$out"
		fi
	done
done
echo "1..$count"
