#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# What the READMEs show, checked without running it:
#
#   every README --scripts/lint-readme.sh--> each 'ip ... xdp obj F' names its program
#   a README with 'xdp obj F' alone ---> one finding, FILE:LINE, exit 1

TOP_DIR=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

@test "docs: every README's 'ip ... xdp obj F' names the program (sec or program)" {
	run "$TOP_DIR/scripts/lint-readme.sh"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ $output == "README ip commands: "*" files, 0 with"* ]]
}

@test "docs: lint-readme.sh finds an 'xdp obj F' without sec or program, also over two lines" {
	local readme=$BATS_TEST_TMPDIR/README.org
	cat >"$readme" <<'ORG'
ip link set dev lab1 xdp obj xdp_prog.bpf.o sec xdp
ip link set dev lab1 xdpgeneric obj xdp_prog.bpf.o program xdp_pass
nsenter --net=/run/netns/r ip link set dev r1 xdpdrv object xdp_prog.bpf.o \
	program xdp_router_func
In prose, =ip ... xdp obj= names no file, nor does =ip link set ... xdp object ...=.
ip link set dev lab1 xdp obj xdp_prog.bpf.o
ip -force link set dev lab1 xdpdrv object \
	xdp_prog.bpf.o
ORG
	run "$TOP_DIR/scripts/lint-readme.sh" "$readme"
	[ "$status" -eq 1 ]
	mapfile -t found < <(grep -o '^[^ ]*README.org:[0-9]*:' <<<"$output")
	[ "${found[*]}" = "$readme:6: $readme:7:" ] || { echo "$output"; return 1; }
	[[ $output == *"README ip commands: 1 files, 1 with an 'xdp obj' that names no program" ]]
}
