// SPDX-License-Identifier: GPL-2.0
/* packet01-parsing: the starter is refused by the verifier (assignment 1, on
 * purpose); the reference solution drops exactly the ICMP and ICMPv6 echo
 * requests and echo replies with an even sequence number (judged by the type,
 * whatever the code), under 0 to VLAN_MAX_DEPTH (2) tags of
 * 802.1Q or 802.1ad, passes every other frame unchanged (cut short, malformed,
 * too deeply tagged, other protocols), and counts each verdict in
 * xdp_stats_map. tests/fuzz (fuzz --lesson) does the same on generated frames;
 * these are the cases named one by one.
 */
#include <limits.h>
#include <unistd.h>
#include <sys/wait.h>

#include "harness.h"

#define STARTER_OBJ "packet01-parsing/xdp_prog.bpf.o"
#define SOLUTION_OBJ "packet-solutions/packet01-parsing/xdp_prog.bpf.o"
#define PROG "xdp_parser_func"

TEST(packet01_starter_is_refused_by_the_verifier)
{
	struct bpf_object *obj = open_object(STARTER_OBJ);
	int err;

	ASSERT(obj, "cannot test without the object (build it with make)");
	/* Not load_object(): a refusal is what this test wants. */
	err = bpf_object__load(obj);
	CHECK(err == -EACCES,
	      "load the starter: got %d (%s), want -EACCES: its Ethernet bounds "
	      "check must stay wrong until the student fixes it (assignment 1)",
	      err, strerror(-err));
}

/* One frame of the table: what it is, and the verdict the lesson asks for. */
struct verdict_case {
	const char *what;
	struct pkt_spec spec;
	__u32 want;
};

#define V6 .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_ICMPV6
#define V4 .eth_proto = ETH_P_IP, .l4_proto = IPPROTO_ICMP
#define Q(id)                                    \
	{                                        \
		.tpid = ETH_P_8021Q, .tci = (id) \
	}
#define AD(id)                                    \
	{                                         \
		.tpid = ETH_P_8021AD, .tci = (id) \
	}

static const struct verdict_case cases[] = {
	{ "ICMPv6 echo request, sequence 2", { V6, .icmp_seq = 2 }, XDP_DROP },
	{ "ICMPv6 echo request, sequence 1", { V6, .icmp_seq = 1 }, XDP_PASS },
	{ "ICMPv6 echo request, sequence 0", { V6, .icmp_seq = 0 }, XDP_DROP },
	/* Byte order: 0x0100 is even, its bytes swapped (1) are odd. */
	{ "ICMPv6 echo request, sequence 256", { V6, .icmp_seq = 256 }, XDP_DROP },
	{ "ICMPv6 echo request, sequence 257", { V6, .icmp_seq = 257 }, XDP_PASS },
	/* The replies to t ping, which pings from outside, come in too. */
	{ "ICMPv6 echo reply, sequence 2", { V6, .icmp_seq = 2, .echo_reply = true }, XDP_DROP },
	{ "ICMPv6 echo reply, sequence 1", { V6, .icmp_seq = 1, .echo_reply = true }, XDP_PASS },
	{ "ICMPv6 echo reply, sequence 256", { V6, .icmp_seq = 256, .echo_reply = true }, XDP_DROP },
	{ "ICMPv6 echo reply, sequence 257", { V6, .icmp_seq = 257, .echo_reply = true }, XDP_PASS },
	{ "ICMPv6 echo request, no payload, sequence 4",
	  { V6, .icmp_seq = 4, .payload_len = 0 },
	  XDP_DROP },
	{ "ICMP echo request, sequence 2", { V4, .icmp_seq = 2 }, XDP_DROP },
	{ "ICMP echo request, sequence 3", { V4, .icmp_seq = 3 }, XDP_PASS },
	{ "ICMP echo request, sequence 512", { V4, .icmp_seq = 512 }, XDP_DROP },
	{ "ICMP echo request, sequence 513", { V4, .icmp_seq = 513 }, XDP_PASS },
	{ "ICMP echo reply, sequence 2", { V4, .icmp_seq = 2, .echo_reply = true }, XDP_DROP },
	{ "ICMP echo reply, sequence 3", { V4, .icmp_seq = 3, .echo_reply = true }, XDP_PASS },
	{ "ICMP echo reply, sequence 512", { V4, .icmp_seq = 512, .echo_reply = true }, XDP_DROP },
	{ "ICMP echo reply, sequence 513", { V4, .icmp_seq = 513, .echo_reply = true }, XDP_PASS },
	{ "ICMP echo request, 8 bytes of IPv4 options, sequence 2",
	  { V4, .icmp_seq = 2, .ip_opt_len = 8 },
	  XDP_DROP },
	{ "ICMP echo request, 40 bytes of IPv4 options, sequence 7",
	  { V4, .icmp_seq = 7, .ip_opt_len = 40 },
	  XDP_PASS },
	{ "ICMP echo request, 40 bytes of IPv4 options, sequence 6",
	  { V4, .icmp_seq = 6, .ip_opt_len = 40 },
	  XDP_DROP },
	{ "IPv6 UDP", { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_UDP }, XDP_PASS },
	{ "IPv6 TCP", { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_TCP }, XDP_PASS },
	{ "IPv4 UDP", { .eth_proto = ETH_P_IP, .l4_proto = IPPROTO_UDP }, XDP_PASS },
	{ "IPv4 TCP", { .eth_proto = ETH_P_IP, .l4_proto = IPPROTO_TCP }, XDP_PASS },
	{ "ARP", { .eth_proto = ETH_P_ARP, .payload_len = 28 }, XDP_PASS },
	{ "802.1Q, ICMPv6 echo request, sequence 2",
	  { V6, .icmp_seq = 2, .n_vlans = 1, .vlans = { Q(100) } },
	  XDP_DROP },
	{ "802.1Q, ICMPv6 echo request, sequence 3",
	  { V6, .icmp_seq = 3, .n_vlans = 1, .vlans = { Q(100) } },
	  XDP_PASS },
	{ "802.1ad, ICMPv6 echo request, sequence 2",
	  { V6, .icmp_seq = 2, .n_vlans = 1, .vlans = { AD(5) } },
	  XDP_DROP },
	{ "802.1ad + 802.1Q, ICMP echo request, sequence 2",
	  { V4, .icmp_seq = 2, .n_vlans = 2, .vlans = { AD(5), Q(100) } },
	  XDP_DROP },
	{ "802.1ad + 802.1Q, ICMP echo request, sequence 5",
	  { V4, .icmp_seq = 5, .n_vlans = 2, .vlans = { AD(5), Q(100) } },
	  XDP_PASS },
	{ "802.1Q, ICMPv6 echo reply, sequence 4",
	  { V6, .icmp_seq = 4, .echo_reply = true, .n_vlans = 1, .vlans = { Q(100) } },
	  XDP_DROP },
	{ "802.1ad + 802.1Q, ICMP echo reply, sequence 6",
	  { V4, .icmp_seq = 6, .echo_reply = true, .n_vlans = 2, .vlans = { AD(5), Q(100) } },
	  XDP_DROP },
	{ "802.1Q + 802.1Q, ICMPv6 echo request, sequence 8",
	  { V6, .icmp_seq = 8, .n_vlans = 2, .vlans = { Q(1), Q(2) } },
	  XDP_DROP },
	/* One tag deeper than VLAN_MAX_DEPTH: not looked into. */
	{ "3 tags, ICMPv6 echo request, sequence 2",
	  { V6, .icmp_seq = 2, .n_vlans = 3, .vlans = { AD(5), Q(1), Q(2) } },
	  XDP_PASS },
	{ "3 tags, ICMP echo request, sequence 2",
	  { V4, .icmp_seq = 2, .n_vlans = 3, .vlans = { Q(1), Q(2), Q(3) } },
	  XDP_PASS },
};

TEST(packet01_solution_verdict_of_every_packet_kind)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	__u64 drops = 0, passes = 0;
	struct xdp_result res;
	struct datarec rec;
	__u8 pkt[256];
	int fd, map;

	ASSERT(obj, "cannot test without the object (build it with make)");
	fd = prog_fd(obj, PROG);
	map = map_fd(obj, "xdp_stats_map");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pkt_spec spec = cases[i].spec;
		__u32 len;

		len = build_packet(&spec, pkt, sizeof(pkt));
		if (!len || xdp_run(fd, pkt, len, &res))
			return;
		CHECK(res.action == cases[i].want, "%s: got %s, want %s", cases[i].what,
		      xdp_action_name(res.action), xdp_action_name(cases[i].want));
		CHECK_BYTES(res.data, res.len, pkt, len);
		if (cases[i].want == XDP_DROP)
			drops++;
		else
			passes++;
	}
	ASSERT(!read_datarec(map, XDP_DROP, &rec), "read XDP_DROP from xdp_stats_map");
	CHECK(rec.rx_packets == drops, "XDP_DROP counted: got %llu, want %llu",
	      (unsigned long long)rec.rx_packets, (unsigned long long)drops);
	ASSERT(!read_datarec(map, XDP_PASS, &rec), "read XDP_PASS from xdp_stats_map");
	CHECK(rec.rx_packets == passes, "XDP_PASS counted: got %llu, want %llu",
	      (unsigned long long)rec.rx_packets, (unsigned long long)passes);
}

/* The type says what the 4 bytes after the checksum are: only in an echo
 * request or reply are they the identifier and the sequence number. Frames
 * with an even "sequence" there: the echo types are dropped whatever their
 * code (the program does not look at it), every other type passes.
 */
TEST(packet01_solution_judges_icmp_by_type)
{
	static const struct {
		const char *what;
		bool v6;
		__u8 type, code;
		__u32 want;
	} kinds[] = {
		{ "ICMP echo reply (type 0)", false, 0, 0, XDP_DROP },
		{ "ICMP echo request (type 8)", false, 8, 0, XDP_DROP },
		{ "ICMP echo request with code 1", false, 8, 1, XDP_DROP },
		{ "ICMP echo reply with code 5", false, 0, 5, XDP_DROP },
		{ "ICMP destination unreachable (type 3)", false, 3, 1, XDP_PASS },
		{ "ICMP time exceeded (type 11)", false, 11, 0, XDP_PASS },
		{ "ICMP timestamp request (type 13)", false, 13, 0, XDP_PASS },
		{ "ICMPv6 echo request (type 128)", true, 128, 0, XDP_DROP },
		{ "ICMPv6 echo reply (type 129)", true, 129, 0, XDP_DROP },
		{ "ICMPv6 echo reply with code 3", true, 129, 3, XDP_DROP },
		{ "ICMPv6 destination unreachable (type 1)", true, 1, 0, XDP_PASS },
		{ "ICMPv6 neighbour solicitation (type 135)", true, 135, 0, XDP_PASS },
		{ "ICMPv6 type 0 (reserved; 0 is the echo reply of ICMP only)", true, 0, 0,
		  XDP_PASS },
		{ "ICMPv6 type 8 (8 is the echo request of ICMP only)", true, 8, 0, XDP_PASS },
	};
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct xdp_result res;
	__u8 pkt[128];
	int fd;

	ASSERT(obj, "cannot test without the object (build it with make)");
	fd = prog_fd(obj, PROG);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct pkt_spec v4 = { V4, .icmp_seq = 2 }, v6 = { V6, .icmp_seq = 2 };
		struct pkt_spec *spec = kinds[i].v6 ? &v6 : &v4;
		__u32 len, l4;

		len = build_packet(spec, pkt, sizeof(pkt));
		ASSERT(len, "build the frame");
		l4 = pkt_l4_offset(spec);
		pkt[l4] = kinds[i].type;
		pkt[l4 + 1] = kinds[i].code;
		if (xdp_run(fd, pkt, len, &res))
			return;
		CHECK(res.action == kinds[i].want, "%s, sequence bytes 00 02: got %s, want %s",
		      kinds[i].what, xdp_action_name(res.action), xdp_action_name(kinds[i].want));
	}
}

/* An even echo request cut at every offset: only the whole frame (the IP
 * length fits it) is dropped; a frame cut anywhere is malformed and passes.
 */
static void check_cuts(const struct pkt_spec *spec)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct xdp_result res;
	__u8 pkt[256];
	__u32 len, cut;
	int fd;

	ASSERT(obj, "cannot test without the object (build it with make)");
	fd = prog_fd(obj, PROG);
	len = build_packet(spec, pkt, sizeof(pkt));
	ASSERT(len, "build the frame");
	for (cut = ETH_HLEN; cut <= len; cut++) {
		__u32 want = cut == len ? XDP_DROP : XDP_PASS;

		if (xdp_run(fd, pkt, cut, &res))
			return;
		if (res.action != want) {
			CHECK(0, "frame cut to %u of %u bytes: got %s, want %s", cut, len,
			      xdp_action_name(res.action), xdp_action_name(want));
			hexdump("the frame", pkt, cut);
			return;
		}
	}
}

TEST(packet01_solution_cut_icmpv6_under_two_tags)
{
	struct pkt_spec spec = { V6, .icmp_seq = 2, .payload_len = 8, .n_vlans = 2,
				 .vlans = { AD(5), Q(100) } };

	check_cuts(&spec);
}

TEST(packet01_solution_cut_icmp_with_options)
{
	struct pkt_spec spec = {
		V4,	      .icmp_seq = 2,	  .payload_len = 8, .ip_opt_len = 12,
		.n_vlans = 1, .vlans = { Q(100) }
	};

	check_cuts(&spec);
}

/* Broken IPv4 headers in front of an even echo request: parse_iphdr() must
 * refuse them, so the frame passes.
 */
TEST(packet01_solution_malformed_ipv4_passes)
{
	struct pkt_spec spec = { V4, .icmp_seq = 2, .payload_len = 8 };
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	static const struct {
		const char *what;
		__u8 ver_ihl;
		int tot_len_delta;
	} broken[] = {
		{ "IHL 4 (below 5)", 0x44, 0 },
		{ "IHL 0", 0x40, 0 },
		{ "IHL 15, past the end of the packet", 0x4f, 0 },
		{ "version 6 in an IPv4 EtherType", 0x65, 0 },
		{ "total length one byte past the frame", 0x45, 1 },
		{ "total length shorter than the header", 0x45, -1000 },
	};
	struct xdp_result res;
	__u8 pkt[128], copy[128];
	__u32 len, l3;
	int fd;

	ASSERT(obj, "cannot test without the object (build it with make)");
	fd = prog_fd(obj, PROG);
	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "build the frame");
	l3 = pkt_l3_offset(&spec);
	ASSERT(!xdp_run(fd, pkt, len, &res), "run the well-formed frame");
	CHECK(res.action == XDP_DROP, "the well-formed even echo request: got %s, want XDP_DROP",
	      xdp_action_name(res.action));
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		int tot = (pkt[l3 + 2] << 8 | pkt[l3 + 3]) + broken[i].tot_len_delta;

		memcpy(copy, pkt, len);
		copy[l3] = broken[i].ver_ihl;
		if (tot < 0)
			tot = 19;
		copy[l3 + 2] = tot >> 8;
		copy[l3 + 3] = tot & 0xff;
		if (xdp_run(fd, copy, len, &res))
			return;
		CHECK(res.action == XDP_PASS, "%s: got %s, want XDP_PASS", broken[i].what,
		      xdp_action_name(res.action));
	}
}

/* The fuzzer's pass of the lesson's checks, on the reference solution: its
 * parse functions and its program agree with the fuzzer's decoder on every
 * frame and every cut (tests/fuzz builds packet01_walk.bpf.o around it).
 */
TEST(packet01_solution_agrees_with_the_fuzzer)
{
	char fuzz[PATH_MAX], walk[PATH_MAX], cmd[3 * PATH_MAX], line[1024];
	int status;
	FILE *out;

	snprintf(fuzz, sizeof(fuzz), "%s/tests/fuzz/fuzz", harness_top_dir());
	snprintf(walk, sizeof(walk), "%s/tests/fuzz/packet01_walk.bpf.o", harness_top_dir());
	ASSERT(access(fuzz, X_OK) == 0 && access(walk, R_OK) == 0,
	       "tests/fuzz is not built: run make at the top");
	/* The frames and cuts of the assignment checks: --seed 9 --frames 3000. */
	snprintf(cmd, sizeof(cmd), "'%s' --lesson '%s' --seed 9 --frames 3000 --cuts --quiet 2>&1",
		 fuzz, walk);
	out = popen(cmd, "r");
	ASSERT(out, "run %s: %s", fuzz, strerror(errno));
	while (fgets(line, sizeof(line), out)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			harness_note("%s", line);
	}
	status = pclose(out);
	ASSERT(status != -1 && WIFEXITED(status), "fuzz did not finish: status 0x%x", status);
	CHECK(WEXITSTATUS(status) == 0, "fuzz --lesson on the solution: %s",
	      WEXITSTATUS(status) == 1 ? "it disagrees with the fuzzer's decoder"
				       : "it failed to run (see its messages)");
}
