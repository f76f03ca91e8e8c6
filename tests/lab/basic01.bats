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
	ip neigh replace "$INSIDE" lladdr "$(mac_of veth0 "$NS")" dev "$DEV" nud permanent
	ip -n "$NS" neigh replace fc00:dead:cafe:b01::1 lladdr "$(mac_of "$DEV")" dev veth0 \
		nud permanent
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

# Assert that the program on $DEV is attached in MODE (native or generic), as
# ip -j shows it.
assert_attached_mode() { # MODE
	local mode
	mode=$(xdp_mode "$DEV")
	[[ "$mode" == "$1" ]] || { echo "expected $1 mode on $DEV, saw '${mode:-nothing}'"; return 1; }
}

# "MODE ID" of the XDP program on $DEV as bpftool net shows it (driver, generic).
bpftool_net_xdp() {
	local out
	out=$(bpftool -j net show dev "$DEV")
	jq -r '.[0].xdp[0] // empty | "\(.mode) \(.id)"' <<<"$out"
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
	assert_attached_mode native
	local out
	out=$(bpftool_net_xdp)
	[[ "$out" == "driver $id" ]] || { echo "bpftool net: '$out', want 'driver $id'"; return 1; }
	out=$(bpftool -j prog show id "$id")
	out=$(jq -r '"\(.type) \(.name)"' <<<"$out")
	[[ "$out" == "xdp xdp_pass" ]] || { echo "bpftool prog: '$out'"; return 1; }
}

@test "basic01: --native-mode attaches in native mode" {
	run loader --dev "$DEV" --native-mode
	assert_ok
	assert_attached_mode native
}

@test "basic01: --skb-mode attaches in generic mode (xdpgeneric in ip link)" {
	run loader --dev "$DEV" --skb-mode
	assert_ok
	assert_attached_mode generic
	local out
	out=$(bpftool_net_xdp)
	[[ "$out" == "generic $(attached_id)" ]] || { echo "bpftool net: '$out'"; return 1; }
}

@test "basic01: ping goes through with xdp_pass attached, in both modes" {
	run loader --dev "$DEV" --native-mode
	assert_ok
	run ping_inside
	[[ "$status" -eq 0 ]] || { echo "native: $output"; return 1; }
	assert_output_has " 0% packet loss"
	run loader --dev "$DEV" --skb-mode --force
	assert_ok
	assert_attached_mode generic
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
	assert_attached_mode generic
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
	[[ "$(xdp_prog_name "$DEV")" == xdp_pass ]] || { ip link show dev "$DEV"; return 1; }
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
	id=$(bpftool -j prog show pinned "$PIN" | jq -r .id)
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
	assert_attached_mode generic
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
	assert_one_error "no XDP program named 'xdp_nope' in xdp_pass.bpf.o"
	assert_output_has "hint: pick one with --progname; the XDP programs in it are: xdp_pass"
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
	# libbpf's warnings are shown without --verbose: they name the program.
	assert_output_matches "^libbpf: prog 'xdp_unchecked': failed to load"
	assert_nothing_attached
}

@test "basic01: libbpf's debug output only with --verbose" {
	run loader --dev "$DEV"
	assert_ok
	if grep -q '^libbpf:' <<<"$output"; then echo "libbpf lines without -v: $output"; return 1; fi
	run loader --dev "$DEV" --force --verbose
	assert_ok
	# A load that works has no warnings: these lines are the debug output.
	assert_output_matches "^libbpf: "
}

@test "basic01: bad input: not root: one line saying it needs root" {
	run_as_nobody xdp_loader xdp_pass.bpf.o -- ./xdp_loader --dev "$DEV"
	assert_needs_root xdp_loader
	assert_nothing_attached
}

@test "basic01: a program held by a bpf_link: --force and --unload say so and how to remove it" {
	local id
	id=$(hold_with_link "$DEV")
	[[ -n "$id" ]] || { echo "no program attached through a link"; return 1; }
	run loader --dev "$DEV" --force
	assert_refused_by_link "$DEV"
	run loader --dev "$DEV" --skb-mode --force
	assert_refused_by_link "$DEV"
	run loader --dev "$DEV" --unload
	assert_refused_by_link "$DEV"
	[[ "$(attached_id "$DEV")" == "$id" ]] || { echo "program $id -> '$(attached_id "$DEV")'"; return 1; }
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
	[[ -n "$(xdp_prog_id lo "$NS")" ]] || { ip -n "$NS" link show dev lo; return 1; }
	assert_nothing_attached lo
	run bounded ip netns exec "$NS" ./xdp_loader --dev lo --unload
	assert_ok
	[[ -z "$(xdp_prog_id lo "$NS")" ]] || { ip -n "$NS" link show dev lo; return 1; }
}

@test "basic01: bad input: native mode on lo is not supported (hint: --skb-mode)" {
	run loader --dev lo --native-mode
	assert_failed
	assert_one_error "attach XDP to lo"
	assert_output_has "try --skb-mode"
	assert_nothing_attached lo
}
