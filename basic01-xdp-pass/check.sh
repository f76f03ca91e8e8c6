# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of basic01-xdp-pass, run by `make check` (all of them)
# or `make check A=N` (one). tests/lib/check.sh sources this file and runs each
# check_N in the directory of the code under test, inside a private network
# namespace: the labs made here never touch your own.

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2)
TITLE_1="xdp_pass drops every frame (XDP_DROP), so the lab's ping stops"
TITLE_2="the loader prints the program's id and the mode the kernel attached it in"

readonly CHECK_PIN_DIR=/sys/fs/bpf/basic01_check

# Frames to run the program on, by name; each must be dropped. Ethernet to
# 02:..:02 from 02:..:01, then:
declare -gA FRAMES=(
	# IPv6 (fc00:dead:cafe:1::1 to ::2, hop limit 64), ICMPv6 echo request
	# id 1 seq 1: 62 bytes, the lab's own traffic.
	["an IPv6 echo request"]='\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd'\
'\x60\x00\x00\x00\x00\x08\x3a\x40'\
'\xfc\x00\xde\xad\xca\xfe\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01'\
'\xfc\x00\xde\xad\xca\xfe\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02'\
'\x80\x00\x00\x00\x00\x01\x00\x01'
	# IPv4 (198.18.1.1 to 198.18.1.2), UDP 1234 to 5678, no payload: 42 bytes.
	["an IPv4 UDP datagram"]='\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'\
'\x45\x00\x00\x1c\x00\x00\x40\x00\x40\x11\x00\x00\xc6\x12\x01\x01\xc6\x12\x01\x02'\
'\x04\xd2\x16\x2e\x00\x08\x00\x00'
	# ARP request, broadcast: who has 198.18.1.2, tell 198.18.1.1: 42 bytes.
	["an ARP request"]='\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06'\
'\x00\x01\x08\x00\x06\x04\x00\x01\x02\x00\x00\x00\x00\x01\xc6\x12\x01\x01'\
'\x00\x00\x00\x00\x00\x00\xc6\x12\x01\x02'
	# An Ethernet header and nothing else, of an unknown type: 14 bytes.
	["a bare Ethernet header"]='\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x88\xb5'
)

# Set ACTION to the action the loaded program PROGNAME returns for FRAME (a
# printf %b string), as BPF_PROG_TEST_RUN reports it: bpftool runs the program
# once on the frame (load_object and run_prog_on: tests/lib/check.sh).
run_action_of() { # PROGNAME FRAME
	local frame
	frame=$(mktemp)
	on_exit rm -f "$frame"
	printf '%b' "$2" >"$frame"
	run_prog_on "$1" "$frame"
	ACTION=$OUT_ACTION
}

# The packet loss of a ping from outside the lab to its inside address, in %.
ping_loss() {
	local out
	out=$(testenv ping --name "$LAB" -- -c 3 -i 0.2 -w 3 2>&1 || true)
	sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out"
}

check_1() {
	local loss frame
	lab_setup
	loss=$(ping_loss)
	[[ "$loss" == 0 ]] || fail "the lab is broken: a ping without XDP lost ${loss:-all}%" || return 1

	if ! ./xdp_loader --dev "$LAB" --quiet; then
		fail "expected ./xdp_loader --dev $LAB to attach the program xdp_pass of" \
			"xdp_pass.bpf.o (its errors are above); the object holds:" \
			"$(functions_in xdp_pass.bpf.o)"
		return 1
	fi
	on_exit ./xdp_loader --dev "$LAB" --unload
	loss=$(ping_loss)
	[[ "$loss" == 100 ]] ||
		fail "expected 100% packet loss with xdp_pass attached, saw ${loss:-no ping output}%:" \
			"the ping replies still get through" || return 1

	# XDP_ABORTED would stop the ping too, but it means "my program failed";
	# and a program that drops only what the lab sends is not what was
	# asked: ask the program itself which action it returns, for frames of
	# several kinds.
	load_object xdp_pass.bpf.o
	for frame in "an IPv6 echo request" "an IPv4 UDP datagram" "an ARP request" \
		"a bare Ethernet header"; do
		run_action_of xdp_pass "${FRAMES[$frame]}"
		expect_eq "the action xdp_pass returns for $frame (BPF_PROG_TEST_RUN)" \
			"$(action_name 1)" "$(action_name "$ACTION")" || return 1
	done
}

# The id and mode of the XDP program on an interface, as ip -j shows them:
# "ID native" or "ID generic" ("none none" when there is none).
attached_by_ip() { # IFNAME
	local id mode
	id=$(xdp_prog_id "$1")
	mode=$(xdp_mode "$1")
	echo "${id:-none} ${mode:-none}"
}

# The loader's output names the id and the mode that ip sees on IFNAME.
expect_id_and_mode() { # IFNAME LOADER_OUTPUT WHAT_WAS_RUN [HINT]
	local dev=$1 out=$2 run=$3 hint=${4:-} id mode want other
	read -r id mode < <(attached_by_ip "$dev")
	[[ "$id" != none ]] || fail "$run attached nothing (ip link shows no XDP program)" || return 1
	grep -q -i -E "\bid:? *$id\b" <<<"$out" ||
		fail "expected '$run' to print the program id $id (as ip link shows it), saw: $out" ||
		return 1
	if [[ "$mode" == native ]]; then
		want=native other='generic|skb'
	else
		want='generic|skb' other=native
	fi
	grep -q -i -E "\b($want)\b" <<<"$out" && ! grep -q -i -E "\b($other)\b" <<<"$out" ||
		fail "expected '$run' to say the program is attached in $mode mode (and no other), saw: $out" \
			${hint:+"$hint"} || return 1
}

check_2() {
	local out
	lab_setup
	# Without -N or -S the kernel chooses: native on a veth.
	out=$(./xdp_loader --dev "$LAB")
	on_exit ./xdp_loader --dev "$LAB" --unload
	expect_id_and_mode "$LAB" "$out" "./xdp_loader --dev $LAB" || return 1
	./xdp_loader --dev "$LAB" --unload >/dev/null
	out=$(./xdp_loader --dev "$LAB" --skb-mode)
	expect_id_and_mode "$LAB" "$out" "./xdp_loader --dev $LAB --skb-mode" || return 1
	# ... and generic on lo, which has no native XDP (this is the check's own
	# lo, in its private network namespace): a loader that guesses the mode
	# from its options, instead of asking the kernel, says native here.
	out=$(./xdp_loader --dev lo)
	on_exit ./xdp_loader --dev lo --unload
	expect_id_and_mode lo "$out" "./xdp_loader --dev lo" \
		"(lo has no native XDP, so the kernel chose generic: ask it, with bpf_xdp_query)"
}
