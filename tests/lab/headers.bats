#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The headers in headers/ are what readers copy into their own projects, so they
# must build there with the plain command, without this repository's Makefile:
#
#   clang -O2 -g -target bpf -I/usr/include/$(gcc -dumpmachine) -I headers -c prog.bpf.c

# shellcheck disable=SC2154 # status, output: set by bats' run
bats_require_minimum_version 1.5.0

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	WORK=$(mktemp -d)
	cp -r "$TOP_DIR/headers" "$WORK/"
}

teardown() {
	rm -rf "$WORK"
}

# Write prog.bpf.c: the given lines first (includes), then a program that uses
# the parsers, the rewrite helpers and the stats map.
write_program() { # LINE...
	printf '%s\n' "$@" >"$WORK/prog.bpf.c"
	cat >>"$WORK/prog.bpf.c" <<-'EOF'
		SEC("xdp")
		int parse_all(struct xdp_md *ctx)
		{
			void *data_end = (void *)(long)ctx->data_end;
			struct hdr_cursor nh = { .pos = (void *)(long)ctx->data };
			struct ethhdr *eth;
			struct iphdr *iph;
			struct icmphdr *icmph;

			if (parse_ethhdr(&nh, data_end, &eth) != bpf_htons(ETH_P_IP))
				return xdp_stats_record_action(ctx, XDP_PASS);
			if (parse_iphdr(&nh, data_end, &iph) != IPPROTO_ICMP)
				return xdp_stats_record_action(ctx, XDP_PASS);
			if (parse_icmphdr(&nh, data_end, &icmph) != ICMP_ECHO)
				return xdp_stats_record_action(ctx, XDP_PASS);
			swap_src_dst_mac(eth);
			return xdp_stats_record_action(ctx, XDP_TX);
		}
		char _license[] SEC("license") = "GPL";
	EOF
}

plain_compile() {
	run clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -I "$WORK/headers" \
		-c "$WORK/prog.bpf.c" -o "$WORK/prog.bpf.o"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	local header
	header=$(readelf -h "$WORK/prog.bpf.o")
	[[ $header == *"Linux BPF"* ]]
}

@test "headers: build with the plain clang command, no Makefile and no compat directory" {
	write_program '#include "rewrite_helpers.h"' '#include "xdp_stats_kern.h"'
	plain_compile
}

@test "headers: <linux/icmp.h> included after them adds nothing and breaks nothing" {
	write_program '#include "parsing_helpers.h"' '#include "rewrite_helpers.h"' \
		'#include "xdp_stats_kern.h"' '#include <linux/icmp.h>'
	plain_compile
}

@test "headers: each header builds on its own" {
	local h
	for h in "$WORK"/headers/*.h; do
		printf '#include "%s"\nchar _license[] __attribute__((section("license"))) = "GPL";\n' \
			"${h##*/}" >"$WORK/one.bpf.c"
		run clang -O2 -g -target bpf -I"/usr/include/$(gcc -dumpmachine)" -I "$WORK/headers" \
			-c "$WORK/one.bpf.c" -o "$WORK/one.bpf.o"
		[ "$status" -eq 0 ] || { echo "${h##*/}: $output"; return 1; }
	done
}
