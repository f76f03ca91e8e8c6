// SPDX-License-Identifier: GPL-2.0
/* xdpbench: the tool behind `make bench` (bench/README.org).
 *
 *   xdpbench gen    --dev DEV (--frames N | --seconds S) [--batch N] FRAME
 *       send real frames out of DEV: BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 *       runs xdp_gen, which writes FRAME over every packet and returns XDP_TX.
 *       Prints "frames=N ns=T kns=K": what was handed to DEV, how long it took
 *       (wall clock) and how long the kernel says it took (set-up left out).
 *       Counting what arrived is the receiver's business, never this tool's.
 *   xdpbench cost   --obj F --prog P [--dev DEV] [--restore] [--repeat N] [REDIRECT] FRAME
 *       ns per packet of program P with BPF_PROG_RUN repeat (no wire). With
 *       --restore, every run first gets FRAME written back (for programs that
 *       change the packet); the cost of that rewrite is measured and taken away.
 *       Prints "ns=X action=A".
 *   xdpbench attach --dev DEV --obj F --prog P [REDIRECT [--smac MAC]]
 *       attach P in native mode (replacing what is there) and fill its redirect
 *       maps (--smac: the source MAC of the frames that will come, the key of
 *       packet03's redirect_params); the program stays attached when xdpbench
 *       exits.
 *
 * FRAME: --size BYTES --smac MAC --dmac MAC --src IP --dst IP [--icmp]
 *        (UDP to port 9 by default; --icmp: an echo request, sequence 2).
 * REDIRECT: --to DEV --to-mac MAC: where forwarding programs send the frames,
 *        for the maps of xdp_bare_redirect (redirect_map) and of packet03's
 *        xdp_redirect_map_func (tx_port, redirect_params).
 *
 * Exit status: 0 done, 1 failed, 2 usage, 3 object or program not built,
 * 4 the kernel cannot do it (no live frames).
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/utsname.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_frame.h"
#include "xdp_load.h"

#define EXIT_USAGE 2
#define EXIT_NOT_BUILT 3
#define EXIT_UNSUPPORTED 4

/* The first call of gen --seconds: a few milliseconds of traffic. */
#define GEN_PROBE (1U << 14)
/* Frames per batch of BPF_PROG_RUN's live mode. Each batch ends with a flush,
 * after which the receiving side runs (on this CPU): larger batches spend less
 * per frame on the way, but veth's receive ring holds 256 frames, and batches
 * of 256 lose a few frames when the ring is not empty yet. 128 loses none.
 */
#define GEN_BATCH 128
#define GEN_MAX_BATCH 256
#define UDP_DPORT 9
#define UDP_SPORT 4242
#define ECHO_ID 0x4242
#define ECHO_SEQ 2 /* even: packet01's parser drops it */

struct args {
	const char *cmd;
	const char *dev;
	const char *obj;
	const char *prog;
	const char *to_dev;
	unsigned char to_mac[ETH_ALEN];
	bool have_to_mac;
	unsigned long long frames;
	double seconds;
	unsigned int repeat;
	unsigned int batch;
	bool restore;
	bool verbose;
	/* The frame */
	unsigned int size;
	unsigned char smac[ETH_ALEN], dmac[ETH_ALEN];
	int family;
	unsigned char src[16], dst[16];
	bool icmp;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xdpbench gen --dev DEV (--frames N | --seconds S) [--batch N] FRAME\n"
		"       xdpbench cost --obj F --prog P [--dev DEV] [--restore] [--repeat N] [REDIRECT] FRAME\n"
		"       xdpbench attach --dev DEV --obj F --prog P [REDIRECT [--smac MAC]]\n"
		"FRAME:    --size BYTES --smac MAC --dmac MAC --src IP --dst IP [--icmp]\n"
		"REDIRECT: --to DEV --to-mac MAC\n"
		"See bench/README.org.\n");
}

static void die_usage(const char *msg, const char *what)
{
	fprintf(stderr, "xdpbench: %s%s%s (see xdpbench --help)\n", msg, what ? ": " : "",
		what ? what : "");
	exit(EXIT_USAGE);
}

static void parse_mac(const char *s, unsigned char *mac)
{
	unsigned int b[ETH_ALEN];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		die_usage("not a MAC address (aa:bb:cc:dd:ee:ff)", s);
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = b[i];
}

static int parse_ip(const char *s, unsigned char *addr)
{
	if (inet_pton(AF_INET, s, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, addr) == 1)
		return AF_INET6;
	die_usage("not an IPv4 or IPv6 address", s);
	return 0;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "frames", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "obj", required_argument, NULL, 'o' },
		{ "prog", required_argument, NULL, 'p' },
		{ "restore", no_argument, NULL, 'r' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "to", required_argument, NULL, 'T' },
		{ "to-mac", required_argument, NULL, 'M' },
		{ "size", required_argument, NULL, 's' },
		{ "smac", required_argument, NULL, 'a' },
		{ "dmac", required_argument, NULL, 'b' },
		{ "src", required_argument, NULL, 'S' },
		{ "dst", required_argument, NULL, 'D' },
		{ "icmp", no_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "batch", required_argument, NULL, 'B' },
		{},
	};
	int c, src_family = 0, dst_family = 0;
	char *end;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		exit(0);
	}
	if (argc < 2)
		die_usage("name a command: gen, cost or attach", NULL);
	a->cmd = argv[1];
	if (strcmp(a->cmd, "gen") && strcmp(a->cmd, "cost") && strcmp(a->cmd, "attach"))
		die_usage("unknown command", a->cmd);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->dev = optarg;
			break;
		case 'n':
			a->frames = strtoull(optarg, &end, 10);
			if (*end || !a->frames || a->frames > UINT_MAX)
				die_usage("--frames wants a number from 1 to 4294967295", optarg);
			break;
		case 't':
			a->seconds = strtod(optarg, &end);
			if (*end || a->seconds <= 0 || a->seconds > 60)
				die_usage("--seconds wants a number above 0, at most 60", optarg);
			break;
		case 'o':
			a->obj = optarg;
			break;
		case 'p':
			a->prog = optarg;
			break;
		case 'r':
			a->restore = true;
			break;
		case 'R':
			a->repeat = strtoul(optarg, &end, 10);
			if (*end || !a->repeat)
				die_usage("--repeat wants a positive number", optarg);
			break;
		case 'B':
			a->batch = strtoul(optarg, &end, 10);
			if (*end || !a->batch || a->batch > GEN_MAX_BATCH)
				die_usage("--batch wants a number from 1 to 256", optarg);
			break;
		case 'T':
			a->to_dev = optarg;
			break;
		case 'M':
			parse_mac(optarg, a->to_mac);
			a->have_to_mac = true;
			break;
		case 's':
			a->size = strtoul(optarg, &end, 10);
			if (*end || a->size > BENCH_FRAME_MAX)
				die_usage("--size wants a frame size in bytes, at most 1514",
					  optarg);
			break;
		case 'a':
			parse_mac(optarg, a->smac);
			break;
		case 'b':
			parse_mac(optarg, a->dmac);
			break;
		case 'S':
			src_family = parse_ip(optarg, a->src);
			break;
		case 'D':
			dst_family = parse_ip(optarg, a->dst);
			break;
		case 'i':
			a->icmp = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument", argv[optind]);
	if (!strcmp(a->cmd, "attach")) {
		if (!a->dev || !a->obj || !a->prog)
			die_usage("attach needs --dev, --obj and --prog", NULL);
	} else {
		if (!strcmp(a->cmd, "gen") && (!a->dev || !a->frames == !a->seconds))
			die_usage("gen needs --dev and one of --frames or --seconds", NULL);
		if (!strcmp(a->cmd, "cost") && (!a->obj || !a->prog))
			die_usage("cost needs --obj and --prog", NULL);
		if (!src_family || src_family != dst_family)
			die_usage("the frame needs --src and --dst of the same family", NULL);
		a->family = src_family;
	}
	if (!!a->to_dev != a->have_to_mac)
		die_usage("--to and --to-mac go together", NULL);
}

/* ---- the frame ----------------------------------------------------------- */

static __u32 csum_add(__u32 sum, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void put16(unsigned char *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Build the frame a describes into f: Ethernet, IPv4 or IPv6, then UDP or an
 * ICMP echo request, filled up to a->size with a counting pattern, with every
 * checksum right (the kernel answers or forwards only such frames).
 */
static int build_frame(const struct args *a, struct bench_frame *f)
{
	bool v4 = a->family == AF_INET;
	unsigned int l3 = v4 ? 20 : 40, min = ETH_HLEN + l3 + 8, l4len, i;
	unsigned char *p = f->data, *ip = p + ETH_HLEN, *l4 = ip + l3;
	__u8 proto = a->icmp ? (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) : IPPROTO_UDP;
	__u32 sum;

	if (a->size < min) {
		fprintf(stderr,
			"xdpbench: --size %u is too small for this frame: %u bytes at least\n",
			a->size, min);
		return -EINVAL;
	}
	memset(f, 0, sizeof(*f));
	f->len = a->size;
	l4len = a->size - ETH_HLEN - l3;
	memcpy(p, a->dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, a->smac, ETH_ALEN);
	put16(p + 12, v4 ? ETH_P_IP : ETH_P_IPV6);
	for (i = 8; i < l4len; i++)
		l4[i] = i & 0xff;

	if (v4) {
		ip[0] = 0x45;
		put16(ip + 2, l3 + l4len);
		ip[8] = 64; /* TTL */
		ip[9] = proto;
		memcpy(ip + 12, a->src, 4);
		memcpy(ip + 16, a->dst, 4);
		put16(ip + 10, ntohs(csum_fold(csum_add(0, ip, l3))));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, l4len);
		ip[6] = proto;
		ip[7] = 64; /* hop limit */
		memcpy(ip + 8, a->src, 16);
		memcpy(ip + 24, a->dst, 16);
	}

	if (a->icmp) {
		l4[0] = v4 ? 8 : 128; /* echo request */
		put16(l4 + 4, ECHO_ID);
		put16(l4 + 6, ECHO_SEQ);
	} else {
		put16(l4, UDP_SPORT);
		put16(l4 + 2, UDP_DPORT);
		put16(l4 + 4, l4len);
	}
	/* ICMPv4 sums the message alone; UDP and ICMPv6 add a pseudo header. */
	sum = 0;
	if (!v4)
		sum = csum_add(sum, ip + 8, 32) + l4len + proto;
	else if (!a->icmp)
		sum = csum_add(sum, ip + 12, 8) + l4len + proto;
	sum = csum_add(sum, l4, l4len);
	put16(l4 + (a->icmp ? 2 : 6), ntohs(csum_fold(sum)));
	return 0;
}

/* ---- objects --------------------------------------------------------------- */

/* The bench's own object, beside this program. */
static int bench_object_path(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(path, size, "%s/xdp_bench.bpf.o", dirname(exe));
	return 0;
}

/* Open and load the object at path. Exits with EXIT_NOT_BUILT when it does not exist. */
static struct bpf_object *open_and_load(const char *path)
{
	struct bpf_object *obj;
	int err;

	if (access(path, R_OK)) {
		fprintf(stderr, "xdpbench: %s: not built (%s)\n", path, strerror(errno));
		exit(EXIT_NOT_BUILT);
	}
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		report_error("open", path, -errno);
		return NULL;
	}
	err = bpf_object__load(obj);
	if (err) {
		report_error("load", path, err);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static int prog_fd(struct bpf_object *obj, const char *path, const char *name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, name);

	if (!prog) {
		fprintf(stderr, "xdpbench: %s has no program %s: not built\n", path, name);
		exit(EXIT_NOT_BUILT);
	}
	return bpf_program__fd(prog);
}

static int map_fd(struct bpf_object *obj, const char *name, __u32 key_size, __u32 value_size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map)
		return -ENOENT;
	if (bpf_map__key_size(map) != key_size || bpf_map__value_size(map) != value_size) {
		fprintf(stderr,
			"xdpbench: map %s: keys of %u and values of %u bytes expected, not %u and %u\n",
			name, key_size, value_size, bpf_map__key_size(map),
			bpf_map__value_size(map));
		return -EPROTO;
	}
	return bpf_map__fd(map);
}

static int update(int fd, const char *name, const void *key, const void *value)
{
	if (bpf_map_update_elem(fd, key, value, BPF_ANY)) {
		report_error("update map", name, -errno);
		return -1;
	}
	return 0;
}

static int ifindex_of(const char *dev)
{
	int ifindex = if_nametoindex(dev);

	if (!ifindex)
		fprintf(stderr, "xdpbench: no interface %s here: %s\n", dev, strerror(errno));
	return ifindex;
}

/* Tell the forwarding programs of obj where to send the frames of a: the bench's
 * redirect_map, or packet03's tx_port (devmap, key 0) and redirect_params
 * (source MAC of the frames -> destination MAC to set). 0 when obj has none.
 */
static int fill_redirect_maps(struct bpf_object *obj, const struct args *a)
{
	struct bench_redirect to = {};
	__u32 key = 0;
	int fd, ifindex, filled = 0;
	__u32 ifindex32;

	if (!a->to_dev)
		return 0;
	ifindex = ifindex_of(a->to_dev);
	if (!ifindex)
		return -1;
	fd = map_fd(obj, "redirect_map", sizeof(key), sizeof(to));
	if (fd >= 0) {
		FILE *f;
		char path[64];
		unsigned int b[ETH_ALEN];
		int i;

		/* The source MAC of the frames sent out of a->to_dev is its own. */
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", a->to_dev);
		f = fopen(path, "r");
		if (!f ||
		    fscanf(f, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6) {
			fprintf(stderr, "xdpbench: cannot read the MAC of %s\n", a->to_dev);
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		for (i = 0; i < ETH_ALEN; i++)
			to.source[i] = b[i];
		to.ifindex = ifindex;
		memcpy(to.dest, a->to_mac, ETH_ALEN);
		if (update(fd, "redirect_map", &key, &to))
			return -1;
		filled++;
	}
	fd = map_fd(obj, "tx_port", sizeof(key), sizeof(ifindex32));
	if (fd == -EPROTO)
		return -1;
	if (fd >= 0) {
		ifindex32 = ifindex;
		if (update(fd, "tx_port", &key, &ifindex32))
			return -1;
		fd = map_fd(obj, "redirect_params", ETH_ALEN, ETH_ALEN);
		if (fd >= 0 && !memcmp(a->smac, (unsigned char[ETH_ALEN]){}, ETH_ALEN)) {
			fprintf(stderr,
				"xdpbench: redirect_params needs the frames' source MAC: --smac\n");
			return -1;
		}
		if (fd < 0) {
			fprintf(stderr,
				"xdpbench: tx_port without redirect_params (6-byte MAC keys and values)\n");
			return -1;
		}
		if (update(fd, "redirect_params", a->smac, a->to_mac))
			return -1;
		filled++;
	}
	return filled;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- gen ------------------------------------------------------------------- */

/* Live frames came with Linux 5.18. */
static bool kernel_has_live_frames(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return true;
	return major > 5 || (major == 5 && minor >= 18);
}

static __u32 clamp_frames(double n)
{
	if (n < GEN_PROBE)
		return GEN_PROBE;
	return n > UINT_MAX ? UINT_MAX : (__u32)n;
}

static int set_frame(struct bpf_object *obj, const struct bench_frame *f)
{
	__u32 key = 0;
	int fd = map_fd(obj, "frame_map", sizeof(key), sizeof(*f));

	return fd < 0 ? fd : update(fd, "frame_map", &key, f);
}

static int cmd_gen(const struct args *a, const char *bench_obj)
{
	struct bench_frame frame;
	struct xdp_md md = {};
	unsigned long long sent = 0;
	struct bpf_object *obj;
	double start, elapsed = 0, kernel_ns = 0;
	__u32 frame_ns = 0;
	int fd, err, rc = 1;

	if (build_frame(a, &frame))
		return EXIT_USAGE;
	md.ingress_ifindex = ifindex_of(a->dev);
	if (!md.ingress_ifindex)
		return 1;
	md.data_end = frame.len;
	obj = open_and_load(bench_obj);
	if (!obj)
		return 1;
	if (set_frame(obj, &frame))
		goto out;
	fd = prog_fd(obj, bench_obj, "xdp_gen");

	/* With --seconds: a first call of GEN_PROBE frames tells how long a frame
	 * takes; the second call sends what fills the rest of the time. Every call
	 * costs some set-up (tens of ms here), so the fewer the better.
	 */
	start = now_ns();
	do {
		__u32 n;

		if (a->frames)
			n = a->frames - sent > UINT_MAX ? UINT_MAX : a->frames - sent;
		else if (!sent || !frame_ns)
			n = GEN_PROBE;
		else
			n = clamp_frames((a->seconds * 1e9 - elapsed) / frame_ns);
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data,
			    .data_size_in = frame.len, .ctx_in = &md, .ctx_size_in = sizeof(md),
			    .repeat = n, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = a->batch);
		err = bpf_prog_test_run_opts(fd, &opts);
		if (err == -EINVAL && !sent && !kernel_has_live_frames()) {
			/* Kernels before 5.18 refuse the unknown flag. */
			fprintf(stderr, "xdpbench: this kernel has no live frames for BPF_PROG_RUN "
					"(BPF_F_TEST_XDP_LIVE_FRAMES needs Linux 5.18 or later)\n");
			rc = EXIT_UNSUPPORTED;
			goto out;
		}
		if (err) {
			report_error("send frames with BPF_PROG_RUN on", a->dev, err);
			goto out;
		}
		sent += n;
		/* The kernel's own time per frame: the send loop and the receive
		 * work it triggers, without the call's set-up.
		 */
		frame_ns = opts.duration;
		kernel_ns += (double)opts.duration * n;
		elapsed = now_ns() - start;
	} while (a->frames ? sent < a->frames : elapsed < a->seconds * 1e9 * 0.9);
	printf("frames=%llu ns=%.0f kns=%.0f\n", sent, elapsed, kernel_ns);
	rc = 0;
out:
	bpf_object__close(obj);
	return rc;
}

/* ---- cost ------------------------------------------------------------------ */

/* Average ns per run of prog fd on frame f, and its action. */
static int run_repeat(int fd, const struct bench_frame *f, struct xdp_md *md, unsigned int repeat,
		      __u32 *ns, __u32 *action)
{
	unsigned char out[BENCH_FRAME_MAX];
	int err;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);

	if (md->ingress_ifindex) {
		opts.ctx_in = md;
		opts.ctx_size_in = sizeof(*md);
	}
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		report_error("run with BPF_PROG_RUN", "the program", err);
		return err;
	}
	*ns = opts.duration;
	*action = opts.retval;
	return 0;
}

static int cmd_cost(const struct args *a, const char *bench_obj)
{
	struct bpf_object *obj = NULL, *bench = NULL;
	struct bench_frame frame;
	struct xdp_md md = {};
	unsigned int repeat = a->repeat ? a->repeat : 1000000;
	__u32 ns, action, bare_ns, restore_bare_ns, tmp, key = 0;
	int fd, bench_fd, call_fd, rc = 1;

	if (build_frame(a, &frame))
		return EXIT_USAGE;
	md.data_end = frame.len;
	if (a->dev) {
		md.ingress_ifindex = ifindex_of(a->dev);
		if (!md.ingress_ifindex)
			return 1;
	}
	obj = open_and_load(a->obj);
	if (!obj)
		return 1;
	fd = prog_fd(obj, a->obj, a->prog);
	if (fill_redirect_maps(obj, a) < 0)
		goto out;
	if (run_repeat(fd, &frame, &md, repeat, &ns, &action))
		goto out;
	if (a->restore) {
		/* restore + P, less restore + empty, plus empty: P's cost on fresh packets. */
		bench = open_and_load(bench_obj);
		if (!bench || set_frame(bench, &frame))
			goto out;
		bench_fd = prog_fd(bench, bench_obj, "xdp_restore_call");
		call_fd = map_fd(bench, "call_map", sizeof(key), sizeof(key));
		tmp = prog_fd(bench, bench_obj, "xdp_bare_pass");
		if (call_fd < 0 || update(call_fd, "call_map", &key, &tmp) ||
		    run_repeat(tmp, &frame, &md, repeat, &bare_ns, &action) ||
		    run_repeat(bench_fd, &frame, &md, repeat, &restore_bare_ns, &action))
			goto out;
		tmp = fd;
		if (update(call_fd, "call_map", &key, &tmp) ||
		    run_repeat(bench_fd, &frame, &md, repeat, &ns, &action))
			goto out;
		ns = ns + bare_ns > restore_bare_ns ? ns + bare_ns - restore_bare_ns : 0;
	}
	printf("ns=%u action=%u\n", ns, action);
	rc = 0;
out:
	bpf_object__close(bench);
	bpf_object__close(obj);
	return rc;
}

/* ---- attach ---------------------------------------------------------------- */

static int cmd_attach(const struct args *a)
{
	struct bpf_object *obj;
	int ifindex, fd, err, rc = 1;

	ifindex = ifindex_of(a->dev);
	if (!ifindex)
		return 1;
	obj = open_and_load(a->obj);
	if (!obj)
		return 1;
	fd = prog_fd(obj, a->obj, a->prog);
	if (fill_redirect_maps(obj, a) < 0)
		goto out;
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		report_error("attach XDP (native mode) to", a->dev, err);
		goto out;
	}
	rc = 0;
out:
	bpf_object__close(obj);
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = { .size = 64, .batch = GEN_BATCH };
	char bench_obj[PATH_MAX];

	parse_args(argc, argv, &a);
	setup_libbpf_logging(a.verbose);
	if (bench_object_path(bench_obj, sizeof(bench_obj))) {
		fprintf(stderr, "xdpbench: cannot find my own directory\n");
		return 1;
	}
	if (!strcmp(a.cmd, "gen"))
		return cmd_gen(&a, bench_obj);
	if (!strcmp(a.cmd, "cost"))
		return cmd_cost(&a, bench_obj);
	return cmd_attach(&a);
}
