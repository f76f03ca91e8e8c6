#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# basic04-pinning-maps: xdp_loader pins its stats map under /sys/fs/bpf/LAB/,
# xdp_stats reads the pin and counts pings, --unload removes the pins and
# detaches, bad input gets one error line; xdp_link_pin attaches through a
# pinned bpf_link that netlink cannot replace, and removing the pin detaches.
#
#      this namespace                         netns b04lab
#   +--------------------------+   veth   +--------------------------+
#   | b04lab                   |==========| veth0                    |
#   | fc00:dead:cafe:N::1      |          | fc00:dead:cafe:N::2      |
#   | XDP attaches here, sees  |          | answers the pings        |
#   | the echo replies         |          |                          |
#   +--------------------------+          +--------------------------+
#   /sys/fs/bpf/b04lab/xdp_stats_map   (and xdp_link, from xdp_link_pin)
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/basic04.bats

load lab_helpers

LESSON_DIR=$TOP_DIR/basic04-pinning-maps
LAB=b04lab
# shellcheck disable=SC2034 # read by lab_helpers: where XDP attaches, the lab's outer end
DEV=$LAB
PIN_DIR=/sys/fs/bpf/$LAB
MAP_PIN=$PIN_DIR/xdp_stats_map
LINK_PIN=$PIN_DIR/xdp_link
# Where ip pins a map that asks to be pinned by name (/sys/fs/bpf/xdp is a
# link to tc, made by ip).
IP_PIN=/sys/fs/bpf/xdp/globals/xdp_stats_map

setup_file() {
	require_isolation
	build "$LESSON_DIR"
	setup_lab "$LAB"
}

teardown_file() {
	remove_lab "$LAB"
}

setup() {
	cd "$LESSON_DIR" || return 1
	STATS_OUT="$BATS_TEST_TMPDIR/stats.out"
}

# Leave the lab bare for the next test, whatever this one did: no stats
# reader, no pins (removing the link pin detaches a link), no program.
teardown() {
	stop_bg
	rm -rf "$PIN_DIR"
	rm -f "$IP_PIN"
	detach_xdp "$LAB"
	wait_detached || true
}

# ---- helpers ----------------------------------------------------------------

# Whether ip link shows no XDP program on the lab.
nothing_attached() {
	[[ -z "$(attached_id)" ]]
}

# A released bpf_link detaches its program a moment later: wait up to 2 s.
wait_detached() {
	wait_until 20 nothing_attached
}

# Packets counted under XDP_PASS (action 2) in the map pinned at $1, summed
# over the CPUs, read with bpftool: independent of the lesson's own reader.
pinned_pass_packets() {
	local out
	out=$(bpftool -j map lookup pinned "$1" key 2 0 0 0)
	jq -r '[.formatted.values[].value.rx_packets] | add // 0' <<<"$out"
}

ping_inside() { # COUNT
	"$TESTENV" ping --name "$LAB" -- -q -c "$1" -i 0.2 -W 1 -w 5
}

# Start xdp_stats in the background, one report a second, at most $1 seconds;
# its output in $STATS_OUT. stop_bg stops it.
start_stats() { # SECONDS [ARGS...]
	local secs=$1
	shift
	start_bg "$STATS_OUT" "$secs" ./xdp_stats --dev "$LAB" --interval 1 "$@"
}

# The last "total N pkts" that xdp_stats printed for XDP_PASS (0 if none).
stats_pass_total() {
	awk '$1 == "XDP_PASS" { for (i = 1; i < NF; i++) if ($i == "total") t = $(i + 1) }
	     END { print t + 0 }' "$STATS_OUT"
}

# Assert that no XDP program is attached to the lab and no pin directory is left.
assert_nothing_left() {
	assert_nothing_attached
	if [[ -e "$PIN_DIR" ]]; then
		echo "expected no $PIN_DIR, found:"
		ls -la "$PIN_DIR"
		return 1
	fi
}

# ---- xdp_loader and its pins -------------------------------------------------

@test "basic04: xdp_loader attaches and pins xdp_stats_map in /sys/fs/bpf/LAB/" {
	run bounded ./xdp_loader --dev "$LAB"
	assert_ok
	assert_output_matches_e "$(attached_line xdp_pass_func "$LAB")\$"
	[[ -n "$(attached_id)" ]] || { echo "no XDP program on $LAB"; return 1; }
	local out
	out=$(prog_name "$(attached_id)")
	[[ "$out" == xdp_pass_func ]] || { echo "attached: '$out'"; return 1; }
	[[ -e "$MAP_PIN" ]] || { echo "no pin at $MAP_PIN"; ls -la /sys/fs/bpf; return 1; }
	out=$(bpftool -j map show pinned "$MAP_PIN")
	out=$(jq -r '"\(.type) \(.name)"' <<<"$out")
	[[ "$out" == "percpu_array xdp_stats_map" ]] || { echo "pinned: '$out'"; return 1; }
	# The pinned map is the one the attached program uses.
	local map_id prog_maps
	map_id=$(pinned_map_id "$MAP_PIN")
	prog_maps=$(prog_map_ids "$(attached_id)")
	[[ " $prog_maps " == *" $map_id "* ]] ||
		{ echo "map $map_id is not the program's: map_ids $prog_maps"; return 1; }
}

@test "basic04: xdp_stats reads the pin and counts the pings (as bpftool does)" {
	bounded ./xdp_loader --dev "$LAB" -q
	start_stats 10
	sleep 0.5
	ping_inside 4 >/dev/null
	sleep 1.5
	stop_bg
	grep -q "^Reading $MAP_PIN (map id $(pinned_map_id "$MAP_PIN"))" "$STATS_OUT" ||
		{ cat "$STATS_OUT"; return 1; }
	# Rates keep a decimal, as in basic03: a few pings a period are not 0 pps.
	grep -q -E '^XDP_PASS +[0-9]+ pkts \( *[0-9]+\.[0-9] pps\)' "$STATS_OUT" ||
		{ cat "$STATS_OUT"; return 1; }
	# The lab is quiet: the four echo replies are all that arrives.
	local total map
	total=$(stats_pass_total)
	map=$(pinned_pass_packets "$MAP_PIN")
	if [[ "$total" -ne 4 || "$map" -ne 4 ]]; then
		echo "XDP_PASS: xdp_stats says $total, the map holds $map, want 4"
		cat "$STATS_OUT"
		return 1
	fi
}

@test "basic04: --unload detaches the program and removes the pins and their directory" {
	bounded ./xdp_loader --dev "$LAB" -q
	local id
	id=$(attached_id)
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_ok
	assert_output_matches_e "$(detached_line "$id" "$LAB")"
	assert_output_has "Removed the pin $MAP_PIN"
	assert_nothing_left
	# And a second --unload has nothing to do: one error line.
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_failed
	assert_one_error "nothing to unload"
}

@test "basic04: --unload also removes pins left without a program" {
	bounded ./xdp_loader --dev "$LAB" -q
	ip link set dev "$LAB" xdp off
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_ok
	assert_nothing_left
}

@test "basic04: a reload with --force pins the new program's map in place of the old one" {
	bounded ./xdp_loader --dev "$LAB" -q
	local old_map old_prog
	old_map=$(pinned_map_id "$MAP_PIN")
	old_prog=$(attached_id)
	run bounded ./xdp_loader --dev "$LAB" --force
	assert_ok
	assert_output_has "in place of map id $old_map"
	[[ "$(attached_id)" != "$old_prog" ]] || { echo "the program was not replaced"; return 1; }
	local new_map out
	new_map=$(pinned_map_id "$MAP_PIN")
	out=$(prog_map_ids "$(attached_id)")
	[[ "$out" == "$new_map" ]] ||
		{ echo "the pin ($new_map) does not lead to the new program's map: $out"; return 1; }
}

@test "basic04: a second load without --force is refused and leaves program and pin alone" {
	bounded ./xdp_loader --dev "$LAB" -q
	local map prog
	map=$(pinned_map_id "$MAP_PIN")
	prog=$(attached_id)
	run bounded ./xdp_loader --dev "$LAB"
	assert_failed
	assert_one_error "attach XDP to $LAB"
	local prog_now map_now
	prog_now=$(attached_id)
	map_now=$(pinned_map_id "$MAP_PIN")
	[[ "$prog_now" == "$prog" && "$map_now" == "$map" ]] ||
		{ echo "program $prog -> $prog_now, map $map -> $map_now"; return 1; }
}

@test "basic04: a failed load leaves nothing attached and nothing pinned" {
	run bounded ./xdp_loader --dev "$LAB" --progname no_such_prog
	assert_failed
	assert_one_error "no XDP program named 'no_such_prog'"
	assert_nothing_left
	run bounded ./xdp_loader --dev "$LAB" --filename no_such_file.bpf.o
	assert_failed
	assert_one_error "no_such_file.bpf.o"
	assert_nothing_left
	run bounded ./xdp_loader --dev no_such_dev0
	assert_failed
	assert_one_error "no_such_dev0"
	[[ ! -e /sys/fs/bpf/no_such_dev0 ]] || { echo "a pin directory was made"; return 1; }
}

@test "basic04: xdp_stats without a pin says to run xdp_loader first, in one line" {
	run bounded ./xdp_stats --dev "$LAB"
	assert_failed
	local want="error: no pinned stats map at $MAP_PIN: run xdp_loader --dev $LAB first"
	[[ "$output" == "$want" ]] || { echo "saw: $output"; return 1; }
}

@test "basic04: xdp_stats --help speaks of reading, not attaching" {
	run bounded ./xdp_stats --help
	assert_ok
	assert_output_has "-d, --dev IFNAME           interface whose stats to read (required)"
	! grep -qi 'attach to' <<<"$output" || { echo "$output"; return 1; }
}

@test "basic04: xdp_stats refuses a pin that is not a stats map" {
	mkdir -p "$PIN_DIR"
	bpftool map create "$MAP_PIN" type hash key 4 value 4 entries 4 name not_stats
	run bounded ./xdp_stats --dev "$LAB"
	assert_failed
	assert_one_error "is not an XDP stats map"
}

@test "basic04: without bpffs, xdp_stats and xdp_loader say how to mount it, in one line" {
	# A mount namespace of its own, so the other tests keep their bpffs.
	# shellcheck disable=SC2016 # $1 is expanded by the inner shell
	run bounded unshare --mount --propagation private -- \
		bash -c 'umount /sys/fs/bpf && ./xdp_stats --dev "$1"' _ "$LAB"
	assert_failed
	[[ "${#lines[@]}" -eq 1 ]] || { echo "expected one line, saw: $output"; return 1; }
	assert_one_error "mount -t bpf bpf /sys/fs/bpf"
	# shellcheck disable=SC2016 # $1 is expanded by the inner shell
	run bounded unshare --mount --propagation private -- \
		bash -c 'umount /sys/fs/bpf && ./xdp_loader --dev "$1"' _ "$LAB"
	assert_failed
	assert_one_error "mount -t bpf bpf /sys/fs/bpf"
	assert_nothing_left
}

@test "basic04: inside the lab's namespace (t exec), xdp_stats says the namespace hides bpffs" {
	run bounded "$TESTENV" exec --name "$LAB" -- ./xdp_stats --dev "$LAB"
	assert_failed
	[[ "${#lines[@]}" -eq 1 ]] || { echo "expected one line, saw: $output"; return 1; }
	assert_one_error "inside the network namespace $LAB, where 'ip netns exec' (t exec, t enter)"
	assert_output_has "run it outside the namespace"
	# Not the advice to mount bpffs: one mounted there would vanish with the shell.
	! grep -q 'mount -t bpf' <<<"$output" || { echo "$output"; return 1; }
}

@test "basic04: a --pin-dir outside bpffs is refused: choose one under /sys/fs/bpf" {
	local dir
	for dir in "$BATS_TEST_TMPDIR/pins" relative/pins; do
		run bounded ./xdp_stats --dev "$LAB" --pin-dir "$dir"
		assert_failed
		assert_one_error "$dir is not on a BPF filesystem, and pins can only live on one: choose a directory under /sys/fs/bpf"
		run bounded ./xdp_loader --dev "$LAB" --pin-dir "$dir"
		assert_failed
		assert_one_error "choose a directory under /sys/fs/bpf"
	done
	assert_nothing_left
	[[ ! -e relative ]] || { echo "a directory 'relative' was made"; return 1; }
}

@test "basic04: --pin-dir puts the pins elsewhere, and xdp_stats finds them there" {
	local dir=/sys/fs/bpf/b04_elsewhere
	bounded ./xdp_loader --dev "$LAB" --pin-dir "$dir" -q
	[[ -e "$dir/xdp_stats_map" && ! -e "$PIN_DIR" ]] || { ls -R /sys/fs/bpf; return 1; }
	run timeout 1.5 ./xdp_stats --dev "$LAB" --pin-dir "$dir" --interval 1
	assert_output_matches "^Reading $dir/xdp_stats_map"
	run bounded ./xdp_loader --dev "$LAB" --pin-dir "$dir" --unload
	assert_ok
	[[ ! -e "$dir" ]] || { echo "$dir is still there"; return 1; }
}

@test "basic04: the object also loads with ip link (sec xdp)" {
	run ip link set dev "$LAB" xdp obj xdp_prog.bpf.o sec xdp
	assert_ok
	[[ -n "$(attached_id)" ]] || { echo "ip attached nothing"; return 1; }
}

# The object as a reader builds it in their own project, with the switch of
# headers/xdp_stats_kern.h that pins the stats map by name.
build_pin_by_name() { # OUT
	clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -I"$TOP_DIR/headers" \
		-DXDP_STATS_PIN_BY_NAME -c xdp_prog.bpf.c -o "$1"
}

# ip and xdp-loader: the lesson's object pins nothing (its loaders pin); built
# with XDP_STATS_PIN_BY_NAME, the tools pin the map and xdp_stats reads it.
@test "basic04: loaded with ip, the lesson's object pins nothing; bpftool can pin its map for xdp_stats" {
	local map_id
	bounded ip link set dev "$LAB" xdp obj xdp_prog.bpf.o sec xdp
	[[ ! -e $IP_PIN && ! -e $PIN_DIR ]] || { ls -R /sys/fs/bpf; return 1; }
	map_id=$(prog_map_ids "$(attached_id)")
	[[ $map_id =~ ^[0-9]+$ ]] || { echo "map ids: '$map_id'"; return 1; }
	mkdir "$PIN_DIR"
	bpftool map pin id "$map_id" "$MAP_PIN"
	start_stats 10
	sleep 0.5
	ping_inside 3 >/dev/null
	sleep 1.5
	stop_bg
	[ "$(stats_pass_total)" -eq 3 ] || { cat "$STATS_OUT"; return 1; }
}

@test "basic04: built with XDP_STATS_PIN_BY_NAME, ip pins the map in xdp/globals, where xdp_stats reads it" {
	local obj=$BATS_TEST_TMPDIR/xdp_prog.bpf.o
	build_pin_by_name "$obj"
	run bounded ip link set dev "$LAB" xdp obj "$obj" sec xdp
	assert_ok
	[[ -e $IP_PIN ]] || { ls -R /sys/fs/bpf; return 1; }
	# The pin is the program's map.
	[[ " $(prog_map_ids "$(attached_id)") " == *" $(pinned_map_id "$IP_PIN") "* ]]
	start_stats 10 --pin-dir /sys/fs/bpf/xdp/globals
	sleep 0.5
	ping_inside 3 >/dev/null
	sleep 1.5
	stop_bg
	grep -q "^Reading $IP_PIN " "$STATS_OUT" || { cat "$STATS_OUT"; return 1; }
	[ "$(stats_pass_total)" -eq 3 ] || { cat "$STATS_OUT"; return 1; }
	# Detaching leaves the pin: it is removed by hand.
	bounded ip link set dev "$LAB" xdp off
	[[ -e $IP_PIN ]]
}

@test "basic04: built with XDP_STATS_PIN_BY_NAME, xdp-loader -p /sys/fs/bpf/LAB pins where xdp_stats looks" {
	local obj=$BATS_TEST_TMPDIR/xdp_prog.bpf.o
	build_pin_by_name "$obj"
	mkdir "$PIN_DIR"
	run bounded xdp-loader load -m native -p "$PIN_DIR" "$LAB" "$obj"
	assert_ok
	[[ -n "$(attached_id)" && -e $MAP_PIN ]] || { echo "$output"; ls -R /sys/fs/bpf; return 1; }
	start_stats 10
	sleep 0.5
	ping_inside 3 >/dev/null
	sleep 1.5
	stop_bg
	[ "$(stats_pass_total)" -eq 3 ] || { cat "$STATS_OUT"; return 1; }
	run bounded xdp-loader unload "$LAB" --all
	assert_ok
	assert_nothing_attached
}

@test "basic04: testenv's load, stats and unload run this lesson's programs" {
	run bounded "$TESTENV" load --name "$LAB"
	assert_ok
	[[ -e "$MAP_PIN" ]] || { echo "$output"; return 1; }
	run timeout 1.5 "$TESTENV" stats --name "$LAB" -- --interval 1
	assert_output_matches "^Reading $MAP_PIN"
	run bounded "$TESTENV" unload --name "$LAB"
	assert_ok
	assert_nothing_left
}

# ---- the pinned bpf_link alternative -----------------------------------------

@test "basic04: xdp_link_pin attaches through a link pinned at /sys/fs/bpf/LAB/xdp_link" {
	run bounded ./xdp_link_pin --dev "$LAB"
	assert_ok
	assert_output_matches_e "$(attached_line xdp_pass_func "$LAB") through bpf_link id [0-9]+\$"
	[[ -e "$LINK_PIN" && -e "$MAP_PIN" ]] || { ls -la "$PIN_DIR"; return 1; }
	local prog
	prog=$(attached_id)
	[[ -n "$prog" ]] || { echo "no XDP program on $LAB"; return 1; }
	# bpftool reads the pin: an xdp link, holding the attached program.
	# The loader has exited: the pin alone keeps the program attached.
	local out
	out=$(bpftool -j link show pinned "$LINK_PIN")
	out=$(jq -r '"\(.type) \(.prog_id)"' <<<"$out")
	[[ "$out" == "xdp $prog" ]] || { echo "bpftool link: '$out', want 'xdp $prog'"; return 1; }
	[[ "$(xdp_link_of "$LAB")" == "$(bpftool -j link show pinned "$LINK_PIN" | jq -r .id)" ]]
}

@test "basic04: a link-attached program cannot be replaced by netlink, even with --force" {
	bounded ./xdp_link_pin --dev "$LAB" -q
	local prog
	prog=$(attached_id)
	run bounded ./xdp_loader --dev "$LAB" --force
	assert_refused_by_link "$LAB"
	run ip link set dev "$LAB" xdp off
	assert_failed
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_refused_by_link "$LAB"
	# The refused --unload leaves the pins alone.
	[[ -e "$LINK_PIN" && -e "$MAP_PIN" ]] || { ls -la "$PIN_DIR"; return 1; }
	[[ "$(attached_id)" == "$prog" ]] || { echo "program $prog -> '$(attached_id)'"; return 1; }
}

@test "basic04: xdp_link_pin where another process's bpf_link holds the program: says so" {
	# A link pinned elsewhere: xdp_link_pin cannot know where, and says how to find it.
	bounded ./xdp_link_pin --dev "$LAB" --pin-dir /sys/fs/bpf/b04other -q
	local prog
	prog=$(attached_id)
	run bounded ./xdp_link_pin --dev "$LAB"
	assert_failed
	assert_one_error "attach an XDP link to $LAB (ifindex "
	assert_output_matches_e "^hint: a bpf_link \(id [0-9]+\) holds the XDP program on $LAB, and neither --force nor --unload can take it away: stop the process that holds it, or remove its pin \('bpftool -f link show id [0-9]+' shows both\)\$"
	[[ ! -e "$LINK_PIN" && "$(attached_id)" == "$prog" ]] ||
		{ echo "link pin made, or program $prog -> '$(attached_id)'"; return 1; }
	bounded ./xdp_link_pin --dev "$LAB" --pin-dir /sys/fs/bpf/b04other --unload -q
}

@test "basic04: bad input: not root: each program says in one line it needs root" {
	run_as_nobody xdp_loader xdp_prog.bpf.o -- ./xdp_loader --dev "$LAB"
	assert_needs_root xdp_loader
	run_as_nobody xdp_link_pin -- ./xdp_link_pin --dev "$LAB"
	assert_needs_root xdp_link_pin
	run_as_nobody xdp_stats -- ./xdp_stats --dev "$LAB"
	assert_needs_root xdp_stats
	assert_nothing_left
}

@test "basic04: xdp_stats counts for the link-attached program too" {
	bounded ./xdp_link_pin --dev "$LAB" -q
	start_stats 8
	sleep 0.5
	ping_inside 3 >/dev/null
	sleep 1.5
	stop_bg
	[[ "$(stats_pass_total)" -eq 3 ]] || { cat "$STATS_OUT"; return 1; }
}

@test "basic04: removing the link pin by hand detaches the program" {
	bounded ./xdp_link_pin --dev "$LAB" -q
	local prog
	prog=$(attached_id)
	[[ -n "$prog" ]] || { echo "nothing attached"; return 1; }
	rm "$LINK_PIN"
	if ! wait_detached; then
		echo "program $prog still attached 2 s after rm:"
		ip link show "$LAB"
		return 1
	fi
}

@test "basic04: xdp_link_pin --unload removes link and map pins and detaches" {
	bounded ./xdp_link_pin --dev "$LAB" -q
	run bounded ./xdp_link_pin --dev "$LAB" --unload
	assert_ok
	assert_nothing_left
	run bounded ./xdp_link_pin --dev "$LAB" --unload
	assert_failed
	assert_one_error "no bpf_link pinned at $LINK_PIN"
}

@test "basic04: xdp_link_pin refuses while xdp_loader's program is attached, leaving no link" {
	bounded ./xdp_loader --dev "$LAB" -q
	local prog
	prog=$(attached_id)
	run bounded ./xdp_link_pin --dev "$LAB"
	assert_failed
	assert_one_error "attach an XDP link to $LAB: Device or resource busy"
	assert_output_has "hint: an XDP program is attached there: remove it first with ./xdp_loader --dev $LAB --unload"
	[[ ! -e "$LINK_PIN" && "$(attached_id)" == "$prog" ]] ||
		{ echo "link pin left, or program $prog -> '$(attached_id)'"; return 1; }
}
