#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# basic01-xdp-pass: the lesson's loader, ip and bpftool attach xdp_pass.bpf.o
# to the veth pair that the lesson's README builds by hand (plus static
# neighbours, so that no test waits on address resolution); traffic still
# flows; and the loader answers bad input with one error line, a non-zero exit
# and nothing left attached.
#
#      this namespace                       netns basic01
#   +------------------------+   veth   +------------------------+
#   | veth-basic01           |==========| veth0                  |
#   | fc00:dead:cafe:b01::1  |          | fc00:dead:cafe:b01::2  |
#   | XDP attaches here      |          | answers the pings      |
#   +------------------------+          +------------------------+
#
# Run it inside the test isolation: tests/lib/isolate.sh bats --tap tests/lab/basic01.bats

LESSON_DIR="$BATS_TEST_DIRNAME/../../basic01-xdp-pass"
DEV=veth-basic01
NS=basic01
INSIDE=fc00:dead:cafe:b01::2
PIN=/sys/fs/bpf/b01_xdp_pass

load lab_helpers

setup_file() {
	require_isolation
	build "$LESSON_DIR"
	ip netns add "$NS"
	ip link add "$DEV" type veth peer name veth0 netns "$NS"
	ip addr add fc00:dead:cafe:b01::1/64 dev "$DEV" nodad
	ip -n "$NS" addr add "$INSIDE/64" dev veth0 nodad
	ip link set "$DEV" up
	ip -n "$NS" link set veth0 up
	ip -n "$NS" link set lo up
	# Static neighbours: no address resolution to wait for, or to be dropped.
	ip neigh replace "$INSIDE" lladdr "$(ip -n "$NS" -br link show veth0 | awk '{print $3}')" \
		dev "$DEV" nud permanent
	ip -n "$NS" neigh replace fc00:dead:cafe:b01::1 \
		lladdr "$(ip -br link show "$DEV" | awk '{print $3}')" dev veth0 nud permanent
}

teardown_file() {
	ip link del "$DEV" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}

setup() {
	cd "$LESSON_DIR" || return 1
}

# Leave the interface bare for the next test, whatever this one did.
teardown() {
	detach_xdp "$DEV"
	detach_xdp lo
	ip -n "$NS" link set dev lo xdpgeneric off 2>/dev/null || true
	rm -f "$PIN"
}

# ---- helpers ----------------------------------------------------------------

loader() {
	bounded ./xdp_loader "$@"
}

# "xdp" (native) or "xdpgeneric", the mode word ip prints after the MTU.
# ip's output is read whole before it is matched: a reader that stops early
# (head, grep -q) kills the writer with SIGPIPE, which fails the pipeline
# under pipefail.
attached_mode() {
	local out
	out=$(ip link show dev "$1")
	[[ " $out " =~ [[:space:]](xdp|xdpgeneric|xdpdrv|xdpoffload)[[:space:]] ]] &&
		echo "${BASH_REMATCH[1]}"
}

# Assert that ip link shows the program on $DEV attached in MODE ("xdp" for
# native, "xdpgeneric").
assert_attached_mode() { # MODE
	[[ "$(attached_mode "$DEV")" == "$1" ]] || { ip link show dev "$DEV"; return 1; }
}

# Whether program ID is gone. The kernel frees a program once nothing holds it,
# after an RCU grace period: wait for that with wait_until 20 (two seconds).
prog_freed() { # ID
	! bpftool prog show id "$1" >/dev/null 2>&1
}

ping_inside() {
	ping -6 -q -c 3 -i 0.2 -W 1 -w 5 "$INSIDE"
}

# ---- attaching and detaching -------------------------------------------------

@test "basic01: the loader attaches xdp_pass in native mode by default (ip link, bpftool)" {
	run loader --dev "$DEV"
	assert_ok
	assert_output_has "Attached XDP program 'xdp_pass' to $DEV"
	local id
	id=$(attached_id "$DEV")
	[[ -n "$id" ]] || { echo "ip link shows no XDP program on $DEV"; return 1; }
	assert_attached_mode xdp
	local out
	out=$(bpftool net show dev "$DEV")
	grep -q -E "^$DEV\([0-9]+\) driver id $id\$" <<<"$out" || { echo "$out"; return 1; }
	out=$(bpftool prog show id "$id")
	grep -q -E "^$id: xdp +name xdp_pass " <<<"$out" || { echo "$out"; return 1; }
}

@test "basic01: --native-mode attaches in native mode" {
	run loader --dev "$DEV" --native-mode
	assert_ok
	assert_attached_mode xdp
}

@test "basic01: --skb-mode attaches in generic mode (xdpgeneric in ip link)" {
	run loader --dev "$DEV" --skb-mode
	assert_ok
	assert_attached_mode xdpgeneric
	local out
	out=$(bpftool net show dev "$DEV")
	grep -q -E "^$DEV\([0-9]+\) generic id [0-9]+\$" <<<"$out" || { echo "$out"; return 1; }
}

@test "basic01: ping goes through with xdp_pass attached, in both modes" {
	run loader --dev "$DEV" --native-mode
	assert_ok
	run ping_inside
	[[ "$status" -eq 0 ]] || { echo "native: $output"; return 1; }
	assert_output_has " 0% packet loss"
	run loader --dev "$DEV" --skb-mode --force
	assert_ok
	assert_attached_mode xdpgeneric
	run ping_inside
	[[ "$status" -eq 0 ]] || { echo "generic: $output"; return 1; }
	assert_output_has " 0% packet loss"
}

@test "basic01: a second load without --force is refused with a hint, the first stays" {
	loader --dev "$DEV" >/dev/null
	local id
	id=$(attached_id "$DEV")
	run loader --dev "$DEV"
	assert_failed
	assert_one_error "attach XDP to $DEV"
	assert_output_has "hint: another XDP program is attached: use --force"
	[[ "$(attached_id "$DEV")" == "$id" ]] || { echo "the attached program changed"; return 1; }
}

@test "basic01: --force replaces the attached program (a new id)" {
	loader --dev "$DEV" >/dev/null
	local old new
	old=$(attached_id "$DEV")
	run loader --dev "$DEV" --force
	assert_ok
	new=$(attached_id "$DEV")
	[[ -n "$new" && "$new" != "$old" ]] || { echo "id before $old, after '$new'"; return 1; }
	# The replaced program had no other user: the kernel freed it.
	wait_until 20 prog_freed "$old" ||
		{ echo "program $old is still loaded after being replaced"; return 1; }
}

@test "basic01: --force replaces across modes (native, then --skb-mode)" {
	loader --dev "$DEV" --native-mode >/dev/null
	run loader --dev "$DEV" --skb-mode --force
	assert_ok
	assert_attached_mode xdpgeneric
}

@test "basic01: --unload removes the program, in native and in generic mode" {
	local mode
	for mode in --native-mode --skb-mode; do
		loader --dev "$DEV" "$mode" >/dev/null
		run loader --dev "$DEV" --unload
		[[ "$status" -eq 0 ]] || { echo "$mode: $output"; return 1; }
		assert_output_matches_e "$(detached_line "[0-9]+" "$DEV")"
		assert_nothing_attached
	done
}

@test "basic01: the object loads with ip link set dev X xdp obj F sec xdp" {
	run ip link set dev "$DEV" xdp obj xdp_pass.bpf.o sec xdp
	assert_ok
	local out
	out=$(ip link show dev "$DEV")
	grep -q 'prog/xdp id [0-9]* name xdp_pass ' <<<"$out" || { echo "$out"; return 1; }
	run ping_inside
	assert_ok
	ip link set dev "$DEV" xdp off
	assert_nothing_attached
}

@test "basic01: the object loads with bpftool prog load + net attach, and detaches" {
	run bpftool prog load xdp_pass.bpf.o "$PIN"
	assert_ok
	run bpftool net attach xdp pinned "$PIN" dev "$DEV"
	assert_ok
	local id
	id=$(bpftool prog show pinned "$PIN" | sed -n 's/^\([0-9]*\): xdp .*/\1/p')
	[[ -n "$id" && "$(attached_id "$DEV")" == "$id" ]] ||
		{ echo "pinned id '$id', attached '$(attached_id "$DEV")'"; return 1; }
	run ping_inside
	assert_ok
	bpftool net detach xdp dev "$DEV"
	assert_nothing_attached
	rm "$PIN"
}

# ---- bad input: one error line, a non-zero exit, nothing attached -----------

@test "basic01: bad input: no --dev" {
	run loader
	assert_status 2
	assert_one_error "no interface given"
	assert_nothing_attached
}

@test "basic01: bad input: an option without its argument is named as typed" {
	run loader --dev
	assert_status 2
	assert_one_error "--dev needs an argument: --dev IFNAME"
	run loader -d
	assert_status 2
	assert_one_error "-d needs an argument: -d IFNAME"
	run loader --filename
	assert_status 2
	assert_one_error "--filename needs an argument: --filename FILE"
	# The next option is no interface name.
	run loader --dev --force
	assert_status 2
	assert_one_error "--dev takes an interface name, not the option '--force'"
	run loader --dev "$DEV" --bogus
	assert_status 2
	assert_one_error "unknown option '--bogus'"
	run loader --dev "$DEV" -Sx
	assert_status 2
	assert_one_error "unknown option '-x'"
	assert_nothing_attached
}

@test "basic01: bad input: two modes at once (-S -N) are refused" {
	run loader --dev "$DEV" -S -N
	assert_status 2
	assert_one_error "--skb-mode and --native-mode ask for two modes: give one of -S, -N or -A"
	run loader --dev "$DEV" --native-mode --auto-mode
	assert_status 2
	assert_one_error "--native-mode and --auto-mode ask for two modes"
	# The same mode twice is one mode.
	run loader --dev "$DEV" -S --skb-mode
	assert_ok
	assert_attached_mode xdpgeneric
}

@test "basic01: bad input: unknown interface" {
	run loader --dev no-such-dev0
	assert_failed
	assert_one_error "unknown interface 'no-such-dev0'"
	assert_output_has "hint: "
}

@test "basic01: bad input: missing object file" {
	run loader --dev "$DEV" --filename "$BATS_TEST_TMPDIR/missing.bpf.o"
	assert_failed
	assert_one_error "No such file or directory"
	assert_output_has "hint: build it with 'make'"
	assert_nothing_attached
}

@test "basic01: bad input: a file that is not a BPF object" {
	echo "not an ELF object" >"$BATS_TEST_TMPDIR/notes.o"
	run loader --dev "$DEV" --filename "$BATS_TEST_TMPDIR/notes.o"
	assert_failed
	assert_one_error "open BPF object $BATS_TEST_TMPDIR/notes.o"
	assert_output_has "clang -target bpf"
	assert_nothing_attached
}

@test "basic01: bad input: unknown --progname lists the programs there are" {
	run loader --dev "$DEV" --progname xdp_nope
	assert_failed
	assert_one_error "no program named 'xdp_nope'"
	assert_output_has "the programs in it are: xdp_pass"
	assert_nothing_attached
}

@test "basic01: bad input: a program the verifier rejects shows the log's end" {
	# Reads a packet byte without checking it against data_end. No headers:
	# the test needs nothing but clang.
	cat >"$BATS_TEST_TMPDIR/bad.bpf.c" <<-'EOF'
		struct xdp_md {
			unsigned int data, data_end, data_meta;
			unsigned int ingress_ifindex, rx_queue_index, egress_ifindex;
		};

		__attribute__((section("xdp"), used)) int xdp_unchecked(struct xdp_md *ctx)
		{
			unsigned char *data = (void *)(long)ctx->data;

			return data[12] == 0x86 ? 1 : 2;
		}

		char _license[] __attribute__((section("license"), used)) = "GPL";
	EOF
	clang -target bpf -O2 -g -c "$BATS_TEST_TMPDIR/bad.bpf.c" -o "$BATS_TEST_TMPDIR/bad.bpf.o"
	run loader --dev "$DEV" --filename "$BATS_TEST_TMPDIR/bad.bpf.o" --progname xdp_unchecked
	assert_failed
	assert_one_error "the verifier rejected it"
	assert_output_has "invalid access to packet"
	assert_output_has "run again with --verbose"
	assert_nothing_attached
}

@test "basic01: bad input: not root (EPERM, with the hint)" {
	# The checkout may be unreadable for nobody (under /root, say): run a copy
	# from a directory anyone can read.
	local dir
	dir=$(mktemp -d /tmp/basic01-nobody.XXXXXX)
	cp xdp_loader xdp_pass.bpf.o "$dir"
	chmod 755 "$dir"
	cd "$dir" || return 1
	run as_nobody ./xdp_loader --dev "$DEV"
	cd - >/dev/null && rm -rf "$dir"
	assert_failed
	assert_one_error "Operation not permitted"
	assert_output_has "hint: BPF needs root"
	assert_nothing_attached
}

@test "basic01: bad input: --unload with nothing attached" {
	run loader --dev "$DEV" --unload
	assert_failed
	assert_one_error "no XDP program is attached to $DEV"
	assert_nothing_attached
}

@test "basic01: the README's lo experiment stays in the lab's namespace, not this one's lo" {
	# As the README runs it: native mode refused, generic mode attached to
	# the namespace's lo, then unloaded; this namespace's lo is never touched.
	run bounded ip netns exec "$NS" ./xdp_loader --dev lo --native-mode
	assert_failed
	assert_output_has "try --skb-mode"
	run bounded ip netns exec "$NS" ./xdp_loader --dev lo --skb-mode
	assert_ok
	assert_output_has "Attached XDP program 'xdp_pass' to lo (ifindex 1)"
	ip -n "$NS" link show dev lo | grep -q 'prog/xdp id' || { ip -n "$NS" link show dev lo; return 1; }
	assert_nothing_attached lo
	run bounded ip netns exec "$NS" ./xdp_loader --dev lo --unload
	assert_ok
	! ip -n "$NS" link show dev lo | grep -q 'prog/xdp' || { ip -n "$NS" link show dev lo; return 1; }
}

@test "basic01: bad input: native mode on lo is not supported (hint: --skb-mode)" {
	run loader --dev lo --native-mode
	assert_failed
	assert_one_error "attach XDP to lo"
	assert_output_has "try --skb-mode"
	assert_nothing_attached lo
}
