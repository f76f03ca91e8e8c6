// SPDX-License-Identifier: GPL-2.0
/* A short pass of the differential fuzzer of headers/ (tests/fuzz): generated
 * frames, from a fixed seed so that every run checks the same ones, through every
 * parse and rewrite program there, each result compared with the fuzzer's own
 * decoder. A few seconds here; `make fuzz` runs it for longer, on new frames.
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "harness.h"

#define FUZZ_BIN "tests/fuzz/fuzz"
#define FUZZ_SEED 1
#define FUZZ_FRAMES 30000
/* The frames take about a second; the bound is for slow machines and emulated
 * kernels (make test-kernels), well inside the harness's 60 s per test.
 */
#define FUZZ_SECONDS 40

TEST(fuzz_headers_short_pass)
{
	char path[PATH_MAX], cmd[PATH_MAX + 128], line[1024];
	int status;
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", harness_top_dir(), FUZZ_BIN);
	ASSERT(access(path, X_OK) == 0, "%s is not built: run make at the top", FUZZ_BIN);

	/* Its report goes into the test's messages: shown on a failure, or with -v. */
	snprintf(cmd, sizeof(cmd), "'%s' --seed %d --frames %d --seconds %d --quiet 2>&1", path,
		 FUZZ_SEED, FUZZ_FRAMES, FUZZ_SECONDS);
	out = popen(cmd, "r");
	ASSERT(out, "run %s: %s", FUZZ_BIN, strerror(errno));
	while (fgets(line, sizeof(line), out)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			harness_note("%s", line);
	}
	status = pclose(out);
	ASSERT(status != -1 && WIFEXITED(status), "%s did not finish: status 0x%x", FUZZ_BIN,
	       status);
	CHECK(WEXITSTATUS(status) == 0, "%s --seed %d --frames %d: %s", FUZZ_BIN, FUZZ_SEED,
	      FUZZ_FRAMES,
	      WEXITSTATUS(status) == 1 ? "the helpers disagree with the fuzzer's decoder"
				       : "it failed to run (see its messages)");
}
