# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# basic03-map-counter: the assignment checks, run by `make check` (all) or
# `make check A=N` (one) through tests/lib/check.sh, which sources this file
# and runs check_N in the directory of the code under test.
#
# Each check makes a lab, starts ./xdp_load_and_stats on it, sends pings of a
# known size and compares three things: what was sent, what the map holds
# (read with bpftool, independently of the loader: BTF gives the field names),
# and what the loader printed. Every frame the program sees is counted, so the
# checks compare the counters just before and just after the pings, and try
# again if some background frame of the lab slipped in between.

# shellcheck disable=SC2034 # ASSIGNMENTS and TITLE_N are read by tests/lib/check.sh
ASSIGNMENTS=(1 2 3)
TITLE_1="count bytes: rx_bytes in the map, bytes and Mbit/s printed by the loader"
TITLE_2="count every action: xdp_drop_func's drops counted under XDP_DROP and printed"
TITLE_3="per-CPU array: no atomics, and the loader adds up the values of every CPU"

MAP_NAME=xdp_stats_map
PING_SIZE=123				# ICMPv6 payload bytes (ping -s)
FRAME_LEN=$((14 + 40 + 8 + PING_SIZE))	# Ethernet + IPv6 + ICMPv6 header + payload
XDP_DROP_KEY=1
XDP_PASS_KEY=2

# ---- the lab and the loader -------------------------------------------------

# The lab's inside address: the pings go there and the replies come back
# through the XDP program on the outer end, $LAB.
inside_address() {
	ip -n "$LAB" -6 -j addr show dev veth0 scope global |
		jq -r '.[0].addr_info[0].local // empty'
}

attached_prog_id() {
	ip -j link show dev "$LAB" | jq -r '.[0].xdp.prog.id // empty'
}

# Print a failure and the end of the loader's output; returns 1.
fail_showing_output() {
	echo "    $*"
	sed 's/^/      | /' "$LOADER_OUT" | tail -n 15
	return 1
}

# Start the loader on the lab in the background (with ARGS), its output in
# $LOADER_OUT, and wait until its program is attached.
start_loader() {
	LOADER_OUT=$(mktemp)
	on_exit rm -f "$LOADER_OUT"
	timeout -s INT 60 ./xdp_load_and_stats --dev "$LAB" --interval 1 "$@" >"$LOADER_OUT" 2>&1 &
	LOADER_PID=$!
	on_exit kill -INT "$LOADER_PID"
	for _ in $(seq 50); do
		[[ -n "$(attached_prog_id)" ]] && return 0
		kill -0 "$LOADER_PID" 2>/dev/null || break
		sleep 0.1
	done
	local cmd="./xdp_load_and_stats --dev $LAB${*:+ $*}"
	if kill -0 "$LOADER_PID" 2>/dev/null; then
		fail_showing_output "expected $cmd to attach its program, saw nothing attached" \
			"after 5 s; its output:"
	else
		fail_showing_output "expected $cmd to attach its program and keep running, saw it" \
			"exit; its output:"
	fi
}

# Stop the loader as Ctrl-C would: it must exit 0.
stop_loader() {
	local rc=0
	kill -INT "$LOADER_PID" 2>/dev/null || true
	wait "$LOADER_PID" || rc=$?
	[[ $rc -eq 0 ]] ||
		fail_showing_output "expected the loader to exit 0 on Ctrl-C (SIGINT)," \
			"saw exit $rc; its output:"
}

# ---- the map, read with bpftool -----------------------------------------------

# Find the stats map: sets MAP_ID. The map of the attached program, or, when
# that program uses no map (xdp_drop_func before assignment 2), the one the
# loader holds open; then MAP_NOT_USED says so.
find_stats_map() {
	local prog_id id loader
	MAP_ID='' MAP_NOT_USED=''
	prog_id=$(attached_prog_id)
	[[ -n "$prog_id" ]] || { fail "expected a program attached to $LAB, found none"; return 1; }
	for id in $(bpftool prog show id "$prog_id" -j | jq -r '.map_ids[]?'); do
		is_stats_map "$id" && MAP_ID=$id && return 0
	done
	# timeout runs the loader as its child: read the loader's open files.
	loader=$(pgrep -P "$LOADER_PID" | head -n 1 || true)
	# shellcheck disable=SC2013 # one number a line
	for id in $(sed -n 's/^map_id:\s*//p' "/proc/${loader:-0}"/fdinfo/* 2>/dev/null); do
		if is_stats_map "$id"; then
			MAP_ID=$id
			MAP_NOT_USED="the attached program $(bpftool prog show id "$prog_id" -j |
				jq -r .name) does not use the map $MAP_NAME at all"
			return 0
		fi
	done
	fail "expected a map named $MAP_NAME, used by the attached program (id $prog_id) or" \
		"held by the loader, found none"
}

is_stats_map() { # MAP_ID
	[[ "$(bpftool map show id "$1" -j | jq -r .name)" == "$MAP_NAME" ]]
}

# The value of FIELD in the slot KEY of map MAP_ID, added up over all CPUs for a
# per-CPU map; "missing" when the value has no such field.
map_field() { # MAP_ID KEY FIELD
	bpftool map dump id "$1" -j | jq -r --argjson k "$2" --arg f "$3" '
		.[] | .formatted | select(.key == $k) |
		(if has("values") then [.values[].value[$f]] else [.value[$f]] end) |
		if any(. == null) then "missing" else add end'
}

# The fields of the map's value, as BTF names them.
map_fields() {
	bpftool map dump id "$1" -j | jq -r '.[0].formatted | (.value // .values[0].value) |
		keys_unsorted | join(", ")'
}

# How many CPUs counted frames in slot KEY of a per-CPU map.
map_cpus_used() { # MAP_ID KEY
	bpftool map dump id "$1" -j | jq -r --argjson k "$2" '
		[.[] | .formatted | select(.key == $k) | .values[]? |
			select(.value.rx_packets > 0)] | length'
}

# ---- traffic ------------------------------------------------------------------

# Ping the inside of the lab COUNT times, from CPU CPU (so that the replies are
# handled on that CPU too). The replies cross the XDP program.
# The CPUs this process may run on, one a line ("0-2,4" becomes 0 1 2 4).
usable_cpus() {
	local ranges range
	ranges=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
	for range in ${ranges//,/ }; do
		seq "${range%-*}" "${range#*-}"
	done
}

send_from_each_cpu() { # CPUS COUNT
	local cpu
	for cpu in $1; do
		send_pings "$2" "$cpu"
	done
}

send_pings() { # COUNT [CPU]
	local dst
	dst=$(inside_address)
	[[ -n "$dst" ]] || { fail "the lab $LAB has no inside IPv6 address"; return 1; }
	# Exactly COUNT requests (-w would send more while replies are dropped);
	# -W 1: wait at most a second for the last reply.
	timeout 10 taskset -c "${2:-0}" ping -6 -q -c "$1" -i 0.1 -W 1 -s "$PING_SIZE" "$dst" \
		>/dev/null 2>&1 || true
}

# Send pings with SEND_CMD (a function), reading slot KEY of the map before
# and after; set DELTA_PACKETS and DELTA_BYTES. Tries up to three times while
# the packet count is not EXPECTED_PACKETS (a background frame slipped in).
measure() { # MAP_ID KEY EXPECTED_PACKETS SEND_CMD...
	local map_id=$1 key=$2 expected=$3 p0 b0 p1 b1
	shift 3
	for _ in 1 2 3; do
		p0=$(map_field "$map_id" "$key" rx_packets)
		b0=$(map_field "$map_id" "$key" rx_bytes)
		"$@"
		sleep 0.3	# the last reply is on its way
		p1=$(map_field "$map_id" "$key" rx_packets)
		b1=$(map_field "$map_id" "$key" rx_bytes)
		DELTA_PACKETS=$((p1 - p0))
		if [[ "$b0" == missing || "$b1" == missing ]]; then
			DELTA_BYTES=missing
		else
			DELTA_BYTES=$((b1 - b0))
		fi
		[[ $DELTA_PACKETS -eq $expected ]] && return 0
	done
	return 0	# the caller says what was expected
}

# Wait until slot KEY of the map has not moved for longer than the loader's
# interval: the loader has then printed everything the map holds. Sets
# TOTAL_PACKETS and TOTAL_BYTES to what the map holds.
wait_until_printed() { # MAP_ID KEY
	local before
	for _ in 1 2 3 4 5; do
		before=$(map_field "$1" "$2" rx_packets)
		sleep 1.3
		TOTAL_PACKETS=$(map_field "$1" "$2" rx_packets)
		TOTAL_BYTES=$(map_field "$1" "$2" rx_bytes)
		[[ "$before" == "$TOTAL_PACKETS" ]] && return 0
	done
	return 0	# still moving: the comparison with the output will tell
}

# Add up the numbers in front of WORD ("pkts" or "bytes") on the loader's
# lines that start with ACTION; "none" when there is no such line or number.
printed_sum() { # ACTION WORD
	awk -v action="$1" -v word="$2" '
		$1 == action { for (i = 2; i <= NF; i++) if ($i == word && $(i - 1) ~ /^[0-9]+$/) {
			sum += $(i - 1); seen = 1 } }
		END { print seen ? sum : "none" }' "$LOADER_OUT"
}

# ---- the checks -------------------------------------------------------------
#
# Each step returns 1 on failure, having said why; the checks stop at the
# first one (|| return 1), so that the message on top is the one that matters.

check_1() {
	local n=5 printed
	lab_setup || return 1
	start_loader || return 1
	find_stats_map || return 1

	measure "$MAP_ID" "$XDP_PASS_KEY" "$n" send_pings "$n"
	[[ "$DELTA_BYTES" != missing ]] ||
		fail "expected a field rx_bytes in the map's value, saw only:" \
			"$(map_fields "$MAP_ID")" || return 1
	expect_eq "XDP_PASS packets counted in the map for $n pings" "$n" "$DELTA_PACKETS" ||
		return 1
	expect_eq "XDP_PASS bytes counted in the map for $n replies of $FRAME_LEN bytes" \
		"$((n * FRAME_LEN))" "$DELTA_BYTES" || return 1

	wait_until_printed "$MAP_ID" "$XDP_PASS_KEY"
	stop_loader || return 1
	printed=$(printed_sum XDP_PASS bytes)
	[[ "$printed" != none ]] ||
		fail_showing_output "expected XDP_PASS lines with the bytes of each period" \
			"(\"XDP_PASS ... 925 bytes ...\"), saw none in the loader's output:" ||
		return 1
	[[ "$printed" == "$TOTAL_BYTES" ]] ||
		fail_showing_output "the XDP_PASS bytes the loader printed, added up: expected" \
			"$TOTAL_BYTES (what the map holds), saw $printed; its output:" || return 1
	grep -q 'Mbit/s' "$LOADER_OUT" ||
		fail_showing_output "expected the rate in Mbit/s in the loader's output, saw:"
}

check_2() {
	local n=5 printed
	lab_setup || return 1
	start_loader --progname xdp_drop_func || return 1
	find_stats_map || return 1

	# The replies are dropped: ping gets no answer, and that is expected.
	measure "$MAP_ID" "$XDP_DROP_KEY" "$n" send_pings "$n"
	[[ "$DELTA_PACKETS" -eq "$n" ]] ||
		fail "expected XDP_DROP (key $XDP_DROP_KEY) to count the $n ping replies that" \
			"xdp_drop_func dropped, saw" \
			"$DELTA_PACKETS${MAP_NOT_USED:+" ($MAP_NOT_USED)"}" ||
		return 1

	wait_until_printed "$MAP_ID" "$XDP_DROP_KEY"
	stop_loader || return 1
	printed=$(printed_sum XDP_DROP pkts)
	[[ "$printed" != none ]] ||
		fail_showing_output "expected XDP_DROP lines (\"XDP_DROP  5 pkts ...\") in the" \
			"loader's output, saw none:" || return 1
	[[ "$printed" == "$TOTAL_PACKETS" ]] ||
		fail_showing_output "the XDP_DROP packets the loader printed, added up: expected" \
			"$TOTAL_PACKETS (what the map holds), saw $printed; its output:"
}

check_3() {
	local per_cpu=3 sent=0 cpus cpu atomics type used printed
	lab_setup || return 1
	start_loader || return 1
	find_stats_map || return 1
	type=$(bpftool map show id "$MAP_ID" -j | jq -r .type)
	expect_eq "the type of $MAP_NAME" percpu_array "$type" || return 1
	atomics=$(llvm-objdump -d --no-show-raw-insn xdp_prog.bpf.o | grep -c -w lock || true)
	expect_eq "atomic instructions (lock ... +=) in xdp_prog.bpf.o, not needed per CPU" \
		0 "$atomics" || return 1

	# Ping from each CPU we may run on (at most 4): each CPU counts the
	# replies it handles in its own copy of the value.
	cpus=$(usable_cpus | head -n 4)
	for cpu in $cpus; do
		sent=$((sent + per_cpu))
	done
	measure "$MAP_ID" "$XDP_PASS_KEY" "$sent" send_from_each_cpu "$cpus" "$per_cpu"
	expect_eq "XDP_PASS packets in the map, added up over all CPUs, for $sent pings" \
		"$sent" "$DELTA_PACKETS" || return 1

	wait_until_printed "$MAP_ID" "$XDP_PASS_KEY"
	used=$(map_cpus_used "$MAP_ID" "$XDP_PASS_KEY")
	stop_loader || return 1
	printed=$(printed_sum XDP_PASS pkts)
	[[ "$printed" == "$TOTAL_PACKETS" ]] ||
		fail_showing_output "the XDP_PASS packets the loader printed, added up: expected" \
			"$TOTAL_PACKETS (what the map holds, on $used CPUs), saw $printed;" \
			"its output:"
}
