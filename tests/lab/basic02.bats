#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# basic02-prog-by-name: one object, several XDP programs; the loader attaches
# the one --progname names. Each program runs on a testenv lab with real pings
# from outside; their replies come back through the program:
#
#      this namespace                        netns b02
#   +-------------------------+   veth   +-------------------------+
#   | b02                     |==========| veth0                   |
#   | fc00:dead:cafe:N::1     |          | fc00:dead:cafe:N::2     |
#   | XDP attaches here; sees |          | answers the pings: its  |
#   | the replies coming back |          | replies cross the XDP   |
#   +-------------------------+          +-------------------------+
#
# The reference solution's loader selects by name (xdp_pass_func, xdp_drop_func,
# xdp_abort_func); the starter's attaches the first program whatever it is told,
# and says so. The testenv commands the lesson uses run through the alias.
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/basic02.bats
# shellcheck disable=SC2154 # bats sets stderr and stderr_lines (run --separate-stderr)

bats_require_minimum_version 1.5.0

load lab_helpers

LESSON_DIR=$TOP_DIR/basic02-prog-by-name
SOLUTION_DIR=$TOP_DIR/basic-solutions/basic02-prog-by-name
LAB=b02
ALIAS_LAB=b02alias
TRACE_DIR=/sys/kernel/tracing/instances/basic02_lab_test

setup_file() {
	require_isolation
	build "$LESSON_DIR" "$SOLUTION_DIR"
	setup_lab "$LAB"
}

teardown_file() {
	remove_lab "$LAB"
	remove_lab "$ALIAS_LAB"
}

setup() {
	cd "$SOLUTION_DIR" || return 1
}

# Leave the lab bare, and no tracing instance, for the next test.
teardown() {
	detach_xdp "$LAB"
	if [[ -d $TRACE_DIR ]]; then
		echo 0 >"$TRACE_DIR/events/xdp/xdp_exception/enable" || true
		rmdir "$TRACE_DIR" || true
	fi
}

# ---- helpers ----------------------------------------------------------------

# "name" of the XDP program on the lab's interface, "" when none.
attached_name() {
	xdp_prog_name "$LAB"
}

# "SENT RECEIVED" for COUNT echo requests from outside to the inside address,
# through t ping as the lesson does; the deadline keeps a lost ping short.
ping_result() { # COUNT
	local out
	out=$(t ping --name "$LAB" -- -c "$1" -i 0.2 -w 2 2>&1 || true)
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' <<<"$out"
}

assert_replies() { # COUNT: every one of COUNT pings answered
	local got
	got=$(ping_result "$1")
	[[ $got == "$1 $1" ]] || {
		echo "expected $1 of $1 pings answered, saw (sent received): '${got}'" >&2
		return 1
	}
}

assert_no_replies() { # at least one ping sent, none answered
	local got
	got=$(ping_result 3)
	[[ $got =~ ^[1-9][0-9]*\ 0$ ]] || {
		echo "expected 100% loss, saw (sent received): '${got}'" >&2
		return 1
	}
}

assert_attached() { # NAME ("" = nothing)
	local got
	got=$(attached_name)
	[[ $got == "$1" ]] || {
		echo "expected '${1:-nothing}' attached to $LAB, saw '${got:-nothing}'" >&2
		return 1
	}
}

# The count perf stat -x, printed for xdp:xdp_exception ("" if none).
count_of() { # PERF-OUTPUT
	sed -n 's/^\([0-9]*\),[^,]*,xdp:xdp_exception.*/\1/p' <<<"$1"
}

# ---- the programs, selected by name (reference solution) -------------------

@test "basic02: lab answers pings with no XDP program" {
	assert_attached ""
	assert_replies 3
}

@test "basic02: xdp_pass_func attached by name lets the ping replies through" {
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_pass_func
	assert_ok
	assert_output_matches_e "$(attached_line xdp_pass_func "$LAB")\$"
	assert_attached xdp_pass_func
	assert_replies 3
}

@test "basic02: xdp_drop_func attached by name drops the replies: 100% loss" {
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func
	assert_ok
	assert_attached xdp_drop_func
	assert_no_replies
}

@test "basic02: --force replaces drop by pass and the ping comes back" {
	bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func --quiet
	assert_no_replies
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_pass_func --force
	assert_ok
	assert_attached xdp_pass_func
	assert_replies 3
}

@test "basic02: without --force a second program is refused and the first stays" {
	bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func --quiet
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_pass_func
	assert_failed
	assert_output_has "Device or resource busy"
	assert_output_has "--force"
	assert_attached xdp_drop_func
}

@test "basic02: xdp_abort_func drops the replies and fires xdp:xdp_exception for each" {
	local id sent events ifindex
	bounded ./xdp_loader --dev "$LAB" --progname xdp_abort_func --quiet
	assert_attached xdp_abort_func
	id=$(attached_id "$LAB")
	# The README's first way: a tracing instance of our own.
	mkdir "$TRACE_DIR"
	echo "prog_id == $id" >"$TRACE_DIR/events/xdp/xdp_exception/filter"
	echo 1 >"$TRACE_DIR/events/xdp/xdp_exception/enable"
	read -r sent _ < <(ping_result 3)
	echo 0 >"$TRACE_DIR/events/xdp/xdp_exception/enable"
	ifindex=$(cat "/sys/class/net/$LAB/ifindex")
	events=$(grep -c "xdp_exception: prog_id=$id action=ABORTED ifindex=$ifindex" \
		"$TRACE_DIR/trace" || true)
	[[ ${sent:-0} -ge 1 && ${events:-0} -ge $sent ]] || {
		echo "expected an ABORTED event for each of the $sent replies, saw ${events:-0}:" >&2
		cat "$TRACE_DIR/trace" >&2
		return 1
	}
}

@test "basic02: the README's trace filter, ifindex read from the lab, keeps the lab's events" {
	local sent events other
	bounded ./xdp_loader --dev "$LAB" --progname xdp_abort_func --quiet
	mkdir "$TRACE_DIR"
	# Another interface's number keeps nothing: a number copied from the
	# README, where it was 2, filters out every event of a lab that has another.
	other=$(($(cat "/sys/class/net/$LAB/ifindex") + 1))
	echo "ifindex == $other" >"$TRACE_DIR/events/xdp/xdp_exception/filter"
	echo 1 >"$TRACE_DIR/events/xdp/xdp_exception/enable"
	ping_result 2 >/dev/null
	events=$(grep -c 'action=ABORTED' "$TRACE_DIR/trace" || true)
	[[ ${events:-0} -eq 0 ]] || { echo "ifindex $other kept $events events" >&2; return 1; }
	# The README's command, as written but for the lab's name and the instance.
	echo 0 >"$TRACE_DIR/events/xdp/xdp_exception/enable"
	echo "ifindex == $(cat "/sys/class/net/$LAB/ifindex")" \
		>"$TRACE_DIR/events/xdp/xdp_exception/filter"
	echo 1 >"$TRACE_DIR/events/xdp/xdp_exception/enable"
	read -r sent _ < <(ping_result 3)
	echo 0 >"$TRACE_DIR/events/xdp/xdp_exception/enable"
	events=$(grep -c 'action=ABORTED' "$TRACE_DIR/trace" || true)
	[[ ${sent:-0} -ge 1 && ${events:-0} -ge $sent ]] || {
		echo "expected an ABORTED event for each of the $sent replies, saw ${events:-0}:" >&2
		cat "$TRACE_DIR/trace" >&2
		return 1
	}
}

@test "basic02: perf stat counts xdp:xdp_exception for xdp_abort_func, none for xdp_drop_func" {
	local out id
	command -v perf >/dev/null || skip "perf is not installed (Debian: linux-perf)"
	bounded ./xdp_loader --dev "$LAB" --progname xdp_abort_func --quiet
	id=$(attached_id "$LAB")
	# The README's second way; exactly 4 requests (no deadline), so 4 aborted replies.
	out=$(timeout 20 perf stat -x, -e xdp:xdp_exception --filter "prog_id == $id" -a -- \
		ping -6 -n -c 4 -i 0.2 -W 1 "$(inside_address "$LAB")" 2>&1 || true)
	[[ $(count_of "$out") == 4 ]] || {
		echo "expected 4 xdp:xdp_exception events, perf said: $out" >&2
		return 1
	}
	bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func --force --quiet
	id=$(attached_id "$LAB")
	out=$(timeout 20 perf stat -x, -e xdp:xdp_exception --filter "prog_id == $id" -a -- \
		ping -6 -n -c 4 -i 0.2 -W 1 "$(inside_address "$LAB")" 2>&1 || true)
	[[ $(count_of "$out") == 0 ]] || {
		echo "expected no xdp:xdp_exception event for XDP_DROP, perf said: $out" >&2
		return 1
	}
}

# ---- bad input --------------------------------------------------------------

@test "basic02: a wrong --progname lists the programs and attaches nothing" {
	run --separate-stderr bounded ./xdp_loader --dev "$LAB" --progname xdp_nope
	assert_failed
	[[ ${stderr_lines[0]} == "error: no XDP program named 'xdp_nope' in xdp_prog.bpf.o" ]] || {
		echo "unexpected error line: ${stderr_lines[0]}" >&2
		return 1
	}
	[[ $stderr == *"xdp_pass_func xdp_drop_func xdp_abort_func"* ]] || {
		echo "expected the list of programs, saw: $stderr" >&2
		return 1
	}
	[[ -z $output ]] || { echo "expected nothing on stdout, saw: $output" >&2; return 1; }
	assert_attached ""
}

@test "basic02: a wrong --progname leaves an attached program as it was" {
	bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func --quiet
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_nope --force
	assert_failed
	assert_attached xdp_drop_func
}

@test "basic02: --unload detaches; a second --unload says nothing is attached" {
	bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func --quiet
	run bounded ./xdp_loader --dev "$LAB" --unload
	[[ $status -eq 0 && $output =~ $(detached_line "[0-9]+" "$LAB") ]] || {
		echo "unload: exit $status, $output" >&2
		return 1
	}
	assert_attached ""
	assert_replies 2
	run --separate-stderr bounded ./xdp_loader --dev "$LAB" --unload
	[[ $status -ne 0 && $stderr == *"nothing to unload"* ]] || {
		echo "second unload: exit $status, stderr: $stderr" >&2
		return 1
	}
}

@test "basic02: a missing object file is one error and attaches nothing" {
	# libbpf's own warning may come first: one error line of ours.
	run bounded ./xdp_loader --dev "$LAB" --filename no_such.bpf.o
	assert_failed
	assert_one_error "open BPF object no_such.bpf.o: No such file or directory"
	assert_attached ""
}

@test "basic02: the loader shows the end of the verifier log on a rejection" {
	# A program that reads packet data with no bounds check: the verifier
	# refuses it; common's report_load_error() shows the log's end.
	cat >"$BATS_TEST_TMPDIR/bad.bpf.c" <<-'EOF'
		#include <linux/bpf.h>
		#include <bpf/bpf_helpers.h>

		SEC("xdp")
		int xdp_unchecked(struct xdp_md *ctx)
		{
			unsigned char *data = (void *)(long)ctx->data;

			return data[12] == 0x86 ? XDP_DROP : XDP_PASS;
		}

		char _license[] SEC("license") = "GPL";
	EOF
	clang -target bpf -O2 -g -c "$BATS_TEST_TMPDIR/bad.bpf.c" -o "$BATS_TEST_TMPDIR/bad.bpf.o" \
		-idirafter "/usr/include/$(gcc -dumpmachine)"
	run bounded ./xdp_loader --dev "$LAB" --filename "$BATS_TEST_TMPDIR/bad.bpf.o" \
		--progname xdp_unchecked
	assert_failed
	assert_one_error "the verifier rejected it"
	assert_output_has "The end of the verifier's log:"
	assert_output_has "invalid access to packet"
	assert_output_has "(run again with --verbose to see the whole log)"
	assert_attached ""
	# With --verbose: the whole log, and no hint to ask for it.
	run bounded ./xdp_loader --dev "$LAB" --filename "$BATS_TEST_TMPDIR/bad.bpf.o" \
		--progname xdp_unchecked --verbose
	assert_failed
	assert_output_has "All of the verifier's log:"
	if grep -q "run again with --verbose" <<<"$output"; then
		echo "--verbose still says to run with --verbose: $output"
		return 1
	fi
}

@test "basic02: a program held by a bpf_link: --force and --unload say so and how to remove it" {
	local id
	id=$(hold_with_link "$LAB")
	[[ -n "$id" ]] || { echo "no program attached through a link"; return 1; }
	run bounded ./xdp_loader --dev "$LAB" --progname xdp_drop_func --force
	assert_refused_by_link "$LAB"
	run bounded ./xdp_loader --dev "$LAB" --unload
	assert_refused_by_link "$LAB"
	[[ "$(xdp_prog_id "$LAB")" == "$id" ]] || { echo "program $id -> '$(xdp_prog_id "$LAB")'"; return 1; }
}

@test "basic02: bad input: not root: one line saying it needs root" {
	run_as_nobody xdp_loader xdp_prog.bpf.o -- ./xdp_loader --dev "$LAB"
	assert_needs_root xdp_loader
	assert_attached ""
}

@test "basic02: native mode where the driver has none: one error with the --skb-mode hint" {
	# lo has no native XDP, so the kernel refuses with EOPNOTSUPP.
	run bounded ./xdp_loader --dev lo --native-mode
	assert_failed
	assert_one_error "attach XDP to lo"
	assert_output_has "Operation not supported"
	assert_output_has "hint: this interface does not support the mode asked for: try --skb-mode"
	assert_nothing_attached lo
}

@test "basic02: an unknown interface is one error, exit non-zero" {
	run --separate-stderr bounded ./xdp_loader --dev no_such_if0 --progname xdp_drop_func
	[[ $status -ne 0 && ${stderr_lines[0]} == "error: unknown interface 'no_such_if0'"* ]] || {
		echo "exit $status, stderr: $stderr" >&2
		return 1
	}
}

# ---- the starter code -------------------------------------------------------

@test "basic02 starter: attaches the first program whatever --progname says, and says which" {
	cd "$LESSON_DIR"
	run bounded "$TESTENV" load --name "$LAB" -- --progname xdp_drop_func
	assert_ok
	assert_output_has "Attached XDP program 'xdp_pass_func'"
	assert_attached xdp_pass_func
	assert_replies 3
	run bounded "$TESTENV" unload --name "$LAB"
	assert_ok
	assert_attached ""
}

# ---- testenv, as the lesson uses it -----------------------------------------

@test "basic02: testenv through the alias: setup, ping, load, status, enter, unload, teardown" {
	local script
	# shellcheck disable=SC2016 # expanded by the inner shell
	script='shopt -s expand_aliases
		eval $(../testenv/testenv.sh alias)
		t setup -n '"$ALIAS_LAB"'
		t ping -- -c 2 -i 0.2 -w 3
		t load -- --progname xdp_pass_func
		t status
		SHELL=/bin/bash t enter <<<"ip -br addr show dev veth0"
		t unload
		t teardown'
	cd "$LESSON_DIR"
	run bounded bash -c "$script"
	assert_ok
	# setup, then ping: both replies came back.
	assert_output_has "Set up lab $ALIAS_LAB"
	assert_output_has "2 packets transmitted, 2 received"
	# status names the attached program on the outer end.
	[[ $output =~ xdp:\ xdp_pass_func\ \(id\ [0-9]+,\ native\) ]] || {
		echo "status does not show xdp_pass_func attached: $output" >&2
		return 1
	}
	# enter runs a shell inside: veth0 there, with the inside address.
	[[ $output =~ veth0@[a-z0-9]+\ +UP\ +fc00:dead:cafe:[0-9a-f]+::2/64 ]] || {
		echo "enter did not run inside the lab: $output" >&2
		return 1
	}
	assert_output_has "Removed lab $ALIAS_LAB"
	! ip link show dev "$ALIAS_LAB" 2>/dev/null || { echo "veth left behind" >&2; return 1; }
	[[ ! -e /run/netns/$ALIAS_LAB ]] || { echo "netns left behind" >&2; return 1; }
}
