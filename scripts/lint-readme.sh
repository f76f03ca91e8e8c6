#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Part of make lint: every README command that loads an object file with ip
# (ip link set dev X xdp obj F ...) names the program it attaches, with
# 'sec SECTION' or 'program NAME'. Without either, ip takes the first program of
# a section it guesses, which is not what the reader expects once an object
# holds more than one program (and older iproute2 looks for section "prog").
#
# Usage: scripts/lint-readme.sh [FILE...]   (default: every README.org and
#        README.md of the repository, libbpf/ and build/ left out)
# Prints FILE:LINE: and the command for each finding; exits 1 if there was any.
set -euo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# An object loaded with ip, the file named (prose such as "ip ... xdp obj" or
# "xdp obj ..." names none), and the words that name the program.
LOADS='(^|[^[:alnum:]_])xdp(generic|drv|offload)?[[:space:]]+(obj|object)[[:space:]]+[^[:space:].=~][^[:space:]=~]*'
NAMES='[[:space:]](sec|section|program)[[:space:]]+[^[:space:]]'

readmes() {
	if git -C "$TOP_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$TOP_DIR" ls-files --cached --others --exclude-standard
	else
		(cd "$TOP_DIR" && find . -path ./.git -prune -o -type f -print | sed 's|^\./||')
	fi | grep -E '(^|/)README\.(org|md)$' | grep -Ev '^(libbpf|build)(/|$)' | sort -u
}

# Each command once, continuation lines (ending in \) joined to it.
check_file() { # FILE
	local file=$1 line joined="" start=0 n=0 bad=0
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		[[ -n $joined ]] || start=$n
		if [[ $line == *\\ ]]; then
			joined+="${line%\\} "
			continue
		fi
		joined+=$line
		if [[ $joined =~ $LOADS && ! ${joined#*"${BASH_REMATCH[0]}"} =~ $NAMES ]]; then
			printf '%s:%d: ip loads an object without naming its program (add "sec xdp" or' \
				"$file" "$start"
			printf ' "program NAME"): %s\n' "${joined#"${joined%%[![:space:]]*}"}"
			bad=1
		fi
		joined=""
	done <"$file"
	return "$bad"
}

main() {
	local files=("$@") file bad=0
	case ${1:-} in
	-h | --help)
		sed -n 's/^# \{0,1\}//; 4,12p' "${BASH_SOURCE[0]}"
		exit 0
		;;
	esac
	if [[ ${#files[@]} -eq 0 ]]; then
		mapfile -t files < <(readmes | sed "s|^|$TOP_DIR/|")
	fi
	for file in "${files[@]}"; do
		[[ -f $file ]] || { echo "error: no file $file" >&2; exit 2; }
		check_file "$file" || bad=$((bad + 1))
	done
	echo "README ip commands: ${#files[@]} files, $bad with an 'xdp obj' that names no program"
	[[ $bad -eq 0 ]]
}

main "$@"
