#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# basic03-map-counter: xdp_load_and_stats attaches a program that counts frames
# in xdp_stats_map and prints the counters every period; the counts match the
# pings sent (read back with bpftool, independently of the loader); Ctrl-C
# (SIGINT) or SIGTERM ends it cleanly and detaches its program, and only its
# own; the reference solution counts bytes and every action, per CPU; bad input
# gets one error line, a non-zero exit and nothing attached.
#
#      this namespace                         netns b03lab
#   +--------------------------+   veth   +--------------------------+
#   | b03lab                   |==========| veth0                    |
#   | fc00:dead:cafe:N::1      |          | fc00:dead:cafe:N::2      |
#   | XDP attaches here, sees  |          | answers the pings        |
#   | the echo replies         |          |                          |
#   +--------------------------+          +--------------------------+
#   xdp_load_and_stats (in the background) reads xdp_stats_map every second
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/basic03.bats

load lab_helpers

LESSON_DIR=$TOP_DIR/basic03-map-counter
SOLUTION_DIR=$TOP_DIR/basic-solutions/basic03-map-counter
LAB=b03lab
# shellcheck disable=SC2034 # read by lab_helpers: where XDP attaches, the lab's outer end
DEV=$LAB
PING_SIZE=100
FRAME_LEN=$((14 + 40 + 8 + PING_SIZE))	# Ethernet + IPv6 + ICMPv6 + payload

setup_file() {
	require_isolation
	build "$LESSON_DIR" "$SOLUTION_DIR"
	setup_lab "$LAB"
}

teardown_file() {
	remove_lab "$LAB"
}

setup() {
	cd "$LESSON_DIR" || return 1
	OUT="$BATS_TEST_TMPDIR/loader.out"
}

# Leave the lab bare for the next test, whatever this one did.
teardown() {
	stop_bg KILL
	detach_xdp "$LAB"
}

# ---- helpers ----------------------------------------------------------------

# Whether the loader has attached a program, or has ended.
attached_or_ended() {
	[[ -n "$(attached_id)" ]] || ! kill -0 "$BG_PID" 2>/dev/null
}

# Start a loader in the background, one report a second, at most 30 s (then
# SIGINT); its output in $OUT. Wait until its program is attached.
start_loader() { # LOADER [ARGS...]
	local loader=$1
	shift
	start_bg "$OUT" 30 "$loader" --dev "$LAB" --interval 1 "$@"
	wait_until 50 attached_or_ended || true
	[[ -n "$(attached_id)" ]] && return 0
	echo "the loader attached nothing; its output:"
	cat "$OUT"
	return 1
}

# Ping the inside COUNT times from CPU CPU; the replies cross the XDP program.
ping_inside() { # COUNT [CPU]
	timeout 10 taskset -c "${2:-0}" ping -6 -q -c "$1" -i 0.1 -W 1 -s "$PING_SIZE" \
		"$(inside_address "$LAB")" >/dev/null 2>&1 || true
}

# The CPUs this process may run on, one a line ("0-2,4" becomes 0 1 2 4).
usable_cpus() {
	local ranges range
	ranges=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
	for range in ${ranges//,/ }; do
		seq "${range%-*}" "${range#*-}"
	done
}

# The id of the map called xdp_stats_map that the attached program uses.
stats_map_id() {
	local id
	for id in $(bpftool prog show id "$(attached_id)" -j | jq -r '.map_ids[]?'); do
		if [[ "$(bpftool map show id "$id" -j | jq -r .name)" == xdp_stats_map ]]; then
			echo "$id"
			return 0
		fi
	done
	return 1
}

# FIELD of slot KEY of map MAP_ID, added up over the CPUs, read with bpftool.
map_field() { # MAP_ID KEY FIELD
	bpftool map dump id "$1" -j | jq -r --argjson k "$2" --arg f "$3" '
		.[] | .formatted | select(.key == $k) |
		[(.values // [{value: .value}])[].value[$f]] | add'
}

# Add up the numbers in front of WORD on the loader's lines for ACTION.
printed_sum() { # ACTION WORD
	awk -v action="$1" -v word="$2" '
		$1 == action { for (i = 2; i <= NF; i++) if ($i == word) sum += $(i - 1) }
		END { print sum + 0 }' "$OUT"
}

# ---- the starter: packets of XDP_PASS, in an array --------------------------

@test "basic03: the loader attaches xdp_pass_func and says which map it reads" {
	start_loader ./xdp_load_and_stats
	local map_id
	map_id=$(stats_map_id) || { echo "the attached program uses no xdp_stats_map"; return 1; }
	assert_stops_cleanly
	grep -q -E "^Reading map xdp_stats_map \(id $map_id, array, 5 entries of 8 bytes\)\$" "$OUT" ||
		{ echo "no 'Reading map' line for map $map_id:"; cat "$OUT"; return 1; }
	grep -q -E "$(attached_line xdp_pass_func "$LAB")\$" "$OUT" || { cat "$OUT"; return 1; }
}

@test "basic03: the periods count the pings, and the map agrees (bpftool)" {
	start_loader ./xdp_load_and_stats
	local map_id before after
	map_id=$(stats_map_id)
	sleep 1.2
	before=$(map_field "$map_id" 2 rx_packets)
	ping_inside 6
	sleep 0.3
	after=$(map_field "$map_id" 2 rx_packets)
	sleep 1.5
	assert_stops_cleanly
	# The lab is quiet: the six echo replies are all that arrives.
	[[ $((after - before)) -eq 6 ]] ||
		{ echo "the map counted $((after - before)) XDP_PASS frames for 6 pings"; return 1; }
	[[ "$(printed_sum XDP_PASS pkts)" -eq "$after" ]] ||
		{ echo "the periods add up to $(printed_sum XDP_PASS pkts), the map holds $after:"
		  cat "$OUT"; return 1; }
	# One line a period: the counts grow in the period of the pings, not in the others.
	local periods busy
	periods=$(grep -c '^XDP_PASS .* pkts .* period ' "$OUT")
	busy=$(awk '$1 == "XDP_PASS" && $2 > 0' "$OUT" | wc -l)
	[[ $periods -ge 3 && $busy -ge 1 && $busy -lt $periods ]] ||
		{ echo "$periods periods, $busy with packets:"; cat "$OUT"; return 1; }
}

@test "basic03: Ctrl-C (SIGINT) ends the loader with exit 0 and detaches its program" {
	start_loader ./xdp_load_and_stats
	local id
	id=$(attached_id)
	assert_stops_cleanly INT
	grep -q -E "$(detached_line "$id" "$LAB")" "$OUT" || { cat "$OUT"; return 1; }
	assert_nothing_attached
}

@test "basic03: SIGTERM ends the loader the same way" {
	start_loader ./xdp_load_and_stats
	assert_stops_cleanly TERM
	assert_nothing_attached
}

@test "basic03: on exit the loader leaves alone a program that replaced its own" {
	start_loader ./xdp_load_and_stats
	local mine theirs
	mine=$(attached_id)
	ip -force link set dev "$LAB" xdp obj xdp_prog.bpf.o sec xdp
	theirs=$(attached_id)
	[[ -n "$theirs" && "$theirs" != "$mine" ]] || { echo "ip did not replace $mine"; return 1; }
	assert_stops_cleanly INT
	grep -q "note: $LAB has another XDP program now: left it attached" "$OUT" ||
		{ cat "$OUT"; return 1; }
	[[ "$(attached_id)" == "$theirs" ]] || { echo "program $theirs -> '$(attached_id)'"; return 1; }
}

@test "basic03: after kill -9 the program stays attached; --unload removes it" {
	start_loader ./xdp_load_and_stats
	local id
	id=$(attached_id)
	kill -KILL "$(pgrep -P "$BG_PID")"
	wait "$BG_PID" || true
	BG_PID=""
	# Nobody holds the object any more, but the interface holds the program.
	[[ "$(attached_id)" == "$id" ]] || { echo "program $id -> '$(attached_id)'"; return 1; }
	run bounded ./xdp_load_and_stats --dev "$LAB" --unload
	assert_ok
	assert_output_matches_e "$(detached_line "$id" "$LAB")"
	assert_nothing_attached
}

@test "basic03: libbpf put the map's fd in the program: bpftool dump xlated shows map[id:N]" {
	start_loader ./xdp_load_and_stats
	local map_id
	map_id=$(stats_map_id)
	run bpftool prog dump xlated id "$(attached_id)"
	assert_stops_cleanly
	assert_output_has "map[id:$map_id]"
	assert_output_has "lock *(u64 *)"	# the atomic add
}

@test "basic03: testenv's 't load' runs xdp_load_and_stats on the lab" {
	run timeout --preserve-status -s INT 2.5 "$TESTENV" load --name "$LAB" -- --interval 1
	assert_ok
	assert_output_matches_e "$(attached_line xdp_pass_func "$LAB")"
	assert_output_matches "^XDP_PASS .* pkts "
	assert_nothing_attached
}

@test "basic03: both objects load with ip link set dev X xdp obj F sec xdp" {
	local obj
	for obj in xdp_prog.bpf.o "$SOLUTION_DIR/xdp_prog.bpf.o"; do
		run ip link set dev "$LAB" xdp obj "$obj" sec xdp
		assert_ok
		[[ -n "$(stats_map_id)" ]] || { echo "$obj: no xdp_stats_map in use"; return 1; }
		run ping -6 -q -c 2 -i 0.1 -W 1 "$(inside_address "$LAB")"
		assert_ok
		ip link set dev "$LAB" xdp off
	done
}

# ---- the reference solution: bytes, every action, per CPU --------------------

@test "basic03 solution: per-CPU counts add up to the pings sent from every CPU, bytes too" {
	cd "$SOLUTION_DIR"
	start_loader ./xdp_load_and_stats
	local map_id cpu cpus sent=0 p0 b0 p1 b1
	map_id=$(stats_map_id)
	[[ "$(bpftool map show id "$map_id" -j | jq -r .type)" == percpu_array ]] ||
		{ bpftool map show id "$map_id"; return 1; }
	sleep 1.2
	p0=$(map_field "$map_id" 2 rx_packets)
	b0=$(map_field "$map_id" 2 rx_bytes)
	cpus=$(usable_cpus)
	for cpu in $(head -n 4 <<<"$cpus"); do
		ping_inside 3 "$cpu"
		sent=$((sent + 3))
	done
	sleep 0.3
	p1=$(map_field "$map_id" 2 rx_packets)
	b1=$(map_field "$map_id" 2 rx_bytes)
	sleep 1.5
	assert_stops_cleanly
	[[ $((p1 - p0)) -eq $sent && $((b1 - b0)) -eq $((sent * FRAME_LEN)) ]] ||
		{ echo "map: $((p1 - p0)) pkts $((b1 - b0)) bytes, want $sent and $((sent * FRAME_LEN))"
		  return 1; }
	local pkts bytes
	pkts=$(printed_sum XDP_PASS pkts)
	bytes=$(printed_sum XDP_PASS bytes)
	[[ "$pkts" -eq "$p1" && "$bytes" -eq "$b1" ]] ||
		{ echo "printed $pkts pkts $bytes bytes, the map holds $p1 and $b1:"; cat "$OUT"; return 1; }
	grep -q -E '^XDP_PASS .* bytes \( *[0-9.]+ Mbit/s\) period ' "$OUT" ||
		{ cat "$OUT"; return 1; }
}

@test "basic03 solution: xdp_drop_func counts its drops under XDP_DROP, and ping gets nothing" {
	cd "$SOLUTION_DIR"
	start_loader ./xdp_load_and_stats --progname xdp_drop_func
	local map_id
	map_id=$(stats_map_id)
	sleep 1.2
	run ping -6 -q -c 4 -i 0.1 -W 1 -s "$PING_SIZE" "$(inside_address "$LAB")"
	assert_failed
	assert_output_has "4 packets transmitted, 0 received"
	sleep 1.5
	local dropped passed
	dropped=$(map_field "$map_id" 1 rx_packets)
	passed=$(map_field "$map_id" 2 rx_packets)
	assert_stops_cleanly
	[[ $dropped -eq 4 && $passed -eq 0 ]] ||
		{ echo "XDP_DROP $dropped, XDP_PASS $passed, want 4 and 0"; return 1; }
	[[ "$(printed_sum XDP_DROP pkts)" -eq 4 ]] || { cat "$OUT"; return 1; }
	[[ "$(printed_sum XDP_DROP bytes)" -eq $((4 * FRAME_LEN)) ]] || { cat "$OUT"; return 1; }
	! grep -q '^XDP_PASS ' "$OUT" ||
		{ echo "an XDP_PASS line, with nothing passed:"; cat "$OUT"; return 1; }
}

# ---- bad input: one error line, a non-zero exit, nothing attached -----------

@test "basic03: bad input: the starter loader refuses a per-CPU map (assignment 3)" {
	run bounded ./xdp_load_and_stats --dev "$LAB" --filename "$SOLUTION_DIR/xdp_prog.bpf.o"
	assert_failed
	assert_one_error "is a percpu_array map, this loader reads only array maps"
	assert_nothing_attached
}

@test "basic03: bad input: a map value of another size (object and loader out of step)" {
	run bounded "$SOLUTION_DIR/xdp_load_and_stats" --dev "$LAB" --filename xdp_prog.bpf.o
	assert_failed
	assert_one_error "map xdp_stats_map holds values of 8 bytes, this loader reads 16"
	assert_output_matches "^hint: run make"
	assert_nothing_attached
}

@test "basic03: bad input: no --dev, unknown interface, bad --interval" {
	run bounded ./xdp_load_and_stats
	assert_status 2
	assert_one_error "no interface given"
	run bounded ./xdp_load_and_stats --dev no-such-dev0
	assert_failed
	assert_one_error "unknown interface 'no-such-dev0'"
	run bounded ./xdp_load_and_stats --dev "$LAB" --interval 0
	assert_status 2
	assert_one_error "--interval takes whole seconds"
	assert_nothing_attached
}

@test "basic03: bad input: missing object, unknown --progname (lists the programs)" {
	run bounded ./xdp_load_and_stats --dev "$LAB" --filename "$BATS_TEST_TMPDIR/missing.bpf.o"
	assert_failed
	assert_one_error "missing.bpf.o"
	run bounded ./xdp_load_and_stats --dev "$LAB" --progname xdp_nope
	assert_failed
	assert_one_error "no XDP program named 'xdp_nope'"
	assert_output_has "xdp_pass_func xdp_drop_func"
	assert_nothing_attached
}

@test "basic03: bad input: a second loader without --force is refused, the first goes on" {
	start_loader ./xdp_load_and_stats
	local id
	id=$(attached_id)
	run bounded ./xdp_load_and_stats --dev "$LAB"
	assert_failed
	assert_one_error "attach XDP to $LAB"
	[[ "$(attached_id)" == "$id" ]] || { echo "program $id -> '$(attached_id)'"; return 1; }
	assert_stops_cleanly
	assert_nothing_attached
}

@test "basic03: bad input: --unload with nothing attached" {
	run bounded ./xdp_load_and_stats --dev "$LAB" --unload
	assert_failed
	assert_one_error "no XDP program is attached to $LAB"
}

@test "basic03: a program held by a bpf_link: --force and --unload say so and how to remove it" {
	local id
	id=$(hold_with_link "$LAB")
	[[ -n "$id" ]] || { echo "no program attached through a link"; return 1; }
	run bounded ./xdp_load_and_stats --dev "$LAB" --force
	assert_refused_by_link "$LAB"
	run bounded ./xdp_load_and_stats --dev "$LAB" --unload
	assert_refused_by_link "$LAB"
	[[ "$(attached_id)" == "$id" ]] || { echo "program $id -> '$(attached_id)'"; return 1; }
}

@test "basic03: bad input: not root: one line saying it needs root" {
	run_as_nobody xdp_load_and_stats xdp_prog.bpf.o -- ./xdp_load_and_stats --dev "$LAB"
	assert_needs_root xdp_load_and_stats
	assert_nothing_attached
}
