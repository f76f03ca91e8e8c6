#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# packet02-rewriting: what the README shows, on a testenv lab with IPv4 too.
# The starter changes the port and not the checksum: UDP still arrives while
# the sender's checksum offload leaves it partial, and is dropped and counted
# once offload is off. The reference solution carries UDP and TCP (1 MiB, IPv4
# and IPv6, offload on and off) through the XDP rewrite and the tc restore, a
# capture shows 7000 on the way in and 7001 on the way out, the VLAN programs
# pop and push tags (frames sent with testenv/send_frames: no 802.1Q needed),
# and the loader answers bad input with one error line and nothing attached.
#
#      this namespace                            netns p02lab
#   +-----------------------------+   veth   +-----------------------------+
#   | p02lab  198.18.N.1          |==========| veth0  198.18.N.2           |
#   |         fc00:dead:cafe:N::1 |          |        fc00:dead:cafe:N::2  |
#   | XDP (ingress), tc (egress)  |          | nc (senders), send_frames   |
#   | nc listeners, tcpdump       |          |                             |
#   +-----------------------------+          +-----------------------------+
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/packet02.bats

load lab_helpers

LESSON_DIR=$TOP_DIR/packet02-rewriting
SOLUTION_DIR=$TOP_DIR/packet-solutions/packet02-rewriting
SEND_FRAMES=$TOP_DIR/testenv/send_frames
LAB=p02lab
# shellcheck disable=SC2034 # read by lab_helpers: where XDP attaches
DEV=$LAB

setup_file() {
	require_isolation
	build "$LESSON_DIR" "$SOLUTION_DIR" "$TOP_DIR/testenv"
	"$TESTENV" setup --name "$LAB" --legacy-ip >/dev/null
}

teardown_file() {
	remove_lab "$LAB"
}

setup() {
	read -r OUT4 OUT6 < <(addresses "$LAB" "")
	read -r IN4 _ < <(addresses veth0 "$LAB")
	OUT_MAC=$(ip -j link show dev "$LAB" | jq -r '.[0].address')
	IN_MAC=$(ip -n "$LAB" -j link show dev veth0 | jq -r '.[0].address')
	offload on
}

teardown() {
	stop_bg
	[[ -x "$SOLUTION_DIR/xdp_loader" ]] &&
		"$SOLUTION_DIR/xdp_loader" --dev "$LAB" --unload --quiet 2>/dev/null
	detach_xdp "$LAB"
	tc qdisc del dev "$LAB" clsact 2>/dev/null || true
}

# ---- helpers ----------------------------------------------------------------

# "IPV4 IPV6" (the global ones) of DEV, in namespace NS ('' = this one).
addresses() { # DEV NS
	local out
	out=$(ip ${2:+-n "$2"} -j addr show dev "$1")
	jq -r '[(.[0].addr_info[] | select(.family == "inet") | .local),
		(.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .local)]
		| join(" ")' <<<"$out"
}

# Checksum offload of the sender (veth0) and of the outer end: on or off.
offload() { # on|off
	ethtool -K "$LAB" tx "$1" >/dev/null
	ip netns exec "$LAB" ethtool -K veth0 tx "$1" >/dev/null
}

# Wait until a socket here listens on PORT: u (UDP) or t (TCP).
wait_listening() { # u|t PORT
	local tries=50
	while ((tries-- > 0)); do
		[[ -n "$(ss "-Hln$1" "( sport = :$2 )")" ]] && return 0
		sleep 0.1
	done
	echo "no listener on port $2"
	return 1
}

counter() { # NAME [NS]
	local out
	if [[ -n "${2:-}" ]]; then
		out=$(ip netns exec "$2" nstat -asz "$1")
	else
		out=$(nstat -asz "$1")
	fi
	awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' <<<"$out"
}

# Send one UDP datagram with TEXT from inside to ADDR:PORT; print what a
# listener on PORT - 1 here received.
udp_through() { # FAMILY ADDR PORT TEXT
	local got="$BATS_TEST_TMPDIR/udp.out"
	timeout 5 nc "-$1" -u -l -W 1 "$2" "$(($3 - 1))" >"$got" 2>/dev/null &
	local lpid=$!
	wait_listening u "$(($3 - 1))"
	printf '%s' "$4" | timeout 3 ip netns exec "$LAB" nc "-$1" -u -w 1 "$2" "$3" || true
	wait "$lpid" 2>/dev/null || true
	cat "$got"
}

# Connect from inside to ADDR:PORT, send 1 MiB, close; succeed when the
# listener on PORT - 1 here got exactly those bytes.
tcp_mib_through() { # FAMILY ADDR PORT
	local data="$BATS_TEST_TMPDIR/data" got="$BATS_TEST_TMPDIR/got" lpid rc=0
	head -c 1048576 /dev/urandom >"$data"
	timeout 20 nc "-$1" -l "$2" "$(($3 - 1))" >"$got" </dev/null 2>/dev/null &
	lpid=$!
	wait_listening t "$(($3 - 1))"
	timeout 15 ip netns exec "$LAB" nc "-$1" -N -w 5 "$2" "$3" <"$data" >/dev/null 2>&1 || rc=$?
	wait "$lpid" 2>/dev/null || true
	if [[ $rc -ne 0 ]] || ! cmp "$data" "$got"; then
		echo "1 MiB over TCP$1 to $2 port $3: the sender exited $rc, the listener on" \
			"$(($3 - 1)) got $(stat -c %s "$got") bytes"
		return 1
	fi
}

# Capture COUNT frames on the lab's outer interface with tcpdump ARGS, in the
# background; wait_capture waits for them, frames prints them.
capture() { # COUNT ARGS...
	local n=$1 tries=50
	shift
	CAP_OUT="$BATS_TEST_TMPDIR/cap.out"
	timeout 10 tcpdump -i "$LAB" -n -l -c "$n" "$@" >"$CAP_OUT" 2>&1 &
	CAP_PID=$!
	while ((tries-- > 0)); do
		grep -q 'listening on' "$CAP_OUT" && return 0
		sleep 0.1
	done
	echo "tcpdump did not start: $(cat "$CAP_OUT")"
	return 1
}

# Assert that frame I of the last run (of frames) matches the glob PATTERN.
assert_frame() { # I PATTERN
	# shellcheck disable=SC2053 # a glob, on purpose
	[[ "${lines[$1]:-}" == $2 ]] && return 0
	echo "expected frame $1 of the capture to match '$2', saw:"
	echo "$output"
	return 1
}

# Wait for the capture to end: called directly, not under run (a subshell, of
# which tcpdump is no child to wait for).
wait_capture() {
	wait "$CAP_PID" 2>/dev/null || true
}

frames() {
	grep -v -E '^(tcpdump:|listening on|[0-9]+ packets)' "$CAP_OUT"
}

# Send one frame from inside with send_frames (ARGS: its frame options).
send_frame() { # ARGS...
	ip netns exec "$LAB" "$SEND_FRAMES" --dev veth0 --src-mac "$IN_MAC" --dst-mac "$OUT_MAC" \
		"$@" >/dev/null 2>&1
}

# ---- the starter: the trap ------------------------------------------------------

@test "packet02 starter: with offload on, UDP arrives at N - 1 though the checksum is not updated" {
	cd "$LESSON_DIR"
	run bounded ./xdp_loader --dev "$LAB"
	assert_ok
	assert_output_matches_e "$(attached_line xdp_port_rewrite_func "$LAB")"
	local before
	before=$(counter UdpInCsumErrors)
	run udp_through 4 "$OUT4" 7001 "hello"
	[[ "$output" == hello ]] || { echo "the listener on 7000 got '$output'"; return 1; }
	[[ "$(counter UdpInCsumErrors)" == "$before" ]]
}

@test "packet02 starter: with offload off, the kernel drops it and counts UdpInCsumErrors" {
	cd "$LESSON_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet
	offload off
	local before
	before=$(counter UdpInCsumErrors)
	run udp_through 4 "$OUT4" 7001 "hello again"
	[[ -z "$output" ]] || { echo "the listener on 7000 got '$output'"; return 1; }
	[[ "$(counter UdpInCsumErrors)" == "$((before + 1))" ]]
}

# ---- the reference solution -----------------------------------------------------

@test "packet02 solution: UDP over IPv4 and IPv6 arrives at N - 1, no checksum errors" {
	cd "$SOLUTION_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet
	offload off
	local before4 before6
	before4=$(counter UdpInCsumErrors)
	before6=$(counter Udp6InCsumErrors)
	run udp_through 4 "$OUT4" 7001 "four"
	[[ "$output" == four ]] || { echo "UDP over IPv4: got '$output'"; return 1; }
	run udp_through 6 "$OUT6" 7001 "six"
	[[ "$output" == six ]] || { echo "UDP over IPv6: got '$output'"; return 1; }
	[[ "$(counter UdpInCsumErrors) $(counter Udp6InCsumErrors)" == "$before4 $before6" ]]
}

@test "packet02 solution: the loader attaches XDP and the tc program on egress" {
	cd "$SOLUTION_DIR"
	run bounded ./xdp_loader --dev "$LAB"
	assert_ok
	assert_output_matches_e "$(attached_line xdp_port_rewrite_func "$LAB")"
	assert_output_matches_e "^Attached tc program 'tc_port_restore' \\(id [0-9]+\\) to the egress of $LAB"
	run tc filter show dev "$LAB" egress
	assert_output_has "name tc_port_restore"
}

@test "packet02 solution: 1 MiB over TCP, IPv4 and IPv6, checksum offload on and off" {
	cd "$SOLUTION_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet
	local mode before_out before_in
	for mode in on off; do
		offload "$mode"
		before_out=$(counter TcpInCsumErrors)
		before_in=$(counter TcpInCsumErrors "$LAB")
		tcp_mib_through 4 "$OUT4" 7001
		tcp_mib_through 6 "$OUT6" 7011
		[[ "$(counter TcpInCsumErrors)" == "$before_out" ]]
		[[ "$(counter TcpInCsumErrors "$LAB")" == "$before_in" ]]
	done
}

@test "packet02 solution: a capture sees port 7000 on the way in (after XDP), 7001 on the way out (after tc)" {
	cd "$SOLUTION_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet
	timeout 10 nc -6 -l "$OUT6" 7000 >/dev/null </dev/null 2>&1 &
	wait_listening t 7000
	capture 2 tcp
	echo hi | timeout 5 ip netns exec "$LAB" nc -6 -N "$OUT6" 7001 >/dev/null
	wait_capture
	run frames
	assert_frame 0 "* > $OUT6.7000: Flags \\[S\\]*"
	assert_frame 1 "* $OUT6.7001 > *Flags \\[S.\\]*"
}

@test "packet02 solution: --unload removes the tc program, the clsact hook and the XDP program" {
	cd "$SOLUTION_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_ok
	assert_output_has "Detached tc program 'tc_port_restore' from the egress of $LAB"
	assert_output_matches_e "^Detached XDP program id [0-9]+ from $LAB \\(ifindex [0-9]+\\)$"
	assert_nothing_attached
	run tc qdisc show dev "$LAB"
	[[ "$output" != *clsact* ]] || { echo "$output"; return 1; }
}

@test "packet02 solution: xdp_vlan_pop_func removes the tag of a frame sent tagged" {
	cd "$SOLUTION_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet --progname xdp_vlan_pop_func
	capture 1 -e -Q in
	send_frame -4 --src "$IN4" --dst "$OUT4" --vlan 100 --proto udp --dport 9
	wait_capture
	run frames
	assert_frame 0 "*ethertype IPv4 (0x0800), length 74: $IN4.40000 > $OUT4.9: UDP*"
}

@test "packet02 solution: xdp_vlan_push_func tags an untagged frame with 802.1Q VLAN 100" {
	cd "$SOLUTION_DIR"
	bounded ./xdp_loader --dev "$LAB" --quiet --progname xdp_vlan_push_func
	capture 1 -e -Q in
	send_frame -4 --src "$IN4" --dst "$OUT4" --proto udp --dport 9
	wait_capture
	run frames
	assert_frame 0 "*ethertype 802.1Q (0x8100), length 78: vlan 100, p 0, ethertype IPv4*"
}

@test "packet02: the objects load with ip link (sec xdp) and tc (sec tc)" {
	local obj
	for obj in "$LESSON_DIR/xdp_prog.bpf.o" "$SOLUTION_DIR/xdp_prog.bpf.o"; do
		ip link set dev "$LAB" xdp obj "$obj" sec xdp
		[[ -n "$(attached_id)" ]]
		ip link set dev "$LAB" xdp off
		tc qdisc add dev "$LAB" clsact
		tc filter add dev "$LAB" egress bpf direct-action obj "$obj" sec tc
		run tc filter show dev "$LAB" egress
		assert_output_has "name tc_port_restore"
		tc qdisc del dev "$LAB" clsact
	done
}

# ---- bad input ------------------------------------------------------------------

@test "packet02 solution: an unknown --progname: one error line, the programs listed, nothing attached" {
	cd "$SOLUTION_DIR"
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_nope
	assert_failed
	assert_one_error "no XDP program named 'xdp_nope'"
	assert_output_has "xdp_vlan_push_func"
	assert_nothing_attached
}

@test "packet02 solution: --progname tc_port_restore is refused: not an XDP program" {
	cd "$SOLUTION_DIR"
	run bounded ./xdp_loader --dev "$LAB" --progname tc_port_restore
	assert_failed
	assert_one_error "is not an XDP program"
	assert_nothing_attached
}

@test "packet02 solution: when the tc attach fails, the XDP program is taken back" {
	cd "$SOLUTION_DIR"
	# Someone else's filter at the same handle and priority: the attach is refused.
	tc qdisc add dev "$LAB" clsact
	tc filter add dev "$LAB" egress prio 1 handle 1 bpf direct-action obj xdp_prog.bpf.o sec tc
	run bounded ./xdp_loader --dev "$LAB"
	assert_failed
	assert_one_error "attach tc to the egress of $LAB"
	assert_nothing_attached
}

@test "packet02 solution: --unload with nothing attached says so, in one line" {
	cd "$SOLUTION_DIR"
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_failed
	assert_one_error "nothing of this lesson is attached to $LAB"
}

@test "packet02 solution: a program held by a bpf_link: --force and --unload say so, nothing else changes" {
	local id
	cd "$SOLUTION_DIR"
	id=$(hold_with_link "$LAB")
	[[ -n "$id" ]] || { echo "no program attached through a link"; return 1; }
	run bounded ./xdp_loader --dev "$LAB" --force
	assert_refused_by_link "$LAB"
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_refused_by_link "$LAB"
	[[ "$(attached_id)" == "$id" ]] || { echo "program $id -> '$(attached_id)'"; return 1; }
	# The refused load left no tc program behind.
	run tc filter show dev "$LAB" egress
	[[ "$output" != *tc_port_restore* ]] || { echo "$output"; return 1; }
}

@test "packet02: not root: one line saying it needs root (starter and solution)" {
	local dir
	for dir in "$LESSON_DIR" "$SOLUTION_DIR"; do
		run_as_nobody "$dir/xdp_loader" "$dir/xdp_prog.bpf.o" -- ./xdp_loader --dev "$LAB"
		assert_needs_root xdp_loader || return 1
		run_as_nobody "$dir/xdp_loader" -- ./xdp_loader --dev "$LAB" --unload
		assert_needs_root xdp_loader || return 1
	done
	assert_nothing_attached
}
