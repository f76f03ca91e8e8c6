/* SPDX-License-Identifier: GPL-2.0 */
/* The program-test harness: feed a BPF program crafted packets with
 * BPF_PROG_TEST_RUN, then check the verdict and the bytes that come out.
 * No network and no interface are involved.
 *
 * A test file is tests/prog/test_SOMETHING.c; every such file is linked into
 * tests/prog/prog_test, no Makefile change needed:
 *
 *	#include "harness.h"
 *
 *	TEST(xdp_pass_passes_udp)
 *	{
 *		struct bpf_object *obj = open_and_load("basic01-xdp-pass/xdp_pass.bpf.o");
 *		struct pkt_spec spec = { .l4_proto = IPPROTO_UDP, .payload_len = 18 };
 *		struct xdp_result res;
 *		__u8 pkt[128];
 *		__u32 len;
 *
 *		ASSERT(obj, "cannot test without the object");
 *		len = build_packet(&spec, pkt, sizeof(pkt));
 *		ASSERT(xdp_run(prog_fd(obj, "xdp_pass"), pkt, len, &res) == 0, "run failed");
 *		CHECK_ACTION(&res, XDP_PASS);
 *		CHECK_BYTES(res.data, res.len, pkt, len);
 *	}
 *
 * Each test runs in a child process of its own: a crash or a hang (60 s) fails
 * that test only. Run them all with tests/prog/prog_test (as root), list them with
 * -l, run the ones whose name contains a pattern with prog_test PATTERN.
 */
#ifndef PROG_TEST_HARNESS_H
#define PROG_TEST_HARNESS_H

/* The C library's networking headers come before the kernel's: in that order the
 * two sets agree on who defines what (linux/libc-compat.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stats.h" /* xdp_action_name() */

/* ---- Tests and checks --------------------------------------------------- */

/* Define a test: TEST(parse_vlan_double_tag) { ... }. The constructor registers it
 * before main() runs, which is how a new test file needs no list to be edited.
 */
#define TEST(name)                                                          \
	static void test_##name(void);                                      \
	__attribute__((constructor)) static void register_test_##name(void) \
	{                                                                   \
		harness_register(#name, __FILE__, __LINE__, test_##name);   \
	}                                                                   \
	static void test_##name(void)

/* On false: record a failure with file:line and the message, and go on. */
#define CHECK(cond, fmt, ...)                                                 \
	do {                                                                  \
		if (!(cond))                                                  \
			harness_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__); \
	} while (0)

/* On false: record a failure and return from the test. */
#define ASSERT(cond, fmt, ...)                                                \
	do {                                                                  \
		if (!(cond)) {                                                \
			harness_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__); \
			return;                                               \
		}                                                             \
	} while (0)

/* Mark the test skipped, with a reason, and return from it. */
#define SKIP(fmt, ...)                            \
	do {                                      \
		harness_skip(fmt, ##__VA_ARGS__); \
		return;                           \
	} while (0)

/* Compare two byte strings; on a difference record a failure that shows where,
 * as hex. Evaluates to true when they are equal.
 */
#define CHECK_BYTES(got, got_len, want, want_len) \
	harness_check_bytes(__FILE__, __LINE__, #got, got, got_len, want, want_len)

/* Check the verdict of an xdp_run(), naming both actions on a difference. */
#define CHECK_ACTION(res, want)                                        \
	CHECK((res)->action == (want), "action: got %s (%u), want %s", \
	      xdp_action_name((res)->action), (res)->action, xdp_action_name(want))

/* ---- BPF objects -------------------------------------------------------- */

/* Open and load a BPF object; path is relative to the repository top (e.g.
 * "basic01-xdp-pass/xdp_pass.bpf.o"), found from where prog_test itself lives.
 * On failure: records a failure naming the file, shows the end of the verifier
 * log, returns NULL. Objects are closed automatically at the end of the test.
 */
struct bpf_object *open_and_load(const char *path);

/* The two halves of open_and_load(), for a test that sets something between
 * them (a const volatile global, say). load_object() returns 0 or -errno.
 */
struct bpf_object *open_object(const char *path);
int load_object(struct bpf_object *obj);

/* Close an object before the end of the test, for a test that loads many. */
void close_object(struct bpf_object *obj);

/* The repository top that relative paths start from. */
const char *harness_top_dir(void);

/* The fd of the program whose C function is prog_name; records a failure and
 * returns -1 if there is none.
 */
int prog_fd(struct bpf_object *obj, const char *prog_name);

/* The fd of the map called map_name; records a failure and returns -1 if none. */
int map_fd(struct bpf_object *obj, const char *map_name);

/* Read slot key of an XDP stats map (headers/xdp_stats_kern_user.h): the sum
 * over every possible CPU for a per-CPU array. Returns 0 or a negative errno.
 * (The lessons' loaders read it their own way: it is what they teach.)
 */
int read_datarec(int map_fd, __u32 key, struct datarec *sum);

/* ---- Running a program -------------------------------------------------- */

#define XDP_RESULT_MAX 4096

struct xdp_result {
	__u32 action;		   /* what the program returned: XDP_PASS... */
	__u32 len;		   /* frame length after the program */
	__u8 data[XDP_RESULT_MAX]; /* the frame after the program */
};

/* Run an XDP program once on a frame (bpf_prog_test_run_opts, repeat 1). The
 * kernel takes frames from 14 bytes (an Ethernet header) up to about 3.5 KiB.
 * Returns 0, or -errno (and records a failure).
 */
int xdp_run(int prog_fd, const void *pkt, __u32 len, struct xdp_result *res);

/* ---- Building packets --------------------------------------------------- */

#define PKT_MAX_VLANS 8

struct pkt_vlan {
	__u16 tpid; /* ETH_P_8021Q (used when 0) or ETH_P_8021AD; host byte order */
	__u16 tci;  /* priority << 13 | drop eligible << 12 | VLAN id; host byte order */
};

/* What build_packet() builds: an Ethernet frame, with optional VLAN tags, an IPv4
 * or IPv6 header, an ICMP, ICMPv6, UDP or TCP header and a payload, every
 * checksum and length field right. A field left 0 (or NULL) takes the default
 * its comment names, so { 0 } is a UDP packet from 192.0.2.1:1234 to 192.0.2.2:5678.
 * Numbers are in host byte order.
 */
struct pkt_spec {
	const char *eth_src; /* "02:00:00:00:00:01" (the default) */
	const char *eth_dst; /* default "02:00:00:00:00:02" */
	int n_vlans;	     /* how many entries of vlans[] follow the MAC addresses */
	struct pkt_vlan vlans[PKT_MAX_VLANS]; /* outermost first */
	__u16 eth_proto;		      /* ETH_P_IP (default), ETH_P_IPV6; any other: the
				 * payload follows the Ethernet header */
	const char *ip_src;		      /* default "192.0.2.1" or "2001:db8::1" */
	const char *ip_dst;		      /* default "192.0.2.2" or "2001:db8::2" */
	__u8 ttl;			      /* IPv4 TTL or IPv6 hop limit; default 64 */
	__u8 ip_opt_len;     /* bytes of IPv4 options (NOPs): a multiple of 4, <= 40 */
	__u8 l4_proto;	     /* IPPROTO_UDP (default), IPPROTO_TCP, IPPROTO_ICMP,
				 * IPPROTO_ICMPV6; any other: the payload follows IP */
	__u16 src_port;	     /* UDP/TCP; default 1234 */
	__u16 dst_port;	     /* default 5678 */
	__u8 tcp_flags;	     /* default TCP SYN (0x02) */
	__u8 tcp_opt_len;    /* bytes of TCP options (NOPs): a multiple of 4, <= 40 */
	bool echo_reply;     /* ICMP/ICMPv6: echo reply rather than echo request */
	__u16 icmp_id;	     /* echo identifier */
	__u16 icmp_seq;	     /* echo sequence number */
	const void *payload; /* default: payload_len bytes counting 0, 1, 2... */
	__u16 payload_len;
};

/* Build the frame spec describes into buf. Returns its length, or 0 (and
 * records a failure) when spec is invalid or size too small.
 */
__u32 build_packet(const struct pkt_spec *spec, void *buf, size_t size);

/* Where build_packet() puts the IP header, the ICMP/UDP/TCP header and the
 * payload of spec's frame: offsets from the frame start.
 */
__u32 pkt_l3_offset(const struct pkt_spec *spec);
__u32 pkt_l4_offset(const struct pkt_spec *spec);
__u32 pkt_payload_offset(const struct pkt_spec *spec);

/* The Internet checksum (RFC 1071) of len bytes, in network byte order: the
 * value to store in a checksum field covering exactly those bytes.
 */
__u16 inet_csum(const void *data, size_t len);

/* Recompute, in place, every checksum of an Ethernet frame (VLAN tags allowed):
 * the IPv4 header's, and the UDP, TCP, ICMP or ICMPv6 one after it, over the
 * length the IP header gives. Parts that are cut short or malformed are left
 * alone. A test compares a program's output with a copy passed through this to
 * prove every checksum in it right.
 */
void pkt_fix_checksums(void *frame, __u32 len);

/* Append a hex dump of data to the test's messages (shown when it fails, or with -v). */
void hexdump(const char *what, const void *data, __u32 len);

/* ---- Call sites ----------------------------------------------------------
 * These macros make the functions above report failures at the line of the
 * test that called them rather than inside the harness. A macro does not expand
 * inside its own expansion, so the name in the second half calls the function.
 */
#ifndef HARNESS_IMPLEMENTATION
#define open_and_load(path) (harness_at(__FILE__, __LINE__), open_and_load(path))
#define open_object(path) (harness_at(__FILE__, __LINE__), open_object(path))
#define load_object(obj) (harness_at(__FILE__, __LINE__), load_object(obj))
#define prog_fd(obj, name) (harness_at(__FILE__, __LINE__), prog_fd(obj, name))
#define map_fd(obj, name) (harness_at(__FILE__, __LINE__), map_fd(obj, name))
#define xdp_run(fd, pkt, len, res) (harness_at(__FILE__, __LINE__), xdp_run(fd, pkt, len, res))
#define build_packet(spec, buf, size) \
	(harness_at(__FILE__, __LINE__), build_packet(spec, buf, size))
#endif

/* ---- Used by the macros above and by the runner, not by tests ------------ */

struct harness_test {
	const char *name;
	const char *file; /* base name of the source file */
	int line;
	void (*fn)(void);
};

void harness_register(const char *name, const char *file, int line, void (*fn)(void));
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void harness_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool harness_check_bytes(const char *file, int line, const char *what, const void *got,
			 __u32 got_len, const void *want, __u32 want_len);
void harness_at(const char *file, int line);

/* Failures recorded by harness functions themselves, at the caller's line. */
void harness_fail_here(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A message line that is not a failure (shown with the failures, or with -v). */
void harness_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What one test run produced; lives in memory shared with the runner, so it
 * survives the test's process.
 */
#define HARNESS_LOG_SIZE (64 * 1024)
#define HARNESS_MAX_FAILURE_MESSAGES 25

struct harness_record {
	int failures; /* every failure, also those past the message limit */
	int skipped;
	int log_truncated;
	size_t log_len;
	char log[HARNESS_LOG_SIZE]; /* message lines, '\n'-terminated */
};

extern struct harness_test *harness_tests;
extern int harness_n_tests;
extern bool harness_verbose;

/* Find the repository top from the running binary; 0 or -errno. */
int harness_init(const char *argv0);
void harness_sort_tests(void);
/* Run one test in the calling process, recording into rec, closing its objects. */
void harness_run_test(const struct harness_test *t, struct harness_record *rec);

#endif /* PROG_TEST_HARNESS_H */
