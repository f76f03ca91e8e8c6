// SPDX-License-Identifier: GPL-2.0
/*
 * send_frames: send crafted Ethernet frames out of one interface through an
 * AF_PACKET raw socket. The lab uses it where the kernel cannot make the
 * traffic itself: VLAN-tagged frames on a kernel without 802.1Q support,
 * malformed or truncated frames, exact sequence numbers.
 *
 *   send_frames --dev veth0 --src-mac MAC --dst-mac MAC -4 --src IP --dst IP \
 *               [--vlan ID]... [--qinq] [--proto icmp|udp|tcp] [--count N] ...
 *   send_frames --dev veth0 --hex HEXFRAME [--hex HEXFRAME]...
 *
 * Plain libc on purpose: it runs inside a lab namespace with nothing else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TAGS 8
#define MAX_HEX_FRAMES 64
#define MAX_FRAME 1600 /* an MTU of 1500, 14 bytes of Ethernet, MAX_TAGS tags */
#define MAX_IP_LEN 1500
#define MAX_COUNT 100000
#define MAX_INTERVAL_MS 10000
#define MAX_DURATION_MS 600000 /* every run ends within 10 minutes */

enum proto { PROTO_ICMP, PROTO_UDP, PROTO_TCP };

struct opts {
	const char *dev;
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	bool have_src_mac, have_dst_mac;
	int family; /* 0 until -4 or -6 */
	const char *src_str, *dst_str;
	uint8_t src_ip[16], dst_ip[16];
	int vlans[MAX_TAGS];
	int n_vlans;
	bool qinq;
	enum proto proto;
	long count, seq_start, id, sport, dport, payload_len, interval_ms;
	bool print_hex, dry_run;
	const char *hex[MAX_HEX_FRAMES];
	int n_hex;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: send_frames --dev IFNAME --src-mac MAC --dst-mac MAC (-4|-6) --src IP --dst IP\n"
		"                   [--vlan ID]... [--qinq] [--proto icmp|udp|tcp] [--count N]\n"
		"                   [--seq-start N] [--id N] [--sport N] [--dport N]\n"
		"                   [--payload-len N] [--interval-ms N] [--print-hex] [--dry-run]\n"
		"       send_frames --dev IFNAME --hex HEXFRAME [--hex HEXFRAME]... [--count N]\n"
		"                   [--interval-ms N] [--print-hex] [--dry-run]\n"
		"\n"
		"Send crafted Ethernet frames out of IFNAME (AF_PACKET raw socket, needs root).\n"
		"\n"
		"  --dev IFNAME       interface to send on (not needed with --dry-run)\n"
		"  --src-mac, --dst-mac MAC   Ethernet addresses, as aa:bb:cc:dd:ee:ff\n"
		"  -4, -6             IPv4 or IPv6; --src and --dst are addresses of that family\n"
		"  --vlan ID          add an 802.1Q tag (0..4095); repeat for a stack, outermost\n"
		"                     first (at most %d)\n"
		"  --qinq             the outermost tag is 802.1ad (0x88a8) instead of 802.1Q\n"
		"  --proto P          icmp (default: ICMP or ICMPv6 echo request), udp or tcp (SYN)\n"
		"  --count N          frames to send (default 1, at most %d); with --hex, times\n"
		"                     to send the whole list\n"
		"  --seq-start N      sequence number of the first frame (default 1), then +1 per\n"
		"                     frame: the echo sequence (icmp) or the TCP sequence (tcp)\n"
		"  --id N             echo identifier (icmp, default 0x1234); the IPv4 ID is the\n"
		"                     sequence number\n"
		"  --sport, --dport N UDP/TCP ports (default 40000 and 7)\n"
		"  --payload-len N    bytes after the ICMP/UDP/TCP header (default 32)\n"
		"  --interval-ms N    pause between frames (default 0, at most %d; a run\n"
		"                     takes 10 minutes at most)\n"
		"  --hex HEXFRAME     send exactly these bytes (hex digits; ':', '-', '.' ignored)\n"
		"  --print-hex        print each frame in hex, one a line\n"
		"  --dry-run          print each frame in hex, send nothing\n"
		"  -h, --help         this text\n",
		MAX_TAGS, MAX_COUNT, MAX_INTERVAL_MS);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("send_frames: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see send_frames --help)\n", stderr);
	exit(2);
}

static long parse_num(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(arg, &end, 0);
	if (errno || end == arg || *end || val < min || val > max)
		die("%s '%s': expected a number from %ld to %ld", opt, arg, min, max);
	return val;
}

static void parse_mac(const char *opt, const char *arg, uint8_t *mac)
{
	unsigned int b[ETH_ALEN];
	char tail;
	int i;

	if (sscanf(arg, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != ETH_ALEN)
		die("%s '%s': expected a MAC address such as 02:00:00:00:00:01", opt, arg);
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = b[i];
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Returns the frame length. */
static size_t parse_hex(const char *arg, uint8_t *buf)
{
	size_t len = 0;
	int hi = -1, v;

	for (const char *p = arg; *p; p++) {
		if (*p == ':' || *p == '-' || *p == '.' || *p == ' ')
			continue;
		v = hex_value(*p);
		if (v < 0)
			die("--hex: '%c' is not a hex digit", *p);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (len == MAX_FRAME)
			die("--hex: frame longer than %d bytes", MAX_FRAME);
		buf[len++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		die("--hex: odd number of hex digits in '%s'", arg);
	if (len == 0)
		die("--hex: empty frame");
	return len;
}

enum {
	OPT_DEV = 256,
	OPT_SRC_MAC,
	OPT_DST_MAC,
	OPT_SRC,
	OPT_DST,
	OPT_VLAN,
	OPT_QINQ,
	OPT_PROTO,
	OPT_COUNT,
	OPT_SEQ_START,
	OPT_ID,
	OPT_SPORT,
	OPT_DPORT,
	OPT_PAYLOAD_LEN,
	OPT_INTERVAL_MS,
	OPT_PRINT_HEX,
	OPT_DRY_RUN,
	OPT_HEX,
};

static const struct option long_opts[] = {
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "src-mac", required_argument, NULL, OPT_SRC_MAC },
	{ "dst-mac", required_argument, NULL, OPT_DST_MAC },
	{ "src", required_argument, NULL, OPT_SRC },
	{ "dst", required_argument, NULL, OPT_DST },
	{ "vlan", required_argument, NULL, OPT_VLAN },
	{ "qinq", no_argument, NULL, OPT_QINQ },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "seq-start", required_argument, NULL, OPT_SEQ_START },
	{ "id", required_argument, NULL, OPT_ID },
	{ "sport", required_argument, NULL, OPT_SPORT },
	{ "dport", required_argument, NULL, OPT_DPORT },
	{ "payload-len", required_argument, NULL, OPT_PAYLOAD_LEN },
	{ "interval-ms", required_argument, NULL, OPT_INTERVAL_MS },
	{ "print-hex", no_argument, NULL, OPT_PRINT_HEX },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "hex", required_argument, NULL, OPT_HEX },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ .count = 1,
			    .seq_start = 1,
			    .id = 0x1234,
			    .sport = 40000,
			    .dport = 7,
			    .payload_len = 32 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":46h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DEV:
			o->dev = optarg;
			break;
		case OPT_SRC_MAC:
			parse_mac("--src-mac", optarg, o->src_mac);
			o->have_src_mac = true;
			break;
		case OPT_DST_MAC:
			parse_mac("--dst-mac", optarg, o->dst_mac);
			o->have_dst_mac = true;
			break;
		case '4':
		case '6':
			if (o->family && o->family != (c == '4' ? AF_INET : AF_INET6))
				die("-4 and -6 exclude each other");
			o->family = c == '4' ? AF_INET : AF_INET6;
			break;
		case OPT_SRC:
			o->src_str = optarg;
			break;
		case OPT_DST:
			o->dst_str = optarg;
			break;
		case OPT_VLAN:
			if (o->n_vlans == MAX_TAGS)
				die("--vlan: at most %d tags", MAX_TAGS);
			o->vlans[o->n_vlans++] = (int)parse_num("--vlan", optarg, 0, 4095);
			break;
		case OPT_QINQ:
			o->qinq = true;
			break;
		case OPT_PROTO:
			if (!strcmp(optarg, "icmp"))
				o->proto = PROTO_ICMP;
			else if (!strcmp(optarg, "udp"))
				o->proto = PROTO_UDP;
			else if (!strcmp(optarg, "tcp"))
				o->proto = PROTO_TCP;
			else
				die("--proto '%s': expected icmp, udp or tcp", optarg);
			break;
		case OPT_COUNT:
			o->count = parse_num("--count", optarg, 1, MAX_COUNT);
			break;
		case OPT_SEQ_START:
			o->seq_start = parse_num("--seq-start", optarg, 0, UINT32_MAX);
			break;
		case OPT_ID:
			o->id = parse_num("--id", optarg, 0, 0xffff);
			break;
		case OPT_SPORT:
			o->sport = parse_num("--sport", optarg, 0, 0xffff);
			break;
		case OPT_DPORT:
			o->dport = parse_num("--dport", optarg, 0, 0xffff);
			break;
		case OPT_PAYLOAD_LEN:
			o->payload_len = parse_num("--payload-len", optarg, 0, MAX_IP_LEN);
			break;
		case OPT_INTERVAL_MS:
			o->interval_ms = parse_num("--interval-ms", optarg, 0, MAX_INTERVAL_MS);
			break;
		case OPT_PRINT_HEX:
			o->print_hex = true;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_HEX:
			if (o->n_hex == MAX_HEX_FRAMES)
				die("--hex: at most %d frames", MAX_HEX_FRAMES);
			o->hex[o->n_hex++] = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			die("%s needs a value", argv[optind - 1]);
		default:
			die("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s'", argv[optind]);
	if (o->count * o->interval_ms > MAX_DURATION_MS)
		die("--count %ld with --interval-ms %ld would take more than %d s", o->count,
		    o->interval_ms, MAX_DURATION_MS / 1000);
	if (!o->dev && !o->dry_run)
		die("--dev IFNAME is needed (or --dry-run)");
	if (o->dev && (strlen(o->dev) >= IF_NAMESIZE || !*o->dev))
		die("--dev '%s': not an interface name", o->dev);
	if (o->n_hex) {
		if (o->have_src_mac || o->have_dst_mac || o->family || o->src_str || o->dst_str ||
		    o->n_vlans || o->qinq)
			die("--hex sends the frame as given: it takes no MAC, IP or VLAN options");
		return;
	}
	if (!o->have_src_mac || !o->have_dst_mac)
		die("--src-mac and --dst-mac are needed (or --hex)");
	if (!o->family)
		die("-4 or -6 is needed");
	if (!o->src_str || !o->dst_str)
		die("--src and --dst are needed");
	if (inet_pton(o->family, o->src_str, o->src_ip) != 1)
		die("--src '%s': not an IPv%c address", o->src_str,
		    o->family == AF_INET ? '4' : '6');
	if (inet_pton(o->family, o->dst_str, o->dst_ip) != 1)
		die("--dst '%s': not an IPv%c address", o->dst_str,
		    o->family == AF_INET ? '4' : '6');
	if (o->qinq && !o->n_vlans)
		die("--qinq marks the outermost --vlan tag: give at least one --vlan");
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, v >> 16);
	return put16(p, v & 0xffff);
}

/* Ones' complement sum of LEN bytes, big-endian 16-bit words, not folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The pseudo-header sum that UDP, TCP and ICMPv6 checksums start from. */
static uint32_t pseudo_sum(const struct opts *o, uint8_t l4proto, size_t l4len)
{
	size_t alen = o->family == AF_INET ? 4 : 16;
	uint32_t sum = 0;

	sum = sum16(o->src_ip, alen, sum);
	sum = sum16(o->dst_ip, alen, sum);
	return sum + l4proto + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
}

/* Builds frame number I (0-based) into BUF; returns its length. */
static size_t build_frame(const struct opts *o, long i, uint8_t *buf)
{
	uint32_t seq = (uint32_t)(o->seq_start + i);
	bool v4 = o->family == AF_INET;
	size_t l4hdr, l4len, iphdr_len = v4 ? 20 : 40;
	uint8_t l4proto, *p = buf, *ip, *l4;
	uint16_t csum;
	int t;

	switch (o->proto) {
	case PROTO_UDP:
		l4hdr = 8;
		l4proto = IPPROTO_UDP;
		break;
	case PROTO_TCP:
		l4hdr = 20;
		l4proto = IPPROTO_TCP;
		break;
	default:
		l4hdr = 8;
		l4proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	}
	l4len = l4hdr + (size_t)o->payload_len;
	if (iphdr_len + l4len > MAX_IP_LEN)
		die("--payload-len %ld: the IP packet would be %zu bytes, more than %d",
		    o->payload_len, iphdr_len + l4len, MAX_IP_LEN);

	memcpy(p, o->dst_mac, ETH_ALEN);
	memcpy(p + ETH_ALEN, o->src_mac, ETH_ALEN);
	p += 2 * ETH_ALEN;
	for (t = 0; t < o->n_vlans; t++) {
		p = put16(p, t == 0 && o->qinq ? ETH_P_8021AD : ETH_P_8021Q);
		p = put16(p, (uint16_t)o->vlans[t]);
	}
	p = put16(p, v4 ? ETH_P_IP : ETH_P_IPV6);

	ip = p;
	memset(ip, 0, iphdr_len);
	if (v4) {
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(iphdr_len + l4len));
		put16(ip + 4, (uint16_t)seq);
		ip[8] = 64;
		ip[9] = l4proto;
		memcpy(ip + 12, o->src_ip, 4);
		memcpy(ip + 16, o->dst_ip, 4);
		put16(ip + 10, fold(sum16(ip, iphdr_len, 0)));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = l4proto;
		ip[7] = 64;
		memcpy(ip + 8, o->src_ip, 16);
		memcpy(ip + 24, o->dst_ip, 16);
	}

	l4 = ip + iphdr_len;
	memset(l4, 0, l4hdr);
	for (long b = 0; b < o->payload_len; b++)
		l4[l4hdr + b] = (uint8_t)b;
	switch (o->proto) {
	case PROTO_UDP:
		put16(l4, (uint16_t)o->sport);
		put16(l4 + 2, (uint16_t)o->dport);
		put16(l4 + 4, (uint16_t)l4len);
		break;
	case PROTO_TCP:
		put16(l4, (uint16_t)o->sport);
		put16(l4 + 2, (uint16_t)o->dport);
		put32(l4 + 4, seq);
		l4[12] = 5 << 4; /* data offset: 5 words */
		l4[13] = 0x02;	 /* SYN */
		put16(l4 + 14, 65535);
		break;
	default:
		l4[0] = v4 ? 8 : 128; /* echo request */
		put16(l4 + 4, (uint16_t)o->id);
		put16(l4 + 6, (uint16_t)seq);
	}
	if (o->proto == PROTO_ICMP && v4)
		csum = fold(sum16(l4, l4len, 0));
	else
		csum = fold(sum16(l4, l4len, pseudo_sum(o, l4proto, l4len)));
	if (o->proto == PROTO_UDP && csum == 0)
		csum = 0xffff; /* 0 means "no checksum" in UDP */
	put16(l4 + (o->proto == PROTO_UDP ? 6 : o->proto == PROTO_TCP ? 16 : 2), csum);
	return (size_t)(l4 + l4len - buf);
}

static void print_frame(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%02x", buf[i]);
	putchar('\n');
}

static int open_socket(const char *dev, struct sockaddr_ll *addr)
{
	int fd, ifindex;

	ifindex = (int)if_nametoindex(dev);
	if (!ifindex)
		die("--dev %s: no such interface here (inside a lab: t exec -- send_frames ...)",
		    dev);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "send_frames: error: open a raw packet socket: %s%s\n",
			strerror(errno), errno == EPERM ? " (run as root)" : "");
		exit(1);
	}
	*addr = (struct sockaddr_ll){ .sll_family = AF_PACKET,
				      .sll_ifindex = ifindex,
				      .sll_halen = ETH_ALEN };
	return fd;
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Sends or prints one frame; exits on a send error. */
static void emit(const struct opts *o, int fd, const struct sockaddr_ll *addr, const uint8_t *buf,
		 size_t len)
{
	if (o->print_hex || o->dry_run) {
		print_frame(buf, len);
		fflush(stdout); /* before anything on stderr, in a pipe too */
	}
	if (o->dry_run)
		return;
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)addr, sizeof(*addr)) != (ssize_t)len) {
		fprintf(stderr, "send_frames: error: send a %zu-byte frame on %s: %s%s\n", len,
			o->dev, strerror(errno),
			errno == EINVAL && len < ETH_HLEN ? " (a frame needs 14 bytes at least)"
			: errno == EMSGSIZE		  ? " (frame larger than the interface MTU)"
			: errno == ENETDOWN		  ? " (bring the interface up)"
							  : "");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static uint8_t frames[MAX_HEX_FRAMES][MAX_FRAME];
	static uint8_t buf[MAX_FRAME];
	size_t lens[MAX_HEX_FRAMES];
	struct sockaddr_ll addr = { 0 };
	struct opts o;
	long i, sent = 0;
	int fd = -1, k;

	parse_args(argc, argv, &o);
	for (k = 0; k < o.n_hex; k++)
		lens[k] = parse_hex(o.hex[k], frames[k]);
	if (!o.n_hex)
		build_frame(&o, 0, buf); /* reports a bad --payload-len before anything is sent */
	if (!o.dry_run)
		fd = open_socket(o.dev, &addr);

	for (i = 0; i < o.count; i++) {
		if (i && o.interval_ms)
			pause_ms(o.interval_ms);
		if (o.n_hex) {
			for (k = 0; k < o.n_hex; k++)
				emit(&o, fd, &addr, frames[k], lens[k]);
			sent += o.n_hex;
		} else {
			emit(&o, fd, &addr, buf, build_frame(&o, i, buf));
			sent++;
		}
	}
	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "send_frames: sent %ld frame%s on %s\n", sent, sent == 1 ? "" : "s",
			o.dev);
	}
	return 0;
}
