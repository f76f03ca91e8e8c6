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
# and what the loader printed. The lab is quiet (static neighbours), so the
# counts are exact; the checks still compare the counters just before and
# just after the pings, and try again should a stray frame slip in between.
# Where no traffic can reach a slot (XDP_ABORTED, XDP_TX, XDP_REDIRECT), or to
# give every CPU's copy of a per-CPU value a count of its own, the checks
# write known counts into the map with bpftool, and expect the loader to
# print them.
#
# bpftool's and ip's output is captured first and matched afterwards: a
# reader that stops early (grep -q, head) would kill the writer with SIGPIPE,
# and under pipefail the check would fail at random.

# shellcheck disable=SC2034 # ASSIGNMENTS and TITLE_N are read by tests/lib/check.sh
ASSIGNMENTS=(1 2 3)
TITLE_1="count bytes: rx_bytes in the map, bytes and Mbit/s printed by the loader"
TITLE_2="count every action: xdp_drop_func's drops counted under XDP_DROP and printed"
TITLE_3="per-CPU array: no atomics, and the loader adds up the values of every CPU"

MAP_NAME=xdp_stats_map
PING_SIZE=123				# ICMPv6 payload bytes (ping -s)
FRAME_LEN=$((14 + 40 + 8 + PING_SIZE))	# Ethernet + IPv6 + ICMPv6 header + payload
BIG_PING_SIZE=1400			# for a rate that tells Mbit/s from its look-alikes
ACTIONS=(XDP_ABORTED XDP_DROP XDP_PASS XDP_TX XDP_REDIRECT)	# the map's keys, 0 to 4
XDP_DROP_KEY=1
XDP_PASS_KEY=2

# ---- the lab and the loader -------------------------------------------------

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
		[[ -n "$(xdp_prog_id "$LAB")" ]] && return 0
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
	local prog_id id loader prog
	MAP_ID='' MAP_NOT_USED=''
	prog_id=$(xdp_prog_id "$LAB")
	[[ -n "$prog_id" ]] || { fail "expected a program attached to $LAB, found none"; return 1; }
	prog=$(bpftool prog show id "$prog_id" -j) || { fail "bpftool knows no program $prog_id"; return 1; }
	for id in $(jq -r '.map_ids[]?' <<<"$prog"); do
		is_stats_map "$id" && MAP_ID=$id && return 0
	done
	# timeout runs the loader as its child: read the loader's open files.
	loader=$(pgrep -P "$LOADER_PID" || true)
	loader=${loader%%$'\n'*}
	# shellcheck disable=SC2013 # one number a line
	for id in $(sed -n 's/^map_id:\s*//p' "/proc/${loader:-0}"/fdinfo/* 2>/dev/null); do
		if is_stats_map "$id"; then
			MAP_ID=$id
			MAP_NOT_USED="the attached program $(jq -r .name <<<"$prog")"
			MAP_NOT_USED+=" does not use the map $MAP_NAME at all"
			return 0
		fi
	done
	fail "expected a map named $MAP_NAME, used by the attached program (id $prog_id) or" \
		"held by the loader, found none"
}

is_stats_map() { # MAP_ID
	local out
	out=$(bpftool map show id "$1" -j) || return 1
	[[ "$(jq -r .name <<<"$out")" == "$MAP_NAME" ]]
}

# The map as bpftool dumps it, in JSON.
map_dump() { # MAP_ID
	bpftool map dump id "$1" -j
}

# The value of FIELD in the slot KEY of map MAP_ID, added up over all CPUs for a
# per-CPU map; "missing" when the value has no such field.
map_field() { # MAP_ID KEY FIELD
	local out
	out=$(map_dump "$1") || return 1
	jq -r --argjson k "$2" --arg f "$3" '
		.[] | .formatted | select(.key == $k) |
		(if has("values") then [.values[].value[$f]] else [.value[$f]] end) |
		if any(. == null) then "missing" else add end' <<<"$out"
}

# The packets of every slot, 0 to 4, separated by spaces (added up over the CPUs).
map_packets_by_key() { # MAP_ID
	local out
	out=$(map_dump "$1") || return 1
	jq -r '[.[] | .formatted | if has("values") then [.values[].value.rx_packets] | add
		else .value.rx_packets end] | map(tostring) | join(" ")' <<<"$out"
}

# The fields of the map's value, as BTF names them.
map_fields() {
	local out
	out=$(map_dump "$1") || return 1
	jq -r '.[0].formatted | (.value // .values[0].value) | keys_unsorted | join(", ")' <<<"$out"
}

# How many CPUs counted frames in slot KEY of a per-CPU map.
map_cpus_used() { # MAP_ID KEY
	local out
	out=$(map_dump "$1") || return 1
	jq -r --argjson k "$2" '
		[.[] | .formatted | select(.key == $k) | .values[]? |
			select(.value.rx_packets > 0)] | length' <<<"$out"
}

# N as the 8 bytes of a little-endian u64, as bpftool takes them.
le64() { # N
	local i bytes=()
	for ((i = 0; i < 8; i++)); do
		bytes+=($((($1 >> (8 * i)) & 255)))
	done
	echo "${bytes[*]}"
}

# Write PACKETS and BYTES into slot KEY of the map: into every CPU's copy of a
# per-CPU map (bpftool writes the same value to each), so that the slot then
# holds PACKETS times the number of possible CPUs. BYTES only when the value
# has room for rx_bytes (assignment 1). Returns 1, having said why, on failure.
write_slot() { # MAP_ID KEY PACKETS BYTES
	local info size value out
	info=$(bpftool map show id "$1" -j) || { fail "bpftool knows no map $1"; return 1; }
	size=$(jq -r .bytes_value <<<"$info")
	value=$(le64 "$3")
	[[ "$size" -ge 16 ]] && value+=" $(le64 "$4")"
	# shellcheck disable=SC2086 # one byte a word
	out=$(bpftool map update id "$1" key "$2" 0 0 0 value $value 2>&1) ||
		{ fail "could not write slot $2 of map $1 with bpftool: $out"; return 1; }
}

# ---- traffic ------------------------------------------------------------------

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

# Ping the inside of the lab COUNT times, from CPU CPU (so that the replies are
# handled on that CPU too), with SIZE bytes of payload (default PING_SIZE),
# every INTERVAL seconds (default 0.1). The replies cross the XDP program.
# Sets REPLIES to how many replies ping received.
send_pings() { # COUNT [CPU [SIZE [INTERVAL]]]
	local dst out
	dst=$(inside_address "$LAB")
	[[ -n "$dst" ]] || { fail "the lab $LAB has no inside IPv6 address"; return 1; }
	# Exactly COUNT requests (-w would send more while replies are dropped);
	# -W 1: wait at most a second for the last reply.
	out=$(timeout 10 taskset -c "${2:-0}" ping -6 -q -c "$1" -i "${4:-0.1}" -W 1 \
		-s "${3:-$PING_SIZE}" "$dst" 2>&1 || true)
	REPLIES=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
}

# Send pings with SEND_CMD (a function), reading slot KEY of the map before
# and after; set DELTA_PACKETS and DELTA_BYTES, and SLOTS_BEFORE and
# SLOTS_AFTER to the packets of every slot (map_packets_by_key). Tries up to
# three times while the packet count is not EXPECTED_PACKETS (a stray frame
# slipped in).
measure() { # MAP_ID KEY EXPECTED_PACKETS SEND_CMD...
	local map_id=$1 key=$2 expected=$3 p0 b0 p1 b1
	shift 3
	for _ in 1 2 3; do
		SLOTS_BEFORE=$(map_packets_by_key "$map_id")
		p0=$(map_field "$map_id" "$key" rx_packets)
		b0=$(map_field "$map_id" "$key" rx_bytes)
		"$@"
		sleep 0.3	# the last reply is on its way
		SLOTS_AFTER=$(map_packets_by_key "$map_id")
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

# Wait until the map has not moved for longer than the loader's interval: the
# loader has then printed everything the map holds. Sets TOTAL_PACKETS and
# TOTAL_BYTES to what slot KEY holds.
wait_until_printed() { # MAP_ID KEY
	local before after
	for _ in 1 2 3 4 5; do
		before=$(map_dump "$1")
		sleep 1.3
		after=$(map_dump "$1")
		[[ "$before" == "$after" ]] && break
	done	# still moving after that: the comparison with the output will tell
	TOTAL_PACKETS=$(map_field "$1" "$2" rx_packets)
	TOTAL_BYTES=$(map_field "$1" "$2" rx_bytes)
}

# ---- what the loader printed ------------------------------------------------

# Add up the numbers in front of WORD ("pkts" or "bytes") on the loader's
# lines that start with ACTION; "none" when there is no such line or number.
printed_sum() { # ACTION WORD
	awk -v action="$1" -v word="$2" '
		$1 == action { for (i = 2; i <= NF; i++) if ($i == word && $(i - 1) ~ /^[0-9]+$/) {
			sum += $(i - 1); seen = 1 } }
		END { print seen ? sum : "none" }' "$LOADER_OUT"
}

# The first of the loader's ACTION lines whose rate in Mbit/s does not fit the
# bytes and the period printed beside it, with what it should have been;
# nothing when they all fit. A rate of R Mbit/s over P seconds is R * P * 10^6
# / 8 bytes; the printed rate and period are rounded, so allow half a unit of
# their last printed digit. "no-rate: LINE" when a line has no "N Mbit/s",
# "no-period: LINE" when it has no "period Ns".
misfit_rate() { # ACTION
	awk -v action="$1" '
		function decimals(x) { return index(x, ".") ? length(x) - index(x, ".") : 0 }
		$1 == action {
			bytes = rate = period = ""
			for (i = 2; i <= NF; i++) {
				if ($i == "bytes" && $(i - 1) ~ /^[0-9]+$/) bytes = $(i - 1)
				if ($i ~ /^Mbit\/s/) { rate = $(i - 1); sub(/^\(/, "", rate) }
				if ($i == "period") { period = $(i + 1); sub(/s$/, "", period) }
			}
			if (rate !~ /^[0-9]+(\.[0-9]+)?$/) { print "no-rate: " $0; exit }
			if (period !~ /^[0-9]+(\.[0-9]+)?$/ || period + 0 == 0) { print "no-period: " $0; exit }
			want = bytes * 8 / period / 1e6
			slack = 0.5 / 10 ^ decimals(rate) + want * (0.5 / 10 ^ decimals(period)) / period
			if (rate - want > slack + 1e-9 || want - rate > slack + 1e-9) {
				printf "%s: for %d bytes in %s s, that is %.4f Mbit/s\n", $0, bytes, period, want
				exit
			}
		}' "$LOADER_OUT"
}

# What a slot change tells about where frames went: "XDP_PASS (key 2): 5"
# for every slot that moved between BEFORE and AFTER (packets by key, as
# map_packets_by_key prints them).
moved_slots() { # BEFORE AFTER
	local -a before after
	local key out=''
	read -ra before <<<"$1"
	read -ra after <<<"$2"
	for key in "${!ACTIONS[@]}"; do
		[[ "${after[key]:-0}" != "${before[key]:-0}" ]] || continue
		out+="${out:+, }${ACTIONS[key]} (key $key): $((${after[key]:-0} - ${before[key]:-0}))"
	done
	echo "${out:-none}"
}

# ---- the checks -------------------------------------------------------------
#
# Each step returns 1 on failure, having said why; the checks stop at the
# first one (|| return 1), so that the message on top is the one that matters.
# A step called that way runs without set -e: it checks its commands itself.

check_1() {
	local n=5 big=20 printed misfit
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

	# A burst of big frames, so that the rate has digits enough to tell
	# Mbit/s from bytes/s, kbit/s or Mibit/s.
	measure "$MAP_ID" "$XDP_PASS_KEY" "$big" send_pings "$big" 0 "$BIG_PING_SIZE" 0.01
	expect_eq "XDP_PASS bytes counted in the map for $big replies of $((62 + BIG_PING_SIZE)) bytes" \
		"$((big * (62 + BIG_PING_SIZE)))" "$DELTA_BYTES" || return 1

	wait_until_printed "$MAP_ID" "$XDP_PASS_KEY"
	stop_loader || return 1
	printed=$(printed_sum XDP_PASS bytes)
	[[ "$printed" != none ]] ||
		fail_showing_output "expected XDP_PASS lines with the bytes of each period" \
			"(\"XDP_PASS ... 925 bytes ...\"), saw none in the loader's output:" ||
		return 1
	[[ "$printed" == "$TOTAL_BYTES" ]] ||
		fail_showing_output "the XDP_PASS bytes the loader printed, added up: expected" \
			"$TOTAL_BYTES (what the map holds), saw $printed: each line shows the bytes" \
			"of its period, the difference of two readings; its output:" || return 1
	misfit=$(misfit_rate XDP_PASS)
	case "$misfit" in
	"") ;;
	no-rate:*)
		fail_showing_output "expected the rate on each XDP_PASS line, as \"(0.123 Mbit/s)\"," \
			"saw a line without it: ${misfit#no-rate: }; its output:"
		return 1
		;;
	no-period:*)
		fail_showing_output "expected each XDP_PASS line to end with its period" \
			"(\"period 1.00s\"), as the starter prints it, saw: ${misfit#no-period: };" \
			"its output:"
		return 1
		;;
	*)
		fail_showing_output "expected the rate in Mbit/s to be the bytes of the period x 8" \
			"(bits), / the period in seconds, / 10^6, saw: $misfit; its output:"
		return 1
		;;
	esac
}

# The loader's ACTION lines must add up to TOTAL, what slot KEY of the map held
# (read before the loader stopped, which frees the map).
expect_printed_packets() { # ACTION KEY TOTAL HOW
	local action=$1 key=$2 total=$3 how=$4 printed
	printed=$(printed_sum "$action" pkts)
	[[ "$printed" == "$total" ]] && return 0
	if [[ "$printed" == none ]]; then
		fail_showing_output "expected $action lines (\"$action  $total pkts ...\") in the" \
			"loader's output: slot $key holds $total packets ($how), saw no such line:" \
			"does it read and print every key, 0 to XDP_ACTION_MAX - 1? Its output:"
	else
		fail_showing_output "the $action packets the loader printed, added up: expected" \
			"$total (what slot $key holds, $how), saw $printed; its output:"
	fi
}

check_2() {
	local n=5 key totals=()
	lab_setup || return 1
	start_loader --progname xdp_drop_func || return 1
	find_stats_map || return 1

	# The replies are dropped: ping gets no answer, and that is expected.
	measure "$MAP_ID" "$XDP_DROP_KEY" "$n" send_pings "$n"
	if [[ "$DELTA_PACKETS" -ne "$n" ]]; then
		if [[ -n "$MAP_NOT_USED" ]]; then
			fail "expected XDP_DROP (key $XDP_DROP_KEY) to count the $n ping replies that" \
				"xdp_drop_func dropped, saw $DELTA_PACKETS ($MAP_NOT_USED)"
		else
			fail "expected XDP_DROP (key $XDP_DROP_KEY) to count the $n ping replies that" \
				"xdp_drop_func dropped, saw $DELTA_PACKETS; the slots that moved:" \
				"$(moved_slots "$SLOTS_BEFORE" "$SLOTS_AFTER")"
		fi
		return 1
	fi
	[[ "${REPLIES:-?}" == 0 ]] ||
		fail "expected xdp_drop_func to drop the $n echo replies, saw ${REPLIES:-?} of them" \
			"reach ping: does the helper return the action it was given?" || return 1

	# No traffic reaches the other slots: write counts there, different for
	# each, and expect the loader to print each under its own name.
	for key in 0 3 4; do
		write_slot "$MAP_ID" "$key" $((10 + key)) $((1000 * (10 + key))) || return 1
	done
	wait_until_printed "$MAP_ID" "$XDP_DROP_KEY"
	read -ra totals <<<"$(map_packets_by_key "$MAP_ID")"
	stop_loader || return 1
	expect_printed_packets XDP_DROP "$XDP_DROP_KEY" "${totals[XDP_DROP_KEY]:-?}" \
		"the replies xdp_drop_func dropped" || return 1
	for key in 0 3 4; do
		expect_printed_packets "${ACTIONS[key]}" "$key" "${totals[key]:-?}" \
			"written there by this check" || return 1
	done
}

check_3() {
	local per_cpu=3 sent=0 cpus=() cpu atomics info type used printed total
	lab_setup || return 1
	start_loader || return 1
	find_stats_map || return 1
	info=$(bpftool map show id "$MAP_ID" -j)
	type=$(jq -r .type <<<"$info")
	expect_eq "the type of $MAP_NAME" percpu_array "$type" || return 1
	atomics=$(llvm-objdump -d --no-show-raw-insn xdp_prog.bpf.o)
	atomics=$(grep -c -w lock <<<"$atomics" || true)
	expect_eq "atomic instructions (lock ... +=) in xdp_prog.bpf.o, not needed per CPU" \
		0 "$atomics" || return 1

	# Every CPU's copy of XDP_PASS gets a count of its own: 1000 packets
	# written with bpftool (into each possible CPU's copy), and pings from
	# each CPU we may run on (at most 4), whose replies are counted on the
	# CPU that handles them. A reader of one CPU's copy sees a fraction.
	write_slot "$MAP_ID" "$XDP_PASS_KEY" 1000 1000000 || return 1
	mapfile -t cpus < <(usable_cpus)
	cpus=("${cpus[@]:0:4}")
	sent=$((per_cpu * ${#cpus[@]}))
	measure "$MAP_ID" "$XDP_PASS_KEY" "$sent" send_from_each_cpu "${cpus[*]}" "$per_cpu"
	expect_eq "XDP_PASS packets in the map, added up over all CPUs, for $sent pings" \
		"$sent" "$DELTA_PACKETS" || return 1

	wait_until_printed "$MAP_ID" "$XDP_PASS_KEY"
	used=$(map_cpus_used "$MAP_ID" "$XDP_PASS_KEY")
	stop_loader || return 1
	printed=$(printed_sum XDP_PASS pkts)
	[[ "$printed" == "$TOTAL_PACKETS" ]] ||
		fail_showing_output "the XDP_PASS packets the loader printed, added up: expected" \
			"$TOTAL_PACKETS (what the map holds, on $used CPUs: the check wrote 1000 into" \
			"each CPU's copy, then pinged), saw $printed; its output:" || return 1
	[[ "$TOTAL_BYTES" != missing ]] || return 0	# no rx_bytes: assignment 1 not done
	printed=$(printed_sum XDP_PASS bytes)
	total=$TOTAL_BYTES
	[[ "$printed" == "$total" ]] ||
		fail_showing_output "the XDP_PASS bytes the loader printed, added up: expected" \
			"$total (what the map holds, on $used CPUs), saw $printed: add up rx_bytes" \
			"over the CPUs too; its output:"
}
