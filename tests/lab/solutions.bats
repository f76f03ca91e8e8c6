#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The reference solutions differ from the lessons' starter code only inside
# the assignment regions (tests/lib/solution-regions.sh says how a region is
# marked), so a student who does the assignments ends with the solution:
#
#   starter  ----- lines outside the regions -----  solution: the same lines
#            "/* Assignment N ..." ... "/* Assignment N: end */": free

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CHECK=$TOP_DIR/tests/lib/solution-regions.sh

setup() {
	WORK=$(mktemp -d)
}

teardown() {
	rm -rf "$WORK"
}

# A copy of basic04-pinning-maps and its solution in $WORK/lesson, $WORK/solution.
copy_lesson() {
	mkdir "$WORK/lesson" "$WORK/solution"
	cp "$TOP_DIR"/basic04-pinning-maps/*.[ch] "$WORK/lesson/"
	cp "$TOP_DIR"/basic-solutions/basic04-pinning-maps/*.[ch] "$WORK/solution/"
	printf 'LESSON_DIR := ../lesson\n' >"$WORK/solution/Makefile"
}

@test "solutions: each changes its lesson only inside the assignment regions" {
	run "$CHECK"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "solutions: a line changed outside the regions is named, file and line" {
	copy_lesson
	run "$CHECK" "$WORK/solution"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# Line 2, the file's own comment, lies outside every region.
	sed -i '2s/basic04/basic04, solved/' "$WORK/solution/xdp_stats.c"
	run "$CHECK" "$WORK/solution"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	[ "$output" = "$WORK/solution/xdp_stats.c:2: differs from $WORK/lesson/xdp_stats.c:2 outside the assignment regions" ] ||
		{ echo "$output"; return 1; }
}

@test "solutions: a line added outside the regions is named; one added inside is not" {
	copy_lesson
	# Inside: just after the line that opens the region in main().
	sed -i '/Assignment 2 (solved)/a\	/* more about the solution */' "$WORK/solution/xdp_loader.c"
	run "$CHECK" "$WORK/solution"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# Outside: between that region's end marker and step 3.
	sed -i '/3\. Load: libbpf creates the maps/i\	/* drift */' "$WORK/solution/xdp_loader.c"
	local line
	line=$(grep -n 'drift' "$WORK/solution/xdp_loader.c" | cut -d: -f1)
	run "$CHECK" "$WORK/solution"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	grep -q "^$WORK/solution/xdp_loader.c:$line: differs" <<<"$output" ||
		{ echo "drift at line $line, said: $output"; return 1; }
}

@test "solutions: a region the starter opens and never closes is refused" {
	copy_lesson
	sed -i '/Assignment 1: end/d' "$WORK/lesson/xdp_stats.c"
	run "$CHECK" "$WORK/solution"
	[ "$status" -ne 0 ] || { echo "$output"; return 1; }
	grep -q "xdp_stats.c:[0-9]*: region of assignment 1 has no \"/\* Assignment 1: end \*/\"" <<<"$output" ||
		{ echo "$output"; return 1; }
}
