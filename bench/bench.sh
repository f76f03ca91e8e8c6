#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what XDP buys on this machine, side by side in one run, with the
# lessons' own programs (bench/README.org explains each measurement).
#
#   drop     XDP_DROP against iptables raw, nftables netdev ingress, tc ingress
#   forward  packet03's router and redirect_map against Linux forwarding, IPv4/IPv6
#   reply    packet03's XDP_TX echo responder against the kernel answering
#   cost     ns per packet of every lesson program, BPF_PROG_RUN repeat, no wire
#   scale    drop and forward at 64, 512 and 1500-byte frames; the router on 1..all CPUs
#
# Usage: bench/bench.sh [--quick] [--runs N] [--seconds S] [--batch N] [--only GROUP] [--out DIR]
#   --quick      every measurement once, briefly: checks that the bench works
#                (the numbers mean little); what make bench QUICK=1 runs
#   --runs N     runs per measurement (default 7; the table shows min/median/max)
#   --seconds S  traffic per run (default 0.3)
#   --batch N    frames per batch of the generator (default 128, at most 256)
#   --only GROUP one group: drop, forward, reply, cost or scale
#   --out DIR    where the JSON and the chart go (default bench/results)
#
# Traffic comes from xdpbench gen inside the lab bgen, counted where it
# arrives. Runs in a private network and mount namespace (tests/lib/isolate.sh):
# what it makes is gone when it ends, also after Ctrl-C. Needs root.
set -uo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=$TOP_DIR/bench
# BENCH_XDPBENCH: another xdpbench (the tests put a stand-in there, to play a
# kernel without live frames).
XDPBENCH=${BENCH_XDPBENCH:-$BENCH_DIR/xdpbench}
BENCH_OBJ=$BENCH_DIR/xdp_bench.bpf.o
TC_OBJ=$BENCH_DIR/tc_drop.bpf.o
TESTENV=$TOP_DIR/testenv/testenv.sh

# The lesson programs (the reference solutions' objects). BENCH_LESSONS_TOP
# takes them from another tree (the tests point it at an empty one).
LESSONS_TOP=${BENCH_LESSONS_TOP:-$TOP_DIR}
BASIC01=$LESSONS_TOP/basic-solutions/basic01-xdp-pass/xdp_pass.bpf.o
BASIC02=$LESSONS_TOP/basic-solutions/basic02-prog-by-name/xdp_prog.bpf.o
BASIC03=$LESSONS_TOP/basic-solutions/basic03-map-counter/xdp_prog.bpf.o
BASIC04=$LESSONS_TOP/basic-solutions/basic04-pinning-maps/xdp_prog.bpf.o
PACKET01=$LESSONS_TOP/packet-solutions/packet01-parsing/xdp_prog.bpf.o
PACKET03=$LESSONS_TOP/packet-solutions/packet03-redirecting/xdp_prog.bpf.o
HELPERS=$LESSONS_TOP/tests/prog/rewrite_progs.bpf.o
PARSERS=$LESSONS_TOP/tests/prog/parsing_progs.bpf.o

RUNS=7
SECONDS_PER_RUN=0.3
REPEAT=200000
QUICK=0
BATCH=128
ONLY=""
OUT_DIR=$BENCH_DIR/results

usage() {
	sed -n 's/^# \{0,1\}//; 4,24p' "${BASH_SOURCE[0]}"
}

die() {
	echo "error: $*" >&2
	exit 1
}

parse_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--quick) QUICK=1; shift ;;
		--runs)
			[[ ${2:-} =~ ^[1-9][0-9]?$ ]] || die "--runs wants a number from 1 to 99"
			RUNS=$2; shift 2 ;;
		--seconds)
			if ! [[ ${2:-} =~ ^[0-9]*\.?[0-9]+$ ]] ||
				! awk -v s="$2" 'BEGIN { exit !(s > 0 && s <= 10) }'; then
				die "--seconds wants a number above 0, at most 10"
			fi
			SECONDS_PER_RUN=$2; shift 2 ;;
		--batch)
			[[ ${2:-} =~ ^[1-9][0-9]*$ && $2 -le 256 ]] || die "--batch wants a number from 1 to 256"
			BATCH=$2; shift 2 ;;
		--only)
			[[ ${2:-} =~ ^(drop|forward|reply|cost|scale)$ ]] ||
				die "--only wants one of drop, forward, reply, cost, scale"
			ONLY=$2; shift 2 ;;
		--out)
			[[ -n ${2:-} ]] || die "--out wants a directory"
			OUT_DIR=$(realpath -m "$2"); shift 2 ;;
		*) echo "bench: unknown option '$1' (see bench/bench.sh --help)" >&2; exit 2 ;;
		esac
	done
	if [[ $QUICK == 1 ]]; then
		RUNS=1 SECONDS_PER_RUN=0.05 REPEAT=10000
	fi
}

# Everything the bench cannot run without: one line for the first thing missing.
check_ready() {
	local tool
	if [[ $EUID -ne 0 ]]; then
		die "the bench loads XDP programs and makes network namespaces: run it as root ('sudo make bench')"
	fi
	for tool in ip ethtool tc jq taskset unshare awk; do
		command -v "$tool" >/dev/null || die "$tool not found: install what the bench needs with 'sudo make deps'"
	done
	[[ -x $XDPBENCH && -f $BENCH_OBJ && -f $TC_OBJ ]] ||
		die "the bench is not built: run 'make' at the top ('make bench' builds it first)"
}

# ---- the lab ---------------------------------------------------------------------
#
#    netns bgen                  here: the device under test          netns bsink
#  +--------------+  veth  +--------------------------------+  veth  +--------------+
#  | veth0        |========| bgen       routes / XDP  bsink |========| veth0        |
#  | xdpbench gen |  --->  | 198.18.1.1             .2.1    |  --->  | 198.18.2.2   |
#  | 198.18.1.2   |  <---  | (the program under test is     |        | XDP_DROP:    |
#  | XDP_DROP:    |        |  attached to bgen)             |        | counts what  |
#  | counts replies        +--------------------------------+        | is forwarded |
#  +--------------+                                                  +--------------+

WORK=""
GEN_PIDS=()
FORWARDING_BEFORE=()

cleanup() {
	local pid
	trap - EXIT INT TERM
	for pid in "${GEN_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	clear_dut
	"$TESTENV" teardown --name bgen >/dev/null 2>&1
	"$TESTENV" teardown --name bsink >/dev/null 2>&1
	[[ ${#FORWARDING_BEFORE[@]} -eq 0 ]] || sysctl -qw "${FORWARDING_BEFORE[@]}"
	[[ -n $WORK ]] && rm -rf "$WORK"
}

# Remove whatever a measurement put on the device under test.
clear_dut() {
	ip link set dev bgen xdp off 2>/dev/null
	[[ -n ${IPTABLES:-} ]] && $IPTABLES -t raw -F PREROUTING 2>/dev/null
	command -v nft >/dev/null && nft delete table netdev bench 2>/dev/null
	tc qdisc del dev bgen clsact 2>/dev/null
	return 0
}

# The first address of FAMILY (-4 or -6) on DEV in NS ('' = here).
addr_of() { # NS FAMILY DEV
	ip ${1:+-n "$1"} "$2" -br addr show dev "$3" scope global | awk '{ sub("/.*", "", $3); print $3 }'
}

mac_of() { # NS DEV
	ip ${1:+-n "$1"} -br link show dev "$2" | awk '{ print $3 }'
}

setup_lab() {
	local ns cpus
	"$TESTENV" setup --name bgen --legacy-ip >/dev/null || die "testenv could not make the lab bgen"
	"$TESTENV" setup --name bsink --legacy-ip >/dev/null || die "testenv could not make the lab bsink"
	# Forwarding as it was comes back in cleanup: inside the test suite, this
	# namespace is the one every later test runs in.
	FORWARDING_BEFORE=(
		"net.ipv4.ip_forward=$(sysctl -n net.ipv4.ip_forward)"
		"net.ipv6.conf.all.forwarding=$(sysctl -n net.ipv6.conf.all.forwarding)"
	)
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		die "cannot turn forwarding on"
	# One receive queue per CPU, so that frames sent on CPU n are received on CPU n.
	cpus=$(nproc)
	for ns in bgen bsink; do
		ethtool -L "$ns" rx "$cpus" tx "$cpus" 2>/dev/null
		ip netns exec "$ns" ethtool -L veth0 rx "$cpus" tx "$cpus" 2>/dev/null
	done
	GEN_MAC=$(mac_of bgen veth0) DUT_MAC=$(mac_of "" bgen) SINK_MAC=$(mac_of bsink veth0)
	GEN4=$(addr_of bgen -4 veth0) DUT4=$(addr_of "" -4 bgen) SINK4=$(addr_of bsink -4 veth0)
	GEN6=$(addr_of bgen -6 veth0) SINK6=$(addr_of bsink -6 veth0)
	# The receivers: a bare XDP_DROP, counted by veth in its xdp_drops.
	for ns in bgen bsink; do
		ip netns exec "$ns" "$XDPBENCH" attach --dev veth0 --obj "$BENCH_OBJ" --prog xdp_bare_drop ||
			die "cannot attach the receivers' XDP program in $ns"
	done
	setup_per_core
	CUR_PER_CORE=$PER_CORE
	IPTABLES=""
	if command -v iptables-legacy >/dev/null && iptables-legacy -t raw -nL PREROUTING >/dev/null 2>&1; then
		IPTABLES=iptables-legacy
	elif command -v iptables >/dev/null; then
		IPTABLES=iptables
	fi
}

# ---- the receiving core ------------------------------------------------------------
#
# The generator and the device under test must not share a CPU: on one CPU, each
# rate would be 1 / (sender's cost + receiver's cost), and the sender's share
# (the same for every method) would squeeze every ratio towards 1. With two
# CPUs or more, bgen's NAPI runs threaded (a kernel thread per receive queue,
# /sys/class/net/bgen/threaded), pinned to DUT_CPU, and all it does there (the
# XDP program, or the Linux stack that XDP_PASS hands the frame to) is the cost
# of the method. The generators run on GEN_CPU with the receivers' NAPI threads
# (bgen's and bsink's veth0), which run at a real-time priority to keep up.
# A live rate is then per core, like the XDP paper's: frames counted where they
# arrive / the CPU time of bgen's NAPI threads (the DUT is rarely the only
# bottleneck, the frames per wall-clock second are kept beside it, as "wall").
PER_CORE=0 GEN_CPU=0 DUT_CPU=1 PER_CORE_WHY=""

# The PIDs of the NAPI threads of the devices named DEV (kernel threads "napi/DEV-ID").
napi_threads() { # DEV
	pgrep "^napi/$1-[0-9]" || true
}

# Turn threaded NAPI on (1) or off (0) for DEV in NS ('' = here).
set_threaded() { # NS DEV 0|1
	if [[ -n $1 ]]; then
		ip netns exec "$1" sh -c "echo $3 >/sys/class/net/$2/threaded"
	else
		echo "$3" >"/sys/class/net/$2/threaded"
	fi 2>/dev/null
}

# A device takes the setting only while it has NAPI instances, which veth has
# while an XDP program is attached; the setting then stays for later ones.
set_dut_threaded() { # 0|1
	local rc=0
	use_pass && set_threaded "" bgen "$1" || rc=1
	clear_dut
	return "$rc"
}

# The CPUs this process may run on, one per line (Cpus_allowed_list: "0-3,6").
allowed_cpus() {
	awk -F'[:,]' '/^Cpus_allowed_list:/ {
		for (i = 2; i <= NF; i++) {
			n = split($i, r, "-"); lo = r[1] + 0; hi = (n > 1 ? r[2] : r[1]) + 0
			for (c = lo; c <= hi; c++) print c
		} }' /proc/self/status
}

setup_per_core() {
	local pid allowed
	mapfile -t allowed < <(allowed_cpus)
	if ((${#allowed[@]} < 2)); then
		PER_CORE_WHY="one CPU: the generator and the device under test share it (rates per wall-clock second)"
		return
	fi
	GEN_CPU=${allowed[0]} DUT_CPU=${allowed[1]}
	if ! threaded_napi 1; then
		threaded_napi 0
		PER_CORE_WHY="no threaded NAPI here: the generator and the device under test share a CPU"
		return
	fi
	for pid in $(napi_threads veth0); do
		if ! taskset -pc "$GEN_CPU" "$pid" >/dev/null || ! chrt -f -p 50 "$pid"; then
			threaded_napi 0
			PER_CORE_WHY="cannot pin the receivers' NAPI threads: the generator and the device under test share a CPU"
			return
		fi
	done
	PER_CORE=1
}

# Threaded NAPI on (1) or off (0) for the DUT and both receivers.
threaded_napi() { # 0|1
	set_dut_threaded "$1" && set_threaded bgen veth0 "$1" && set_threaded bsink veth0 "$1"
}

# bgen's NAPI threads are made when a program is attached: pin them then.
pin_dut() {
	local pid
	for pid in $(napi_threads bgen); do
		taskset -pc "$DUT_CPU" "$pid" >/dev/null || return 1
	done
}

# CPU time of bgen's NAPI threads so far, in ns (their schedstat).
dut_cpu_ns() {
	local pid sum=0 ns
	for pid in $(napi_threads bgen); do
		read -r ns _ 2>/dev/null <"/proc/$pid/schedstat" && sum=$((sum + ns))
	done
	echo "$sum"
}

# FRAME: the xdpbench options of the frame KIND of SIZE bytes.
frame() { # KIND SIZE
	case $1 in
	echo4) FRAME=(--icmp --src "$GEN4" --dst "$DUT4") ;;
	fwd4) FRAME=(--src "$GEN4" --dst "$SINK4") ;;
	fwd6) FRAME=(--src "$GEN6" --dst "$SINK6") ;;
	esac
	FRAME+=(--smac "$GEN_MAC" --dmac "$DUT_MAC" --size "$2")
}

# ---- counters at the receivers ---------------------------------------------------

# The sum of veth's per-queue counter NAME (xdp_drops, xdp_redirect, xdp_tx) of DEV in NS.
veth_counter() { # NS DEV NAME
	if [[ -n $1 ]]; then
		ip netns exec "$1" ethtool -S "$2"
	else
		ethtool -S "$2"
	fi | awk -v name="$3" '$1 ~ "^rx_queue_[0-9]+_" name ":$" { s += $2 } END { print s + 0 }'
}

count_dut_drops() { veth_counter "" bgen xdp_drops; }
count_dut_redirects() { veth_counter "" bgen xdp_redirect; }
count_dut_tx() { veth_counter "" bgen xdp_tx; }
count_sink() { veth_counter bsink veth0 xdp_drops; }
count_replies() { veth_counter bgen veth0 xdp_drops; }
count_iptables() { $IPTABLES -t raw -nvxL PREROUTING | awk 'NR == 3 { print $1 + 0 }'; }
count_nft() { nft list chain netdev bench in | awk '$1 == "counter" { print $3 + 0 }'; }
count_tc() {
	tc -s qdisc show dev bgen | awk '/^qdisc clsact/ { c = 1 } c && /dropped/ {
		sub(",", "", $7); print $7 + 0; exit }'
}
count_none() { echo 0; }

# ---- what goes on the device under test -------------------------------------------

# Attach program PROG of OBJ to bgen (xdpbench attach; exit 3: not built).
use_xdp() { # OBJ PROG [xdpbench options]
	local obj=$1 prog=$2
	shift 2
	"$XDPBENCH" attach --dev bgen --obj "$obj" --prog "$prog" "$@"
}

# The Linux baselines: XDP_PASS on bgen, so that frames take the same driver
# path as under XDP, then the drop in the stack.
use_pass() { use_xdp "$BENCH_OBJ" xdp_bare_pass; }
use_iptables() {
	[[ -n $IPTABLES ]] || { echo "no iptables: install it with 'sudo make deps'" >&2; return 3; }
	use_pass && $IPTABLES -t raw -A PREROUTING -i bgen -j DROP
}
use_nft() {
	command -v nft >/dev/null || { echo "no nft: install nftables with 'sudo make deps'" >&2; return 3; }
	use_pass && nft -f - <<-EOF
		table netdev bench {
			chain in {
				type filter hook ingress device bgen priority 0;
				counter drop
			}
		}
	EOF
}
use_tc() {
	use_pass && tc qdisc add dev bgen clsact &&
		tc filter add dev bgen ingress bpf direct-action obj "$TC_OBJ" sec tc
}
use_redirect_to_sink() { # OBJ PROG
	use_xdp "$1" "$2" --to bsink --to-mac "$SINK_MAC" --smac "$GEN_MAC"
}

# ---- measuring ---------------------------------------------------------------------

RESULTS=""     # one line per measurement (see record)
MEASURED=0
SKIPPED=0
FAILED=0
NO_LIVE=""     # why live traffic cannot run here, once known

say() { printf '%s\n' "$*"; }

# Append a result, fields separated by '|' (empty ones too):
# ID GROUP LABEL SIZE CPUS UNIT BASELINE NOTE VALUES...
record() {
	local id=$1 group=$2 label=$3 size=$4 cpus=$5 unit=$6 base=$7 note=$8
	shift 8
	printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$id" "$group" "$label" "$size" "$cpus" \
		"$unit" "$base" "$note" "$*" >>"$RESULTS"
}

skip() { # ID GROUP LABEL REASON
	say "  skip: $3: $4"
	SKIPPED=$((SKIPPED + 1))
	record "$1" "$2" "$3" - - - - "$4"
}

fail() { # ID GROUP LABEL REASON
	say "  FAIL: $3: $4"
	FAILED=$((FAILED + 1))
	record "$1" "$2" "$3" - - - - "FAILED: $4"
}

# What xdpbench said was missing: "xdpbench: FILE: not built (...)" -> FILE, relative.
not_built_what() { # MESSAGE
	local what
	what=$(sed -n 's/^xdpbench: \(.*\): not built.*/\1/p; s/^xdpbench: \(.* has no program .*\): not built$/\1/p' <<<"$1" | tail -n 1)
	what=${what#"$TOP_DIR"/}
	echo "${what#"$LESSONS_TOP"/}"
}

stats() { # VALUES...: "min median max"
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s %s\n", v[1], m, v[NR] }'
}

# Wait until COUNTER stops moving (frames still being received), then print it.
settled() { # COUNTER
	local before after tries=40
	after=$("$1")
	while ((tries-- > 0)); do
		before=$after
		sleep 0.02
		after=$("$1")
		[[ $after == "$before" ]] && break
	done
	echo "$after"
}

# One run: send FRAME from CPUS CPUs, count at COUNTER. AMOUNT says how much
# each generator sends: "--seconds S" (xdpbench gen first measures how long a
# frame takes, then fills S: two calls) or "--frames N" (one call: every call
# has a set-up time of its own, the same for every method).
# Prints "Mpps received through frames_per_second_sent_per_generator wall_Mpps",
# where through is what VIA counted (the path the frames took), and Mpps is per
# core of the device under test when CUR_PER_CORE is 1 (else per wall-clock second).
# Returns 4 when the kernel has no live frames, 5 when the DUT's NAPI threads
# spent no time (they were not there).
CUR_PER_CORE=0
live_once() { # COUNTER VIA CPUS AMOUNT...
	local counter=$1 via=$2 cpus=$3 c0 v0 c1 v1 t0=0 t1=0 cpu rc=0 ns=0 sent=0 out gen_cpu
	shift 3
	c0=$("$counter") v0=$("$via")
	[[ $CUR_PER_CORE == 1 ]] && t0=$(dut_cpu_ns)
	GEN_PIDS=()
	for ((cpu = 0; cpu < cpus; cpu++)); do
		gen_cpu=$cpu
		[[ $CUR_PER_CORE == 1 ]] && gen_cpu=$GEN_CPU
		taskset -c "$gen_cpu" ip netns exec bgen "$XDPBENCH" gen --dev veth0 --batch "$BATCH" \
			"$@" "${FRAME[@]}" \
			>"$WORK/gen.$cpu" 2>&1 &
		GEN_PIDS+=($!)
	done
	for cpu in "${!GEN_PIDS[@]}"; do
		wait "${GEN_PIDS[$cpu]}" || rc=$?
	done
	GEN_PIDS=()
	if [[ $rc -ne 0 ]]; then
		cat "$WORK"/gen.* >&2
		return "$rc"
	fi
	for ((cpu = 0; cpu < cpus; cpu++)); do
		out=$(sed -n 's/.* ns=\([0-9]*\).*/\1/p' "$WORK/gen.$cpu")
		((out > ns)) && ns=$out
		out=$(sed -n 's/^frames=\([0-9]*\) .*/\1/p' "$WORK/gen.$cpu")
		sent=$((sent + out))
	done
	c1=$(settled "$counter") v1=$("$via")
	if [[ $CUR_PER_CORE == 1 ]]; then
		t1=$(dut_cpu_ns)
		if ((t1 <= t0)); then
			echo "the device under test's NAPI threads spent no CPU time: were they there?" >&2
			return 5
		fi
	fi
	awk -v c="$((c1 - c0))" -v v="$((v1 - v0))" -v ns="$ns" -v sent="$sent" -v cpus="$cpus" \
		-v t="$((t1 - t0))" 'BEGIN {
		wall = ns ? c * 1000 / ns : 0
		printf "%.3f %s %s %.0f %.3f\n", t ? c * 1000 / t : wall, c, v,
			ns ? sent * 1e9 / ns / cpus : 0, wall }'
}

# The live methods of the group being measured, one entry each (see measure_live).
M_ID=() M_GROUP=() M_LABEL=() M_BASE=() M_KIND=() M_SIZE=() M_CPUS=() M_COUNTER=() M_VIA=()
M_SETUP=() M_STATE=() M_AMOUNT=() M_VALUES=() M_WALL=()

# Add a live method to the group: ID GROUP LABEL BASELINE KIND SIZE CPUS COUNTER VIA -- SETUP...
# SETUP puts the method on the device under test. COUNTER counts where the
# frames arrive; VIA counts at the device under test what the method's own path
# did (XDP drops, redirects, transmits), to make sure the frames went that way
# (count_none for the Linux methods). run_group measures them.
measure_live() {
	local i=${#M_ID[@]}
	M_ID[i]=$1 M_GROUP[i]=$2 M_LABEL[i]=$3 M_BASE[i]=$4 M_KIND[i]=$5 M_SIZE[i]=$6 M_CPUS[i]=$7
	M_COUNTER[i]=$8 M_VIA[i]=$9 M_STATE[i]=ok M_AMOUNT[i]="" M_VALUES[i]="" M_WALL[i]=""
	shift 10
	M_SETUP[i]=$(printf '%s\037' "$@")
}

# Measure the group's methods in turns: round 0 sets each up once, says what
# it is and warms it up (caches, page pools; it also tells how many frames
# fill the time of a run), then each round runs every method once, in the same
# order. Whatever else the machine does then weighs on all of them alike.
run_group() {
	local i round first=$((QUICK == 1)) n=${#M_ID[@]} line wall
	for ((round = 1 - first; round <= RUNS; round++)); do
		line=""
		for ((i = 0; i < n; i++)); do
			if ((round == 1 - first)); then
				say "[$((MEASURED + SKIPPED + FAILED + i + 1))] ${M_GROUP[i]}: ${M_LABEL[i]} (${M_SIZE[i]} B, ${M_CPUS[i]} CPU)"
			fi
			[[ ${M_STATE[i]} == ok ]] && live_method "$i" "$round"
			if ((round > 0)) && [[ ${M_STATE[i]} == ok ]]; then
				line+=" ${M_VALUES[i]##* }"
			fi
		done
		((round > 0)) && [[ -n $line ]] && say "    run $round/$RUNS, $(live_unit):$line"
	done
	for ((i = 0; i < n; i++)); do
		case ${M_STATE[i]} in
		ok)
			MEASURED=$((MEASURED + 1))
			# shellcheck disable=SC2086 # one word per value
			wall=$(stats ${M_WALL[i]} | awk '{ printf "%.2f", $2 }')
			# shellcheck disable=SC2086
			record "${M_ID[i]}" "${M_GROUP[i]}" "${M_LABEL[i]}" "${M_SIZE[i]}" "${M_CPUS[i]}" \
				"$(live_unit)" "${M_BASE[i]}" "$([[ $CUR_PER_CORE == 1 ]] && echo "wall $wall")" \
				${M_VALUES[i]}
			# shellcheck disable=SC2086
			say "    ${M_LABEL[i]}: $(stats ${M_VALUES[i]} | awk -v u="$(live_unit)" \
				'{ printf "%.2f %s (min %.2f, max %.2f)", $2, u, $1, $3 }')$([[ $CUR_PER_CORE == 1 ]] &&
				echo ", $wall Mpps wall-clock")"
			;;
		skip)
			SKIPPED=$((SKIPPED + 1))
			record "${M_ID[i]}" "${M_GROUP[i]}" "${M_LABEL[i]}" - - - - "${M_WHY[i]}"
			;;
		fail)
			FAILED=$((FAILED + 1))
			record "${M_ID[i]}" "${M_GROUP[i]}" "${M_LABEL[i]}" - - - - "FAILED: ${M_WHY[i]}"
			;;
		esac
	done
	M_ID=() M_GROUP=() M_LABEL=() M_BASE=() M_KIND=() M_SIZE=() M_CPUS=() M_COUNTER=()
	M_VIA=() M_SETUP=() M_STATE=() M_AMOUNT=() M_VALUES=() M_WALL=() M_WHY=()
}

M_WHY=()

# The unit of the live rates being measured.
live_unit() {
	if [[ $CUR_PER_CORE == 1 ]]; then echo Mpps/core; else echo Mpps; fi
}

# Method I is skipped (not built, no live frames) or failed: why, said now, recorded at the end.
method_out() { # I skip|fail WHY
	M_STATE[$1]=$2 M_WHY[$1]=$3
	say "  $([[ $2 == fail ]] && echo FAIL || echo skip): ${M_LABEL[$1]}: $3"
}

# One round of method I: set it up, send, count, take it down.
live_method() { # I ROUND
	local i=$1 round=$2 setup=() err out rate received through per_second wall amount
	# Without live frames, one line has said so: the rows are skipped quietly.
	if [[ -n $NO_LIVE ]]; then
		M_STATE[i]=skip M_WHY[i]=$NO_LIVE
		return
	fi
	clear_dut
	IFS=$'\037' read -ra setup <<<"${M_SETUP[i]%$'\037'}"
	err=$("${setup[@]}" 2>&1)
	case $? in
	0) ;;
	3) method_out "$i" skip "not built ($(not_built_what "$err"))"; return ;;
	*) method_out "$i" fail "setting up failed: $(tail -n 1 <<<"$err")"; clear_dut; return ;;
	esac
	if [[ $CUR_PER_CORE == 1 ]] && ! pin_dut; then
		method_out "$i" fail "cannot pin bgen's NAPI threads to CPU $DUT_CPU"
		clear_dut
		return
	fi
	frame "${M_KIND[i]}" "${M_SIZE[i]}"
	# The warm-up round sends for a short while; the others what fills a run.
	amount=(--seconds "$(awk -v s="$SECONDS_PER_RUN" -v r="$round" \
		'BEGIN { print (r == 0 && s > 0.1) ? 0.1 : s }')")
	[[ -n ${M_AMOUNT[i]} ]] && amount=(--frames "${M_AMOUNT[i]}")
	out=$(live_once "${M_COUNTER[i]}" "${M_VIA[i]}" "${M_CPUS[i]}" "${amount[@]}" 2>"$WORK/err")
	case $? in
	0) ;;
	4)
		NO_LIVE="no live frames in this kernel (BPF_F_TEST_XDP_LIVE_FRAMES needs Linux >= 5.18)"
		say "$NO_LIVE: live measurements skipped"
		M_STATE[i]=skip M_WHY[i]=$NO_LIVE
		clear_dut
		return
		;;
	5) method_out "$i" fail "$(tail -n 1 "$WORK/err")"; clear_dut; return ;;
	*) method_out "$i" fail "xdpbench gen failed: $(tail -n 1 "$WORK/err")"; clear_dut; return ;;
	esac
	clear_dut
	read -r rate received through per_second wall <<<"$out"
	if [[ $received -eq 0 ]]; then
		method_out "$i" fail "nothing arrived where it is counted"
		return
	fi
	if [[ ${M_VIA[i]} != count_none ]] && ((through * 100 < received * 99)); then
		method_out "$i" fail "$received frames counted, only $through through XDP: the program passed them to Linux"
		return
	fi
	if ((round == 0)); then
		M_AMOUNT[i]=$(awk -v r="$per_second" -v s="$SECONDS_PER_RUN" \
			'BEGIN { n = r * s; printf "%.0f", n < 1 ? 1 : n }')
	else
		M_VALUES[i]+=" $rate"
		M_WALL[i]+=" $wall"
	fi
}

# Cost per packet: ID LABEL EXPECTED_ACTION CLASSIC KIND OBJ PROG [xdpbench cost options]
measure_cost() {
	local id=$1 label=$2 want=$3 classic=$4 kind=$5 obj=$6 prog=$7 out ns action values=() run
	shift 7
	say "[$((MEASURED + SKIPPED + FAILED + 1))] cost: $label"
	frame "$kind" 64
	for ((run = 0; run < RUNS; run++)); do
		out=$("$XDPBENCH" cost --obj "$obj" --prog "$prog" --dev bgen --repeat "$REPEAT" \
			"$@" "${FRAME[@]}" 2>"$WORK/err")
		case $? in
		0) ;;
		3) skip "$id" cost "$label" "not built ($(not_built_what "$(cat "$WORK/err")"))"; return ;;
		*) fail "$id" cost "$label" "xdpbench cost failed: $(tail -n 1 "$WORK/err")"; return ;;
		esac
		ns=$(sed -n 's/^ns=\([0-9]*\) .*/\1/p' <<<"$out")
		action=$(sed -n 's/.* action=\([0-9]*\)$/\1/p' <<<"$out")
		if [[ $action != "$want" ]]; then
			fail "$id" cost "$label" "returned action $action, not $want: it did not do what is measured"
			return
		fi
		values+=("$ns")
	done
	MEASURED=$((MEASURED + 1))
	record "$id" cost "$label" 64 1 ns/pkt empty "$classic" "${values[@]}"
	say "    $(stats "${values[@]}" | awk '{ printf "%s ns/pkt (min %s, max %s)", $2, $1, $3 }')"
}

# The program a group's headline uses: the lesson's when it is built, else the bare one.
have_prog() { # OBJ
	[[ -f $1 ]]
}

run_drop() {
	local c=count_dut_drops
	measure_live drop_bare drop "XDP_DROP, bare" "" echo4 64 1 $c $c -- \
		use_xdp "$BENCH_OBJ" xdp_bare_drop
	measure_live drop_basic02 drop "basic02 xdp_drop_func" drop_iptables echo4 64 1 $c $c -- \
		use_xdp "$BASIC02" xdp_drop_func
	measure_live drop_bare_parse drop "parse, drop: bare (IPv4 ICMP, even sequence)" \
		drop_iptables echo4 64 1 $c $c -- use_xdp "$BENCH_OBJ" xdp_bare_parse_drop
	measure_live drop_packet01 drop "packet01 xdp_parser_func (parse, drop)" drop_iptables \
		echo4 64 1 $c $c -- use_xdp "$PACKET01" xdp_parser_func
	measure_live drop_iptables drop "iptables raw PREROUTING (${IPTABLES:-none})" "" echo4 64 1 \
		count_iptables count_none -- use_iptables
	measure_live drop_nft drop "nftables netdev ingress" drop_iptables echo4 64 1 count_nft \
		count_none -- use_nft
	measure_live drop_tc drop "tc clsact ingress (bpf da)" drop_iptables echo4 64 1 count_tc \
		count_none -- use_tc
	run_group
}

run_forward() {
	local fam kind
	for fam in 4 6; do
		kind=fwd$fam
		measure_live "fwd${fam}_bare" "forward IPv$fam" "bpf_redirect, bare" "" $kind 64 1 \
			count_sink count_dut_redirects -- use_redirect_to_sink "$BENCH_OBJ" xdp_bare_redirect
		measure_live "fwd${fam}_bare_mac" "forward IPv$fam" "bpf_redirect_map by source MAC, bare" \
			"fwd${fam}_linux" $kind 64 1 count_sink count_dut_redirects -- \
			use_redirect_to_sink "$BENCH_OBJ" xdp_bare_redirect_mac
		measure_live "fwd${fam}_bare_router" "forward IPv$fam" "bpf_fib_lookup router, bare" \
			"fwd${fam}_linux" $kind 64 1 count_sink count_dut_redirects -- \
			use_xdp "$BENCH_OBJ" xdp_bare_router
		measure_live "fwd${fam}_bare_direct" "forward IPv$fam" \
			"bpf_fib_lookup router, bare, DIRECT" "fwd${fam}_linux" $kind 64 1 \
			count_sink count_dut_redirects -- use_xdp "$BENCH_OBJ" xdp_bare_router_direct
		measure_live "fwd${fam}_router" "forward IPv$fam" "packet03 xdp_router_func" \
			"fwd${fam}_linux" $kind 64 1 count_sink count_dut_redirects -- \
			use_xdp "$PACKET03" xdp_router_func
		measure_live "fwd${fam}_map" "forward IPv$fam" "packet03 xdp_redirect_map_func" \
			"fwd${fam}_linux" $kind 64 1 count_sink count_dut_redirects -- \
			use_redirect_to_sink "$PACKET03" xdp_redirect_map_func
		measure_live "fwd${fam}_linux" "forward IPv$fam" "Linux IP forwarding" "" $kind 64 1 \
			count_sink count_none -- use_pass
		run_group
	done
}

run_reply() {
	measure_live reply_bare reply "XDP_TX, bare (MACs swapped)" "" echo4 64 1 count_replies \
		count_dut_tx -- use_xdp "$BENCH_OBJ" xdp_bare_tx
	measure_live reply_packet03 reply "packet03 xdp_icmp_echo_func" reply_kernel echo4 64 1 \
		count_replies count_dut_tx -- use_xdp "$PACKET03" xdp_icmp_echo_func
	measure_live reply_kernel reply "the kernel answering" "" echo4 64 1 count_replies \
		count_none -- use_pass
	run_group
}

# Actions: 1 XDP_DROP, 2 XDP_PASS, 3 XDP_TX, 4 XDP_REDIRECT. The last field
# before the kind: the classic course's figure for the same program ('-': none).
run_cost() {
	local to=(--to bsink --to-mac "$SINK_MAC")
	measure_cost cost_empty "empty XDP_PASS (baseline)" 2 6 fwd4 "$BENCH_OBJ" xdp_bare_pass
	measure_cost cost_basic01 "basic01 xdp_pass (the solution drops)" 1 6 fwd4 "$BASIC01" xdp_pass
	measure_cost cost_basic02 "basic02 xdp_drop_func" 1 6 fwd4 "$BASIC02" xdp_drop_func
	measure_cost cost_basic03 "basic03 xdp_pass_func (stats counter)" 2 9 fwd4 "$BASIC03" xdp_pass_func
	measure_cost cost_basic04 "basic04 xdp_pass_func (stats counter)" 2 9 fwd4 "$BASIC04" xdp_pass_func
	measure_cost cost_bare_parse "parse, drop: bare (IPv4 ICMP, even sequence)" 1 - echo4 \
		"$BENCH_OBJ" xdp_bare_parse_drop
	measure_cost cost_packet01_4 "packet01 xdp_parser_func (ICMP echo)" 1 7-8 echo4 "$PACKET01" xdp_parser_func
	measure_cost cost_packet03_pass "packet03 xdp_pass_func" 2 6 fwd4 "$PACKET03" xdp_pass_func
	measure_cost cost_packet03_echo "packet03 xdp_icmp_echo_func" 3 - echo4 "$PACKET03" \
		xdp_icmp_echo_func --restore
	measure_cost cost_packet03_map "packet03 xdp_redirect_map_func" 4 17-18 fwd4 "$PACKET03" \
		xdp_redirect_map_func --restore "${to[@]}"
	measure_cost cost_bare_redirect "bpf_redirect, bare" 4 - fwd4 "$BENCH_OBJ" xdp_bare_redirect \
		"${to[@]}"
	measure_cost cost_bare_redirect_mac "bpf_redirect_map by source MAC, bare" 4 - fwd4 \
		"$BENCH_OBJ" xdp_bare_redirect_mac --restore "${to[@]}"
	measure_cost cost_bare_router4 "bpf_fib_lookup router, bare (IPv4)" 4 - fwd4 "$BENCH_OBJ" \
		xdp_bare_router --restore
	measure_cost cost_bare_router6 "bpf_fib_lookup router, bare (IPv6)" 4 - fwd6 "$BENCH_OBJ" \
		xdp_bare_router --restore
	measure_cost cost_bare_direct4 "bpf_fib_lookup router, bare, DIRECT (IPv4)" 4 - fwd4 \
		"$BENCH_OBJ" xdp_bare_router_direct --restore
	measure_cost cost_bare_direct6 "bpf_fib_lookup router, bare, DIRECT (IPv6)" 4 - fwd6 \
		"$BENCH_OBJ" xdp_bare_router_direct --restore
	measure_cost cost_packet03_router4 "packet03 xdp_router_func (IPv4)" 4 63-76 fwd4 "$PACKET03" \
		xdp_router_func --restore
	measure_cost cost_packet03_router6 "packet03 xdp_router_func (IPv6)" 4 146-171 fwd6 \
		"$PACKET03" xdp_router_func --restore
	measure_cost cost_helper_parse "headers: parse Ethernet/IP/UDP (tests/prog)" 2 - fwd4 \
		"$PARSERS" parse_chain_plain
	measure_cost cost_helper_swap_mac "headers: swap MACs (tests/prog)" 3 - fwd4 "$HELPERS" \
		swap_mac --restore
	measure_cost cost_helper_ttl "headers: TTL decrement + checksum (tests/prog)" 3 - fwd4 \
		"$HELPERS" ttl_decrease --restore
}

# Drop and forward at three frame sizes; the router on 1, 2 and all CPUs.
run_scale() {
	local size cpus fwd_obj=$PACKET03 fwd_prog=xdp_router_func fwd_label="packet03 xdp_router_func"
	local fwd_setup=(use_xdp)
	if ! have_prog "$PACKET03"; then
		fwd_obj=$BENCH_OBJ fwd_prog=xdp_bare_router
		fwd_label="bpf_fib_lookup router, bare (packet03 not built)"
	fi
	for size in 512 1500; do
		measure_live "drop_basic02_$size" "scale $size B" "basic02 xdp_drop_func" \
			"drop_iptables_$size" echo4 $size 1 count_dut_drops count_dut_drops -- \
			use_xdp "$BASIC02" xdp_drop_func
		measure_live "drop_iptables_$size" "scale $size B" "iptables raw PREROUTING" "" echo4 \
			$size 1 count_iptables count_none -- use_iptables
		measure_live "fwd4_router_$size" "scale $size B" "$fwd_label" "fwd4_linux_$size" fwd4 \
			$size 1 count_sink count_dut_redirects -- "${fwd_setup[@]}" "$fwd_obj" "$fwd_prog"
		measure_live "fwd4_linux_$size" "scale $size B" "Linux IP forwarding" "" fwd4 $size 1 \
			count_sink count_none -- use_pass
		run_group
	done
	# Here every CPU sends and receives (queue n of bgen on CPU n): rates per
	# wall-clock second, bgen's NAPI back in softirq on the CPU that sent.
	[[ $PER_CORE == 1 ]] && threaded_napi 0
	CUR_PER_CORE=0
	for cpus in $(printf '%s\n' 1 2 "$(nproc)" | sort -nu); do
		((cpus <= $(nproc))) || continue
		measure_live "fwd4_router_cpus$cpus" "scale CPUs" "$fwd_label, $cpus CPU" \
			"$([[ $cpus -gt 1 ]] && echo fwd4_router_cpus1)" fwd4 64 "$cpus" count_sink \
			count_dut_redirects -- "${fwd_setup[@]}" "$fwd_obj" "$fwd_prog"
	done
	run_group
	if [[ $PER_CORE == 1 ]]; then
		threaded_napi 1
		setup_per_core
	fi
	CUR_PER_CORE=$PER_CORE
}

# ---- the report --------------------------------------------------------------------

# Each line of RESULTS with its min, median and max, and its baseline's median:
# ID GROUP LABEL SIZE CPUS UNIT BASE NOTE MIN MEDIAN MAX BASE_MEDIAN
summarize() {
	local id group label size cpus unit base note values
	while IFS='|' read -r id group label size cpus unit base note values; do
		if [[ -z $values ]]; then
			printf '%s|%s|%s|%s|%s|%s|%s|%s|||\n' "$id" "$group" "$label" "$size" \
				"$cpus" "$unit" "$base" "$note"
			continue
		fi
		# shellcheck disable=SC2086 # one word per value
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$id" "$group" "$label" "$size" "$cpus" \
			"$unit" "$base" "$note" "$(stats $values | tr ' ' '|')"
	done <"$RESULTS" | awk -F'|' -v OFS='|' '
		{ line[NR] = $0; id[NR] = $1; med[$1] = $10; base[NR] = $7 }
		END { for (i = 1; i <= NR; i++) print line[i], (base[i] in med ? med[base[i]] : "") }'
}

# The median of result ID in the summary ("" when not measured).
median_of() { # ID
	awk -F'|' -v id="$1" '$1 == id { print $10 }' "$SUMMARY"
}

ratio() { # A B: A/B with one decimal, "" when either is missing
	[[ -n $1 && -n $2 ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b }'
}

print_table() {
	say ""
	awk -F'|' '
	NR == FNR { what[$1] = $3; next }
	function gbps(mpps, size) { return mpps * size * 8 / 1000 }
	$2 != group { group = $2; printf "\n%s\n", group }
	$9 == "" { printf "  %-46s %s\n", $3, ($8 == "" ? "skipped" : $8); next }
	$6 ~ /^Mpps/ {
		r = ""
		if ($12 != "" && $12 > 0) r = sprintf("%.2fx %s", $10 / $12, what[$7])
		wall = $8; sub(/^wall /, "", wall)
		printf "  %-46s %6.2f %-9s %6.2f Gbit/s  %5.2f-%-5.2f %6s  %s\n", $3, $10, $6,
			gbps($10, $4), $9, $11, wall, r
		next }
	{
		r = ($12 != "" && $12 > 0) ? sprintf("%.1fx empty", $10 / $12) : ""
		printf "  %-46s %6s ns/pkt %-8s %5s-%-5s  %s\n", $3, $10, "(" $8 ")", $9, $11, r }
	' "$SUMMARY" "$SUMMARY"
	say ""
	say "Spread: min-max over $RUNS run(s) of ${SECONDS_PER_RUN} s, then the median in Mpps per wall-clock second;"
	say "Mpps/core: frames counted where they arrive / CPU time of the device under test (CPU $DUT_CPU);"
	say "cost: (the classic course's figure), ns/pkt."
}

# The label of result ID.
label_of() { # ID
	awk -F'|' -v id="$1" '$1 == id { print $3 }' "$SUMMARY"
}

# One target: say it, and keep it for the JSON (TARGETS: what|measured|wanted|ok).
target() { # WHAT MEASURED WANTED UNIT
	local ok
	ok=$(awk -v m="$2" -v w="$3" 'BEGIN { print (m >= w ? "ok" : "SHORT") }')
	printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "$ok" >>"$TARGETS"
	printf 'target: %-58s %6s%s (>= %s%s) %s\n' "$1" "$2" "$4" "$3" "$4" "$ok"
}

# Lesson programs against the bare program doing the same action, and the
# ratios the issue asks for.
print_targets() {
	local pair lesson bare r
	say ""
	for pair in drop_basic02:drop_bare drop_packet01:drop_bare_parse fwd4_router:fwd4_bare_router \
		fwd6_router:fwd6_bare_router fwd4_map:fwd4_bare_mac fwd6_map:fwd6_bare_mac \
		reply_packet03:reply_bare; do
		lesson=$(median_of "${pair%%:*}") bare=$(median_of "${pair#*:}")
		r=$(awk -v a="$lesson" -v b="$bare" 'BEGIN { if (a != "" && b > 0) printf "%.0f", 100 * a / b }')
		[[ -n $r ]] || continue
		target "$(label_of "${pair%%:*}") / bare ($(group_of "${pair%%:*}"))" "$r" 90 %
	done
	r=$(ratio "$(median_of drop_basic02)" "$(median_of drop_iptables)")
	[[ -n $r ]] && target "drop: basic02 / iptables raw" "$r" 4.5 x
	r=$(ratio "$(median_of fwd4_router)" "$(median_of fwd4_linux)")
	[[ -n $r ]] && target "forward: packet03 router / Linux (IPv4)" "$r" 3 x
	r=$(ratio "$(median_of fwd6_router)" "$(median_of fwd6_linux)")
	[[ -n $r ]] && target "forward: packet03 router / Linux (IPv6)" "$r" 3 x
	return 0
}

group_of() { # ID
	awk -F'|' -v id="$1" '$1 == id { print $2 }' "$SUMMARY"
}

# drop: XDP 4.7x iptables raw; forward: XDP (router) 3.2x Linux (IPv4), 3.0x (IPv6)
# The lessons' programs when they were measured, else the bare ones, said so.
headline() {
	local drop fwd4 fwd6 parts=() which=router dropwhich=""
	drop=$(ratio "$(median_of drop_basic02)" "$(median_of drop_iptables)")
	if [[ -z $drop ]]; then
		dropwhich="(bare) "
		drop=$(ratio "$(median_of drop_bare)" "$(median_of drop_iptables)")
	fi
	fwd4=$(ratio "$(median_of fwd4_router)" "$(median_of fwd4_linux)")
	fwd6=$(ratio "$(median_of fwd6_router)" "$(median_of fwd6_linux)")
	if [[ -z $fwd4 && -z $fwd6 ]]; then
		which="bare router"
		fwd4=$(ratio "$(median_of fwd4_bare_router)" "$(median_of fwd4_linux)")
		fwd6=$(ratio "$(median_of fwd6_bare_router)" "$(median_of fwd6_linux)")
	fi
	[[ -n $drop ]] && parts+=("drop: XDP $dropwhich${drop}x iptables raw")
	if [[ -n $fwd4 || -n $fwd6 ]]; then
		parts+=("forward: XDP ($which) ${fwd4:-?}x Linux (IPv4), ${fwd6:-?}x (IPv6)")
	fi
	[[ ${#parts[@]} -gt 0 ]] || parts=("no ratio measured")
	HEADLINE=$(printf '%s; ' "${parts[@]}")
	HEADLINE=${HEADLINE%; }
}

write_json() { # FILE
	local libbpf clang
	libbpf=$(cat "$TOP_DIR/build/libbpf-choice" 2>/dev/null || pkg-config --modversion libbpf 2>/dev/null)
	clang=$(clang --version 2>/dev/null | head -n 1)
	jq -R -s \
		--arg kernel "$(uname -r)" \
		--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		--argjson cpus "$(nproc)" \
		--arg libbpf "${libbpf:-unknown}" --arg clang "${clang:-unknown}" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg headline "$HEADLINE" \
		--argjson runs "$RUNS" --argjson seconds "$SECONDS_PER_RUN" --argjson quick "$QUICK" \
		--argjson repeat "$REPEAT" --arg iptables "${IPTABLES:-none}" --argjson batch "$BATCH" \
		--rawfile targets "$TARGETS" \
		'def num: if . == "" or . == "-" then null else tonumber end;
		{ date: $date, kernel: $kernel, cpu_model: $cpu, cpus: $cpus, libbpf: $libbpf,
		  clang: $clang, iptables: $iptables, quick: ($quick == 1), runs: $runs,
		  seconds_per_run: $seconds, batch: $batch, cost_repeat: $repeat, headline: $headline,
		  results: [split("\n")[] | select(length > 0) | split("|") | {
			id: .[0], group: .[1], what: .[2], frame_bytes: (.[3] | num), cpus: (.[4] | num),
			unit: (if .[5] == "-" then null else .[5] end),
			baseline: (if .[6] == "" or .[6] == "-" then null else .[6] end),
			note: (if .[7] == "" then null else .[7] end),
			min: (.[8] | num), median: (.[9] | num), max: (.[10] | num),
			ratio: (if .[11] == "" or .[9] == "" then null
				else ((.[9] | tonumber) / (.[11] | tonumber)) end) }],
		  targets: [$targets | split("\n")[] | select(length > 0) | split("|") |
			{ what: .[0], measured: (.[1] | tonumber), wanted: (.[2] | tonumber),
			  met: (.[3] == "ok") }] }' \
		"$SUMMARY" >"$1"
}

write_chart() { # PNG
	local data=$WORK/chart.dat
	awk -F'|' -v OFS='\t' '$6 ~ /^Mpps/ && $10 != "" {
		gsub(/ /, "~", $3); print "\"" $2 ": " $3 " (" $6 ")\"", $10, $9, $11 }' "$SUMMARY" |
		sed 's/~/ /g' >"$data"
	[[ -s $data ]] || { echo "no live rate to draw (the chart shows the live rates, in Mpps)" >&2; return 1; }
	gnuplot <<-EOF
		set terminal png size 1200,$((200 + 22 * $(wc -l <"$data"))) font ",9" noenhanced
		set output "$1"
		set title "make bench on $(uname -r), $(nproc) CPUs: Mpps counted at the receiver, per core of the device under test or per wall-clock second (median, min-max)"
		set style fill solid 0.6
		set yrange [-1:*] reverse
		set ytics nomirror
		set xlabel "Mpps (per core or per wall-clock second, as the label says)"
		set xrange [0:*]
		set grid x
		unset key
		plot "$data" using 2:0:(0):2:(\$0-0.35):(\$0+0.35):yticlabels(1) with boxxyerror, \
			"" using 2:0:3:4 with xerrorbars pt 0 lc rgb "black"
	EOF
}

report() {
	local stamp json png
	SUMMARY=$WORK/summary.tsv
	TARGETS=$WORK/targets.tsv
	: >"$TARGETS"
	summarize >"$SUMMARY"
	print_table
	print_targets
	headline
	stamp=$(date -u +%Y%m%d-%H%M%S)
	mkdir -p "$OUT_DIR" || die "cannot make $OUT_DIR"
	json=$OUT_DIR/bench-$stamp.json png=$OUT_DIR/bench-$stamp.png
	if write_json "$json"; then
		say "JSON:  $json"
	else
		say "JSON:  not written (jq failed)"
		FAILED=$((FAILED + 1))
	fi
	if ! command -v gnuplot >/dev/null; then
		say "chart: not drawn: no gnuplot (install it with 'sudo make deps')"
	elif write_chart "$png" 2>"$WORK/err"; then
		say "chart: $png"
	else
		say "chart: not drawn: $(head -n 1 "$WORK/err")"
	fi
	# Files in the user's clone belong to the clone's owner, not to root.
	chown -R --reference="$BENCH_DIR" "$OUT_DIR" 2>/dev/null
	say "$MEASURED measured, $FAILED failed, $SKIPPED skipped, in $SECONDS s"
	say "$HEADLINE"
}

main() {
	parse_args "$@"
	check_ready
	if [[ ${XDP_TUTORIAL_ISOLATED:-} != 1 ]]; then
		exec "$TOP_DIR/tests/lib/isolate.sh" "${BASH_SOURCE[0]}" "$@"
	fi
	WORK=$(mktemp -d) || die "mktemp failed"
	RESULTS=$WORK/results.tsv
	: >"$RESULTS"
	trap cleanup EXIT
	trap 'say "bench: interrupted"; exit 130' INT TERM
	setup_lab
	say "make bench: $(uname -r), $(nproc) CPUs, $RUNS run(s) of ${SECONDS_PER_RUN} s each, batches of $BATCH$([[ $QUICK == 1 ]] && echo ' (quick: the numbers mean little)')"
	if [[ $PER_CORE == 1 ]]; then
		say "live rates per core: the generator on CPU $GEN_CPU, the device under test on CPU $DUT_CPU (threaded NAPI)"
	else
		say "live rates per wall-clock second: $PER_CORE_WHY"
	fi
	local group
	for group in drop forward reply cost scale; do
		[[ -z $ONLY || $ONLY == "$group" ]] && "run_$group"
	done
	report
	[[ $FAILED -eq 0 ]]
}

main "$@"
