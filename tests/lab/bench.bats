#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# make bench (bench/): the generator sends exactly the frames asked for,
# counted where they arrive, whatever the way they take; every measurement of
# bench.sh runs once in its quick mode and what it prints and writes parses;
# it leaves nothing behind, also when interrupted. No timing is judged here:
# speed is what the bench reports, never what a test asserts.
#
#      netns bgen                 this namespace                  netns bsink
#   +--------------+  veth  +------------------------+  veth  +--------------+
#   | veth0        |========| bgen             bsink |========| veth0        |
#   | xdpbench gen |  --->  | the program under test |  --->  | XDP_DROP     |
#   | XDP_DROP     |  <---  | or Linux               |        | (counts)     |
#   +--------------+        +------------------------+        +--------------+
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/bench.bats
# shellcheck disable=SC2154 # bats sets stderr (run --separate-stderr)

bats_require_minimum_version 1.5.0

load lab_helpers

BENCH_DIR=$TOP_DIR/bench
XDPBENCH=$BENCH_DIR/xdpbench
BENCH_OBJ=$BENCH_DIR/xdp_bench.bpf.o

setup_file() {
	require_isolation
	build "$BENCH_DIR"
	remove_lab bgen
	remove_lab bsink
	# Forwarding comes back as it was in teardown_file: the later test files
	# run in this namespace too, and expect it off.
	printf '%s\n' "net.ipv4.ip_forward=$(sysctl -n net.ipv4.ip_forward)" \
		"net.ipv6.conf.all.forwarding=$(sysctl -n net.ipv6.conf.all.forwarding)" \
		>"$BATS_FILE_TMPDIR/forwarding"
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# A router joins ff02::2 and says so with MLD reports, at times of the
	# kernel's choosing: they would be counted with the frames the tests send.
	nft -f - <<-EOF
		table inet bench_test_quiet {
			chain out {
				type filter hook output priority 0;
				icmpv6 type mld2-listener-report drop
			}
		}
	EOF
	"$TESTENV" setup --name bgen --legacy-ip >/dev/null
	"$TESTENV" setup --name bsink --legacy-ip >/dev/null
	ip netns exec bgen "$XDPBENCH" attach --dev veth0 --obj "$BENCH_OBJ" --prog xdp_bare_drop
	ip netns exec bsink "$XDPBENCH" attach --dev veth0 --obj "$BENCH_OBJ" --prog xdp_bare_drop
}

teardown_file() {
	remove_lab bgen
	remove_lab bsink
	nft delete table inet bench_test_quiet 2>/dev/null || true
	if [[ -s $BATS_FILE_TMPDIR/forwarding ]]; then
		xargs sysctl -qw <"$BATS_FILE_TMPDIR/forwarding"
	fi
}

teardown() {
	detach_xdp bgen
	# What the DIRECT test adds: ip rules, table 100, a route, an address.
	ip rule del to 198.18.238.0/24 lookup 100 2>/dev/null || true
	ip -6 rule del to fc00:dead:cafe:ee::/64 lookup 100 2>/dev/null || true
	ip route flush table 100 2>/dev/null || true
	ip -6 route flush table 100 2>/dev/null || true
	ip -6 route del fc00:dead:cafe:ff::/64 2>/dev/null || true
	ip addr del fc00:dead:cafe:ff::1/128 dev lo 2>/dev/null || true
	ip route del 198.18.255.0/24 2>/dev/null || true
	ip addr del 198.18.255.1/32 dev lo 2>/dev/null || true
}

# ---- helpers ----------------------------------------------------------------

# veth's per-queue counter NAME (xdp_drops, xdp_bytes...) of DEV in NS, summed.
counter() { # NS ('' = here) DEV NAME
	if [[ -n $1 ]]; then
		ip netns exec "$1" ethtool -S "$2"
	else
		ethtool -S "$2"
	fi |
		awk -v name="$3" '$1 ~ "^rx_queue_[0-9]+_" name ":$" { s += $2 } END { print s + 0 }'
}

# The frame options of xdpbench: from the generator to DST (an address).
frame_to() { # DST SIZE [MORE...]
	local dst=$1 size=$2 src
	shift 2
	if [[ $dst == *:* ]]; then
		src=$(ip -n bgen -6 -br addr show dev veth0 scope global | awk '{ sub("/.*", "", $3); print $3 }')
	else
		src=$(ip -n bgen -4 -br addr show dev veth0 | awk '{ sub("/.*", "", $3); print $3 }')
	fi
	echo --src "$src" --dst "$dst" --size "$size" \
		--smac "$(ip -n bgen -br link show dev veth0 | awk '{ print $3 }')" \
		--dmac "$(cat /sys/class/net/bgen/address)" "$@"
}

inner_addr() { # NS FAMILY
	ip -n "$1" "$2" -br addr show dev veth0 scope global | awk '{ sub("/.*", "", $3); print $3 }'
}

outer_addr4() {
	ip -4 -br addr show dev bgen | awk '{ sub("/.*", "", $3); print $3 }'
}

# Send N frames from inside bgen; FRAME: frame_to's words.
gen_frames() { # N FRAME...
	local n=$1
	shift
	# shellcheck disable=SC2046 # the frame options, one word each
	bounded ip netns exec bgen "$XDPBENCH" gen --dev veth0 --frames "$n" "$@"
}

# What DEV in NS ('' = here) refused to pass on because the queue of its peer
# was full (veth's tx_dropped: frames sent faster than the other end took them).
refused() { # NS DEV
	ip ${1:+-n "$1"} -s -j link show dev "$2" | jq '.[0].stats64.tx.dropped'
}

# IPv4 and IPv6 InHdrErrors of this namespace: among them, frames whose TTL or
# hop limit ran out on the way through.
header_errors() {
	echo $(($(awk '/^Ip: [0-9]/ { print $5 }' /proc/net/snmp) +
		$(awk '$1 == "Ip6InHdrErrors" { print $2 }' /proc/net/snmp6)))
}

# Every counter the tests below read, as "NAME=VALUE" words.
snapshot() {
	echo "dut_in=$(counter "" bgen xdp_packets)" \
		"dut_drops=$(counter "" bgen xdp_drops)" \
		"dut_bytes=$(counter "" bgen xdp_bytes)" \
		"dut_redirects=$(counter "" bgen xdp_redirect)" \
		"gen_refused=$(refused bgen veth0)" \
		"sink_in=$(counter bsink veth0 xdp_drops)" \
		"sink_refused=$(refused "" bsink)" \
		"replies_in=$(counter bgen veth0 xdp_drops)" \
		"replies_refused=$(refused "" bgen)" \
		"header_errors=$(header_errors)"
}

# D[NAME]: how much each counter of snapshot grew since BEFORE (a snapshot),
# once the counters stop moving.
deltas() { # BEFORE
	local after word prev=""
	unset D
	declare -gA D
	after=$(snapshot)
	while [[ $after != "$prev" ]]; do
		prev=$after
		sleep 0.2
		after=$(snapshot)
	done
	declare -A b
	for word in $1; do b[${word%%=*}]=${word#*=}; done
	for word in $after; do D[${word%%=*}]=$((${word#*=} - b[${word%%=*}])); done
}

# Assert that A == B, saying what they were and what every counter did.
assert_accounted() { # WHAT A B
	if [[ $2 -ne $3 ]]; then
		echo "$1: $2 != $3; counters grew by:"
		local k
		for k in "${!D[@]}"; do echo "  $k ${D[$k]}"; done
		return 1
	fi
}

# The generator handed exactly N frames to veth: each reached the DUT or was
# refused at its queue (under load, when the DUT cannot keep up), and a good
# part of them reached it. Not most: under emulation (the kernel matrix) the
# generator outruns Linux's own paths threefold.
assert_sent() { # N
	assert_accounted "frames sent = taken in by the DUT + refused at its queue" \
		"$1" $((D[dut_in] + D[gen_refused]))
	if ((D[dut_in] * 10 < $1)); then
		echo "only ${D[dut_in]} of $1 frames reached the DUT"
		return 1
	fi
}

# ---- the generator ------------------------------------------------------------
#
# Every frame is accounted for: counted where it arrives, or refused by a full
# queue on the way (veth counts those; a loaded machine makes a few). Nothing
# else may go missing.

@test "gen: exactly the frames asked for arrive (XDP_DROP at the receiver), 64, 512 and 1500 bytes" {
	local size before
	"$XDPBENCH" attach --dev bgen --obj "$BENCH_OBJ" --prog xdp_bare_drop
	for size in 64 512 1500; do
		before=$(snapshot)
		# shellcheck disable=SC2046
		run gen_frames 10007 $(frame_to "$(outer_addr4)" "$size" --icmp)
		assert_ok
		assert_output_matches_e '^frames=10007 ns=[0-9]+ kns=[0-9]+$'
		deltas "$before"
		assert_sent 10007
		assert_accounted "dropped = taken in" "${D[dut_drops]}" "${D[dut_in]}"
		# The bytes too: every frame had the size asked for.
		assert_accounted "bytes = frames x $size" "${D[dut_bytes]}" $((D[dut_in] * size))
	done
}

@test "gen: frames forwarded by Linux all arrive: the whole frame is written on every run" {
	local family before
	"$XDPBENCH" attach --dev bgen --obj "$BENCH_OBJ" --prog xdp_bare_pass
	# Forwarding rewrites the MACs and decrements the TTL in the frame's page,
	# which comes back to the generator: without the rewrite, the next frames
	# in that page would be for another host, or die of TTL 0.
	for family in -4 -6; do
		before=$(snapshot)
		# shellcheck disable=SC2046
		run gen_frames 20000 $(frame_to "$(inner_addr bsink "$family")" 64)
		assert_ok
		deltas "$before"
		assert_sent 20000
		assert_accounted "TTL or hop limit run out ($family)" "${D[header_errors]}" 0
		assert_accounted "forwarded + refused by the sink's queue = taken in ($family)" \
			$((D[sink_in] + D[sink_refused])) "${D[dut_in]}"
	done
}

@test "gen: the kernel answers every echo request it sends (checksums right)" {
	local before
	"$XDPBENCH" attach --dev bgen --obj "$BENCH_OBJ" --prog xdp_bare_pass
	before=$(snapshot)
	# shellcheck disable=SC2046
	run gen_frames 5000 $(frame_to "$(outer_addr4)" 100 --icmp)
	assert_ok
	deltas "$before"
	assert_sent 5000
	assert_accounted "replies + refused by the generator's queue = requests taken in" \
		$((D[replies_in] + D[replies_refused])) "${D[dut_in]}"
}

@test "gen: frames redirected by XDP arrive, every one (bpf_redirect, and bpf_redirect_map by MAC)" {
	local before prog
	for prog in xdp_bare_redirect xdp_bare_redirect_mac; do
		"$XDPBENCH" attach --dev bgen --obj "$BENCH_OBJ" --prog "$prog" --to bsink \
			--to-mac "$(ip -n bsink -br link show dev veth0 | awk '{ print $3 }')" \
			--smac "$(ip -n bgen -br link show dev veth0 | awk '{ print $3 }')"
		before=$(snapshot)
		# shellcheck disable=SC2046
		run gen_frames 30000 $(frame_to "$(inner_addr bsink -4)" 64)
		assert_ok
		deltas "$before"
		assert_sent 30000
		assert_accounted "$prog: redirected = taken in" "${D[dut_redirects]}" "${D[dut_in]}"
		assert_accounted "$prog: arrived + refused by the sink's queue = redirected" \
			$((D[sink_in] + D[sink_refused])) "${D[dut_redirects]}"
	done
}

@test "xdpbench: bad use gets one line and exit 2; a missing object is 'not built', exit 3" {
	run "$XDPBENCH" gen --frames 10
	assert_status 2
	assert_output_matches_e '^xdpbench: gen needs --dev'
	run "$XDPBENCH" gen --dev veth0 --frames 0 --src 198.18.1.2 --dst 198.18.1.1
	assert_status 2
	run "$XDPBENCH" cost --obj "$BENCH_OBJ" --prog xdp_bare_pass --src 198.18.1.2 --dst fc00:dead:cafe::1
	assert_status 2
	assert_output_matches_e 'same family'
	run "$XDPBENCH" attach --dev bgen --obj /nonexistent/xdp_prog.bpf.o --prog xdp_pass
	assert_status 3
	assert_output_matches_e 'not built'
	run "$XDPBENCH" attach --dev bgen --obj "$BENCH_OBJ" --prog xdp_no_such_prog
	assert_status 3
	assert_nothing_attached bgen
}

@test "xdpbench cost: ns per packet and the action, with and without --restore" {
	run "$XDPBENCH" cost --obj "$BENCH_OBJ" --prog xdp_bare_drop --repeat 1000 \
		--src 198.18.1.2 --dst 198.18.2.2
	assert_ok
	assert_output_matches_e '^ns=[0-9]+ action=1$'
	run "$XDPBENCH" cost --obj "$BENCH_OBJ" --prog xdp_bare_tx --restore --repeat 1000 \
		--src fc00:dead:cafe:1::2 --dst fc00:dead:cafe:2::2
	assert_ok
	assert_output_matches_e '^ns=[0-9]+ action=3$'
}

# Run the bare routers on one frame each and check their verdicts.
# Each argument: "DST PROG ACTION" (2 XDP_PASS, 4 XDP_REDIRECT).
assert_router_actions() {
	local row dst prog want verdict
	for row in "$@"; do
		read -r dst prog want <<<"$row"
		# shellcheck disable=SC2046 # the frame options, one word each
		verdict=$("$XDPBENCH" cost --obj "$BENCH_OBJ" --prog "$prog" --dev bgen --repeat 1 \
			$(frame_to "$dst" 64) 2>&1) ||
			{ echo "$prog, to $dst: xdpbench cost failed: $verdict"; return 1; }
		[[ $verdict == *" action=$want" ]] ||
			{ echo "$prog, to $dst: expected action $want, got: $verdict"; return 1; }
	done
}

# What bench/README.org says of BPF_FIB_LOOKUP_DIRECT (the bare router row
# with it): it looks in the main table only. IPv4 keeps its local routes in
# the same tree while there are no ip rules, IPv6 never does: an address of
# the router's own without a prefix route is routed away (here by the route
# of the /64 around it) instead of handed to Linux. And it skips ip rules.
@test "xdpbench cost: BPF_FIB_LOOKUP_DIRECT skips ip rules, and IPv6's local table" {
	ip addr add 198.18.255.1/32 dev lo
	ip route add 198.18.255.0/24 via 198.18.2.2 dev bsink
	ip addr add fc00:dead:cafe:ff::1/128 dev lo noprefixroute
	ip -6 route add fc00:dead:cafe:ff::/64 via fc00:dead:cafe:2::2 dev bsink
	assert_router_actions \
		"198.18.2.2 xdp_bare_router_direct 4" \
		"fc00:dead:cafe:2::2 xdp_bare_router_direct 4" \
		"198.18.255.1 xdp_bare_router 2" \
		"198.18.255.1 xdp_bare_router_direct 2" \
		"fc00:dead:cafe:ff::1 xdp_bare_router 2" \
		"fc00:dead:cafe:ff::1 xdp_bare_router_direct 4"
	# Rules of one's own: IPv4's local and main tables part too.
	ip route add 198.18.238.0/24 via 198.18.2.2 dev bsink table 100
	ip rule add to 198.18.238.0/24 lookup 100
	ip -6 route add fc00:dead:cafe:ee::/64 via fc00:dead:cafe:2::2 dev bsink table 100
	ip -6 rule add to fc00:dead:cafe:ee::/64 lookup 100
	assert_router_actions \
		"198.18.238.1 xdp_bare_router 4" \
		"198.18.238.1 xdp_bare_router_direct 2" \
		"fc00:dead:cafe:ee::1 xdp_bare_router 4" \
		"fc00:dead:cafe:ee::1 xdp_bare_router_direct 2" \
		"198.18.255.1 xdp_bare_router 2" \
		"198.18.255.1 xdp_bare_router_direct 4"
}

# ---- bench.sh ----------------------------------------------------------------

@test "bench.sh: not root: one line, exit 1" {
	run as_nobody "$BENCH_DIR/bench.sh" --quick
	assert_status 1
	assert_one_error "root"
}

@test "bench.sh: an unknown option or a bad value: one line, exit 2 or 1" {
	run "$BENCH_DIR/bench.sh" --fast
	assert_status 2
	assert_output_matches_e "unknown option '--fast'"
	run "$BENCH_DIR/bench.sh" --only everything
	assert_status 1
	assert_one_error "--only wants one of drop, forward, reply, cost, scale"
	run "$BENCH_DIR/bench.sh" --batch 512
	assert_status 1
	assert_one_error "--batch wants a number from 1 to 256"
}

@test "bench.sh --quick: every measurement once; progress, table, headline, JSON and chart parse" {
	local out=$BATS_TEST_TMPDIR/results json lines n_measured n_failed n_skipped forwarding
	remove_lab bgen
	remove_lab bsink
	forwarding="$(sysctl -n net.ipv4.ip_forward) $(sysctl -n net.ipv6.conf.all.forwarding)"
	run timeout -s INT -k 10 600 "$BENCH_DIR/bench.sh" --quick --out "$out"
	assert_ok
	[[ "$(sysctl -n net.ipv4.ip_forward) $(sysctl -n net.ipv6.conf.all.forwarding)" == "$forwarding" ]] ||
		{ echo "forwarding left on: $(sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding)"; return 1; }
	# A progress line per measurement, numbered 1..N.
	lines=$(grep -cE '^\[[0-9]+\] [a-zA-Z0-9 ]+: ' <<<"$output")
	[[ $lines -ge 30 ]] || { echo "expected 30 progress lines or more, saw $lines:"; echo "$output"; return 1; }
	grep -qE "^\\[$lines\\] " <<<"$output"
	# The count line, and the headline last.
	read -r n_measured n_failed n_skipped < <(sed -nE 's/^([0-9]+) measured, ([0-9]+) failed, ([0-9]+) skipped, in [0-9]+ s$/\1 \2 \3/p' <<<"$output")
	[[ $n_failed == 0 && $((n_measured + n_skipped)) -eq $lines ]] ||
		{ echo "expected $lines measured or skipped and none failed: $n_measured, $n_failed, $n_skipped"; return 1; }
	tail -n 1 <<<"$output" | grep -qE '^drop: XDP (\(bare\) )?[0-9.]+x iptables raw; forward: XDP \([a-z ]+\) [0-9.]+x Linux \(IPv4\), [0-9.]+x \(IPv6\)$' ||
		{ echo "the last line is no headline:"; tail -n 1 <<<"$output"; return 1; }
	# Table rows: Mpps with Gbit/s, ns/pkt, or a reason.
	grep -qE '^  basic02 xdp_drop_func +[0-9.]+ Mpps(/core)? +[0-9.]+ Gbit/s' <<<"$output"
	grep -qE '^  empty XDP_PASS \(baseline\) +[0-9]+ ns/pkt' <<<"$output"
	# The JSON: the machine, and every measurement the progress lines named.
	json=$(ls "$out"/bench-*.json)
	jq -e '(.kernel | length > 0) and (.cpu_model | length > 0) and (.cpus >= 1)
		and (.libbpf | length > 0) and (.clang | length > 0) and .quick' "$json" >/dev/null ||
		{ echo "the JSON lacks the machine:"; cat "$json"; return 1; }
	[[ $(jq '.results | length' "$json") -eq $lines ]]
	jq -e '[.results[] | select(.median == null and .note == null)] | length == 0' "$json" >/dev/null ||
		{ echo "a result with neither a median nor a reason:"; cat "$json"; return 1; }
	jq -e '[.results[] | select((.unit // "" | startswith("Mpps")) and .median > 0)] | length >= 10' "$json" >/dev/null
	# With two CPUs, the live rates are per core of the device under test, each
	# with its rate per wall-clock second beside it; the CPU scaling rows are not.
	if (($(nproc) >= 2)); then
		grep -qx 'live rates per core: the generator on CPU 0, the device under test on CPU 1 (threaded NAPI)' <<<"$output"
		jq -e '[.results[] | select(.group == "drop" and .unit == "Mpps/core"
			and (.note | test("^wall [0-9.]+$")))] | length == 7' "$json" >/dev/null ||
			{ echo "expected the seven drop rows in Mpps/core with their wall-clock rate:"; cat "$json"; return 1; }
		jq -e '[.results[] | select((.group | startswith("forward IPv")) and .unit == "Mpps/core")]
			| length == 14' "$json" >/dev/null ||
			{ echo "expected seven forward rows per family in Mpps/core:"; cat "$json"; return 1; }
		jq -e '[.results[] | select(.group == "scale CPUs" and .unit == "Mpps")] | length >= 2' "$json" >/dev/null
	fi
	jq -e '.results[] | select(.id == "drop_basic02") | .ratio > 0' "$json" >/dev/null
	jq -e '[.targets[] | select(.measured > 0 and .wanted > 0 and (.met | type) == "boolean")] | length >= 3' "$json" >/dev/null
	# The chart is a PNG.
	[[ $(head -c 8 "$out"/bench-*.png | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
}

@test "bench.sh --only cost: every cost row, and one line on why there is no chart" {
	remove_lab bgen
	remove_lab bsink
	run timeout -s INT -k 10 300 "$BENCH_DIR/bench.sh" --quick --only cost --out "$BATS_TEST_TMPDIR/r"
	assert_ok
	assert_output_matches_e '^  bpf_redirect_map by source MAC, bare +[0-9]+ ns/pkt'
	assert_output_matches_e '^  bpf_fib_lookup router, bare, DIRECT \(IPv6\) +[0-9]+ ns/pkt'
	assert_output_matches_e '^chart: not drawn: no live rate to draw'
	assert_output_matches_e '^[0-9]+ measured, 0 failed, 0 skipped, in [0-9]+ s$'
	run compgen -G "$BATS_TEST_TMPDIR/r/bench-*.png"
	assert_failed
}

@test "bench.sh: on one CPU, live rates are per wall-clock second, and it says why" {
	local json
	remove_lab bgen
	remove_lab bsink
	# nproc counts the CPUs this process may run on.
	run timeout -s INT -k 10 300 taskset -c 0 "$BENCH_DIR/bench.sh" --quick --only drop \
		--out "$BATS_TEST_TMPDIR/r"
	assert_ok
	assert_output_matches_e '^live rates per wall-clock second: one CPU: the generator and the device under test share it'
	assert_output_matches_e '^  basic02 xdp_drop_func +[0-9.]+ Mpps +[0-9.]+ Gbit/s'
	json=$(ls "$BATS_TEST_TMPDIR"/r/bench-*.json)
	jq -e '[.results[] | select(.group == "drop" and .unit == "Mpps" and .note == null)] | length == 7' \
		"$json" >/dev/null || { echo "expected seven drop rows in Mpps:"; cat "$json"; return 1; }
}

@test "bench.sh: a lesson not built is one line, counted as skipped; the bare programs still run" {
	local empty=$BATS_TEST_TMPDIR/empty
	mkdir -p "$empty"
	remove_lab bgen
	remove_lab bsink
	run env BENCH_LESSONS_TOP="$empty" timeout -s INT -k 10 600 "$BENCH_DIR/bench.sh" --quick \
		--out "$BATS_TEST_TMPDIR/r"
	assert_ok
	assert_output_matches_e '^  skip: basic02 xdp_drop_func: not built \(basic-solutions/basic02-prog-by-name/xdp_prog.bpf.o\)$'
	assert_output_matches_e '^  skip: packet03 xdp_router_func: not built \(packet-solutions/packet03-redirecting/xdp_prog.bpf.o\)$'
	assert_output_matches_e '^  XDP_DROP, bare +[0-9.]+ Mpps(/core)? '
	assert_output_matches_e '^[0-9]+ measured, 0 failed, [1-9][0-9]* skipped, in [0-9]+ s$'
	# Without the lessons, the headline says what it compared.
	tail -n 1 <<<"$output" | grep -qE '^drop: XDP \(bare\) [0-9.]+x iptables raw; forward: XDP \(bare router\) [0-9.]+x Linux' ||
		{ echo "unexpected headline:"; tail -n 1 <<<"$output"; return 1; }
}

@test "bench.sh: a kernel without live frames: one line, the live rows skipped, the cost rows measured" {
	local fake=$BATS_TEST_TMPDIR/xdpbench n_live
	remove_lab bgen
	remove_lab bsink
	# xdpbench as it behaves on Linux before 5.18: gen refuses (exit 4), the rest works.
	cat >"$fake" <<-EOF
		#!/bin/sh
		if [ "\$1" = gen ]; then
			echo "xdpbench: this kernel has no live frames for BPF_PROG_RUN (BPF_F_TEST_XDP_LIVE_FRAMES needs Linux 5.18 or later)" >&2
			exit 4
		fi
		exec "$XDPBENCH" "\$@"
	EOF
	chmod +x "$fake"
	run env BENCH_XDPBENCH="$fake" timeout -s INT -k 10 300 "$BENCH_DIR/bench.sh" --quick \
		--out "$BATS_TEST_TMPDIR/r"
	assert_ok
	[[ $(grep -c 'live measurements skipped$' <<<"$output") -eq 1 ]] ||
		{ echo "expected one line saying the live measurements are skipped:"; echo "$output"; return 1; }
	assert_output_matches_e '^no live frames in this kernel \(BPF_F_TEST_XDP_LIVE_FRAMES needs Linux >= 5.18\): live measurements skipped$'
	# ... and no more of it while the bench goes on: the table says it per row.
	if grep -q '^  skip: .*no live frames' <<<"$output"; then
		echo "a skip line per row, where one line was enough:"; echo "$output"; return 1
	fi
	assert_output_matches_e '^  basic02 xdp_drop_func +no live frames in this kernel'
	assert_output_matches_e '^  packet03 xdp_router_func \(IPv6\) +[0-9]+ ns/pkt'
	# Every live row skipped, every cost row measured, nothing failed.
	n_live=$(grep -cE '^\[[0-9]+\] (drop|forward IPv[46]|reply|scale [^:]*): ' <<<"$output")
	assert_output_matches_e "^[0-9]+ measured, 0 failed, $n_live skipped, in [0-9]+ s\$"
	((n_live >= 20)) || { echo "only $n_live live rows"; return 1; }
	tail -n 1 <<<"$output" | grep -qx 'no ratio measured' ||
		{ echo "unexpected headline:"; tail -n 1 <<<"$output"; return 1; }
}

@test "bench.sh: leaves nothing behind, also when interrupted" {
	local pid forwarding
	remove_lab bgen
	remove_lab bsink
	forwarding="$(sysctl -n net.ipv4.ip_forward) $(sysctl -n net.ipv6.conf.all.forwarding)"
	# A command started with & ignores SIGINT unless told otherwise.
	env --default-signal=INT "$BENCH_DIR/bench.sh" --quick --out "$BATS_TEST_TMPDIR/r" \
		>"$BATS_TEST_TMPDIR/log" 2>&1 &
	pid=$!
	# Interrupt it in the middle of the drop measurements (iptables, nft, tc).
	wait_until 300 grep -q 'drop: nftables' "$BATS_TEST_TMPDIR/log"
	kill -INT "$pid"
	wait "$pid" || true
	grep -q 'bench: interrupted' "$BATS_TEST_TMPDIR/log"
	run ip netns list
	assert_ok
	if grep -qE '^(bgen|bsink)( |$)' <<<"$output"; then
		echo "namespaces left behind: $output"
		return 1
	fi
	run ip -br link show
	if grep -qE '^(bgen|bsink)[@ ]' <<<"$output"; then
		echo "interfaces left behind: $output"
		return 1
	fi
	run pgrep -x xdpbench
	assert_status 1
	# Forwarding on here would make every later test's lab chatty (IPv6
	# listener reports) and routers of their own.
	[[ "$(sysctl -n net.ipv4.ip_forward) $(sysctl -n net.ipv6.conf.all.forwarding)" == "$forwarding" ]] ||
		{ echo "forwarding left as: $(sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding)"; return 1; }
	if command -v nft >/dev/null; then
		run nft list table netdev bench
		assert_failed
	fi
	if command -v iptables-legacy >/dev/null; then
		run iptables-legacy -t raw -S PREROUTING
		assert_ok
		[[ $output == "-P PREROUTING ACCEPT" ]] || { echo "rules left behind: $output"; return 1; }
	fi
}
