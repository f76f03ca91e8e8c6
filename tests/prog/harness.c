// SPDX-License-Identifier: GPL-2.0
/* The harness's test API: registration, failures, BPF objects, xdp_run(). The
 * runner that calls it is prog_test.c; the packet builders are in packet.c.
 */
#define HARNESS_IMPLEMENTATION
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

/* How many lines of a verifier log a failed load shows: the reason is at the end. */
#define VERIFIER_TAIL_LINES 20
#define VERIFIER_LOG_SIZE (1 << 20)
/* How many of libbpf's own messages a failed load shows. */
#define LIBBPF_TAIL_LINES 6
#define LIBBPF_LOG_SIZE (16 * 1024)
#define MAX_OBJECTS 32

struct harness_test *harness_tests;
int harness_n_tests;
bool harness_verbose;

static char top_dir[PATH_MAX];

/* The state of the test running in this process. */
static struct harness_record *rec;
static const char *caller_file = "?";
static int caller_line;
static struct bpf_object *objects[MAX_OBJECTS];
static int n_objects;
static char verifier_log[VERIFIER_LOG_SIZE];
static char libbpf_log[LIBBPF_LOG_SIZE];
static size_t libbpf_log_len;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void harness_register(const char *name, const char *file, int line, void (*fn)(void))
{
	struct harness_test *tests;

	tests = realloc(harness_tests, (harness_n_tests + 1) * sizeof(*tests));
	if (!tests) {
		fprintf(stderr, "prog_test: out of memory registering %s\n", name);
		exit(2);
	}
	tests[harness_n_tests++] = (struct harness_test){
		.name = name,
		.file = base_name(file),
		.line = line,
		.fn = fn,
	};
	harness_tests = tests;
}

static int compare_tests(const void *a, const void *b)
{
	const struct harness_test *x = a, *y = b;
	int by_file = strcmp(x->file, y->file);

	return by_file ? by_file : x->line - y->line;
}

/* Constructors run in link order, which is nobody's choice: sort by file, then
 * by line, so the numbering is stable.
 */
void harness_sort_tests(void)
{
	qsort(harness_tests, harness_n_tests, sizeof(*harness_tests), compare_tests);
}

static void log_append(const char *prefix, const char *fmt, va_list ap)
{
	size_t room = sizeof(rec->log) - rec->log_len;
	int n;

	if (rec->log_truncated)
		return;
	n = snprintf(rec->log + rec->log_len, room, "%s", prefix);
	if (n >= 0 && (size_t)n < room)
		n += vsnprintf(rec->log + rec->log_len + n, room - n, fmt, ap);
	/* One line per message, always '\n'-terminated; what does not fit is cut. */
	if (n < 0 || (size_t)n + 1 >= room) {
		rec->log_truncated = 1;
		return;
	}
	rec->log_len += n;
	rec->log[rec->log_len++] = '\n';
	rec->log[rec->log_len] = '\0';
}

static void fail_v(const char *file, int line, const char *fmt, va_list ap)
{
	char prefix[PATH_MAX + 32];

	rec->failures++;
	if (rec->failures > HARNESS_MAX_FAILURE_MESSAGES)
		return;
	snprintf(prefix, sizeof(prefix), "%s:%d: ", base_name(file), line);
	log_append(prefix, fmt, ap);
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(file, line, fmt, ap);
	va_end(ap);
}

void harness_fail_here(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(caller_file, caller_line, fmt, ap);
	va_end(ap);
}

void harness_note(const char *fmt, ...)
{
	va_list ap;

	/* Notes belong to failures: past the message limit they go too. */
	if (rec->failures > HARNESS_MAX_FAILURE_MESSAGES)
		return;
	va_start(ap, fmt);
	log_append("  ", fmt, ap);
	va_end(ap);
}

void harness_skip(const char *fmt, ...)
{
	va_list ap;

	rec->skipped = 1;
	va_start(ap, fmt);
	log_append("SKIP: ", fmt, ap);
	va_end(ap);
}

void harness_at(const char *file, int line)
{
	caller_file = file;
	caller_line = line;
}

/* One row of a hex dump: offset, then up to 16 bytes. */
static void hex_row(char *out, size_t size, const __u8 *p, __u32 len, __u32 off)
{
	size_t n = snprintf(out, size, "%04x:", off);
	__u32 i;

	for (i = off; i < off + 16 && i < len && n < size; i++)
		n += snprintf(out + n, size - n, " %02x", p[i]);
}

void hexdump(const char *what, const void *data, __u32 len)
{
	char row[128];
	__u32 off;

	harness_note("%s (%u bytes):", what, len);
	for (off = 0; off < len; off += 16) {
		hex_row(row, sizeof(row), data, len, off);
		harness_note("  %s", row);
	}
}

bool harness_check_bytes(const char *file, int line, const char *what, const void *got,
			 __u32 got_len, const void *want, __u32 want_len)
{
	const __u8 *g = got, *w = want;
	__u32 first, row, end, i;
	char buf[128], marks[64];
	size_t n;

	for (first = 0; first < got_len && first < want_len; first++)
		if (g[first] != w[first])
			break;
	if (first == got_len && got_len == want_len)
		return true;

	harness_fail(file, line, "%s: %u bytes, want %u; they differ from offset %u (0x%x) on",
		     what, got_len, want_len, first, first);
	/* Two rows from the one with the first difference, with ^^ under each
	 * byte that differs.
	 */
	row = first & ~15u;
	end = row + 32;
	for (; row < end && (row < got_len || row < want_len); row += 16) {
		hex_row(buf, sizeof(buf), g, got_len, row);
		harness_note("got   %s", buf);
		hex_row(buf, sizeof(buf), w, want_len, row);
		harness_note("want  %s", buf);
		n = 0;
		for (i = row; i < row + 16 && (i < got_len || i < want_len); i++) {
			bool same = i < got_len && i < want_len && g[i] == w[i];

			n += snprintf(marks + n, sizeof(marks) - n, "%s", same ? "   " : " ^^");
		}
		while (n > 0 && marks[n - 1] == ' ')
			marks[--n] = '\0';
		harness_note("           %s", marks);
	}
	return false;
}

/* ---- BPF objects -------------------------------------------------------- */

/* libbpf's messages go into a buffer of the last few KiB, shown when a load
 * fails; with -v they are printed as they come.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (harness_verbose) {
		va_list copy;

		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (libbpf_log_len + n >= sizeof(libbpf_log)) {
		/* Keep the newer half. */
		size_t keep = sizeof(libbpf_log) / 2;

		memmove(libbpf_log, libbpf_log + libbpf_log_len - keep, keep);
		libbpf_log_len = keep;
	}
	memcpy(libbpf_log + libbpf_log_len, line, n);
	libbpf_log_len += n;
	libbpf_log[libbpf_log_len] = '\0';
	return n;
}

/* Show the last lines of a log as notes. */
static void note_tail(const char *log, int lines)
{
	const char *end = log + strlen(log), *start = end, *eol;

	while (start > log && (start[-1] == '\n' || start[-1] == '\0'))
		start--;
	end = start;
	while (start > log && lines > 0) {
		start--;
		if (*start == '\n')
			lines--;
	}
	if (*start == '\n')
		start++;
	while (start < end) {
		eol = memchr(start, '\n', end - start);
		if (!eol)
			eol = end;
		harness_note("  %.*s", (int)(eol - start), start);
		start = eol + 1;
	}
}

int harness_init(const char *argv0)
{
	char exe[PATH_MAX];
	ssize_t n;
	int i;

	libbpf_set_print(libbpf_print);

	/* The binary is TOP/tests/prog/prog_test: the top is two directories up. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		if (!realpath(argv0, exe))
			return -errno;
	} else {
		exe[n] = '\0';
	}
	for (i = 0; i < 3; i++) {
		char *slash = strrchr(exe, '/');

		if (!slash)
			return -ENOENT;
		*slash = '\0';
	}
	snprintf(top_dir, sizeof(top_dir), "%s", exe[0] ? exe : "/");
	return 0;
}

static bool remember_object(struct bpf_object *obj)
{
	if (n_objects == MAX_OBJECTS) {
		harness_fail_here("more than %d BPF objects in one test", MAX_OBJECTS);
		bpf_object__close(obj);
		return false;
	}
	objects[n_objects++] = obj;
	return true;
}

void close_object(struct bpf_object *obj)
{
	int i;

	for (i = 0; i < n_objects; i++) {
		if (objects[i] == obj) {
			objects[i] = objects[--n_objects];
			break;
		}
	}
	bpf_object__close(obj);
}

const char *harness_top_dir(void)
{
	return top_dir;
}

struct bpf_object *(open_object)(const char *rel_path)
{
	char path[PATH_MAX * 2];
	struct bpf_object *obj;
	int err;

	if (rel_path[0] == '/')
		snprintf(path, sizeof(path), "%s", rel_path);
	else
		snprintf(path, sizeof(path), "%s/%s", top_dir, rel_path);

	if (access(path, R_OK)) {
		err = errno;
		harness_fail_here("open %s: %s", rel_path, strerror(err));
		if (err == ENOENT)
			harness_note("build it first: make at the top, or make -C its directory");
		return NULL;
	}

	/* With a buffer of our own, libbpf puts the verifier log of a program
	 * that fails to load there; it costs nothing when loads succeed.
	 */
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kernel_log_buf = verifier_log,
		    .kernel_log_size = sizeof(verifier_log));
	verifier_log[0] = '\0';
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';

	obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		err = -errno;
		harness_fail_here("open %s: %s (is it a BPF object built by clang -target bpf?)",
				  rel_path, strerror(-err));
		note_tail(libbpf_log, LIBBPF_TAIL_LINES);
		return NULL;
	}
	return remember_object(obj) ? obj : NULL;
}

int(load_object)(struct bpf_object *obj)
{
	int err;

	if (!obj) {
		harness_fail_here("load_object: no object (did open_object fail?)");
		return -EINVAL;
	}
	verifier_log[0] = '\0';
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';

	err = bpf_object__load(obj);
	if (!err)
		return 0;

	harness_fail_here("load %s: %s", bpf_object__name(obj), strerror(-err));
	/* As root, EACCES is the verifier saying no. */
	if ((err == -EPERM || err == -EACCES) && geteuid())
		harness_note("(loading BPF programs needs root)");
	if (libbpf_log[0]) {
		harness_note("libbpf said:");
		note_tail(libbpf_log, LIBBPF_TAIL_LINES);
	}
	if (verifier_log[0]) {
		harness_note("the verifier said (last %d lines of its log):", VERIFIER_TAIL_LINES);
		note_tail(verifier_log, VERIFIER_TAIL_LINES);
	}
	return err;
}

struct bpf_object *(open_and_load)(const char *rel_path)
{
	struct bpf_object *obj = (open_object)(rel_path);

	if (!obj)
		return NULL;
	/* A loaded-or-nothing result: a failed object is closed at the end of
	 * the test like the others, but the caller gets NULL.
	 */
	return (load_object)(obj) ? NULL : obj;
}

int(prog_fd)(struct bpf_object *obj, const char *prog_name)
{
	struct bpf_program *prog;
	int fd;

	if (!obj) {
		harness_fail_here("prog_fd(%s): no object", prog_name);
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog) {
		harness_fail_here("%s has no program called %s; it has:", bpf_object__name(obj),
				  prog_name);
		bpf_object__for_each_program(prog, obj)
			harness_note("%s (section %s)", bpf_program__name(prog),
				     bpf_program__section_name(prog));
		return -1;
	}
	fd = bpf_program__fd(prog);
	if (fd < 0)
		harness_fail_here("program %s is not loaded", prog_name);
	return fd < 0 ? -1 : fd;
}

int(map_fd)(struct bpf_object *obj, const char *map_name)
{
	struct bpf_map *map;
	int fd;

	if (!obj) {
		harness_fail_here("map_fd(%s): no object", map_name);
		return -1;
	}
	map = bpf_object__find_map_by_name(obj, map_name);
	if (!map) {
		harness_fail_here("%s has no map called %s", bpf_object__name(obj), map_name);
		return -1;
	}
	fd = bpf_map__fd(map);
	if (fd < 0)
		harness_fail_here("map %s is not loaded", map_name);
	return fd < 0 ? -1 : fd;
}

int read_datarec(int map_fd, __u32 key, struct datarec *sum)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct datarec *values;
	int ncpus, err;

	err = bpf_obj_get_info_by_fd(map_fd, &info, &info_len);
	if (err)
		return err;
	if (info.value_size != sizeof(struct datarec))
		return -EINVAL;
	if (info.type != BPF_MAP_TYPE_PERCPU_ARRAY)
		return bpf_map_lookup_elem(map_fd, &key, sum);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	err = bpf_map_lookup_elem(map_fd, &key, values);
	*sum = (struct datarec){ 0 };
	for (int cpu = 0; !err && cpu < ncpus; cpu++) {
		sum->rx_packets += values[cpu].rx_packets;
		sum->rx_bytes += values[cpu].rx_bytes;
	}
	free(values);
	return err;
}

/* ---- Running a program -------------------------------------------------- */

int(xdp_run)(int prog_fd, const void *pkt, __u32 len, struct xdp_result *res)
{
	static __u8 out[XDP_RESULT_MAX + 256];
	struct xdp_md ctx_in = {}, ctx_out = {};
	__u32 start, end;
	int err;

	memset(res, 0, sizeof(*res));
	if (prog_fd < 0) {
		harness_fail_here("xdp_run: no program (fd %d)", prog_fd);
		return -EBADF;
	}
	if (len < ETH_HLEN || len > XDP_RESULT_MAX) {
		harness_fail_here("xdp_run: a %u-byte frame; the kernel takes %d to about 3500",
				  len, ETH_HLEN);
		return -EINVAL;
	}
	/* ctx_in says where the frame starts in data_in (at 0: no metadata);
	 * ctx_out says where it starts in data_out after the program, which may
	 * have put metadata in front of it (bpf_xdp_adjust_meta).
	 */
	ctx_in.data_end = len;

	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		err = -errno;
		harness_fail_here("xdp_run: BPF_PROG_TEST_RUN on a %u-byte frame: %s", len,
				  strerror(-err));
		if (err == -EINVAL)
			harness_note("(is it an XDP program? frames up to about 3.5 KiB work)");
		else if (err == -ENOSPC)
			harness_note("(the program grew the frame beyond %u bytes)",
				     XDP_RESULT_MAX);
		return err;
	}

	res->action = opts.retval;
	start = ctx_out.data;
	end = ctx_out.data_end;
	if (start > end || end > opts.data_size_out || end - start > XDP_RESULT_MAX) {
		harness_fail_here("xdp_run: the kernel returned a frame at %u..%u of %u bytes",
				  start, end, opts.data_size_out);
		return -ERANGE;
	}
	res->len = end - start;
	memcpy(res->data, out + start, res->len);
	return 0;
}

/* ---- One test ----------------------------------------------------------- */

void harness_run_test(const struct harness_test *t, struct harness_record *record)
{
	rec = record;
	memset(rec, 0, sizeof(*rec));
	n_objects = 0;
	caller_file = t->file;
	caller_line = t->line;

	t->fn();

	while (n_objects > 0)
		bpf_object__close(objects[--n_objects]);
}
