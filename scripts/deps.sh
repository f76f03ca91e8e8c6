#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building the lessons, the labs and the tests need, and prepare
# the kernel's file systems (bpffs, tracefs). Called by 'make deps' (--install)
# and by 'make test' and 'make demo' (--ensure).
#
# "Missing" is decided by looking for commands and files, not by asking the
# package manager, so tools that came from elsewhere (a source build, another
# repository) count as present.

set -euo pipefail

PROG=${0##*/}

# Where file checks look (a directory standing in for /, for testing), and
# which package names to use (debian or fedora; detected when unset).
DEPS_ROOT=${DEPS_ROOT:-}
DEPS_FAMILY=${DEPS_FAMILY:-}

# Tools such as ip, tcpdump and ethtool live in sbin, which a normal user's
# PATH often lacks: they are installed all the same.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

BPFFS_DIR=/sys/fs/bpf
TRACEFS_DIR=/sys/kernel/tracing

usage() {
	cat <<EOF
Usage: $PROG MODE [matrix]

Install and check what the lessons, the labs and the tests need.

Modes:
  --check     list what is missing; exit 1 if anything is
  --ensure    if something is missing: install it (as root) or print the one
              command that does (not root); then, as root, run --kernel.
              Prints nothing when there is nothing to do.
  --install   install what is missing (needs root; what 'make deps' runs),
              then run --kernel
  --kernel    mount bpffs at $BPFFS_DIR and tracefs at $TRACEFS_DIR
              where they are not mounted (needs root)
  -h, --help  this text

With 'matrix', the requirements are those of the kernel matrix (make
test-kernels: qemu, a static busybox, kmod, cpio, xz) instead.

Supported: Debian and Ubuntu (apt-get), Fedora (dnf).

Environment (for testing):
  DEPS_ROOT=DIR        look for header files under DIR instead of /
  DEPS_FAMILY=NAME     use the package names of NAME (debian or fedora)
EOF
}

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

# --- The requirements ---------------------------------------------------------
#
# One line per requirement: its name (the Debian package), the check that finds
# it, the Debian/Ubuntu packages (alternatives separated by '|', the first one
# that the archive has is used; @KVER@ is the running kernel's release) and the
# Fedora packages.

REQ_NAMES=()
REQ_CHECKS=()
REQ_APT=()
REQ_DNF=()

require() {
	REQ_NAMES+=("$1")
	REQ_CHECKS+=("$2")
	REQ_APT+=("$3")
	REQ_DNF+=("$4")
}

define_requirements() {
	require clang          "has_cmd clang"                     "clang"          "clang"
	require llvm           "has_cmd llvm-objdump"              "llvm"           "llvm"
	require gcc            "has_cmd gcc"                       "gcc"            "gcc"
	require make           "has_cmd make"                      "make"           "make"
	require pkg-config     "has_cmd pkg-config"                "pkg-config"     "pkgconf-pkg-config"
	require libc6-dev      "has_file usr/include/stdio.h"      "libc6-dev"      "glibc-devel"
	require linux-libc-dev "has_file usr/include/linux/if_ether.h" "linux-libc-dev" "kernel-headers"
	require libbpf-dev     "has_lib libbpf usr/include/bpf/libbpf.h" "libbpf-dev" "libbpf-devel"
	require libelf-dev     "has_lib libelf usr/include/gelf.h" "libelf-dev"     "elfutils-libelf-devel"
	require zlib1g-dev     "has_lib zlib usr/include/zlib.h"   "zlib1g-dev"     "zlib-devel"
	require iproute2       "has_cmd ip tc"                     "iproute2"       "iproute iproute-tc"
	require iputils-ping   "has_cmd ping"                      "iputils-ping"   "iputils"
	require tcpdump        "has_cmd tcpdump"                   "tcpdump"        "tcpdump"
	# Ubuntu's bpftool and perf are wrappers that fail unless the tools of the
	# running kernel are installed: check that they run, not that they exist.
	require bpftool        "runs bpftool version" \
		"bpftool | linux-tools-@KVER@ linux-tools-common | linux-tools-generic linux-tools-common" \
		"bpftool"
	require bats           "has_cmd bats"                      "bats"           "bats"
	require jq             "has_cmd jq"                        "jq"             "jq"
	require patch          "has_cmd patch"                     "patch"          "patch"
	require shellcheck     "has_cmd shellcheck"                "shellcheck"     "ShellCheck"
	require clang-format   "has_cmd clang-format"              "clang-format"   "clang-tools-extra"
	require netcat-openbsd "has_cmd nc"                        "netcat-openbsd" "netcat"
	require xxd            "has_cmd xxd"                       "xxd"            "vim-common"
	require linux-perf     "runs perf version" \
		"linux-perf | linux-tools-@KVER@ linux-tools-common | linux-tools-generic linux-tools-common" \
		"perf"
	require util-linux     "has_cmd unshare nsenter setpriv"   "util-linux"     "util-linux"
	require ethtool        "has_cmd ethtool"                   "ethtool"        "ethtool"
	# basic04 loads its object with xdp-loader too (tests/lab/basic04.bats).
	require xdp-tools      "has_cmd xdp-loader"                "xdp-tools"      "xdp-tools"
	# make SANITIZE=1 links gcc's AddressSanitizer and UBSan runtimes (on
	# Debian, gcc brings them; Fedora packages them apart).
	require libasan        "has_gcc_lib libasan.so libubsan.so" \
		"libasan8 libubsan1 | libasan6 libubsan1" "libasan libubsan"
	# make bench: the Linux baselines it measures XDP against, and its chart.
	require iptables       "has_cmd iptables"                  "iptables"       "iptables-legacy iptables-nft"
	require nftables       "has_cmd nft"                       "nftables"       "nftables"
	require gnuplot        "has_cmd gnuplot"                   "gnuplot-nox"    "gnuplot"
}

# The kernel matrix (tests/kernels/run.sh) boots other kernels under qemu.
define_matrix_requirements() {
	require qemu-system-x86 "has_cmd qemu-system-x86_64"        "qemu-system-x86" "qemu-system-x86-core"
	require busybox-static "has_static_busybox"                "busybox-static" "busybox"
	require kmod           "has_cmd depmod modprobe"           "kmod"           "kmod"
	require cpio           "has_cmd cpio"                      "cpio"           "cpio"
	require xz-utils       "has_cmd xz"                        "xz-utils"       "xz"
	require binutils       "has_cmd readelf"                   "binutils"       "binutils"
}

# --- Checks -------------------------------------------------------------------

has_cmd() {
	local cmd
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || return 1
	done
}

has_file() {
	[ -e "$DEPS_ROOT/$1" ]
}

# A library is there when pkg-config knows it or its header is in place.
has_lib() {
	if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1" 2>/dev/null; then
		return 0
	fi
	has_file "$2"
}

# The initramfs of the kernel matrix has no shared libraries.
has_static_busybox() {
	local headers
	command -v busybox >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 || return 1
	headers=$(readelf -l "$(command -v busybox)" 2>/dev/null) || return 1
	[[ $headers != *"program interpreter"* ]]
}

# gcc finds each library LIB (it prints a path, not the bare name, when it does).
has_gcc_lib() {
	local lib
	command -v gcc >/dev/null 2>&1 || return 1
	for lib in "$@"; do
		[[ $(gcc -print-file-name="$lib") == /* ]] || return 1
	done
}

runs() {
	command -v "$1" >/dev/null 2>&1 && "$@" >/dev/null 2>&1
}

# What a check looks for, in words.
describe_check() {
	local kind=$1
	shift
	case $kind in
	has_cmd) echo "command: $*" ;;
	has_file) echo "file: $DEPS_ROOT/$1" ;;
	has_lib) echo "pkg-config module $1 or $DEPS_ROOT/$2" ;;
	has_gcc_lib) echo "gcc's $*" ;;
	runs) echo "working '$*'" ;;
	esac
}

check_requirement() {
	local words
	read -ra words <<<"${REQ_CHECKS[$1]}"
	"${words[@]}"
}

# Fills MISSING with the indexes of the requirements that are not met.
find_missing() {
	local i
	MISSING=()
	for i in "${!REQ_NAMES[@]}"; do
		check_requirement "$i" || MISSING+=("$i")
	done
}

# --- Package names ------------------------------------------------------------

detect_family() {
	if [ -n "$DEPS_FAMILY" ]; then
		return
	fi
	if command -v apt-get >/dev/null 2>&1; then
		DEPS_FAMILY=debian
	elif command -v dnf >/dev/null 2>&1; then
		DEPS_FAMILY=fedora
	else
		DEPS_FAMILY=unknown
	fi
}

# The packages of REQ_APT that the archive has, asked of apt-cache once (it is
# slow), before package names are looked up in subshells.
APT_CANDIDATES=
load_apt_candidates() {
	local all
	[ "$DEPS_FAMILY" = debian ] && command -v apt-cache >/dev/null 2>&1 || return 0
	all=$(printf '%s ' "${REQ_APT[@]}" | tr '|' ' ')
	all=${all//@KVER@/$(uname -r)}
	# shellcheck disable=SC2086 # one word per package
	APT_CANDIDATES=" $(apt-cache policy $all 2>/dev/null | awk '
		/^[^ ]/ { name = $1; sub(/:$/, "", name) }
		/^  Candidate:/ && $2 != "(none)" { printf "%s ", name }') "
}

apt_has_candidate() {
	[[ "$APT_CANDIDATES" == *" $1 "* ]]
}

# The first alternative whose packages all have an install candidate, or the
# first alternative when the package lists cannot tell.
resolve_apt() {
	local spec=${1//@KVER@/$(uname -r)}
	local alternatives alt pkgs pkg ok first=
	IFS='|' read -ra alternatives <<<"$spec"
	for alt in "${alternatives[@]}"; do
		read -ra pkgs <<<"$alt"
		[ -n "$first" ] || first="${pkgs[*]}"
		ok=yes
		for pkg in "${pkgs[@]}"; do
			apt_has_candidate "$pkg" || { ok=; break; }
		done
		if [ -n "$ok" ]; then
			echo "${pkgs[*]}"
			return
		fi
	done
	echo "$first"
}

# The packages that provide requirement $1 on this distribution.
packages_for() {
	case $DEPS_FAMILY in
	fedora) echo "${REQ_DNF[$1]}" ;;
	*) resolve_apt "${REQ_APT[$1]}" ;;
	esac
}

# Sets PACKAGES to the packages of the missing requirements, without repeats.
missing_packages() {
	local i pkg list
	PACKAGES=()
	for i in "${MISSING[@]}"; do
		read -ra list <<<"$(packages_for "$i")"
		for pkg in "${list[@]}"; do
			case " ${PACKAGES[*]} " in
			*" $pkg "*) ;;
			*) PACKAGES+=("$pkg") ;;
			esac
		done
	done
}

# --- Installing ---------------------------------------------------------------

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# The one line a user who is not root sees.
need_root() {
	local what=$1
	echo "$PROG: $what: run 'sudo make $DEPS_TARGET' to install (needs root)" >&2
	exit 1
}

# apt-get's output is kept in a file and shown only when it fails.
run_quietly() {
	local log
	log=$(mktemp)
	if "$@" >"$log" 2>&1; then
		rm -f "$log"
		return 0
	fi
	cat "$log" >&2
	rm -f "$log"
	return 1
}

install_with_apt() {
	export DEBIAN_FRONTEND=noninteractive
	echo "Updating the package lists (apt-get update)"
	if ! run_quietly apt-get -q -o DPkg::Lock::Timeout=300 update; then
		echo "$PROG: warning: apt-get update failed; trying the package lists as they are" >&2
	fi
	load_apt_candidates
	missing_packages
	echo "Installing with apt-get: ${PACKAGES[*]}"
	say_apt_plan
	# --no-remove: a package this needs never takes another one's place.
	run_quietly apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends \
		--no-remove "${PACKAGES[@]}" ||
		die "apt-get install failed (its output is above); check that the package lists are reachable ('apt-get update')"
}

# Say what else apt-get will install or upgrade for PACKAGES (dependencies),
# from its own dry run, before it does.
say_apt_plan() {
	local plan=() name
	while read -r name; do
		case " ${PACKAGES[*]} " in
		*" $name "*) ;;
		*) plan+=("$name") ;;
		esac
	done < <(apt-get -s -q --no-install-recommends install "${PACKAGES[@]}" 2>/dev/null |
		awk '$1 == "Inst" { print $2 }')
	if [ "${#plan[@]}" -gt 0 ]; then
		echo "  and what they depend on: ${plan[*]}"
	fi
}

install_with_dnf() {
	missing_packages
	echo "Installing with dnf: ${PACKAGES[*]}"
	# Nothing else is removed or replaced: no --allowerasing.
	dnf install -y -q --setopt=install_weak_deps=False "${PACKAGES[@]}" ||
		die "dnf install failed (see above)"
}

install_missing() {
	case $DEPS_FAMILY in
	debian) install_with_apt ;;
	fedora) install_with_dnf ;;
	*) die "no apt-get or dnf here: install these yourself: $(missing_names)" ;;
	esac
	find_missing
	if [ "${#MISSING[@]}" -gt 0 ]; then
		die "still missing after installing: $(missing_names) (run '$PROG --check' for details)"
	fi
}

missing_names() {
	local i names=()
	for i in "${MISSING[@]}"; do
		names+=("${REQ_NAMES[$i]}")
	done
	echo "${names[*]}"
}

# --- The kernel's file systems ------------------------------------------------

# Is a file system of this type (as stat -f names it) mounted at DIR? Asked of
# the directory itself, not of the mount table, where a mount hidden under
# another one would still be listed.
is_mounted() {
	[ "$(stat -f -c %T "$2" 2>/dev/null)" = "$1" ]
}

mount_fs() {
	local type=$1 dir=$2 what=$3 name=$4 stat_type=$5
	if is_mounted "$stat_type" "$dir"; then
		return 0
	fi
	mkdir -p "$dir" 2>/dev/null || true
	if ! mount -t "$type" "$type" "$dir"; then
		echo "$PROG: error: cannot mount $name at $dir: is $what enabled in this kernel?" >&2
		return 1
	fi
	echo "Mounted $name at $dir"
}

prepare_kernel() {
	if ! is_root; then
		echo "$PROG: mounting bpffs and tracefs needs root: run 'sudo $0 --kernel'" >&2
		exit 1
	fi
	local failed=0
	mount_fs bpf "$BPFFS_DIR" CONFIG_BPF_SYSCALL bpffs bpf_fs || failed=1
	mount_fs tracefs "$TRACEFS_DIR" CONFIG_TRACING tracefs tracefs || failed=1
	return "$failed"
}

# --- Modes --------------------------------------------------------------------

# A system libbpf older than 1.0 is no use: the build takes the libbpf/ submodule.
note_old_libbpf() {
	if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libbpf 2>/dev/null &&
		! pkg-config --atleast-version=1.0 libbpf; then
		echo "Note: the system libbpf is $(pkg-config --modversion libbpf), older than 1.0;" \
			"the build uses the libbpf/ submodule: run 'git submodule update --init libbpf'"
	fi
}

do_check() {
	local i
	find_missing
	if [ "${#MISSING[@]}" -eq 0 ]; then
		echo "All ${#REQ_NAMES[@]} requirements are present."
		note_old_libbpf
		return 0
	fi
	load_apt_candidates
	for i in "${MISSING[@]}"; do
		local words
		read -ra words <<<"${REQ_CHECKS[$i]}"
		printf 'missing: %-28s (%s)\n' "$(packages_for "$i")" "$(describe_check "${words[@]}")"
	done
	missing_packages
	echo "${#MISSING[@]} of ${#REQ_NAMES[@]} requirements missing: run 'sudo make $DEPS_TARGET' to install ${PACKAGES[*]}"
	return 1
}

do_ensure() {
	find_missing
	if [ "${#MISSING[@]}" -gt 0 ]; then
		is_root || need_root "missing $(missing_names)"
		install_missing
	fi
	if is_root; then
		prepare_kernel
	fi
}

do_install() {
	find_missing
	if [ "${#MISSING[@]}" -eq 0 ]; then
		echo "Everything needed is installed."
	else
		is_root || need_root "missing $(missing_names)"
		install_missing
		echo "Installed: ${PACKAGES[*]}"
	fi
	note_old_libbpf
	if is_root; then
		prepare_kernel
	fi
}

main() {
	if [ "$#" -lt 1 ] || [ "$#" -gt 2 ] || { [ "$#" -eq 2 ] && [ "$2" != matrix ]; }; then
		usage >&2
		exit 2
	fi
	if [ "${2:-}" = matrix ]; then
		DEPS_TARGET=deps-kernels
		define_matrix_requirements
	else
		DEPS_TARGET=deps
		define_requirements
	fi
	detect_family
	case $1 in
	--check) do_check ;;
	--ensure) do_ensure ;;
	--install) do_install ;;
	--kernel) prepare_kernel ;;
	-h | --help) usage ;;
	*)
		echo "$PROG: unknown option '$1'" >&2
		usage >&2
		exit 2
		;;
	esac
}

main "$@"
