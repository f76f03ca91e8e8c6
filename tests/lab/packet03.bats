#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# packet03-redirecting on real labs: the veth receive rule (a redirect into a
# veth lands only when its peer runs XDP), what checksum offload does to TCP
# through a redirect, bpf_fib_lookup on a router lab, the loaders' errors.
#
#   two labs, wired (t wire):
#
#   netns p3a              this namespace                         netns p3b
#   veth0 ----------> p3a [xdp_redirect_func] --redirect--> p3b ----------> veth0 [xdp_pass]
#   fc00:dead:cafe:N::2                                               fc00:dead:cafe:M::2
#
#   a router lab (t router setup -n p3r):
#
#   netns p3r1                     netns p3r (forwarding on)                    netns p3r3
#   veth0 [xdp_pass] ---- p3r1 [xdp_router_func]   p3r3 [xdp_router_func] ---- veth0 [xdp_pass]
#                         p3r2 [xdp_router_func] ---- veth0 [xdp_pass] (netns p3r2)
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/packet03.bats

load lab_helpers

LESSON_DIR=$TOP_DIR/packet03-redirecting
SOLUTION_DIR=$TOP_DIR/packet-solutions/packet03-redirecting
A=p3a
B=p3b
R=p3r
# shellcheck disable=SC2034 # read by lab_helpers
DEV=$A

setup_file() {
	require_isolation
	build "$LESSON_DIR" "$SOLUTION_DIR" "$TOP_DIR/testenv"
}

setup() {
	cd "$SOLUTION_DIR" || return 1
}

teardown() {
	remove_lab "$A"
	remove_lab "$B"
	"$TESTENV" router teardown -n "$R" >/dev/null 2>&1 || true
}

# ---- helpers ----------------------------------------------------------------

lab_id() { # NAME
	sed -n 's/^id=//p' "/run/xdp-tutorial/testenv/$1.env"
}

# The kernel's counter NAME in namespace NS (nstat, absolute).
counter() { # NS NAME
	ip netns exec "$1" nstat -asz "$2" | awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }'
}

# XDP_REDIRECT packets in the stats map pinned at PIN, summed over the CPUs.
redirected() { # PIN
	bpftool -j map lookup pinned "$1" key 4 0 0 0 |
		grep -o '"rx_packets":[0-9]*' | cut -d: -f2 | awk '{ n += $1 } END { print n + 0 }'
}

# Two wired labs with IPv4, and xdp_redirect_func on A sending into B.
redirect_a_to_b() {
	t setup -n "$A" --legacy-ip >/dev/null
	t setup -n "$B" --legacy-ip >/dev/null
	t wire "$A" "$B" >/dev/null
	bounded ./xdp_loader --quiet --dev "$A" --progname xdp_redirect_func --redirect-dev "$B" \
		--src-mac "$(printf '02:00:00:00:%02x:01' "$(lab_id "$B")")" \
		--dest-mac "$(printf '02:00:00:00:%02x:02' "$(lab_id "$B")")"
}

# ---- the veth receive rule ------------------------------------------------------------

@test "packet03: a frame redirected into a veth lands only while its peer runs XDP" {
	local b6 before
	redirect_a_to_b
	b6=$(printf 'fc00:dead:cafe:%x::2' "$(lab_id "$B")")

	# Without a program on B's veth0, the redirect "succeeds" and the
	# frames vanish: counted as XDP_REDIRECT here, never seen in B.
	t inner-xdp -n "$B" off >/dev/null
	before=$(counter "$B" Icmp6InEchos)
	ip netns exec "$A" ping -c 3 -i 0.2 -W 1 "$b6" >/dev/null || true
	[ "$(redirected "/sys/fs/bpf/$A/xdp_stats_map")" -eq 3 ]
	[ "$(counter "$B" Icmp6InEchos)" -eq "$before" ]

	# With XDP_PASS on it, they arrive.
	run t inner-xdp -n "$B"
	assert_ok
	assert_output_has "xdp_pass"
	ip netns exec "$A" ping -c 3 -i 0.2 -W 1 "$b6" >/dev/null || true
	[ "$(redirected "/sys/fs/bpf/$A/xdp_stats_map")" -eq 6 ]
	[ "$(counter "$B" Icmp6InEchos)" -eq $((before + 3)) ]
}

# ---- checksum offload through a redirect ---------------------------------------------

# Whether host 3 of the router lab listens on TCP port 5000.
listening() {
	local out
	out=$(ip netns exec "${R}3" ss -Htln 'sport = :5000')
	[[ -n $out ]]
}

# Send 1 MiB over TCP from host 1 to host 3 of the router lab; echo whether
# it arrived intact ("same") or not ("differ: BYTES").
tcp_1mib() { # ADDR [NC OPTIONS FOR THE LISTENER]
	local addr=$1 data=$BATS_TEST_TMPDIR/data got=$BATS_TEST_TMPDIR/got pid
	shift
	head -c 1048576 /dev/urandom >"$data"
	: >"$got"
	ip netns exec "${R}3" timeout 15 nc "$@" -l 5000 >"$got" &
	pid=$!
	wait_until 30 listening
	ip netns exec "${R}1" timeout 10 nc -N "$addr" 5000 <"$data" || true
	wait "$pid" || true
	if cmp -s "$data" "$got"; then echo same; else echo "differ: $(stat -c %s "$got")"; fi
}

@test "packet03: TCP through the XDP router needs complete checksums from a veth sender" {
	t router setup -n "$R" >/dev/null
	run t router load -n "$R" -- --quiet --progname xdp_router_func
	assert_ok
	local h3=198.18.0.34 errors
	# testenv sends complete checksums (tx off); with offload on, the
	# sender's TCP checksums are partial, and the redirect loses the note
	# that says so: host 3 drops every data segment.
	ip netns exec "${R}1" ethtool -K veth0 tx on >/dev/null
	ip netns exec "${R}3" ethtool -K veth0 tx on >/dev/null
	errors=$(counter "${R}3" TcpInCsumErrors)
	run tcp_1mib "$h3"
	[[ $output == differ* ]]
	[ "$(counter "${R}3" TcpInCsumErrors)" -gt "$errors" ]

	ip netns exec "${R}1" ethtool -K veth0 tx off >/dev/null
	ip netns exec "${R}3" ethtool -K veth0 tx off >/dev/null
	run tcp_1mib "$h3"
	[ "$output" = same ]
	run tcp_1mib fc00:dead:cafe:213::2 -6
	[ "$output" = same ]
	[ "$(redirected "/sys/fs/bpf/${R}1/xdp_stats_map")" -gt 1400 ]
}

# ---- bpf_fib_lookup on a lab ------------------------------------------------------------

# The Internet checksum of the hex bytes given (an even number of them), as 4
# hex digits: a full recomputation, independent of the program.
inet_csum() { # HEX
	local hex=$1 sum=0 i
	for ((i = 0; i < ${#hex}; i += 4)); do
		sum=$((sum + 16#${hex:i:4}))
	done
	while ((sum >> 16)); do
		sum=$(((sum & 0xffff) + (sum >> 16)))
	done
	printf '%04x' $((~sum & 0xffff))
}

# The 24 bytes of a struct xdp_md for BPF_PROG_TEST_RUN: the frame is LEN bytes
# long and arrived at IFINDEX.
xdp_md() { # LEN IFINDEX
	local v out=""
	for v in 0 "$1" 0 "$2" 0 0; do
		out+=$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((v & 255)) $((v >> 8 & 255)) \
			$((v >> 16 & 255)) $((v >> 24 & 255)))
	done
	printf '%b' "$out"
}

hex_of() { # FILE
	od -An -tx1 -v "$1" | tr -d ' \n'
}

# Run the router program (id ID) once inside the router on the frame HEX, as if
# it arrived at leg 1; sets ACTION and OUT (the frame after it, in hex).
run_router() { # ID HEX
	local dir=$BATS_TEST_TMPDIR ifindex bytes="" i out
	ifindex=$(ip -n "$R" -j link show dev "${R}1" | jq '.[0].ifindex')
	for ((i = 0; i < ${#2}; i += 2)); do
		bytes+="\\x${2:i:2}"
	done
	printf '%b' "$bytes" >"$dir/in"
	xdp_md $((${#2} / 2)) "$ifindex" >"$dir/ctx"
	out=$(nsenter --net="/run/netns/$R" bpftool prog run id "$1" data_in "$dir/in" \
		data_out "$dir/out" ctx_in "$dir/ctx")
	ACTION=$(sed -n 's/^Return value: \([0-9]*\).*/\1/p' <<<"$out")
	OUT=$(hex_of "$dir/out")
}

@test "packet03: bpf_fib_lookup in the router: exact frames on a router lab" {
	local id leg1 leg3 h3 ip4 frame4 want4 hdr frame6 want6
	t router setup -n "$R" >/dev/null
	t router load -n "$R" -- --quiet --progname xdp_router_func
	id=$(ip -n "$R" -j link show dev "${R}1" | jq '.[0].xdp.prog.id')
	leg1=$(ip -n "$R" -j link show dev "${R}1" | jq -r '.[0].address' | tr -d :)
	leg3=$(ip -n "$R" -j link show dev "${R}3" | jq -r '.[0].address' | tr -d :)
	h3=$(ip -n "${R}3" -j link show dev veth0 | jq -r '.[0].address' | tr -d :)

	# UDP 198.18.0.2:1234 -> 198.18.0.34:5678, TTL 64, 4 bytes of data.
	ip4="45000020000040004011$(printf '0000')c6120002c6120022"
	ip4="${ip4:0:20}$(inet_csum "$ip4")${ip4:24}"
	frame4="${leg1}020000110002""0800""$ip4""04d2162e000c0000""deadbeef"

	# Before any traffic the router has no neighbour entry for host 3:
	# BPF_FIB_LKUP_RET_NO_NEIGH, and the frame goes to the stack as it is.
	run_router "$id" "$frame4"
	[ "$ACTION" -eq 2 ]
	[ "$OUT" = "$frame4" ]

	ip netns exec "${R}1" ping -c 1 -W 2 198.18.0.34 >/dev/null
	ip netns exec "${R}1" ping -c 1 -W 2 fc00:dead:cafe:213::2 >/dev/null
	# Now it forwards: host 3's MAC from the neighbour table, leg 3's own,
	# TTL 63 and the header checksum of the new header, recomputed here.
	run_router "$id" "$frame4"
	[ "$ACTION" -eq 4 ]
	hdr="${ip4:0:16}3f11""0000""${ip4:24}"
	want4="$h3$leg3""0800""${hdr:0:20}$(inet_csum "$hdr")${hdr:24}""04d2162e000c0000""deadbeef"
	[ "$OUT" = "$want4" ]

	# IPv6, UDP fc00:dead:cafe:211::2 -> fc00:dead:cafe:213::2, hop limit 64.
	frame6="${leg1}020000110002""86dd""60000000000c1140"
	frame6+="fc00deadcafe02110000000000000002""fc00deadcafe02130000000000000002"
	frame6+="04d2162e000c0000deadbeef"
	run_router "$id" "$frame6"
	[ "$ACTION" -eq 4 ]
	want6="$h3$leg3""86dd""60000000000c113f""${frame6:44}"
	[ "$OUT" = "$want6" ]

	# TTL 1, and the router's own address: the stack's to handle.
	hdr="${ip4:0:16}0111""0000""${ip4:24}"
	hdr="${hdr:0:20}$(inet_csum "$hdr")${hdr:24}"
	run_router "$id" "${leg1}020000110002""0800""$hdr""04d2162e000c0000""deadbeef"
	[ "$ACTION" -eq 2 ]
	hdr="${ip4:0:32}c6120001"
	hdr="${hdr:0:20}$(inet_csum "${hdr:0:20}0000${hdr:24}")${hdr:24}"
	run_router "$id" "${leg1}020000110002""0800""$hdr""04d2162e000c0000""deadbeef"
	[ "$ACTION" -eq 2 ]
}

@test "packet03: the router works attached with ip link (program xdp_router_func)" {
	local k
	t router setup -n "$R" >/dev/null
	for k in 1 2 3; do
		nsenter --net="/run/netns/$R" ip link set dev "$R$k" xdpdrv \
			object xdp_prog.bpf.o program xdp_router_func
	done
	run ip netns exec "${R}2" ping -c 2 -i 0.2 -W 2 fc00:dead:cafe:213::2
	assert_ok
	assert_output_matches 'ttl=63'
	run ip netns exec "${R}2" ping -c 2 -i 0.2 -W 2 198.18.0.2
	assert_ok
	assert_output_matches 'ttl=63'
	run ip -n "$R" -s link show dev "${R}2"
	assert_output_has "prog/xdp"
}

# ---- the loaders' errors --------------------------------------------------------------

@test "packet03: xdp_loader refuses incomplete redirect settings, in one line, attaching nothing" {
	t setup -n "$A" >/dev/null
	run bounded ./xdp_loader --dev "$A" --progname xdp_redirect_func --redirect-dev lo
	assert_failed
	assert_one_error "needs --redirect-dev IFNAME, --src-mac MAC and --dest-mac MAC"
	run bounded ./xdp_loader --dev "$A" --progname xdp_redirect_func --redirect-dev nosuch0 \
		--src-mac 02:00:00:00:00:01 --dest-mac 02:00:00:00:00:02
	assert_failed
	assert_one_error "unknown interface 'nosuch0'"
	run bounded ./xdp_loader --dev "$A" --progname xdp_redirect_func --redirect-dev lo \
		--src-mac 02:00:00:00:00:01 --dest-mac 02:00:00:00:00
	assert_failed
	assert_one_error "--dest-mac takes a MAC address"
	run bounded ./xdp_loader --dev "$A" --progname xdp_router_func --redirect-dev lo
	assert_failed
	assert_one_error "settings of xdp_redirect_func, not of xdp_router_func"
	assert_nothing_attached
	[ ! -e "/sys/fs/bpf/$A" ]
}

@test "packet03: xdp_prog_user without the loader's pins says to load first" {
	t setup -n "$A" >/dev/null
	t setup -n "$B" >/dev/null
	run bounded ./xdp_prog_user --dev "$A" --redirect-dev "$B" --src-mac 02:00:00:00:01:02 \
		--dest-mac 02:00:00:00:02:02
	assert_failed
	assert_one_error "open the map pinned at /sys/fs/bpf/$A/tx_port"
	assert_output_has "hint: load the program first: ./xdp_loader --dev $A --progname xdp_redirect_map_func"
	# The pins of another program's maps are refused too.
	bounded ./xdp_loader --quiet --dev "$A" --progname xdp_pass_func
	rm "/sys/fs/bpf/$A/tx_port"
	bpftool map create "/sys/fs/bpf/$A/tx_port" type array key 4 value 4 entries 1 name tx_port
	run bounded ./xdp_prog_user --dev "$A" --redirect-dev "$B" --src-mac 02:00:00:00:01:02 \
		--dest-mac 02:00:00:00:02:02
	assert_failed
	assert_one_error "use the map pinned at /sys/fs/bpf/$A/tx_port"
	assert_output_has "was it pinned by another program?"
}

@test "packet03: xdp_loader pins the maps, --unload detaches and removes them" {
	t setup -n "$A" >/dev/null
	run bounded ./xdp_loader --dev "$A" --progname xdp_redirect_map_func
	assert_ok
	assert_output_matches_e "$(attached_line xdp_redirect_map_func "$A")"
	[ -e "/sys/fs/bpf/$A/tx_port" ]
	[ -e "/sys/fs/bpf/$A/redirect_params" ]
	[ -e "/sys/fs/bpf/$A/xdp_stats_map" ]
	run bounded ./xdp_loader --dev "$A" --unload
	assert_ok
	assert_nothing_attached
	[ ! -e "/sys/fs/bpf/$A" ]
}

@test "packet03: the starter builds, loads every program and passes the lab's pings" {
	local prog
	cd "$LESSON_DIR"
	t setup -n "$A" >/dev/null
	for prog in xdp_icmp_echo_func xdp_redirect_map_func xdp_router_func xdp_pass_func; do
		run bounded ./xdp_loader --quiet --force --dev "$A" --progname "$prog"
		assert_ok
		run t ping -n "$A" -- -c 1
		assert_ok
	done
}

@test "packet03: a program held by a bpf_link: --force and --unload say so and how to remove it" {
	local id
	t setup -n "$A" >/dev/null
	id=$(hold_with_link "$A")
	[[ -n "$id" ]] || { echo "no program attached through a link"; return 1; }
	run bounded ./xdp_loader --dev "$A" --force --progname xdp_icmp_echo_func
	assert_refused_by_link "$A"
	run bounded ./xdp_loader --dev "$A" --unload
	assert_refused_by_link "$A"
	[[ "$(attached_id)" == "$id" ]] || { echo "program $id -> '$(attached_id)'"; return 1; }
	# Nothing of this lesson was pinned beside the link's own pins.
	[[ ! -e /sys/fs/bpf/$A/tx_port && -e /sys/fs/bpf/$A/xdp_link ]]
}

@test "packet03: not root: xdp_loader and xdp_prog_user say they need root, in one line" {
	local dir
	t setup -n "$A" >/dev/null
	for dir in "$LESSON_DIR" "$SOLUTION_DIR"; do
		run_as_nobody "$dir/xdp_loader" "$dir/xdp_prog.bpf.o" -- ./xdp_loader --dev "$A"
		assert_needs_root xdp_loader || return 1
		run_as_nobody "$dir/xdp_prog_user" -- ./xdp_prog_user --dev "$A" --redirect-dev lo \
			--src-mac 02:00:00:00:01:02 --dest-mac 02:00:00:00:02:02
		assert_needs_root xdp_prog_user || return 1
	done
	assert_nothing_attached
	[ ! -e "/sys/fs/bpf/$A" ]
}
