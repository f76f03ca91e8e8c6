// SPDX-License-Identifier: GPL-2.0
/* packet02-rewriting: the programs of the reference solution on every packet
 * kind, byte for byte: the frame that comes out must be the one built here with
 * the change made (the builder computes every checksum from scratch, so a wrong
 * incremental update shows as a difference). And what the starter does before
 * the assignments: the port changes, the checksum does not; the VLAN helpers
 * fail, so a tagged frame passes unchanged (pop) and an untagged one is
 * dropped (push).
 */
#include <stdlib.h>

#include "harness.h"

#define LESSON_OBJ "packet02-rewriting/xdp_prog.bpf.o"
#define SOLUTION_OBJ "packet-solutions/packet02-rewriting/xdp_prog.bpf.o"
#define FRAME_MAX 512
#define PUSH_VID 100

/* The packet kinds the port rewrite changes. */
static const struct {
	const char *what;
	__u16 eth_proto;
	__u8 l4_proto;
	__u8 ip_opt_len;
	__u8 tcp_opt_len;
	int n_vlans;
} port_kinds[] = {
	{ "IPv4 UDP", ETH_P_IP, IPPROTO_UDP, 0, 0, 0 },
	{ "IPv6 UDP", ETH_P_IPV6, IPPROTO_UDP, 0, 0, 0 },
	{ "IPv4 TCP", ETH_P_IP, IPPROTO_TCP, 0, 0, 0 },
	{ "IPv6 TCP", ETH_P_IPV6, IPPROTO_TCP, 0, 0, 0 },
	{ "IPv4 with options, TCP with options", ETH_P_IP, IPPROTO_TCP, 8, 12, 0 },
	{ "IPv4 UDP under a VLAN tag", ETH_P_IP, IPPROTO_UDP, 0, 0, 1 },
	{ "IPv6 TCP under two VLAN tags", ETH_P_IPV6, IPPROTO_TCP, 0, 0, 2 },
};

#define N_KINDS (sizeof(port_kinds) / sizeof(port_kinds[0]))

static struct pkt_spec kind_spec(unsigned int i, __u16 sport, __u16 dport, __u16 payload_len)
{
	struct pkt_spec s = {
		.eth_proto = port_kinds[i].eth_proto,
		.l4_proto = port_kinds[i].l4_proto,
		.ip_opt_len = port_kinds[i].ip_opt_len,
		.tcp_opt_len = port_kinds[i].tcp_opt_len,
		.n_vlans = port_kinds[i].n_vlans,
		.src_port = sport,
		.dst_port = dport,
		.tcp_flags = 0x18, /* PSH ACK: data */
		.payload_len = payload_len,
	};

	s.vlans[0].tci = 5;
	s.vlans[1].tci = 6;
	return s;
}

/* Run prog on the frame in and expect action and the frame want. */
static void expect_frame(int fd, const char *what, const struct pkt_spec *in,
			 const struct pkt_spec *want, __u32 action)
{
	__u8 pkt[FRAME_MAX], out[FRAME_MAX];
	struct xdp_result res;
	__u32 len, want_len;

	len = build_packet(in, pkt, sizeof(pkt));
	want_len = build_packet(want, out, sizeof(out));
	if (!len || !want_len || xdp_run(fd, pkt, len, &res))
		return;
	harness_note("%s", what);
	CHECK_ACTION(&res, action);
	CHECK_BYTES(res.data, res.len, out, want_len);
}

TEST(packet02_port_rewrite_every_kind)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	/* Ports around the byte boundaries, where a byte-order slip shows (not 1:
	 * the builder reads a port 0 as "the default").
	 */
	static const __u16 ports[] = { 2, 256, 257, 5001, 0x8000, 0xff00, 0xffff };
	unsigned int i, p;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_port_rewrite_func");
	for (i = 0; i < N_KINDS; i++) {
		for (p = 0; p < sizeof(ports) / sizeof(ports[0]); p++) {
			struct pkt_spec in = kind_spec(i, 40000 + p, ports[p], 3 * p + 1);
			struct pkt_spec want = in;

			want.dst_port = ports[p] - 1;
			expect_frame(fd, port_kinds[i].what, &in, &want, XDP_PASS);
		}
	}
}

/* Many payloads: the incremental update must equal a full recomputation for
 * every checksum value, not only the ones a few fixed frames happen to have.
 */
TEST(packet02_port_rewrite_checksums_match_recomputation)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	__u8 pkt[FRAME_MAX], fixed[FRAME_MAX], payload[64];
	struct xdp_result res;
	unsigned int i, round, bad = 0;
	__u32 len;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_port_rewrite_func");
	srandom(2);
	for (round = 0; round < 300 && bad < 5; round++) {
		struct pkt_spec in = kind_spec(round % N_KINDS, random() & 0xffff,
					       1 + random() % 0xffff, sizeof(payload));

		for (i = 0; i < sizeof(payload); i++)
			payload[i] = random();
		in.payload = payload;
		len = build_packet(&in, pkt, sizeof(pkt));
		if (!len || xdp_run(fd, pkt, len, &res))
			return;
		memcpy(fixed, res.data, res.len);
		pkt_fix_checksums(fixed, res.len);
		if (!CHECK_BYTES(res.data, res.len, fixed, res.len))
			bad++;
	}
}

/* UDP over IPv4 with checksum 0 ("none"): it stays 0. And an update whose
 * result is 0 must be written as 0xffff (RFC 768): the builder does the same,
 * so a payload whose rewritten frame has 0xffff is searched for and run.
 */
TEST(packet02_port_rewrite_udp_zero_checksum)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec in = { .dst_port = 5001, .payload_len = 2 };
	struct pkt_spec want = in;
	__u8 pkt[FRAME_MAX], out[FRAME_MAX], payload[2] = { 0, 0 };
	__u32 len, want_len, l4;
	struct xdp_result res;
	unsigned int v;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_port_rewrite_func");
	len = build_packet(&in, pkt, sizeof(pkt));
	l4 = pkt_l4_offset(&in);
	pkt[l4 + 6] = pkt[l4 + 7] = 0;
	ASSERT(xdp_run(fd, pkt, len, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_PASS);
	want.dst_port = 5000;
	want_len = build_packet(&want, out, sizeof(out));
	out[l4 + 6] = out[l4 + 7] = 0;
	CHECK_BYTES(res.data, res.len, out, want_len);

	want.payload = in.payload = payload;
	for (v = 0; v < 0x10000; v++) {
		payload[0] = v >> 8;
		payload[1] = v;
		want_len = build_packet(&want, out, sizeof(out));
		if (out[l4 + 6] == 0xff && out[l4 + 7] == 0xff)
			break;
	}
	ASSERT(v < 0x10000, "found no payload whose rewritten checksum is 0xffff");
	expect_frame(fd, "IPv4 UDP whose updated checksum is 0, sent as 0xffff", &in, &want,
		     XDP_PASS);
}

/* What the port rewrite leaves alone: port 0, other protocols, later
 * fragments, frames that are not IP, and every frame cut short.
 */
TEST(packet02_port_rewrite_leaves_others_alone)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	static const struct pkt_spec others[] = {
		{ .l4_proto = IPPROTO_ICMP },
		{ .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_ICMPV6 },
		{ .eth_proto = ETH_P_ARP, .payload_len = 28 },
		{ .l4_proto = IPPROTO_GRE, .payload_len = 8 },
	};
	__u8 pkt[FRAME_MAX];
	struct xdp_result res;
	struct pkt_spec tcp = { .l4_proto = IPPROTO_TCP, .payload_len = 4 };
	unsigned int i;
	__u32 len, cut;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_port_rewrite_func");
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		len = build_packet(&others[i], pkt, sizeof(pkt));
		if (!len || xdp_run(fd, pkt, len, &res))
			return;
		CHECK_ACTION(&res, XDP_PASS);
		CHECK_BYTES(res.data, res.len, pkt, len);
	}

	/* Port 0 (the builder reads 0 as "the default": set it by hand). */
	len = build_packet(&tcp, pkt, sizeof(pkt));
	pkt[pkt_l4_offset(&tcp) + 2] = pkt[pkt_l4_offset(&tcp) + 3] = 0;
	pkt_fix_checksums(pkt, len);
	if (xdp_run(fd, pkt, len, &res))
		return;
	CHECK_BYTES(res.data, res.len, pkt, len);

	/* A later fragment (offset 8 bytes): its first bytes are data, not ports. */
	len = build_packet(&tcp, pkt, sizeof(pkt));
	pkt[ETH_HLEN + 6] = 0x00;
	pkt[ETH_HLEN + 7] = 0x01;
	if (xdp_run(fd, pkt, len, &res))
		return;
	CHECK_BYTES(res.data, res.len, pkt, len);

	/* Cut at every length: nothing is read or written past the end. */
	len = build_packet(&tcp, pkt, sizeof(pkt));
	for (cut = ETH_HLEN; cut < len; cut++) {
		if (xdp_run(fd, pkt, cut, &res))
			return;
		CHECK_ACTION(&res, XDP_PASS);
		CHECK(res.len == cut && !memcmp(res.data, pkt, cut),
		      "a TCP frame cut to %u bytes came out changed", cut);
	}
}

/* Every verdict is counted in xdp_stats_map (a per-CPU array: add the CPUs up). */
static __u64 pass_count(struct bpf_object *obj)
{
	int ncpus = libbpf_num_possible_cpus(), fd = map_fd(obj, "xdp_stats_map"), i;
	struct {
		__u64 packets, bytes;
	} * v;
	__u32 key = XDP_PASS;
	__u64 sum = 0;

	if (fd < 0 || ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (v && !bpf_map_lookup_elem(fd, &key, v))
		for (i = 0; i < ncpus; i++)
			sum += v[i].packets;
	free(v);
	return sum;
}

TEST(packet02_port_rewrite_counts_its_verdicts)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec spec = { .payload_len = 10 };
	__u8 pkt[FRAME_MAX];
	struct xdp_result res;
	__u32 len;
	int i;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	for (i = 0; i < 3; i++)
		if (xdp_run(prog_fd(obj, "xdp_port_rewrite_func"), pkt, len, &res))
			return;
	CHECK(pass_count(obj) == 3, "XDP_PASS in xdp_stats_map: %llu, want 3",
	      (unsigned long long)pass_count(obj));
}

/* ---- tc_port_restore, run on an skb ------------------------------------------- */

static int tc_run(int fd, const void *pkt, __u32 len, struct xdp_result *res)
{
	static __u8 out[XDP_RESULT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &opts)) {
		CHECK(0, "BPF_PROG_TEST_RUN of the tc program: %s", strerror(errno));
		return -1;
	}
	res->action = opts.retval;
	res->len = opts.data_size_out;
	memcpy(res->data, out, res->len);
	return 0;
}

TEST(packet02_tc_port_restore_every_kind)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	static const __u16 ports[] = { 1, 255, 256, 4999, 0x7fff, 0xfffe };
	__u8 pkt[FRAME_MAX], out[FRAME_MAX];
	struct xdp_result res;
	unsigned int i, p;
	__u32 len, want_len;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "tc_port_restore");
	for (i = 0; i < N_KINDS; i++) {
		for (p = 0; p < sizeof(ports) / sizeof(ports[0]); p++) {
			struct pkt_spec in = kind_spec(i, ports[p], 40000, 5 * p);
			struct pkt_spec want = in;

			want.src_port = ports[p] + 1;
			len = build_packet(&in, pkt, sizeof(pkt));
			want_len = build_packet(&want, out, sizeof(out));
			if (!len || !want_len || tc_run(fd, pkt, len, &res))
				return;
			harness_note("%s, source port %u", port_kinds[i].what, ports[p]);
			CHECK(res.action == 0, "tc verdict %u, want TC_ACT_OK (0)", res.action);
			CHECK_BYTES(res.data, res.len, out, want_len);
		}
	}
}

TEST(packet02_tc_port_restore_leaves_port_65535_and_others)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec specs[] = {
		{ .src_port = 0xffff },
		{ .l4_proto = IPPROTO_ICMP },
		{ .eth_proto = ETH_P_ARP, .payload_len = 28 },
	};
	__u8 pkt[FRAME_MAX];
	struct xdp_result res;
	unsigned int i;
	__u32 len;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		len = build_packet(&specs[i], pkt, sizeof(pkt));
		if (!len || tc_run(prog_fd(obj, "tc_port_restore"), pkt, len, &res))
			return;
		CHECK(res.action == 0, "tc verdict %u, want TC_ACT_OK (0)", res.action);
		CHECK_BYTES(res.data, res.len, pkt, len);
	}
}

/* ---- VLAN pop and push --------------------------------------------------------- */

TEST(packet02_vlan_pop_removes_the_outer_tag)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec one = { .n_vlans = 1, .vlans = { { 0, 0xe000 | 42 } }, .payload_len = 9 };
	struct pkt_spec two = { .eth_proto = ETH_P_IPV6,
				.l4_proto = IPPROTO_TCP,
				.n_vlans = 2,
				.vlans = { { ETH_P_8021AD, 300 }, { 0, 4001 } } };
	struct pkt_spec none = one, inner = two;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_vlan_pop_func");
	none.n_vlans = 0;
	expect_frame(fd, "one 802.1Q tag", &one, &none, XDP_PASS);
	inner.n_vlans = 1;
	inner.vlans[0] = two.vlans[1];
	expect_frame(fd, "802.1ad outside, 802.1Q inside: the outer one goes", &two, &inner,
		     XDP_PASS);
	expect_frame(fd, "untagged: unchanged", &none, &none, XDP_PASS);
}

TEST(packet02_vlan_pop_short_tagged_frames_pass_unchanged)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec tagged = { .n_vlans = 1, .vlans = { { 0, 7 } } };
	__u8 pkt[FRAME_MAX];
	struct xdp_result res;
	__u32 cut;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_vlan_pop_func");
	ASSERT(build_packet(&tagged, pkt, sizeof(pkt)), "build failed");
	/* 14..17 bytes: the tag is cut short; 18: a tag with nothing after it. */
	for (cut = ETH_HLEN; cut < ETH_HLEN + 4; cut++) {
		if (xdp_run(fd, pkt, cut, &res))
			return;
		CHECK_ACTION(&res, XDP_PASS);
		CHECK(res.len == cut && !memcmp(res.data, pkt, cut),
		      "a tagged frame cut to %u bytes came out changed", cut);
	}
	if (xdp_run(fd, pkt, ETH_HLEN + 4, &res))
		return;
	CHECK_ACTION(&res, XDP_PASS);
	CHECK(res.len == ETH_HLEN, "an 18-byte tagged frame came out %u bytes long, want 14",
	      res.len);
}

TEST(packet02_vlan_push_adds_a_tag)
{
	struct bpf_object *obj = open_and_load(SOLUTION_OBJ);
	struct pkt_spec kinds[] = {
		{ .payload_len = 3 },
		{ .eth_proto = ETH_P_IPV6, .l4_proto = IPPROTO_ICMPV6 },
		{ .eth_proto = ETH_P_ARP, .payload_len = 28 },
		{ .eth_proto = 0x88b5 }, /* a bare Ethernet header: 14 bytes */
	};
	unsigned int i;
	int fd;

	ASSERT(obj, "cannot test without %s", SOLUTION_OBJ);
	fd = prog_fd(obj, "xdp_vlan_push_func");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct pkt_spec want = kinds[i];

		want.n_vlans = 1;
		want.vlans[0].tci = PUSH_VID;
		expect_frame(fd, "untagged frame gets 802.1Q 100", &kinds[i], &want, XDP_PASS);
	}
	kinds[0].n_vlans = 1;
	kinds[0].vlans[0].tpid = ETH_P_8021AD;
	kinds[0].vlans[0].tci = 9;
	expect_frame(fd, "tagged frame: unchanged", &kinds[0], &kinds[0], XDP_PASS);
}

/* ---- the starter, before the assignments ---------------------------------------- */

TEST(packet02_starter_rewrites_port_not_checksum)
{
	struct bpf_object *obj = open_and_load(LESSON_OBJ);
	struct pkt_spec in = { .l4_proto = IPPROTO_TCP, .dst_port = 5001, .payload_len = 4 };
	struct pkt_spec tagged = { .n_vlans = 1 };
	__u8 pkt[FRAME_MAX], want[FRAME_MAX];
	struct xdp_result res;
	__u32 len, l4;

	ASSERT(obj, "cannot test without %s", LESSON_OBJ);
	len = build_packet(&in, pkt, sizeof(pkt));
	ASSERT(xdp_run(prog_fd(obj, "xdp_port_rewrite_func"), pkt, len, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_PASS);
	memcpy(want, pkt, len);
	l4 = pkt_l4_offset(&in);
	want[l4 + 3] -= 1; /* 5001 -> 5000, in the low byte; the checksum stays */
	CHECK_BYTES(res.data, res.len, want, len);

	len = build_packet(&tagged, pkt, sizeof(pkt));
	ASSERT(xdp_run(prog_fd(obj, "xdp_vlan_pop_func"), pkt, len, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_PASS);
	CHECK_BYTES(res.data, res.len, pkt, len);
	len = build_packet(&in, pkt, sizeof(pkt));
	ASSERT(xdp_run(prog_fd(obj, "xdp_vlan_push_func"), pkt, len, &res) == 0, "run failed");
	CHECK_ACTION(&res, XDP_DROP);
	ASSERT(tc_run(prog_fd(obj, "tc_port_restore"), pkt, len, &res) == 0, "run failed");
	CHECK_BYTES(res.data, res.len, pkt, len);
}
