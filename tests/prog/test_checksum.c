// SPDX-License-Identifier: GPL-2.0
/* The checksum helpers of headers/rewrite_helpers.h: csum_fold_helper(),
 * csum_replace2() and csum_replace4() on their own (csum_calc), against an
 * independent reference and known values; then inside a program that rewrites
 * real headers (nat_rewrite), where every checksum after the incremental update
 * must equal a full recomputation done here.
 */
#include "harness.h"
#include "helper_progs.h"

#define REWRITE_OBJ "tests/prog/rewrite_progs.bpf.o"
#define FRAME_MAX 512
#define RANDOM_ROUNDS 500

/* A fixed-seed generator: the same numbers every run, so a failure repeats. */
static __u32 next_random(__u32 *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8 ^ *state << 13;
}

/* One calculation in BPF: the frame carries the inputs and brings back out. */
static bool calc(int fd, struct csum_frame *f)
{
	__u8 frame[64] = { 0 }; /* an Ethernet-sized frame holding the struct */
	struct xdp_result res;

	memcpy(frame, f, sizeof(*f));
	if (xdp_run(fd, frame, sizeof(frame), &res))
		return false;
	CHECK_ACTION(&res, XDP_TX);
	if (res.len < sizeof(*f))
		return false;
	memcpy(f, res.data, sizeof(*f));
	return true;
}

static bool fold(int fd, __u32 sum, __u16 *out)
{
	struct csum_frame f = { .op = CSUM_OP_FOLD, .sum = sum };

	if (!calc(fd, &f))
		return false;
	*out = f.out;
	return true;
}

static bool replace(int fd, enum csum_op op, __u16 check, __u32 old, __u32 new, __u16 *out)
{
	struct csum_frame f = { .op = op, .check = check, .old = old, .new = new };

	if (!calc(fd, &f))
		return false;
	*out = f.out;
	return true;
}

/* The reference: folding with end-around carries leaves the sum modulo 0xffff,
 * where a non-zero multiple of 0xffff shows as 0xffff ("negative zero").
 */
static __u16 reference_fold(__u32 sum)
{
	__u32 r = sum % 0xffff;

	if (r == 0 && sum != 0)
		r = 0xffff;
	return (__u16)~r;
}

TEST(csum_fold_known_values)
{
	static const struct {
		__u32 sum;
		__u16 want;
	} cases[] = {
		{ 0, 0xffff },		{ 0xffff, 0x0000 },	{ 0x10000, 0xfffe }, /* one carry */
		{ 0x1fffe, 0x0000 }, /* 0xfffe + 1 */
		{ 0x1ffff, 0xfffe }, /* 0xffff + 1 carries again: needs the second fold */
		{ 0xffffffff, 0x0000 }, { 0x12345678, 0x9753 }, /* 0x5678 + 0x1234 = 0x68ac */
	};
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	unsigned int i;
	__u16 out;
	int fd;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	fd = prog_fd(obj, "csum_calc");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!fold(fd, cases[i].sum, &out))
			return;
		CHECK(out == cases[i].want, "csum_fold_helper(0x%x) = 0x%04x, want 0x%04x",
		      cases[i].sum, out, cases[i].want);
	}
}

TEST(csum_fold_matches_reference)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	__u32 seed = 1, sum, i;
	__u16 out;
	int fd;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	fd = prog_fd(obj, "csum_calc");
	for (i = 0; i < RANDOM_ROUNDS; i++) {
		/* Sums of up to 64 words, as real ones are, then any 32-bit value. */
		sum = i % 2 ? next_random(&seed) : next_random(&seed) % (64 * 0xffff);
		if (!fold(fd, sum, &out))
			return;
		CHECK(out == reference_fold(sum), "csum_fold_helper(0x%x) = 0x%04x, want 0x%04x",
		      sum, out, reference_fold(sum));
	}
}

/* RFC 1624, section 4: checksum 0xdd2f, a field changes from 0x5555 to 0x3285.
 * The right answer is 0x0000; the older formula of RFC 1141 gives 0xffff.
 */
TEST(csum_replace2_rfc1624_example)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	__u16 out;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	ASSERT(replace(prog_fd(obj, "csum_calc"), CSUM_OP_REPLACE2, 0xdd2f, 0x5555, 0x3285, &out),
	       "run failed");
	CHECK(out == 0x0000, "csum_replace2(0xdd2f, 0x5555 -> 0x3285) = 0x%04x, want 0x0000", out);
}

/* Change one 16-bit or 32-bit field of a random 20-byte header; the updated
 * checksum must be the one computed over the changed header from scratch.
 */
static void check_random_replacements(int fd, enum csum_op op, __u32 width)
{
	__u8 hdr[20];
	__u32 seed = 7 + width, i, j, at;
	__u32 old = 0, new = 0;
	__u16 before, after, out;

	for (i = 0; i < RANDOM_ROUNDS; i++) {
		for (j = 0; j < sizeof(hdr); j++)
			hdr[j] = next_random(&seed);
		/* Some rounds with extreme values, where the carries are. */
		if (i % 5 == 0)
			memset(hdr, i % 10 ? 0xff : 0x00, sizeof(hdr) - width);
		/* A real IPv4 header is never all zeros: it starts with its version.
		 * (Over all-zero data a full computation gives 0xffff, the update
		 * 0x0000, as the kernel's own helpers do.)
		 */
		hdr[0] = 0x45;
		hdr[10] = hdr[11] = 0; /* the checksum field itself */
		before = inet_csum(hdr, sizeof(hdr));

		/* A field after the version, that is not the checksum, on a 16-bit
		 * boundary.
		 */
		do {
			at = 2 + (next_random(&seed) % (sizeof(hdr) / 2 - 1)) * 2;
		} while (at + width > sizeof(hdr) || (at <= 10 && at + width > 10));
		memcpy(&old, hdr + at, width);
		new = next_random(&seed);
		if (i % 7 == 0)
			new = i % 14 ? 0xffffffff : 0;
		memcpy(hdr + at, &new, width);
		new = 0;
		memcpy(&new, hdr + at, width); /* only the bytes that fit the field */
		after = inet_csum(hdr, sizeof(hdr));

		if (!replace(fd, op, before, old, new, &out))
			return;
		CHECK(out == after,
		      "checksum 0x%04x, field at %u: 0x%x -> 0x%x: got 0x%04x, want 0x%04x", before,
		      at, old, new, out, after);
	}
}

TEST(csum_replace2_matches_full_recomputation)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	check_random_replacements(prog_fd(obj, "csum_calc"), CSUM_OP_REPLACE2, 2);
}

TEST(csum_replace4_matches_full_recomputation)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	check_random_replacements(prog_fd(obj, "csum_calc"), CSUM_OP_REPLACE4, 4);
}

/* nat_rewrite on the frame in describes, with a new IPv4 destination (ignored for
 * IPv6) and destination port (echo id for ICMP). The output must be exactly the
 * frame built with those values (TTL one less on IPv4), and a full recomputation
 * of its checksums must change nothing.
 */
static void check_nat(struct bpf_object *obj, const struct pkt_spec *in, const char *new_daddr,
		      __u16 new_port)
{
	struct rewrite_config cfg = { .new_port = htons(new_port) };
	__u8 pkt[FRAME_MAX], want[FRAME_MAX], fixed[XDP_RESULT_MAX];
	struct pkt_spec out = *in;
	struct xdp_result res;
	__u32 key = 0, len, want_len;
	int fd = map_fd(obj, "rewrite_config_map");

	inet_pton(AF_INET, new_daddr, &cfg.new_daddr);
	if (fd < 0 || bpf_map_update_elem(fd, &key, &cfg, BPF_ANY))
		return;

	if (!in->eth_proto || in->eth_proto == ETH_P_IP) {
		out.ip_dst = new_daddr;
		out.ttl = (in->ttl ? in->ttl : 64) - 1;
	}
	if (in->l4_proto == IPPROTO_ICMP || in->l4_proto == IPPROTO_ICMPV6)
		out.icmp_id = new_port;
	else
		out.dst_port = new_port;

	len = build_packet(in, pkt, sizeof(pkt));
	want_len = build_packet(&out, want, sizeof(want));
	if (!len || !want_len || xdp_run(prog_fd(obj, "nat_rewrite"), pkt, len, &res))
		return;
	CHECK_ACTION(&res, XDP_TX);
	if (!CHECK_BYTES(res.data, res.len, want, want_len))
		return;
	memcpy(fixed, res.data, res.len);
	pkt_fix_checksums(fixed, res.len);
	CHECK_BYTES(fixed, res.len, res.data, res.len);
}

static void check_nat_random(__u8 l4_proto, __u16 eth_proto, __u32 seed)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct pkt_spec in = { .eth_proto = eth_proto, .l4_proto = l4_proto, .payload_len = 11 };
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	__u32 i, a;
	__u16 port;

	if (!obj)
		return;
	for (i = 0; i < RANDOM_ROUNDS / 5; i++) {
		a = next_random(&seed);
		inet_ntop(AF_INET, &a, src, sizeof(src));
		in.ip_src = eth_proto == ETH_P_IPV6 ? NULL : src;
		in.src_port = next_random(&seed) | 1; /* 0 would mean "the default" */
		in.dst_port = next_random(&seed) | 1;
		in.icmp_id = next_random(&seed);
		in.ttl = next_random(&seed) | 2; /* 0 and 1 need no special case here */
		in.ip_opt_len = 4 * (i % 3);
		in.n_vlans = i % 2;
		a = next_random(&seed);
		inet_ntop(AF_INET, &a, dst, sizeof(dst));
		port = next_random(&seed) | 1;
		check_nat(obj, &in, dst, port);
	}
}

TEST(nat_rewrite_ipv4_udp)
{
	check_nat_random(IPPROTO_UDP, ETH_P_IP, 11);
}

TEST(nat_rewrite_ipv4_tcp)
{
	check_nat_random(IPPROTO_TCP, ETH_P_IP, 12);
}

TEST(nat_rewrite_ipv4_icmp_echo)
{
	check_nat_random(IPPROTO_ICMP, ETH_P_IP, 13);
}

TEST(nat_rewrite_ipv6_udp)
{
	check_nat_random(IPPROTO_UDP, ETH_P_IPV6, 14);
}

TEST(nat_rewrite_ipv6_tcp)
{
	check_nat_random(IPPROTO_TCP, ETH_P_IPV6, 15);
}

TEST(nat_rewrite_ipv6_icmpv6_echo)
{
	check_nat_random(IPPROTO_ICMPV6, ETH_P_IPV6, 16);
}

/* An IPv4 UDP checksum of 0 means "none" and must stay 0 through the rewrite. */
TEST(nat_rewrite_keeps_udp_checksum_zero)
{
	struct bpf_object *obj = open_and_load(REWRITE_OBJ);
	struct rewrite_config cfg = { .new_port = htons(53) };
	struct pkt_spec in = { .payload_len = 8 }, out = in;
	__u8 pkt[FRAME_MAX], want[FRAME_MAX];
	__u32 key = 0, len, want_len, check_at;
	struct xdp_result res;

	ASSERT(obj, "cannot test without %s", REWRITE_OBJ);
	inet_pton(AF_INET, "192.0.2.99", &cfg.new_daddr);
	ASSERT(!bpf_map_update_elem(map_fd(obj, "rewrite_config_map"), &key, &cfg, BPF_ANY),
	       "set rewrite_config_map: %s", strerror(errno));
	out.ip_dst = "192.0.2.99";
	out.dst_port = 53;
	out.ttl = 63;
	check_at = pkt_l4_offset(&in) + offsetof(struct udphdr, check);

	len = build_packet(&in, pkt, sizeof(pkt));
	want_len = build_packet(&out, want, sizeof(want));
	ASSERT(len && want_len, "could not build the frames");
	pkt[check_at] = pkt[check_at + 1] = 0;
	want[check_at] = want[check_at + 1] = 0;
	ASSERT(!xdp_run(prog_fd(obj, "nat_rewrite"), pkt, len, &res), "run failed");
	CHECK_ACTION(&res, XDP_TX);
	CHECK_BYTES(res.data, res.len, want, want_len);
}
