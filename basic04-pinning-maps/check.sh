# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of basic04-pinning-maps, run by `make check` (all of
# them) or `make check A=N` (one). tests/lib/check.sh sources this file and
# runs each check_N in the directory of the code under test, inside a private
# network and mount namespace with its own bpffs: the labs and pins made here
# never touch your own.
#
# The counts are read with bpftool where they can be, so that a check does not
# trust the code it checks; assignment 1 is about xdp_stats' own output, so it
# reads that.

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2)
TITLE_1="xdp_stats follows the pin to the new map when the loader replaces it"
TITLE_2="xdp_loader reuses the pinned map, so the counters survive a reload"

# The id of the map pinned at $1, empty when there is none.
pinned_map_id() {
	bpftool map show pinned "$1" 2>/dev/null | sed -n '1s/^\([0-9]*\):.*/\1/p'
}

# The id of the XDP program on the lab's interface, empty when there is none.
attached_prog_id() {
	ip link show dev "$LAB" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

# XDP_PASS packets (key 2) in the map pinned at $1, summed over the CPUs.
pinned_pass_packets() {
	bpftool -j map lookup pinned "$1" key 2 0 0 0 |
		grep -o '"rx_packets":[0-9]*' | cut -d: -f2 | awk '{ n += $1 } END { print n + 0 }'
}

# Send COUNT pings from outside to the inside of the lab; the replies come in
# through the interface the program is attached to, one XDP_PASS each.
send_pings() { # COUNT
	testenv ping --name "$LAB" -- -q -c "$1" -i 0.2 -W 1 -w 5 >/dev/null
}

# The XDP_PASS packets that xdp_stats reported in the lines of FILE after line
# SKIP: the sum of the per-period counts (the second column).
reported_pass_after() { # FILE SKIP
	awk -v skip="$2" 'NR > skip && $1 == "XDP_PASS" { n += $2 } END { print n + 0 }' "$1"
}

# The largest per-period packet count that xdp_stats reported for any action.
# A delta taken across two maps (new counts minus the old map's totals) that
# went negative shows up here as a huge (wrapped) number. print_stats_period()
# in common/stats.c already guards against that; this catches a reader that
# computes its own deltas.
largest_reported() { # FILE
	awk '$1 ~ /^XDP_/ && $3 == "pkts" {
		if ($2 !~ /^[0-9]+$/) { print "not-a-count:" $2; exit }
		if ($2 + 0 > max) max = $2 + 0
	} END { printf "%d\n", max }' "$1"
}

# One line of a failure report that goes on after it, indented as fail's. The
# checks run under set -e and fail returns 1, so a bare fail ends the check
# there: a report of several lines says them with say_more, then returns 1.
say_more() {
	echo "    $*"
}

# Run the loader of the code under test; on failure, say what was expected.
run_loader() { # ARGS...
	./xdp_loader --dev "$LAB" --quiet "$@" ||
		fail "expected ./xdp_loader --dev $LAB${*:+ $*} to work (its errors are above)"
}

check_1() {
	local out pid pin seen skip old_id new_id largest
	lab_setup || return 1
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	run_loader || return 1
	old_id=$(pinned_map_id "$pin")

	out=$(mktemp)
	on_exit rm -f "$out"
	timeout 20 ./xdp_stats --dev "$LAB" --interval 1 >"$out" 2>&1 &
	pid=$!
	on_exit kill "$pid"
	sleep 0.5
	send_pings 3
	sleep 1.5
	seen=$(reported_pass_after "$out" 0)
	if [[ "$seen" -lt 3 ]]; then
		say_more "expected xdp_stats to report the 3 pings sent before any reload, saw" \
			"$seen; its output:"
		sed 's/^/      /' "$out"
		return 1
	fi

	# Remove the pin, then reload: the loader must make a new map now, even
	# one that reuses pinned maps (assignment 2). xdp_stats still has the
	# old map open.
	rm -f "$pin"
	run_loader --force || return 1
	new_id=$(pinned_map_id "$pin")
	if [[ -z "$new_id" || "$new_id" == "$old_id" ]]; then
		fail "expected the reload to pin a new map at $pin, saw map id '$new_id'" \
			"(was $old_id)"
		return 1
	fi
	skip=$(wc -l <"$out")
	send_pings 5
	sleep 2.2
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true

	seen=$(reported_pass_after "$out" "$skip")
	if [[ "$seen" -lt 5 ]]; then
		say_more "expected xdp_stats to report the 5 pings sent after the reload, saw $seen"
		if [[ "$seen" -eq 0 ]]; then
			say_more "is it still reading the old map (id $old_id)? The pin leads to map" \
				"$new_id now."
		else
			say_more "did it subtract the old map's totals from the new map's counts? The" \
				"new map (id $new_id) counts from zero: start prev from zero too."
		fi
		say_more "Its output after the reload:"
		tail -n +"$((skip + 1))" "$out" | sed 's/^/      /'
		return 1
	fi
	largest=$(largest_reported "$out")
	if ! [[ "$largest" =~ ^[0-9]+$ && "$largest" -lt 1000000 ]]; then
		fail "expected only small per-period counts (a few pings), saw $largest: a count" \
			"went backwards when the map changed (the new map counts from zero)"
		return 1
	fi
}

check_2() {
	local pin map1 map2 prog1 prog2 count1 count2
	lab_setup || return 1
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	run_loader || return 1
	map1=$(pinned_map_id "$pin")
	prog1=$(attached_prog_id)
	if [[ -z "$map1" ]]; then
		fail "expected a map pinned at $pin after the first load, found none"
		return 1
	fi
	send_pings 3
	count1=$(pinned_pass_packets "$pin")
	if [[ "$count1" -lt 3 ]]; then
		fail "expected at least 3 XDP_PASS packets in the pinned map after 3 pings," \
			"saw $count1"
		return 1
	fi

	run_loader --force || return 1
	prog2=$(attached_prog_id)
	if [[ -z "$prog2" || "$prog2" == "$prog1" ]]; then
		fail "expected the reload to attach a new program, saw id '$prog2' (was $prog1)"
		return 1
	fi
	map2=$(pinned_map_id "$pin")
	expect_eq "id of the map pinned at $pin after the reload (the old map, reused)" \
		"$map1" "${map2:-no map}" || return 1
	# Reused for real: the new program counts into that very map.
	if ! bpftool prog show id "$prog2" | grep -q -E "map_ids ([0-9]+,)*$map1(,|\$)"; then
		fail "expected the new program (id $prog2) to use map $map1, saw" \
			"$(bpftool prog show id "$prog2" | grep -o 'map_ids.*'):" \
			"bpf_map__reuse_fd() must come before the load, which creates the maps"
		return 1
	fi
	send_pings 3
	count2=$(pinned_pass_packets "$pin")
	if [[ "$count2" -lt $((count1 + 3)) ]]; then
		fail "expected the XDP_PASS count to keep growing across the reload, from $count1" \
			"to at least $((count1 + 3)), saw $count2"
		return 1
	fi
}
