#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# testenv.sh: veth + network-namespace labs for the XDP tutorial.
#
# A lab ("environment") NAME is a network namespace NAME holding the inner end
# of a veth pair, called veth0, while the outer end, called NAME, stays in the
# namespace you run this from. XDP programs attach to the outer end; traffic
# comes from inside the namespace. Run with --help for the commands.
#
#   this namespace                       netns NAME
#   +-----------------------+            +-----------------------+
#   | NAME                  |<---veth--->| veth0                 |
#   | fc00:dead:cafe:N::1   |            | fc00:dead:cafe:N::2   |
#   | 02:00:00:00:NN:01     |            | 02:00:00:00:NN:02     |
#   +-----------------------+            +-----------------------+
#
# The lab is quiet: ARP and neighbour discovery are off on both ends (the
# neighbours are static), so no solicited-node multicast group is joined and
# no MLD report is sent; DAD and router solicitations are off too. The frames
# that arrive at NAME are the ones you send.
set -Eeuo pipefail
# What this makes as root (state files, pin directories) is not for other
# users to change: they could redirect what root later reads.
umask 022

readonly PROG=testenv
readonly STATE_DIR=/run/xdp-tutorial/testenv
readonly BPFFS=/sys/fs/bpf
readonly INNER_DEV=veth0
readonly VLAN_ID=100
readonly MAX_ENVS=255
readonly IP6_BASE=fc00:dead:cafe
readonly IP4_BASE=198.18
readonly VLAN_IP4_BASE=198.19
readonly PING_DEFAULTS=(-c 3 -W 1)
# Router labs (t router): how many there can be, and how many hosts each has.
readonly ROUTER_MAX=4
readonly ROUTER_LEGS=3
readonly ROUTER_DEFAULT=router
# IPv6 settings that make a new interface silent (see quiet_settings).
readonly QUIET_SYSCTLS=(accept_dad dad_transmits router_solicitations accept_ra)

# Parsed command line.
CMD=""
OPT_NAME=""
NAME_GIVEN=0
OPT_GEN_NEW=0
OPT_LEGACY_IP=0
OPT_VLAN=0
OPT_INNER=0
WANT_HELP=0
SEEN_OPTS=()
POSITIONAL=()
EXTRA_ARGS=()
HAVE_EXTRA=0

# The lab a command works on, read from its state file.
ENV_NAME=""
ENV_ID=""
ENV_LEGACY_IP=0
ENV_VLAN=0
ENV_REDIRECT_TO=""
# Who put testenv's XDP_PASS program on the lab's veth0: "redirect" (a redirect
# into this lab, which takes it away again), "user" (inner-xdp or wire: it
# stays until 'inner-xdp off'), or "" (nobody).
ENV_INNER_XDP=""

# Set while a setup or a redirect runs, so that a failure removes what it had made.
SETUP_IN_PROGRESS=""
REDIRECT_IN_PROGRESS=""
ROUTER_IN_PROGRESS=""

show_help() {
	cat <<EOF
Usage: testenv.sh [OPTIONS] COMMAND [OPTIONS] [-- ARGS...]

Veth + network-namespace labs for the XDP tutorial. A lab NAME is a network
namespace NAME holding veth0, the inner end of a veth pair; the outer end, also
called NAME, stays here: attach XDP programs to it and send traffic from inside.
Commands work on your current lab (the one you set up last, or the last one you
named with -n) unless -n NAME says otherwise.

Commands:
  setup            create a lab: -n NAME, or a fresh name (test01, test02, ...)
                   when no -n is given (the same as -g); it becomes the current lab
  teardown         remove a lab and all it holds: veth pair, namespace, pins
                   under $BPFFS/NAME, state; with nothing to remove it says so
  reset            teardown + setup with the same name, number and options
  enter            open a shell inside the lab's namespace (exit to leave)
  exec -- CMD...   run CMD inside the lab's namespace
  ping             ping the inside address from outside: IPv6, or IPv4 with
                   --legacy-ip or when the lab was set up with it; -4 or -6
                   among the ping options chooses the family. By default
                   '${PING_DEFAULTS[*]}': 3 echo requests, and at most 1 s of waiting
                   for each reply. More ping options after '--' or in --ping-args
                   (they win over the defaults):  t ping -- -c 5 -s 100
  tcpdump          capture on the outer interface (--inner: on veth0 inside);
                   tcpdump options after '--', e.g.  t tcpdump -- -c 10 icmp6
  status           list the labs: addresses, attached XDP programs, pins
  alias            print an alias; eval \$(testenv/testenv.sh alias) defines 't'
                   to run this script by its absolute path, from any directory
  load             run the lesson's loader from the current directory:
                   ./xdp_loader --dev NAME [ARGS] (or ./xdp_load_and_stats)
  unload           ./xdp_loader --dev NAME --unload [ARGS]; without a loader
                   here, detach with 'ip link set dev NAME xdp off'; on a lab
                   that redirects, undo the redirect
  stats            run ./xdp_stats --dev NAME [ARGS] from the current directory
  redirect SRC DST send the frames arriving at SRC's outer interface out of DST's
                   outer interface, into DST's namespace (XDP devmap redirect;
                   needs testenv/xdp_redirect.bpf.o: run make)
  inner-xdp [on|off]
                   attach (on, the default) or detach an XDP_PASS program on
                   the lab's veth0: a veth delivers frames that an XDP program
                   redirected or sent back (XDP_TX) into it only when its peer,
                   here veth0, runs an XDP program too; it stays until 'off'
                   (undoing a redirect takes off only what the redirect put on)
  wire A B         make labs A and B ready for redirecting between them: routes
                   inside each to the other's addresses (via its outer end),
                   inner-xdp on both, and tx checksum offload off on both
                   veth0s (a redirected frame must carry complete checksums);
                   undone by their teardown
  router CMD [N]   a router lab: namespace NAME (-n, default '$ROUTER_DEFAULT')
                   with forwarding on, and $ROUTER_LEGS hosts NAME1..NAME$ROUTER_LEGS, each a
                   namespace whose veth0 is wired to interface NAMEk inside
                   NAME, with IPv6 and IPv4, neighbours found by ND and ARP, a
                   default route via the router, inner-xdp, and tx checksum
                   offload off (as with wire). CMD is one of
                     setup, teardown, status
                     load [-- ARGS]    the lesson's ./xdp_loader --dev NAMEk
                                       ARGS on every leg, inside the router
                     unload [-- ARGS]  the same with --unload (or xdp off)
                     exec [N] -- CMD   run CMD in host N (1..$ROUTER_LEGS), or in
                                       the router (N = 0 or none; bpffs stays
                                       visible there)
  help             this text

Options:
  -n, --name NAME      the lab to work on: up to 15 letters, digits, '_' or '-',
                       starting with a letter (11 at most with --vlan)
  -g, --gen-new        setup: generate a fresh name (test01, test02, ...)
      --legacy-ip      setup, reset: add IPv4 addresses too; ping: use IPv4
      --vlan           setup, reset: add VLAN $VLAN_ID sub-interfaces NAME.$VLAN_ID and
                       $INNER_DEV.$VLAN_ID; ping: ping the inside VLAN address
      --inner          tcpdump: capture on $INNER_DEV inside the namespace
      --ping-args ARGS ping: more ping options in one word, e.g. --ping-args "-c 5"
  -h, --help           this text
  --                   what follows goes to the program run: ping, tcpdump,
                       the loader (load, unload, stats), or the command (exec)

Addresses of lab number N (1..$MAX_ENVS, the lowest free one), outside / inside:
  IPv6           $IP6_BASE:N::1/64 / ::2      N in hex
  IPv4           $IP4_BASE.N.1/24 / .2                with --legacy-ip
  VLAN $VLAN_ID IPv6  $IP6_BASE:1NN::1/64 / ::2    NN: N in 2 hex digits; with --vlan
  VLAN $VLAN_ID IPv4  $VLAN_IP4_BASE.N.1/24 / .2                with --vlan --legacy-ip
  MAC            02:00:00:00:NN:01 / 02:00:00:00:NN:02
Router R (1..$ROUTER_MAX), leg k (1..$ROUTER_LEGS), router side / host:
  IPv6           $IP6_BASE:2Rk::1/64 / ::2
  IPv4           $IP4_BASE.0.X+1/28 / .X+2      X = 64 (R - 1) + 16 (k - 1)
  MAC            02:00:00:Rk:00:01 / 02:00:00:Rk:00:02
ARP and neighbour discovery are off and the neighbours are static, so the
only frames crossing the lab are the ones you send. Add a neighbour entry
('ip neigh add ... nud permanent') for any address you add yourself.

State (one file per lab, and each user's current lab): $STATE_DIR
Pins: lessons pin under $BPFFS/NAME; teardown removes that directory.
All commands except help and alias need root.

Examples:
  eval \$(testenv/testenv.sh alias)
  t setup -n lab1 --legacy-ip
  t ping -- -c 1
  t exec -- ip addr show dev $INNER_DEV
  cd basic01-xdp-pass && make && t load && t unload
  t teardown
EOF
}

# ---- messages and checks ----------------------------------------------------

# Inside a command substitution, die exits with DIED_RC so that the main shell
# knows the message has been printed already.
readonly DIED_RC=113

die() {
	printf '%s: error: %s\n' "$PROG" "$*" >&2
	if [[ $BASHPID != "$$" ]]; then
		exit "$DIED_RC"
	fi
	exit 1
}

say() {
	printf '%s\n' "$*"
}

# A command failed where the script did not expect it; the command has already
# printed why. Subshells leave the message to the main shell, so it comes once.
on_error() {
	local rc=$1 cmd=$2 line=$3
	if [[ $BASHPID != "$$" ]]; then
		exit "$rc"
	fi
	if [[ $rc -eq $DIED_RC ]]; then
		exit 1 # the message is out; the EXIT trap cleans up
	fi
	if [[ -n $SETUP_IN_PROGRESS ]]; then
		local name=$SETUP_IN_PROGRESS
		remove_env_parts "$name" >/dev/null 2>&1 || true
		SETUP_IN_PROGRESS=""
		printf '%s: error: setting up %s failed at: %s (see above); removed what it had made\n' \
			"$PROG" "$name" "$cmd" >&2
	else
		printf '%s: error: command failed (line %s): %s\n' "$PROG" "$line" "$cmd" >&2
	fi
	exit "$rc"
}

# Any other way out of a setup or redirect (die, Ctrl-C) undoes it too.
on_exit() {
	if [[ -n $SETUP_IN_PROGRESS ]]; then
		remove_env_parts "$SETUP_IN_PROGRESS" >/dev/null 2>&1 || true
	fi
	if [[ -n $ROUTER_IN_PROGRESS ]]; then
		remove_router_parts "$ROUTER_IN_PROGRESS" >/dev/null 2>&1 || true
	fi
	if [[ -n $REDIRECT_IN_PROGRESS ]]; then
		if read_env_file "$REDIRECT_IN_PROGRESS"; then
			undo_redirect >/dev/null 2>&1 || true
		fi
	fi
}

trap 'on_error $? "$BASH_COMMAND" $LINENO' ERR
trap on_exit EXIT
trap 'exit 130' INT TERM

require_root() {
	[[ $EUID -eq 0 ]] ||
		die "'$CMD' needs root: run it with sudo (the 't' alias does when you are not root)"
}

require_tool() { # TOOL DEBIAN_PACKAGE
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found: install the Debian/Ubuntu package '$2' (or run 'make deps')"
}

validate_name() { # NAME
	local name=$1
	if [[ ${#name} -gt 15 ]]; then
		die "name '$name' is longer than 15 characters, the limit for interface names"
	fi
	if [[ ! $name =~ ^[A-Za-z][A-Za-z0-9_-]*$ ]]; then
		die "name '$name' is not valid: use letters, digits, '_' and '-', starting with a letter"
	fi
}

check_vlan_name() { # NAME
	[[ ${#1} -le $((15 - 1 - ${#VLAN_ID})) ]] ||
		die "name '$1' is too long for --vlan: $1.$VLAN_ID must fit in 15 characters"
}

# /proc/net/vlan appears in every namespace once the 8021q module is in.
require_vlan_support() {
	if [[ ! -e /proc/net/vlan/config ]] && command -v modprobe >/dev/null 2>&1; then
		modprobe -q 8021q 2>/dev/null || true
	fi
	local sender
	sender="$(dirname "$(script_path)")/send_frames"
	[[ -e /proc/net/vlan/config ]] ||
		die "--vlan needs 802.1Q VLAN support, which this kernel lacks (CONFIG_VLAN_8021Q," \
			"module 8021q): set the lab up without --vlan; an XDP program on it still" \
			"sees tagged frames sent from inside: t exec -- $sender --dev veth0 --vlan" \
			"$VLAN_ID ... ($sender --help)"
}

script_path() {
	readlink -f "${BASH_SOURCE[0]}"
}

# ---- command line -------------------------------------------------------------

note_opt() {
	SEEN_OPTS+=("$1")
}

parse_args() {
	local words
	while [[ $# -gt 0 ]]; do
		case $1 in
		--)
			shift
			EXTRA_ARGS+=("$@")
			HAVE_EXTRA=1
			break
			;;
		-n | --name)
			[[ $# -ge 2 ]] || die "option $1 needs a NAME"
			OPT_NAME=$2
			NAME_GIVEN=1
			note_opt --name
			shift 2
			;;
		--name=*)
			OPT_NAME=${1#--name=}
			NAME_GIVEN=1
			note_opt --name
			shift
			;;
		-g | --gen-new)
			OPT_GEN_NEW=1
			note_opt --gen-new
			shift
			;;
		--legacy-ip)
			OPT_LEGACY_IP=1
			note_opt --legacy-ip
			shift
			;;
		--vlan)
			OPT_VLAN=1
			note_opt --vlan
			shift
			;;
		--inner)
			OPT_INNER=1
			note_opt --inner
			shift
			;;
		--ping-args | --ping-args=*)
			if [[ $1 == --ping-args ]]; then
				[[ $# -ge 2 ]] ||
					die "option --ping-args needs an argument, e.g. --ping-args \"-c 5\""
				read -ra words <<<"$2"
				shift 2
			else
				read -ra words <<<"${1#--ping-args=}"
				shift
			fi
			EXTRA_ARGS+=("${words[@]}")
			HAVE_EXTRA=1
			note_opt --ping-args
			;;
		-h | --help)
			WANT_HELP=1
			shift
			;;
		-*)
			if [[ -n $CMD ]] && takes_extra_args "$CMD"; then
				die "unknown option '$1': options for $(extra_args_for "$CMD") go after '--':" \
					"t $CMD -- $*"
			fi
			die "unknown option '$1' (see 'testenv.sh --help')"
			;;
		*)
			if [[ -z $CMD ]]; then
				CMD=$1
			elif [[ $CMD == exec ]]; then
				# The command to run starts here; its options are its own.
				EXTRA_ARGS+=("$@")
				HAVE_EXTRA=1
				break
			else
				POSITIONAL+=("$1")
			fi
			shift
			;;
		esac
	done
}

# Which options each command takes.
allowed_opts() { # COMMAND
	case $1 in
	setup) echo "--name --gen-new --legacy-ip --vlan" ;;
	reset) echo "--name --legacy-ip --vlan" ;;
	ping) echo "--name --legacy-ip --vlan --ping-args" ;;
	tcpdump) echo "--name --inner" ;;
	teardown | enter | exec | status | load | unload | stats | inner-xdp | router) echo "--name" ;;
	*) echo "" ;;
	esac
}

# Which commands pass what follows '--' on to a program.
takes_extra_args() { # COMMAND
	case $1 in
	exec | ping | tcpdump | load | unload | stats | router) return 0 ;;
	*) return 1 ;;
	esac
}

# What gets the arguments after '--', in words.
extra_args_for() { # COMMAND
	case $1 in
	load | unload) echo "the lesson's loader" ;;
	stats) echo "xdp_stats" ;;
	exec) echo "the command" ;;
	*) echo "$1" ;;
	esac
}

check_args() {
	local opt allowed
	[[ -n $CMD ]] || die "no command given (see 'testenv.sh --help')"
	case $CMD in
	setup | teardown | reset | enter | exec | ping | tcpdump | status | alias | load | unload | \
		stats | redirect | inner-xdp | wire | router | help) ;;
	*) die "unknown command '$CMD' (see 'testenv.sh --help')" ;;
	esac
	allowed=" $(allowed_opts "$CMD") "
	for opt in "${SEEN_OPTS[@]}"; do
		[[ $allowed == *" $opt "* ]] ||
			die "option $opt does not apply to '$CMD' (see 'testenv.sh --help')"
	done
	if [[ $HAVE_EXTRA -eq 1 ]] && ! takes_extra_args "$CMD"; then
		die "'$CMD' takes no arguments after '--' (see 'testenv.sh --help')"
	fi
	if [[ $CMD == redirect ]]; then
		[[ ${#POSITIONAL[@]} -eq 2 ]] || die "usage: testenv.sh redirect SRC DST (two lab names)"
	elif [[ $CMD == inner-xdp || $CMD == wire || $CMD == router ]]; then
		check_wiring_args
	elif [[ ${#POSITIONAL[@]} -gt 0 ]]; then
		die "unexpected argument '${POSITIONAL[0]}' for '$CMD' (see 'testenv.sh --help')"
	fi
	if [[ $NAME_GIVEN -eq 1 ]]; then
		validate_name "$OPT_NAME"
	fi
	if [[ $OPT_GEN_NEW -eq 1 && $NAME_GIVEN -eq 1 ]]; then
		die "give either -n NAME or -g, not both"
	fi
}

# ---- state --------------------------------------------------------------------

env_exists() { # NAME
	[[ -f $STATE_DIR/$1.env ]]
}

netns_exists() { # NAME
	[[ -e /run/netns/$1 ]]
}

link_exists() { # NAME (in this namespace)
	ip link show dev "$1" >/dev/null 2>&1
}

# Only ever delete a link called NAME when it is a veth: never a real NIC.
is_veth() { # NAME
	local out
	out=$(ip -o -d link show dev "$1" 2>/dev/null) || return 1
	[[ $out == *'\    veth '* ]]
}

pin_names() { # NAME: what the lab's pin directory holds, on one line
	local entries
	shopt -s nullglob dotglob
	entries=("$BPFFS/$1"/*)
	shopt -u nullglob dotglob
	entries=("${entries[@]##*/}")
	printf '%s' "${entries[*]}"
}

pin_dir_busy() { # NAME: the lab's pin directory exists and holds something
	[[ -d $BPFFS/$1 && -n $(pin_names "$1") ]]
}

read_env() { # NAME: fill in the ENV_* variables
	read_env_file "$1"
	[[ $ENV_ID =~ ^[0-9]+$ && $ENV_REDIRECT_TO =~ ^([A-Za-z][A-Za-z0-9_-]*)?$ &&
		$ENV_INNER_XDP =~ ^(redirect|user)?$ ]] ||
		die "state file $STATE_DIR/$1.env is damaged: remove the lab with 'testenv.sh teardown -n $1'"
}

read_env_file() { # NAME: as read_env, without judging what it finds
	local key value
	ENV_NAME=$1
	ENV_ID=""
	ENV_LEGACY_IP=0
	ENV_VLAN=0
	ENV_REDIRECT_TO=""
	ENV_INNER_XDP=""
	while IFS='=' read -r key value; do
		case $key in
		id) ENV_ID=$value ;;
		legacy_ip) ENV_LEGACY_IP=$value ;;
		vlan) ENV_VLAN=$value ;;
		redirect_to) ENV_REDIRECT_TO=$value ;;
		inner_xdp) ENV_INNER_XDP=$value ;;
		esac
	done <"$STATE_DIR/$1.env"
}

make_state_dir() {
	[[ -d $STATE_DIR ]] || mkdir -p "$STATE_DIR" # mode 755: umask 022
	check_state_dir
}

# Root reads the lab names and ids it keeps there: a state directory that is
# a link, or that another user owns or may write, is not to be trusted.
check_state_dir() {
	local dir=$STATE_DIR owner mode
	while [[ $dir == /*/* ]]; do
		if [[ -e $dir ]]; then
			[[ ! -L $dir ]] || die "$dir is a symbolic link: remove it (state directory of the labs)"
			read -r owner mode < <(stat -c '%u %a' "$dir")
			if [[ $owner -ne 0 || $((8#$mode & 8#022)) -ne 0 ]]; then
				die "$dir is owned by uid $owner with mode $mode: it must belong to root and" \
					"be writable by root only (chown root $dir; chmod go-w $dir)"
			fi
		fi
		dir=${dir%/*}
	done
}

# Commands that make or remove labs run one at a time: two 't setup -n NAME'
# at once would otherwise both find NAME free, or take the same lab number.
# The lock is on the state directory itself (no file to leave behind), and
# goes when this process ends.
lock_state() {
	make_state_dir
	exec {LOCK_FD}<"$STATE_DIR"
	if ! flock -w 60 "$LOCK_FD"; then
		die "another testenv command has held $STATE_DIR for a minute: wait for it, or" \
			"find it with 'fuser $STATE_DIR'"
	fi
}

write_env() { # from the ENV_* variables
	make_state_dir
	printf 'id=%s\nlegacy_ip=%s\nvlan=%s\nredirect_to=%s\ninner_xdp=%s\n' \
		"$ENV_ID" "$ENV_LEGACY_IP" "$ENV_VLAN" "$ENV_REDIRECT_TO" "$ENV_INNER_XDP" \
		>"$STATE_DIR/$ENV_NAME.env"
}

# Record in lab NAME's state who put XDP_PASS on its veth0 (see ENV_INNER_XDP),
# leaving the ENV_* variables of the lab at hand as they are.
set_inner_xdp() { # NAME WHO
	local file=$STATE_DIR/$1.env
	env_exists "$1" || return 0
	grep -q '^inner_xdp=' "$file" || printf 'inner_xdp=\n' >>"$file"
	sed -i "s/^inner_xdp=.*/inner_xdp=$2/" "$file"
}

inner_xdp_of() { # NAME: who put XDP_PASS on its veth0
	env_exists "$1" || return 0
	sed -n 's/^inner_xdp=//p' "$STATE_DIR/$1.env"
}

# The current lab is each user's own: two students on one machine do not
# send each other's commands to their labs. Under sudo (the 't' alias of a
# user who is not root), the user is the one who ran sudo.
current_file() {
	printf '%s/current.%s' "$STATE_DIR" "${SUDO_UID:-$EUID}"
}

# The current lab's name, or "".
current_name() {
	local name=""
	if [[ -f $(current_file) ]]; then
		read -r name <"$(current_file)" || true
	fi
	# A name that validate_name would refuse is no lab of ours.
	if [[ ${#name} -gt 15 || ! $name =~ ^[A-Za-z][A-Za-z0-9_-]*$ ]]; then
		name=""
	fi
	printf '%s' "$name"
}

set_current() { # NAME
	make_state_dir
	printf '%s\n' "$1" >"$(current_file)"
}

forget_current() { # NAME: a lab that is gone is nobody's current lab any more
	local file name
	for file in "$STATE_DIR"/current.*; do
		[[ -f $file ]] || continue
		name=""
		read -r name <"$file" || true
		if [[ $name == "$1" ]]; then
			rm -f "$file"
		fi
	done
}

# The names of the state files STATE_DIR/*.EXT, without .EXT, one a line.
list_state() { # EXT
	local file name
	for file in "$STATE_DIR"/*."$1"; do
		[[ -f $file ]] || continue
		name=${file##*/}
		printf '%s\n' "${name%."$1"}"
	done
}

list_envs() { # names of all labs, one a line
	list_state env
}

# The lab this command works on: -n NAME (which becomes the current lab), or
# the current one. Dies when there is none.
select_env() {
	local name=$OPT_NAME
	if [[ $NAME_GIVEN -eq 0 ]]; then
		name=$(current_name)
		if [[ -z $name ]] || ! env_exists "$name"; then
			die "no current lab: run 't setup' first (or name one with -n NAME)"
		fi
	fi
	env_exists "$name" || die "no lab '$name': run 't setup -n $name' first"
	read_env "$name"
	if [[ $NAME_GIVEN -eq 1 ]]; then
		set_current "$name"
	fi
}

lowest_free_id() {
	local id name
	local -A used=()
	while read -r name; do
		[[ -n $name ]] || continue
		read_env "$name"
		used[$ENV_ID]=1
	done < <(list_envs)
	for ((id = 1; id <= MAX_ENVS; id++)); do
		if [[ -z ${used[$id]:-} ]]; then
			printf '%s' "$id"
			return 0
		fi
	done
	return 1
}

name_in_use() { # NAME
	env_exists "$1" || netns_exists "$1" || link_exists "$1" || pin_dir_busy "$1"
}

generate_name() {
	local i name
	for ((i = 1; i <= MAX_ENVS; i++)); do
		printf -v name 'test%02d' "$i"
		if ! name_in_use "$name"; then
			printf '%s' "$name"
			return 0
		fi
	done
	return 1
}

# ---- addresses ------------------------------------------------------------------

# Lab N's IPv6 prefix is fc00:dead:cafe:N::/64 with N in hex (1..ff); its VLAN
# prefix adds 0x100 (101..1ff), so the two ranges never meet.
ip6_addr() { # ID HOST
	printf '%s:%x::%s' "$IP6_BASE" "$1" "$2"
}

vlan_ip6_addr() { # ID HOST
	printf '%s:%x::%s' "$IP6_BASE" $((0x100 + $1)) "$2"
}

ip4_addr() { # ID HOST
	printf '%s.%d.%s' "$IP4_BASE" "$1" "$2"
}

vlan_ip4_addr() { # ID HOST
	printf '%s.%d.%s' "$VLAN_IP4_BASE" "$1" "$2"
}

# Fixed, locally administered MACs: the static neighbour entries need them
# before the interfaces exist, and they are easy to recognise in tcpdump.
mac_addr() { # ID HOST
	printf '02:00:00:00:%02x:%02x' "$1" "$2"
}

# ---- building and removing labs ---------------------------------------------------

ensure_bpffs() {
	if [[ $(stat -f -c %T "$BPFFS" 2>/dev/null) == bpf_fs ]]; then
		return 0
	fi
	mount -t bpf bpf "$BPFFS" 2>/dev/null ||
		die "$BPFFS is not a bpffs and mounting one there failed: mount -t bpf bpf $BPFFS"
}

# Settings that keep an interface silent, written before it comes up: no DAD,
# no router solicitations, no router advertisements accepted.
quiet_settings() { # DEV (in this namespace)
	local key
	for key in "${QUIET_SYSCTLS[@]}"; do
		echo 0 >"/proc/sys/net/ipv6/conf/$1/$key"
	done
}

# The same as defaults inside a lab's namespace, before anything is made in it,
# so veth0 and every interface made there later start silent. /proc/sys/net
# shows the namespace of the process that opens it, hence ip netns exec.
quiet_defaults_in() { # NS
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$1" sh -c 'for key; do echo 0 >"/proc/sys/net/ipv6/conf/default/$key"; done' \
		quiet_defaults_in "${QUIET_SYSCTLS[@]}"
}

# ip -batch lines for one end of a pair: ARP/ND off (IFF_NOARP: with it the
# kernel joins no solicited-node group, so it sends no MLD report), addresses
# without DAD, the peer as a permanent neighbour, and up.
end_config() { # DEV PEER_MAC ADDR6 PEER_ADDR6 [ADDR4 PEER_ADDR4]
	local dev=$1 peer_mac=$2
	printf 'link set dev %s arp off\n' "$dev"
	printf 'address add %s/64 dev %s nodad\n' "$3" "$dev"
	printf 'neigh add %s lladdr %s dev %s nud permanent\n' "$4" "$peer_mac" "$dev"
	if [[ $# -ge 6 ]]; then
		printf 'address add %s/24 dev %s\n' "$5" "$dev"
		printf 'neigh add %s lladdr %s dev %s nud permanent\n' "$6" "$peer_mac" "$dev"
	fi
	printf 'link set dev %s up\n' "$dev"
}

# Build lab NAME with number ID from scratch. On any failure the traps remove
# what was made.
create_env() { # NAME ID LEGACY_IP VLAN
	local name=$1 id=$2 legacy=$3 vlan=$4
	local out_mac in_mac out4=() in4=() vout4=() vin4=()
	local vout=$name.$VLAN_ID vin=$INNER_DEV.$VLAN_ID
	[[ -d /proc/sys/net/ipv6 ]] || die "IPv6 is disabled on this machine; the labs need it"
	ensure_bpffs
	out_mac=$(mac_addr "$id" 1)
	in_mac=$(mac_addr "$id" 2)
	if [[ $legacy -eq 1 ]]; then
		out4=("$(ip4_addr "$id" 1)" "$(ip4_addr "$id" 2)")
		in4=("${out4[1]}" "${out4[0]}")
		vout4=("$(vlan_ip4_addr "$id" 1)" "$(vlan_ip4_addr "$id" 2)")
		vin4=("${vout4[1]}" "${vout4[0]}")
	fi

	SETUP_IN_PROGRESS=$name
	ip netns add "$name"
	quiet_defaults_in "$name"
	ip link add name "$name" address "$out_mac" type veth \
		peer name "$INNER_DEV" address "$in_mac" netns "$name"
	quiet_settings "$name"
	if [[ $vlan -eq 1 ]]; then
		ip link add link "$name" name "$vout" type vlan id "$VLAN_ID"
		quiet_settings "$vout"
	fi
	{
		end_config "$name" "$in_mac" "$(ip6_addr "$id" 1)" "$(ip6_addr "$id" 2)" "${out4[@]}"
		if [[ $vlan -eq 1 ]]; then
			end_config "$vout" "$in_mac" "$(vlan_ip6_addr "$id" 1)" \
				"$(vlan_ip6_addr "$id" 2)" "${vout4[@]}"
		fi
	} | ip -batch -
	{
		printf 'link set dev lo up\n'
		end_config "$INNER_DEV" "$out_mac" "$(ip6_addr "$id" 2)" "$(ip6_addr "$id" 1)" "${in4[@]}"
		if [[ $vlan -eq 1 ]]; then
			printf 'link add link %s name %s type vlan id %s\n' "$INNER_DEV" "$vin" "$VLAN_ID"
			end_config "$vin" "$out_mac" "$(vlan_ip6_addr "$id" 2)" \
				"$(vlan_ip6_addr "$id" 1)" "${vin4[@]}"
		fi
	} | ip -n "$name" -batch -

	ENV_NAME=$name ENV_ID=$id ENV_LEGACY_IP=$legacy ENV_VLAN=$vlan
	ENV_REDIRECT_TO="" ENV_INNER_XDP=""
	write_env
	set_current "$name"
	SETUP_IN_PROGRESS=""
}

# Remove whatever exists of lab NAME; quiet and tolerant, for teardown and for
# a setup that failed halfway. The veth goes first and explicitly: removing
# only the namespace would take the pair away a moment later, in the background.
remove_env_parts() { # NAME
	local name=$1
	if env_exists "$name"; then
		read_env_file "$name"
		if [[ -n $ENV_REDIRECT_TO ]]; then
			undo_redirect
		fi
	fi
	if is_veth "$name"; then
		ip link del dev "$name" || true
	fi
	if netns_exists "$name"; then
		ip netns del "$name" || true
	fi
	rm -rf "${BPFFS:?}/$name" "$STATE_DIR/$name.env"
	forget_current "$name"
}

# ---- XDP ----------------------------------------------------------------------------

ip_in() { # NS ('' = this namespace) IP-ARGS...
	local ns=$1
	shift
	if [[ -n $ns ]]; then
		ip -n "$ns" "$@"
	else
		ip "$@"
	fi
}

# "name (id 42, native)" for each XDP program on DEV, or "none".
xdp_summary() { # NS DEV
	local out rest mode m result=""
	out=$(ip_in "$1" -o link show dev "$2" 2>/dev/null) || {
		printf 'interface missing'
		return 0
	}
	case $out in
	*" xdpgeneric "*) mode=generic ;;
	*" xdpoffload "*) mode=offload ;;
	*) mode=native ;;
	esac
	rest=$out
	while [[ $rest =~ prog/(xdp[a-z]*)\ id\ ([0-9]+)(\ name\ ([^ ]+))? ]]; do
		case ${BASH_REMATCH[1]} in
		xdpdrv) m=native ;;
		xdpgeneric) m=generic ;;
		xdpoffload) m=offload ;;
		*) m=$mode ;;
		esac
		result+="${result:+, }${BASH_REMATCH[4]:-?} (id ${BASH_REMATCH[2]}, $m)"
		rest=${rest#*"${BASH_REMATCH[0]}"}
	done
	printf '%s' "${result:-none}"
}

has_xdp() { # NS DEV
	[[ $(xdp_summary "$1" "$2") != none ]]
}

detach_xdp() { # NS DEV: whichever mode the program is attached in
	ip_in "$1" link set dev "$2" xdpgeneric off 2>/dev/null || true
	ip_in "$1" link set dev "$2" xdpdrv off 2>/dev/null || true
}

# The four bytes of a 32-bit value in this machine's byte order, for bpftool.
u32_bytes() { # VALUE
	local v=$1
	if [[ $(printf '\001\000\000\000' | od -An -tu4 | tr -d ' ') == 1 ]]; then
		printf '%d %d %d %d' $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255))
	else
		printf '%d %d %d %d' $((v >> 24 & 255)) $((v >> 16 & 255)) $((v >> 8 & 255)) $((v & 255))
	fi
}

redirect_pin_dir() { # SRC
	printf '%s/%s/testenv_redirect' "$BPFFS" "$1"
}

# Undo the redirect of the lab in ENV_*: detach it, drop its pins, and take the
# XDP_PASS program off the target's veth0 when a redirect put it there (not
# inner-xdp or wire, nor a program of yours) and no other lab redirects there.
undo_redirect() {
	local src=$ENV_NAME dst=$ENV_REDIRECT_TO name still_used=0
	detach_xdp "" "$src"
	rm -rf "$(redirect_pin_dir "$src")"
	if [[ -n $dst && $(inner_xdp_of "$dst") == redirect ]]; then
		while read -r name; do
			[[ -n $name && $name != "$src" ]] || continue
			if grep -qx "redirect_to=$dst" "$STATE_DIR/$name.env"; then
				still_used=1
			fi
		done < <(list_envs)
		if [[ $still_used -eq 0 ]]; then
			if netns_exists "$dst"; then
				detach_xdp "$dst" "$INNER_DEV"
			fi
			set_inner_xdp "$dst" ""
		fi
	fi
	ENV_REDIRECT_TO=""
	write_env
}

# ---- commands -----------------------------------------------------------------------

cmd_setup() {
	local name=$OPT_NAME id
	require_tool ip iproute2
	if [[ $NAME_GIVEN -eq 0 ]]; then
		name=$(generate_name) || die "no free name test01..test$MAX_ENVS: tear some labs down"
	fi
	if env_exists "$name"; then
		die "lab '$name' exists already: use 't reset -n $name' to rebuild it or" \
			"'t teardown -n $name' to remove it"
	fi
	if link_exists "$name"; then
		die "an interface named '$name' exists already here: choose another name (or -g)"
	fi
	if netns_exists "$name"; then
		die "a network namespace '$name' exists already: choose another name, or remove" \
			"a leftover lab with 't teardown -n $name'"
	fi
	if pin_dir_busy "$name"; then
		die "$BPFFS/$name holds pins already: choose another name, or remove a leftover" \
			"lab with 't teardown -n $name'"
	fi
	if [[ $OPT_VLAN -eq 1 ]]; then
		check_vlan_name "$name"
		require_vlan_support
	fi
	id=$(lowest_free_id) || die "all $MAX_ENVS lab numbers are in use: tear some labs down"
	create_env "$name" "$id" "$OPT_LEGACY_IP" "$OPT_VLAN"
	say "Set up lab $name (number $id), now the current lab:"
	describe_env "$name"
	say "Try: t ping"
}

cmd_teardown() {
	local name=$OPT_NAME
	require_tool ip iproute2
	if [[ $NAME_GIVEN -eq 0 ]]; then
		name=$(current_name)
		if [[ -z $name ]]; then
			say "Nothing to do: no current lab (name one with -n NAME)"
			return 0
		fi
	fi
	if ! env_exists "$name" && ! netns_exists "$name" && ! is_veth "$name"; then
		forget_current "$name"
		say "Nothing to do: no lab '$name'"
		return 0
	fi
	remove_env_parts "$name"
	say "Removed lab $name: veth pair, namespace, pins in $BPFFS/$name, state"
}

cmd_reset() {
	local name id legacy vlan
	require_tool ip iproute2
	select_env
	name=$ENV_NAME
	id=$ENV_ID
	legacy=$((ENV_LEGACY_IP | OPT_LEGACY_IP))
	vlan=$((ENV_VLAN | OPT_VLAN))
	if [[ $vlan -eq 1 ]]; then
		check_vlan_name "$name"
		require_vlan_support
	fi
	remove_env_parts "$name"
	create_env "$name" "$id" "$legacy" "$vlan"
	say "Reset lab $name (number $id), the current lab:"
	describe_env "$name"
}

cmd_enter() {
	require_tool ip iproute2
	select_env
	printf '%s: entering the namespace of lab %s (its interface: %s); exit to leave\n' \
		"$PROG" "$ENV_NAME" "$INNER_DEV" >&2
	exec ip netns exec "$ENV_NAME" env TESTENV_LAB="$ENV_NAME" "${SHELL:-/bin/bash}"
}

cmd_exec() {
	require_tool ip iproute2
	select_env
	[[ ${#EXTRA_ARGS[@]} -gt 0 ]] || die "exec needs a command: t exec -- CMD [ARGS...]"
	exec ip netns exec "$ENV_NAME" "${EXTRA_ARGS[@]}"
}

# The address family a ping asks for: -4 or -6 among the ping options wins,
# then --legacy-ip; without either, IPv4 on a --legacy-ip lab and IPv6 elsewhere.
ping_family() {
	local arg family=''
	for arg in "${EXTRA_ARGS[@]}"; do
		case $arg in
		-4) family=4 ;;
		-6) family=6 ;;
		esac
	done
	if [[ -z $family ]]; then
		family=6
		[[ $OPT_LEGACY_IP -eq 1 || $ENV_LEGACY_IP -eq 1 ]] && family=4
	fi
	echo "$family"
}

cmd_ping() {
	local family addr
	require_tool ping iputils-ping
	select_env
	family=$(ping_family)
	if [[ $family -eq 4 && $ENV_LEGACY_IP -ne 1 ]]; then
		die "lab $ENV_NAME has no IPv4 addresses: rebuild it with 't reset -n $ENV_NAME --legacy-ip'"
	fi
	if [[ $OPT_VLAN -eq 1 ]]; then
		[[ $ENV_VLAN -eq 1 ]] ||
			die "lab $ENV_NAME has no VLAN: rebuild it with 't reset -n $ENV_NAME --vlan'"
		if [[ $family -eq 4 ]]; then
			addr=$(vlan_ip4_addr "$ENV_ID" 2)
		else
			addr=$(vlan_ip6_addr "$ENV_ID" 2)
		fi
	elif [[ $family -eq 4 ]]; then
		addr=$(ip4_addr "$ENV_ID" 2)
	else
		addr=$(ip6_addr "$ENV_ID" 2)
	fi
	# Later options win, so the student's -c and -w replace the defaults.
	exec ping "-$family" "${PING_DEFAULTS[@]}" "${EXTRA_ARGS[@]}" "$addr"
}

cmd_tcpdump() {
	require_tool tcpdump tcpdump
	select_env
	if [[ $OPT_INNER -eq 1 ]]; then
		require_tool ip iproute2
		exec ip netns exec "$ENV_NAME" tcpdump -n -e -i "$INNER_DEV" "${EXTRA_ARGS[@]}"
	fi
	exec tcpdump -n -e -i "$ENV_NAME" "${EXTRA_ARGS[@]}"
}

# One interface of a lab as it is now: state, addresses, XDP programs. The
# interface column is WIDTH wide, so that the columns after it line up.
describe_dev() { # WIDTH LABEL NS DEV TITLE
	local width=$1 label=$2 ns=$3 dev=$4 title=$5 out state addrs
	out=$(ip_in "$ns" -br addr show dev "$dev" scope global 2>/dev/null) || out="$dev MISSING"
	read -r _ state addrs <<<"$out"
	printf '    %-9s %-*s %-5s %s\n' "$label" "$width" "$title" "$state" "${addrs:-(no address)}"
	printf '    %-9s %-*s xdp: %s\n' "" "$width" "" "$(xdp_summary "$ns" "$dev")"
}

# A lab as it is now, for setup, reset and status.
describe_env() { # NAME
	local name=$1 width
	local inside="$INNER_DEV in netns $name" vlan_inside="$INNER_DEV.$VLAN_ID in netns $name"
	read_env "$name"
	if ! netns_exists "$name" || ! link_exists "$name"; then
		say "    broken: its namespace or veth is gone; run 't reset -n $name' or 't teardown -n $name'"
		return 0
	fi
	# 22 fits a name of up to 7 characters; a longer one widens the column.
	width=22
	[[ ${#inside} -le $width ]] || width=${#inside}
	[[ $ENV_VLAN -eq 0 || ${#vlan_inside} -le $width ]] || width=${#vlan_inside}
	describe_dev "$width" outside "" "$name" "$name"
	describe_dev "$width" inside "$name" "$INNER_DEV" "$inside"
	if [[ $ENV_VLAN -eq 1 ]]; then
		describe_dev "$width" "VLAN out" "" "$name.$VLAN_ID" "$name.$VLAN_ID"
		describe_dev "$width" "VLAN in" "$name" "$INNER_DEV.$VLAN_ID" "$vlan_inside"
	fi
	if pin_dir_busy "$name"; then
		say "    pins      $BPFFS/$name: $(pin_names "$name")"
	fi
	if [[ -n $ENV_REDIRECT_TO ]]; then
		say "    redirect  frames arriving at $name go out of $ENV_REDIRECT_TO (into its namespace)"
	fi
}

cmd_status() {
	local name current shown=0
	require_tool ip iproute2
	current=$(current_name)
	if [[ $NAME_GIVEN -eq 1 ]]; then
		env_exists "$OPT_NAME" || die "no lab '$OPT_NAME': run 't setup -n $OPT_NAME' first"
	fi
	while read -r name; do
		[[ -n $name ]] || continue
		[[ $NAME_GIVEN -eq 0 || $name == "$OPT_NAME" ]] || continue
		if [[ $shown -eq 0 ]]; then
			say "Labs (state in $STATE_DIR):"
		fi
		shown=1
		read_env "$name"
		if [[ $name == "$current" ]]; then
			say "  $name (number $ENV_ID, current)"
		else
			say "  $name (number $ENV_ID)"
		fi
		describe_env "$name"
	done < <(list_envs)
	if [[ $shown -eq 0 ]]; then
		say "No labs: create one with 't setup'"
	fi
}

cmd_alias() {
	local prefix="" path
	if [[ $EUID -ne 0 ]]; then
		prefix="sudo "
	fi
	path=$(script_path)
	# Single quotes around the path, with any single quote in it escaped.
	printf "alias t='%s%s'\n" "$prefix" "${path//\'/\'\\\'\'}"
	if [[ -t 1 ]]; then
		# shellcheck disable=SC2016 # the $(...) is for the user to type
		printf '%s: to define the alias, run:  eval $(%s alias)\n' "$PROG" "$path" >&2
	fi
}

no_lesson_program() { # WHAT
	die "no $1 in $PWD: run 't $CMD' from a lesson directory after 'make'"
}

run_lesson_program() { # PROGRAM ARGS...
	check_runnable "$1"
	printf '%s: running %s\n' "$PROG" "$*" >&2
	exec "$@"
}

# A program run as root must be one that only root or the user who ran sudo
# could have put there: owned by one of them, and neither it nor its directory
# writable by everyone. (Group-writable is left alone: with umask 002, the
# group is the user's own.)
check_runnable() { # PROGRAM
	local path owner mode
	for path in "$1" .; do
		read -r owner mode < <(stat -L -c '%u %a' "$path")
		if [[ $owner -ne 0 && $owner -ne ${SUDO_UID:-0} ]] || ((8#$mode & 8#002)); then
			die "$(realpath "$path") belongs to uid $owner with mode $mode: root runs only" \
				"what root or you (uid ${SUDO_UID:-0}) own and others cannot change" \
				"(chmod o-w; or run it yourself with sudo)"
		fi
	done
}

cmd_load() {
	select_env
	if [[ -x ./xdp_loader ]]; then
		run_lesson_program ./xdp_loader --dev "$ENV_NAME" "${EXTRA_ARGS[@]}"
	elif [[ -x ./xdp_load_and_stats ]]; then
		run_lesson_program ./xdp_load_and_stats --dev "$ENV_NAME" "${EXTRA_ARGS[@]}"
	fi
	no_lesson_program "./xdp_loader (or ./xdp_load_and_stats)"
}

cmd_unload() {
	local dst
	require_tool ip iproute2
	select_env
	if [[ -n $ENV_REDIRECT_TO ]]; then
		dst=$ENV_REDIRECT_TO
		undo_redirect
		say "Undid the redirect from $ENV_NAME to $dst: detached and unpinned its programs"
		return 0
	fi
	if [[ -x ./xdp_loader ]]; then
		run_lesson_program ./xdp_loader --dev "$ENV_NAME" --unload "${EXTRA_ARGS[@]}"
	elif [[ -x ./xdp_load_and_stats ]]; then
		run_lesson_program ./xdp_load_and_stats --dev "$ENV_NAME" --unload "${EXTRA_ARGS[@]}"
	fi
	detach_xdp "" "$ENV_NAME"
	say "No lesson loader here: detached XDP from $ENV_NAME with 'ip link set dev $ENV_NAME xdp off'"
}

cmd_stats() {
	select_env
	if [[ -x ./xdp_stats ]]; then
		run_lesson_program ./xdp_stats --dev "$ENV_NAME" "${EXTRA_ARGS[@]}"
	fi
	no_lesson_program "./xdp_stats"
}

cmd_redirect() {
	local src=${POSITIONAL[0]} dst=${POSITIONAL[1]} obj pins ifindex pass_id
	require_tool ip iproute2
	require_tool bpftool bpftool
	validate_name "$src"
	validate_name "$dst"
	[[ $src != "$dst" ]] || die "redirect needs two different labs, not $src twice"
	env_exists "$src" || die "no lab '$src': run 't setup -n $src' first"
	env_exists "$dst" || die "no lab '$dst': run 't setup -n $dst' first"
	obj=$(testenv_obj)
	ensure_bpffs
	read_env "$src"
	if [[ -n $ENV_REDIRECT_TO ]]; then
		undo_redirect
	elif has_xdp "" "$src"; then
		die "$src has an XDP program attached already: detach it first with 't unload -n $src'"
	fi
	pins=$(redirect_pin_dir "$src")
	ifindex=$(ip -o link show dev "$dst")
	ifindex=${ifindex%%:*}

	# From here on, a failure undoes what was done (see on_exit).
	ENV_REDIRECT_TO=$dst
	write_env
	REDIRECT_IN_PROGRESS=$src
	mkdir -p "$BPFFS/$src"
	rm -rf "$pins"
	bpftool prog loadall "$obj" "$pins" pinmaps "$pins"
	# shellcheck disable=SC2046 # four separate byte arguments
	bpftool map update pinned "$pins/tx_port" key 0 0 0 0 value $(u32_bytes "$ifindex")
	# A veth takes frames redirected into it natively only when its peer (here
	# DST's veth0) runs an XDP program. "ip netns exec" mounts a fresh /sys, so
	# the pins are out of sight inside the namespace: attach by program id.
	if ! has_xdp "$dst" "$INNER_DEV"; then
		set_inner_xdp "$dst" redirect
		pass_id=$(bpftool prog show pinned "$pins/xdp_pass")
		ip netns exec "$dst" bpftool net attach xdpdrv id "${pass_id%%:*}" dev "$INNER_DEV"
	fi
	bpftool net attach xdpdrv pinned "$pins/xdp_redirect_all" dev "$src"
	REDIRECT_IN_PROGRESS=""
	say "Redirecting: frames arriving at $src (sent from inside $src) now go out of $dst"
	say "  into $dst's namespace, where $INNER_DEV receives them. Pins: $pins"
	say "  Undo: t unload -n $src (or t teardown -n $src)"
}

# ---- labs for redirecting and routing: inner-xdp, wire, router ------------------------
#
# The lesson packet03-redirecting sends frames from one lab into another, and
# routes between labs. Two things make that work on veth pairs:
#  - A veth delivers a frame that an XDP program redirected into it (or sent
#    back with XDP_TX) only when the receiving end, its peer, runs an XDP program
#    too (that switches on the peer's NAPI receive path, which takes such frames).
#    inner-xdp puts an XDP_PASS program on a lab's veth0 for that.
#  - The hosts need routes to each other's addresses, and a router needs
#    forwarding on: only ever inside the lab's own namespaces.

check_wiring_args() {
	local sub=${POSITIONAL[0]:-} n=${POSITIONAL[1]:-0}
	case $CMD in
	inner-xdp)
		[[ ${#POSITIONAL[@]} -le 1 && $sub =~ ^(on|off|)$ ]] ||
			die "usage: testenv.sh inner-xdp [-n NAME] [on|off]"
		;;
	wire)
		[[ ${#POSITIONAL[@]} -eq 2 ]] || die "usage: testenv.sh wire A B (two lab names)"
		;;
	router)
		case $sub in
		setup | teardown | status)
			[[ ${#POSITIONAL[@]} -eq 1 && $HAVE_EXTRA -eq 0 ]] ||
				die "usage: testenv.sh router $sub [-n NAME]"
			;;
		load | unload)
			[[ ${#POSITIONAL[@]} -eq 1 ]] ||
				die "usage: testenv.sh router $sub [-n NAME] [-- LOADER ARGS]"
			;;
		exec)
			[[ ${#POSITIONAL[@]} -le 2 && $n =~ ^[0-9]$ && $n -le $ROUTER_LEGS &&
				$HAVE_EXTRA -eq 1 && ${#EXTRA_ARGS[@]} -gt 0 ]] ||
				die "usage: testenv.sh router exec [-n NAME] [N] -- CMD" \
					"(N: host 1..$ROUTER_LEGS, or 0, the default: the router)"
			;;
		*)
			die "usage: testenv.sh router setup|teardown|status|load|unload|exec [-n NAME]" \
				"(see 'testenv.sh --help')"
			;;
		esac
		;;
	esac
	if [[ $HAVE_EXTRA -eq 1 && $CMD != router ]]; then
		die "'$CMD' takes no arguments after '--' (see 'testenv.sh --help')"
	fi
}

# The BPF object of testenv's own programs (xdp_redirect_all, xdp_pass).
testenv_obj() {
	local obj
	obj=$(script_path)
	obj=${obj%/*}/xdp_redirect.bpf.o
	[[ -f $obj ]] || die "$obj is not built: run 'make' in ${obj%/*} (or at the top)"
	printf '%s' "$obj"
}

# Attach testenv's XDP_PASS program to DEV in namespace NS, unless DEV has an
# XDP program already (any program will do to make the veth take frames).
# Through nsenter, which keeps bpffs in view: ip -n mounts a fresh /sys, and
# ip's object loader stops without a bpffs.
attach_inner_pass() { # NS DEV OBJ
	has_xdp "$1" "$2" && return 0
	require_tool nsenter util-linux
	nsenter --net="/run/netns/$1" ip link set dev "$2" xdpdrv object "$3" program xdp_pass
}

cmd_inner_xdp() {
	local what=${POSITIONAL[0]:-on} obj
	require_tool ip iproute2
	select_env
	netns_exists "$ENV_NAME" || die "lab $ENV_NAME has no namespace: 't reset -n $ENV_NAME'"
	if [[ $what == off ]]; then
		detach_xdp "$ENV_NAME" "$INNER_DEV"
		ENV_INNER_XDP=""
		write_env
		say "Detached XDP from $INNER_DEV in $ENV_NAME: frames redirected into $ENV_NAME" \
			"are dropped again"
		return 0
	fi
	obj=$(testenv_obj)
	attach_inner_pass "$ENV_NAME" "$INNER_DEV" "$obj"
	# Yours now: a redirect into this lab that put it there leaves it on.
	ENV_INNER_XDP=user
	write_env
	say "$INNER_DEV in $ENV_NAME: xdp: $(xdp_summary "$ENV_NAME" "$INNER_DEV")"
	say "  frames redirected (or sent back with XDP_TX) into $ENV_NAME now arrive there"
}

# A veth sender leaves the TCP and UDP checksums half done (checksum offload:
# the skb carries a note, CHECKSUM_PARTIAL, that the rest is still to do, and
# the receiving veth trusts it). An XDP program that redirects the frame sees
# only its bytes: the note is lost, and the receiver drops the segment as
# corrupt (TcpInCsumErrors). With tx checksumming off, the sender's stack
# computes every checksum in full, as a real NIC does before the wire.
full_checksums() { # NS
	require_tool ethtool ethtool
	ip netns exec "$1" ethtool -K "$INNER_DEV" tx off >/dev/null
}

# Lab ID's IPv6 prefix, as a route takes it.
ip6_prefix() { # ID
	printf '%s:%x::/64' "$IP6_BASE" "$1"
}

cmd_wire() {
	local a=${POSITIONAL[0]} b=${POSITIONAL[1]} obj id_a id_b legacy_a legacy_b
	require_tool ip iproute2
	validate_name "$a"
	validate_name "$b"
	[[ $a != "$b" ]] || die "wire needs two different labs, not $a twice"
	env_exists "$a" || die "no lab '$a': run 't setup -n $a' first"
	env_exists "$b" || die "no lab '$b': run 't setup -n $b' first"
	obj=$(testenv_obj)
	read_env "$a"
	id_a=$ENV_ID legacy_a=$ENV_LEGACY_IP
	read_env "$b"
	id_b=$ENV_ID legacy_b=$ENV_LEGACY_IP
	# Each inside host reaches the other lab through its own outer end,
	# a static neighbour: nothing is sent until you send.
	ip -n "$a" route replace "$(ip6_prefix "$id_b")" via "$(ip6_addr "$id_a" 1)" dev "$INNER_DEV"
	ip -n "$b" route replace "$(ip6_prefix "$id_a")" via "$(ip6_addr "$id_b" 1)" dev "$INNER_DEV"
	if [[ $legacy_a -eq 1 && $legacy_b -eq 1 ]]; then
		ip -n "$a" route replace "$IP4_BASE.$id_b.0/24" via "$(ip4_addr "$id_a" 1)"
		ip -n "$b" route replace "$IP4_BASE.$id_a.0/24" via "$(ip4_addr "$id_b" 1)"
	fi
	attach_inner_pass "$a" "$INNER_DEV" "$obj"
	attach_inner_pass "$b" "$INNER_DEV" "$obj"
	set_inner_xdp "$a" user
	set_inner_xdp "$b" user
	full_checksums "$a"
	full_checksums "$b"
	say "Wired $a and $b for redirecting: each inside host routes the other lab's"
	say "  addresses via its outer end, $INNER_DEV in each runs XDP_PASS and sends"
	say "  complete checksums (ethtool -K $INNER_DEV tx off)."
	say "  $a inside: $(ip6_addr "$id_a" 2)  $b inside: $(ip6_addr "$id_b" 2)"
	if [[ $legacy_a -eq 1 && $legacy_b -eq 1 ]]; then
		say "            $(ip4_addr "$id_a" 2)           $(ip4_addr "$id_b" 2)"
	fi
}

# ---- router labs ----

router_state() { # NAME
	printf '%s/%s.router' "$STATE_DIR" "$1"
}

router_exists() { # NAME
	[[ -f $(router_state "$1") ]]
}

list_routers() { # names of all router labs, one a line
	list_state router
}

router_id() { # NAME
	local key value id=""
	while IFS='=' read -r key value; do
		[[ $key == id ]] && id=$value
	done <"$(router_state "$1")"
	[[ $id =~ ^[1-9]$ ]] ||
		die "state file $(router_state "$1") is damaged: remove it with 't router teardown -n $1'"
	printf '%s' "$id"
}

lowest_free_router_id() {
	local id name
	local -A used=()
	while read -r name; do
		[[ -n $name ]] && used[$(router_id "$name")]=1
	done < <(list_routers)
	for ((id = 1; id <= ROUTER_MAX; id++)); do
		if [[ -z ${used[$id]:-} ]]; then
			printf '%s' "$id"
			return 0
		fi
	done
	return 1
}

router_ip6() { # ID LEG HOST
	printf '%s:2%x%x::%s' "$IP6_BASE" "$1" "$2" "$3"
}

router_ip4() { # ID LEG HOST
	printf '%s.0.%d' "$IP4_BASE" $((64 * ($1 - 1) + 16 * ($2 - 1) + $3))
}

router_mac() { # ID LEG HOST
	printf '02:00:00:%x%x:00:%02x' "$1" "$2" "$3"
}

router_name() {
	printf '%s' "${OPT_NAME:-$ROUTER_DEFAULT}"
}

# Remove whatever exists of router NAME; quiet and tolerant.
remove_router_parts() { # NAME
	local name=$1 k
	for ((k = 1; k <= ROUTER_LEGS; k++)); do
		if netns_exists "$name"; then
			ip -n "$name" link del dev "$name$k" 2>/dev/null || true
		fi
		if netns_exists "$name$k"; then
			ip netns del "$name$k" || true
		fi
		rm -rf "${BPFFS:?}/$name$k"
	done
	if netns_exists "$name"; then
		ip netns del "$name" || true
	fi
	rm -f "$(router_state "$name")"
}

# One leg: host namespace NAMEk, its veth0 wired to NAMEk in the router.
create_router_leg() { # NAME ID K
	local name=$1 id=$2 k=$3 host=$1$3
	ip netns add "$host"
	quiet_defaults_in "$host"
	ip -n "$name" link add name "$host" address "$(router_mac "$id" "$k" 1)" type veth \
		peer name "$INNER_DEV" address "$(router_mac "$id" "$k" 2)" netns "$host"
	{
		printf 'address add %s/64 dev %s nodad\n' "$(router_ip6 "$id" "$k" 1)" "$host"
		printf 'address add %s/28 dev %s\n' "$(router_ip4 "$id" "$k" 1)" "$host"
		printf 'link set dev %s up\n' "$host"
	} | ip -n "$name" -batch -
	{
		printf 'link set dev lo up\n'
		printf 'address add %s/64 dev %s nodad\n' "$(router_ip6 "$id" "$k" 2)" "$INNER_DEV"
		printf 'address add %s/28 dev %s\n' "$(router_ip4 "$id" "$k" 2)" "$INNER_DEV"
		printf 'link set dev %s up\n' "$INNER_DEV"
		printf 'route add default via %s dev %s\n' "$(router_ip6 "$id" "$k" 1)" "$INNER_DEV"
		printf 'route add default via %s dev %s\n' "$(router_ip4 "$id" "$k" 1)" "$INNER_DEV"
	} | ip -n "$host" -batch -
	full_checksums "$host"
}

router_setup() {
	local name id k obj
	name=$(router_name)
	[[ ${#name} -le 14 ]] || die "name '$name' is too long for a router: NAME$ROUTER_LEGS must fit" \
		"in 15 characters"
	if router_exists "$name"; then
		die "router '$name' exists already: remove it with 't router teardown -n $name'"
	fi
	for k in "" $(seq "$ROUTER_LEGS"); do
		if netns_exists "$name$k" || env_exists "$name$k" || link_exists "$name$k" ||
			pin_dir_busy "$name$k"; then
			die "'$name$k' is in use already (a namespace, lab, interface or pins):" \
				"choose another name with -n"
		fi
	done
	obj=$(testenv_obj)
	ensure_bpffs
	id=$(lowest_free_router_id) ||
		die "all $ROUTER_MAX router numbers are in use: remove one with 't router teardown'"

	ROUTER_IN_PROGRESS=$name
	make_state_dir
	printf 'id=%s\n' "$id" >"$(router_state "$name")"
	ip netns add "$name"
	quiet_defaults_in "$name"
	ip -n "$name" link set dev lo up
	# Forwarding, in the router's namespace only.
	ip netns exec "$name" sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for ((k = 1; k <= ROUTER_LEGS; k++)); do
		create_router_leg "$name" "$id" "$k"
		attach_inner_pass "$name$k" "$INNER_DEV" "$obj"
	done
	ROUTER_IN_PROGRESS=""
	say "Set up router $name (number $id): forwarding on inside namespace $name, hosts:"
	describe_router "$name"
	say "Try: t router load -n $name -- --progname xdp_router_func   (in packet03-redirecting)"
	say "     t router exec -n $name 1 -- ping -c 3 $(router_ip6 "$id" 2 2)"
}

describe_router() { # NAME
	local name=$1 id k
	id=$(router_id "$name")
	for ((k = 1; k <= ROUTER_LEGS; k++)); do
		printf '    host %d: netns %-8s %s %s  (router: %s in netns %s, %s %s)\n' "$k" \
			"$name$k" "$(router_ip6 "$id" "$k" 2)" "$(router_ip4 "$id" "$k" 2)" "$name$k" \
			"$name" "$(router_ip6 "$id" "$k" 1)" "$(router_ip4 "$id" "$k" 1)"
		printf '            xdp on %s: %s; on veth0 of %s: %s\n' "$name$k" \
			"$(xdp_summary "$name" "$name$k")" "$name$k" "$(xdp_summary "$name$k" "$INNER_DEV")"
	done
}

require_router() { # NAME
	router_exists "$1" || die "no router '$1': run 't router setup${OPT_NAME:+ -n $1}' first"
}

router_teardown() {
	local name
	name=$(router_name)
	if ! router_exists "$name" && ! netns_exists "$name"; then
		say "Nothing to do: no router '$name'"
		return 0
	fi
	remove_router_parts "$name"
	say "Removed router $name: its namespaces, veth pairs, pins and state"
}

router_status() {
	local name shown=0
	while read -r name; do
		[[ -n $name ]] || continue
		[[ -z $OPT_NAME || $name == "$OPT_NAME" ]] || continue
		shown=1
		say "Router $name (number $(router_id "$name")):"
		describe_router "$name"
	done < <(list_routers)
	[[ $shown -eq 1 ]] || say "No routers: create one with 't router setup'"
}

# The lesson's loader on every leg, run inside the router's namespace with
# nsenter, which keeps this mount namespace, so bpffs and the pins stay in view
# (ip netns exec would mount a fresh /sys over them).
router_load() { # [--unload]
	local name k rc=0 args arg
	name=$(router_name)
	require_router "$name"
	require_tool nsenter util-linux
	if [[ ! -x ./xdp_loader ]]; then
		if [[ $# -gt 0 ]]; then
			for ((k = 1; k <= ROUTER_LEGS; k++)); do
				detach_xdp "$name" "$name$k"
			done
			say "No lesson loader here: detached XDP from $name's legs with 'xdp off'"
			return 0
		fi
		no_lesson_program "./xdp_loader"
	fi
	for ((k = 1; k <= ROUTER_LEGS; k++)); do
		args=""
		for arg in "$@" "${EXTRA_ARGS[@]}"; do
			args+=" $arg"
		done
		printf '%s: running ./xdp_loader --dev %s%s inside %s\n' "$PROG" "$name$k" "$args" \
			"$name" >&2
		nsenter --net="/run/netns/$name" ./xdp_loader --dev "$name$k" "$@" \
			"${EXTRA_ARGS[@]}" || rc=1
	done
	return "$rc"
}

router_exec() {
	local name n=${POSITIONAL[1]:-0}
	name=$(router_name)
	require_router "$name"
	if [[ $n -eq 0 ]]; then
		require_tool nsenter util-linux
		exec nsenter --net="/run/netns/$name" "${EXTRA_ARGS[@]}"
	fi
	exec ip netns exec "$name$n" "${EXTRA_ARGS[@]}"
}

cmd_router() {
	require_tool ip iproute2
	[[ -z $OPT_NAME ]] || validate_name "$OPT_NAME"
	case ${POSITIONAL[0]} in
	setup) router_setup ;;
	teardown) router_teardown ;;
	status) router_status ;;
	load) router_load ;;
	unload) router_load --unload ;;
	exec) router_exec ;;
	esac
}

main() {
	parse_args "$@"
	if [[ $WANT_HELP -eq 1 || $CMD == help ]]; then
		show_help
		return 0
	fi
	check_args
	if [[ $CMD == alias ]]; then
		cmd_alias
		return 0
	fi
	require_root
	case $CMD in
	setup | teardown | reset | redirect | unload | inner-xdp | wire) lock_state ;;
	router) [[ ${POSITIONAL[0]:-} != setup && ${POSITIONAL[0]:-} != teardown ]] || lock_state ;;
	esac
	"cmd_${CMD//-/_}"
}

main "$@"
