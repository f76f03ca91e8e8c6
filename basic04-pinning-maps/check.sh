# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of basic04-pinning-maps, run by `make check` (all of
# them) or `make check A=N` (one). tests/lib/check.sh sources this file and
# runs each check_N in the directory of the code under test, inside a private
# network and mount namespace with its own bpffs: the labs and pins made here
# never touch your own.
#
# The lab is quiet (static neighbours, nothing sends on its own), so every
# count is exact: N pings, N echo replies, N XDP_PASS. The counts are read with
# bpftool where they can be, so that a check does not trust the code it
# checks; assignment 1 is about xdp_stats' own output, so it reads that too.

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2)
TITLE_1="xdp_stats follows the pin to the new map when the loader replaces it"
TITLE_2="xdp_loader reuses the pinned map, so the counters survive a reload"

# What the program's xdp_stats_map is: a reused map must be exactly that.
readonly WANTED_SHAPE="percpu_array key 4 value 16 max_entries 5"

# ---- bpffs and maps, read with bpftool ----------------------------------------
#
# bpftool's output is captured first and matched afterwards: a reader that
# stops early (grep -q) would kill bpftool with SIGPIPE, and under pipefail
# the check would fail at random.

# "TYPE key K value V max_entries M" of map ID.
map_shape() { # MAP_ID
	local out
	out=$(bpftool -j map show id "$1") || return 1
	jq -r '"\(.type) key \(.bytes_key) value \(.bytes_value) max_entries \(.max_entries)"' \
		<<<"$out"
}

# The XDP_PASS packets (key 2) in the map pinned at PIN, added up over the
# CPUs. Read from the raw bytes (rx_packets is the first, little-endian u64 of
# the value), so that it works on a map without BTF too.
pinned_pass_packets() { # PIN
	local out
	out=$(bpftool -j map lookup pinned "$1" key 2 0 0 0) || return 1
	jq -r 'def hex: ltrimstr("0x") | ascii_downcase | explode |
			reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		def u64: .[0:8] | reverse | reduce .[] as $b (0; . * 256 + ($b | hex));
		[(.values // [{value: .value}])[] | .value | u64] | add' <<<"$out"
}

# The ids of the maps a process holds file descriptors of, one per descriptor,
# sorted, separated by spaces ("" when none).
maps_held_by() { # PID
	local ids
	ids=$(sed -n 's/^map_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null || true)
	sort -n <<<"$ids" | tr '\n' ' ' | sed 's/^ *//; s/ *$//'
}

# ---- the lab and the loader ---------------------------------------------------

# Send COUNT pings from outside to the inside of the lab; the replies come in
# through the interface the program is attached to, one XDP_PASS each.
send_pings() { # COUNT
	testenv ping --name "$LAB" -- -q -c "$1" -i 0.2 -W 1 -w 5 >/dev/null
}

# Run the loader of the code under test; on failure, say what was expected.
run_loader() { # ARGS...
	./xdp_loader --dev "$LAB" --quiet "$@" ||
		fail "expected ./xdp_loader --dev $LAB${*:+ $*} to work (its errors are above)"
}

# ---- xdp_stats and what it printed --------------------------------------------

# Start ./xdp_stats --interval 1 on the lab, its output in STATS_OUT. timeout
# is the safety net should the check itself be killed; STATS_PID is
# timeout's, and xdp_stats its child.
start_stats() {
	STATS_OUT=$(mktemp)
	on_exit rm -f "$STATS_OUT"
	timeout 60 ./xdp_stats --dev "$LAB" --interval 1 >"$STATS_OUT" 2>&1 &
	STATS_PID=$!
	on_exit kill "$STATS_PID"
}

# The pid of xdp_stats itself (timeout's child), empty once it has exited.
stats_pid() {
	local kids
	kids=$(pgrep -P "$STATS_PID" || true)
	echo "${kids%%$'\n'*}"
}

stats_running() {
	kill -0 "$STATS_PID" 2>/dev/null
}

# What xdp_stats printed, indented: its first 4 lines and its last 6.
show_stats_output() {
	local lines
	lines=$(wc -l <"$STATS_OUT")
	if [[ $lines -le 12 ]]; then
		sed 's/^/      /' "$STATS_OUT"
		return
	fi
	sed -n 's/^/      /; 1,4p' "$STATS_OUT"
	echo "      ... ($((lines - 10)) lines more)"
	tail -n 6 "$STATS_OUT" | sed 's/^/      /'
}

# How many periods xdp_stats has reported: one XDP_PASS line each (the only
# action that counts here), or "no packets yet" before the first packet.
periods_reported() {
	local n
	n=$(grep -c -E '^(XDP_PASS |no packets yet)' "$STATS_OUT" || true)
	echo "${n:-0}"
}

# Wait until xdp_stats has reported COUNT more periods than SINCE (a number
# from periods_reported), or has exited; at most COUNT + 4 seconds, at one
# period a second. Returns 1, having said what was seen, when it did not.
wait_for_periods() { # SINCE COUNT WHY
	local target=$(($1 + $2)) tries=$((($2 + 4) * 10)) rc
	while ((tries-- > 0)); do
		[[ $(periods_reported) -ge $target ]] && return 0
		stats_running || break
		sleep 0.1
	done
	if stats_running; then
		say_more "expected xdp_stats --interval 1 to report a period every second ($3)," \
			"saw $(($(periods_reported) - $1)) periods in $(($2 + 4)) s; its output:"
	else
		rc=0
		wait "$STATS_PID" 2>/dev/null || rc=$?
		say_more "expected xdp_stats to keep running ($3), saw it exit (status $rc);" \
			"its output:"
	fi
	show_stats_output
	return 1
}

# The XDP_PASS packet counts that xdp_stats reported per period, from period
# SKIP + 1 on, separated by spaces ("no packets yet" counts as a 0).
reported_periods_after() { # SKIP
	awk -v skip="$1" '
		/^no packets yet/ { if (++n > skip) printf "0 " }
		$1 == "XDP_PASS" { if (++n > skip) printf "%s ", $2 }' "$STATS_OUT" |
		sed 's/ $//'
}

sum_of() { # NUMBERS...
	local n sum=0
	for n in "$@"; do
		[[ "$n" =~ ^[0-9]+$ ]] || { echo "not-a-count:$n"; return 0; }
		sum=$((sum + n))
	done
	echo "$sum"
}

# The periods reported after SKIP must add up to EXPECTED, and the last of
# them, which began after the pings had ended, must be 0. WHAT says which
# pings; SUM_HINT is said when the sum is off, QUIET_HINT when the last
# period is not 0.
expect_periods() { # SKIP EXPECTED WHAT SUM_HINT QUIET_HINT
	local skip=$1 expected=$2 what=$3 sum_hint=$4 quiet_hint=$5 periods sum last
	periods=$(reported_periods_after "$skip")
	# shellcheck disable=SC2086 # one count a word
	sum=$(sum_of $periods)
	last=${periods##* }
	if [[ "$last" != 0 ]]; then
		say_more "expected 0 XDP_PASS in the last period, which began after the pings" \
			"had ended, saw ${last:-no period} (per period after $what: ${periods:-none})"
		say_more "$quiet_hint"
	elif [[ "$sum" != "$expected" ]]; then
		say_more "expected the XDP_PASS counts xdp_stats reported for $what to add up to" \
			"exactly $expected (the lab is quiet: one echo reply a ping), saw $sum" \
			"(per period: ${periods:-none})"
		say_more "$sum_hint"
	else
		return 0
	fi
	say_more "Its output:"
	show_stats_output
	return 1
}

# ---- assignment 1 -------------------------------------------------------------

check_1() {
	local pin next old_id new_id mark held count
	lab_setup || return 1
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	next=/sys/fs/bpf/${LAB}_next
	run_loader || return 1
	old_id=$(pinned_map_id "$pin")
	[[ -n "$old_id" ]] || fail "expected the loader to pin a map at $pin, found none" ||
		return 1

	start_stats
	wait_for_periods 0 1 "from its start" || return 1
	send_pings 3
	# Two periods after the pings: the second began after they had ended.
	wait_for_periods "$(periods_reported)" 2 "after 3 pings" || return 1
	expect_periods 0 3 "the 3 pings sent before any reload" \
		"Each period shows what was counted in it: the difference of two readings." \
		"A period with no traffic shows 0: the difference of two readings." || return 1

	# As after `t unload`: no program, no pin, for several periods. That
	# is no reason to stop; xdp_stats keeps the old map until a new one
	# is pinned.
	./xdp_loader --dev "$LAB" --unload --quiet
	mark=$(periods_reported)
	wait_for_periods "$mark" 3 "while no map is pinned, as after t unload: keep reading the old
map until a new one is pinned" || return 1

	# A new map, which has counted 5 packets by the time xdp_stats can
	# find it: loaded with its pins elsewhere, pinged, then its pin moved
	# into place. xdp_stats must report those 5, once.
	on_exit rm -rf "$next"
	run_loader --pin-dir "$next" || return 1
	new_id=$(pinned_map_id "$next/xdp_stats_map")
	send_pings 5
	count=$(pinned_pass_packets "$next/xdp_stats_map")
	expect_eq "XDP_PASS packets in the new map (id $new_id) after 5 pings (the lab itself)" \
		5 "$count" || return 1
	mkdir -p "${pin%/*}"
	mv "$next/xdp_stats_map" "$pin"
	mark=$(periods_reported)
	for _ in $(seq 50); do
		[[ " $(maps_held_by "$(stats_pid)") " == *" $new_id "* ]] && break
		stats_running || break
		sleep 0.1
	done
	held=$(maps_held_by "$(stats_pid)")
	if [[ " $held " != *" $new_id "* ]]; then
		stats_running ||
			fail "expected xdp_stats to keep running and switch to the new map; it" \
				"exited: $(tail -n 3 "$STATS_OUT")" || return 1
		[[ "$held" == "$old_id" ]] && held="only the old map (id $old_id)"
		say_more "expected xdp_stats to open the new map (id $new_id) within 5 s of the pin" \
			"leading to it, saw it hold ${held:-no map}"
		say_more "Every period, open the pin again and compare the map's id with the one" \
			"you read. Its output:"
		show_stats_output
		return 1
	fi
	wait_for_periods "$mark" 3 "after the switch to the new map" || return 1
	expect_periods "$mark" 5 "the switch to the new map, which had counted 5 packets" \
		"The new map counts from zero: start prev from zero when switching, or the first
period subtracts the old map's totals from the new map's counts." \
		"Does it switch maps every period? After a switch, remember the new map's id." ||
		return 1
	# Once a period, xdp_stats has the pin open for a moment besides the
	# map it reads: look a few times.
	for _ in 1 2 3 4 5; do
		held=$(maps_held_by "$(stats_pid)")
		[[ "$held" == "$new_id" ]] && return 0
		sleep 0.1
	done
	fail "expected xdp_stats to hold one map, the one it reads (id $new_id), saw file" \
		"descriptors of map(s) $held: close the old map's descriptor when switching, and" \
		"the new one when the id has not changed"
}

# ---- assignment 2 -------------------------------------------------------------

# The XDP_PASS count in the pinned map must be exactly EXPECTED.
expect_pinned_pass() { # PIN EXPECTED WHAT
	local count
	count=$(pinned_pass_packets "$1")
	expect_eq "XDP_PASS packets in the map pinned at $1 $3" "$2" "$count"
}

# Pin a map of another SHAPE ("TYPE key K value V entries N", as bpftool map
# create takes it after "type") in place of the program's, reload, and expect
# the loader to have replaced it with a new map of the program's shape, which
# counts. Called as `replaces_misfit ... || return 1`, which turns set -e off
# in here: every step says itself when it fails.
replaces_misfit() { # SHAPE WHY
	local shape=$1 why=$2 pin bad out now prog
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	rm -f "$pin"
	mkdir -p "${pin%/*}"
	# shellcheck disable=SC2086 # the shape is bpftool's words
	out=$(bpftool map create "$pin" type $shape name xdp_stats_map 2>&1) ||
		fail "could not pin a map ($shape) with bpftool at $pin: $out" || return 1
	bad=$(pinned_map_id "$pin")
	out=$(./xdp_loader --dev "$LAB" --force --quiet 2>&1) ||
		fail "expected the loader to make a new map in place of the one pinned at $pin" \
			"($shape), which does not fit the program ($WANTED_SHAPE); it failed: $out" ||
		return 1
	now=$(pinned_map_id "$pin")
	prog=$(xdp_prog_id "$LAB")
	if [[ "$now" == "$bad" ]]; then
		say_more "expected the loader to make a new map in place of the one pinned at $pin" \
			"($shape), which does not fit the program ($WANTED_SHAPE); it reused it: the new" \
			"program (id $prog) uses map(s) $(prog_map_ids "$prog"), and the pin still leads" \
			"to map $bad. With it, $why."
		say_more "Before reusing a pinned map, compare its type, key size, value size and" \
			"max_entries with those of the program's map."
		return 1
	fi
	expect_eq "the map pinned at $pin in place of a $shape" "$WANTED_SHAPE" \
		"$(map_shape "$now")" || return 1
	[[ " $(prog_map_ids "$prog") " == *" $now "* ]] ||
		fail "expected the new program (id $prog) to use the map pinned at $pin (id" \
			"$now), saw map_ids $(prog_map_ids "$prog")" || return 1
	send_pings 2
	expect_pinned_pass "$pin" 2 "after replacing a $shape and 2 pings"
}

check_2() {
	local pin map1 map2 prog1 prog2 ids
	lab_setup || return 1
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	run_loader || return 1
	map1=$(pinned_map_id "$pin")
	prog1=$(xdp_prog_id "$LAB")
	[[ -n "$map1" ]] ||
		fail "expected a map pinned at $pin after the first load, found none" || return 1
	send_pings 3
	expect_pinned_pass "$pin" 3 "after 3 pings" || return 1

	run_loader --force || return 1
	prog2=$(xdp_prog_id "$LAB")
	[[ -n "$prog2" && "$prog2" != "$prog1" ]] ||
		fail "expected the reload to attach a new program, saw id '$prog2' (was $prog1)" ||
		return 1
	map2=$(pinned_map_id "$pin")
	expect_eq "id of the map pinned at $pin after the reload (the old map, reused)" \
		"$map1" "${map2:-no map}" || return 1
	# Reused for real: the new program counts into that very map.
	ids=$(prog_map_ids "$prog2")
	[[ " $ids " == *" $map1 "* ]] ||
		fail "expected the new program (id $prog2) to use map $map1, saw map_ids $ids:" \
			"bpf_map__reuse_fd() must come before the load, which creates the maps" ||
		return 1
	send_pings 3
	expect_pinned_pass "$pin" 6 "after 3 pings, a reload and 3 more (counting on)" ||
		return 1

	# A pinned map of another shape does not fit the program: the loader
	# must make a new map rather than reuse it.
	replaces_misfit "percpu_array key 4 value 16 entries 2" \
		"XDP_PASS (key 2) has no slot: the lookup fails and every frame is aborted" ||
		return 1
	replaces_misfit "array key 4 value 16 entries 5" \
		"all CPUs count into one shared value, and their plain adds lose counts" ||
		return 1
	replaces_misfit "percpu_array key 4 value 8 entries 5" \
		"rx_bytes lies past the end of the value: the verifier refuses the program" ||
		return 1
}
