#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# packet01-parsing, as its README shows it: the starter is refused by the
# verifier with the log's tail and a hint, and nothing is left attached or
# pinned; the reference solution drops the even ICMPv6 and ICMP echo replies
# of t ping (from outside) and the even echo requests of a ping from inside
# the lab, and counts exactly that in its pinned stats map; tagged frames sent with testenv/send_frames (802.1ad around 802.1Q,
# and one tag more than VLAN_MAX_DEPTH) get the verdicts the README states;
# send_frames builds the frames the README prints and refuses bad input in
# one line; with real 802.1Q (tag vlan: make test-kernels), the same through
# a VLAN interface.
#
#      this namespace                         netns p01lab
#   +--------------------------+   veth   +--------------------------+
#   | p01lab                   |==========| veth0                    |
#   | fc00:dead:cafe:N::1      |          | fc00:dead:cafe:N::2      |
#   | 198.18.N.1               |          | 198.18.N.2               |
#   | xdp_parser_func sees the |          | ping, send_frames: echo  |
#   | echo requests coming in, |          | requests, tagged frames; |
#   | and the replies to t ping|          | the replies to t ping    |
#   +--------------------------+          +--------------------------+
#   /sys/fs/bpf/p01lab/xdp_stats_map
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/packet01.bats

load lab_helpers

LESSON_DIR=$TOP_DIR/packet01-parsing
SOLUTION_DIR=$TOP_DIR/packet-solutions/packet01-parsing
SEND_FRAMES=$TOP_DIR/testenv/send_frames
LAB=p01lab
# shellcheck disable=SC2034 # read by lab_helpers: where XDP attaches
DEV=$LAB
MAP_PIN=/sys/fs/bpf/$LAB/xdp_stats_map

setup_file() {
	require_isolation
	build "$LESSON_DIR" "$SOLUTION_DIR" "$TOP_DIR/testenv"
	"$TESTENV" setup --name "$LAB" --legacy-ip >/dev/null
}

teardown_file() {
	remove_lab "$LAB"
}

setup() {
	cd "$SOLUTION_DIR" || return 1
}

teardown() {
	stop_bg
	rm -rf "/sys/fs/bpf/$LAB"
	detach_xdp "$LAB"
}

# ---- helpers ----------------------------------------------------------------

# rx_packets of ACTION (1 drop, 2 pass) in the pinned map, summed over the
# CPUs, read with bpftool: independent of the lesson's code.
pinned_packets() { # ACTION
	bpftool -j map lookup pinned "$MAP_PIN" key "$1" 0 0 0 |
		grep -o '"rx_packets":[0-9]*' | cut -d: -f2 | awk '{ n += $1 } END { print n + 0 }'
}

counts() {
	echo "DROP $(pinned_packets 1) PASS $(pinned_packets 2)"
}

assert_counts() { # "DROP N PASS N"
	local got
	got=$(counts)
	if [[ "$got" != "$1" ]]; then
		echo "expected the stats map to hold $1, saw $got"
		return 1
	fi
}

# The sequence numbers that got a reply, of COUNT pings from inside the lab
# to the outside address ADDR: their echo requests go through the program.
replied_from_inside() { # ADDR COUNT
	t exec --name "$LAB" -- ping -n -c "$2" -i 0.2 -W 1 "$1" | replied_sequences
}

# The same of t ping (from outside) with PING_OPTIONS: their echo replies go
# through the program.
replied_from_outside() { # [T_PING_OPTIONS...] -- PING_OPTIONS...
	t ping --name "$LAB" "$@" -i 0.2 -W 1 | replied_sequences
}

# send_frames from inside the lab, ICMPv6 echo requests to the outside.
send_tagged() { # SEND_FRAMES_ARGS...
	local out6
	out6=$(outside_address "$LAB" inet6)
	t exec --name "$LAB" -- "$SEND_FRAMES" --dev veth0 --src-mac "$(mac_of veth0 "$LAB")" \
		--dst-mac "$(mac_of "$LAB")" -6 --src "${out6%::1}::2" --dst "$out6" "$@"
}

load_solution() {
	run t load --name "$LAB"
	assert_ok
}

# ---- the starter ------------------------------------------------------------

@test "packet01: the starter is refused, with the verifier's log tail and a hint; nothing is left" {
	cd "$LESSON_DIR"
	run t load --name "$LAB"
	assert_failed
	assert_one_error "the verifier rejected it"
	assert_output_has "invalid access to packet, off=12"
	assert_output_has "if ((void *)eth + sizeof(eth) > data_end)"
	assert_output_has "hint: the program reads packet bytes that no bounds check before it covers"
	assert_nothing_attached
	[[ ! -e "$MAP_PIN" ]]
}

# ---- the solution, live ---------------------------------------------------------

@test "packet01: t ping -- -6 -c 10 gets replies for the odd sequence numbers only; 5 dropped, 5 passed" {
	load_solution
	[[ -e "$MAP_PIN" ]]
	run replied_from_outside -- -6 -c 10
	[[ "$output" == "1 3 5 7 9" ]] || { echo "replies for: $output"; return 1; }
	assert_counts "DROP 5 PASS 5"
}

@test "packet01: ping -c 10 from inside gets replies for the odd sequence numbers only; 5 dropped, 5 passed" {
	load_solution
	run replied_from_inside "$(outside_address "$LAB" inet6)" 10
	[[ "$output" == "1 3 5 7 9" ]] || { echo "replies for: $output"; return 1; }
	assert_counts "DROP 5 PASS 5"
}

@test "packet01: the same over IPv4: t ping --legacy-ip -- -c 4, then ping -4 -c 4 from inside, replies for 1 and 3" {
	load_solution
	run replied_from_outside --legacy-ip -- -c 4
	[[ "$output" == "1 3" ]] || { echo "t ping: replies for: $output"; return 1; }
	assert_counts "DROP 2 PASS 2"
	run replied_from_inside "$(outside_address "$LAB" inet)" 4
	[[ "$output" == "1 3" ]] || { echo "from inside: replies for: $output"; return 1; }
	assert_counts "DROP 4 PASS 4"
}

@test "packet01: tagged frames from send_frames: 802.1ad+802.1Q looked into, 3 tags passed" {
	load_solution
	run send_tagged --qinq --vlan 200 --vlan 100 --count 4
	assert_ok
	assert_output_has "send_frames: sent 4 frames on veth0"
	assert_counts "DROP 2 PASS 2"
	run send_tagged --vlan 1 --vlan 2 --vlan 3 --count 4
	assert_ok
	assert_counts "DROP 2 PASS 6"
}

@test "packet01: t stats shows the verdicts of the pinned map" {
	load_solution
	replied_from_outside -- -c 4 >/dev/null
	BOUND=3 run t stats --name "$LAB"
	assert_output_matches '^XDP_DROP .* total 2 pkts'
	assert_output_matches '^XDP_PASS .* total 2 pkts'
}

@test "packet01: t unload detaches and removes the pin" {
	load_solution
	run t unload --name "$LAB"
	assert_ok
	assert_output_has "Removed the pin $MAP_PIN"
	assert_nothing_attached
	[[ ! -e "$MAP_PIN" ]]
}

# ---- the loader's refusals ------------------------------------------------------

@test "packet01: a program held by a bpf_link: --force and --unload say so and how to remove it" {
	local id
	id=$(hold_with_link "$LAB")
	[[ -n "$id" ]] || { echo "no program attached through a link"; return 1; }
	run bounded ./xdp_loader --dev "$LAB" --force
	assert_refused_by_link "$LAB"
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_refused_by_link "$LAB"
	[[ "$(attached_id)" == "$id" ]] || { echo "program $id -> '$(attached_id)'"; return 1; }
	# The pins of the link's loader stay too.
	[[ -e "$MAP_PIN" && -e /sys/fs/bpf/$LAB/xdp_link ]]
}

@test "packet01: not root: one line saying it needs root (starter and solution)" {
	run_as_nobody "$LESSON_DIR/xdp_loader" "$LESSON_DIR/xdp_prog.bpf.o" -- ./xdp_loader --dev "$LAB"
	assert_needs_root xdp_loader
	run_as_nobody xdp_loader xdp_prog.bpf.o -- ./xdp_loader --dev "$LAB" --unload
	assert_needs_root xdp_loader
	assert_nothing_attached
	[[ ! -e "$MAP_PIN" ]]
}

# ---- send_frames ------------------------------------------------------------

@test "send_frames: --dry-run prints the double-tagged frames the README shows" {
	run "$SEND_FRAMES" --dry-run --src-mac 02:00:00:00:01:02 --dst-mac 02:00:00:00:01:01 \
		-6 --src fc00:dead:cafe:1::2 --dst fc00:dead:cafe:1::1 \
		--qinq --vlan 200 --vlan 100 --count 2 --payload-len 4
	assert_ok
	[[ "${lines[0]}" == 02000000010102000000010288a800c88100006486dd60000000000c3a40fc00deadcafe00010000000000000002fc00deadcafe00010000000000000001800020201234000100010203 ]]
	[[ "${lines[1]}" == 02000000010102000000010288a800c88100006486dd60000000000c3a40fc00deadcafe00010000000000000002fc00deadcafe000100000000000000018000201f1234000200010203 ]]
	[[ ${#lines[@]} -eq 2 ]]
}

@test "send_frames: --hex sends exactly the bytes given, --print-hex shows them" {
	load_solution
	# An ICMP echo request, sequence 2, built by hand (checksums right).
	local frame
	frame=$(
		printf '%s' "$(mac_of "$LAB" | tr -d :)$(mac_of veth0 "$LAB" | tr -d :)0800"
		printf '4500001c00010000400100000000000000000000'
		printf '0800f7fd00000002'
	)
	run t exec --name "$LAB" -- "$SEND_FRAMES" --dev veth0 --hex "$frame" --print-hex
	assert_ok
	[[ "${lines[0]}" == "$frame" ]]
	# IPv4 header checksum 0 and addresses 0: still parsed, and dropped.
	assert_counts "DROP 1 PASS 0"
}

@test "send_frames: bad input gets one error line and exit 2, nothing sent" {
	local common=(--src-mac 02:00:00:00:01:02 --dst-mac 02:00:00:00:01:01 -6
		--src fc00:dead:cafe:1::2 --dst fc00:dead:cafe:1::1)
	run "$SEND_FRAMES" --dry-run "${common[@]}" --vlan 4096
	assert_status 2
	[[ "$output" == "send_frames: error: --vlan '4096': expected a number from 0 to 4095 (see send_frames --help)" ]]
	run "$SEND_FRAMES" --dry-run "${common[@]}" --qinq
	assert_status 2
	assert_output_has "--qinq marks the outermost --vlan tag"
	run "$SEND_FRAMES" --dry-run --src-mac 02:00:00:00:01:02 --dst-mac 02:00:00:00:01:01 -4 \
		--src fc00:dead:cafe:1::2 --dst 198.18.1.1
	assert_status 2
	assert_output_has "--src 'fc00:dead:cafe:1::2': not an IPv4 address"
	run "$SEND_FRAMES" --dev veth0 --hex 0011
	assert_status 2
	assert_output_has "--dev veth0: no such interface here"
	run "$SEND_FRAMES" --dry-run --hex 00112
	assert_status 2
	assert_output_has "odd number of hex digits"
	[[ ${#lines[@]} -eq 1 ]]
}

# ---- real 802.1Q ------------------------------------------------------------

vlan_supported() {
	[[ -e /proc/net/vlan/config ]] || { command -v modprobe >/dev/null && modprobe -q 8021q; }
}

# bats test_tags=vlan
@test "packet01: with t setup --vlan, pings over VLAN 100, from inside and t ping --vlan, lose the even sequence numbers" {
	vlan_supported || skip "this kernel has no 802.1Q VLAN support (make test-kernels runs this)"
	run t reset --name "$LAB" --vlan --legacy-ip
	assert_ok
	load_solution
	local addr
	addr=$(outside_address "$LAB.100" inet6)
	run replied_from_inside "$addr" 6
	[[ "$output" == "1 3 5" ]] || { echo "replies for: $output"; return 1; }
	assert_counts "DROP 3 PASS 3"
	# The replies to t ping --vlan come in tagged, and are looked into too.
	run replied_from_outside --vlan -- -6 -c 6
	[[ "$output" == "1 3 5" ]] || { echo "t ping --vlan: replies for: $output"; return 1; }
	assert_counts "DROP 6 PASS 6"
}
