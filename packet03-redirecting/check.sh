# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The assignment checks of packet03-redirecting, run by `make check` (all of
# them) or `make check A=N` (one). tests/lib/check.sh sources this file and
# runs each check_N in the directory of the code under test, inside a private
# network and mount namespace with its own bpffs: the labs made here never
# touch your own.
#
# The labs are quiet (static neighbours), so the counts of assignments 1-3 are
# exact: N pings, N verdicts. The router of assignment 4 finds its neighbours
# with ND and ARP, as a real one does, so its counts are bounds. Counters are
# read with bpftool and nstat, not with the code under test.

# shellcheck disable=SC2034 # read by tests/lib/check.sh
ASSIGNMENTS=(1 2 3 4)
TITLE_1="xdp_icmp_echo_func answers IPv6 and IPv4 pings itself, with XDP_TX"
TITLE_2="xdp_redirect_func sends a lab's frames into another lab (bpf_redirect, settings from the loader)"
TITLE_3="xdp_redirect_map_func redirects both ways through the pinned maps xdp_prog_user fills"
TITLE_4="xdp_router_func routes IPv6 and IPv4 between three labs (bpf_fib_lookup), TCP included"

readonly ACTIONS=(XDP_ABORTED XDP_DROP XDP_PASS XDP_TX XDP_REDIRECT)
readonly XDP_TX=3 XDP_REDIRECT=4

# ---- counters -----------------------------------------------------------------

# One field (0: packets, 1: bytes) of ACTION in the stats map pinned at PIN,
# summed over the CPUs, from the raw bytes of the value (little-endian u64s).
pinned_count() { # PIN ACTION [FIELD]
	local out field=${3:-0}
	out=$(bpftool -j map lookup pinned "$1" key "$2" 0 0 0) || {
		echo "no-map-at-$1"
		return 0
	}
	jq -r --argjson f "$field" 'def hex: ltrimstr("0x") | ascii_downcase | explode |
			reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
		def u64: .[($f * 8):($f * 8 + 8)] | reverse | reduce .[] as $b (0; . * 256 + ($b | hex));
		[(.values // [{value: .value}])[] | .value | u64] | add' <<<"$out"
}

# Every action of the stats map pinned at PIN that counted packets, as
# "XDP_TX 5, XDP_PASS 2" ("nothing" when none did).
pinned_summary() { # PIN
	local a n words=()
	for a in 0 1 2 3 4; do
		n=$(pinned_count "$1" "$a")
		[[ $n == 0 ]] || words+=("${ACTIONS[a]} $n")
	done
	local joined
	joined=$(printf '%s, ' "${words[@]}")
	joined=${joined%, }
	echo "${joined:-nothing}"
}

# The kernel's own counter NAME (as nstat names it) in namespace NS ('' for
# this one): absolute, since the namespace was made.
counter() { # NS NAME
	local out
	if [[ -n $1 ]]; then
		out=$(ip netns exec "$1" nstat -asz "$2")
	else
		out=$(nstat -asz "$2")
	fi
	awk -v n="$2" '$1 == n { print $2; found = 1 } END { if (!found) print 0 }' <<<"$out"
}

# ---- labs -----------------------------------------------------------------------

# The MAC and addresses of a lab, from testenv's scheme (see t --help).
lab_id() { # NAME
	sed -n 's/^id=//p' "/run/xdp-tutorial/testenv/$1.env"
}
inner_mac() { printf '02:00:00:00:%02x:02' "$(lab_id "$1")"; }
outer_mac() { printf '02:00:00:00:%02x:01' "$(lab_id "$1")"; }
addr6() { printf 'fc00:dead:cafe:%x::%s' "$(lab_id "$1")" "$2"; }
addr4() { printf '198.18.%d.%s' "$(lab_id "$1")" "$2"; }

# A second (third) lab for this check, torn down afterwards.
other_lab() { # NAME
	testenv setup --name "$1" --legacy-ip >/dev/null ||
		fail "could not set up the lab environment $1" || return 1
	on_exit "$TESTENV" teardown --name "$1"
}

run_loader() { # ARGS...
	./xdp_loader --quiet "$@" ||
		fail "expected ./xdp_loader $* to work (its errors are above)"
}

# Ping from inside namespace NS: COUNT echo requests to ADDR, at most 1 s of
# waiting for each reply. Sets RECEIVED to the number of replies, PING_OUT to
# what ping said.
ping_from() { # NS COUNT ADDR [PING OPTIONS...]
	local ns=$1 count=$2 addr=$3
	shift 3
	PING_OUT=$(ip netns exec "$ns" timeout 20 ping -n -c "$count" -i 0.2 -W 1 "$@" "$addr" 2>&1) ||
		true
	RECEIVED=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$PING_OUT")
	RECEIVED=${RECEIVED:-0}
}

# TEXT, every line of it indented under a failure report.
indent() { # TEXT
	local line
	while IFS= read -r line; do
		echo "      $line"
	done <<<"$1"
}

# ---- assignment 1 ---------------------------------------------------------------

check_1() {
	local pin tx csum6 csum4 out_before=() names n
	lab_setup --legacy-ip || return 1
	# XDP_TX sends the reply back into the veth: its peer, veth0, takes it
	# only while it runs an XDP program too.
	testenv inner-xdp --name "$LAB" >/dev/null
	run_loader --dev "$LAB" --progname xdp_icmp_echo_func || return 1
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	names=(Icmp6InEchos Icmp6OutEchoReplies IcmpInEchos IcmpOutEchoReps)
	for n in "${names[@]}"; do
		out_before+=("$(counter "" "$n")")
	done
	csum6=$(counter "$LAB" Icmp6InCsumErrors)
	csum4=$(counter "$LAB" IcmpInCsumErrors)

	ping_from "$LAB" 5 "$(addr6 "$LAB" 1)"
	if [[ $RECEIVED != 5 ]]; then
		say_more "expected 5 replies to 5 IPv6 pings from inside the lab to $(addr6 "$LAB" 1)," \
			"saw $RECEIVED; the stats map counted: $(pinned_summary "$pin")"
		[[ $(counter "$LAB" Icmp6InCsumErrors) == "$csum6" ]] ||
			say_more "The lab's host dropped replies with a bad checksum" \
				"(Icmp6InCsumErrors): fix the checksum when the type changes."
		fail "A reply needs the MAC and IP addresses swapped, the type ICMPV6_ECHO_REPLY," \
			"the checksum updated, and XDP_TX."
		return 1
	fi
	ping_from "$LAB" 5 "$(addr4 "$LAB" 1)"
	if [[ $RECEIVED != 5 ]]; then
		say_more "expected 5 replies to 5 IPv4 pings from inside the lab to $(addr4 "$LAB" 1)," \
			"saw $RECEIVED; the stats map counted: $(pinned_summary "$pin")"
		[[ $(counter "$LAB" IcmpInCsumErrors) == "$csum4" ]] ||
			say_more "The lab's host dropped replies with a bad checksum (IcmpInCsumErrors)."
		fail "IPv4 too: ICMP_ECHO becomes ICMP_ECHOREPLY, with the checksum updated."
		return 1
	fi
	for n in 0 1 2 3; do
		expect_eq "${names[n]} (nstat) here, where the program runs: pings the stack saw or \
answered, where your program should answer every one itself" "${out_before[n]}" \
			"$(counter "" "${names[n]}")" || return 1
	done
	tx=$(pinned_count "$pin" "$XDP_TX")
	expect_eq "XDP_TX in the stats map after 5 IPv6 and 5 IPv4 pings (all: $(pinned_summary \
		"$pin"))" 10 "$tx" || return 1
	expect_eq "bad ICMP checksums seen by the lab's host (Icmp6InCsumErrors + IcmpInCsumErrors)" \
		0 "$(($(counter "$LAB" Icmp6InCsumErrors) - csum6 + $(counter "$LAB" \
			IcmpInCsumErrors) - csum4))"
}

# ---- assignment 2 -----------------------------------------------------------------

# Redirect from $LAB into lab DST with the loader, ping DST's inside host from
# inside $LAB, 4 times in each family, and expect them all to arrive there and
# to be counted as XDP_REDIRECT.
expect_redirect_into() { # DST
	local dst=$1 pin in6 in4 got6 got4 redirected
	testenv wire "$LAB" "$dst" >/dev/null
	run_loader --dev "$LAB" --force --progname xdp_redirect_func --redirect-dev "$dst" \
		--src-mac "$(outer_mac "$dst")" --dest-mac "$(inner_mac "$dst")" || return 1
	pin=/sys/fs/bpf/$LAB/xdp_stats_map
	in6=$(counter "$dst" Icmp6InEchos)
	in4=$(counter "$dst" IcmpInEchos)
	# One way only: the replies leave $dst towards its outer end, where no
	# program sends them on.
	ping_from "$LAB" 4 "$(addr6 "$dst" 2)"
	ping_from "$LAB" 4 "$(addr4 "$dst" 2)"
	got6=$(($(counter "$dst" Icmp6InEchos) - in6))
	got4=$(($(counter "$dst" IcmpInEchos) - in4))
	redirected=$(pinned_count "$pin" "$XDP_REDIRECT")
	if [[ $got6 != 4 || $got4 != 4 ]]; then
		say_more "expected the 4 IPv6 and 4 IPv4 pings sent from inside $LAB to arrive at the" \
			"host inside $dst (ifindex of $dst here: $(cat /sys/class/net/"$dst"/ifindex))," \
			"saw $got6 and $got4 arrive (its Icmp6InEchos, IcmpInEchos); the stats map" \
			"counted: $(pinned_summary "$pin")"
		fail "The frames must leave through redirect_cfg.ifindex with the MAC addresses" \
			"redirect_cfg holds: --dest-mac is the host inside $dst, $(inner_mac "$dst")."
		return 1
	fi
	expect_eq "XDP_REDIRECT in the stats map after 8 pings into $dst (all: $(pinned_summary \
		"$pin"))" 8 "$redirected"
}

check_2() {
	lab_setup --legacy-ip || return 1
	other_lab "${LAB}b" || return 1
	other_lab "${LAB}c" || return 1
	expect_redirect_into "${LAB}b" || return 1
	# Another lab, another ifindex: the program follows the loader.
	expect_redirect_into "${LAB}c"
}

# ---- assignment 3 --------------------------------------------------------------------

# Ping from inside lab FROM to the host inside lab TO, COUNT times in each
# family, and expect every reply.
expect_pings_between() { # FROM TO COUNT
	local from=$1 to=$2 count=$3 fam addr
	for fam in 6 4; do
		addr=$(addr"$fam" "$to" 2)
		ping_from "$from" "$count" "$addr"
		[[ $RECEIVED == "$count" ]] && continue
		say_more "expected $count replies to $count IPv$fam pings from inside $from to $addr" \
			"(inside $to), saw $RECEIVED; the stats maps counted: on $LAB:" \
			"$(pinned_summary "/sys/fs/bpf/$LAB/xdp_stats_map"), on $B:" \
			"$(pinned_summary "/sys/fs/bpf/$B/xdp_stats_map")"
		return 1
	done
}

fill_maps() { # DEV REDIRECT_DEV SRC_MAC DEST_MAC
	./xdp_prog_user --quiet --dev "$1" --redirect-dev "$2" --src-mac "$3" --dest-mac "$4" ||
		fail "expected ./xdp_prog_user --dev $1 --redirect-dev $2 --src-mac $3 --dest-mac $4" \
			"to work (its errors are above)"
}

check_3() {
	local a b
	lab_setup --legacy-ip || return 1
	B=${LAB}b
	other_lab "$B" || return 1
	testenv wire "$LAB" "$B" >/dev/null
	run_loader --dev "$LAB" --progname xdp_redirect_map_func || return 1
	run_loader --dev "$B" --progname xdp_redirect_map_func || return 1
	fill_maps "$LAB" "$B" "$(inner_mac "$LAB")" "$(inner_mac "$B")" || return 1
	fill_maps "$B" "$LAB" "$(inner_mac "$B")" "$(inner_mac "$LAB")" || return 1
	expect_pings_between "$LAB" "$B" 4 || {
		fail "Each program looks the sender's MAC up in redirect_params, writes the MAC" \
			"found there as the destination and returns bpf_redirect_map(&tx_port, 0, 0);" \
			"xdp_prog_user fills both maps through their pins."
		return 1
	}
	expect_pings_between "$B" "$LAB" 3 || {
		fail "The way back: $B's program, filled by xdp_prog_user --dev $B."
		return 1
	}
	# Each side redirected the requests it took in and the replies.
	a=$(pinned_count "/sys/fs/bpf/$LAB/xdp_stats_map" "$XDP_REDIRECT")
	b=$(pinned_count "/sys/fs/bpf/$B/xdp_stats_map" "$XDP_REDIRECT")
	expect_eq "XDP_REDIRECT on $LAB after 8 pings to $B and 6 from it (requests and replies)" \
		14 "$a" || return 1
	expect_eq "XDP_REDIRECT on $B after the same pings" 14 "$b"
}

# ---- assignment 4 ------------------------------------------------------------------------

# The addresses of router R's host K (testenv's scheme, see t --help).
router_addr6() { # K [HOST: 2, the host, or 1, the router]
	printf 'fc00:dead:cafe:2%x%x::%s' "$ROUTER_ID" "$1" "${2:-2}"
}
router_addr4() { # K [HOST]
	printf '198.18.0.%d' $((64 * (ROUTER_ID - 1) + 16 * ($1 - 1) + ${2:-2}))
}

# The XDP_REDIRECT packets and bytes of leg K's stats map, as "PACKETS BYTES".
leg_redirects() { # K
	local pin=/sys/fs/bpf/$ROUTER$1/xdp_stats_map
	echo "$(pinned_count "$pin" "$XDP_REDIRECT") $(pinned_count "$pin" "$XDP_REDIRECT" 1)"
}

legs_summary() {
	local k words=()
	for k in 1 2 3; do
		words+=("$ROUTER$k: $(pinned_summary "/sys/fs/bpf/$ROUTER$k/xdp_stats_map")")
	done
	local joined
	joined=$(printf '%s; ' "${words[@]}")
	echo "${joined%; }"
}

# Send 1 MiB of random bytes over TCP from host 1 to host 3 (IPv FAMILY), and
# expect them to arrive unchanged, carried by XDP_REDIRECT on leg 1.
expect_tcp_transfer() { # FAMILY
	local fam=$1 addr data got before after bytes forw_name forw_before forw listener
	local listen_opts=()
	data=$(mktemp)
	got=$(mktemp)
	on_exit rm -f "$data" "$got"
	head -c 1048576 /dev/urandom >"$data"
	addr=$(router_addr"$fam" 3)
	[[ $fam == 6 ]] && listen_opts=(-6)
	forw_name=IpForwDatagrams
	[[ $fam == 6 ]] && forw_name=Ip6OutForwDatagrams
	forw_before=$(counter "$ROUTER" "$forw_name")
	read -r _ before < <(leg_redirects 1)
	ip netns exec "${ROUTER}3" timeout 30 nc "${listen_opts[@]}" -l 5000 >"$got" &
	listener=$!
	on_exit kill "$listener"
	# Until the listener listens (at most 3 s).
	for _ in $(seq 30); do
		ip netns exec "${ROUTER}3" ss -Htln 'sport = :5000' | grep -q . && break
		sleep 0.1
	done
	ip netns exec "${ROUTER}1" timeout 20 nc -N "$addr" 5000 <"$data" ||
		say_more "(nc from ${ROUTER}1 to $addr port 5000 failed or timed out)"
	wait "$listener" 2>/dev/null || true
	read -r _ after < <(leg_redirects 1)
	bytes=$((after - before))
	forw=$(($(counter "$ROUTER" "$forw_name") - forw_before))
	if ! cmp -s "$data" "$got"; then
		say_more "expected the 1 MiB sent over TCP/IPv$fam from ${ROUTER}1 to $addr (${ROUTER}3)" \
			"to arrive unchanged, saw $(stat -c %s "$got") bytes arrive$(cmp -s "$data" \
			"$got" 2>/dev/null || [[ ! -s $got ]] || echo ", different ones"); TCP" \
			"segments the host dropped for a bad checksum: $(counter "${ROUTER}3" \
			TcpInCsumErrors); the stats maps counted: $(legs_summary)"
		fail "Every packet the program forwards needs a correct IP header checksum."
		return 1
	fi
	if ((bytes < 1048576)); then
		say_more "expected the 1 MiB TCP/IPv$fam transfer to go through XDP_REDIRECT on" \
			"${ROUTER}1 (at least 1048576 bytes redirected), saw $bytes bytes; the stack" \
			"forwarded $forw packets ($forw_name in the router); the stats maps" \
			"counted: $(legs_summary)"
		fail "xdp_router_func must forward what bpf_fib_lookup finds a route and a" \
			"neighbour for, in both families; only the rest goes to the stack (XDP_PASS)."
		return 1
	fi
}

check_4() {
	local from to fam addr hop out
	ROUTER=chk$$r
	testenv router setup --name "$ROUTER" >/dev/null ||
		fail "could not set up the router lab $ROUTER" || return 1
	on_exit "$TESTENV" router teardown --name "$ROUTER"
	ROUTER_ID=$(sed -n 's/^id=//p' "/run/xdp-tutorial/testenv/$ROUTER.router")
	out=$(testenv router load --name "$ROUTER" -- --quiet --progname xdp_router_func 2>&1) || {
		indent "$out"
		fail "expected ./xdp_loader --progname xdp_router_func to attach to the router's" \
			"legs (what it said is above)"
		return 1
	}

	# Every pair, both families; the replies come back through the router too.
	for from in 1 2; do
		for to in 2 3; do
			[[ $from -lt $to ]] || continue
			for fam in 6 4; do
				addr=$(router_addr"$fam" "$to")
				ping_from "$ROUTER$from" 3 "$addr" -W 2
				[[ $RECEIVED == 3 ]] && continue
				say_more "expected 3 replies to 3 IPv$fam pings from host $from to host $to" \
					"($addr), saw $RECEIVED; the stats maps counted: $(legs_summary)"
				fail "Forward on BPF_FIB_LKUP_RET_SUCCESS only (with the MAC addresses the" \
					"lookup found, and the TTL decreased with its checksum), pass the rest" \
					"to the stack: it finds the neighbours the lookup does not know yet."
				return 1
			done
		done
	done

	# One router between the hosts: a reply sent with TTL 64 arrives with 63;
	# a request sent with TTL 1 gets the router's "time exceeded".
	for fam in 6 4; do
		addr=$(router_addr"$fam" 3)
		ping_from "${ROUTER}1" 1 "$addr"
		hop=$(sed -n 's/.* ttl=\([0-9]*\).*/\1/p' <<<"$PING_OUT")
		expect_eq "the TTL (IPv$fam: hop limit) of the reply from host 3, sent with 64, one \
router between" 63 "${hop:-no reply}" || {
			say_more "Decrease it on every packet you forward."
			return 1
		}
		ping_from "${ROUTER}1" 1 "$addr" -t 1
		if [[ $PING_OUT != *"From $(router_addr"$fam" 1 1) "*"ime"*"xceeded"* ]]; then
			say_more "expected a ping to $addr with TTL 1 to be answered by the router with" \
				"time exceeded, saw:"
			indent "$PING_OUT"
			fail "A packet whose TTL would expire goes to the stack (XDP_PASS), which" \
				"sends the ICMP error."
			return 1
		fi
	done

	expect_tcp_transfer 4 || return 1
	expect_tcp_transfer 6
}
