#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Tests of testenv/testenv.sh, the lab script. Each test builds its labs in the
# private namespace that tests/run.sh (tests/lib/isolate.sh) provides and
# removes them afterwards. A lab:
#
#   this namespace                    netns lab1
#   lab1  fc00:dead:cafe:1::1  <--->  veth0  fc00:dead:cafe:1::2
#         198.18.1.1 (--legacy-ip)           198.18.1.2

# shellcheck disable=SC2154 # status, output, lines, stderr, stderr_lines: set by run
bats_require_minimum_version 1.5.0

load lab_helpers
load testenv_helpers

setup_file() {
	require_isolation
	if [[ ! -f $REDIRECT_OBJ ]]; then
		make -s -C "$TOP_DIR/testenv" >/dev/null
	fi
}

setup() {
	remove_all_labs
}

teardown() {
	remove_all_labs
}

# ---- help and alias ---------------------------------------------------------------

@test "testenv: --help documents every command and option" {
	run --separate-stderr t --help
	[ "$status" -eq 0 ]
	local cmd opt
	# Each command has its own line in the list of commands ...
	for cmd in setup teardown reset enter exec ping tcpdump status alias load unload stats \
		redirect inner-xdp wire router help; do
		grep -qE "^  $cmd( |$)" <<<"$output" || {
			echo "help has no line for the command $cmd" >&2
			return 1
		}
	done
	# ... and each option in the list of options; plus how to pass ping options,
	# where the state lives, and the address ranges.
	for opt in "-n, --name NAME" "-g, --gen-new" "    --legacy-ip" "    --vlan" "    --inner" \
		"    --ping-args ARGS" "-h, --help" "t ping -- -c 5 -s 100" /run/xdp-tutorial/testenv \
		"fc00:dead:cafe:N::1/64" "198.18.N.1/24" "fc00:dead:cafe:1NN::1/64" "198.19.N.1/24" \
		"02:00:00:00:NN:01" "fc00:dead:cafe:2Rk::1/64" "02:00:00:Rk:00:01"; do
		[[ $output == *"$opt"* ]] || {
			echo "help does not mention '$opt'" >&2
			return 1
		}
	done
	run --separate-stderr t help
	[ "$status" -eq 0 ]
	[[ $output == "Usage: testenv.sh"* ]]
	run --separate-stderr t setup --help
	[ "$status" -eq 0 ]
	[[ $output == "Usage: testenv.sh"* ]]
	assert_no_labs
}

@test "testenv: alias defines t, which runs the script by its absolute path from anywhere" {
	run --separate-stderr t alias
	[ "$status" -eq 0 ]
	[ "$output" = "alias t='$TESTENV'" ]
	# Without root, the alias goes through sudo (and printing it needs no root).
	run --separate-stderr as_nobody "$TESTENV" alias
	[ "$status" -eq 0 ]
	[ "$output" = "alias t='sudo $TESTENV'" ]
	t setup -n lab1 >/dev/null
	run bash -O expand_aliases -c "eval \$('$TESTENV' alias)
		cd /
		t exec -- ip netns identify"
	[ "$status" -eq 0 ]
	[ "$output" = lab1 ]
}

# ---- setup ------------------------------------------------------------------------------

@test "testenv: setup builds the namespace, the veth pair, addresses and static neighbours" {
	run --separate-stderr t setup -n lab1
	[ "$status" -eq 0 ]
	[[ $output == *"Set up lab lab1 (number 1)"* ]]
	[ -e /run/netns/lab1 ]
	# The outer end here, the inner end veth0 inside, IPv6 with nodad.
	ip -o -d link show dev lab1 | grep -q ' veth '
	ip -o -6 addr show dev lab1 | grep -q 'inet6 fc00:dead:cafe:1::1/64 scope global nodad'
	ip -n lab1 -o -6 addr show dev veth0 | grep -q 'inet6 fc00:dead:cafe:1::2/64 scope global nodad'
	# No IPv4 unless asked for.
	[ -z "$(ip -o -4 addr show dev lab1)" ]
	[ -z "$(ip -n lab1 -o -4 addr show dev veth0)" ]
	# Each side knows the other's MAC, permanently.
	local outer_mac inner_mac
	outer_mac=$(cat /sys/class/net/lab1/address)
	inner_mac=$(ip -n lab1 -o link show dev veth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
	ip neigh show dev lab1 | grep -q "fc00:dead:cafe:1::2 lladdr $inner_mac PERMANENT"
	ip -n lab1 neigh show dev veth0 | grep -q "fc00:dead:cafe:1::1 lladdr $outer_mac PERMANENT"
	[ "$outer_mac" = 02:00:00:00:01:01 ]
	[ "$inner_mac" = 02:00:00:00:01:02 ]
	# ARP and ND are off on both ends.
	ip -o link show dev lab1 | grep -q 'NOARP'
	ip -n lab1 -o link show dev veth0 | grep -q 'NOARP'
	# No router solicitations inside, no DAD on either end.
	[ "$(ip netns exec lab1 cat /proc/sys/net/ipv6/conf/veth0/router_solicitations)" = 0 ]
	[ "$(ip netns exec lab1 cat /proc/sys/net/ipv6/conf/veth0/accept_dad)" = 0 ]
	[ "$(cat /proc/sys/net/ipv6/conf/lab1/accept_dad)" = 0 ]
	# State: the lab's file, and it is the current lab.
	grep -qx 'id=1' "$STATE_DIR/lab1.env"
	[ "$(cat "$CURRENT_FILE")" = lab1 ]
}

@test "testenv: setup --legacy-ip adds IPv4 from 198.18.0.0/15 with static neighbours" {
	run --separate-stderr t setup -n lab1 --legacy-ip
	[ "$status" -eq 0 ]
	ip -o -4 addr show dev lab1 | grep -q 'inet 198.18.1.1/24'
	ip -n lab1 -o -4 addr show dev veth0 | grep -q 'inet 198.18.1.2/24'
	ip -4 neigh show dev lab1 | grep -q '198.18.1.2 lladdr .* PERMANENT'
	ip -n lab1 -4 neigh show dev veth0 | grep -q '198.18.1.1 lladdr .* PERMANENT'
	# A lab with IPv4 pings over IPv4.
	run --separate-stderr t ping -- -c 1 -w 3
	[ "$status" -eq 0 ]
	[[ $output == *"PING 198.18.1.2"* ]]
	[[ $output == *"1 packets transmitted, 1 received"* ]]
}

@test "testenv: setup -g (and setup with no name) picks fresh names and the lowest free numbers" {
	run --separate-stderr t setup
	[ "$status" -eq 0 ]
	[[ $output == *"Set up lab test01 (number 1)"* ]]
	run --separate-stderr t setup -g
	[ "$status" -eq 0 ]
	[[ $output == *"Set up lab test02 (number 2)"* ]]
	ip -o -6 addr show dev test02 | grep -q 'fc00:dead:cafe:2::1/64'
	[ "$(cat "$CURRENT_FILE")" = test02 ]
	# Number 1 and the name test01 become free again, and are reused.
	t teardown -n test01 >/dev/null
	run --separate-stderr t setup -g
	[ "$status" -eq 0 ]
	[[ $output == *"Set up lab test01 (number 1)"* ]]
	run --separate-stderr t setup -n lab1
	[[ $output == *"Set up lab lab1 (number 3)"* ]]
	ip -o -6 addr show dev lab1 | grep -q 'fc00:dead:cafe:3::1/64'
}

@test "testenv: the lab is quiet: only the frames a test sends arrive at the outer interface" {
	t setup -n lab1 --legacy-ip >/dev/null
	local cap=$BATS_TEST_TMPDIR/cap
	start_capture "$cap" 12 tcpdump --immediate-mode -n -l -e -i lab1 -c 10
	sleep 3
	# Nothing in either direction since the interface was made: no MLD report,
	# no router solicitation, no DAD, no ARP.
	[ "$(rx_packets lab1)" -eq 0 ]
	[ "$(tx_packets lab1)" -eq 0 ]
	[ ! -s "$cap" ] || {
		cat "$cap" >&2
		return 1
	}
	# And exactly what is sent: three echo requests out and three replies in,
	# then two requests in from inside and two replies out.
	run --separate-stderr t ping -- -c 3 -i 0.2
	[ "$status" -eq 0 ]
	ip netns exec lab1 ping -6 -c 2 -i 0.2 -w 3 fc00:dead:cafe:1::1 >/dev/null
	[ "$(rx_packets lab1)" -eq 5 ]
	[ "$(tx_packets lab1)" -eq 5 ]
	wait_capture
	[ "$(grep -c ' > ' "$cap")" -eq 10 ] || {
		cat "$cap" >&2
		return 1
	}
	[ "$(grep -c 'ICMP echo reply' "$cap")" -eq 3 ]
	[ "$(grep -c 'ICMP6, echo request' "$cap")" -eq 2 ]
}

# 802.1Q is a kernel feature that some kernels (this project's CI machine among
# them) lack: the VLAN path runs where the kernel has it, the kernel matrix
# (make test-kernels) runs it on Debian's kernels, and the refusal runs elsewhere.
vlan_supported() {
	[[ -e /proc/net/vlan/config ]] || { command -v modprobe >/dev/null && modprobe -q 8021q; }
}

# bats test_tags=vlan
@test "testenv: setup --vlan adds VLAN sub-interfaces that carry IPv4 and IPv6 pings" {
	vlan_supported || skip "this kernel has no 802.1Q VLAN support (make test-kernels runs this)"
	run --separate-stderr t setup -n lab1 --vlan --legacy-ip
	[ "$status" -eq 0 ]
	local link addrs
	link=$(ip -o -d link show dev lab1.100)
	[[ $link == *"vlan protocol 802.1Q id 100"* ]]
	addrs=$(ip -o addr show dev lab1.100)
	[[ $addrs == *"fc00:dead:cafe:101::1/64"* && $addrs == *"198.19.1.1/24"* ]]
	addrs=$(ip -n lab1 -o addr show dev veth0.100)
	[[ $addrs == *"fc00:dead:cafe:101::2/64"* && $addrs == *"198.19.1.2/24"* ]]
	# A --legacy-ip lab pings IPv4 by default, and IPv6 when ping is given -6.
	run --separate-stderr t ping --vlan -- -c 1 -w 3
	[ "$status" -eq 0 ]
	[[ $output == *"PING 198.19.1.2"* && $output == *"1 received"* ]]
	run --separate-stderr t ping --vlan --ping-args "-6 -c 1 -w 3"
	[ "$status" -eq 0 ]
	[[ $output == *"PING fc00:dead:cafe:101::2"* && $output == *"1 received"* ]]
	# The pings really went out tagged: the VLAN device counted them.
	local tx
	tx=$(ip -j -s link show dev lab1.100 | jq '.[0].stats64.tx.packets')
	[ "$tx" -ge 2 ]
}

@test "testenv: setup --vlan on a kernel without 802.1Q says so in one line" {
	! vlan_supported || skip "this kernel has 802.1Q VLAN support, so there is no refusal to see"
	run --separate-stderr t setup -n lab1 --vlan
	assert_one_error_line "802.1Q VLAN support"
	assert_no_trace lab1
	assert_no_labs
}

@test "testenv: setup --vlan refuses a name too long for NAME.100" {
	run --separate-stderr t setup -n abcdefghijkl --vlan
	assert_one_error_line "too long for --vlan"
	assert_no_labs
}

# ---- commands on a lab ---------------------------------------------------------------

@test "testenv: ping pings the inside address, bounded by default, with extra ping options" {
	t setup -n lab1 >/dev/null
	run --separate-stderr t ping -- -i 0.2
	[ "$status" -eq 0 ]
	[[ $output == *"PING fc00:dead:cafe:1::2"* ]]
	[[ $output == *"3 packets transmitted, 3 received"* ]]
	run --separate-stderr t ping -- -c 2 -i 0.2 -s 100
	[ "$status" -eq 0 ]
	[[ $output == *"100 data bytes"* ]]
	[[ $output == *"2 packets transmitted, 2 received"* ]]
	run --separate-stderr t ping --ping-args "-c 1 -s 200"
	[ "$status" -eq 0 ]
	[[ $output == *"200 data bytes"* ]]
	[[ $output == *"1 packets transmitted, 1 received"* ]]
	# What is passed to ping: the defaults first, so the student's options win.
	local fake=$BATS_TEST_TMPDIR/fake
	mkdir -p "$fake"
	printf '#!/bin/sh\necho "ping $*"\n' >"$fake/ping"
	chmod +x "$fake/ping"
	run --separate-stderr env PATH="$fake:$PATH" "$TESTENV" ping -- -c 7
	[ "$output" = "ping -6 -c 3 -W 1 -c 7 fc00:dead:cafe:1::2" ]
	# Bounded: with the inside down, ping still ends (here at a 1 s deadline).
	ip -n lab1 link set dev veth0 down
	run --separate-stderr timeout 5 "$TESTENV" ping -- -c 100 -w 1
	[ "$status" -eq 1 ]
	[[ $output == *"0 received"* ]]
}

@test "testenv: ping --legacy-ip on a lab without IPv4 is refused in one line" {
	t setup -n lab1 >/dev/null
	run --separate-stderr t ping --legacy-ip
	assert_one_error_line "lab lab1 has no IPv4 addresses"
	run --separate-stderr t ping --vlan
	assert_one_error_line "lab lab1 has no VLAN"
}

@test "testenv: ping -4 and -6 among the ping options choose the address family" {
	t setup -n lab1 --legacy-ip >/dev/null
	run --separate-stderr t ping -- -c 1 -w 3
	[[ $status -eq 0 && $output == *"PING 198.18.1.2 "* ]]
	run --separate-stderr t ping --ping-args "-6 -c 1 -w 3"
	[[ $status -eq 0 && $output == *"PING fc00:dead:cafe:1::2"* && $output == *"1 received"* ]]
	run --separate-stderr t ping --legacy-ip -- -6 -c 1 -w 3
	[[ $status -eq 0 && $output == *"PING fc00:dead:cafe:1::2"* ]]
	t setup -n lab2 >/dev/null
	run --separate-stderr t ping -- -4 -c 1
	assert_one_error_line "lab lab2 has no IPv4 addresses"
}

@test "testenv: commands use the current lab; -n names another, which becomes current" {
	t setup -n lab1 >/dev/null
	t setup -n lab2 >/dev/null
	run --separate-stderr t exec -- ip netns identify
	[ "$output" = lab2 ]
	run --separate-stderr t exec -n lab1 -- ip netns identify
	[ "$output" = lab1 ]
	[ "$(cat "$CURRENT_FILE")" = lab1 ]
	run --separate-stderr t ping -- -c 1
	[[ $output == *"PING fc00:dead:cafe:1::2"* ]]
}

@test "testenv: the current lab is each user's own, and a teardown clears it for everyone" {
	t setup -n lab1 >/dev/null
	# Another user, through the 't' alias (sudo): SUDO_UID names them.
	run --separate-stderr env SUDO_UID=4242 "$TESTENV" setup -n lab2
	[ "$status" -eq 0 ]
	[ "$(cat "$STATE_DIR/current.4242")" = lab2 ]
	# Ours is still lab1; theirs lab2.
	run --separate-stderr t exec -- ip netns identify
	[ "$output" = lab1 ]
	run --separate-stderr env SUDO_UID=4242 "$TESTENV" exec -- ip netns identify
	[ "$output" = lab2 ]
	run --separate-stderr t status
	[[ $output == *"  lab1 (number 1, current)"* && $output == *"  lab2 (number 2)"$'\n'* ]] ||
		{ echo "$output"; return 1; }
	# Our teardown of lab2 leaves that user with no current lab, not a stale one.
	t -n lab2 teardown >/dev/null
	[ ! -e "$STATE_DIR/current.4242" ]
	[ "$(cat "$CURRENT_FILE")" = lab1 ]
	run --separate-stderr env SUDO_UID=4242 "$TESTENV" ping
	assert_one_error_line "no current lab: run 't setup' first"
}

@test "testenv: an option for the program before '--' says where it goes, with the command to type" {
	t setup -n lab1 >/dev/null
	run --separate-stderr t load --progname xdp_drop_func --force
	assert_one_error_line "unknown option '--progname': options for the lesson's loader go after '--': t load -- --progname xdp_drop_func --force"
	run --separate-stderr t ping -c 5
	assert_one_error_line "unknown option '-c': options for ping go after '--': t ping -- -c 5"
	run --separate-stderr t stats -i 1
	assert_one_error_line "unknown option '-i': options for xdp_stats go after '--': t stats -- -i 1"
	# A command that passes nothing on: the plain refusal.
	run --separate-stderr t status --bogus
	assert_one_error_line "unknown option '--bogus' (see 'testenv.sh --help')"
}

@test "testenv: status keeps its columns in line for a name of 15 characters" {
	local name=a-lab-of-15-chr
	t setup -n lab1 >/dev/null
	t setup -n "$name" >/dev/null
	run --separate-stderr t status
	[ "$status" -eq 0 ]
	# In each lab, the state (UP) and the "xdp:" below it start in one column.
	local lab cols
	for lab in lab1 "$name"; do
		cols=$(awk -v lab="$lab" '
			/^  [^ ]/ { cur = ($1 == lab) }
			cur && /^    (outside|inside) / { print index($0, " UP ") + 1 }
			cur && / xdp: / { print index($0, "xdp:") }' <<<"$output" | sort -u | wc -l)
		[[ $cols -eq 1 ]] || { echo "$lab: columns not in line:"; echo "$output"; return 1; }
	done
	[[ $output == *"    inside    veth0 in netns $name UP    fc00:dead:cafe:2::2/64"* ]] ||
		{ echo "$output"; return 1; }
}

@test "testenv: exec runs a command inside the namespace, with or without --" {
	t setup -n lab1 >/dev/null
	run --separate-stderr t exec -- ip -o -6 addr show dev veth0 scope global
	[ "$status" -eq 0 ]
	[[ $output == *"fc00:dead:cafe:1::2/64"* ]]
	run --separate-stderr t exec ip -o link show dev veth0
	[ "$status" -eq 0 ]
	[[ $output == *"veth0@"* ]]
	# The command's exit status comes back.
	run --separate-stderr t exec -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run --separate-stderr t exec
	assert_one_error_line "exec needs a command"
}

@test "testenv: enter opens a shell inside the namespace" {
	t setup -n lab1 >/dev/null
	run --separate-stderr bash -c "printf 'ip netns identify\nip -o link show dev veth0\n' |
		SHELL=/bin/bash '$TESTENV' enter"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lab1 ]
	[[ ${lines[1]} == *"veth0@"* ]]
	[[ $stderr == *"entering the namespace of lab lab1"* ]]
}

@test "testenv: tcpdump captures on the outer end, and with --inner on veth0 inside" {
	t setup -n lab1 >/dev/null
	local cap=$BATS_TEST_TMPDIR/cap
	start_capture "$cap" 8 "$TESTENV" tcpdump -- -c 2 -l icmp6
	grep -q 'listening on lab1' "$cap.err"
	t ping -- -c 1 >/dev/null
	wait_capture
	[ "$(wc -l <"$cap")" -eq 2 ]
	grep -q 'fc00:dead:cafe:1::1 > fc00:dead:cafe:1::2: ICMP6, echo request' "$cap"
	grep -q 'fc00:dead:cafe:1::2 > fc00:dead:cafe:1::1: ICMP6, echo reply' "$cap"
	start_capture "$cap" 8 "$TESTENV" tcpdump --inner -- -c 1 -l icmp6
	grep -q 'listening on veth0' "$cap.err"
	t ping -- -c 1 >/dev/null
	wait_capture
	[ "$(wc -l <"$cap")" -eq 1 ]
	grep -q 'echo request' "$cap"
}

@test "testenv: status shows the labs, their addresses, the current one and attached XDP" {
	run --separate-stderr t status
	[ "$status" -eq 0 ]
	[ "$output" = "No labs: create one with 't setup'" ]
	t setup -n lab1 --legacy-ip >/dev/null
	t setup -n lab2 >/dev/null
	ip link set dev lab1 xdpgeneric object "$REDIRECT_OBJ" program xdp_pass
	local id
	id=$(ip -o link show dev lab1 | grep -o 'prog/xdp id [0-9]*' | grep -o '[0-9]*$')
	run --separate-stderr t status
	[ "$status" -eq 0 ]
	[[ $output == *"  lab1 (number 1)"$'\n'* ]]
	[[ $output == *"  lab2 (number 2, current)"* ]]
	[[ $output == *"198.18.1.1/24 fc00:dead:cafe:1::1/64"* ]]
	[[ $output == *"198.18.1.2/24 fc00:dead:cafe:1::2/64"* ]]
	[[ $output == *"fc00:dead:cafe:2::2/64"* ]]
	[[ $output == *"xdp: xdp_pass (id $id, generic)"* ]]
	[ "$(grep -c 'xdp: none' <<<"$output")" -eq 3 ]
	run --separate-stderr t status -n lab2
	[[ $output != *lab1* ]]
	[[ $output == *"  lab2 (number 2, current)"* ]]
}

@test "testenv: load, unload and stats run the lesson's programs from the current directory" {
	t setup -n lab1 >/dev/null
	local lesson=$BATS_TEST_TMPDIR/lesson prog
	mkdir -p "$lesson"
	for prog in xdp_loader xdp_load_and_stats xdp_stats; do
		printf '#!/bin/sh\necho "%s $*"\n' "$prog" >"$lesson/$prog"
		chmod +x "$lesson/$prog"
	done
	cd "$lesson"
	run --separate-stderr t load -- --skb-mode
	[ "$status" -eq 0 ]
	[ "$output" = "xdp_loader --dev lab1 --skb-mode" ]
	[[ $stderr == *"running ./xdp_loader --dev lab1 --skb-mode"* ]]
	run --separate-stderr t unload
	[ "$output" = "xdp_loader --dev lab1 --unload" ]
	run --separate-stderr t stats -- -i 1
	[ "$output" = "xdp_stats --dev lab1 -i 1" ]
	# Without xdp_loader, load falls back to xdp_load_and_stats.
	rm "$lesson/xdp_loader"
	run --separate-stderr t load
	[ "$output" = "xdp_load_and_stats --dev lab1" ]
}

@test "testenv: load and stats outside a lesson directory fail in one line; unload detaches" {
	t setup -n lab1 >/dev/null
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr t load
	assert_one_error_line "run 't load' from a lesson directory after 'make'"
	run --separate-stderr t stats
	assert_one_error_line "run 't stats' from a lesson directory after 'make'"
	ip link set dev lab1 xdpgeneric object "$REDIRECT_OBJ" program xdp_pass
	[ "$(xdp_progs "" lab1)" = "prog/xdp:xdp_pass " ]
	run --separate-stderr t unload
	[ "$status" -eq 0 ]
	[[ $output == *"detached XDP from lab1 with 'ip link set dev lab1 xdp off'"* ]]
	[ -z "$(xdp_progs "" lab1)" ]
}

# A redirect, and how the test proves it:
#
#   netns lab1                                                netns lab2
#   veth0 ---ping---> lab1 [xdp_redirect_all] ---> lab2 ---> veth0 [xdp_pass]
#         fc00:dead:cafe:1::2 -> ::1               (tcpdump counts the requests here)
#
# Before the redirect, lab1's inside gets its replies; after it, the requests
# leave through lab2 and arrive at lab2's veth0, and no reply comes back.
@test "testenv: redirect SRC DST sends SRC's incoming frames into DST; unload undoes it" {
	t setup -n lab1 >/dev/null
	t setup -n lab2 >/dev/null
	run ip netns exec lab1 ping -6 -c 1 -w 2 fc00:dead:cafe:1::1
	[ "$status" -eq 0 ]
	run --separate-stderr t redirect lab1 lab2
	[ "$status" -eq 0 ]
	[[ $output == *"frames arriving at lab1"*"now go out of lab2"* ]]
	local pins=$BPFFS/lab1/testenv_redirect
	[ -e "$pins/tx_port" ]
	[ -e "$pins/xdp_redirect_all" ]
	[ -e "$pins/xdp_pass" ]
	[ "$(xdp_progs "" lab1)" = "prog/xdp:xdp_redirect_al " ]
	[ "$(xdp_progs lab2 veth0)" = "prog/xdp:xdp_pass " ]
	run --separate-stderr t status -n lab1
	[[ $output == *"xdp: xdp_redirect_al (id "*", native)"* ]]
	[[ $output == *"frames arriving at lab1 go out of lab2"* ]]

	local cap=$BATS_TEST_TMPDIR/cap
	start_capture "$cap" 10 ip netns exec lab2 tcpdump -n -l -i veth0 -c 3 \
		icmp6 and src host fc00:dead:cafe:1::2
	run ip netns exec lab1 ping -6 -c 3 -i 0.2 -W 1 fc00:dead:cafe:1::1
	[ "$status" -ne 0 ]
	[[ $output == *"3 packets transmitted, 0 received"* ]]
	wait_capture
	[ "$(grep -c 'fc00:dead:cafe:1::2 > fc00:dead:cafe:1::1: ICMP6, echo request' "$cap")" -eq 3 ]

	run --separate-stderr t unload -n lab1
	[ "$status" -eq 0 ]
	[[ $output == *"Undid the redirect from lab1 to lab2"* ]]
	[ -z "$(xdp_progs "" lab1)" ]
	[ -z "$(xdp_progs lab2 veth0)" ]
	[ ! -e "$pins" ]
	run ip netns exec lab1 ping -6 -c 1 -w 2 fc00:dead:cafe:1::1
	[ "$status" -eq 0 ]
}

@test "testenv: redirect refuses missing labs, the same lab twice, and a busy interface" {
	t setup -n lab1 >/dev/null
	run --separate-stderr t redirect lab1 nosuch
	assert_one_error_line "no lab 'nosuch': run 't setup -n nosuch' first"
	run --separate-stderr t redirect lab1 lab1
	assert_one_error_line "two different labs"
	run --separate-stderr t redirect lab1
	assert_one_error_line "usage: testenv.sh redirect SRC DST"
	t setup -n lab2 >/dev/null
	ip link set dev lab1 xdpgeneric object "$REDIRECT_OBJ" program xdp_pass
	run --separate-stderr t redirect lab1 lab2
	assert_one_error_line "lab1 has an XDP program attached already"
	[ ! -e "$BPFFS/lab1/testenv_redirect" ]
	[ -z "$(xdp_progs lab2 veth0)" ]
}

# ---- teardown and reset ----------------------------------------------------------------

@test "testenv: teardown leaves nothing behind, and a second teardown has nothing to do" {
	t setup -n lab1 --legacy-ip >/dev/null
	t setup -n lab2 >/dev/null
	t redirect lab2 lab1 >/dev/null
	t redirect lab1 lab2 >/dev/null
	# A pin of the kind a lesson leaves, in the lab's directory.
	bpftool map create "$BPFFS/lab1/lesson_map" type array key 4 value 4 entries 1 name lesson_map
	run --separate-stderr t teardown -n lab1
	[ "$status" -eq 0 ]
	[[ $output == "Removed lab lab1"* ]]
	assert_no_trace lab1
	# lab1's redirect took its XDP_PASS program off lab2's veth0 with it;
	# lab2 itself is untouched, and still works.
	[ -z "$(xdp_progs lab2 veth0)" ]
	[ -e /run/netns/lab2 ]
	[ -e "$BPFFS/lab2/testenv_redirect/tx_port" ]
	run --separate-stderr t teardown -n lab1
	[ "$status" -eq 0 ]
	[ "$output" = "Nothing to do: no lab 'lab1'" ]
	[ -z "$stderr" ]
	run --separate-stderr t teardown -n lab2
	[ "$status" -eq 0 ]
	assert_no_trace lab2
	assert_no_labs
	[ ! -e "$CURRENT_FILE" ]
	[ -z "$(ls -A "$STATE_DIR")" ]
	run --separate-stderr t teardown
	[ "$status" -eq 0 ]
	[[ $output == "Nothing to do"* ]]
}

@test "testenv: teardown removes the leftovers of a lab whose state is gone" {
	t setup -n lab1 >/dev/null
	rm -f "$STATE_DIR/lab1.env"
	run --separate-stderr t teardown -n lab1
	[ "$status" -eq 0 ]
	assert_no_trace lab1
	assert_no_labs
}

@test "testenv: reset rebuilds the lab with its name, number and options, and nothing else" {
	t setup -n lab1 >/dev/null
	t setup -n lab2 --legacy-ip >/dev/null
	ip link set dev lab2 xdpgeneric object "$REDIRECT_OBJ" program xdp_pass
	mkdir -p "$BPFFS/lab2"
	bpftool map create "$BPFFS/lab2/lesson_map" type array key 4 value 4 entries 1 name lesson_map
	local old_ifindex
	old_ifindex=$(cat /sys/class/net/lab2/ifindex)
	run --separate-stderr t reset -n lab2
	[ "$status" -eq 0 ]
	[[ $output == *"Reset lab lab2 (number 2)"* ]]
	[ "$(cat /sys/class/net/lab2/ifindex)" != "$old_ifindex" ]
	[ -z "$(xdp_progs "" lab2)" ]
	[ ! -e "$BPFFS/lab2" ]
	ip -o -4 addr show dev lab2 | grep -q '198.18.2.1/24'
	run --separate-stderr t ping -- -c 1
	[ "$status" -eq 0 ]
	[[ $output == *"PING 198.18.2.2"* ]]
	# reset adds options given now.
	run --separate-stderr t reset -n lab1 --legacy-ip
	[ "$status" -eq 0 ]
	ip -o -4 addr show dev lab1 | grep -q '198.18.1.1/24'
}

@test "testenv: bpffs is mounted at /sys/fs/bpf when it is not" {
	run unshare --mount --propagation private bash -c "
		umount $BPFFS
		stat -f -c %T $BPFFS
		'$TESTENV' setup -n lab1 >/dev/null
		stat -f -c %T $BPFFS
		'$TESTENV' teardown -n lab1 >/dev/null"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != bpf_fs ]
	[ "${lines[1]}" = bpf_fs ]
	assert_no_labs
}

# ---- bad input: one line on stderr, exit 1, nothing left ------------------------------

@test "testenv: an unknown command is refused in one line" {
	run --separate-stderr t frobnicate
	assert_one_error_line "unknown command 'frobnicate'"
	run --separate-stderr t
	assert_one_error_line "no command given"
	assert_no_labs
}

@test "testenv: an unknown option, or one that does not apply, is refused in one line" {
	run --separate-stderr t setup --frobnicate
	assert_one_error_line "unknown option '--frobnicate'"
	run --separate-stderr t setup -x
	assert_one_error_line "unknown option '-x'"
	run --separate-stderr t setup --inner
	assert_one_error_line "option --inner does not apply to 'setup'"
	run --separate-stderr t setup -n lab1 -g
	assert_one_error_line "either -n NAME or -g"
	run --separate-stderr t setup -- foo
	assert_one_error_line "'setup' takes no arguments after '--'"
	run --separate-stderr t setup -n
	assert_one_error_line "option -n needs a NAME"
	assert_no_labs
}

@test "testenv: names longer than 15 characters or with bad characters are refused in one line" {
	run --separate-stderr t setup -n abcdefghijklmnop
	assert_one_error_line "longer than 15 characters"
	local bad
	for bad in 'bad.name' '1lab' 'lab/1' 'lab 1' '-lab' 'lab:1' ''; do
		run --separate-stderr t setup --name="$bad"
		assert_one_error_line "is not valid"
	done
	# shellcheck disable=SC2016 # a literal $
	run --separate-stderr t ping -n 'a$b'
	assert_one_error_line "is not valid"
	# Fifteen characters is fine.
	run --separate-stderr t setup -n abcdefghijklmno
	[ "$status" -eq 0 ]
	[ -e /run/netns/abcdefghijklmno ]
	t teardown -n abcdefghijklmno >/dev/null
	assert_no_labs
}

@test "testenv: setup of an existing lab (or a taken name) is refused and changes nothing" {
	t setup -n lab1 >/dev/null
	local ifindex
	ifindex=$(cat /sys/class/net/lab1/ifindex)
	run --separate-stderr t setup -n lab1
	assert_one_error_line "lab 'lab1' exists already: use 't reset -n lab1'"
	[[ $stderr == *"'t teardown -n lab1'"* ]]
	[ "$(cat /sys/class/net/lab1/ifindex)" = "$ifindex" ]
	run --separate-stderr t ping -- -c 1
	[ "$status" -eq 0 ]
	run --separate-stderr t setup -n lo
	assert_one_error_line "an interface named 'lo' exists already"
	[ ! -e "$STATE_DIR/lo.env" ]
}

@test "testenv: every command on a missing lab fails in one line naming it" {
	local cmd
	# (teardown is the exception: it has nothing to do, and says so.)
	for cmd in reset enter "exec -- true" ping tcpdump status load unload stats; do
		# shellcheck disable=SC2086 # split "exec -- true"
		run --separate-stderr t -n nosuch $cmd
		assert_one_error_line "no lab 'nosuch': run 't setup -n nosuch' first"
	done
	run --separate-stderr t redirect nosuch other
	assert_one_error_line "no lab '"
	# With no -n and no current lab.
	for cmd in reset enter "exec -- true" ping tcpdump load unload stats; do
		# shellcheck disable=SC2086
		run --separate-stderr t $cmd
		assert_one_error_line "no current lab: run 't setup' first"
	done
	assert_no_labs
}

@test "testenv: without root, commands fail in one line saying to use sudo" {
	local cmd
	for cmd in setup teardown status ping; do
		run --separate-stderr as_nobody \
			"$TESTENV" "$cmd" -n lab1
		assert_one_error_line "needs root: run it with sudo"
	done
	assert_no_labs
}

@test "testenv: a missing tool is named in one line, with its Debian package" {
	local dir
	dir=$(make_path "$BATS_TEST_TMPDIR/path")
	hide_tool "$dir" ip
	[ -z "$(PATH=$dir command -v ip)" ]
	run --separate-stderr env PATH="$dir" "$TESTENV" setup -n lab1
	assert_one_error_line "ip not found: install the Debian/Ubuntu package 'iproute2'"
	assert_no_labs
	show_tool "$dir" ip
	t setup -n lab1 >/dev/null
	hide_tool "$dir" ping
	run --separate-stderr env PATH="$dir" "$TESTENV" ping
	assert_one_error_line "ping not found: install the Debian/Ubuntu package 'iputils-ping'"
	hide_tool "$dir" tcpdump
	run --separate-stderr env PATH="$dir" "$TESTENV" tcpdump
	assert_one_error_line "tcpdump not found: install the Debian/Ubuntu package 'tcpdump'"
	t setup -n lab2 >/dev/null
	hide_tool "$dir" bpftool
	run --separate-stderr env PATH="$dir" "$TESTENV" redirect lab1 lab2
	assert_one_error_line "bpftool not found: install the Debian/Ubuntu package 'bpftool'"
	[ -z "$(xdp_progs "" lab1)" ]
	[ ! -e "$BPFFS/lab1" ]
}

@test "testenv: a setup that fails halfway removes what it had made" {
	# An ip that works until the last step: configuring the inside (ip -n NAME -batch -),
	# when the namespace, the veth pair and the outside are made already.
	local fake=$BATS_TEST_TMPDIR/fake real_ip
	real_ip=$(command -v ip)
	mkdir -p "$fake"
	cat >"$fake/ip" <<-EOF
		#!/bin/bash
		if [[ \$1 == -n && \$3 == -batch ]]; then
			echo "fake ip: not today" >&2
			exit 2
		fi
		exec $real_ip "\$@"
	EOF
	chmod +x "$fake/ip"
	run --separate-stderr env PATH="$fake:$PATH" "$TESTENV" setup -n lab1 --legacy-ip
	[ "$status" -ne 0 ]
	[[ ${stderr_lines[-1]} == "testenv: error: setting up lab1 failed at: "*"removed what it had made" ]]
	assert_no_trace lab1
	assert_no_labs
	# The name and the number are free again.
	run --separate-stderr t setup -n lab1
	[[ $output == *"Set up lab lab1 (number 1)"* ]]
}

# ---- labs for redirecting and routing: inner-xdp, wire, router ----------------------------

@test "testenv: inner-xdp puts XDP_PASS on the lab's veth0, and off takes it away" {
	t setup -n lab1 >/dev/null
	run --separate-stderr t inner-xdp -n lab1
	[ "$status" -eq 0 ]
	[[ $output == *"veth0 in lab1: xdp: xdp_pass (id "*", native)"* ]]
	[ "$(xdp_progs lab1 veth0)" = "prog/xdp:xdp_pass " ]
	# Twice is fine: the program there stays.
	run --separate-stderr t inner-xdp
	[ "$status" -eq 0 ]
	[ "$(xdp_progs lab1 veth0)" = "prog/xdp:xdp_pass " ]
	run --separate-stderr t inner-xdp off
	[ "$status" -eq 0 ]
	[ -z "$(xdp_progs lab1 veth0)" ]
	run --separate-stderr t inner-xdp sideways
	assert_one_error_line "usage: testenv.sh inner-xdp [-n NAME] [on|off]"
	run --separate-stderr t inner-xdp -n nosuch
	assert_one_error_line "no lab 'nosuch'"
}

# Who put XDP_PASS on a lab's veth0 decides who takes it away: a redirect takes
# away only what a redirect put there, once no lab redirects there any more;
# what inner-xdp put there (or took over) stays until 'inner-xdp off'.
@test "testenv: undoing a redirect leaves the XDP_PASS of inner-xdp on the target's veth0" {
	local id
	inner_id() { ip -n lab2 -j link show dev veth0 | jq -r '.[0].xdp.attached[0].prog.id'; }
	t setup -n lab1 >/dev/null
	t setup -n lab2 >/dev/null
	t setup -n lab3 >/dev/null
	# inner-xdp first, then a redirect into that lab, undone.
	t inner-xdp -n lab2 >/dev/null
	id=$(inner_id)
	[[ $id =~ ^[0-9]+$ ]]
	t redirect lab1 lab2 >/dev/null
	t unload -n lab1 >/dev/null
	[ -z "$(xdp_progs "" lab1)" ]
	[ "$(inner_id)" = "$id" ] || { echo "veth0 of lab2: $(xdp_progs lab2 veth0)"; return 1; }
	# A redirect first, then inner-xdp takes its program over; also after teardown.
	t inner-xdp -n lab2 off >/dev/null
	t redirect lab1 lab2 >/dev/null
	[ "$(xdp_progs lab2 veth0)" = "prog/xdp:xdp_pass " ]
	t inner-xdp -n lab2 >/dev/null
	t teardown -n lab1 >/dev/null
	[ "$(xdp_progs lab2 veth0)" = "prog/xdp:xdp_pass " ]
	run --separate-stderr t inner-xdp -n lab2 off
	[ "$status" -eq 0 ]
	[ -z "$(xdp_progs lab2 veth0)" ]
	# Two redirects into one lab: the program goes with the last of them,
	# whichever attached it.
	t setup -n lab1 >/dev/null
	t redirect lab1 lab3 >/dev/null
	t redirect lab2 lab3 >/dev/null
	t unload -n lab1 >/dev/null
	[ "$(xdp_progs lab3 veth0)" = "prog/xdp:xdp_pass " ]
	t unload -n lab2 >/dev/null
	[ -z "$(xdp_progs lab3 veth0)" ]
	# wire counts as yours too.
	t redirect lab1 lab2 >/dev/null
	t wire lab2 lab3 >/dev/null
	t unload -n lab1 >/dev/null
	[ "$(xdp_progs lab2 veth0)" = "prog/xdp:xdp_pass " ]
}

@test "testenv: wire A B routes each lab to the other, with XDP_PASS and full checksums inside" {
	t setup -n lab1 --legacy-ip >/dev/null
	t setup -n lab2 --legacy-ip >/dev/null
	run --separate-stderr t wire lab1 lab2
	[ "$status" -eq 0 ]
	[[ $output == "Wired lab1 and lab2 for redirecting"* ]]
	[[ $(ip -n lab1 -6 route show fc00:dead:cafe:2::/64) == *"via fc00:dead:cafe:1::1 dev veth0"* ]]
	[[ $(ip -n lab2 -6 route show fc00:dead:cafe:1::/64) == *"via fc00:dead:cafe:2::1 dev veth0"* ]]
	[[ $(ip -n lab1 -4 route show 198.18.2.0/24) == *"via 198.18.1.1"* ]]
	[[ $(ip -n lab2 -4 route show 198.18.1.0/24) == *"via 198.18.2.1"* ]]
	[ "$(xdp_progs lab1 veth0)" = "prog/xdp:xdp_pass " ]
	[ "$(xdp_progs lab2 veth0)" = "prog/xdp:xdp_pass " ]
	[[ $(ip netns exec lab1 ethtool -k veth0) == *"tx-checksumming: off"* ]]
	# Nothing is sent on its own: the lab stays quiet.
	local rx
	rx=$(rx_packets lab1)
	sleep 0.5
	[ "$(rx_packets lab1)" -eq "$rx" ]
	# Wiring again changes nothing and works.
	run --separate-stderr t wire lab1 lab2
	[ "$status" -eq 0 ]
	run --separate-stderr t wire lab1 lab1
	assert_one_error_line "two different labs"
	run --separate-stderr t wire lab1
	assert_one_error_line "usage: testenv.sh wire A B"
	run --separate-stderr t wire lab1 nosuch
	assert_one_error_line "no lab 'nosuch'"
	t teardown -n lab1 >/dev/null
	t teardown -n lab2 >/dev/null
	assert_no_labs
}

@test "testenv: router setup builds three hosts around a forwarding namespace; teardown removes it all" {
	run --separate-stderr t router setup -n rt
	[ "$status" -eq 0 ]
	[[ $output == "Set up router rt (number 1)"* ]]
	[[ $output == *"host 3: netns rt3      fc00:dead:cafe:213::2 198.18.0.34"* ]]
	local k
	for k in 1 2 3; do
		[ -e "/run/netns/rt$k" ]
		[ "$(xdp_progs "rt$k" veth0)" = "prog/xdp:xdp_pass " ]
		ip -n rt link show dev "rt$k" >/dev/null
	done
	# Forwarding inside the router only.
	[ "$(ip netns exec rt sysctl -n net.ipv4.ip_forward)" -eq 1 ]
	[ "$(ip netns exec rt sysctl -n net.ipv6.conf.all.forwarding)" -eq 1 ]
	[ "$(sysctl -n net.ipv4.ip_forward)" -eq 0 ]
	[ "$(sysctl -n net.ipv6.conf.all.forwarding)" -eq 0 ]
	# The stack routes between the hosts (no XDP on the router yet).
	run ip netns exec rt1 ping -c 1 -W 2 fc00:dead:cafe:213::2
	[ "$status" -eq 0 ]
	run ip netns exec rt3 ping -c 1 -W 2 198.18.0.18
	[ "$status" -eq 0 ]
	[[ $output == *"ttl=63"* ]]
	run --separate-stderr t router exec -n rt 2 -- ip -br addr show dev veth0
	[[ $output == *"198.18.0.18/28"* ]]
	run --separate-stderr t router status
	[[ $output == *"Router rt (number 1):"* ]]
	run --separate-stderr t router setup -n rt
	assert_one_error_line "router 'rt' exists already"
	run --separate-stderr t router teardown -n rt
	[ "$status" -eq 0 ]
	[ "$output" = "Removed router rt: its namespaces, veth pairs, pins and state" ]
	assert_no_labs
	[ ! -e "$STATE_DIR/rt.router" ]
	run --separate-stderr t router teardown -n rt
	[ "$output" = "Nothing to do: no router 'rt'" ]
}

@test "testenv: router load and unload run the lesson's loader on every leg, inside the router" {
	t router setup >/dev/null
	cd "$TOP_DIR/packet-solutions/packet03-redirecting"
	run --separate-stderr t router load -- --progname xdp_router_func
	[ "$status" -eq 0 ]
	[[ $stderr == *"running ./xdp_loader --dev router1 --progname xdp_router_func inside router"* ]]
	local k
	for k in 1 2 3; do
		[ "$(xdp_progs router "router$k")" = "prog/xdp:xdp_router_func " ]
		[ -e "$BPFFS/router$k/xdp_stats_map" ]
	done
	run --separate-stderr t router unload
	[ "$status" -eq 0 ]
	[ -z "$(xdp_progs router router1)" ]
	[ ! -e "$BPFFS/router1" ]
	# Without a loader here: load says so; unload detaches with ip.
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr t router load
	assert_one_error_line "no ./xdp_loader in $BATS_TEST_TMPDIR"
	t router teardown >/dev/null
	assert_no_labs
}

@test "testenv: router commands refuse bad arguments in one line, and a failed setup leaves nothing" {
	run --separate-stderr t router
	assert_one_error_line "usage: testenv.sh router setup|teardown|status|load|unload|exec"
	run --separate-stderr t router exec 7 -- true
	assert_one_error_line "usage: testenv.sh router exec"
	run --separate-stderr t router setup -- foo
	assert_one_error_line "usage: testenv.sh router setup"
	run --separate-stderr t router setup -n abcdefghijklmno
	assert_one_error_line "too long for a router"
	run --separate-stderr t router exec -- true
	assert_one_error_line "no router 'router'"
	t setup -n rt2 >/dev/null
	run --separate-stderr t router setup -n rt
	assert_one_error_line "'rt2' is in use already"
	t teardown -n rt2 >/dev/null
	# An ip that fails at the third host: the router and two hosts exist.
	local fake=$BATS_TEST_TMPDIR/fake real_ip
	real_ip=$(command -v ip)
	mkdir -p "$fake"
	cat >"$fake/ip" <<-EOF
		#!/bin/bash
		if [[ \$1 == netns && \$2 == add && \$3 == rt3 ]]; then
			echo "fake ip: not today" >&2
			exit 2
		fi
		exec $real_ip "\$@"
	EOF
	chmod +x "$fake/ip"
	run --separate-stderr env PATH="$fake:$PATH" "$TESTENV" router setup -n rt
	[ "$status" -ne 0 ]
	assert_no_labs
	[ ! -e "$STATE_DIR/rt.router" ]
	[ ! -e /run/netns/rt ]
}
