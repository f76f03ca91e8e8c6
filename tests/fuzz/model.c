// SPDX-License-Identifier: GPL-2.0
/* The rewrite programs, modelled in user space (model.h). Each model starts from
 * a copy of the frame, and changes exactly the bytes the program may change:
 * everything else must come out as it went in.
 */
#include <string.h>
#include <linux/bpf.h>

#include "model.h"
#include "ref.h"

bool loose_csum_ok(const struct loose_csum *l, __u16 v)
{
	if (l->nonzero && v == 0)
		return false;
	return (v + l->rest_sum) % 0xffff == l->residue;
}

/* The checksum c after the rewrite changed fields it covers: in is the frame
 * before, m->data after, with the field still as it was.
 *
 * Right before, in the form a sender computes: then it must be exactly what a
 * sender computes after. Otherwise: wrong by as much after (loose_csum). The
 * one's complement sum, taken modulo 0xffff, is what both keep.
 */
static void expect_csum(const __u8 *in, struct model_out *m, const struct ref_csum *c)
{
	__u16 before = get16(in + c->field);
	__u32 sum_in = ref_csum_sum(in, c), sum_out = ref_csum_sum(m->data, c);
	struct loose_csum *l;

	/* UDP's "no checksum" stays so: the program leaves the field alone. */
	if (c->zero_means_none && before == 0)
		return;
	if (before == ref_csum_value(sum_in, c->zero_means_none)) {
		put16(m->data + c->field, ref_csum_value(sum_out, c->zero_means_none));
		m->exact_csums++;
		/* CONTRACT (rewrite_helpers.h): "except over data that is all zeros
		 * (0x0000 where a full sum gives 0xffff)". Only ICMP for IPv4, which
		 * has no pseudo-header, can be all zeros: an echo reply with id 0,
		 * sequence 0 and no data. A receiver rejects the 0x0000.
		 */
		if (sum_out == 0 && !c->zero_means_none) {
			put16(m->data + c->field, 0x0000);
			m->zero_data_csums++;
		}
		return;
	}
	l = &m->loose[m->n_loose++];
	l->field = c->field;
	l->residue = (before + sum_in) % 0xffff;
	l->rest_sum = sum_out;
	l->nonzero = c->zero_means_none;
	/* One value that passes, for the reports (0 and 0xffff pass alike). */
	put16(m->data + c->field, (l->residue + 0xffff - sum_out % 0xffff) % 0xffff);
}

static void swap_bytes(__u8 *a, __u8 *b, __u32 n)
{
	__u8 tmp[16];

	memcpy(tmp, a, n);
	memcpy(a, b, n);
	memcpy(b, tmp, n);
}

static bool is_vlan_tag(__u16 type)
{
	return type == ETHERTYPE_CTAG || type == ETHERTYPE_STAG;
}

/* vlan_tag_pop(): -1 (unchanged) without a whole outer tag; else the 4 bytes of
 * the tag go, the inner type takes the outer one's place, and the VLAN id comes
 * back.
 */
static void model_vlan_pop(const __u8 *in, __u32 len, struct model_out *m)
{
	m->has_ret = true;
	if (len < ETH_HDR_LEN + VLAN_TAG_LEN || !is_vlan_tag(get16(in + 12))) {
		m->ret = -1;
		m->action = XDP_DROP;
		return;
	}
	memcpy(m->data + 12, in + 16, len - 16);
	m->len = len - VLAN_TAG_LEN;
	m->ret = get16(in + 14) & 0x0fff;
	m->action = XDP_TX;
}

/* vlan_tag_push(): -1 (unchanged) for a type that is no tag or an id above 4095;
 * else a tag (priority and drop eligible 0) goes after the addresses, carrying
 * the frame's type.
 */
static void model_vlan_push(const __u8 *in, __u32 len, const struct fuzz_rewrite_config *cfg,
			    struct model_out *m)
{
	m->has_ret = true;
	if (!is_vlan_tag(cfg->vlan_tpid) || cfg->vlan_id > 0x0fff) {
		m->ret = -1;
		m->action = XDP_DROP;
		return;
	}
	put16(m->data + 12, cfg->vlan_tpid);
	put16(m->data + 14, cfg->vlan_id);
	memcpy(m->data + 16, in + 12, len - 12);
	m->len = len + VLAN_TAG_LEN;
	m->ret = 0;
	m->action = XDP_TX;
}

/* rewrite_dest: the destination address, then the port or ICMP id. */
static void model_rewrite_dest(const __u8 *in, const struct ref_walk *w,
			       const struct fuzz_rewrite_config *cfg, struct model_out *m)
{
	bool l4 = w->n_steps == 3;
	struct ref_csum c;

	if (w->ip_version == 4)
		memcpy(m->data + w->l3_off + 16, &cfg->new_daddr, 4);
	else
		memcpy(m->data + w->l3_off + 24, cfg->new_daddr6, 16);
	if (l4) {
		/* UDP, TCP: the destination port; ICMP, ICMPv6: the identifier. */
		__u32 at = w->step[2].helper == HELPER_UDPHDR || w->step[2].helper == HELPER_TCPHDR
				   ? 2
				   : 4;

		memcpy(m->data + w->l4_off + at, &cfg->new_port, 2);
	}
	if (ref_ipv4_csum(w, in, &c))
		expect_csum(in, m, &c);
	if (l4 && ref_l4_csum(w, in, &c))
		expect_csum(in, m, &c);
}

void model_rewrite(enum rewrite_op op, const __u8 *in, __u32 len, __u32 depth,
		   const struct fuzz_rewrite_config *cfg, struct model_out *m)
{
	struct ref_walk w;
	__u16 want_type;
	__u8 *ip;

	memcpy(m->data, in, len);
	m->len = len;
	m->has_ret = false;
	m->ret = 0;
	m->n_loose = 0;
	m->exact_csums = 0;
	m->zero_data_csums = 0;

	if (op == OP_VLAN_POP)
		return model_vlan_pop(in, len, m);
	if (op == OP_VLAN_PUSH)
		return model_vlan_push(in, len, cfg, m);

	/* The others parse first, with parse_ethhdr(): a frame that does not parse
	 * is dropped as it is, one of another type passed as it is.
	 */
	ref_walk(in, len, depth, false, &w);
	if (w.step[0].ret < 0) {
		m->action = XDP_DROP;
		return;
	}
	if (op == OP_SWAP_MAC) {
		swap_bytes(m->data, m->data + 6, 6);
		m->action = XDP_TX;
		return;
	}
	want_type = op == OP_SWAP_IPV6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
	if (op != OP_REWRITE_DEST && w.ethertype != want_type) {
		m->action = XDP_PASS;
		return;
	}
	if (op == OP_REWRITE_DEST && w.ethertype != ETHERTYPE_IPV4 &&
	    w.ethertype != ETHERTYPE_IPV6) {
		m->action = XDP_PASS;
		return;
	}
	if (w.step[1].ret < 0) {
		m->action = XDP_DROP;
		return;
	}
	/* Only rewrite_dest goes on to the L4 header, before it changes anything. */
	if (op == OP_REWRITE_DEST && w.n_steps == 3 && w.step[2].ret < 0) {
		m->action = XDP_DROP;
		return;
	}

	m->action = XDP_TX;
	ip = m->data + w.l3_off;
	switch (op) {
	case OP_SWAP_IPV4:
		swap_bytes(ip + 12, ip + 16, 4);
		break;
	case OP_SWAP_IPV6:
		swap_bytes(ip + 8, ip + 24, 16);
		break;
	case OP_TTL_DECREASE: {
		struct ref_csum c;

		/* 8 bits: 0 becomes 255. The helper does not look first (a router
		 * would have dropped the packet, RFC 791): its caller must.
		 */
		ip[8] -= 1;
		m->has_ret = true;
		m->ret = ip[8];
		ref_ipv4_csum(&w, in, &c);
		expect_csum(in, m, &c);
		break;
	}
	case OP_REWRITE_DEST:
		model_rewrite_dest(in, &w, cfg, m);
		break;
	default:
		break;
	}
}
