// SPDX-License-Identifier: GPL-2.0
/* Every BPF object of the project loads on the running kernel: the lessons'
 * starters, the reference solutions, the lab's own program and these tests'
 * programs. Run on each kernel of the matrix (make test-kernels), this is what
 * proves that no program needs a newer verifier than the students have.
 */
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

/* Where the project keeps BPF programs, relative to the top. */
static const char *const object_dirs[] = { "*", "*-solutions/*", "tests/*" };

/* Add the paths of the files TOP/DIR/NAME.SUFFIX to g (absolute paths). */
static void glob_dir(const char *dir, const char *suffix, glob_t *g, int flags)
{
	char pattern[PATH_MAX];

	snprintf(pattern, sizeof(pattern), "%s/%s/*%s", harness_top_dir(), dir, suffix);
	glob(pattern, flags, NULL, g);
}

static const char *relative(const char *path)
{
	size_t n = strlen(harness_top_dir());

	return strncmp(path, harness_top_dir(), n) ? path : path + n + 1;
}

/* Every *.bpf.c has its object: a source that does not build is a failure here,
 * not a test that quietly has less to load.
 */
TEST(every_bpf_source_has_its_object)
{
	glob_t g = { 0 };
	char obj[PATH_MAX];
	size_t i;
	int flags = 0;

	for (i = 0; i < sizeof(object_dirs) / sizeof(object_dirs[0]); i++, flags = GLOB_APPEND)
		glob_dir(object_dirs[i], ".bpf.c", &g, flags);
	ASSERT(g.gl_pathc >= 5, "found only %zu BPF sources under %s", g.gl_pathc,
	       harness_top_dir());
	for (i = 0; i < g.gl_pathc; i++) {
		snprintf(obj, sizeof(obj), "%.*s.o", (int)strlen(g.gl_pathv[i]) - 2, g.gl_pathv[i]);
		CHECK(access(obj, R_OK) == 0, "%s has no object %s: run make",
		      relative(g.gl_pathv[i]), relative(obj));
	}
	globfree(&g);
}

/* Starters the verifier must refuse: their first assignment is reading why.
 * test_packet01.c checks that it does.
 */
static const char *const refused_on_purpose[] = { "packet01-parsing/xdp_prog.bpf.o" };

static bool is_refused_on_purpose(const char *path)
{
	for (size_t i = 0; i < sizeof(refused_on_purpose) / sizeof(refused_on_purpose[0]); i++)
		if (!strcmp(path, refused_on_purpose[i]))
			return true;
	return false;
}

TEST(every_bpf_object_loads_on_this_kernel)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	glob_t g = { 0 };
	size_t i;
	int flags = 0, programs;

	for (i = 0; i < sizeof(object_dirs) / sizeof(object_dirs[0]); i++, flags = GLOB_APPEND)
		glob_dir(object_dirs[i], ".bpf.o", &g, flags);
	ASSERT(g.gl_pathc >= 5, "found only %zu BPF objects under %s: run make", g.gl_pathc,
	       harness_top_dir());
	for (i = 0; i < g.gl_pathc; i++) {
		if (is_refused_on_purpose(relative(g.gl_pathv[i]))) {
			harness_note("left out %s: refused on purpose", relative(g.gl_pathv[i]));
			continue;
		}
		/* open_and_load() records a failure with the verifier's words. */
		obj = open_and_load(relative(g.gl_pathv[i]));
		if (!obj)
			continue;
		programs = 0;
		bpf_object__for_each_program(prog, obj)
			programs++;
		CHECK(programs > 0, "%s holds no program", relative(g.gl_pathv[i]));
		harness_note("loaded %s: %d program%s", relative(g.gl_pathv[i]), programs,
			     programs == 1 ? "" : "s");
		close_object(obj);
	}
	globfree(&g);
}
