// SPDX-License-Identifier: GPL-2.0
/* The parse programs of fuzz_parse.bpf.c, built with VLAN_MAX_DEPTH 5: a program
 * may choose its own depth before it includes parsing_helpers.h, and the helpers
 * must follow it. Five is more than any real network stacks, and fewer than the
 * eight tags the fuzzer puts on a frame at most.
 */
#define VLAN_MAX_DEPTH 5

#include "fuzz_parse.bpf.c"
