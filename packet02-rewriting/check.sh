# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of packet02-rewriting, run by `make check` (all of
# them) or `make check A=N` (one). tests/lib/check.sh sources this file and
# runs each check_N in the directory of the code under test, inside a private
# network and mount namespace: the labs made here never touch your own.
#
# The lab, as the checks use it (N: the lab's number):
#
#   check's namespace                          netns LAB
#   +--------------------------+   veth   +--------------------------+
#   | LAB  198.18.N.1          |==========| veth0  198.18.N.2        |
#   |      fc00:dead:cafe:N::1 |          |        fc00:dead:cafe:N::2|
#   | XDP (ingress), tc egress |          | the senders (nc,         |
#   | the listeners (nc) and   |          | send_frames)             |
#   | the captures (tcpdump)   |          |                          |
#   +--------------------------+          +--------------------------+
#
# Checksum offload is turned off on both ends (ethtool -K DEV tx off): then
# every UDP and TCP segment carries a complete checksum, and the receiving
# kernel checks each one. With offload on, the checksum of a socket's packet is
# only the pseudo-header sum, which the receiver on a veth trusts without
# looking: a wrong checksum update would go unnoticed (see the README).

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2 3 4)
TITLE_1="UDP and TCP to port N arrive at port N - 1, checksums valid (IPv4 and IPv6)"
TITLE_2="vlan_tag_pop removes the outer VLAN tag and leaves the rest of the frame"
TITLE_3="vlan_tag_push adds an 802.1Q tag with VLAN id 100 and leaves the rest of the frame"
TITLE_4="tc_port_restore on egress: a TCP session through the port rewrite carries 1 MiB intact"

readonly CHECK_PIN_DIR=/sys/fs/bpf/packet02_check
readonly PUSH_VID=100
SEND_FRAMES="$TOP_DIR/testenv/send_frames"

# ---- the lab ----------------------------------------------------------------------

# A lab with IPv4 too, checksum offload off on both ends; fills OUT4, IN4, OUT6,
# IN6 (the addresses outside and inside) and OUT_MAC, IN_MAC.
setup_rewrite_lab() {
	local out
	lab_setup --legacy-ip || return 1
	ethtool -K "$LAB" tx off >/dev/null
	testenv exec --name "$LAB" -- ethtool -K veth0 tx off >/dev/null
	out=$(ip -j addr show dev "$LAB")
	OUT4=$(jq -r '.[0].addr_info[] | select(.family == "inet") | .local' <<<"$out")
	OUT6=$(jq -r '.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .local' \
		<<<"$out")
	OUT_MAC=$(jq -r '.[0].address' <<<"$out")
	out=$(testenv exec --name "$LAB" -- ip -j addr show dev veth0)
	IN4=$(jq -r '.[0].addr_info[] | select(.family == "inet") | .local' <<<"$out")
	IN6=$(jq -r '.[0].addr_info[] | select(.family == "inet6" and .scope == "global") | .local' \
		<<<"$out")
	IN_MAC=$(jq -r '.[0].address' <<<"$out")
}

# Run the loader of the code under test; on failure, say what was expected.
run_loader() { # ARGS...
	./xdp_loader --dev "$LAB" --quiet "$@" ||
		fail "expected ./xdp_loader --dev $LAB --quiet${*:+ $*} to work (its errors are above)" ||
		return 1
	on_exit ./xdp_loader --dev "$LAB" --unload --quiet
}

in_lab() { # CMD...
	testenv exec --name "$LAB" -- "$@"
}

# The value of a kernel counter (nstat's name), in this namespace or, with
# --lab, inside the lab. Absolute values, and nstat's history left alone (-s).
counter() { # [--lab] NAME
	local out
	if [[ "$1" == --lab ]]; then
		out=$(in_lab nstat -asz "$2")
		shift
	else
		out=$(nstat -asz "$1")
	fi
	awk -v n="$1" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' <<<"$out"
}

CSUM_COUNTERS=(UdpInCsumErrors Udp6InCsumErrors TcpInCsumErrors)

# "UdpInCsumErrors=0 Udp6InCsumErrors=0 TcpInCsumErrors=0", here or in the lab.
csum_errors() { # [--lab]
	local name line=''
	for name in "${CSUM_COUNTERS[@]}"; do
		line+="$name=$(counter "$@" "$name") "
	done
	echo "${line% }"
}

# The counters go on from whatever ran in this namespace before the check (the
# test suite runs every proof in one), so a check reports what they counted
# since it began: csum_errors_since "$(csum_errors)" gives "NAME=N ..." with N
# the increase since then.
csum_errors_since() { # BEFORE [--lab]
	local before=$1 name value line=''
	shift
	for name in "${CSUM_COUNTERS[@]}"; do
		value=$(sed -n "s/.*\b$name=\([0-9]*\).*/\1/p" <<<"$before")
		line+="$name=$(($(counter "$@" "$name") - ${value:-0})) "
	done
	echo "${line% }"
}

# ---- assignment 1: port rewrite, UDP and TCP, both families ------------------------

# Wait (at most 5 s) until a socket here listens on PORT: u (UDP) or t (TCP).
wait_listening() { # u|t PORT
	local tries=50 out
	while ((tries-- > 0)); do
		out=$(ss "-Hln$1" "( sport = :$2 )")
		[[ -n "$out" ]] && return 0
		sleep 0.1
	done
	fail "the check's listener on port $2 did not start"
}

# A UDP datagram from inside to OUT:PORT must reach a listener on PORT - 1 here.
udp_case() { # FAMILY ADDR PORT
	local fam=$1 addr=$2 port=$3 got msg out
	msg="udp$fam to $port, payload $RANDOM$RANDOM"
	out=$(mktemp)
	on_exit rm -f "$out"
	timeout 5 nc "-$fam" -u -l -W 1 "$addr" "$((port - 1))" >"$out" 2>/dev/null &
	wait_listening u "$((port - 1))" || return 1
	printf '%s' "$msg" | in_lab timeout 3 nc "-$fam" -u -w 1 "$addr" "$port" || true
	wait $! 2>/dev/null || true
	got=$(cat "$out")
	[[ "$got" == "$msg" ]] && return 0
	say_more "expected the listener on UDP port $((port - 1)) ($addr) to receive what was" \
		"sent to port $port from inside the lab: '$msg'; it received ${got:-nothing}"
	say_more "checksum errors the kernel counted here so far: $(csum_errors_since "$CSUM_BEFORE")"
	return 1
}

# A TCP SYN from inside to OUT:PORT must reach a listener on PORT - 1 here:
# the listener answers it, and the connection shows in ss, half-open (SYN-RECV:
# without assignment 4 the answer goes back from PORT - 1, and the handshake
# cannot finish) or established.
tcp_case() { # FAMILY ADDR PORT
	local fam=$1 addr=$2 port=$3 n=0 tries=30 out sport
	# A source port of this run's own: connections of an earlier run (in
	# TIME-WAIT for a minute) are not this one.
	sport=$((20000 + RANDOM % 20000))
	timeout 8 nc "-$fam" -l "$addr" "$((port - 1))" >/dev/null 2>&1 </dev/null &
	on_exit kill $!
	wait_listening t "$((port - 1))" || return 1
	in_lab timeout 2 nc "-$fam" -w 1 -p "$sport" "$addr" "$port" </dev/null >/dev/null 2>&1 &
	while ((tries-- > 0)); do
		# The listener itself has no peer port: what matches is the connection.
		out=$(ss -Htan "( sport = :$((port - 1)) and dport = :$sport )")
		n=$(grep -c . <<<"$out" || true)
		[[ "$n" -gt 0 ]] && return 0
		sleep 0.1
	done
	say_more "expected the TCP SYN sent to port $port ($addr) from inside the lab to reach" \
		"the listener on port $((port - 1)) (ss would show a connection to that port); it" \
		"did not"
	say_more "checksum errors the kernel counted here so far: $(csum_errors_since "$CSUM_BEFORE")"
	return 1
}

check_1() {
	local counted bad=0
	setup_rewrite_lab || return 1
	run_loader || return 1
	CSUM_BEFORE=$(csum_errors)
	udp_case 4 "$OUT4" 5001 || bad=1
	udp_case 6 "$OUT6" 5011 || bad=1
	tcp_case 4 "$OUT4" 5021 || bad=1
	tcp_case 6 "$OUT6" 5031 || bad=1
	counted=$(csum_errors_since "$CSUM_BEFORE")
	if [[ "$counted" != "UdpInCsumErrors=0 Udp6InCsumErrors=0 TcpInCsumErrors=0" ]]; then
		say_more "expected the kernel to count no checksum errors, saw: $counted"
		say_more "the checksum must follow the port: csum_replace2(check, old, new) with" \
			"both values as they are in the packet (network byte order)"
		bad=1
	fi
	[[ $bad -eq 0 ]] || return 1
	check_udp_zero
}

# UDP over IPv4 with checksum 0 ("none"): it must stay 0. Run through the
# program with BPF_PROG_TEST_RUN, as a socket never sends one.
check_udp_zero() {
	local frame want got
	load_object xdp_prog.bpf.o || return 1
	frame=$("$SEND_FRAMES" --dry-run --src-mac "$IN_MAC" --dst-mac "$OUT_MAC" -4 --src "$IN4" \
		--dst "$OUT4" --proto udp --sport 40000 --dport 5001 --payload-len 8)
	# UDP checksum: bytes 40-41 of this frame (14 + 20 + 6).
	frame=${frame:0:80}0000${frame:84}
	want=${frame:0:72}1388${frame:76}
	run_prog xdp_port_rewrite_func "$frame"
	[[ "$OUT_FRAME" == "$want" ]] && return 0
	say_more "expected xdp_port_rewrite_func to turn an IPv4 UDP datagram to port 5001 with"
	say_more "checksum 0 (none: RFC 768) into one to port 5000 with checksum 0 still:"
	say_more "  $want"
	say_more "saw (BPF_PROG_TEST_RUN):"
	say_more "  $OUT_FRAME"
	return 1
}

# ---- running a program on a frame (BPF_PROG_TEST_RUN) -------------------------------

# Run program PROGNAME (pinned by load_object, tests/lib/check.sh) once on
# FRAME (hex); sets OUT_ACTION (a number) and OUT_FRAME (hex).
run_prog() { # PROGNAME HEXFRAME
	local in
	in=$(mktemp)
	on_exit rm -f "$in"
	xxd -r -p <<<"$2" >"$in"
	run_prog_on "$1" "$in"
}

# ---- capturing the frames after XDP -------------------------------------------------

# Capture on the lab's outer interface what comes in (after XDP: tcpdump sees
# a frame as the program left it). start_capture COUNT, then send, then
# end_capture sets CAPTURED to the frames, one a line, in hex.
start_capture() { # COUNT
	local tries=50
	CAPTURE=$(mktemp)
	CAPTURE_LOG=$(mktemp)
	on_exit rm -f "$CAPTURE" "$CAPTURE_LOG"
	timeout 10 tcpdump -i "$LAB" -Q in -n -U -c "$1" -w "$CAPTURE" >"$CAPTURE_LOG" 2>&1 &
	CAPTURE_PID=$!
	on_exit kill "$CAPTURE_PID"
	while ((tries-- > 0)); do
		grep -q 'listening on' "$CAPTURE_LOG" && return 0
		sleep 0.1
	done
	fail "tcpdump did not start capturing on $LAB: $(cat "$CAPTURE_LOG")"
}

# Wait for the capture to end (called directly, not in $(...), where tcpdump
# would not be a child to wait for), then fill CAPTURED.
end_capture() {
	local out
	wait "$CAPTURE_PID" 2>/dev/null || true
	out=$(tcpdump -r "$CAPTURE" -n -xx 2>/dev/null)
	CAPTURED=$(awk '/^[^\t ]/ { if (f != "") print f; f = ""; next }
		{ for (i = 2; i <= NF; i++) f = f $i }
		END { if (f != "") print f }' <<<"$out")
}

# Send each frame (hex) from inside the lab, out of veth0.
send_hex() { # HEX...
	local args=() h
	for h in "$@"; do
		args+=(--hex "$h")
	done
	in_lab "$SEND_FRAMES" --dev veth0 "${args[@]}" --interval-ms 20 >/dev/null 2>&1
}

# A frame from inside to outside, as send_frames builds it: ARGS are its options.
frame() { # ARGS...
	"$SEND_FRAMES" --dry-run --src-mac "$IN_MAC" --dst-mac "$OUT_MAC" "$@"
}

# The frames of the VLAN checks: NAME -> send_frames options, without tags.
declare -gA VLAN_FRAMES=()
vlan_frames() {
	VLAN_FRAMES=(
		["IPv4 UDP"]="-4 --src $IN4 --dst $OUT4 --proto udp --dport 7777 --payload-len 20"
		["IPv6 TCP SYN"]="-6 --src $IN6 --dst $OUT6 --proto tcp --dport 8888 --payload-len 0"
		["IPv4 ICMP echo"]="-4 --src $IN4 --dst $OUT4 --proto icmp --payload-len 56"
		["IPv6 ICMPv6 echo"]="-6 --src $IN6 --dst $OUT6 --proto icmp --payload-len 7"
	)
}

# Feed each (IN, WANT) pair to PROG with BPF_PROG_TEST_RUN: WANT_ACTION, WANT bytes.
expect_test_run() { # PROG WHAT IN WANT
	run_prog "$1" "$3"
	if [[ "$OUT_ACTION" != 2 ]]; then
		say_more "expected $1 to return XDP_PASS for $2, saw $(action_name "$OUT_ACTION")" \
			"(BPF_PROG_TEST_RUN); xdp_vlan_push_func drops a frame when vlan_tag_push()" \
			"returns -1"
		return 1
	fi
	[[ "$OUT_FRAME" == "$4" ]] && return 0
	say_more "expected $1 to turn $2"
	say_more "  $3"
	say_more "into"
	say_more "  $4"
	say_more "saw (BPF_PROG_TEST_RUN)"
	say_more "  $OUT_FRAME"
	return 1
}

# Send the IN frames from inside and expect exactly the WANT frames in the
# capture on the outer interface.
expect_live() { # PROG NAMES_NL INS_NL WANTS_NL
	local in_list want_list got i
	mapfile -t in_list <<<"$3"
	mapfile -t want_list <<<"$4"
	start_capture "${#in_list[@]}" || return 1
	send_hex "${in_list[@]}"
	end_capture
	got=$CAPTURED
	[[ "$got" == "$4" ]] && return 0
	say_more "expected these frames on $LAB after $1 (captured with tcpdump -i $LAB -Q in):"
	for i in "${!want_list[@]}"; do
		say_more "  ${want_list[i]}"
	done
	say_more "saw:"
	while read -r i; do
		say_more "  $i"
	done <<<"${got:-(nothing)}"
	return 1
}

# ---- assignment 2: pop ---------------------------------------------------------------

check_2() {
	local name ins='' wants='' in want
	setup_rewrite_lab || return 1
	vlan_frames
	load_object xdp_prog.bpf.o || return 1
	for name in "${!VLAN_FRAMES[@]}"; do
		# shellcheck disable=SC2086 # options, one a word
		in=$(frame --vlan 42 ${VLAN_FRAMES[$name]})
		# shellcheck disable=SC2086
		want=$(frame ${VLAN_FRAMES[$name]})
		expect_test_run xdp_vlan_pop_func "$name tagged with VLAN 42" "$in" "$want" ||
			return 1
		ins+=$in$'\n' wants+=$want$'\n'
	done
	# Two tags (802.1ad outside, 802.1Q inside): only the outer one goes.
	in=$(frame --qinq --vlan 300 --vlan 4001 -4 --src "$IN4" --dst "$OUT4" --proto udp)
	want=$(frame --vlan 4001 -4 --src "$IN4" --dst "$OUT4" --proto udp)
	expect_test_run xdp_vlan_pop_func "an IPv4 UDP datagram under 802.1ad 300 and 802.1Q 4001" \
		"$in" "$want" || return 1
	ins+=$in$'\n' wants+=$want$'\n'
	# Untagged frames pass unchanged.
	in=$(frame -6 --src "$IN6" --dst "$OUT6" --proto udp)
	expect_test_run xdp_vlan_pop_func "an untagged IPv6 UDP datagram (unchanged)" "$in" "$in" ||
		return 1

	run_loader --progname xdp_vlan_pop_func || return 1
	expect_live xdp_vlan_pop_func "" "${ins%$'\n'}" "${wants%$'\n'}"
}

# ---- assignment 3: push --------------------------------------------------------------

check_3() {
	local name ins='' wants='' in want
	setup_rewrite_lab || return 1
	vlan_frames
	load_object xdp_prog.bpf.o || return 1
	for name in "${!VLAN_FRAMES[@]}"; do
		# shellcheck disable=SC2086 # options, one a word
		in=$(frame ${VLAN_FRAMES[$name]})
		# shellcheck disable=SC2086
		want=$(frame --vlan "$PUSH_VID" ${VLAN_FRAMES[$name]})
		expect_test_run xdp_vlan_push_func "an untagged $name frame" "$in" "$want" || return 1
		ins+=$in$'\n' wants+=$want$'\n'
	done
	# A tagged frame passes unchanged.
	in=$(frame --vlan 7 -4 --src "$IN4" --dst "$OUT4" --proto udp)
	expect_test_run xdp_vlan_push_func "an IPv4 UDP datagram tagged with VLAN 7 (unchanged)" \
		"$in" "$in" || return 1

	run_loader --progname xdp_vlan_push_func || return 1
	expect_live xdp_vlan_push_func "" "${ins%$'\n'}" "${wants%$'\n'}"
}

# ---- assignment 4: the whole TCP session -----------------------------------------------

# Send 1 MiB from inside to OUT:PORT over TCP; the listener on PORT - 1 here
# must receive exactly those bytes, and both ends must close.
tcp_session() { # FAMILY ADDR PORT
	local fam=$1 addr=$2 port=$3 data got rc=0 lrc=0 lpid
	data=$(mktemp)
	got=$(mktemp)
	on_exit rm -f "$data" "$got"
	head -c 1048576 /dev/urandom >"$data"
	timeout 20 nc "-$fam" -l "$addr" "$((port - 1))" >"$got" </dev/null 2>/dev/null &
	lpid=$!
	on_exit kill "$lpid"
	wait_listening t "$((port - 1))" || return 1
	in_lab timeout 15 nc "-$fam" -N -w 5 "$addr" "$port" <"$data" >/dev/null 2>&1 || rc=$?
	wait "$lpid" 2>/dev/null || lrc=$?
	if [[ $rc -ne 0 ]]; then
		say_more "expected nc inside the lab to connect to $addr port $port, send 1 MiB and" \
			"close; it failed (exit $rc$([[ $rc -eq 124 ]] && echo ': timed out'))"
		say_more "the listener on port $((port - 1)) received $(stat -c %s "$got") bytes"
		say_more "the replies leave from port $((port - 1)): tc_port_restore must give them" \
			"back port $port, or the sender's kernel answers them with a reset"
		return 1
	fi
	if ! cmp -s "$data" "$got"; then
		say_more "expected the listener on port $((port - 1)) to receive the 1 MiB sent to" \
			"port $port intact; it received $(stat -c %s "$got") bytes," \
			"$(cmp "$data" "$got" 2>&1 | head -n 1)"
		return 1
	fi
	[[ $lrc -eq 0 ]] ||
		fail "expected the listener to see the connection close and exit; it exited $lrc"
}

check_4() {
	local bad=0 before_in before_out
	setup_rewrite_lab || return 1
	run_loader || return 1
	# The lab's own counters: the replies are checked by the kernel in there.
	before_in=$(csum_errors --lab)
	before_out=$(csum_errors)
	tcp_session 4 "$OUT4" 6001 || bad=1
	tcp_session 6 "$OUT6" 6011 || bad=1
	if [[ "$(csum_errors --lab)" != "$before_in" ]]; then
		say_more "expected no checksum errors inside the lab (the replies), saw:" \
			"$(csum_errors_since "$before_in" --lab)"
		bad=1
	fi
	if [[ "$(csum_errors)" != "$before_out" ]]; then
		say_more "expected no checksum errors here (the requests), saw:" \
			"$(csum_errors_since "$before_out") (the port rewrite of assignment 1 must work first)"
		bad=1
	fi
	[[ $bad -eq 0 ]] || return 1
	# And --unload takes the tc program away with the XDP one.
	./xdp_loader --dev "$LAB" --unload --quiet ||
		fail "expected ./xdp_loader --dev $LAB --unload to work" || return 1
	local q
	q=$(tc filter show dev "$LAB" egress 2>&1)
	[[ -z "$q" || "$q" == *"Cannot find"* || "$q" == *"Invalid handle"* ]] ||
		fail "expected no tc filter on the egress of $LAB after --unload, saw: $q"
}
