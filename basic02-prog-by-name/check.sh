# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of basic02-prog-by-name, run by `make check` (all of
# them) or `make check A=N` (one). tests/lib/check.sh sources this file and runs
# each check_N in the directory of the code under test, inside a private network
# namespace: the labs made here never touch your own.

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2)
TITLE_1="--progname picks the program, and a name that is not there is refused"
TITLE_2="xdp_abort_func returns XDP_ABORTED, which fires xdp:xdp_exception per frame"

readonly TRACEFS=/sys/kernel/tracing
# How many echo requests the tracepoint check sends; each reply meets the program.
readonly ABORT_PINGS=5

# The name of the XDP program attached to the lab's interface, as ip -j shows it
# ("none" when there is none).
attached_name() {
	local name
	name=$(xdp_prog_name "$LAB")
	echo "${name:-none}"
}

# The id of the XDP program attached to the lab's interface ("" when none).
attached_id() {
	xdp_prog_id "$LAB"
}

# How many of COUNT pings from outside to the lab's inside address came back.
# As in the lesson, through testenv; a short deadline keeps a failing ping brief.
ping_received() { # COUNT
	local out
	out=$(testenv ping --name "$LAB" -- -c "$1" -i 0.2 -w 2 2>&1 || true)
	sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out"
}

# Print what a command said, indented under the failure it explains.
say_output() { # OUTPUT
	local line
	while IFS= read -r line; do
		echo "      | $line"
	done <<<"${1:-(nothing)}"
}

# Attach program NAME with the code's loader, and check the loader attached
# that program and no other. Extra loader options follow NAME.
load_by_name() { # NAME [LOADER-OPTIONS...]
	local name=$1 out
	shift
	if ! out=$(./xdp_loader --dev "$LAB" --progname "$name" "$@" 2>&1); then
		echo "    expected './xdp_loader --dev $LAB --progname $name${*:+ $*}' to attach it;" \
			"it failed:"
		say_output "$out"
		return 1
	fi
	if ! expect_eq "the program attached after --progname $name" "$name" "$(attached_name)"; then
		echo "    The loader said:"
		say_output "$out"
		return 1
	fi
}

# Ask for a program the object does not hold, with --force: the loader must
# refuse with an error, and leave the program that is attached (NAME) in place.
# The name asked for, xdp_drop, is the start of xdp_drop_func's: a loader that
# matches a prefix, or falls back to some other program, attaches one.
refuses_unknown_name() { # NAME
	local out rc=0 cmd="./xdp_loader --dev $LAB --progname xdp_drop --force"
	out=$(./xdp_loader --dev "$LAB" --progname xdp_drop --force 2>&1) || rc=$?
	if [[ $rc -eq 0 ]]; then
		echo "    expected '$cmd' to refuse with an error and a non-zero exit (there is no" \
			"program xdp_drop), but it exited 0, and $(attached_name) is attached; it said:"
		say_output "$out"
		return 1
	fi
	# A crash: a signal, or (built with SANITIZE=1) AddressSanitizer's report of one.
	if [[ $rc -ge 128 ]] || [[ $out =~ AddressSanitizer:\ ([A-Z]+) ]]; then
		fail "expected '$cmd' to refuse with an error, but it crashed (signal" \
			"$([[ $rc -ge 128 ]] && kill -l "$rc" || echo "${BASH_REMATCH[1]}")): does it" \
			"check for NULL (no such program) before it attaches?"
		return 1
	fi
	expect_eq "the program attached after the refused --progname xdp_drop" "$1" \
		"$(attached_name)"
}

check_1() {
	local got
	lab_setup
	on_exit ./xdp_loader --dev "$LAB" --unload
	got=$(ping_received 2)
	expect_eq "pings answered with no XDP program (the lab itself)" 2 "${got:-0}" || return 1

	load_by_name xdp_drop_func || return 1
	got=$(ping_received 2)
	expect_eq "pings answered with xdp_drop_func attached (its drops stop the replies)" 0 \
		"${got:-?}" || return 1

	refuses_unknown_name xdp_drop_func || return 1

	load_by_name xdp_pass_func --force || return 1
	got=$(ping_received 2)
	expect_eq "pings answered after replacing it with xdp_pass_func (--force)" 2 "${got:-0}"
}

# The lab's inside address (fc00:dead:cafe:N::2), from the outside one.
inside_addr() {
	local outside
	outside=$(ip -6 -br addr show dev "$LAB" scope global | awk '{print $3}')
	echo "${outside%::1/64}::2"
}

# Enable xdp:xdp_exception, for program ID only, in a tracing instance DIR of
# our own: the main trace buffer, and whatever the machine traces there, stay
# as they are.
start_tracing() { # DIR ID
	[[ -d $TRACEFS/events/xdp/xdp_exception ]] ||
		fail "no $TRACEFS/events/xdp/xdp_exception: is tracefs mounted there?" || return 1
	mkdir "$1" || fail "could not create the tracing instance $1" || return 1
	# Called as `start_tracing ... || return 1`, without set -e: test each step.
	echo "prog_id == $2" >"$1/events/xdp/xdp_exception/filter" ||
		fail "could not filter xdp:xdp_exception on prog_id == $2 in $1" || return 1
	echo 1 >"$1/events/xdp/xdp_exception/enable" ||
		fail "could not enable xdp:xdp_exception in $1" || return 1
}

# Disable the event and remove the instance (its buffer goes with it).
stop_tracing() { # DIR
	[[ -d $1 ]] || return 0
	echo 0 >"$1/events/xdp/xdp_exception/enable"
	rmdir "$1"
}

check_2() {
	local dir=$TRACEFS/instances/basic02_check_$$ id out events section
	# The functions of the object, and their sections.
	section=$(section_of xdp_prog.bpf.o xdp_abort_func)
	if [[ -z "$section" ]]; then
		fail "expected a program xdp_abort_func in xdp_prog.bpf.o, saw only:" \
			"$(functions_in xdp_prog.bpf.o) (add it to xdp_prog.bpf.c, then run make)"
		return 1
	fi
	[[ "$section" == xdp ]] ||
		fail "expected xdp_abort_func in section xdp, as SEC(\"xdp\") puts it, saw it in" \
			"section $section: without SEC(\"xdp\") it is no XDP program" || return 1
	lab_setup
	on_exit ./xdp_loader --dev "$LAB" --unload
	load_by_name xdp_abort_func ||
		fail "(is SEC(\"xdp\") above xdp_abort_func? And the loader must pick programs" \
			"by name: that is assignment 1)" || return 1
	id=$(attached_id)

	on_exit stop_tracing "$dir"
	start_tracing "$dir" "$id" || return 1
	# Exactly ABORT_PINGS echo requests (no deadline, which would make ping
	# send more); each reply comes back through the program.
	out=$(timeout 10 ping -6 -n -c "$ABORT_PINGS" -i 0.2 -W 1 "$(inside_addr)" 2>&1 || true)
	echo 0 >"$dir/events/xdp/xdp_exception/enable"
	events=$(grep -c 'xdp_exception: .*action=ABORTED' "$dir/trace" || true)

	[[ $out == *"$ABORT_PINGS packets transmitted, 0 received"* ]] ||
		fail "expected all $ABORT_PINGS pings lost with xdp_abort_func attached, saw:" \
			"$(grep 'packets transmitted' <<<"$out" || echo "$out")" || return 1
	[[ ${events:-0} -eq $ABORT_PINGS ]] ||
		fail "expected $ABORT_PINGS xdp:xdp_exception events from program id $id, one per" \
			"echo reply aborted (the lab sends nothing else), saw ${events:-0}" \
			"(does xdp_abort_func return XDP_ABORTED, not XDP_DROP?)"
}
