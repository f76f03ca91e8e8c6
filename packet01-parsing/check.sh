# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of packet01-parsing, run by `make check` (all of
# them) or `make check A=N` (one). tests/lib/check.sh sources this file and
# runs each check_N in the directory of the code under test, inside a private
# network and mount namespace with its own bpffs.
#
# Two kinds of experiment:
# - The fuzzer (tests/fuzz, --lesson): your parse functions and your program
#   get thousands of generated frames through BPF_PROG_TEST_RUN, each also cut
#   at every offset, with wrong lengths, IHL < 5, IHL past the end, too many
#   VLAN tags... What your functions return and what your program decides
#   must agree with the fuzzer's own decoder (written from the RFCs) on every
#   one; a disagreement shows the frame in hex. The verifier proves that the
#   program reads no byte outside the packet; this proves the rest.
# - Live traffic on a lab: pings from outside as `t ping` sends them (their
#   echo requests leave through the interface the program is on, where XDP
#   does not see them; their echo replies come in through it) and pings from
#   inside the lab (their echo requests come in), and tagged frames sent with
#   testenv/send_frames (no 802.1Q support needed). The lab is quiet (static
#   neighbours), so the stats map counts exactly what the check sent; it is
#   read with bpftool, not with code under test.
#
#      outside (this namespace)                   inside (netns $LAB)
#   t ping: requests out, replies in  ----->
#   $LAB: xdp_parser_func  <------- veth ------->  veth0
#                          <-----  ping, send_frames: requests in, replies out

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2 3 4 5)
TITLE_1="the Ethernet bounds check covers the header: the program loads and passes traffic"
TITLE_2="parse_ip6hdr accepts well-formed IPv6 headers only"
TITLE_3="parse_icmp6hdr, and the ICMPv6 echo requests and replies with an even sequence are dropped"
TITLE_4="VLAN tags: 802.1Q and 802.1ad, up to VLAN_MAX_DEPTH"
TITLE_5="IPv4 with a variable header length, parse_icmphdr, even ICMP echo requests and replies dropped"

readonly FUZZ_SEED=9
readonly FUZZ_FRAMES=3000
readonly SEND_FRAMES=$TOP_DIR/testenv/send_frames

# ---- the fuzzer ---------------------------------------------------------------

# Build lesson_walk around the code under test (the walk calls your parse
# functions) and the fuzzer itself, when needed.
build_walk() {
	local out
	mkdir -p .build
	out=$(make -s -C "$TOP_DIR/tests/fuzz" lesson LESSON_SRC="$PWD/xdp_prog.bpf.c" \
		LESSON_OBJ="$PWD/.build/lesson_walk.bpf.o" 2>&1) ||
		fail "could not build the fuzzer's walk around your xdp_prog.bpf.c:" \
			"$(tail -n 5 <<<"$out")"
}

# Run the fuzzer on the code under test: FUZZ_FRAMES frames of seed FUZZ_SEED,
# each cut at every offset too. ARGS choose the frames and what is judged.
# On a disagreement, show the first reports and how many there were.
fuzz_lesson() { # ARGS...
	local out rc=0 n
	build_walk || return 1
	out=$("$TOP_DIR/tests/fuzz/fuzz" --lesson "$PWD/.build/lesson_walk.bpf.o" \
		--seed "$FUZZ_SEED" --frames "$FUZZ_FRAMES" --cuts --max-reports 1 "$@" 2>&1) ||
		rc=$?
	[[ $rc -eq 0 ]] && return 0
	if [[ $rc -eq 2 ]]; then
		say_more "expected the fuzzer to load your program, saw the verifier reject it" \
			"(assignment 1 first); the end of its log:"
		grep -B3 '^processed' <<<"$out" | head -n 3 | sed 's/^/      /'
		say_more "./xdp_loader --dev IFNAME prints the verifier's log and a hint."
		return 1
	fi
	n=$(grep -c '^DISAGREE' <<<"$out" || true)
	say_more "expected your parse functions and program to agree with the fuzzer's decoder" \
		"on every frame, saw $n disagreements. The first:"
	# The first report in full: up to the second one.
	awk '/^DISAGREE/ && n++ { exit } n' <<<"$out" |
		sed "s|reproduce: tests/fuzz/fuzz|reproduce: $TOP_DIR/tests/fuzz/fuzz|; s/^/      /"
	say_more "Offsets count from the first byte of the frame (Ethernet 14, a VLAN tag 4," \
		"IPv6 40, IPv4 ihl*4, ICMP 8). 'reproduce' runs that one frame again."
	return 1
}

# ---- the lab ----------------------------------------------------------------

load_program() {
	local out
	out=$(./xdp_loader --dev "$LAB" --quiet 2>&1) || {
		say_more "expected ./xdp_loader --dev $LAB to load and attach xdp_parser_func; it" \
			"failed:"
		tail -n 12 <<<"$out" | sed 's/^/      /'
		return 1
	}
	on_exit ./xdp_loader --dev "$LAB" --unload --quiet
}

# rx_packets of ACTION (0 aborted, 1 drop, 2 pass) in the pinned stats map,
# added up over the CPUs (the first little-endian u64 of each value).
pinned_count() { # ACTION
	local out
	out=$(bpftool -j map lookup pinned "/sys/fs/bpf/$LAB/xdp_stats_map" key "$1" 0 0 0) ||
		return 1
	jq -r 'def hex: ltrimstr("0x") | ascii_downcase | explode |
			reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		def u64: .[0:8] | reverse | reduce .[] as $b (0; . * 256 + ($b | hex));
		[(.values // [{value: .value}])[] | .value | u64] | add' <<<"$out"
}

# "DROP N PASS N ABORTED N" from the pinned stats map.
verdict_counts() {
	echo "DROP $(pinned_count 1) PASS $(pinned_count 2) ABORTED $(pinned_count 0)"
}

# Ping the inside of the lab from outside with t ping, COUNT times: the echo
# requests leave through the interface the program is attached to (XDP does
# not see them), the echo replies come in through it. Prints the sequence
# numbers that got a reply.
ping_from_outside() { # FAMILY(4|6) COUNT
	local out
	out=$(testenv ping --name "$LAB" -- "-$1" -c "$2" -i 0.2 -W 1 2>&1) || true
	replied_sequences <<<"$out"
}

# Ping the outside of the lab from inside, COUNT times: the echo requests
# enter the interface the program is attached to (the replies leave through
# it). Prints the sequence numbers that got a reply.
ping_from_inside() { # FAMILY(4|6) COUNT
	local addr out
	addr=$(outside_address "$LAB" "$([[ $1 == 4 ]] && echo inet || echo inet6)")
	out=$(testenv exec --name "$LAB" -- ping "-$1" -n -c "$2" -i 0.2 -W 1 "$addr" \
		2>&1) || true
	replied_sequences <<<"$out"
}

# After 10 pings (HOW, through the program came their echo WHAT): replies
# for the odd sequence numbers only, and the stats map at COUNTS.
expect_odd_replied() { # HOW WHAT TYPE GOT COUNTS WANT_COUNTS HINT
	local how=$1 what=$2 type=$3 got=$4 counts=$5 want=$6 hint=$7
	if [[ "$got" != "1 3 5 7 9" ]]; then
		say_more "expected $how to get replies for the odd sequence numbers only" \
			"(1 3 5 7 9), saw replies for: ${got:-none} (stats map since the load:" \
			"$counts)"
		if [[ "$got" == "2 4 6 8 10" ]]; then
			say_more "The odd ones were dropped: is the parity test the wrong way round?"
		elif [[ "$got" == "1 2 3 4 5 6 7 8 9 10" ]]; then
			say_more "Nothing was dropped. What came through the program were echo" \
				"$what ($type): drop the even ones as well as the even echo" \
				"$([[ $what == requests ]] && echo replies || echo requests)."
		else
			say_more "$hint"
		fi
		return 1
	fi
	expect_eq "the stats map since the load, after $how" "$want" "$counts" || {
		say_more "Record every verdict, the one you return, with xdp_stats_record_action()."
		return 1
	}
}

# Ping 10 times from outside, then 10 times from inside, and expect the even
# sequence numbers dropped each time: of the echo replies coming in, then of
# the echo requests.
expect_even_dropped() { # FAMILY(4|6) HINT
	local got counts how request=ICMPV6_ECHO_REQUEST reply=ICMPV6_ECHO_REPLY
	[[ $1 == 4 ]] && request=ICMP_ECHO reply=ICMP_ECHOREPLY
	how="t ping -- -c 10 (from outside)"
	[[ $1 == 4 ]] && how="t ping --legacy-ip -- -c 10 (from outside)"
	got=$(ping_from_outside "$1" 10)
	counts=$(verdict_counts)
	expect_odd_replied "$how" replies "$reply" "$got" "$counts" \
		"DROP 5 PASS 5 ABORTED 0" "$2" || return 1
	got=$(ping_from_inside "$1" 10)
	counts=$(verdict_counts)
	expect_odd_replied "ping -$1 -c 10 from inside the lab" requests "$request" \
		"$got" "$counts" "DROP 10 PASS 10 ABORTED 0" "$2"
}

# ---- assignment 1 -------------------------------------------------------------

check_1() {
	local got=0 counts i
	lab_setup --legacy-ip || return 1
	load_program || return 1
	# Three pings from outside, of one echo request each: their echo replies
	# come in through the program. Each has sequence number 1, odd, which
	# every assignment passes.
	for i in 1 2 3; do
		if [[ $(ping_from_outside 4 1) == 1 ]]; then
			got=$((got + 1))
		fi
	done
	counts=$(verdict_counts)
	expect_eq "replies to t ping --legacy-ip -- -c 1, 3 times (from outside: the replies go through the program)" \
		3 "$got" || return 1
	expect_eq "the stats map after them" "DROP 0 PASS 3 ABORTED 0" "$counts" || return 1
	# Every Ethernet header, cut at every offset: frames of 14 bytes and
	# more must be parsed, whatever comes after.
	fuzz_lesson --untagged --judge eth
}

# ---- assignment 2 -------------------------------------------------------------

check_2() {
	fuzz_lesson --families 6 --untagged --judge eth,ip
}

# ---- assignment 3 -------------------------------------------------------------

check_3() {
	fuzz_lesson --families 6 --untagged --judge eth,ip,icmp,verdict || return 1
	lab_setup || return 1
	load_program || return 1
	expect_even_dropped 6 "bpf_ntohs(icmp6h->icmp6_sequence): the field is in network byte order."
}

# ---- assignment 4 -------------------------------------------------------------

# Send tagged ICMPv6 echo requests from inside the lab with send_frames, and
# expect exact verdict counts for them. TAGS are send_frames options.
expect_tagged() { # WHAT DROP PASS SEQ_START COUNT TAGS...
	local what=$1 drop=$2 pass=$3 seq=$4 count=$5 before after out d p
	shift 5
	before=$(verdict_counts)
	out=$(testenv exec --name "$LAB" -- "$SEND_FRAMES" --dev veth0 --src-mac "$IN_MAC" \
		--dst-mac "$OUT_MAC" -6 --src "$IN_ADDR" --dst "$OUT_ADDR" --seq-start "$seq" \
		--count "$count" "$@" 2>&1) || fail "send_frames failed: $out" || return 1
	after=$(verdict_counts)
	# shellcheck disable=SC2086 # "DROP n PASS n ABORTED n"
	set -- $before $after
	d=$(($8 - $2)) p=$((${10} - $4))
	[[ $d -eq $drop && $p -eq $pass && ${12} -eq $6 ]] && return 0
	say_more "expected $what (sequence $seq and on, $count frames) to be counted as $drop" \
		"XDP_DROP and $pass XDP_PASS, saw $d XDP_DROP, $p XDP_PASS, $((${12} - $6))" \
		"XDP_ABORTED"
	return 1
}

check_4() {
	fuzz_lesson --families 6 --vlan-depth 2 || return 1
	lab_setup || return 1
	load_program || return 1
	OUT_MAC=$(mac_of "$LAB") IN_MAC=$(mac_of veth0 "$LAB")
	OUT_ADDR=$(outside_address "$LAB" inet6) IN_ADDR=${OUT_ADDR%::1}::2
	expect_tagged "ICMPv6 echo requests with one 802.1Q tag (VLAN 100)" 2 2 1 4 --vlan 100 ||
		return 1
	expect_tagged "ICMPv6 echo requests with an 802.1ad tag around an 802.1Q tag" 2 2 1 4 \
		--qinq --vlan 200 --vlan 100 || return 1
	expect_tagged "ICMPv6 echo requests with two 802.1Q tags" 1 1 6 2 --vlan 7 --vlan 8 ||
		return 1
	expect_tagged "ICMPv6 echo requests under 3 tags, one more than VLAN_MAX_DEPTH (not looked into: passed)" \
		0 4 2 4 --qinq --vlan 1 --vlan 2 --vlan 3 || return 1
	expect_tagged "untagged ICMPv6 echo requests" 1 1 10 2
}

# ---- assignment 5 -------------------------------------------------------------

check_5() {
	fuzz_lesson --families 46 --vlan-depth 2 || return 1
	lab_setup --legacy-ip || return 1
	load_program || return 1
	expect_even_dropped 4 "bpf_ntohs(icmph->un.echo.sequence): the field is in network byte order."
}
