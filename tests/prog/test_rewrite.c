// SPDX-License-Identifier: GPL-2.0
/* headers/rewrite_helpers.h, through rewrite_progs.bpf.c: each rewrite must turn
 * a frame built here into exactly the frame built here with the change made (the
 * builder computes every checksum from scratch).
 */
#include "harness.h"
#include "helper_progs.h"

#define REWRITE_OBJ "tests/prog/rewrite_progs.bpf.o"
#define FRAME_MAX 512
#define NO_RESULT (-12345) /* in the result map before a run: the program must overwrite it */

static void set_config(struct bpf_object *obj, const struct rewrite_config *cfg)
{
	int fd = map_fd(obj, "rewrite_config_map");
	__u32 key = 0;

	if (fd >= 0)
		CHECK(!bpf_map_update_elem(fd, &key, cfg, BPF_ANY), "set rewrite_config_map: %s",
		      strerror(errno));
}

/* Run prog on pkt; res gets what the program wrote in rewrite_result_map. */
static bool run_rewrite(struct bpf_object *obj, const char *prog, const void *pkt, __u32 len,
			struct xdp_result *xres, struct rewrite_result *res)
{
	int fd = map_fd(obj, "rewrite_result_map");
	struct rewrite_result stale = { .ret = NO_RESULT, .ttl = 0xdead };
	__u32 key = 0;

	if (fd < 0 || bpf_map_update_elem(fd, &key, &stale, BPF_ANY))
		return false;
	if (xdp_run(prog_fd(obj, prog), pkt, len, xres))
		return false;
	return !bpf_map_lookup_elem(fd, &key, res);
}

/* Build both frames, run prog on the first, expect action and the second. */
static void check_rewrite(struct bpf_object *obj, const char *prog, const struct pkt_spec *in,
			  const struct pkt_spec *out, __u32 action)
{
	__u8 pkt[FRAME_MAX], want[FRAME_MAX];
	struct rewrite_result res;
	struct xdp_result xres;
	__u32 len, want_len;

	len = build_packet(in, pkt, sizeof(pkt));
	want_len = build_packet(out, want, sizeof(want));
	if (!len || !want_len || !run_rewrite(obj, prog, pkt, len, &xres, &res))
		return;
	CHECK_ACTION(&xres, action);
	CHECK_BYTES(xres.data, xres.len, want, want_len);
}

/* The frame must come out as it went in, with this action. */
static void check_unchanged(struct bpf_object *obj, const char *prog, const void *pkt, __u32 len,
			    __u32 action, struct rewrite_result *res)
{
	struct xdp_result xres;

	if (!run_rewrite(obj, prog, pkt, len, &xres, res))
		return;
	CHECK_ACTION(&xres, action);
	CHECK_BYTES(xres.data, xres.len, pkt, len);
}

TEST(swap_mac_swaps_addresses)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .eth_src = "00:11:22:33:44:55",
			       .eth_dst = "aa:bb:cc:dd:ee:ff",
			       .payload_len = 8 };
	struct pkt_spec out = in;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	out.eth_src = in.eth_dst;
	out.eth_dst = in.eth_src;
	check_rewrite(obj, "swap_mac", &in, &out, XDP_TX);

	/* VLAN tags and what follows stay as they are. */
	in.n_vlans = out.n_vlans = 2;
	in.vlans[0] = out.vlans[0] = (struct pkt_vlan){ .tpid = ETH_P_8021AD, .tci = 1 };
	in.vlans[1] = out.vlans[1] = (struct pkt_vlan){ .tci = 2 };
	in.eth_proto = out.eth_proto = ETH_P_IPV6;
	check_rewrite(obj, "swap_mac", &in, &out, XDP_TX);
}

TEST(swap_ipv4_swaps_addresses_checksums_stay_valid)
{
	static const __u8 protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMP };
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .ip_src = "10.1.2.3", .ip_dst = "172.16.254.1", .payload_len = 9 };
	struct pkt_spec out;
	unsigned int i;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	for (i = 0; i < sizeof(protos); i++) {
		in.l4_proto = protos[i];
		in.ip_opt_len = 4 * i;
		in.n_vlans = i;
		out = in;
		out.ip_src = in.ip_dst;
		out.ip_dst = in.ip_src;
		check_rewrite(obj, "swap_ipv4", &in, &out, XDP_TX);
	}
}

TEST(swap_ipv4_leaves_ipv6_alone)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6 };
	struct rewrite_result res;
	__u8 pkt[FRAME_MAX];
	__u32 len;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	check_unchanged(obj, "swap_ipv4", pkt, len, XDP_PASS, &res);
}

TEST(swap_ipv6_swaps_addresses_checksums_stay_valid)
{
	static const __u8 protos[] = { IPPROTO_UDP, IPPROTO_TCP, IPPROTO_ICMPV6 };
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .eth_proto = ETH_P_IPV6,
			       .ip_src = "2001:db8:1::a",
			       .ip_dst = "fd00:1234:5678::ffff",
			       .payload_len = 3 };
	struct pkt_spec out;
	unsigned int i;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	for (i = 0; i < sizeof(protos); i++) {
		in.l4_proto = protos[i];
		in.n_vlans = i;
		out = in;
		out.ip_src = in.ip_dst;
		out.ip_dst = in.ip_src;
		check_rewrite(obj, "swap_ipv6", &in, &out, XDP_TX);
	}
}

/* Pop the outer tag of 1 and of 2 tags; the id comes back, priority bits gone. */
TEST(vlan_pop_removes_the_outer_tag)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .n_vlans = 1,
			       .vlans = { { .tci = 0xa000 | 100 } },
			       .payload_len = 10 };
	struct pkt_spec out = in;
	__u8 pkt[FRAME_MAX];
	struct rewrite_result res;
	struct xdp_result xres;
	__u32 len;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	out.n_vlans = 0;
	check_rewrite(obj, "vlan_pop", &in, &out, XDP_TX);
	len = build_packet(&in, pkt, sizeof(pkt));
	if (run_rewrite(obj, "vlan_pop", pkt, len, &xres, &res))
		CHECK(res.ret == 100, "vlan_tag_pop returned %d, want 100", res.ret);

	in.n_vlans = 2;
	in.vlans[0] = (struct pkt_vlan){ .tpid = ETH_P_8021AD, .tci = 4000 };
	in.vlans[1] = (struct pkt_vlan){ .tci = 200 };
	in.eth_proto = ETH_P_IPV6;
	out = in;
	out.n_vlans = 1;
	out.vlans[0] = in.vlans[1];
	check_rewrite(obj, "vlan_pop", &in, &out, XDP_TX);
	len = build_packet(&in, pkt, sizeof(pkt));
	if (run_rewrite(obj, "vlan_pop", pkt, len, &xres, &res))
		CHECK(res.ret == 4000, "vlan_tag_pop returned %d, want 4000", res.ret);
}

/* The smallest frame with a tag: 18 bytes become 14. */
TEST(vlan_pop_minimal_frame)
{
	static const __u8 in[18] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0x0f, 0xff, 0x08, 0x06,
	};
	static const __u8 want[14] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06 };
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct rewrite_result res;
	struct xdp_result xres;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	ASSERT(run_rewrite(obj, "vlan_pop", in, sizeof(in), &xres, &res), "run failed");
	CHECK_ACTION(&xres, XDP_TX);
	CHECK_BYTES(xres.data, xres.len, want, (__u32)sizeof(want));
	CHECK(res.ret == 4095, "vlan_tag_pop returned %d, want 4095", res.ret);
}

/* No tag, or a tag cut short: -1 and the frame untouched. */
TEST(vlan_pop_refuses_untagged_and_short)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec plain = { .payload_len = 4 };
	__u8 pkt[FRAME_MAX] = { 0 };
	struct rewrite_result res;
	__u32 len;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	len = build_packet(&plain, pkt, sizeof(pkt));
	check_unchanged(obj, "vlan_pop", pkt, len, XDP_DROP, &res);
	CHECK(res.ret == -1, "untagged: vlan_tag_pop returned %d, want -1", res.ret);

	/* Type 802.1Q, but 0 to 3 bytes of the tag. */
	pkt[12] = 0x81;
	pkt[13] = 0x00;
	for (len = ETH_HLEN; len < ETH_HLEN + 4; len++) {
		check_unchanged(obj, "vlan_pop", pkt, len, XDP_DROP, &res);
		CHECK(res.ret == -1, "%u-byte frame: vlan_tag_pop returned %d, want -1", len,
		      res.ret);
	}
}

static void push_config(struct bpf_object *obj, __u16 tpid, __u16 vlan_id)
{
	struct rewrite_config cfg = { .vlan_tpid = tpid, .vlan_id = vlan_id };

	set_config(obj, &cfg);
}

TEST(vlan_push_adds_a_tag)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .l4_proto = IPPROTO_TCP, .payload_len = 7 };
	struct pkt_spec out = in;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	push_config(obj, ETH_P_8021Q, 42);
	out.n_vlans = 1;
	out.vlans[0] = (struct pkt_vlan){ .tpid = ETH_P_8021Q, .tci = 42 };
	check_rewrite(obj, "vlan_push", &in, &out, XDP_TX);

	/* Onto a tagged frame: an 802.1ad outer tag makes it QinQ. */
	in = out;
	push_config(obj, ETH_P_8021AD, 4095);
	out.n_vlans = 2;
	out.vlans[0] = (struct pkt_vlan){ .tpid = ETH_P_8021AD, .tci = 4095 };
	out.vlans[1] = in.vlans[0];
	check_rewrite(obj, "vlan_push", &in, &out, XDP_TX);
}

TEST(vlan_push_refuses_bad_arguments)
{
	static const struct {
		__u16 tpid, id;
	} bad[] = { { ETH_P_8021Q, 4096 }, { ETH_P_8021AD, 0xffff }, { ETH_P_IP, 1 }, { 0, 1 } };
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec spec = { .payload_len = 4 };
	struct rewrite_result res;
	__u8 pkt[FRAME_MAX];
	unsigned int i;
	__u32 len;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		push_config(obj, bad[i].tpid, bad[i].id);
		check_unchanged(obj, "vlan_push", pkt, len, XDP_DROP, &res);
		CHECK(res.ret == -1, "TPID 0x%04x id %u: vlan_tag_push returned %d, want -1",
		      bad[i].tpid, bad[i].id, res.ret);
	}
}

/* Push then pop gives back the frame, and the id pushed. */
TEST(vlan_push_then_pop_round_trip)
{
	static const __u16 ids[] = { 0, 1, 100, 2048, 4095 };
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec spec = { .eth_proto = ETH_P_IPV6,
				 .l4_proto = IPPROTO_ICMPV6,
				 .n_vlans = 1,
				 .vlans = { { .tci = 33 } },
				 .payload_len = 16 };
	struct xdp_result pushed, popped;
	struct rewrite_result res;
	__u8 pkt[FRAME_MAX];
	unsigned int i;
	__u32 len;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	len = build_packet(&spec, pkt, sizeof(pkt));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		push_config(obj, i % 2 ? ETH_P_8021Q : ETH_P_8021AD, ids[i]);
		if (!run_rewrite(obj, "vlan_push", pkt, len, &pushed, &res))
			return;
		CHECK(pushed.len == len + 4, "pushed frame: %u bytes, want %u", pushed.len,
		      len + 4);
		if (!run_rewrite(obj, "vlan_pop", pushed.data, pushed.len, &popped, &res))
			return;
		CHECK(res.ret == ids[i], "popped id %d, want %u", res.ret, ids[i]);
		CHECK_BYTES(popped.data, popped.len, pkt, len);
	}
}

TEST(ip_decrease_ttl_updates_the_checksum)
{
	static const __u8 ttls[] = { 1, 2, 64, 128, 255 };
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .ip_src = "198.51.100.7",
			       .ip_dst = "203.0.113.200",
			       .l4_proto = IPPROTO_ICMP,
			       .payload_len = 12 };
	__u8 pkt[FRAME_MAX], want[FRAME_MAX];
	struct rewrite_result res;
	struct xdp_result xres;
	struct pkt_spec out;
	unsigned int i;
	__u32 len, want_len;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	for (i = 0; i < sizeof(ttls); i++) {
		in.ttl = ttls[i];
		in.ip_opt_len = 8 * (i % 2);
		out = in;
		/* 0 is the builder's "default": build TTL 1 and patch it to 0. */
		out.ttl = ttls[i] > 1 ? ttls[i] - 1 : 1;
		len = build_packet(&in, pkt, sizeof(pkt));
		want_len = build_packet(&out, want, sizeof(want));
		if (ttls[i] == 1) {
			want[pkt_l3_offset(&out) + 8] = 0;
			pkt_fix_checksums(want, want_len);
		}
		if (!run_rewrite(obj, "ttl_decrease", pkt, len, &xres, &res))
			return;
		CHECK_ACTION(&xres, XDP_TX);
		CHECK_BYTES(xres.data, xres.len, want, want_len);
		CHECK(res.ttl == ttls[i] - 1u, "ip_decrease_ttl returned %u, want %u", res.ttl,
		      ttls[i] - 1u);
	}
}
