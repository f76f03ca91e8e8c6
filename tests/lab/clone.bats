#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# make test and make demo on a clone where a student has been at work: they run
# the lessons as committed (tests/lib/pristine.sh), so a solved lesson, or a
# half-done one that does not compile, can neither fail nor hang them. The
# clone is a git repository of its own, made of this tree's files:
#
#   this tree --copy, git commit--> clone
#     + the reference solutions over its lessons, not committed
#         --> make demo FAST=1; tests/run.sh prog lab:basic03 (which hung)
#     + half-done edits in basic01 and basic03 that do not compile
#         --> make demo FAST=1 (make test goes the same way: tests/run.sh
#             and scripts/demo.sh both start with tests/lib/pristine.sh)
#     each passes, says in one line that it runs the lessons as committed,
#     and leaves nothing: no copy, no lab, nothing attached
#   the same files without .git (a tarball) --> the lessons as they are, said so
#
# The runs inside run other files than this one, and this file skips itself in
# a run it started (XDP_TUTORIAL_IN_CLONE_TEST): it never recurses.

load lab_helpers

# The bound of one run inside the clone, in seconds (they take well under one
# minute): a hang fails the test.
RUN_BOUND=300

setup_file() {
	require_isolation
	if [[ -n ${XDP_TUTORIAL_IN_CLONE_TEST:-} ]]; then
		skip "inside a run of the clone test"
	fi
	CLONE_WORK=$(mktemp -d)
	export CLONE_WORK
	make_clone "$CLONE_WORK/clone"
}

teardown_file() {
	if [[ -n ${CLONE_WORK:-} ]]; then
		rm -rf "$CLONE_WORK"
	fi
}

setup() {
	CLONE=$CLONE_WORK/clone
	# Every test starts from the clone as committed.
	git -C "$CLONE" checkout -q -- .
	git -C "$CLONE" clean -fdq
	# Where the runs make their copies: empty before each test.
	SCRATCH=$CLONE_WORK/tmp
	rm -rf "$SCRATCH"
	mkdir -p "$SCRATCH"
}

# ---- helpers ----------------------------------------------------------------

# Make a git repository at DIR of this tree's files (not its build products:
# .gitignore keeps them out of the commit), with the lessons as they are here.
make_clone() { # DIR
	local dir=$1
	mkdir -p "$dir"
	tar -C "$TOP_DIR" --exclude=./.git --exclude=./build --exclude=./libbpf -cf - . |
		tar -C "$dir" -xf -
	# libbpf from source: the same tree, by a link.
	if [[ -f $TOP_DIR/libbpf/src/Makefile ]]; then
		ln -s "$(readlink -f "$TOP_DIR/libbpf")" "$dir/libbpf"
	fi
	git -C "$dir" init -q
	git -C "$dir" add -A
	git -C "$dir" -c user.name=student -c user.email=student@example.invalid \
		commit -q -m "the tutorial, as cloned"
}

# Copy each reference solution's files over its lesson in the clone.
solve_lessons() {
	local solution
	for solution in "$CLONE"/basic-solutions/*/ "$CLONE"/packet-solutions/*/; do
		cp "$solution"/*.[ch] "$CLONE/$(basename "$solution")/"
	done
}

# Half-done edits that do not compile: a statement without its ';' in basic01,
# a call without its ')' in basic03.
break_lessons() {
	sed -i 's/return XDP_PASS;/return XDP_DROP/' "$CLONE/basic01-xdp-pass/xdp_pass.bpf.c"
	sed -i 's/^static int read_datarec(.*/&\n\tint ncpus = libbpf_num_possible_cpus(/' \
		"$CLONE/basic03-map-counter/xdp_load_and_stats.c"
}

# Run COMMAND in the clone as a student would: not inside this run's tree (no
# XDP_TUTORIAL_TREE), copies made in SCRATCH, within RUN_BOUND seconds.
run_in_clone() { # COMMAND...
	run env -u XDP_TUTORIAL_TREE -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		XDP_TUTORIAL_IN_CLONE_TEST=1 TMPDIR="$SCRATCH" \
		timeout -s INT -k 10 "$RUN_BOUND" "$@"
}

# The one line that says which lessons run.
assert_says_committed() {
	local notes
	notes=$(grep -c '^note: .* local changes: this runs the lessons as committed (HEAD); run make check in a lesson to test your code$' <<<"$output" || true)
	[[ $notes -eq 1 ]] || { echo "expected one note saying so, saw:"; echo "$output"; return 1; }
}

# Nothing of a run is left: no copy, no namespace, no veth, no XDP program.
assert_nothing_left() {
	local left
	left=$(ls -A "$SCRATCH")
	[[ -z $left ]] || { echo "left in TMPDIR: $left"; return 1; }
	[[ -z $(ip netns list) ]] || { echo "netns left: $(ip netns list)"; return 1; }
	[[ -z $(ip -o link show type veth) ]] || { echo "veth left: $(ip -o link show type veth)"; return 1; }
	! ip -o link show | grep -q 'prog/xdp' || { echo "XDP left: $(ip -o link show)"; return 1; }
}

# ---- a clone with every assignment solved -----------------------------------

@test "clone: solved lessons: make demo runs the lessons as committed, and says so" {
	solve_lessons
	run_in_clone make -C "$CLONE" --no-print-directory demo FAST=1
	assert_ok
	assert_says_committed
	assert_output_has "basic01-xdp-pass, basic02-prog-by-name, basic03-map-counter, basic04-pinning-maps, packet01-parsing, packet02-rewriting, packet03-redirecting have local changes"
	assert_demo_tour
	assert_nothing_left
}

@test "clone: solved lessons: tests/run.sh prog lab:basic03 pass on the lessons as committed" {
	solve_lessons
	run_in_clone "$CLONE/tests/run.sh" prog lab:basic03
	assert_ok
	assert_says_committed
	assert_output_matches '^[1-9][0-9]* passed, 0 failed, 0 skipped$'
	assert_output_has "PASS  lab: basic03: bad input: the starter loader refuses a per-CPU map (assignment 3)"
	assert_nothing_left
}

# ---- a clone with a half-done assignment that does not compile --------------

@test "clone: half-done lessons that do not compile: make demo passes" {
	break_lessons
	# The edits do break the build of the lessons as they are.
	! make -s -C "$CLONE/basic01-xdp-pass" >/dev/null 2>&1 || { echo "basic01 builds"; return 1; }
	! make -s -C "$CLONE/basic03-map-counter" >/dev/null 2>&1 || { echo "basic03 builds"; return 1; }
	run_in_clone make -C "$CLONE" --no-print-directory demo FAST=1
	assert_ok
	assert_says_committed
	assert_output_has "basic01-xdp-pass, basic03-map-counter have local changes"
	assert_demo_tour
	assert_nothing_left
}

# ---- which tree, cheaply (no build) ------------------------------------------

@test "clone: the copy holds the lessons of HEAD and the rest as it is here, and goes away" {
	solve_lessons
	echo "a change outside the lessons" >>"$CLONE/testenv/README.org"
	# shellcheck disable=SC2016 # expanded by the inner shell
	run_in_clone "$CLONE/tests/lib/pristine.sh" --no-build sh -c \
		'pwd; grep -c "return XDP_DROP" basic01-xdp-pass/xdp_pass.bpf.c; tail -n 1 testenv/README.org'
	assert_ok
	assert_says_committed
	[[ ${lines[1]} == "$SCRATCH/xdp-tutorial-committed."* ]] || { echo "ran in ${lines[1]}"; return 1; }
	# The committed xdp_pass returns XDP_PASS, not XDP_DROP.
	[[ ${lines[2]} == 0 ]] || { echo "basic01 as in the clone: $output"; return 1; }
	[[ ${lines[3]} == "a change outside the lessons" ]] || { echo "$output"; return 1; }
	assert_nothing_left
}

@test "clone: the exit status of the command comes through, and the copy goes away" {
	solve_lessons
	run_in_clone "$CLONE/tests/lib/pristine.sh" --no-build sh -c 'exit 3'
	assert_status 3
	assert_nothing_left
}

@test "clone: --worktree and a clean clone run the lessons where they are, without a copy" {
	solve_lessons
	run_in_clone "$CLONE/tests/lib/pristine.sh" --worktree --no-build pwd
	assert_ok
	assert_output_has "note: testing the lessons as they are, with the local changes in basic01-xdp-pass,"
	[[ ${lines[-1]} == "$CLONE" ]] || { echo "ran in ${lines[-1]}"; return 1; }
	git -C "$CLONE" checkout -q -- .
	run_in_clone "$CLONE/tests/lib/pristine.sh" --no-build pwd
	assert_ok
	[[ $output == "$CLONE" ]] || { echo "expected only the directory, saw: $output"; return 1; }
}

@test "clone: a tarball (no .git) runs the lessons as they are, and says why" {
	local tarball=$CLONE_WORK/tarball
	mkdir -p "$tarball"
	tar -C "$CLONE" --exclude=./.git -cf - . | tar -C "$tarball" -xf -
	run_in_clone "$tarball/tests/lib/pristine.sh" --no-build pwd
	assert_ok
	assert_output_has "note: git cannot tell what changed here (no clone: a tarball?): testing the lessons as they are in $tarball"
	[[ ${lines[-1]} == "$tarball" ]] || { echo "ran in ${lines[-1]}"; return 1; }
}
