#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove the assignment checks: each must fail on a lesson's starter code, pass
# on its reference solution (SOLUTIONS_DIR/LESSON), and fail on every wrong
# answer in tests/wrong-answers/LESSON/. Prints TAP.
#
# Usage: tests/lib/prove-checks.sh [LESSON_DIR...]   (default: every lesson with a check.sh)
#        STRESS=N tests/lib/prove-checks.sh [...]   every proof N times; then a summary of
#                                                  the proofs that did not give the same
#                                                  result every time (flaky)
#
# A wrong answer, N-NAME.patch, is a mistake a student could make in
# assignment N: a unified diff (a/FILE, b/FILE) against the reference
# solution, or against the starter code when it has a line "# base: starter".
# Its first line, "# ...", says what mistake it models; each line
# "# expect: TEXT" is text the check must say about it; "# needs-cpus: N"
# skips it on a machine with fewer possible CPUs. It is applied to a copy in a
# temporary directory, built there (the build stays there) and checked there:
# the check must fail, saying so. The copies are removed when this ends.
set -uo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CHECK="$TOP_DIR/tests/lib/check.sh"
WRONG_ANSWERS="$TOP_DIR/tests/wrong-answers"

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
	sed -n 's/^# \{0,1\}//; 4,20p' "${BASH_SOURCE[0]}"
	exit 0
fi

STRESS=${STRESS:-1}
if ! [[ "$STRESS" =~ ^[1-9][0-9]*$ ]]; then
	echo "error: STRESS must be a number of rounds (1 or more), not '$STRESS'" >&2
	exit 2
fi

# The code proven here stands for a student's, built as `make check` builds it:
# a warning (a variable a wrong answer leaves unused) is no error, even in a run
# started with WERROR=1 (make hands that down in MAKEFLAGS; WERROR= on the make
# command line wins over it). The same in tests/lib/check.sh.

WORK=$(mktemp -d "${TMPDIR:-/tmp}/prove-checks.XXXXXX") || {
	echo "error: could not make a temporary directory for the wrong answers" >&2
	exit 2
}
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

solution_dir() {
	local lesson
	lesson=$(basename "$1")
	echo "$TOP_DIR/${lesson%%[0-9]*}-solutions/$lesson"
}

assignments_of() {
	# shellcheck source=/dev/null
	(source "$1/check.sh" && echo "${ASSIGNMENTS[*]}")
}

possible_cpus() {
	local ranges range n=0
	ranges=$(cat /sys/devices/system/cpu/possible 2>/dev/null) || { echo 1; return; }
	for range in ${ranges//,/ }; do
		n=$((n + ${range#*-} - ${range%-*} + 1))
	done
	echo "$n"
}

lessons=("$@")
if [[ ${#lessons[@]} -eq 0 ]]; then
	for f in "$TOP_DIR"/*/check.sh; do
		[[ -e "$f" ]] && lessons+=("$(dirname "$f")")
	done
fi

count=0
declare -A FAILED_IN=()
ROUND_PREFIX=''
tap() { # STATUS DESCRIPTION [OUTPUT]
	local desc=$2
	count=$((count + 1))
	echo "$1 $count - $ROUND_PREFIX$desc"
	desc=${desc%% # SKIP*}
	if [[ "$1" == "not ok" ]]; then
		FAILED_IN[$desc]=$((${FAILED_IN[$desc]:-0} + 1))
		if [[ -n "${3:-}" ]]; then
			while IFS= read -r line; do echo "# $line"; done <<<"$3"
		fi
	else
		FAILED_IN[$desc]=${FAILED_IN[$desc]:-0}
	fi
}

# ---- wrong answers ----------------------------------------------------------

# The code a wrong answer applies to, one copy per lesson and base in $WORK:
# the lesson's sources, with the reference solution's on top unless BASE is
# starter. Its Makefile is the lesson's, which finds common/ through
# COMMON_DIR. Prints the directory; prepare_bases builds it once, and each
# wrong answer starts from a copy of that build.
BUILT_BASES=()
base_copy() { # LESSON_DIR BASE
	local lesson=$1 base=$2 dir f
	dir="$WORK/base-$(basename "$lesson")-$base"
	if [[ ! -d "$dir" ]]; then
		mkdir -p "$dir"
		for f in "$lesson"/*.c "$lesson"/*.h "$lesson"/Makefile; do
			[[ -e "$f" ]] && cp "$f" "$dir/"
		done
		if [[ "$base" == solution ]]; then
			for f in "$(solution_dir "$lesson")"/*.c "$(solution_dir "$lesson")"/*.h; do
				[[ -e "$f" ]] && cp "$f" "$dir/"
			done
		fi
	fi
	echo "$dir"
}

# The value of the header line "# KEY: VALUE" of a wrong answer, one a line.
header_values() { # PATCH KEY
	sed -n '/^--- /q; s/^# '"$2"': *//p' "$1"
}

prove_wrong_answer() { # LESSON_DIR N PATCH
	local lesson=$1 n=$2 patch=$3 name desc base basedir dir out rc expect missing='' cpus
	name=$(basename "$patch" .patch)
	name=${name#*-}
	desc="$(basename "$lesson") assignment $n rejects wrong answer: $name"

	cpus=$(header_values "$patch" needs-cpus)
	if [[ -n "$cpus" && $(possible_cpus) -lt $cpus ]]; then
		tap ok "$desc # SKIP needs $cpus possible CPUs, this machine has $(possible_cpus)"
		return
	fi
	base=solution
	[[ "$(header_values "$patch" base)" == starter ]] && base=starter
	basedir=$(base_copy "$lesson" "$base")

	dir="$WORK/$(basename "$lesson")-$n-$name"
	rm -rf "$dir"
	cp -a "$basedir" "$dir"
	# No fuzz: a wrong answer that no longer applies as written is
	# reported, not applied somewhere near.
	if ! out=$(patch -s -p1 --fuzz=0 --no-backup-if-mismatch -d "$dir" <"$patch" 2>&1); then
		tap "not ok" "$desc" "the patch does not apply to the $base code: $out"
		rm -rf "$dir"
		return
	fi
	if ! out=$(COMMON_DIR="$TOP_DIR/common" make -s -C "$dir" WERROR= 2>&1); then
		tap "not ok" "$desc" "the wrong answer does not build, so it proves nothing: $out"
		rm -rf "$dir"
		return
	fi
	out=$(COMMON_DIR="$TOP_DIR/common" "$CHECK" --lesson "$lesson" --code "$dir" "$n" 2>&1)
	rc=$?
	while IFS= read -r expect; do
		[[ -z "$expect" || "$out" == *"$expect"* ]] || missing+="${missing:+, }'$expect'"
	done < <(header_values "$patch" expect)
	if [[ $rc -ne 1 ]] || ! grep -q "^Assignment $n: .* FAIL" <<<"$out"; then
		tap "not ok" "$desc" "expected the check to FAIL (exit 1), saw exit $rc:"$'\n'"$out"
	elif [[ -n "$missing" ]]; then
		tap "not ok" "$desc" "the check failed, but did not say $missing:"$'\n'"$out"
	else
		tap ok "$desc"
	fi
	rm -rf "$dir"
}

# Build each base copy once, before the first proof that needs it: a copy
# that does not build fails the proofs of its wrong answers.
prepare_bases() { # LESSON_DIR
	local lesson=$1 patch base dir out
	for patch in "$WRONG_ANSWERS/$(basename "$lesson")"/*.patch; do
		[[ -e "$patch" ]] || continue
		base=solution
		[[ "$(header_values "$patch" base)" == starter ]] && base=starter
		dir=$(base_copy "$lesson" "$base")
		[[ " ${BUILT_BASES[*]} " == *" $dir "* ]] && continue
		if ! out=$(COMMON_DIR="$TOP_DIR/common" make -s -C "$dir" WERROR= 2>&1); then
			echo "# the $base code of $(basename "$lesson") does not build in $dir: $out"
		fi
		BUILT_BASES+=("$dir")
	done
}

# ---- the proofs -------------------------------------------------------------

prove_lesson() { # LESSON_DIR
	local lesson=$1 name solution n out patch
	name=$(basename "$lesson")
	solution=$(solution_dir "$lesson")
	prepare_bases "$lesson"
	for n in $(assignments_of "$lesson"); do
		out=$("$CHECK" --lesson "$lesson" --code "$lesson" "$n" 2>&1)
		if [[ $? -eq 1 ]] && grep -q "^Assignment $n: .* FAIL" <<<"$out"; then
			tap ok "$name assignment $n: check fails on the starter code"
		else
			tap "not ok" "$name assignment $n: check fails on the starter code" "$out"
		fi
		if [[ ! -d "$solution" ]]; then
			tap "not ok" "$name assignment $n: check passes on the reference solution" \
				"no reference solution at $solution"
		elif out=$("$CHECK" --lesson "$lesson" --code "$solution" "$n" 2>&1); then
			tap ok "$name assignment $n: check passes on the reference solution"
		else
			tap "not ok" "$name assignment $n: check passes on the reference solution" "$out"
		fi
		for patch in "$WRONG_ANSWERS/$name/$n"-*.patch; do
			[[ -e "$patch" ]] && prove_wrong_answer "$lesson" "$n" "$patch"
		done
	done
	# A wrong answer for an assignment the lesson does not have would
	# never be run: say so.
	for patch in "$WRONG_ANSWERS/$name"/*.patch; do
		[[ -e "$patch" ]] || continue
		n=$(basename "$patch")
		n=${n%%-*}
		[[ " $(assignments_of "$lesson") " == *" $n "* ]] && continue
		tap "not ok" "$name wrong answer $(basename "$patch"): names an assignment of the lesson" \
			"$name has no assignment '$n' (it has: $(assignments_of "$lesson")); name it N-NAME.patch"
	done
}

started=$SECONDS
for ((round = 1; round <= STRESS; round++)); do
	[[ $STRESS -gt 1 ]] && ROUND_PREFIX="round $round of $STRESS: "
	for lesson in "${lessons[@]}"; do
		prove_lesson "$lesson"
	done
done
echo "1..$count"
echo "# $count proofs in $((SECONDS - started)) s"
failures=0
for desc in "${!FAILED_IN[@]}"; do
	failures=$((failures + ${FAILED_IN[$desc]}))
done
if [[ $STRESS -gt 1 ]]; then
	# A proof that failed in some rounds and not in others is flaky: the
	# check, or what it relies on, does not give the same answer every time.
	report=() flaky=0 broken=0
	for desc in "${!FAILED_IN[@]}"; do
		if [[ ${FAILED_IN[$desc]} -eq $STRESS ]]; then
			report+=("# failed in every round: $desc")
			broken=$((broken + 1))
		elif [[ ${FAILED_IN[$desc]} -gt 0 ]]; then
			report+=("# flaky, failed in ${FAILED_IN[$desc]} of $STRESS rounds: $desc")
			flaky=$((flaky + 1))
		fi
	done
	[[ ${#report[@]} -eq 0 ]] || printf '%s\n' "${report[@]}" | sort
	echo "# stress: $STRESS rounds of ${#FAILED_IN[@]} proofs: $flaky flaky," \
		"$broken failed in every round"
fi
[[ $failures -eq 0 ]]
