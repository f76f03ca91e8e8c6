#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The fault matrix (issue 12; the table in tests/README.org): the loaders and
# testenv driven as a user would, from the command line, into what goes wrong
# on real machines. Each row expects the same: one clear 'error:' line, a
# non-zero exit, nothing left attached or pinned, no hang (every program runs
# under a timeout), and under SANITIZE=1 no report from AddressSanitizer,
# LeakSanitizer or UBSan.
#
#      this namespace                         netns fltlab
#   +--------------------------+   veth   +--------------------------+
#   | fltlab                   |==========| veth0                    |
#   | the loaders attach here  |          | answers pings            |
#   +--------------------------+          +--------------------------+
#   /sys/fs/bpf/fltlab/   (basic04's pins)
#
# Each test makes its own lab and removes it: many rows break the lab on
# purpose. Run it inside the test isolation:
#   tests/lib/isolate.sh bats --tap tests/lab/faults.bats   (or tests/run.sh lab:faults)

load lab_helpers

LAB=fltlab
# shellcheck disable=SC2034 # read by lab_helpers: where XDP attaches
DEV=$LAB
PIN_DIR=/sys/fs/bpf/$LAB
MAP_PIN=$PIN_DIR/xdp_stats_map
B03=$TOP_DIR/basic03-map-counter
B04=$TOP_DIR/basic04-pinning-maps
SOL=$TOP_DIR/basic-solutions

# Every loader that takes an object file, lesson and solution: DIR/PROGRAM.
OBJECT_LOADERS=(
	basic01-xdp-pass/xdp_loader basic02-prog-by-name/xdp_loader
	basic03-map-counter/xdp_load_and_stats basic04-pinning-maps/xdp_loader
	basic-solutions/basic01-xdp-pass/xdp_loader basic-solutions/basic02-prog-by-name/xdp_loader
	basic-solutions/basic03-map-counter/xdp_load_and_stats
	basic-solutions/basic04-pinning-maps/xdp_loader
	packet01-parsing/xdp_loader packet02-rewriting/xdp_loader packet03-redirecting/xdp_loader
	packet-solutions/packet01-parsing/xdp_loader packet-solutions/packet02-rewriting/xdp_loader
	packet-solutions/packet03-redirecting/xdp_loader
)
# And every program with options: the loaders, the stats readers and the map
# filler of packet03. xdp_link_pin embeds its object (a libbpf skeleton): it
# takes no --filename.
ALL_PROGRAMS=("${OBJECT_LOADERS[@]}" basic04-pinning-maps/xdp_link_pin basic04-pinning-maps/xdp_stats
	basic-solutions/basic04-pinning-maps/xdp_stats packet03-redirecting/xdp_prog_user
	packet-solutions/packet03-redirecting/xdp_prog_user)
# The programs after basic04 that pin (common/pins.c) or read pins, with what
# each needs besides --dev.
PIN_PROGRAMS=(
	"packet-solutions/packet01-parsing/xdp_loader -S"
	"packet03-redirecting/xdp_loader -S"
	"packet-solutions/packet03-redirecting/xdp_loader -S --progname xdp_redirect_map_func"
	"packet-solutions/packet03-redirecting/xdp_prog_user --redirect-dev lo --src-mac 02:00:00:00:01:02 --dest-mac 02:00:00:00:02:02"
)

setup_file() {
	require_isolation
	build "$TOP_DIR"/basic0[1-4]-* "$SOL"/basic0[1-4]-* "$TOP_DIR"/packet0[1-3]-* \
		"$TOP_DIR"/packet-solutions/packet0[1-3]-*
	make_objects "$BATS_FILE_TMPDIR"
}

setup() {
	setup_lab "$LAB"
	OUT=$BATS_TEST_TMPDIR/out
	cd "$B04" || return 1
}

# Whatever a row broke, mend it, then remove the lab: bpffs mounted and
# writable again, no program, no pins, no reader left.
teardown() {
	stop_bg
	[[ -z ${BG2_PID:-} ]] || { kill -TERM "$BG2_PID" 2>/dev/null; wait "$BG2_PID" 2>/dev/null; } || true
	if [[ $(stat -f -c %T /sys/fs/bpf) != bpf_fs ]]; then
		mount -t bpf bpf /sys/fs/bpf
	fi
	mount -o remount,rw /sys/fs/bpf 2>/dev/null || true
	rm -rf "$PIN_DIR" /sys/fs/bpf/lo
	detach_xdp "$LAB" 2>/dev/null || true
	detach_xdp lo
	remove_lab "$LAB"
	remove_lab fltrace
}

# ---- fixtures ------------------------------------------------------------------

# Object files that are wrong in each way the matrix names, in DIR.
make_objects() { # DIR
	local dir=$1 bpf=(clang -O2 -g -target bpf "-I/usr/include/$(gcc -dumpmachine)")
	: >"$dir/empty.o"
	head -c 400 "$B04/xdp_prog.bpf.o" >"$dir/truncated.o"
	printf 'this is not an object file\n' >"$dir/text.o"
	printf 'int %s(void) { return 2; }\n' xdp_pass_func xdp_pass xdp_parser_func \
		xdp_port_rewrite_func >"$dir/host.c"
	gcc -c "$dir/host.c" -o "$dir/x86.o"
	# Programs of another type under the names the loaders look for.
	cat >"$dir/tc.bpf.c" <<-'EOF'
		#include <linux/bpf.h>
		#include <bpf/bpf_helpers.h>
		SEC("tc") int xdp_pass_func(struct __sk_buff *skb) { return 0; }
		SEC("tc") int xdp_pass(struct __sk_buff *skb) { return 0; }
		SEC("tc") int xdp_parser_func(struct __sk_buff *skb) { return 0; }
		SEC("tc") int xdp_port_rewrite_func(struct __sk_buff *skb) { return 0; }
		char _license[] SEC("license") = "GPL";
	EOF
	"${bpf[@]}" -c "$dir/tc.bpf.c" -o "$dir/noxdp.o"
	# A packet read without the bounds check the verifier insists on.
	cat >"$dir/rejected.bpf.c" <<-'EOF'
		#include <linux/bpf.h>
		#include <bpf/bpf_helpers.h>
		SEC("xdp") int xdp_pass_func(struct xdp_md *ctx)
		{
			unsigned char *data = (void *)(long)ctx->data;
			return data[20] ? XDP_PASS : XDP_DROP;
		}
		SEC("xdp") int xdp_pass(struct xdp_md *ctx) { return xdp_pass_func(ctx); }
		SEC("xdp") int xdp_parser_func(struct xdp_md *ctx) { return xdp_pass_func(ctx); }
		SEC("xdp") int xdp_port_rewrite_func(struct xdp_md *ctx) { return xdp_pass_func(ctx); }
		char _license[] SEC("license") = "GPL";
	EOF
	"${bpf[@]}" -c "$dir/rejected.bpf.c" -o "$dir/rejected.o"
}

# ---- what each row asserts ---------------------------------------------------------

# Assert that the last run's output holds no report of a sanitizer (under
# SANITIZE=1: a memory error, a leak at exit, undefined behaviour).
assert_no_sanitizer_report() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|Sanitizer:DEADLYSIGNAL' <<<"$output"; then
		echo "a sanitizer reported a problem:"
		echo "$output"
		return 1
	fi
}

# The row's promise about the last run: a non-zero exit that is not the
# timeout's (no hang), exactly one 'error:' line, containing TEXT, and no
# sanitizer report.
assert_fault() { # TEXT
	assert_failed || return 1
	if [[ $status -eq 124 || $status -gt 128 ]]; then
		echo "expected the program to end by itself, it was stopped (exit $status):"
		echo "$output"
		return 1
	fi
	assert_one_error "$1" && assert_no_sanitizer_report
}

# Nothing of the lesson's left: no XDP program on DEV (if it still exists), no
# pin directory of it.
assert_clean() { # [DEV]
	local dev=${1:-$LAB}
	if ip link show dev "$dev" >/dev/null 2>&1; then
		assert_nothing_attached "$dev" || return 1
	fi
	if [[ -e /sys/fs/bpf/$dev ]]; then
		echo "expected no /sys/fs/bpf/$dev, found: $(ls -A "/sys/fs/bpf/$dev")"
		return 1
	fi
}

# Run the lesson program REL (DIR/PROGRAM under the top) from its directory.
run_program() { # REL ARGS...
	local rel=$1
	shift
	cd "$TOP_DIR/${rel%/*}" || return 1
	run bounded "./${rel##*/}" "$@"
	cd "$B04" || return 1
}

# Start the lesson program REL in the background (BG_PID, output in $OUT).
start_program() { # REL ARGS...
	local rel=$1
	shift
	cd "$TOP_DIR/${rel%/*}" || return 1
	# Not the output of the last one: wait_for_output reads it.
	rm -f "$OUT"
	start_bg "$OUT" "$BOUND" "./${rel##*/}" "$@"
	cd "$B04" || return 1
}

# Wait until the background command's output has a line matching RE.
wait_for_output() { # RE
	wait_until 200 grep -qE -- "$1" "$OUT"
}

# Wait for the background command to end by itself (at most BOUND seconds,
# after which timeout stops it: 124); set status and output as run does.
wait_bg() {
	status=0
	wait "$BG_PID" || status=$?
	BG_PID=""
	output=$(cat "$OUT")
}

# ---- the interface disappears under a stats loop --------------------------------

@test "basic03 xdp_load_and_stats: the interface is deleted during the stats loop: it stops with one error" {
	start_program basic03-map-counter/xdp_load_and_stats --dev "$LAB" -S --interval 1
	wait_for_output '^Printing the counters'
	ip link del dev "$LAB"
	wait_bg
	assert_fault "interface $LAB is gone"
	assert_clean
}

@test "basic03 solution: the lab is torn down (t teardown) during the stats loop: it stops with one error" {
	start_program basic-solutions/basic03-map-counter/xdp_load_and_stats --dev "$LAB" --interval 1
	wait_for_output '^Printing the counters'
	run t teardown --name "$LAB"
	assert_ok
	wait_bg
	assert_fault "interface $LAB is gone"
	assert_clean
}

@test "basic04 xdp_stats: the interface is deleted while it reads: it stops with one error naming the pins left" {
	run ./xdp_loader --dev "$LAB" -S
	assert_ok
	start_program basic04-pinning-maps/xdp_stats --dev "$LAB" --interval 1
	wait_for_output '^no packets yet'
	ip link del dev "$LAB"
	wait_bg
	assert_fault "read the counters of $LAB: No such device"
	assert_output_has "rm -r $PIN_DIR"
}

@test "basic04 solution xdp_stats: the lab is torn down while it reads: it stops with one error, no pins left" {
	run "$SOL/basic04-pinning-maps/xdp_loader" --dev "$LAB" -S \
		--filename "$SOL/basic04-pinning-maps/xdp_prog.bpf.o"
	assert_ok
	start_program basic-solutions/basic04-pinning-maps/xdp_stats --dev "$LAB" --interval 1
	wait_for_output '^no packets yet'
	run t teardown --name "$LAB"
	assert_ok
	wait_bg
	assert_fault "read the counters of $LAB: No such device"
	assert_clean
}

# ---- bpffs -----------------------------------------------------------------------

@test "basic04: bpffs not mounted: xdp_loader and xdp_stats say how to mount it, nothing attached" {
	umount /sys/fs/bpf
	run bounded ./xdp_loader --dev "$LAB"
	assert_fault "mount -t bpf bpf /sys/fs/bpf"
	assert_clean
	run bounded ./xdp_stats --dev "$LAB"
	assert_fault "mount -t bpf bpf /sys/fs/bpf"
}

@test "basic04: bpffs read-only: xdp_loader fails in one line and detaches what it attached" {
	mount -o remount,ro /sys/fs/bpf
	run bounded ./xdp_loader --dev "$LAB" -S
	assert_fault "Read-only file system"
	assert_clean
}

@test "after basic04: bpffs not mounted: every program that pins or reads pins says how to mount it" {
	local row args
	umount /sys/fs/bpf
	for row in "${PIN_PROGRAMS[@]}"; do
		read -ra args <<<"$row"
		run_program "${args[0]}" --dev "$LAB" "${args[@]:1}"
		assert_fault "mount -t bpf bpf /sys/fs/bpf" || { echo "(from $row)"; return 1; }
		assert_clean || { echo "(after $row)"; return 1; }
	done
}

@test "after basic04: bpffs read-only: every loader that pins fails in one line and detaches" {
	local row args
	mount -o remount,ro /sys/fs/bpf
	for row in "${PIN_PROGRAMS[@]}"; do
		[[ $row == */xdp_loader* ]] || continue
		read -ra args <<<"$row"
		run_program "${args[0]}" --dev "$LAB" "${args[@]:1}"
		assert_fault "Read-only file system" || { echo "(from $row)"; return 1; }
		assert_clean || { echo "(after $row)"; return 1; }
	done
}

# The pin path xdp_stats_map taken by something else. FORM makes it there.
take_pin_path() { # FORM
	mkdir -p "$PIN_DIR"
	case $1 in
	file) ln -s /etc/hostname "$MAP_PIN" ;;
	directory) mkdir "$MAP_PIN" ;;
	hash) bpftool map create "$MAP_PIN" type hash key 4 value 16 entries 5 name xdp_stats_map ;;
	key) bpftool map create "$MAP_PIN" type percpu_array key 8 value 16 entries 5 name xdp_stats_map 2>/dev/null ||
		bpftool map create "$MAP_PIN" type percpu_hash key 8 value 16 entries 5 name xdp_stats_map ;;
	value) bpftool map create "$MAP_PIN" type percpu_array key 4 value 8 entries 5 name xdp_stats_map ;;
	entries) bpftool map create "$MAP_PIN" type percpu_array key 4 value 16 entries 2 name xdp_stats_map ;;
	program) bpftool prog load "$B04/xdp_prog.bpf.o" "$MAP_PIN" type xdp ;;
	esac
}

# What is at the pin path, to see that a failed load left it alone.
describe_pin_path() {
	if [[ -L $MAP_PIN ]]; then
		echo "link to $(readlink "$MAP_PIN")"
	elif [[ -d $MAP_PIN ]]; then
		echo directory
	else
		bpftool map show pinned "$MAP_PIN" 2>/dev/null ||
			bpftool prog show pinned "$MAP_PIN" | head -n1
	fi
}

# xdp_loader (lesson and solution) and xdp_stats against the path taken by
# FORM, something that is not a map: both refuse it and leave it alone.
check_pin_path_taken() { # FORM
	local form=$1 before loader
	take_pin_path "$form"
	before=$(describe_pin_path)
	for loader in "$B04" "$SOL/basic04-pinning-maps"; do
		run bounded "$loader/xdp_loader" --dev "$LAB" -S --filename "$loader/xdp_prog.bpf.o"
		assert_fault "$MAP_PIN" || return 1
		assert_nothing_attached || return 1
		if [[ $(describe_pin_path) != "$before" ]]; then
			echo "$loader/xdp_loader changed what was at $MAP_PIN: was '$before', is '$(describe_pin_path)'"
			return 1
		fi
		run bounded "$loader/xdp_stats" --dev "$LAB"
		assert_fault "$MAP_PIN" || return 1
	done
}

# A map of another shape pinned under the loader's own name (an older build
# of the program): xdp_stats refuses to read it, in one line; xdp_loader
# (lesson and solution) pins a map of the program's shape in its place, as
# lesson basic04 teaches (its assignment 2 checks it).
check_pin_holds_misfit() { # FORM
	local loader shape
	for loader in "$B04" "$SOL/basic04-pinning-maps"; do
		rm -rf "$PIN_DIR"
		take_pin_path "$1"
		run bounded "$loader/xdp_stats" --dev "$LAB"
		assert_fault "$MAP_PIN is not an XDP stats map" || return 1
		run bounded "$loader/xdp_loader" --dev "$LAB" -S --force \
			--filename "$loader/xdp_prog.bpf.o"
		assert_ok || return 1
		assert_no_sanitizer_report || return 1
		shape=$(bpftool -j map show pinned "$MAP_PIN" |
			grep -oE '"(type|bytes_key|bytes_value|max_entries)":"?[a-z_0-9]+' | tr '\n' ' ')
		if [[ $shape != *'"type":"percpu_array'*'"bytes_key":4 "bytes_value":16 "max_entries":5 '* ]]; then
			echo "expected $loader/xdp_loader to pin a map of the program's shape, saw: $shape"
			return 1
		fi
		run bounded "$loader/xdp_loader" --dev "$LAB" --unload --filename "$loader/xdp_prog.bpf.o"
		assert_ok || return 1
	done
}

# The loaders after basic04 (common/pins.c) against the path taken by FORM:
# refused, left alone, nothing attached.
check_pin_path_taken_later() { # FORM
	local row args before
	take_pin_path "$1"
	before=$(describe_pin_path)
	for row in "${PIN_PROGRAMS[@]}"; do
		[[ $row == */xdp_loader* ]] || continue
		read -ra args <<<"$row"
		run_program "${args[0]}" --dev "$LAB" "${args[@]:1}"
		assert_fault "$MAP_PIN" || { echo "(from $row)"; return 1; }
		assert_nothing_attached || return 1
		if [[ $(describe_pin_path) != "$before" ]]; then
			echo "$row changed what was at $MAP_PIN: was '$before', is '$(describe_pin_path)'"
			return 1
		fi
	done
}

@test "after basic04: the pin path is a directory, or holds a program: every loader that pins refuses it" {
	check_pin_path_taken_later directory
	rm -rf "$PIN_DIR"
	check_pin_path_taken_later program
}

@test "basic04: the pin path is a file (a link): xdp_loader and xdp_stats refuse it, leave it alone" {
	check_pin_path_taken file
}

@test "basic04: the pin path is a directory: xdp_loader and xdp_stats refuse it, leave it alone" {
	check_pin_path_taken directory
}

@test "basic04: the pin path holds a map of another type: xdp_stats refuses it, xdp_loader replaces it" {
	check_pin_holds_misfit hash
}

@test "basic04: the pin path holds a map of another key size: xdp_stats refuses it, xdp_loader replaces it" {
	check_pin_holds_misfit key
}

@test "basic04: the pin path holds a map of another value size: xdp_stats refuses it, xdp_loader replaces it" {
	check_pin_holds_misfit value
}

@test "basic04: the pin path holds a map with too few entries: xdp_stats refuses it, xdp_loader replaces it" {
	check_pin_holds_misfit entries
}

@test "basic04: the pin path holds a program: refused, left alone" {
	check_pin_path_taken program
}

# MODE: -S for the programs that take it, all loaders but xdp_link_pin (a
# bpf_link chooses its mode itself) and xdp_prog_user (it attaches nothing).
mode_arg() { # REL
	MODE=(-S)
	[[ $1 != */xdp_link_pin && $1 != */xdp_prog_user ]] || MODE=()
}

# ---- object files --------------------------------------------------------------------

# Every loader with --filename FILE: one error line containing TEXT, nothing
# attached or pinned.
check_bad_object() { # FILE TEXT
	local rel MODE
	for rel in "${OBJECT_LOADERS[@]}"; do
		mode_arg "$rel"
		run_program "$rel" --dev "$LAB" "${MODE[@]}" --filename "$1"
		assert_fault "$2" || { echo "(from $rel)"; return 1; }
		assert_clean || { echo "(after $rel)"; return 1; }
	done
}

@test "every loader: the object file is missing" {
	check_bad_object "$BATS_FILE_TMPDIR/missing.o" "No such file"
}

@test "every loader: the object file is empty" {
	check_bad_object "$BATS_FILE_TMPDIR/empty.o" "$BATS_FILE_TMPDIR/empty.o"
}

@test "every loader: the object file is truncated" {
	check_bad_object "$BATS_FILE_TMPDIR/truncated.o" "$BATS_FILE_TMPDIR/truncated.o"
}

@test "every loader: the object file is not ELF" {
	check_bad_object "$BATS_FILE_TMPDIR/text.o" "$BATS_FILE_TMPDIR/text.o"
}

@test "every loader: the object file is ELF for another architecture (gcc, x86)" {
	check_bad_object "$BATS_FILE_TMPDIR/x86.o" "$BATS_FILE_TMPDIR/x86.o"
}

@test "every loader: the object file holds no XDP program (tc programs of the same names)" {
	check_bad_object "$BATS_FILE_TMPDIR/noxdp.o" "XDP"
}

@test "every loader: the verifier rejects the program" {
	check_bad_object "$BATS_FILE_TMPDIR/rejected.o" "verifier"
}

@test "every loader: the object file is a directory" {
	check_bad_object "$BATS_FILE_TMPDIR" "$BATS_FILE_TMPDIR"
}

# ---- the device ------------------------------------------------------------------------

@test "every loader with modes: -N on lo, which has no native XDP: one error, nothing attached" {
	local rel
	for rel in "${OBJECT_LOADERS[@]}"; do
		# packet01's starter never gets that far: the verifier refuses it
		# (its assignments make it loadable).
		[[ $rel != */xdp_link_pin && $rel != packet01-parsing/* ]] || continue
		run_program "$rel" --dev lo -N
		assert_fault "lo" || { echo "(from $rel)"; return 1; }
		assert_output_has "--skb-mode" || return 1
		assert_clean lo || return 1
	done
}

# ---- signals -------------------------------------------------------------------------

@test "basic03: SIGINT and SIGTERM during the stats loop: it detaches and exits 0" {
	local sig
	for sig in INT TERM; do
		start_program basic03-map-counter/xdp_load_and_stats --dev "$LAB" -S --interval 1
		wait_for_output '^Printing the counters'
		assert_stops_cleanly "$sig"
		assert_clean
	done
}

@test "basic03: a signal right after the attach: the program is detached all the same" {
	local sig
	for sig in INT TERM; do
		start_program basic03-map-counter/xdp_load_and_stats --dev "$LAB" -S --interval 1
		wait_until 300 attached_id_set
		kill -"$sig" "$BG_PID"
		wait_bg
		assert_status 0
		assert_no_sanitizer_report
		assert_clean
	done
}

attached_id_set() {
	[[ -n $(attached_id) ]]
}

@test "basic04 xdp_loader: a signal at any moment leaves all (attached and pinned) or nothing" {
	local delay
	for delay in 0 0.005 0.01 0.02 0.03 0.05 0.08 0.1 0.15 0.2; do
		./xdp_loader --dev "$LAB" -S >"$OUT" 2>&1 &
		sleep "$delay"
		kill -TERM $! 2>/dev/null || true
		wait $! || true
		if [[ -n $(attached_id) && ! -e $MAP_PIN ]] || [[ -z $(attached_id) && -e $MAP_PIN ]]; then
			echo "SIGTERM after ${delay}s left it half done: attached '$(attached_id)', pins: $(ls -A "$PIN_DIR" 2>&1)"
			cat "$OUT"
			return 1
		fi
		rm -rf "$PIN_DIR"
		detach_xdp
	done
}

# Attached through a link exactly when the link is pinned, and the maps are
# pinned exactly when the link is. A released link detaches a moment later.
link_pin_consistent() {
	local attached=0 link=0 maps=0
	[[ -z $(attached_id) ]] || attached=1
	[[ ! -e $PIN_DIR/xdp_link ]] || link=1
	[[ ! -e $MAP_PIN ]] || maps=1
	[[ $attached -eq $link && $link -eq $maps ]]
}

@test "basic04 xdp_link_pin: a signal at any moment leaves all (link and maps pinned) or nothing" {
	local delay
	for delay in 0 0.005 0.01 0.02 0.03 0.05 0.08 0.1 0.15 0.2; do
		./xdp_link_pin --dev "$LAB" >"$OUT" 2>&1 &
		sleep "$delay"
		kill -TERM $! 2>/dev/null || true
		wait $! || true
		if ! wait_until 30 link_pin_consistent; then
			echo "SIGTERM after ${delay}s left it half done: attached '$(attached_id)'," \
				"pins: $(ls -A "$PIN_DIR" 2>&1)"
			cat "$OUT"
			return 1
		fi
		rm -rf "$PIN_DIR"
		wait_until 30 nothing_attached_here || return 1
	done
}

nothing_attached_here() {
	[[ -z $(attached_id) ]]
}

@test "basic04 xdp_stats: SIGINT and SIGTERM end it with exit 0, the pins stay" {
	local sig
	run ./xdp_loader --dev "$LAB" -S
	assert_ok
	for sig in INT TERM; do
		start_program basic04-pinning-maps/xdp_stats --dev "$LAB" --interval 1
		# Its first period: the signal handlers are in place by then.
		wait_for_output '^no packets yet'
		assert_stops_cleanly "$sig"
		[[ -e $MAP_PIN ]]
	done
}

# ---- at the same moment -------------------------------------------------------------

@test "two basic04 loaders on one interface at once: one attaches and pins, the other fails in one line" {
	local rc1=0 rc2=0 pinned prog
	./xdp_loader --dev "$LAB" -S >"$OUT.1" 2>&1 &
	local pid1=$!
	./xdp_loader --dev "$LAB" -S >"$OUT.2" 2>&1 &
	local pid2=$!
	wait "$pid1" || rc1=$?
	wait "$pid2" || rc2=$?
	if [[ $rc1 -eq 0 && $rc2 -eq 0 ]] || [[ $rc1 -ne 0 && $rc2 -ne 0 ]]; then
		echo "expected one to succeed and one to fail, saw exits $rc1 and $rc2:"
		cat "$OUT.1" "$OUT.2"
		return 1
	fi
	status=$((rc1 + rc2))
	output=$(if [[ $rc1 -ne 0 ]]; then cat "$OUT.1"; else cat "$OUT.2"; fi)
	assert_fault "$LAB"
	# The pin leads to the map of the program that is attached.
	pinned=$(bpftool map show pinned "$MAP_PIN" | sed -n '1s/^\([0-9]*\):.*/\1/p')
	prog=$(bpftool -j prog show id "$(attached_id)" | grep -o '"map_ids":\[[0-9,]*\]')
	if [[ $prog != *"[$pinned"[],]* && $prog != *",$pinned"[],]* ]]; then
		echo "the pinned map $pinned is not a map of the attached program ($prog)"
		return 1
	fi
}

@test "two basic03 loaders on one interface at once: one runs, the other fails in one line" {
	start_program basic03-map-counter/xdp_load_and_stats --dev "$LAB" -S --interval 1
	start_second_loader
	# The one that lost ends by itself; the other runs until stopped.
	wait_until 100 one_has_ended
	take_the_loser
	assert_fault "$LAB"
	assert_stops_cleanly INT
	assert_clean
}

# A second basic03 loader on the lab, in the background: BG2_PID, output in $OUT.2.
start_second_loader() {
	cd "$B03" || return 1
	timeout -s INT "$BOUND" ./xdp_load_and_stats --dev "$LAB" -S --interval 1 >"$OUT.2" 2>&1 &
	BG2_PID=$!
	cd "$B04" || return 1
}

# Whether one of the two background loaders has ended.
one_has_ended() {
	! kill -0 "$BG_PID" 2>/dev/null || ! kill -0 "$BG2_PID" 2>/dev/null
}

# Wait for the loader that ended and set status and output from it; the
# other one becomes the background command (BG_PID, BG_OUT).
take_the_loser() {
	status=0
	if kill -0 "$BG_PID" 2>/dev/null; then
		wait "$BG2_PID" || status=$?
		output=$(cat "$OUT.2")
	else
		wait "$BG_PID" || status=$?
		output=$(cat "$OUT")
		# shellcheck disable=SC2034 # BG_OUT: read by lab_helpers
		BG_PID=$BG2_PID BG_OUT=$OUT.2
	fi
	BG2_PID=""
}

@test "testenv: 't setup' of one name from two shells at once: one lab, one clear error" {
	local rc1=0 rc2=0
	"$TESTENV" setup --name fltrace >"$OUT.1" 2>&1 &
	local pid1=$!
	"$TESTENV" setup --name fltrace >"$OUT.2" 2>&1 &
	local pid2=$!
	wait "$pid1" || rc1=$?
	wait "$pid2" || rc2=$?
	if [[ $rc1 -eq 0 && $rc2 -eq 0 ]] || [[ $rc1 -ne 0 && $rc2 -ne 0 ]]; then
		echo "expected one setup to succeed and one to fail, saw exits $rc1 and $rc2:"
		cat "$OUT.1" "$OUT.2"
		return 1
	fi
	output=$(if [[ $rc1 -ne 0 ]]; then cat "$OUT.1"; else cat "$OUT.2"; fi)
	if [[ $(grep -c 'error:' <<<"$output") -ne 1 || $output != *"exists already"* ]]; then
		echo "expected one error line saying the lab exists already, saw:"
		echo "$output"
		return 1
	fi
	# The lab that won is whole: it answers a ping.
	run t ping --name fltrace
	assert_ok
	run t teardown --name fltrace
	assert_ok
	[[ ! -e /run/netns/fltrace ]]
	assert_no_link fltrace
}

assert_no_link() { # DEV
	if ip link show dev "$1" >/dev/null 2>&1; then
		echo "expected no interface $1, found it"
		return 1
	fi
}

@test "testenv: 't teardown' of a lab whose namespace someone deleted removes the rest" {
	mkdir -p "$PIN_DIR"
	ip netns del "$LAB"
	run t teardown --name "$LAB"
	assert_ok
	assert_no_sanitizer_report
	[[ ! -e /run/netns/$LAB && ! -e $PIN_DIR && ! -e /run/xdp-tutorial/testenv/$LAB.env ]]
	assert_no_link "$LAB"
	# And a second time: nothing to do.
	run t teardown --name "$LAB"
	assert_ok
}

# ---- options ----------------------------------------------------------------------------

# The options of REL that take a value, from its --help ("--name VALUE").
value_options() { # REL
	"$TOP_DIR/$1" --help | grep -oE -- '--[a-z-]+ [A-Z]+' | cut -d' ' -f1 | sort -u
}

@test "every program: every option with a missing, empty, huge, negative or non-numeric value" {
	local rel opt value huge MODE
	huge=$(printf 'x%.0s' {1..5000})
	for rel in "${ALL_PROGRAMS[@]}"; do
		for opt in $(value_options "$rel"); do
			# The value last on the line: missing.
			run_program "$rel" --dev "$LAB" "$opt"
			[[ $opt == --dev ]] && run_program "$rel" "$opt"
			assert_fault "$opt" || { echo "(from $rel $opt, no value)"; return 1; }
			# basic02's starter finds its program by position: its
			# assignment is to honour --progname.
			[[ $opt == --dev || $rel == basic02-*/xdp_loader && $opt == --progname ]] && continue
			for value in "" "$huge" -1 abc 99999999999999999999; do
				if [[ $rel == */xdp_stats ]]; then
					run_program "$rel" --dev "$LAB" "$opt" "$value"
				else
					mode_arg "$rel"
					run_program "$rel" --dev "$LAB" "${MODE[@]}" "$opt" "$value"
				fi
				assert_fault "" || { echo "(from $rel $opt '${value:0:20}')"; return 1; }
				assert_clean || { echo "(after $rel $opt '${value:0:20}')"; return 1; }
			done
		done
	done
}

@test "every program: --dev with an empty, huge, negative, non-numeric, unknown value" {
	local rel value
	for rel in "${ALL_PROGRAMS[@]}"; do
		for value in "" "$(printf 'x%.0s' {1..5000})" -1 abc 99999; do
			run_program "$rel" --dev "$value"
			if [[ $rel == */xdp_stats && $value =~ ^(abc|99999)$ ]]; then
				# A reader of pins: no pins for that name.
				assert_fault "no pinned stats map" || { echo "(from $rel '$value')"; return 1; }
				continue
			fi
			assert_fault "" || { echo "(from $rel --dev '${value:0:20}')"; return 1; }
		done
	done
}

@test "every program and testenv: interface names of 16+ bytes, with /, spaces, shell metacharacters, non-ASCII" {
	local rel name canary=$BATS_TEST_TMPDIR/canary
	local names=(abcdefghijklmnop "../../$LAB" "a/b" "two words" "x;touch $canary"
		"\$(touch $canary)" "\`touch $canary\`" "a|b" "é-lab" "." "..")
	for name in "${names[@]}"; do
		for rel in "${ALL_PROGRAMS[@]}"; do
			run_program "$rel" --dev "$name"
			assert_fault "" || { echo "(from $rel --dev '$name')"; return 1; }
		done
		run t setup --name "$name"
		assert_failed || return 1
		if [[ $(grep -c 'error:' <<<"$output") -ne 1 ]]; then
			echo "expected one error line from t setup --name '$name', saw:"
			echo "$output"
			return 1
		fi
	done
	[[ ! -e $canary ]] || { echo "a name was run as a command: $canary exists"; return 1; }
	# Nothing was made for any of them (bpffs shows its own *.debug files).
	local made
	made=$(find /sys/fs/bpf -mindepth 1 -maxdepth 1 ! -name "$LAB" ! -name '*.debug')
	[[ -z $made ]] || { echo "made: $made"; return 1; }
}

# ---- what root runs and reads -----------------------------------------------------------

@test "testenv: 't load' refuses to run, as root, a loader that anyone could have changed" {
	local dir=$BATS_TEST_TMPDIR/open canary=$BATS_TEST_TMPDIR/canary
	mkdir -p "$dir"
	printf '#!/bin/sh\ntouch %s\n' "$canary" >"$dir/xdp_loader"
	chmod 777 "$dir/xdp_loader"
	cd "$dir"
	run t load --name "$LAB"
	assert_failed
	if [[ $(grep -c 'error:' <<<"$output") -ne 1 || $output != *"others cannot change"* ]]; then
		echo "expected one error line about who may change $dir/xdp_loader, saw:"
		echo "$output"
		return 1
	fi
	[[ ! -e $canary ]] || { echo "t load ran the world-writable $dir/xdp_loader"; return 1; }
}

@test "testenv: a state directory that another user owns is not trusted" {
	local state=/run/xdp-tutorial/testenv
	chown 65534 "$state"
	run t setup --name fltrace
	chown 0 "$state"
	assert_failed
	if [[ $(grep -c 'error:' <<<"$output") -ne 1 || $output != *"must belong to root"* ]]; then
		echo "expected one error line about the owner of $state, saw:"
		echo "$output"
		return 1
	fi
	assert_no_link fltrace
}

# ---- not root -------------------------------------------------------------------------

@test "not root: every testenv command says it needs root, in one line" {
	local cmd
	chmod 755 "$BATS_TEST_TMPDIR"
	for cmd in setup teardown reset status ping enter exec load unload stats tcpdump "redirect a b"; do
		# shellcheck disable=SC2086 # the command and its arguments
		run as_nobody "$TESTENV" $cmd
		assert_failed || return 1
		if [[ $(wc -l <<<"$output") -ne 1 || $output != *"needs root"* ]]; then
			echo "expected one line saying '$cmd' needs root, saw:"
			echo "$output"
			return 1
		fi
	done
}

@test "not root: make test says it needs root, in one line before anything" {
	run as_nobody make -s -C "$TOP_DIR" test
	assert_failed
	assert_output_has "need root"
	if [[ $(grep -c 'error' <<<"$output") -ne 1 ]]; then
		echo "expected one error line, saw:"
		echo "$output"
		return 1
	fi
}

# ---- the sanitizers themselves ----------------------------------------------------------

# Under SANITIZE=1 the rows above also say "no sanitizer report"; this makes
# sure there is a sanitizer to report: every program is linked with ASan and
# UBSan, and LeakSanitizer, here, with these options, catches a leak.
@test "SANITIZE=1: every program has ASan and UBSan, and LeakSanitizer reports a leak here" {
	local rel leak=$BATS_TEST_TMPDIR/leak
	if [[ ${SANITIZE:-} != 1 ]]; then
		skip "a run with SANITIZE=1 checks this (make test SANITIZE=1)"
	fi
	for rel in "${ALL_PROGRAMS[@]}"; do
		# The runtimes' entry points, linked in (clang) or imported (gcc).
		if ! grep -q __asan_init "$TOP_DIR/$rel" || ! grep -q __ubsan_handle "$TOP_DIR/$rel"; then
			echo "$rel is not built with -fsanitize=address,undefined"
			return 1
		fi
	done
	printf '#include <stdlib.h>\nint main(void) { return !malloc(64); }\n' >"$leak.c"
	"${CC:-gcc}" -fsanitize=address,undefined -o "$leak" "$leak.c"
	run "$leak"
	assert_failed
	assert_output_has "ERROR: LeakSanitizer: detected memory leaks"
}
