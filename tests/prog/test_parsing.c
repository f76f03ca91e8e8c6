// SPDX-License-Identifier: GPL-2.0
/* headers/parsing_helpers.h, through parsing_progs.bpf.c: for each frame, what
 * every parse_*() call must return and where it must leave the cursor, worked out
 * here from how the frame was built; then whole frames, frames cut short at every
 * byte, and malformed length fields.
 */
#include "harness.h"
#include "helper_progs.h"

#define PARSING_OBJ "tests/prog/parsing_progs.bpf.o"
#define FRAME_MAX 512

/* What one run of a parse program must produce. */
struct expect {
	__u32 action;
	__u32 steps;
	struct parse_step step[STEP_MAX]; /* hdr_off is checked only when ret >= 0 */
	__u32 vlan_count;
	__u16 vlan_id[RESULT_MAX_VLANS];
};

static const char *const step_names[STEP_MAX] = { "Ethernet", "L3", "L4" };

static void set_step(struct expect *e, int step, int ret, __u32 hdr_off, __u32 pos_off)
{
	e->step[step] = (struct parse_step){ .ret = ret, .hdr_off = hdr_off, .pos_off = pos_off };
	e->steps = step + 1;
	e->action = ret < 0 ? XDP_DROP : XDP_PASS;
}

/* Run prog on the frame and fetch what it recorded. The map is filled with 0xff
 * first, so a result left over from an earlier run cannot pass for this one.
 */
static bool run_parse(struct bpf_object *obj, const char *prog, const void *pkt, __u32 len,
		      struct xdp_result *xres, struct parse_result *pres)
{
	int fd = map_fd(obj, "parse_result_map");
	__u32 key = 0;

	if (fd < 0)
		return false;
	memset(pres, 0xff, sizeof(*pres));
	if (bpf_map_update_elem(fd, &key, pres, BPF_ANY)) {
		CHECK(false, "reset parse_result_map: %s", strerror(errno));
		return false;
	}
	if (xdp_run(prog_fd(obj, prog), pkt, len, xres))
		return false;
	if (bpf_map_lookup_elem(fd, &key, pres)) {
		CHECK(false, "read parse_result_map: %s", strerror(errno));
		return false;
	}
	return true;
}

/* Compare; what names the case in the messages. Returns true when all matched. */
static bool check_result(const char *what, const struct xdp_result *xres,
			 const struct parse_result *got, const struct expect *want,
			 bool vlans_collected)
{
	int failures = 0;
	__u32 i;

#define EXPECT(cond, fmt, ...)                                         \
	do {                                                           \
		if (!(cond)) {                                         \
			failures++;                                    \
			CHECK(false, "%s: " fmt, what, ##__VA_ARGS__); \
		}                                                      \
	} while (0)

	EXPECT(xres->action == want->action, "action %s, want %s", xdp_action_name(xres->action),
	       xdp_action_name(want->action));
	EXPECT(got->steps_done == want->steps, "%u parse steps taken, want %u", got->steps_done,
	       want->steps);
	for (i = 0; i < want->steps && i < got->steps_done && i < STEP_MAX; i++) {
		const struct parse_step *g = &got->step[i], *w = &want->step[i];

		EXPECT(g->ret == w->ret, "%s parser returned %d (0x%x), want %d (0x%x)",
		       step_names[i], g->ret, g->ret, w->ret, w->ret);
		EXPECT(g->pos_off == w->pos_off, "%s parser left the cursor at %u, want %u",
		       step_names[i], g->pos_off, w->pos_off);
		if (w->ret >= 0)
			EXPECT(g->hdr_off == w->hdr_off, "%s header pointer at %u, want %u",
			       step_names[i], g->hdr_off, w->hdr_off);
	}
	/* The ids are defined only when the Ethernet step succeeded. */
	if (vlans_collected && want->steps && want->step[STEP_ETH].ret >= 0) {
		EXPECT(got->vlan_count == want->vlan_count, "%u VLAN ids collected, want %u",
		       got->vlan_count, want->vlan_count);
		for (i = 0; i < want->vlan_count && i < got->vlan_count; i++)
			EXPECT(got->vlan_id[i] == want->vlan_id[i], "VLAN id %u is %u, want %u", i,
			       got->vlan_id[i], want->vlan_id[i]);
	}
#undef EXPECT
	return failures == 0;
}

/* What the programs must report for the first len bytes of the frame spec
 * builds (all of it: len = its full length), counted from where parsing starts.
 */
static struct expect expect_for(const struct pkt_spec *spec, __u32 len, __u32 depth)
{
	__u32 l3 = pkt_l3_offset(spec), l4 = pkt_l4_offset(spec);
	__u32 payload = pkt_payload_offset(spec), full = payload + spec->payload_len;
	__u16 eth_proto = spec->eth_proto ? spec->eth_proto : ETH_P_IP;
	__u8 l4_proto = spec->l4_proto ? spec->l4_proto : IPPROTO_UDP;
	__u32 tags = (__u32)spec->n_vlans < depth ? (__u32)spec->n_vlans : depth;
	__u32 eth_end = ETH_HLEN + 4 * tags;
	struct expect e = { 0 };
	bool ipv4 = eth_proto == ETH_P_IP, ipv6 = eth_proto == ETH_P_IPV6;
	__u32 i, need;

	/* Ethernet, and as many VLAN tags as the parser looks through. */
	if (len < eth_end) {
		set_step(&e, STEP_ETH, -1, 0, 0);
		return e;
	}
	e.vlan_count = tags;
	for (i = 0; i < tags; i++)
		e.vlan_id[i] = spec->vlans[i].tci & 0x0fff;
	if ((__u32)spec->n_vlans > depth) {
		/* Deeper than the bound: the next tag's type comes back. */
		__u16 tpid = spec->vlans[depth].tpid ? spec->vlans[depth].tpid : ETH_P_8021Q;

		set_step(&e, STEP_ETH, htons(tpid), 0, eth_end);
		return e;
	}
	set_step(&e, STEP_ETH, htons(eth_proto), 0, l3);
	if (!ipv4 && !ipv6)
		return e;

	/* The IP parsers want the whole packet that the IP header announces (its
	 * total or payload length): a frame cut anywhere before its end is cut short.
	 */
	if (len < full) {
		set_step(&e, STEP_L3, -1, 0, l3);
		return e;
	}
	set_step(&e, STEP_L3, l4_proto, l3, l4);

	switch (l4_proto) {
	case IPPROTO_UDP:
		/* The UDP length field covers the payload: all of it must be there. */
		need = full;
		if (len >= need)
			set_step(&e, STEP_L4, full - l4 - 8, l4, l4 + 8);
		break;
	case IPPROTO_TCP:
		need = payload;
		if (len >= need)
			set_step(&e, STEP_L4, payload - l4, l4, payload);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in IPv4, ICMPv6 in IPv6; the other way round is unknown. */
		if ((l4_proto == IPPROTO_ICMP) != ipv4)
			return e;
		need = l4 + 8;
		if (len >= need) {
			if (ipv4)
				set_step(&e, STEP_L4, spec->echo_reply ? ICMP_ECHOREPLY : ICMP_ECHO,
					 l4, l4 + 8);
			else
				set_step(&e, STEP_L4,
					 spec->echo_reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST,
					 l4, l4 + 8);
		}
		break;
	default:
		return e;
	}
	if (len < need)
		set_step(&e, STEP_L4, -1, 0, l4);
	return e;
}

/* The VLAN_MAX_DEPTH the programs were built with, as they report it. */
static __u32 vlan_depth(struct bpf_object *obj)
{
	static const __u8 frame[ETH_HLEN] = { 0 };
	struct parse_result pres;
	struct xdp_result xres;

	if (!run_parse(obj, "parse_chain_vlans", frame, sizeof(frame), &xres, &pres))
		return 0;
	CHECK(pres.vlan_max_depth >= 1 && pres.vlan_max_depth <= RESULT_MAX_VLANS,
	      "the programs report VLAN_MAX_DEPTH %u", pres.vlan_max_depth);
	return pres.vlan_max_depth;
}

/* Run both programs (with and without VLAN id collection) on a whole frame; the
 * frame must come out unchanged.
 */
static void check_frame(struct bpf_object *obj, const char *what, const void *pkt, __u32 len,
			const struct expect *want)
{
	static const char *const progs[] = { "parse_chain_vlans", "parse_chain_plain" };
	struct parse_result pres;
	struct xdp_result xres;
	char name[160];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s (%s)", what, progs[i]);
		if (!run_parse(obj, progs[i], pkt, len, &xres, &pres))
			return;
		check_result(name, &xres, &pres, want, i == 0);
		CHECK_BYTES(xres.data, xres.len, pkt, len);
	}
}

/* Build the frame spec describes and check both programs on all of it. */
static void check_spec(struct bpf_object *obj, const char *what, const struct pkt_spec *spec,
		       __u32 depth)
{
	__u8 pkt[FRAME_MAX];
	struct expect want;
	__u32 len;

	len = build_packet(spec, pkt, sizeof(pkt));
	if (!len)
		return;
	want = expect_for(spec, len, depth);
	check_frame(obj, what, pkt, len, &want);
}

/* Load the parse programs and learn their VLAN_MAX_DEPTH; NULL (failure recorded)
 * when that cannot be done.
 */
static struct bpf_object *load_parsing(__u32 *depth)
{
	struct bpf_object *obj = open_and_load(PARSING_OBJ);

	if (!obj)
		return NULL;
	*depth = vlan_depth(obj);
	return *depth ? obj : NULL;
}

TEST(parse_ipv4_udp)
{
	struct pkt_spec spec = { .payload_len = 20 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "IPv4 UDP", &spec, depth);
	spec.payload_len = 0;
	check_spec(obj, "IPv4 UDP, no payload", &spec, depth);
}

TEST(parse_ipv4_tcp)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_TCP, .payload_len = 10 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "IPv4 TCP", &spec, depth);
}

TEST(parse_ipv4_icmp_echo)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_ICMP, .payload_len = 56 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "ICMP echo request", &spec, depth);
	spec.echo_reply = true;
	check_spec(obj, "ICMP echo reply", &spec, depth);
}

TEST(parse_ipv6_udp)
{
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6, .payload_len = 33 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "IPv6 UDP", &spec, depth);
}

TEST(parse_ipv6_tcp)
{
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6,
				 .l4_proto = IPPROTO_TCP,
				 .tcp_opt_len = 12,
				 .payload_len = 5 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "IPv6 TCP with options", &spec, depth);
}

TEST(parse_ipv6_icmpv6_echo)
{
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6,
				 .l4_proto = IPPROTO_ICMPV6,
				 .payload_len = 56 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "ICMPv6 echo request", &spec, depth);
	spec.echo_reply = true;
	check_spec(obj, "ICMPv6 echo reply", &spec, depth);
}

TEST(parse_unknown_protocols_pass)
{
	struct pkt_spec arp = { .eth_proto = ETH_P_ARP, .payload_len = 28 };
	struct pkt_spec gre = { .l4_proto = IPPROTO_GRE, .payload_len = 8 };
	struct pkt_spec v6none = { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_NONE };
	struct pkt_spec icmp_in_v6 = { .eth_proto = ETH_P_IPV6,
				       .l4_proto = IPPROTO_ICMP,
				       .payload_len = 8 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "ARP", &arp, depth);
	check_spec(obj, "IPv4 GRE", &gre, depth);
	check_spec(obj, "IPv6 no next header", &v6none, depth);
	check_spec(obj, "ICMP (not ICMPv6) in IPv6", &icmp_in_v6, depth);
}

TEST(parse_ipv4_options_every_ihl)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_TCP, .payload_len = 4 };
	char what[64];
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	for (spec.ip_opt_len = 0; spec.ip_opt_len <= 40; spec.ip_opt_len += 4) {
		snprintf(what, sizeof(what), "IPv4 ihl %u", 5 + spec.ip_opt_len / 4);
		check_spec(obj, what, &spec, depth);
	}
}

TEST(parse_tcp_options_every_doff)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_TCP, .payload_len = 2 };
	char what[64];
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	for (spec.tcp_opt_len = 0; spec.tcp_opt_len <= 40; spec.tcp_opt_len += 4) {
		snprintf(what, sizeof(what), "TCP doff %u", 5 + spec.tcp_opt_len / 4);
		check_spec(obj, what, &spec, depth);
	}
}

TEST(parse_vlan_single_8021q)
{
	struct pkt_spec spec = { .n_vlans = 1, .vlans = { { .tci = 100 } }, .payload_len = 4 };
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	check_spec(obj, "802.1Q tag 100, IPv4 UDP", &spec, depth);
	spec.eth_proto = ETH_P_IPV6;
	spec.l4_proto = IPPROTO_ICMPV6;
	check_spec(obj, "802.1Q tag 100, ICMPv6", &spec, depth);
}

TEST(parse_vlan_double_tag_8021ad_outer_8021q_inner)
{
	struct pkt_spec spec = {
		.n_vlans = 2,
		.vlans = { { .tpid = ETH_P_8021AD, .tci = 3000 },
			   { .tpid = ETH_P_8021Q, .tci = 7 } },
		.l4_proto = IPPROTO_TCP,
		.payload_len = 4,
	};
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	if (depth < 2)
		SKIP("the programs are built with VLAN_MAX_DEPTH %u", depth);
	check_spec(obj, "802.1ad 3000 + 802.1Q 7, IPv4 TCP", &spec, depth);
}

/* The id is 12 bits of the TCI: priority and drop-eligible bits must not leak in. */
TEST(parse_vlan_id_without_priority_bits)
{
	struct pkt_spec spec = { .n_vlans = 1, .vlans = { { .tci = 0xf00a } } };
	struct parse_result pres;
	struct xdp_result xres;
	__u8 pkt[FRAME_MAX];
	__u32 len;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(run_parse(obj, "parse_chain_vlans", pkt, len, &xres, &pres), "run failed");
	CHECK(pres.vlan_count == 1 && pres.vlan_id[0] == 10,
	      "TCI 0xf00a: %u ids, first %u; want 1 id, 10", pres.vlan_count, pres.vlan_id[0]);
}

/* As many tags as the bound: all parsed. One more: the parser stops at it and
 * returns its type, which the program passes as a protocol it does not know.
 */
TEST(parse_vlan_stack_at_and_beyond_the_bound)
{
	struct pkt_spec spec = { .payload_len = 4 };
	char what[64];
	__u32 i;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	for (i = 0; i <= depth && i < PKT_MAX_VLANS; i++) {
		spec.vlans[i].tci = 10 + i;
		/* Alternate the tag types, so the type returned tells which tag it is. */
		spec.vlans[i].tpid = i % 2 ? ETH_P_8021Q : ETH_P_8021AD;
	}
	spec.n_vlans = depth;
	snprintf(what, sizeof(what), "%u tags (the bound)", depth);
	check_spec(obj, what, &spec, depth);
	spec.n_vlans = depth + 1;
	snprintf(what, sizeof(what), "%u tags (one beyond)", depth + 1);
	check_spec(obj, what, &spec, depth);
}

/* Frames cut short at every byte, from 0 bytes to one short of the whole frame,
 * through parse_chain_padded: the program skips PARSE_PAD_LEN bytes of padding
 * first, so even 0 to 13 bytes can be given.
 */
static void check_every_truncation(struct bpf_object *obj, const char *what,
				   const struct pkt_spec *spec, __u32 depth)
{
	__u8 pkt[FRAME_MAX], padded[PARSE_PAD_LEN + FRAME_MAX];
	struct parse_result pres;
	struct xdp_result xres;
	struct expect want;
	char name[160];
	__u32 len, t;

	len = build_packet(spec, pkt, sizeof(pkt));
	if (!len)
		return;
	memset(padded, 0xaa, PARSE_PAD_LEN);
	for (t = 0; t <= len; t++) {
		memcpy(padded + PARSE_PAD_LEN, pkt, t);
		snprintf(name, sizeof(name), "%s cut to %u of %u bytes", what, t, len);
		want = expect_for(spec, t, depth);
		if (!run_parse(obj, "parse_chain_padded", padded, PARSE_PAD_LEN + t, &xres, &pres))
			return;
		check_result(name, &xres, &pres, &want, true);
		CHECK_BYTES(xres.data, xres.len, padded, PARSE_PAD_LEN + t);
		/* From 14 bytes on, the unpadded programs can be given the cut frame too. */
		if (t >= ETH_HLEN)
			check_frame(obj, name, pkt, t, &want);
	}
}

TEST(parse_truncated_at_every_byte)
{
	const struct {
		const char *what;
		struct pkt_spec spec;
	} cases[] = {
		{ "IPv4 UDP", { .payload_len = 6 } },
		{ "IPv4+options TCP+options",
		  { .ip_opt_len = 8, .l4_proto = IPPROTO_TCP, .tcp_opt_len = 8, .payload_len = 3 } },
		{ "IPv4 ICMP", { .l4_proto = IPPROTO_ICMP, .payload_len = 4 } },
		{ "IPv6 UDP", { .eth_proto = ETH_P_IPV6, .payload_len = 5 } },
		{ "IPv6 TCP", { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_TCP } },
		{ "IPv6 ICMPv6", { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_ICMPV6 } },
		{ "802.1ad+802.1Q IPv4 UDP",
		  { .n_vlans = 2,
		    .vlans = { { .tpid = ETH_P_8021AD, .tci = 5 }, { .tci = 6 } },
		    .payload_len = 2 } },
		{ "802.1Q IPv6 TCP",
		  { .n_vlans = 1,
		    .vlans = { { .tci = 4095 } },
		    .eth_proto = ETH_P_IPV6,
		    .l4_proto = IPPROTO_TCP,
		    .tcp_opt_len = 4 } },
	};
	unsigned int i;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].spec.n_vlans > (int)depth)
			continue;
		check_every_truncation(obj, cases[i].what, &cases[i].spec, depth);
	}
}

/* Run both programs on a hand-modified frame and check the step that must fail
 * (or succeed) with the given return and cursor; steps before it as built.
 */
static void check_modified(struct bpf_object *obj, const char *what, const struct pkt_spec *spec,
			   const __u8 *pkt, __u32 len, int step, int ret, __u32 hdr_off,
			   __u32 pos_off, __u32 depth)
{
	struct expect want = expect_for(spec, len, depth);

	set_step(&want, step, ret, hdr_off, pos_off);
	check_frame(obj, what, pkt, len, &want);
}

TEST(parse_ipv4_ihl_below_5)
{
	struct pkt_spec spec = { .payload_len = 40 };
	__u32 l3 = pkt_l3_offset(&spec);
	__u8 pkt[FRAME_MAX];
	char what[64];
	__u32 len;
	int ihl;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	for (ihl = 0; ihl < 5; ihl++) {
		pkt[l3] = 0x40 | ihl;
		snprintf(what, sizeof(what), "IPv4 ihl %d", ihl);
		check_modified(obj, what, &spec, pkt, len, STEP_L3, -1, 0, l3, depth);
	}
}

/* ihl claims options beyond the end of the frame: exactly at the end is fine,
 * one word more is not. A raw payload follows IP, so no L4 parser gets in the way.
 */
TEST(parse_ipv4_ihl_past_the_end)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_GRE };
	__u32 l3 = pkt_l3_offset(&spec);
	__u8 pkt[FRAME_MAX];
	char what[64];
	__u32 len, after, ihl;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	for (after = 0; after <= 44; after += 2) {
		spec.payload_len = after;
		len = build_packet(&spec, pkt, sizeof(pkt));
		ASSERT(len, "could not build the frame");
		for (ihl = 5; ihl <= 15; ihl++) {
			pkt[l3] = 0x40 | ihl;
			snprintf(what, sizeof(what), "ihl %u, %u bytes after the IPv4 header", ihl,
				 after);
			if (ihl * 4 > 20 + after)
				check_modified(obj, what, &spec, pkt, len, STEP_L3, -1, 0, l3,
					       depth);
			else
				check_modified(obj, what, &spec, pkt, len, STEP_L3, IPPROTO_GRE, l3,
					       l3 + ihl * 4, depth);
		}
	}
}

TEST(parse_tcp_doff_below_5)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_TCP, .payload_len = 40 };
	__u32 l4 = pkt_l4_offset(&spec);
	__u8 pkt[FRAME_MAX];
	char what[64];
	__u32 len;
	int doff;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	for (doff = 0; doff < 5; doff++) {
		pkt[l4 + 12] = doff << 4;
		snprintf(what, sizeof(what), "TCP doff %d", doff);
		check_modified(obj, what, &spec, pkt, len, STEP_L4, -1, 0, l4, depth);
	}
}

TEST(parse_tcp_doff_past_the_end)
{
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_TCP };
	__u32 l4 = pkt_l4_offset(&spec);
	__u8 pkt[FRAME_MAX];
	char what[64];
	__u32 len, after, doff;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	for (after = 0; after <= 44; after += 2) {
		spec.payload_len = after;
		len = build_packet(&spec, pkt, sizeof(pkt));
		ASSERT(len, "could not build the frame");
		for (doff = 5; doff <= 15; doff++) {
			pkt[l4 + 12] = doff << 4;
			snprintf(what, sizeof(what), "doff %u, %u bytes after the TCP header", doff,
				 after);
			if (doff * 4 > 20 + after)
				check_modified(obj, what, &spec, pkt, len, STEP_L4, -1, 0, l4,
					       depth);
			else
				check_modified(obj, what, &spec, pkt, len, STEP_L4, doff * 4, l4,
					       l4 + doff * 4, depth);
		}
	}
}

/* Every UDP length value from 0 to beyond the frame: below 8 (the header) is
 * malformed, beyond the frame is cut short, anything between is good and gives
 * the payload length. Then the same on a frame padded as Ethernet pads.
 */
TEST(parse_udp_length_field)
{
	struct pkt_spec spec = { .payload_len = 10 };
	__u32 l4 = pkt_l4_offset(&spec);
	__u8 pkt[FRAME_MAX];
	__u32 len, frame_len, udp_len, room;
	char what[64];
	int i;
	struct bpf_object *obj;
	__u32 depth;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");

	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	/* Unpadded, then padded with zeros to Ethernet's 60-byte minimum. */
	for (i = 0; i < 2; i++) {
		frame_len = i ? 60 : len;
		memset(pkt + len, 0, frame_len - len);
		room = frame_len - l4;
		for (udp_len = 0; udp_len <= room + 4; udp_len++) {
			pkt[l4 + 4] = udp_len >> 8;
			pkt[l4 + 5] = udp_len;
			snprintf(what, sizeof(what), "UDP length %u, %u bytes there", udp_len,
				 room);
			if (udp_len < 8 || udp_len > room)
				check_modified(obj, what, &spec, pkt, frame_len, STEP_L4, -1, 0, l4,
					       depth);
			else
				check_modified(obj, what, &spec, pkt, frame_len, STEP_L4,
					       udp_len - 8, l4, l4 + 8, depth);
		}
	}
	/* The largest value the field holds, on a small frame. */
	pkt[l4 + 4] = 0xff;
	pkt[l4 + 5] = 0xff;
	check_modified(obj, "UDP length 65535", &spec, pkt, len, STEP_L4, -1, 0, l4, depth);
}

/* The version nibble must match the EtherType: 4 behind 0x0800, 6 behind 0x86DD. */
TEST(parse_ip_version_must_match_the_ethertype)
{
	struct pkt_spec v4 = { .l4_proto = IPPROTO_GRE, .payload_len = 8 };
	struct pkt_spec v6 = { .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_GRE, .payload_len = 8 };
	__u32 l3 = pkt_l3_offset(&v4);
	__u8 pkt[FRAME_MAX];
	char what[64];
	__u32 len, depth;
	int version;
	struct bpf_object *obj;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");
	for (version = 0; version < 16; version++) {
		len = build_packet(&v4, pkt, sizeof(pkt));
		ASSERT(len, "could not build the frame");
		pkt[l3] = version << 4 | 5;
		snprintf(what, sizeof(what), "IPv4 EtherType, version %d", version);
		if (version == 4)
			check_modified(obj, what, &v4, pkt, len, STEP_L3, IPPROTO_GRE, l3, l3 + 20,
				       depth);
		else
			check_modified(obj, what, &v4, pkt, len, STEP_L3, -1, 0, l3, depth);

		len = build_packet(&v6, pkt, sizeof(pkt));
		ASSERT(len, "could not build the frame");
		pkt[l3] = version << 4 | (pkt[l3] & 0x0f);
		snprintf(what, sizeof(what), "IPv6 EtherType, version %d", version);
		if (version == 6)
			check_modified(obj, what, &v6, pkt, len, STEP_L3, IPPROTO_GRE, l3, l3 + 40,
				       depth);
		else
			check_modified(obj, what, &v6, pkt, len, STEP_L3, -1, 0, l3, depth);
	}
}

/* Every IPv4 total length from 0 to past the frame: below the header (with and
 * without options) is malformed, past the frame is cut short, and shorter than
 * the frame is fine (Ethernet padding follows).
 */
TEST(parse_ipv4_total_length)
{
	struct pkt_spec spec = { .l4_proto = IPPROTO_GRE, .payload_len = 12 };
	__u32 l3 = pkt_l3_offset(&spec), ip_len, hdr, opt;
	__u8 pkt[FRAME_MAX];
	char what[80];
	__u32 len, depth, tot_len;
	struct bpf_object *obj;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");
	for (opt = 0; opt <= 8; opt += 8) {
		spec.ip_opt_len = opt;
		hdr = 20 + opt;
		len = build_packet(&spec, pkt, sizeof(pkt));
		ASSERT(len, "could not build the frame");
		ip_len = len - l3;
		for (tot_len = 0; tot_len <= ip_len + 4; tot_len++) {
			pkt[l3 + 2] = tot_len >> 8;
			pkt[l3 + 3] = tot_len;
			snprintf(what, sizeof(what),
				 "IPv4 total length %u, header %u, %u bytes there", tot_len, hdr,
				 ip_len);
			if (tot_len < hdr || tot_len > ip_len)
				check_modified(obj, what, &spec, pkt, len, STEP_L3, -1, 0, l3,
					       depth);
			else
				check_modified(obj, what, &spec, pkt, len, STEP_L3, IPPROTO_GRE, l3,
					       l3 + hdr, depth);
		}
		pkt[l3 + 2] = 0xff;
		pkt[l3 + 3] = 0xff;
		check_modified(obj, "IPv4 total length 65535", &spec, pkt, len, STEP_L3, -1, 0, l3,
			       depth);
	}
}

TEST(parse_ipv6_payload_length)
{
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6,
				 .l4_proto = IPPROTO_GRE,
				 .payload_len = 12 };
	__u32 l3 = pkt_l3_offset(&spec);
	__u8 pkt[FRAME_MAX];
	char what[80];
	__u32 len, depth, payload_len, room;
	struct bpf_object *obj;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");
	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	room = len - l3 - 40;
	for (payload_len = 0; payload_len <= room + 4; payload_len++) {
		pkt[l3 + 4] = payload_len >> 8;
		pkt[l3 + 5] = payload_len;
		snprintf(what, sizeof(what), "IPv6 payload length %u, %u bytes there", payload_len,
			 room);
		if (payload_len > room)
			check_modified(obj, what, &spec, pkt, len, STEP_L3, -1, 0, l3, depth);
		else
			check_modified(obj, what, &spec, pkt, len, STEP_L3, IPPROTO_GRE, l3,
				       l3 + 40, depth);
	}
	pkt[l3 + 4] = 0xff;
	pkt[l3 + 5] = 0xff;
	check_modified(obj, "IPv6 payload length 65535", &spec, pkt, len, STEP_L3, -1, 0, l3,
		       depth);
}

/* Only the first piece of a fragmented IPv4 packet carries the UDP header; in a
 * later piece, the bytes where ports would be are data. parse_iphdr() says
 * IPPROTO_FRAGMENT for those, so the chain parses no UDP header out of them.
 */
TEST(parse_ipv4_later_fragments_hide_the_l4_header)
{
	static const struct {
		__u16 frag_off;
		bool later;
	} cases[] = {
		{ 0x0000, false }, /* not fragmented */
		{ 0x4000, false }, /* don't fragment */
		{ 0x2000, false }, /* first piece: more fragments, offset 0 */
		{ 0x2001, true },  /* a middle piece */
		{ 0x0001, true },  /* the last piece */
		{ 0x1fff, true },  /* the largest offset */
		{ 0x3fff, true },
	};
	struct pkt_spec spec = { .payload_len = 16 };
	__u32 l3 = pkt_l3_offset(&spec), l4 = pkt_l4_offset(&spec);
	__u8 pkt[FRAME_MAX];
	char what[64];
	__u32 len, depth, i;
	struct bpf_object *obj;

	obj = load_parsing(&depth);
	ASSERT(obj, "cannot test without the parse programs");
	len = build_packet(&spec, pkt, sizeof(pkt));
	ASSERT(len, "could not build the frame");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct expect want = expect_for(&spec, len, depth);

		pkt[l3 + 6] = cases[i].frag_off >> 8;
		pkt[l3 + 7] = cases[i].frag_off;
		snprintf(what, sizeof(what), "IPv4 frag_off 0x%04x", cases[i].frag_off);
		if (cases[i].later)
			/* Stops after IP: the chain knows no IPPROTO_FRAGMENT. */
			set_step(&want, STEP_L3, IPPROTO_FRAGMENT, l3, l4);
		check_frame(obj, what, pkt, len, &want);
	}
}
