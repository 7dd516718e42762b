// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_output.c - output files and inputs of the CLI under faults: an
 * output that is the input (same name, symlink, hard link) is refused
 * and the input survives; a write error (a file size limit gives EFBIG,
 * /dev/full gives ENOSPC) is reported with its errno, leaves no file and
 * no "N records -> FILE" line; a failed timeline/import leaves nothing;
 * import refuses a directory, takes long comments whole and bounds
 * repeat blocks; the writer cuts a partial chunk off; the shared strict
 * number parser (no octal).
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "helpers.h"
#include "vt_num.h"
#include "vt_record.h"

static char dir[256];
static char errbuf[8192];
static const char *stdin_path;	/* the CLI's stdin (NULL: /dev/null) */
static const char *stdout_path;	/* the CLI's stdout (NULL: /dev/null) */

/* full path of NAME in the test directory */
static const char *P(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/*
 * Run the CLI with @args (NULL-terminated, without argv[0]); stderr into
 * errbuf; a file size limit of @fsize bytes (0: none, SIGXFSZ ignored),
 * an address space limit of @as_mb MiB (0: none). Return: exit code.
 */
static int cli(long fsize, long as_mb, const char *const *args)
{
	const char *argv[32] = { VT_CLI };
	int pfd[2], st, i;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit rl;

		int null = open("/dev/null", O_RDWR);
		int in = stdin_path ? open(stdin_path, O_RDONLY) : null;

		dup2(pfd[1], 2);
		if (stdout_path)
			dup2(open(stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600), 1);
		else
			dup2(null, 1);
		dup2(in, 0);
		close(pfd[0]);
		if (fsize) {
			signal(SIGXFSZ, SIG_IGN);
			rl.rlim_cur = rl.rlim_max = (rlim_t)fsize;
			setrlimit(RLIMIT_FSIZE, &rl);
		}
		if (as_mb) {
			rl.rlim_cur = rl.rlim_max = (rlim_t)as_mb << 20;
			setrlimit(RLIMIT_AS, &rl);
		}
		execv(VT_CLI, (char **)argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], errbuf + got, sizeof(errbuf) - 1 - got)) > 0)
		got += (size_t)n;
	errbuf[got] = 0;
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

#define CLI(...) cli(0, 0, (const char *const[]){ __VA_ARGS__, NULL })
#define CLI_FSIZE(lim, ...) cli(lim, 0, (const char *const[]){ __VA_ARGS__, NULL })

/* entries of the test directory (temporary files included) */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void rm_rf(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vt-test-output.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf();
	return 0;
}

static const char *scen(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/scenarios/%s.txt", VT_TEST_DIR, name);
	return buf;
}

/* a raw stream of @n inject records */
static void write_raw(const char *path, unsigned int n)
{
	struct vt_rec_inject r;
	FILE *f = fopen(path, "wb");
	unsigned int i;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof(r));
		r.hdr.type = VT_REC_INJECT;
		r.hdr.size = sizeof(r);
		r.hdr.ts_ns = 1000 + i;
		r.hdr.vm_id = 1;
		r.intid = 32;
		r.level = 1;
		assert_int_equal(fwrite(&r, sizeof(r), 1, f), 1);
	}
	fclose(f);
}

static void assert_same(const char *path, const char *data, size_t len)
{
	size_t n;
	char *now = read_all(path, &n);

	assert_non_null(now);
	assert_int_equal(n, len);
	assert_memory_equal(now, data, len);
	free(now);
}

/* convert --raw X -o X --force, through a symlink and a hard link */
static void test_convert_refuses_input(void **state)
{
	size_t len = 0;
	char *orig;

	(void)state;
	write_raw(P("in.raw"), 100);
	orig = read_all(P("in.raw"), &len);
	assert_int_not_equal(symlink(P("in.raw"), P("sym.raw")), -1);
	assert_int_equal(link(P("in.raw"), P("hard.raw")), 0);
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", P("in.raw"), "--force"), 2);
	assert_non_null(strstr(errbuf, "is the input file"));
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", P("sym.raw"), "--force"), 2);
	assert_int_equal(CLI("convert", "--raw", P("sym.raw"), "-o", P("hard.raw"), "--force"), 2);
	stdin_path = P("in.raw");
	assert_int_equal(CLI("convert", "--raw", "-", "-o", P("hard.raw"), "--force"), 2);
	assert_non_null(strstr(errbuf, "is the input file -"));
	stdin_path = NULL;
	assert_same(P("in.raw"), orig, len);
	assert_int_equal(entries(), 3);
	/* a different file is fine, and replaces a symlink's target */
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", P("out.vgt")), 0);
	assert_non_null(strstr(errbuf, "100 records -> "));
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", P("out.vgt")), 2);
	assert_non_null(strstr(errbuf, "--force"));
	free(orig);
}

static void test_timeline_refuses_input(void **state)
{
	size_t len = 0;
	char *orig;

	(void)state;
	assert_int_equal(CLI("import", scen("healthy"), "-o", P("h.vgt")), 0);
	orig = read_all(P("h.vgt"), &len);
	assert_int_equal(link(P("h.vgt"), P("h2.vgt")), 0);
	assert_int_not_equal(symlink("h.vgt", P("h3.vgt")), -1);
	assert_int_equal(CLI("timeline", P("h.vgt"), "-o", P("h.vgt"), "--force"), 2);
	assert_non_null(strstr(errbuf, "is the input file"));
	assert_int_equal(CLI("timeline", P("h.vgt"), "-o", P("h2.vgt"), "--force"), 2);
	assert_int_equal(CLI("timeline", P("h3.vgt"), "-o", P("h.vgt"), "--force"), 2);
	assert_int_equal(CLI("import", P("h.vgt"), "-o", P("h3.vgt"), "--force"), 2);
	assert_same(P("h.vgt"), orig, len);
	assert_int_equal(CLI("report", P("h.vgt")), 0);
	free(orig);
}

/* a file size limit: the real errno (EFBIG), no file, no success line */
static void test_write_error_leaves_nothing(void **state)
{
	int n0;

	(void)state;
	/*
	 * 60000 records: 2.4 MB raw, about 180 KB in format 2 (the default,
	 * 3 B per record of this stream): over the 100000-byte limit either way
	 */
	write_raw(P("in.raw"), 60000);
	assert_int_equal(CLI("import", scen("storm"), "-o", P("s.vgt")), 0);
	n0 = entries();
	assert_int_equal(CLI_FSIZE(100000, "convert", "--raw", P("in.raw"), "-o", P("c.vgt")), 2);
	assert_non_null(strstr(errbuf, strerror(EFBIG)));
	assert_null(strstr(errbuf, "records ->"));
	assert_int_equal(CLI_FSIZE(100000, "import", scen("storm"), "-o", P("i.vgt")), 2);
	assert_non_null(strstr(errbuf, strerror(EFBIG)));
	assert_null(strstr(errbuf, "records ->"));
	assert_int_equal(CLI_FSIZE(100000, "timeline", P("s.vgt"), "-o", P("t.json")), 2);
	assert_non_null(strstr(errbuf, strerror(EFBIG)));
	assert_null(strstr(errbuf, "events ->"));
	assert_int_equal(entries(), n0);	/* no partial or temporary file */
	/* --force over an existing file: the old file survives the error */
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", P("c.vgt")), 0);
	assert_int_equal(CLI_FSIZE(100000, "import", scen("storm"), "-o", P("c.vgt"), "--force"), 2);
	assert_int_equal(CLI("stats", P("c.vgt")), 0);
	assert_non_null(strstr(errbuf, "") );
	assert_int_equal(entries(), n0 + 1);
}

/* /dev/full: ENOSPC, said as such */
static void test_enospc(void **state)
{
	(void)state;
	write_raw(P("in.raw"), 20000);
	assert_int_equal(CLI("import", scen("healthy"), "-o", P("h.vgt")), 0);
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", "/dev/full"), 2);
	assert_non_null(strstr(errbuf, strerror(ENOSPC)));
	assert_null(strstr(errbuf, "records ->"));
	assert_int_equal(CLI("timeline", P("h.vgt"), "-o", "/dev/full"), 2);
	assert_non_null(strstr(errbuf, strerror(ENOSPC)));
	assert_null(strstr(errbuf, "Input/output error"));
	assert_int_equal(CLI("import", scen("healthy"), "-o", "/dev/full"), 2);
	assert_non_null(strstr(errbuf, strerror(ENOSPC)));
	assert_int_equal(CLI("import", scen("healthy"), "-o", "/dev/null"), 0);
}

/* a failed timeline leaves no file: the rerun needs no --force */
static void test_failed_timeline_leaves_nothing(void **state)
{
	(void)state;
	write_all_file(P("bad.vgt"), "VGICTRC1 this is not a trace file at all", 40);
	assert_int_equal(CLI("timeline", P("bad.vgt"), "-o", P("t.json")), 2);
	assert_int_equal(CLI("timeline", P("missing.vgt"), "-o", P("t.json")), 2);
	assert_int_equal(entries(), 1);
	assert_int_equal(CLI("import", scen("healthy"), "-o", P("h.vgt")), 0);
	assert_int_equal(CLI("timeline", P("h.vgt"), "-o", P("t.json")), 0);
	assert_non_null(strstr(errbuf, "events -> "));
}

static void test_import_inputs(void **state)
{
	char line[5000];
	FILE *f;

	(void)state;
	/* a directory is a read error, not an empty scenario */
	assert_int_equal(CLI("import", dir, "-o", P("d.vgt")), 2);
	assert_non_null(strstr(errbuf, strerror(EISDIR)));
	assert_int_equal(CLI("import", "-", "-o", P("d.vgt")), 0);	/* stdin: /dev/null */
	unlink(P("d.vgt"));
	/* a 3000-byte comment is one line; 1100 bytes of text are too long */
	memset(line, 'x', sizeof(line));
	f = fopen(P("long.txt"), "w");
	assert_non_null(f);
	fprintf(f, "# %.3000s\n@0 inject intid=32   # %.4000s\n@1us inject intid=33\n", line, line);
	fclose(f);
	assert_int_equal(CLI("import", P("long.txt"), "-o", P("l.vgt")), 0);
	assert_non_null(strstr(errbuf, "2 records -> "));
	f = fopen(P("toolong.txt"), "w");
	assert_non_null(f);
	fprintf(f, "@0 inject intid=32 %.1100s\n", line);
	fclose(f);
	assert_int_equal(CLI("import", P("toolong.txt"), "-o", P("t.vgt")), 2);
	assert_non_null(strstr(errbuf, "toolong.txt:1: line longer than 1023 bytes"));
	assert_int_equal(access(P("t.vgt"), F_OK), -1);
	/* a failed import leaves nothing: syntax error after records */
	f = fopen(P("late.txt"), "w");
	assert_non_null(f);
	fprintf(f, "@0 inject intid=32\n@1us bogus\n");
	fclose(f);
	assert_int_equal(CLI("import", P("late.txt"), "-o", P("t.vgt")), 2);
	assert_int_equal(access(P("t.vgt"), F_OK), -1);
	/* a facts line after the first record still reaches the header */
	f = fopen(P("facts.txt"), "w");
	assert_non_null(f);
	fprintf(f, "@0 inject intid=32\nfacts kernel=9.9.9-late gic=2 nr_lrs=4\n");
	fclose(f);
	assert_int_equal(CLI("import", P("facts.txt"), "-o", P("f.vgt")), 0);
	{
		struct vt_reader *r;
		char err[200];

		assert_int_equal(vt_reader_open(P("f.vgt"), &r, err, sizeof(err)), 0);
		assert_string_equal(vt_reader_facts(r)->kernel_release, "9.9.9-late");
		assert_int_equal(vt_reader_facts(r)->gic_version, 2);
		vt_reader_close(r);
	}
}

/* repeat is bounded, and streams: 1.5 M records in 64 MiB of address space */
static void test_import_repeat(void **state)
{
	FILE *f;

	(void)state;
	f = fopen(P("big.txt"), "w");
	assert_non_null(f);
	fprintf(f, "repeat 10000000 every 150us\n@0 inject intid=32\nend\n");
	fclose(f);
	assert_int_equal(CLI("import", P("big.txt"), "-o", P("b.vgt")), 2);
	assert_non_null(strstr(errbuf, "more than 2000000"));
	f = fopen(P("big.txt"), "w");
	assert_non_null(f);
	fprintf(f, "repeat 1000000 every 150us\n@0 inject intid=32\n@+1us inject intid=32 level=0\n@+1us inject intid=33\nend\n");
	fclose(f);
	assert_int_equal(CLI("import", P("big.txt"), "-o", P("b.vgt")), 2);
	assert_non_null(strstr(errbuf, "3000000 records, more than 2000000"));
	assert_int_equal(entries(), 1);
	f = fopen(P("ok.txt"), "w");
	assert_non_null(f);
	fprintf(f, "repeat 750000 every 10us\n@0 inject intid=32\n@+1us inject intid=32 level=0\nend\n");
	fclose(f);
	assert_int_equal(cli(0, 64, (const char *const[]){ "import", P("ok.txt"), "-o",
							   P("ok.vgt"), NULL }), 0);
	assert_non_null(strstr(errbuf, "1500000 records -> "));
	unlink(P("ok.vgt"));
}

/* a bad raw record: the records before it kept, the file reads truncated */
static void test_convert_bad_input(void **state)
{
	uint8_t junk[16] = { 0xff, 0xff, 0x08, 0x00 };
	FILE *f;

	(void)state;
	write_raw(P("in.raw"), 10);
	f = fopen(P("in.raw"), "ab");
	assert_non_null(f);
	assert_int_equal(fwrite(junk, sizeof(junk), 1, f), 1);
	fclose(f);
	assert_int_equal(CLI("convert", "--raw", P("in.raw"), "-o", P("c.vgt")), 2);
	assert_non_null(strstr(errbuf, "10 records -> "));
	assert_non_null(strstr(errbuf, "truncated"));
	assert_int_equal(CLI("report", P("c.vgt")), 0);
	assert_non_null(strstr(errbuf, "truncated") ?: strstr(errbuf, "end marker"));
}

/* after a write error the writer cuts the partial chunk off */
static void test_writer_cuts_partial_chunk(void **state)
{
	struct vt_rec_inject r;
	const struct vt_read_status *st;
	const struct vt_hdr *rec;
	struct vt_writer *w;
	struct vt_reader *rd;
	struct rlimit rl, old;
	unsigned int i, got = 0;
	char err[200];
	int fd, ret = 0;

	(void)state;
	fd = open(P("w.vgt"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(vt_writer_fdopen(fd, NULL, &w), 0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 150000;	/* two 64 KiB chunks and a part of the third */
	setrlimit(RLIMIT_FSIZE, &rl);
	/* format 2 codes these records in about 3 bytes: up to 10^6 of them */
	for (i = 0; i < 1000000 && !ret; i++) {
		memset(&r, 0, sizeof(r));
		r.hdr.type = VT_REC_INJECT;
		r.hdr.size = sizeof(r);
		r.hdr.ts_ns = i;
		r.intid = 32;
		ret = vt_writer_append(w, &r.hdr);
	}
	assert_int_equal(ret, -EFBIG);
	assert_int_equal(vt_writer_close(w), -EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	close(fd);
	assert_int_equal(vt_reader_open(P("w.vgt"), &rd, err, sizeof(err)), 0);
	while ((ret = vt_reader_next(rd, &rec)) > 0)
		got++;
	st = vt_reader_status(rd);
	assert_int_equal(ret, 0);
	assert_int_equal(st->end, VT_END_TRUNCATED);
	assert_int_equal(st->chunks, 2);
	assert_true(got > 0);
	vt_reader_close(rd);
}

static void test_numbers(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(vt_num_u64("010", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(vt_num_u64("08", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(vt_num_u64("0x10", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(vt_num_u64("0XfF", &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(vt_num_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vt_num_u64("18446744073709551616", &v), -EINVAL);
	assert_int_equal(vt_num_u64("0x10000000000000000", &v), -EINVAL);
	assert_int_equal(vt_num_u64("", &v), -EINVAL);
	assert_int_equal(vt_num_u64(NULL, &v), -EINVAL);
	assert_int_equal(vt_num_u64("0x", &v), -EINVAL);
	assert_int_equal(vt_num_u64("-1", &v), -EINVAL);
	assert_int_equal(vt_num_u64("+1", &v), -EINVAL);
	assert_int_equal(vt_num_u64(" 1", &v), -EINVAL);
	assert_int_equal(vt_num_u64("1 ", &v), -EINVAL);
	assert_int_equal(vt_num_u64("12k", &v), -EINVAL);
	assert_int_equal(vt_num_range("5", 1, 4, &v), -ERANGE);
	assert_int_equal(vt_num_range("4", 1, 4, &v), 0);
	assert_int_equal(vt_num_duration("250ms", 1, &v), 0);
	assert_int_equal(v, 250000000);
	assert_int_equal(vt_num_duration("1m", 1, &v), 0);
	assert_true(v == 60000000000ull);
	assert_int_equal(vt_num_duration("2", 1000000000, &v), 0);
	assert_true(v == 2000000000ull);
	assert_int_equal(vt_num_duration("010us", 1, &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(vt_num_duration("1h", 1, &v), -EINVAL);
	assert_int_equal(vt_num_duration("0x10s", 1, &v), -EINVAL);
	assert_int_equal(vt_num_duration("99999999999999m", 1, &v), -EINVAL);
	assert_int_equal(vt_num_size("4M", &v), 0);
	assert_int_equal(v, 4u << 20);
	assert_int_equal(vt_num_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(vt_num_size("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(vt_num_size("4MB", &v), -EINVAL);
	assert_int_equal(vt_num_size("17179869184G", &v), -EINVAL);
}

/* the CLI takes "010" as ten: lr and --storm-rate */
static void test_cli_numbers(void **state)
{
	(void)state;
	assert_int_equal(CLI("lr", "010"), 0);
	assert_int_equal(CLI("lr", "08"), 0);
	assert_int_equal(CLI("lr", "0x1z"), 2);
	assert_non_null(strstr(errbuf, "invalid value"));
	assert_int_equal(CLI("import", scen("healthy"), "-o", P("h.vgt")), 0);
	assert_int_equal(CLI("report", "--storm-rate", "010", P("h.vgt")), 0);
	assert_int_equal(CLI("report", "--storm-rate", "09", P("h.vgt")), 0);
	assert_int_equal(CLI("report", "--storm-rate", "1x", P("h.vgt")), 2);
	assert_int_equal(CLI("report", "--masked-threshold", "1m", P("h.vgt")), 0);
}

/* report/check/stats read "-" as stdin; check --json; getopt names the verb */
static void test_cli_stdin_json(void **state)
{
	char *out;
	size_t len = 0;

	(void)state;
	assert_int_equal(CLI("import", scen("guest-no-eoi"), "-o", P("g.vgt")), 0);
	stdin_path = P("g.vgt");
	assert_int_equal(CLI("check", "-"), 1);
	assert_int_equal(CLI("report", "-"), 0);
	assert_int_equal(CLI("stats", "-"), 0);
	stdin_path = scen("guest-no-eoi");	/* text, not a trace */
	assert_int_equal(CLI("check", "-"), 2);
	assert_non_null(strstr(errbuf, "not a vgic-trace file"));
	stdin_path = NULL;
	stdout_path = P("g.json");
	assert_int_equal(CLI("check", "--json", P("g.vgt")), 1);
	stdout_path = NULL;
	out = read_all(P("g.json"), &len);
	assert_non_null(out);
	assert_true(len > 2 && out[0] == '{' && out[len - 2] == '}');
	assert_non_null(strstr(out, "\"rule\":\"intx-masked-forever\""));
	assert_null(strstr(out, "1 finding"));	/* one JSON document only */
	free(out);
	assert_int_equal(CLI("check", "--bogus", P("g.vgt")), 2);
	assert_non_null(strstr(errbuf, "vgic-trace check: unrecognized option"));
}

static int clean(void **state)
{
	(void)state;
	rm_rf();
	return setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_convert_refuses_input, clean),
		cmocka_unit_test_setup(test_timeline_refuses_input, clean),
		cmocka_unit_test_setup(test_write_error_leaves_nothing, clean),
		cmocka_unit_test_setup(test_enospc, clean),
		cmocka_unit_test_setup(test_failed_timeline_leaves_nothing, clean),
		cmocka_unit_test_setup(test_import_inputs, clean),
		cmocka_unit_test_setup(test_import_repeat, clean),
		cmocka_unit_test_setup(test_convert_bad_input, clean),
		cmocka_unit_test_setup(test_writer_cuts_partial_chunk, clean),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test_setup(test_cli_numbers, clean),
		cmocka_unit_test_setup(test_cli_stdin_json, clean),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
