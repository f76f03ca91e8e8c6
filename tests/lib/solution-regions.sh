#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that each reference solution differs from its lesson's starter code
# only inside the assignment regions, so that a student who solves the
# assignments ends with the solution, and the solution teaches nothing the
# lesson does not ask for.
#
# Usage: tests/lib/solution-regions.sh [SOLUTION_DIR...]
#   default: every */-solutions/*/ directory. Prints one line per drift,
#   FILE:LINE, and exits 1 when there is any.
#
# The regions, as the starter marks them (C comments):
#   - A line that starts with a comment "/* Assignment N..." opens a region of
#     assignment N; the line "/* Assignment N: end */" closes it. Everything
#     from the opening line to the line before the end marker is the region:
#     the solution rewrites it freely (the opening comment included) but keeps
#     a line that starts with "/* Assignment N" at its head. Markers of other
#     assignments inside a region belong to it.
#   - A line of code that ends with a comment "/* Assignment N..." is a region
#     of that one line; the solution's line ends with such a comment too.
# Outside the regions, the solution's lines are the starter's, in the same
# order; its regions are the starter's, in the same order. A file the
# solution adds, with no starter of that name, is free.
set -euo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() {
	sed -n 's/^# \{0,1\}//; 11,13p' "${BASH_SOURCE[0]}"
}

# FILE as a list of tokens, one a line: "LINE<TAB>O<TAB>TEXT" for a line
# outside the regions, "LINE<TAB>R<TAB>N" for a region of assignment N.
tokens() { # FILE
	awk '
	function fail(msg) { printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"; bad = 1; exit 2 }
	open != "" {
		if ($0 ~ "^[ \t]*/\\* Assignment " open ": end \\*/[ \t]*$") {
			open = ""
			printf "%d\tO\t%s\n", FNR, $0
		}
		next
	}
	match($0, /\/\* Assignment [0-9]+/) {
		n = substr($0, RSTART + 14, RLENGTH - 14)
		if (substr($0, 1, RSTART - 1) ~ /^[ \t]*$/) {
			open = n
			start = FNR
		}
		printf "%d\tR\t%s\n", FNR, n
		next
	}
	/Assignment [0-9]+: end/ { fail("an end marker with no region open") }
	{ printf "%d\tO\t%s\n", FNR, $0 }
	END {
		if (!bad && open != "") {
			FNR = start
			fail("region of assignment " open " has no \"/* Assignment " open ": end */\"")
		}
	}' "$1"
}

# Compare the tokens of STARTER and SOLUTION; name the first line that
# differs outside the regions.
compare() { # STARTER SOLUTION
	local a b
	a=$(tokens "$1") || return 1
	b=$(tokens "$2") || return 1
	awk -F '\t' -v starter="$1" -v solution="$2" '
	NR == FNR { sl[NR] = $1; sk[NR] = $2; st[NR] = substr($0, length($1 $2) + 3); ns = NR; next }
	{ ol[FNR] = $1; ok[FNR] = $2; ot[FNR] = substr($0, length($1 $2) + 3); no = FNR }
	END {
		for (i = 1; i <= ns || i <= no; i++) {
			if (i > no) {
				printf "%s:%d: the solution ends here; the starter goes on (%s:%d)\n",
					solution, ol[no] + 1, starter, sl[i]
				exit 1
			}
			if (i > ns) {
				printf "%s:%d: a line after the end of the starter (%s), outside the assignment regions\n",
					solution, ol[i], starter
				exit 1
			}
			if (sk[i] == ok[i] && st[i] == ot[i])
				continue
			if (sk[i] == "R")
				printf "%s:%d: the region of assignment %s (%s:%d) is not here\n",
					solution, ol[i], st[i], starter, sl[i]
			else
				printf "%s:%d: differs from %s:%d outside the assignment regions\n",
					solution, ol[i], starter, sl[i]
			exit 1
		}
	}' <(printf '%s\n' "$a") <(printf '%s\n' "$b")
}

# The lesson a solution directory solves: its Makefile says LESSON_DIR.
lesson_of() { # SOLUTION_DIR
	local dir
	dir=$(sed -n 's/^LESSON_DIR *:\{0,1\}= *//p' "$1/Makefile")
	[[ -n $dir ]] || { echo "error: $1/Makefile names no LESSON_DIR" >&2; return 1; }
	(cd "$1" && cd "$dir" && pwd)
}

main() {
	local dirs=() dir lesson file rc=0
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	esac
	if [[ $# -gt 0 ]]; then
		dirs=("$@")
	else
		dirs=("$TOP_DIR"/*-solutions/*/)
	fi
	for dir in "${dirs[@]}"; do
		dir=${dir%/}
		lesson=$(lesson_of "$dir") || { rc=1; continue; }
		for file in "$dir"/*.c "$dir"/*.h; do
			[[ -e $file ]] || continue
			if [[ ! -e $lesson/${file##*/} ]]; then
				continue # added by the solution
			fi
			compare "$lesson/${file##*/}" "$file" || rc=1
		done
	done
	return "$rc"
}

main "$@"
