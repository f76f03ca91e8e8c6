// SPDX-License-Identifier: GPL-2.0
/* The program-test runner: runs every TEST() linked into it (or those whose
 * name contains a pattern), each in a child process, and reports in TAP:
 *
 *	ok 1 - test_parsing.c: parse_ipv4_udp
 *	not ok 2 - test_parsing.c: parse_vlan_double_tag
 *	# test_parsing.c:120: VLAN id 0: got 0, want 100
 *	ok 3 - test_x.c: y # SKIP reason
 *	# 1 passed, 1 failed, 1 skipped
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "harness.h"

/* A test that takes longer is stuck (in a loop, or waiting for something). */
#define TEST_TIMEOUT_SECONDS 60

static void usage(FILE *out)
{
	fprintf(out, "Usage: prog_test [-l] [-v] [PATTERN...]\n"
		     "Run the BPF program tests (needs root: they load BPF programs).\n"
		     "  PATTERN  run only the tests whose name contains one of the patterns\n"
		     "  -l       list the test names (that match) instead of running them\n"
		     "  -v       show libbpf's messages, and the messages of passing tests\n"
		     "  -h       this help\n"
		     "Output is TAP; the exit status is 1 when a test failed.\n");
}

static bool selected(const struct harness_test *t, char **patterns, int n_patterns)
{
	int i;

	if (!n_patterns)
		return true;
	for (i = 0; i < n_patterns; i++)
		if (strstr(t->name, patterns[i]))
			return true;
	return false;
}

/* Print the recorded message lines, each as a TAP comment. */
static void print_log(const struct harness_record *rec)
{
	const char *line = rec->log, *eol;

	while (*line) {
		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		/* The skip reason is on the TAP line already. */
		if (strncmp(line, "SKIP: ", 6))
			printf("# %.*s\n", (int)(eol - line), line);
		line = *eol ? eol + 1 : eol;
	}
	if (rec->failures > HARNESS_MAX_FAILURE_MESSAGES)
		printf("# ... and %d more failures\n",
		       rec->failures - HARNESS_MAX_FAILURE_MESSAGES);
	if (rec->log_truncated)
		printf("# ... (messages cut: too long)\n");
}

static const char *skip_reason(const struct harness_record *rec)
{
	const char *s = strstr(rec->log, "SKIP: ");
	static char reason[256];
	size_t n;

	if (!s)
		return "";
	s += 6;
	n = strcspn(s, "\n");
	snprintf(reason, sizeof(reason), "%.*s", (int)n, s);
	return reason;
}

/* Add a line to the record from this side of the fork. */
static void record_failure(struct harness_record *rec, const char *fmt, ...)
{
	size_t len = strnlen(rec->log, sizeof(rec->log) - 1);
	va_list ap;

	rec->failures++;
	va_start(ap, fmt);
	vsnprintf(rec->log + len, sizeof(rec->log) - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(rec->log);
	rec->log[len] = '\n';
	rec->log[len + 1] = '\0';
}

/* Run t in a child process, so that a crash or a hang ends that test only;
 * afterwards rec holds what it recorded.
 */
static void run_in_child(const struct harness_test *t, struct harness_record *rec)
{
	int status;
	pid_t pid;

	memset(rec, 0, sizeof(*rec));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		record_failure(rec, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		alarm(TEST_TIMEOUT_SECONDS);
		harness_run_test(t, rec);
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			record_failure(rec, "waitpid: %s", strerror(errno));
			return;
		}
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		record_failure(rec, "timed out: still running after %d s", TEST_TIMEOUT_SECONDS);
	else if (WIFSIGNALED(status))
		record_failure(rec, "crashed: %s (signal %d)", strsignal(WTERMSIG(status)),
			       WTERMSIG(status));
	else if (WEXITSTATUS(status))
		record_failure(rec, "the test called exit(%d)", WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	struct harness_record *rec;
	int passed = 0, failed = 0, skipped = 0, planned = 0, n = 0;
	bool list = false;
	int opt, i, err;

	while ((opt = getopt(argc, argv, "lvh")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'v':
			harness_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	harness_sort_tests();
	if (list) {
		for (i = 0; i < harness_n_tests; i++)
			if (selected(&harness_tests[i], argv + optind, argc - optind))
				printf("%s\n", harness_tests[i].name);
		return 0;
	}

	err = harness_init(argv[0]);
	if (err) {
		fprintf(stderr, "prog_test: cannot find the repository top from the binary: %s\n",
			strerror(-err));
		return 2;
	}
	/* The record lives in shared memory: the child writes, we read. */
	rec = mmap(NULL, sizeof(*rec), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rec == MAP_FAILED) {
		perror("prog_test: mmap");
		return 2;
	}

	for (i = 0; i < harness_n_tests; i++)
		planned += selected(&harness_tests[i], argv + optind, argc - optind);
	if (!planned) {
		printf("1..0\n# no test name contains the pattern given\n");
		return 1;
	}
	printf("1..%d\n", planned);
	if (geteuid())
		printf("# not running as root: loading BPF programs will likely fail\n");

	for (i = 0; i < harness_n_tests; i++) {
		const struct harness_test *t = &harness_tests[i];

		if (!selected(t, argv + optind, argc - optind))
			continue;
		run_in_child(t, rec);
		n++;
		if (rec->failures) {
			failed++;
			printf("not ok %d - %s: %s\n", n, t->file, t->name);
			print_log(rec);
		} else if (rec->skipped) {
			skipped++;
			printf("ok %d - %s: %s # SKIP %s\n", n, t->file, t->name, skip_reason(rec));
		} else {
			passed++;
			printf("ok %d - %s: %s\n", n, t->file, t->name);
			if (harness_verbose)
				print_log(rec);
		}
	}
	printf("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
