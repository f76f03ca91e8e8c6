#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command of the repository (tests/run.sh, scripts/demo.sh) on the
# lessons as committed, so that what a student changed in a lesson, solved,
# half done or not compiling, never breaks or hangs `make test` or `make demo`.
# `make check` in a lesson is what tests the student's own code.
#
# Usage: tests/lib/pristine.sh [--worktree] [--no-build] COMMAND [ARGS...]
#   --worktree  take the lessons as they are here, changes and all (for
#               tutorial authors who change a lesson: make test WORKTREE=1)
#   --no-build  run COMMAND without running make first
#
# When a lesson (basic01-xdp-pass/, ...) differs from the last commit, this
# makes a copy of the repository in a temporary directory: the lessons from
# the last commit (git archive HEAD), everything else (tests, scripts, common/,
# headers/, testenv/, the solutions) as it is here. It says so in one line,
# builds the copy (a libbpf built from source is reused, not built again),
# runs COMMAND there, and removes the copy when COMMAND ends, also after a
# failure or Ctrl-C. Without such changes, or outside a git clone (a tarball:
# it says so), COMMAND runs here, after make.
#
# COMMAND runs from the top of the tree chosen, with XDP_TUTORIAL_TREE set to
# that tree; a command started with XDP_TUTORIAL_TREE set runs where it is.
set -euo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COPY=""

usage() {
	sed -n 's/^# \{0,1\}//; 9,12p' "${BASH_SOURCE[0]}"
}

die() {
	echo "error: $*" >&2
	exit 2
}

# The lessons: the top-level directories named like basic01-xdp-pass.
is_lesson() { # PATH
	[[ $1 =~ ^[a-z]+[0-9][0-9]-[^/]*$ ]]
}

# git on this tree. safe.directory: run as root (sudo make test) in a clone
# that a user owns, git would refuse to read it.
git_here() {
	git -c safe.directory="$TOP_DIR" -C "$TOP_DIR" "$@"
}

in_own_git_clone() {
	local top
	command -v git >/dev/null 2>&1 || return 1
	top=$(git_here rev-parse --show-toplevel 2>/dev/null) || return 1
	# A tarball unpacked inside some other repository is not a clone.
	[[ $(cd "$top" && pwd -P) == $(cd "$TOP_DIR" && pwd -P) ]] &&
		git_here rev-parse --verify -q HEAD >/dev/null
}

# The lessons that differ from HEAD (changed, added or removed files,
# untracked ones too, not what .gitignore ignores), one a line.
changed_lessons() {
	local line path
	git_here status --porcelain --untracked-files=all 2>/dev/null |
		while IFS= read -r line; do
			path=${line:3}
			path=${path#\"}
			path=${path##* -> }
			path=${path%%/*}
			if is_lesson "$path"; then
				echo "$path"
			fi
		done | sort -u
}

# The lessons as committed: the lesson directories HEAD holds.
committed_lessons() {
	local dir
	git_here ls-tree -d --name-only HEAD | while IFS= read -r dir; do
		if is_lesson "$dir"; then
			echo "$dir"
		fi
	done
}

# shellcheck disable=SC2317 # called by the EXIT trap
remove_copy() {
	if [[ -n $COPY && -d $COPY ]]; then
		rm -rf "$COPY"
	fi
}

# Fill COPY: this tree's files but the lessons (what git tracks and the new
# files it does not ignore: no build products), then the lessons from HEAD.
make_copy() {
	local file files=() lessons=()
	COPY=$(mktemp -d "${TMPDIR:-/tmp}/xdp-tutorial-committed.XXXXXX")
	# The lab tests run some commands as user nobody, from this tree.
	chmod 755 "$COPY"
	while IFS= read -r -d '' file; do
		# Leave out the lessons, the libbpf submodule, and files deleted here.
		if is_lesson "${file%%/*}" || [[ $file == libbpf || $file == libbpf/* ]]; then
			continue
		fi
		if [[ -f $TOP_DIR/$file || -L $TOP_DIR/$file ]]; then
			files+=("$file")
		fi
	done < <(git_here ls-files -z --cached --others --exclude-standard)
	printf '%s\0' "${files[@]}" | tar -C "$TOP_DIR" --null --no-recursion -T - -cf - |
		tar -C "$COPY" -xf -
	mapfile -t lessons < <(committed_lessons)
	if [[ ${#lessons[@]} -gt 0 ]]; then
		git_here archive --format=tar HEAD -- "${lessons[@]}" | tar -C "$COPY" -xf -
	fi
	# libbpf from source (no system libbpf >= 1.0): the copy builds against
	# this tree's submodule, into this tree's build/, where it is built already.
	if [[ -f $TOP_DIR/libbpf/src/Makefile ]]; then
		ln -s "$TOP_DIR/libbpf" "$COPY/libbpf"
	fi
	export LIBBPF_BUILD_DIR=${LIBBPF_BUILD_DIR:-$TOP_DIR/build}
}

# Build TREE; in a copy, show make's output only when it fails.
build_tree() { # TREE QUIET
	local log
	if [[ $2 -eq 0 ]]; then
		make --no-print-directory -C "$1" all
		return
	fi
	mkdir -p "$1/build"
	log=$1/build/make.log
	if ! make --no-print-directory -C "$1" -j "$(nproc 2>/dev/null || echo 2)" all >"$log" 2>&1; then
		cat "$log" >&2
		echo "error: the lessons as committed do not build (make in $1, above): fix the commit," \
			"or run with --worktree" >&2
		return 1
	fi
}

main() {
	local worktree=0 build=1 tree=$TOP_DIR changed rc=0
	while [[ $# -gt 0 ]]; do
		case $1 in
		--worktree) worktree=1; shift ;;
		--no-build) build=0; shift ;;
		-h | --help) usage; exit 0 ;;
		--) shift; break ;;
		-*) die "unknown option '$1' (see tests/lib/pristine.sh --help)" ;;
		*) break ;;
		esac
	done
	[[ $# -gt 0 ]] || die "no command given (see tests/lib/pristine.sh --help)"

	if [[ -n ${XDP_TUTORIAL_TREE:-} ]]; then
		exec "$@"
	fi
	if ! in_own_git_clone; then
		echo "note: git cannot tell what changed here (no clone: a tarball?):" \
			"testing the lessons as they are in $TOP_DIR"
	else
		changed=$(changed_lessons | paste -sd, | sed 's/,/, /g')
		if [[ -n $changed && $worktree -eq 1 ]]; then
			echo "note: testing the lessons as they are, with the local changes in $changed (--worktree)"
		elif [[ -n $changed ]]; then
			if [[ $changed == *,* ]]; then
				changed+=" have"
			else
				changed+=" has"
			fi
			echo "note: $changed local changes: this runs the lessons as committed (HEAD);" \
				"run make check in a lesson to test your code"
			trap remove_copy EXIT
			trap 'exit 130' INT
			trap 'exit 143' TERM
			make_copy
			tree=$COPY
		fi
	fi

	if [[ $build -eq 1 ]]; then
		build_tree "$tree" "$([[ $tree == "$TOP_DIR" ]] && echo 0 || echo 1)"
	fi
	cd "$tree"
	export XDP_TUTORIAL_TREE=$tree
	if [[ $tree == "$TOP_DIR" ]]; then
		exec "$@"
	fi
	# Not exec: the copy is removed when COMMAND ends.
	"$@" || rc=$?
	exit "$rc"
}

main "$@"
