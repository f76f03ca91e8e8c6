#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: shellcheck every shell script, check every C file against
# .clang-format, and the ip commands of the READMEs (scripts/lint-readme.sh). Looks at the files git tracks and the untracked ones it does
# not ignore (or every file, outside a git checkout), never inside libbpf/ or
# build/. Prints each finding, then a summary; exits 1 if there was any.

set -euo pipefail

PROG=${0##*/}
TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIX=

usage() {
	cat <<EOF
Usage: $PROG [--fix]

Lint the repository:
  shellcheck                      on *.sh, *.bash, .ci/run, scripts with a sh or
                                  bash #! line, and *.bats (as bash)
  clang-format --dry-run --Werror on *.c and *.h (style: .clang-format)
  scripts/lint-readme.sh          every README's 'ip ... xdp obj F' names its
                                  program (sec SECTION or program NAME)
libbpf/ and build/ are left out, and so is whatever .gitignore ignores.

Options:
  --fix       reformat the C files in place (clang-format -i) instead of
              reporting them; shell findings are still reported
  -h, --help  this text
EOF
}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

# Every file of the repository worth looking at, one per line, relative to TOP_DIR.
list_files() {
	if git -C "$TOP_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# Submodules are listed as one entry (a directory), not file by file.
		git -C "$TOP_DIR" ls-files --cached --others --exclude-standard
	else
		(cd "$TOP_DIR" && find . -path ./.git -prune -o -type f -print | sed 's|^\./||')
	fi | grep -Ev '^(libbpf|build)(/|$)' | sort -u
}

is_shell_script() {
	local file=$1 first
	case $file in
	*.sh | *.bash | *.bats | .ci/run) return 0 ;;
	*.*) return 1 ;;
	esac
	[ -f "$TOP_DIR/$file" ] || return 1
	IFS= read -r first <"$TOP_DIR/$file" 2>/dev/null || return 1
	[[ "$first" =~ ^#!.*(/|[[:space:]])(ba)?sh([[:space:]]|$) ]]
}

SHELL_FILES=()
C_FILES=()

collect_files() {
	local file
	while IFS= read -r file; do
		[ -f "$TOP_DIR/$file" ] || continue # deleted but still in the index
		case $file in
		*.c | *.h) C_FILES+=("$file") ;;
		*) if is_shell_script "$file"; then SHELL_FILES+=("$file"); fi ;;
		esac
	done < <(list_files)
}

# Runs shellcheck on each script; sets SHELL_BAD to the number with findings.
# Bats files are checked as bash: shellcheck understands their @test blocks.
check_shell() {
	local file args
	SHELL_BAD=0
	for file in "${SHELL_FILES[@]}"; do
		args=()
		case $file in
		*.bats) args=(-s bash) ;;
		esac
		if ! (cd "$TOP_DIR" && shellcheck -x -P SCRIPTDIR "${args[@]}" "$file"); then
			SHELL_BAD=$((SHELL_BAD + 1))
		fi
	done
}

# One line per place clang-format would change (its copy of the source line
# and the caret under it are left out); fails when there is any.
report_c() {
	local out status=0
	out=$(cd "$TOP_DIR" && clang-format --dry-run --Werror --style=file "$1" 2>&1) || status=$?
	if [ "$status" -ne 0 ]; then
		grep -E '^[^[:space:]].*:[0-9]+:[0-9]+: ' <<<"$out" || echo "$out"
		echo "  see the changes: clang-format $1 | diff -u $1 -"
	fi
	return "$status"
}

# Runs clang-format on each C file; sets C_BAD to the number with findings.
check_c() {
	local file
	C_BAD=0
	for file in "${C_FILES[@]}"; do
		if [ -n "$FIX" ]; then
			(cd "$TOP_DIR" && clang-format -i --style=file "$file") ||
				C_BAD=$((C_BAD + 1))
		elif ! report_c "$file"; then
			C_BAD=$((C_BAD + 1))
		fi
	done
}

main() {
	case ${1:-} in
	"") ;;
	--fix) FIX=yes ;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "$PROG: unknown option '$1'" >&2
		usage >&2
		exit 2
		;;
	esac

	command -v shellcheck >/dev/null 2>&1 ||
		die "shellcheck not found: install it with 'sudo make deps'"
	command -v clang-format >/dev/null 2>&1 ||
		die "clang-format not found: install it with 'sudo make deps'"
	[ -f "$TOP_DIR/.clang-format" ] || die "no .clang-format at the top of $TOP_DIR"

	collect_files
	check_shell
	check_c
	README_BAD=0
	"$TOP_DIR/scripts/lint-readme.sh" || README_BAD=1

	echo
	echo "shellcheck:   ${#SHELL_FILES[@]} scripts, $SHELL_BAD with findings"
	if [ -n "$FIX" ]; then
		echo "clang-format: ${#C_FILES[@]} C files reformatted in place, $C_BAD failed"
	else
		echo "clang-format: ${#C_FILES[@]} C files, $C_BAD not formatted as .clang-format says"
		if [ "$C_BAD" -gt 0 ]; then
			echo "              (reformat them: scripts/lint.sh --fix, or clang-format -i FILE)"
		fi
	fi
	if [ $((SHELL_BAD + C_BAD + README_BAD)) -gt 0 ]; then
		echo "lint: FAILED"
		exit 1
	fi
	echo "lint: clean"
}

main "$@"
