# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# What the kernel says about XDP on an interface, and a lab's addresses:
# read from `ip -j` and `bpftool -j` (JSON, picked apart with jq), never from
# text meant for people; and which pings got a reply. One file for the lessons' checks (tests/lib/check.sh
# sources it) and the lab tests (tests/lab/lab_helpers.bash sources it).
#
# Each function prints its answer ("" when there is none) and fails only when
# ip or bpftool cannot answer (no such interface, say). The optional NS runs
# the question in that network namespace. Output is captured whole before jq
# reads it: a reader that stops early would kill ip with SIGPIPE, which fails
# a pipeline under pipefail.

# ip's JSON for DEV (in NS when given).
ip_link_json() { # DEV [NS]
	if [[ -n ${2:-} ]]; then
		ip -n "$2" -j link show dev "$1"
	else
		ip -j link show dev "$1"
	fi
}

# The id of the XDP program attached to DEV, in any mode.
xdp_prog_id() { # DEV [NS]
	local out
	out=$(ip_link_json "$@") || return 1
	jq -r '.[0].xdp.attached[0].prog.id // empty' <<<"$out"
}

# The name of the XDP program attached to DEV (its C function name, cut to 15
# characters by the kernel).
xdp_prog_name() { # DEV [NS]
	local out
	out=$(ip_link_json "$@") || return 1
	jq -r '.[0].xdp.attached[0].prog.name // empty' <<<"$out"
}

# The mode DEV's XDP program is attached in: native, generic or offload.
xdp_mode() { # DEV [NS]
	local out
	out=$(ip_link_json "$@") || return 1
	jq -r '.[0].xdp.attached[0].mode // empty |
		if . == 1 then "native" elif . == 2 then "generic" elif . == 3 then "offload"
		else "mode \(.)" end' <<<"$out"
}

# The id of the bpf_link that holds DEV's XDP program: the XDP link whose
# program is the one attached (bpftool 7.1 does not show a link's ifindex).
xdp_link_of() { # DEV [NS]
	local prog out
	prog=$(xdp_prog_id "$@") || return 1
	[[ -n $prog ]] || return 0
	out=$(bpftool -j link show) || return 1
	jq -r --argjson p "$prog" \
		'[.[] | select(.type == "xdp" and .prog_id == $p) | .id][0] // empty' <<<"$out"
}

# The MAC address of DEV (the lessons' static neighbours, send_frames).
mac_of() { # DEV [NS]
	local out
	out=$(ip_link_json "$@") || return 1
	jq -r '.[0].address' <<<"$out"
}

# The global IPv6 address of veth0 inside the testenv lab LAB: the far end of
# the lab's pings.
inside_address() { # LAB
	local out
	out=$(ip -n "$1" -6 -j addr show dev veth0 scope global) || return 1
	jq -r '[.[0].addr_info[] | select(.local) | .local][0] // empty' <<<"$out"
}

# The global address of FAMILY (inet or inet6) on DEV, an outside interface
# of a testenv lab (LAB, named after the lab, or LAB.100 with --vlan): the far
# end of pings from inside.
outside_address() { # DEV FAMILY
	local out
	out=$(ip -j addr show dev "$1") || return 1
	jq -r --arg f "$2" '[.[0].addr_info[] | select(.family == $f and .scope == "global")
		| .local][0] // empty' <<<"$out"
}

# The sequence numbers that got a reply, in the output of ping on stdin,
# separated by spaces.
replied_sequences() {
	sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//'
}

# The name of BPF program ID (its C function name, cut to 15 characters).
prog_name() { # PROG_ID
	local out
	out=$(bpftool -j prog show id "$1") || return 1
	jq -r '.name // empty' <<<"$out"
}

# The ids of the maps BPF program ID uses, separated by spaces.
prog_map_ids() { # PROG_ID
	local out
	out=$(bpftool -j prog show id "$1") || return 1
	jq -r '(.map_ids // []) | map(tostring) | join(" ")' <<<"$out"
}

# The id of the map pinned at PIN ("" when there is none, or no map).
pinned_map_id() { # PIN
	local out
	out=$(bpftool -j map show pinned "$1" 2>/dev/null) || return 0
	jq -r '.id // empty' <<<"$out"
}
