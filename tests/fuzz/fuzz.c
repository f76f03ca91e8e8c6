// SPDX-License-Identifier: GPL-2.0
/* fuzz: the differential fuzzer of the helpers in headers/.
 *
 * For frame after frame, made by the generator (gen.c) from a seed and the
 * frame's index, it runs the BPF programs of this directory with
 * BPF_PROG_TEST_RUN, and compares what they did with what the fuzzer's own
 * decoder (ref.c) and rewrite models (model.c) say they must do:
 *
 *   parse programs (fuzz_parse*.bpf.c)  every helper's return value, header
 *                                       pointer and cursor; the VLAN ids
 *   rewrite programs (fuzz_rewrite.bpf.c) the verdict, the return value, every
 *                                       byte that comes out, the checksums
 *
 * Any difference is a disagreement: printed with the frame in hex and the command
 * that repeats it, and the exit status is 1. See README.org for how to read a
 * report.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fuzz_progs.h"
#include "gen.h"
#include "model.h"
#include "ref.h"
#include "rng.h"

#define DEFAULT_SECONDS 60
#define DEFAULT_MAX_REPORTS 10
#define PROGRESS_SECONDS 10
#define REPORT_BYTES 256 /* of a frame, in a report: every header fits */
#define OUT_MAX 4096	 /* the test run's output: a page at most */
#define XDP_ACTIONS (XDP_REDIRECT + 1)

/* One program under test, and what happened to it. */
struct target {
	const char *name;   /* as reports and --only name it */
	const char *object; /* its BPF object, in the directory of this binary */
	const char *prog;   /* its function name there */
	bool parse;	    /* a parse walk, or else a rewrite program */
	bool collect;	    /* parse: the walk with parse_ethhdr_vlan() */
	enum rewrite_op op; /* rewrite: which one */

	int fd;
	__u32 depth; /* the VLAN_MAX_DEPTH it reports */
	struct fuzz_parse_result *parse_res;
	struct fuzz_rewrite_result *rewrite_res;
	struct fuzz_rewrite_config *config;

	unsigned long long runs, skipped, disagreements;
	unsigned long long actions[XDP_ACTIONS];
};

static struct target targets[] = {
	{ "walk_vlans", "fuzz_parse.bpf.o", "walk_vlans", .parse = true, .collect = true },
	{ "walk_plain", "fuzz_parse.bpf.o", "walk_plain", .parse = true },
	{ "walk_vlans_deep", "fuzz_parse_deep.bpf.o", "walk_vlans", .parse = true,
	  .collect = true },
	{ "swap_mac", "fuzz_rewrite.bpf.o", "swap_mac", .op = OP_SWAP_MAC },
	{ "swap_ipv4", "fuzz_rewrite.bpf.o", "swap_ipv4", .op = OP_SWAP_IPV4 },
	{ "swap_ipv6", "fuzz_rewrite.bpf.o", "swap_ipv6", .op = OP_SWAP_IPV6 },
	{ "vlan_pop", "fuzz_rewrite.bpf.o", "vlan_pop", .op = OP_VLAN_POP },
	{ "vlan_push", "fuzz_rewrite.bpf.o", "vlan_push", .op = OP_VLAN_PUSH },
	{ "ttl_decrease", "fuzz_rewrite.bpf.o", "ttl_decrease", .op = OP_TTL_DECREASE },
	{ "rewrite_dest", "fuzz_rewrite.bpf.o", "rewrite_dest", .op = OP_REWRITE_DEST },
};

#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

struct options {
	unsigned long long seed;
	unsigned long long first;  /* index of the first frame */
	unsigned long long frames; /* how many frames; 0: no limit */
	double seconds;		   /* how long at most; 0: no limit */
	bool replay;		   /* --frame: one frame, told in full */
	const char *only;	   /* run only the targets whose name contains this */
	unsigned long max_reports;
	bool quiet;

	/* --lesson: a lesson's parsers and program instead of the targets */
	const char *lesson;	/* the object lesson_walk_bpf.c was built into */
	unsigned int families;	/* 4 and 6 as bits: 1 << 4, 1 << 6 */
	bool untagged;		/* leave out frames with a VLAN tag */
	__u32 vlan_depth;	/* the lesson's VLAN_MAX_DEPTH */
	unsigned int judge;	/* JUDGE_* bits */
	const char *judge_text; /* as given, for the reproduce line */
	bool cuts;		/* every prefix of each frame, too */
	long cut;		/* --cut: the one prefix of the --frame to run; -1: none */
};

/* What a run tried, for the summary. */
static struct {
	unsigned long long frames, runs, disagreements;
	unsigned long long kinds[KIND_COUNT], mutations[MUT_COUNT], unmutated;
	unsigned long long helper_calls[HELPER_COUNT], helper_fails[HELPER_COUNT];
	unsigned long long notes[NOTE_COUNT], parse_runs;
	unsigned long long exact_csums, loose_csums, zero_data_csums;
} stats;

static volatile sig_atomic_t interrupted;
static struct options opt;

/* The frame as the parse programs get it: FUZZ_PAD zeros, then the frame. */
static __u8 padded[FUZZ_PAD + FRAME_MAX];

/* ---- Printing -------------------------------------------------------------- */

static void hexdump(const char *indent, const __u8 *p, __u32 len)
{
	__u32 off, i;

	for (off = 0; off < len; off += 16) {
		printf("%s%04x:", indent, off);
		for (i = off; i < off + 16 && i < len; i++)
			printf(" %02x", p[i]);
		printf("\n");
	}
	if (!len)
		printf("%s(no bytes)\n", indent);
}

static const char *action_name(__u32 action)
{
	static const char *const names[XDP_ACTIONS] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
							"XDP_TX", "XDP_REDIRECT" };

	return action < XDP_ACTIONS ? names[action] : "(not an XDP action)";
}

static void describe_frame(const struct frame *f)
{
	int i, n = 0;

	printf("    frame: %s, %u bytes", kind_name(f->kind), f->len);
	for (i = 0; i < MUT_COUNT; i++)
		if (f->mutations & 1u << i)
			printf("%s%s", n++ ? ", " : "; ", mutation_name(i));
	printf("\n");
}

/* A disagreement's report: what differed, the frame, how to see it again. Past
 * the first --max-reports, one line each, without the frame.
 */
static void report(struct target *t, unsigned long long index, const struct frame *f,
		   const char *why)
{
	bool in_full = opt.replay || stats.disagreements < opt.max_reports;

	t->disagreements++;
	stats.disagreements++;
	printf("DISAGREE  %s, frame %llu: %s\n", t->name, index, why);
	if (opt.replay)
		return; /* the frame is shown already */
	if (in_full) {
		describe_frame(f);
		hexdump("      ", f->data, f->len < REPORT_BYTES ? f->len : REPORT_BYTES);
		if (f->len > REPORT_BYTES)
			printf("      ... %u bytes more (--frame shows them)\n",
			       f->len - REPORT_BYTES);
	}
	printf("    reproduce: tests/fuzz/fuzz --seed %llu --frame %llu --only %s\n", opt.seed,
	       index, t->name);
}

/* printf into a fixed buffer, appending. */
static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* ---- BPF ------------------------------------------------------------------- */

/* The directory of this binary: the BPF objects are next to it. */
static char obj_dir[PATH_MAX];

static int find_obj_dir(void)
{
	ssize_t n = readlink("/proc/self/exe", obj_dir, sizeof(obj_dir) - 1);
	char *slash;

	if (n < 0)
		return -errno;
	obj_dir[n] = '\0';
	slash = strrchr(obj_dir, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Warnings and errors only: a failed load shows the verifier's log. */
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

/* Open and load an object once, however many targets use it. */
static struct bpf_object *object(const char *file)
{
	static struct {
		const char *file;
		struct bpf_object *obj;
	} loaded[4];
	static unsigned int n_loaded;
	struct bpf_object *obj;
	char path[PATH_MAX + 64];
	unsigned int i;
	int err;

	for (i = 0; i < n_loaded; i++)
		if (!strcmp(loaded[i].file, file))
			return loaded[i].obj;
	snprintf(path, sizeof(path), "%s/%s", obj_dir, file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "fuzz: open %s: %s (build it: make at the top)\n", path,
			strerror(errno));
		return NULL;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "fuzz: load %s: %s%s\n", path, strerror(-err),
			geteuid() ? " (loading BPF programs needs root)" : "");
		bpf_object__close(obj);
		return NULL;
	}
	if (n_loaded < sizeof(loaded) / sizeof(loaded[0])) {
		loaded[n_loaded].file = file;
		loaded[n_loaded++].obj = obj;
	}
	return obj;
}

/* A one-entry BPF_F_MMAPABLE array, mapped into our memory. */
static void *map_shared(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
	long page = sysconf(_SC_PAGESIZE);
	size_t size;
	void *p;

	if (!map) {
		fprintf(stderr, "fuzz: %s has no map %s\n", bpf_object__name(obj), name);
		return NULL;
	}
	size = (bpf_map__value_size(map) + page - 1) / page * page;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "fuzz: mmap the map %s: %s\n", name, strerror(errno));
		return NULL;
	}
	return p;
}

/* Run a program on len bytes; out gets the frame that comes out. 0 or -errno. */
static int run(const struct target *t, const __u8 *in, __u32 len, __u8 *out, __u32 *out_len,
	       __u32 *action)
{
	static __u8 buf[OUT_MAX];
	struct xdp_md ctx_in = { .data_end = len }, ctx_out = {};
	int err;

	/* ctx_out tells where the frame starts in buf afterwards. */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = in, .data_size_in = len, .data_out = buf,
		    .data_size_out = sizeof(buf), .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	err = bpf_prog_test_run_opts(t->fd, &topts);
	if (err)
		return -errno;
	if (ctx_out.data > ctx_out.data_end || ctx_out.data_end > topts.data_size_out ||
	    ctx_out.data_end - ctx_out.data > FRAME_MAX + VLAN_TAG_LEN)
		return -ERANGE;
	*out_len = ctx_out.data_end - ctx_out.data;
	memcpy(out, buf + ctx_out.data, *out_len);
	*action = topts.retval;
	return 0;
}

/* Load each target's program, map its maps, learn its VLAN_MAX_DEPTH from a run
 * on a frame of zeros.
 */
static int set_up(void)
{
	static const __u8 zeros[FUZZ_PAD + ETH_HDR_LEN];
	__u8 out[OUT_MAX];
	__u32 out_len, action;
	struct bpf_object *obj;
	struct bpf_program *prog;
	unsigned int i;
	int err;

	libbpf_set_print(libbpf_print);
	err = find_obj_dir();
	if (err)
		return err;
	for (i = 0; i < N_TARGETS; i++) {
		struct target *t = &targets[i];

		obj = object(t->object);
		if (!obj)
			return -ENOENT;
		prog = bpf_object__find_program_by_name(obj, t->prog);
		if (!prog) {
			fprintf(stderr, "fuzz: %s has no program %s\n", t->object, t->prog);
			return -ENOENT;
		}
		t->fd = bpf_program__fd(prog);
		if (t->parse) {
			t->parse_res = map_shared(obj, "parse_result_map");
			if (!t->parse_res)
				return -ENOENT;
		} else {
			t->rewrite_res = map_shared(obj, "rewrite_result_map");
			t->config = map_shared(obj, "rewrite_config_map");
			if (!t->rewrite_res || !t->config)
				return -ENOENT;
		}
		err = run(t, zeros, t->parse ? sizeof(zeros) : ETH_HDR_LEN, out, &out_len, &action);
		if (err) {
			fprintf(stderr, "fuzz: BPF_PROG_TEST_RUN of %s: %s\n", t->name,
				strerror(-err));
			return err;
		}
		t->depth = t->parse ? t->parse_res->vlan_max_depth : t->rewrite_res->vlan_max_depth;
		if (t->depth < 1 || t->depth > FUZZ_MAX_VLANS) {
			fprintf(stderr, "fuzz: %s reports VLAN_MAX_DEPTH %u: not 1..%d\n", t->name,
				t->depth, FUZZ_MAX_VLANS);
			return -ERANGE;
		}
	}
	return 0;
}

/* ---- A lesson's parsers and program (--lesson) ----------------------------- */

/* What a lesson check judges (--judge): the return values of the lesson's
 * parse functions at each step of the walk, and the verdict of its program.
 */
enum {
	JUDGE_ETH = 1,	   /* parse_ethhdr(), VLAN tags included */
	JUDGE_IP = 2,	   /* parse_iphdr(), parse_ip6hdr() */
	JUDGE_ICMP = 4,	   /* parse_icmphdr(), parse_icmp6hdr() */
	JUDGE_VERDICT = 8, /* xdp_parser_func: drop the even echo requests/replies, pass the rest */
};

#define LESSON_CUT_SPAN 200 /* cuts at every offset up to here: every header fits */

static struct target lesson_walk_target = { .name = "lesson_walk" };
static struct target lesson_prog_target = { .name = "xdp_parser_func" };

static struct {
	unsigned long long runs, left_out, walk_bad, verdict_bad;
	unsigned long long got[XDP_ACTIONS], want[XDP_ACTIONS];
} lesson_stats;

/* The lesson's object, closed by lesson_main() when it is done. */
static struct bpf_object *lesson_obj;

static int lesson_set_up(void)
{
	struct bpf_program *walk, *prog;
	struct bpf_object *obj;
	int err;

	libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(opt.lesson, NULL);
	if (!obj) {
		fprintf(stderr, "fuzz: open %s: %s\n", opt.lesson, strerror(errno));
		return -ENOENT;
	}
	lesson_obj = obj;
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr,
			"fuzz: the lesson's program does not load (%s): the verifier's log "
			"is above\n",
			strerror(-err));
		return err;
	}
	walk = bpf_object__find_program_by_name(obj, "lesson_walk");
	prog = bpf_object__find_program_by_name(obj, lesson_prog_target.name);
	if (!walk || !prog) {
		fprintf(stderr, "fuzz: %s has no program %s\n", opt.lesson,
			walk ? lesson_prog_target.name : "lesson_walk");
		return -ENOENT;
	}
	lesson_walk_target.fd = bpf_program__fd(walk);
	lesson_prog_target.fd = bpf_program__fd(prog);
	lesson_walk_target.parse_res = map_shared(obj, "parse_result_map");
	return lesson_walk_target.parse_res ? 0 : -ENOENT;
}

/* The verdict the lesson asks for: XDP_DROP for an ICMP or ICMPv6 echo
 * request or echo reply whose sequence number is even, XDP_PASS for
 * everything else. The type alone says echo: the code is not looked at.
 */
static __u32 lesson_verdict(const __u8 *p, const struct ref_walk *w, char *why, size_t size)
{
	const struct fuzz_step *icmp = &w->step[2];
	bool v4 = icmp->helper == HELPER_ICMPHDR;
	const char *kind;
	__u16 seq;

	if (w->n_steps < 3 || (!v4 && icmp->helper != HELPER_ICMP6HDR))
		kind = NULL;
	else if (icmp->ret == (v4 ? 8 : 128))
		kind = "echo request";
	else if (icmp->ret == (v4 ? 0 : 129))
		kind = "echo reply";
	else
		kind = NULL;
	if (!kind) {
		append(why, size, "not an echo request or reply");
		return XDP_PASS;
	}
	seq = get16(p + w->l4_off + 6);
	append(why, size, "an %s %s, sequence %u (bytes %02x %02x at offset %u), %s",
	       v4 ? "ICMP" : "ICMPv6", kind, seq, p[w->l4_off + 6], p[w->l4_off + 7], w->l4_off + 6,
	       seq % 2 ? "odd" : "even");
	return seq % 2 ? XDP_PASS : XDP_DROP;
}

/* The steps of a walk the lesson walk also takes (it parses no UDP, no TCP). */
static __u32 lesson_steps(const struct fuzz_step *steps, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (steps[i].helper == HELPER_UDPHDR || steps[i].helper == HELPER_TCPHDR)
			break;
	return i;
}

static const char *lesson_helper_name(enum fuzz_helper helper)
{
	return helper == HELPER_ETHHDR_VLAN ? "parse_ethhdr" : ref_helper_name(helper);
}

/* A return value as the lesson names it: parse_ethhdr() returns an EtherType
 * in network byte order, shown as the protocol number it stands for.
 */
static void append_ret(char *buf, size_t size, __u32 step, int ret)
{
	if (ret < 0)
		append(buf, size, "%d", ret);
	else if (step == 0)
		append(buf, size, "bpf_htons(0x%04x)", ntohs((__u16)ret));
	else
		append(buf, size, "%d", ret);
}

static void describe_lesson_walk(char *buf, size_t size, const struct fuzz_step *steps, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		append(buf, size, "%s%s ", i ? ", " : "", lesson_helper_name(steps[i].helper));
		append_ret(buf, size, i, steps[i].ret);
	}
	if (!n)
		append(buf, size, "(nothing)");
}

/* The first judged step where the lesson's walk and the decoder's differ, or -1. */
static int lesson_walk_differs(const struct fuzz_parse_result *got, const struct ref_walk *w)
{
	static const unsigned int judged[FUZZ_MAX_STEPS] = { JUDGE_ETH, JUDGE_IP, JUDGE_ICMP };
	__u32 got_n = lesson_steps(got->step, got->n_steps);
	__u32 want_n = lesson_steps(w->step, w->n_steps);
	int i;

	for (i = 0; i < FUZZ_MAX_STEPS; i++) {
		if (!(opt.judge & judged[i]))
			continue;
		if ((i < (int)got_n) != (i < (int)want_n))
			return i;
		if (i < (int)got_n && got->step[i].ret != w->step[i].ret)
			return i;
	}
	return -1;
}

static void lesson_report(unsigned long long index, const struct frame *f, __u32 len,
			  const char *what, const struct fuzz_parse_result *got,
			  const struct ref_walk *w)
{
	char line[512] = "";

	if (len < f->len)
		printf("DISAGREE  frame %llu cut to %u bytes: %s\n", index, len, what);
	else
		printf("DISAGREE  frame %llu: %s\n", index, what);
	if (opt.replay || stats.disagreements < opt.max_reports) {
		describe_lesson_walk(line, sizeof(line), got->step,
				     lesson_steps(got->step, got->n_steps));
		printf("    your parse functions: %s\n", line);
		line[0] = '\0';
		describe_lesson_walk(line, sizeof(line), w->step,
				     lesson_steps(w->step, w->n_steps));
		printf("    the decoder:          %s\n", line);
		describe_frame(f);
		if (len < f->len)
			printf("    (cut to its first %u bytes:)\n", len);
		hexdump("      ", f->data, len < REPORT_BYTES ? len : REPORT_BYTES);
	}
	stats.disagreements++;
	printf("    reproduce: tests/fuzz/fuzz --lesson %s --families %s%s --vlan-depth %u "
	       "--judge %s --seed %llu --frame %llu",
	       opt.lesson,
	       opt.families == (1u << 4 | 1u << 6) ? "46"
	       : opt.families & 1u << 4		   ? "4"
						   : "6",
	       opt.untagged ? " --untagged" : "", opt.vlan_depth, opt.judge_text, opt.seed, index);
	if (len < f->len)
		printf(" --cut %u", len);
	printf("\n");
}

static bool is_tag_type(__u16 type)
{
	return type == ETHERTYPE_CTAG || type == ETHERTYPE_STAG;
}

/* Run the lesson's walk and program on the first len bytes of f. */
static void lesson_run(unsigned long long index, const struct frame *f, __u32 len)
{
	static __u8 out[OUT_MAX];
	char what[512] = "", why[256] = "";
	struct ref_walk w;
	__u32 out_len, action, want;
	int step;

	if (len < ETH_HDR_LEN || (opt.untagged && is_tag_type(get16(f->data + 12)))) {
		lesson_stats.left_out++;
		return;
	}
	ref_walk(f->data, len, opt.vlan_depth, true, &w);
	if ((w.ethertype == ETHERTYPE_IPV4 && !(opt.families & 1u << 4)) ||
	    (w.ethertype == ETHERTYPE_IPV6 && !(opt.families & 1u << 6))) {
		lesson_stats.left_out++;
		return;
	}
	lesson_stats.runs++;
	stats.runs += 2;
	if (run(&lesson_walk_target, f->data, len, out, &out_len, &action) ||
	    run(&lesson_prog_target, f->data, len, out, &out_len, &action)) {
		lesson_report(index, f, len, "BPF_PROG_TEST_RUN failed",
			      lesson_walk_target.parse_res, &w);
		return;
	}
	want = lesson_verdict(f->data, &w, why, sizeof(why));
	lesson_stats.got[action < XDP_ACTIONS ? action : XDP_ABORTED]++;
	lesson_stats.want[want]++;

	step = lesson_walk_differs(lesson_walk_target.parse_res, &w);
	if (step >= 0) {
		const struct fuzz_step *g = &lesson_walk_target.parse_res->step[step];
		const struct fuzz_step *r = &w.step[step];

		lesson_stats.walk_bad++;
		if (step < (int)lesson_walk_target.parse_res->n_steps) {
			append(what, sizeof(what), "%s returned ", lesson_helper_name(g->helper));
			append_ret(what, sizeof(what), step, g->ret);
		} else {
			append(what, sizeof(what), "%s was not called",
			       lesson_helper_name(r->helper));
		}
		if (step < (int)w.n_steps) {
			append(what, sizeof(what), "; the decoder says it returns ");
			append_ret(what, sizeof(what), step, r->ret);
		} else {
			append(what, sizeof(what), "; the decoder stops before it");
		}
		lesson_report(index, f, len, what, lesson_walk_target.parse_res, &w);
		return;
	}
	if ((opt.judge & JUDGE_VERDICT) && action != want) {
		lesson_stats.verdict_bad++;
		append(what, sizeof(what),
		       "xdp_parser_func returned %s, expected %s: the frame is %s",
		       action_name(action), action_name(want), why);
		lesson_report(index, f, len, what, lesson_walk_target.parse_res, &w);
	}
}

static void lesson_frame(unsigned long long index)
{
	static struct frame f;
	enum frame_kind kind;
	struct rng r;
	__u32 len, end;

	rng_init(&r, opt.seed, index);
	/* ICMP most of the time: what the lesson's program looks at. */
	if (rng_chance(&r, 60)) {
		if (opt.families == (1u << 4 | 1u << 6))
			kind = rng_chance(&r, 50) ? KIND_IPV4_ICMP : KIND_IPV6_ICMPV6;
		else
			kind = opt.families & 1u << 4 ? KIND_IPV4_ICMP : KIND_IPV6_ICMPV6;
	} else {
		kind = rng_below(&r, KIND_COUNT);
	}
	gen_frame_of_kind(&f, &r, kind);
	stats.frames++;
	stats.kinds[f.kind]++;

	if (opt.replay) {
		printf("frame %llu of seed %llu:\n", index, opt.seed);
		describe_frame(&f);
		hexdump("      ", f.data, f.len);
	}
	if (opt.cut >= 0) {
		lesson_run(index, &f, opt.cut < f.len ? opt.cut : f.len);
		return;
	}
	lesson_run(index, &f, f.len);
	if (!opt.cuts)
		return;
	end = f.len < LESSON_CUT_SPAN ? f.len : LESSON_CUT_SPAN;
	for (len = ETH_HDR_LEN; len < end; len++)
		lesson_run(index, &f, len);
}

static void lesson_summary(void)
{
	printf("\nfuzz --lesson: seed %llu, %llu frames, %llu runs of each program%s (%llu left "
	       "out: under 14 bytes%s%s)\n",
	       opt.seed, stats.frames, lesson_stats.runs, opt.cuts ? " (every cut included)" : "",
	       lesson_stats.left_out, opt.untagged ? ", VLAN-tagged" : "",
	       opt.families == (1u << 4 | 1u << 6) ? ""
	       : opt.families & 1u << 4		   ? ", IPv6"
						   : ", IPv4");
	printf("  xdp_parser_func: %llu XDP_DROP, %llu XDP_PASS, %llu other; the lesson asks "
	       "for %llu XDP_DROP, %llu XDP_PASS\n",
	       lesson_stats.got[XDP_DROP], lesson_stats.got[XDP_PASS],
	       lesson_stats.runs - lesson_stats.got[XDP_DROP] - lesson_stats.got[XDP_PASS],
	       lesson_stats.want[XDP_DROP], lesson_stats.want[XDP_PASS]);
	printf("  parse functions that disagreed: %llu frames; verdicts that disagreed: %llu "
	       "frames\n",
	       lesson_stats.walk_bad, lesson_stats.verdict_bad);
}

static int parse_judge(const char *text)
{
	char buf[64], *tok, *save;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	opt.judge = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "eth"))
			opt.judge |= JUDGE_ETH;
		else if (!strcmp(tok, "ip"))
			opt.judge |= JUDGE_IP;
		else if (!strcmp(tok, "icmp"))
			opt.judge |= JUDGE_ICMP;
		else if (!strcmp(tok, "verdict"))
			opt.judge |= JUDGE_VERDICT;
		else
			return -1;
	}
	opt.judge_text = text;
	return opt.judge ? 0 : -1;
}

/* ---- Judging a parse program ----------------------------------------------- */

static void describe_step(char *buf, size_t size, const struct fuzz_step *s)
{
	append(buf, size, "%s returned %d (0x%x), ", ref_helper_name(s->helper), s->ret,
	       (__u32)s->ret);
	if (s->hdr_off == FUZZ_HDR_UNSET)
		append(buf, size, "header pointer not set");
	else
		append(buf, size, "header at %d", s->hdr_off);
	append(buf, size, ", cursor at %d", s->pos_off);
}

/* Compare what the program recorded with the walk; why gets the first difference. */
static bool walk_agrees(const struct target *t, const struct fuzz_parse_result *got,
			const struct ref_walk *want, char *why, size_t size)
{
	__u32 i;

	if (got->vlan_max_depth != t->depth) {
		append(why, size, "reported VLAN_MAX_DEPTH %u, %u before (did it run?)",
		       got->vlan_max_depth, t->depth);
		return false;
	}
	for (i = 0; i < want->n_steps && i < got->n_steps && i < FUZZ_MAX_STEPS; i++) {
		const struct fuzz_step *g = &got->step[i], *w = &want->step[i];

		if (g->helper != w->helper || g->ret != w->ret || g->hdr_off != w->hdr_off ||
		    g->pos_off != w->pos_off) {
			append(why, size, "step %u: ", i + 1);
			describe_step(why, size, g);
			append(why, size, "; the decoder says: ");
			describe_step(why, size, w);
			return false;
		}
	}
	if (got->n_steps != want->n_steps) {
		append(why, size, "%u parse steps, the decoder says %u", got->n_steps,
		       want->n_steps);
		return false;
	}
	/* The ids are defined only when the Ethernet step succeeded. */
	if (t->collect && want->step[0].ret >= 0) {
		if (got->vlan_count != want->vlan_count) {
			append(why, size, "%u VLAN ids collected, the decoder says %u",
			       got->vlan_count, want->vlan_count);
			return false;
		}
		for (i = 0; i < want->vlan_count && i < FUZZ_MAX_VLANS; i++) {
			if (got->vlan_id[i] != want->vlan_id[i]) {
				append(why, size, "VLAN id %u is %u, the decoder says %u", i,
				       got->vlan_id[i], want->vlan_id[i]);
				return false;
			}
		}
	}
	return true;
}

static void print_walk(const char *who, const struct fuzz_step *steps, __u32 n)
{
	char line[256];
	__u32 i;

	for (i = 0; i < n && i < FUZZ_MAX_STEPS; i++) {
		line[0] = '\0';
		describe_step(line, sizeof(line), &steps[i]);
		printf("      %s: %s\n", who, line);
	}
}

static void check_parse(struct target *t, unsigned long long index, const struct frame *f)
{
	__u32 len = FUZZ_PAD + f->len, out_len, action, want_action, i;
	static __u8 out[OUT_MAX];
	struct ref_walk w;
	char why[512] = "";
	int err;

	t->parse_res->vlan_max_depth = 0; /* the program must write it again */
	err = run(t, padded, len, out, &out_len, &action);
	if (err) {
		snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN failed: %s", strerror(-err));
		report(t, index, f, why);
		return;
	}
	t->runs++;
	stats.runs++;
	stats.parse_runs++;
	if (action < XDP_ACTIONS)
		t->actions[action]++;

	ref_walk(f->data, f->len, t->depth, t->collect, &w);
	for (i = 0; i < NOTE_COUNT; i++)
		if (w.notes & 1u << i)
			stats.notes[i]++;
	for (i = 0; i < t->parse_res->n_steps && i < FUZZ_MAX_STEPS; i++) {
		const struct fuzz_step *s = &t->parse_res->step[i];

		if (s->helper < HELPER_COUNT) {
			stats.helper_calls[s->helper]++;
			stats.helper_fails[s->helper] += s->ret < 0;
		}
	}

	/* A helper's -1 makes the walk drop the frame. */
	want_action = w.step[w.n_steps - 1].ret < 0 ? XDP_DROP : XDP_PASS;
	if (walk_agrees(t, t->parse_res, &w, why, sizeof(why))) {
		if (action != want_action)
			snprintf(why, sizeof(why), "verdict %s, the decoder says %s",
				 action_name(action), action_name(want_action));
		else if (out_len != len || memcmp(out, padded, len))
			snprintf(why, sizeof(why),
				 "the frame came out changed (%u bytes, %u went in)", out_len, len);
	}
	if (why[0])
		report(t, index, f, why);
	if (opt.replay) {
		printf("  %-16s %s, %s\n", t->name, action_name(action),
		       why[0] ? "DISAGREES" : "agrees with the decoder");
		print_walk("program", t->parse_res->step, t->parse_res->n_steps);
		if (why[0])
			print_walk("decoder", w.step, w.n_steps);
	}
}

/* ---- Judging a rewrite program --------------------------------------------- */

/* Compare the frame that came out with the model's, byte by byte, checksum
 * fields judged loosely where the model says so.
 */
static bool bytes_agree(const __u8 *got, __u32 got_len, const struct model_out *m, char *why,
			size_t size)
{
	bool loose_field;
	__u32 i, j;

	if (got_len != m->len) {
		append(why, size, "%u bytes came out, the model says %u", got_len, m->len);
		return false;
	}
	for (i = 0; i < m->n_loose; i++) {
		const struct loose_csum *l = &m->loose[i];
		__u16 v = get16(got + l->field);

		if (!loose_csum_ok(l, v)) {
			append(why, size,
			       "checksum at %u is 0x%04x, the model says 0x%04x: it was wrong before "
			       "the rewrite, and must be wrong by as much after",
			       l->field, v, get16(m->data + l->field));
			return false;
		}
	}
	for (i = 0; i < got_len; i++) {
		loose_field = false;
		for (j = 0; j < m->n_loose; j++)
			if (i == m->loose[j].field || i == m->loose[j].field + 1)
				loose_field = true;
		if (!loose_field && got[i] != m->data[i]) {
			append(why, size, "byte %u is 0x%02x, the model says 0x%02x", i, got[i],
			       m->data[i]);
			return false;
		}
	}
	return true;
}

static void check_rewrite(struct target *t, unsigned long long index, const struct frame *f)
{
	static __u8 out[OUT_MAX];
	static struct model_out m;
	__u32 out_len, action;
	char why[512] = "";
	int err;

	/* The kernel's test run refuses frames shorter than an Ethernet header. */
	if (f->len < ETH_HDR_LEN) {
		t->skipped++;
		return;
	}
	t->rewrite_res->vlan_max_depth = 0;
	t->rewrite_res->ret = 0x5eed;
	err = run(t, f->data, f->len, out, &out_len, &action);
	if (err) {
		snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN failed: %s", strerror(-err));
		report(t, index, f, why);
		return;
	}
	t->runs++;
	stats.runs++;
	if (action < XDP_ACTIONS)
		t->actions[action]++;

	model_rewrite(t->op, f->data, f->len, t->depth, t->config, &m);
	if (action == XDP_TX) {
		stats.exact_csums += m.exact_csums;
		stats.loose_csums += m.n_loose;
		stats.zero_data_csums += m.zero_data_csums;
	}

	if (t->rewrite_res->vlan_max_depth != t->depth)
		snprintf(why, sizeof(why), "reported VLAN_MAX_DEPTH %u, %u before (did it run?)",
			 t->rewrite_res->vlan_max_depth, t->depth);
	else if (action != m.action)
		snprintf(why, sizeof(why), "verdict %s, the model says %s", action_name(action),
			 action_name(m.action));
	else if (m.has_ret && t->rewrite_res->ret != m.ret)
		snprintf(why, sizeof(why), "helper returned %d, the model says %d",
			 t->rewrite_res->ret, m.ret);
	else
		bytes_agree(out, out_len, &m, why, sizeof(why));
	if (why[0])
		report(t, index, f, why);
	if (opt.replay) {
		printf("  %-16s %s, %s\n", t->name, action_name(action),
		       why[0] ? "DISAGREES" : "agrees with the model");
		if (why[0]) {
			printf("      what came out:\n");
			hexdump("        ", out, out_len);
			printf("      what the model says:\n");
			hexdump("        ", m.data, m.len);
		}
	}
}

/* ---- The run ----------------------------------------------------------------- */

/* --only NAME: the program called NAME if there is one, else every program whose
 * name contains NAME (--only walk: the three parse programs).
 */
static bool selected(const struct target *t)
{
	unsigned int i;

	if (!opt.only)
		return true;
	for (i = 0; i < N_TARGETS; i++)
		if (!strcmp(targets[i].name, opt.only))
			return t == &targets[i];
	return strstr(t->name, opt.only);
}

static void fuzz_frame(unsigned long long index)
{
	static struct frame f;
	struct fuzz_rewrite_config cfg;
	struct rng r;
	unsigned int i;

	rng_init(&r, opt.seed, index);
	gen_frame(&f, &r);
	gen_rewrite_config(&r, &cfg);

	stats.frames++;
	stats.kinds[f.kind]++;
	if (!f.mutations)
		stats.unmutated++;
	for (i = 0; i < MUT_COUNT; i++)
		if (f.mutations & 1u << i)
			stats.mutations[i]++;

	if (opt.replay) {
		printf("frame %llu of seed %llu:\n", index, opt.seed);
		describe_frame(&f);
		hexdump("      ", f.data, f.len);
		printf("    rewrite settings: VLAN type 0x%04x id %u, new port %u, new IPv4 "
		       "destination 0x%08x\n",
		       cfg.vlan_tpid, cfg.vlan_id, ntohs(cfg.new_port), ntohl(cfg.new_daddr));
	}

	memcpy(padded + FUZZ_PAD, f.data, f.len);
	for (i = 0; i < N_TARGETS; i++) {
		struct target *t = &targets[i];

		if (!selected(t))
			continue;
		if (t->parse) {
			check_parse(t, index, &f);
		} else {
			*t->config = cfg;
			check_rewrite(t, index, &f);
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_summary(double elapsed)
{
	unsigned int i;

	printf("\nfuzz: seed %llu, frames %llu..%llu: %llu frames, %llu program runs in %.1f s "
	       "(%.0f frames/s, %.0f runs/s)\n",
	       opt.seed, opt.first, opt.first + stats.frames - (stats.frames > 0), stats.frames,
	       stats.runs, elapsed, stats.frames / elapsed, stats.runs / elapsed);
	if (opt.quiet)
		goto last_line;

	printf("\nframes, by kind as built\n");
	for (i = 0; i < KIND_COUNT; i++)
		printf("  %-34s %12llu\n", kind_name(i), stats.kinds[i]);
	printf("\nframes, by mutation (a frame may have several)\n");
	printf("  %-34s %12llu\n", "(none)", stats.unmutated);
	for (i = 0; i < MUT_COUNT; i++)
		printf("  %-34s %12llu\n", mutation_name(i), stats.mutations[i]);

	printf("\nhelper calls, in the parse programs   calls    returned -1   returned >= 0\n");
	for (i = 1; i < HELPER_COUNT; i++)
		printf("  %-28s %12llu %14llu %15llu\n", ref_helper_name(i), stats.helper_calls[i],
		       stats.helper_fails[i], stats.helper_calls[i] - stats.helper_fails[i]);

	printf("\nprograms       VLAN depth      runs    XDP_DROP    XDP_PASS      XDP_TX "
	       "  disagreements\n");
	for (i = 0; i < N_TARGETS; i++) {
		const struct target *t = &targets[i];

		if (!selected(t))
			continue;
		printf("  %-16s %2u %12llu %11llu %11llu %11llu %15llu\n", t->name, t->depth,
		       t->runs, t->actions[XDP_DROP], t->actions[XDP_PASS], t->actions[XDP_TX],
		       t->disagreements);
	}
	printf("  (the rewrite programs skip frames under 14 bytes: the test run refuses them)\n");
	printf("  checksums after rewrites: %llu foretold exactly (right before), %llu judged "
	       "by the error they kept (wrong before)\n",
	       stats.exact_csums, stats.loose_csums);

	printf("\nwhere the helpers' contract departs from the RFCs (not failures; per parse "
	       "run, of %llu)\n",
	       stats.parse_runs);
	for (i = 0; i < NOTE_COUNT; i++)
		printf("  %-60s %12llu\n", ref_note_name(i), stats.notes[i]);
	printf("  %-60s %12llu\n", "checksum updated over all-zero data: 0x0000 (per rewrite)",
	       stats.zero_data_csums);
last_line:
	printf("\n%llu disagreements\n", stats.disagreements);
}

static void on_interrupt(int sig)
{
	interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tests/fuzz/fuzz [OPTIONS]\n"
		"Feed the helpers of headers/ generated frames through the BPF programs of\n"
		"tests/fuzz (BPF_PROG_TEST_RUN, needs root), and compare what they do with\n"
		"the fuzzer's own decoder. Exit status: 0, 1 on a disagreement, 2 on an error.\n"
		"\n"
		"  --seed N         the seed (default: from the clock, printed)\n"
		"  --frames N       run N frames (default: as many as fit in the time)\n"
		"  --seconds S      run at most S seconds (default: %d without --frames)\n"
		"  --first I        start at frame index I (default 0)\n"
		"  --frame I        run frame I alone and show everything about it\n"
		"  --only NAME      only the program NAME, or those whose name contains NAME\n"
		"  --max-reports N  show the frame of the first N disagreements (default %d;\n"
		"                   the others get one line each)\n"
		"  --quiet          no summary tables, only disagreements and totals\n"
		"A lesson's parse functions and program (packet01's checks) instead:\n"
		"  --lesson OBJ     the object lesson_walk_bpf.c was built into around the\n"
		"                   lesson's source (make -C tests/fuzz lesson ...)\n"
		"  --families F     4, 6 or 46: leave out IP frames of the other version\n"
		"  --untagged       leave out frames with a VLAN tag\n"
		"  --vlan-depth N   the lesson's VLAN_MAX_DEPTH (default 2)\n"
		"  --judge LIST     what must agree, of eth,ip,icmp,verdict (default: all):\n"
		"                   what the parse functions return, and the verdict (drop\n"
		"                   the even ICMP/ICMPv6 echo requests and replies, pass\n"
		"                   the rest)\n"
		"  --cuts           also every prefix of each frame (14 to 200 bytes)\n"
		"  --cut N          with --frame: that frame cut to N bytes\n"
		"  -h, --help       this text\n"
		"Programs: walk_vlans, walk_plain, walk_vlans_deep (parse), swap_mac, swap_ipv4,\n"
		"swap_ipv6, vlan_pop, vlan_push, ttl_decrease, rewrite_dest (rewrite).\n",
		DEFAULT_SECONDS, DEFAULT_MAX_REPORTS);
}

static bool parse_number(const char *text, unsigned long long *value)
{
	char *end;

	errno = 0;
	*value = strtoull(text, &end, 0);
	return !errno && end != text && !*end && text[0] != '-';
}

static int parse_options(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "frames", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "first", required_argument, NULL, 'f' },
		{ "frame", required_argument, NULL, 'F' },
		{ "only", required_argument, NULL, 'o' },
		{ "max-reports", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "lesson", required_argument, NULL, 'L' },
		{ "families", required_argument, NULL, 'A' },
		{ "untagged", no_argument, NULL, 'U' },
		{ "vlan-depth", required_argument, NULL, 'D' },
		{ "judge", required_argument, NULL, 'J' },
		{ "cuts", no_argument, NULL, 'C' },
		{ "cut", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long long value;
	bool seed_given = false;
	int c;

	opt.max_reports = DEFAULT_MAX_REPORTS;
	opt.families = 1u << 4 | 1u << 6;
	opt.vlan_depth = 2;
	opt.judge = JUDGE_ETH | JUDGE_IP | JUDGE_ICMP | JUDGE_VERDICT;
	opt.judge_text = "eth,ip,icmp,verdict";
	opt.cut = -1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'q':
			opt.quiet = true;
			continue;
		case 'o':
			opt.only = optarg;
			continue;
		case 'L':
			opt.lesson = optarg;
			continue;
		case 'U':
			opt.untagged = true;
			continue;
		case 'C':
			opt.cuts = true;
			continue;
		case 'A':
			if (!strcmp(optarg, "4") || !strcmp(optarg, "6") || !strcmp(optarg, "46")) {
				opt.families = (strchr(optarg, '4') ? 1u << 4 : 0) |
					       (strchr(optarg, '6') ? 1u << 6 : 0);
				continue;
			}
			fprintf(stderr, "fuzz: --families takes 4, 6 or 46, not %s\n", optarg);
			exit(2);
		case 'J':
			if (!parse_judge(optarg))
				continue;
			fprintf(stderr,
				"fuzz: --judge takes a list of eth, ip, icmp, verdict, not %s\n",
				optarg);
			exit(2);
		}
		if (c == '?' || !parse_number(optarg, &value)) {
			if (c != '?')
				fprintf(stderr, "fuzz: not a number: %s\n", optarg);
			usage(stderr);
			exit(2);
		}
		switch (c) {
		case 's':
			opt.seed = value;
			seed_given = true;
			break;
		case 'n':
			opt.frames = value;
			break;
		case 't':
			opt.seconds = value;
			break;
		case 'f':
			opt.first = value;
			break;
		case 'F':
			opt.first = value;
			opt.frames = 1;
			opt.replay = true;
			break;
		case 'm':
			opt.max_reports = value;
			break;
		case 'D':
			if (value < 1 || value > FUZZ_MAX_VLANS) {
				fprintf(stderr, "fuzz: --vlan-depth takes 1..%d\n", FUZZ_MAX_VLANS);
				exit(2);
			}
			opt.vlan_depth = value;
			break;
		case 'c':
			opt.cut = value > FRAME_MAX ? FRAME_MAX : (long)value;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fuzz: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (opt.cut >= 0 && !opt.replay) {
		fprintf(stderr, "fuzz: --cut N goes with --frame I\n");
		exit(2);
	}
	if (!seed_given)
		opt.seed = (unsigned long long)time(NULL) << 16 ^ getpid();
	if (!opt.frames && !opt.seconds)
		opt.seconds = DEFAULT_SECONDS;
	return 0;
}

/* --lesson: the frames through a lesson's parse functions and program. */
static int lesson_main(void)
{
	unsigned long long index, end;
	double start;

	if (lesson_set_up()) {
		bpf_object__close(lesson_obj);
		return 2;
	}
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	start = now();
	end = opt.frames ? opt.first + opt.frames : ULLONG_MAX;
	for (index = opt.first; index < end && !interrupted; index++) {
		lesson_frame(index);
		if (opt.seconds && (index & 63) == 63 && now() - start >= opt.seconds)
			break;
	}
	if (!opt.quiet && !opt.replay)
		lesson_summary();
	printf("%s%llu disagreements\n", opt.quiet || opt.replay ? "" : "\n", stats.disagreements);
	bpf_object__close(lesson_obj);
	return stats.disagreements ? 1 : 0;
}

int main(int argc, char **argv)
{
	double start, elapsed, next_progress;
	unsigned long long index, end;
	unsigned int i, n_selected = 0;
	int err;

	parse_options(argc, argv);
	if (opt.lesson)
		return lesson_main();
	for (i = 0; i < N_TARGETS; i++)
		n_selected += selected(&targets[i]);
	if (!n_selected) {
		fprintf(stderr, "fuzz: no program name contains '%s'\n", opt.only);
		return 2;
	}
	if (geteuid())
		fprintf(stderr,
			"fuzz: not running as root: loading BPF programs will likely fail\n");
	err = set_up();
	if (err)
		return 2;
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);

	if (!opt.quiet && !opt.replay) {
		printf("fuzz: seed %llu (--seed %llu repeats this run), from frame %llu", opt.seed,
		       opt.seed, opt.first);
		if (opt.frames)
			printf(", %llu frames", opt.frames);
		if (opt.seconds)
			printf(", %.0f s at most", opt.seconds);
		printf("; Ctrl-C stops early\n");
	}
	start = now();
	next_progress = start + PROGRESS_SECONDS;
	end = opt.frames ? opt.first + opt.frames : ULLONG_MAX;
	for (index = opt.first; index < end && !interrupted; index++) {
		fuzz_frame(index);
		/* The clock, every 256 frames: often enough, and cheap. */
		if ((index & 255) == 255) {
			double t = now();

			if (opt.seconds && t - start >= opt.seconds)
				break;
			if (!opt.quiet && t >= next_progress) {
				printf("  %5.0f s: %llu frames, %llu disagreements\n", t - start,
				       stats.frames, stats.disagreements);
				fflush(stdout);
				next_progress += PROGRESS_SECONDS;
			}
		}
	}
	elapsed = now() - start;
	if (!opt.replay)
		print_summary(elapsed > 0 ? elapsed : 1e-9);
	else
		printf("\n%llu disagreements\n", stats.disagreements);
	return stats.disagreements ? 1 : 0;
}
