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

# Set ACTION to the action a program of an object returns for an IPv6 echo
# request, as BPF_PROG_TEST_RUN reports it: bpftool loads the object (not
# attached anywhere) and runs the program once on the frame. Call it directly,
# not in $(...): the cleanups it registers with on_exit must reach the check.
run_action_of() { # OBJECT PROGNAME
	local frame out
	frame=$(mktemp)
	on_exit rm -f "$frame"
	# Ethernet (to 02:..:02 from 02:..:01, IPv6), IPv6 (fc00:dead:cafe:1::1 to
	# ::2, ICMPv6, hop limit 64), ICMPv6 echo request id 1 seq 1: 62 bytes.
	printf '%b' '\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x86\xdd' \
		'\x60\x00\x00\x00\x00\x08\x3a\x40' \
		'\xfc\x00\xde\xad\xca\xfe\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01' \
		'\xfc\x00\xde\xad\xca\xfe\x00\x01\x00\x00\x00\x00\x00\x00\x00\x02' \
		'\x80\x00\x00\x00\x00\x01\x00\x01' >"$frame"
	rm -rf "$CHECK_PIN_DIR"
	on_exit rm -rf "$CHECK_PIN_DIR"
	bpftool prog loadall "$1" "$CHECK_PIN_DIR" >/dev/null
	out=$(bpftool prog run pinned "$CHECK_PIN_DIR/$2" data_in "$frame")
	ACTION=$(sed -n 's/^Return value: \([0-9]*\).*/\1/p' <<<"$out")
}

action_name() { # NUMBER
	local names=(XDP_ABORTED XDP_DROP XDP_PASS XDP_TX XDP_REDIRECT)
	[[ "$1" =~ ^[0-9]+$ ]] || { echo "no return value"; return; }
	echo "$1 (${names[$1]:-not an XDP action})"
}

# The packet loss of a ping from outside the lab to its inside address, in %.
ping_loss() {
	local out
	out=$(testenv ping --name "$LAB" -- -c 3 -i 0.2 -w 3 2>&1 || true)
	sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out"
}

check_1() {
	local loss
	lab_setup
	loss=$(ping_loss)
	[[ "$loss" == 0 ]] || fail "the lab is broken: a ping without XDP lost ${loss:-all}%" || return 1

	./xdp_loader --dev "$LAB" --quiet ||
		fail "expected ./xdp_loader --dev $LAB to attach xdp_pass.bpf.o (its errors are above)" ||
		return 1
	on_exit ./xdp_loader --dev "$LAB" --unload
	loss=$(ping_loss)
	[[ "$loss" == 100 ]] ||
		fail "expected 100% packet loss with xdp_pass attached, saw ${loss:-no ping output}%:" \
			"the ping replies still get through" || return 1

	# XDP_ABORTED would stop the ping too, but it means "my program failed":
	# ask the program itself which action it returns.
	run_action_of xdp_pass.bpf.o xdp_pass
	expect_eq "the action xdp_pass returns (BPF_PROG_TEST_RUN)" "$(action_name 1)" \
		"$(action_name "$ACTION")"
}

# The id and mode of the XDP program on an interface, as ip shows them:
# "ID native" or "ID generic".
attached_by_ip() { # IFNAME
	local out id mode
	out=$(ip link show dev "$1")
	id=$(sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p' <<<"$out")
	case "$out" in
	*" xdpgeneric "*) mode=generic ;;
	*" xdp "*) mode=native ;;
	*) mode=none ;;
	esac
	echo "${id:-none} $mode"
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
