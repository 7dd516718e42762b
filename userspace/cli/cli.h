/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli.h - the vgic-trace command table and shared CLI helpers.
 */
#ifndef VT_CLI_H
#define VT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vt_engine.h"

/* Exit codes of every verb. */
#define VT_EXIT_OK		0
#define VT_EXIT_FINDINGS	1	/* check: findings */
#define VT_EXIT_ERROR		2	/* bad usage, bad input, I/O */

/**
 * struct vt_cmd - one verb of vgic-trace
 * @name:	verb
 * @summary:	one line for the top-level help
 * @run:	entry point, argv[0] is the verb; returns a VT_EXIT_* code
 */
struct vt_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/*
 * The verbs, one file each (cmd_<verb>.c). Each takes argv with
 * argv[0] = the verb, parses its options with getopt_long and returns a
 * VT_EXIT_* code; '--help' prints usage and examples.
 */
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_lr(int argc, char **argv);
int cmd_timeline(int argc, char **argv);

/**
 * vt_cli_main() - dispatch argv to a verb of the command table
 * @argc:	argument count
 * @argv:	arguments, argv[1] is the verb
 *
 * Return: exit code.
 */
int vt_cli_main(int argc, char **argv);

/**
 * vt_parse_u64() - strict unsigned number, whole string: decimal, or hex
 * with 0x (a leading zero is decimal: "010" is 10); vt_num_u64()
 * @s:		text
 * @out:	value
 *
 * Return: 0 or -EINVAL (empty, junk, sign, overflow).
 */
int vt_parse_u64(const char *s, uint64_t *out);

/**
 * vt_parse_duration() - "250ms", "1s", "1m", "10us", "500ns" or plain ns
 * @s:		text
 * @out:	nanoseconds
 *
 * Return: 0 or -EINVAL.
 */
int vt_parse_duration(const char *s, uint64_t *out);

/**
 * vt_in_out_cmdline() - parse "IN -o OUT [--force]" (import, timeline)
 * @argc:	argument count
 * @argv:	arguments, argv[0] is the verb
 * @usage:	prints the verb's usage and examples
 * @in:		the one positional argument, or NULL after --help
 * @out:	the argument of -o/--output
 * @force:	set to whether -f/--force was given
 *
 * Prints the usage on stdout for --help, on stderr for a bad option,
 * no -o or not exactly one IN.
 *
 * Return: VT_EXIT_OK (*@in is set, or NULL after --help) or VT_EXIT_ERROR.
 */
int vt_in_out_cmdline(int argc, char **argv, void (*usage)(FILE *f),
		      const char **in, const char **out, bool *force);

/**
 * vt_analyse_file() - read a trace file into a new engine and finish it
 * @path:	trace file
 * @opts:	engine options (facts are taken from the file)
 * @out:	the finished engine
 *
 * Prints reader errors on stderr. A truncated file is analysed (the
 * report says so); a corrupted or foreign one is an error.
 *
 * Return: 0 or -errno.
 */
int vt_analyse_file(const char *path, struct vt_engine_opts *opts,
		    struct vt_engine **out);

/**
 * vt_analyse_each() - one pass over a trace file through the engine,
 * handing every record to @cb with the IRQ the engine attributed it to
 * @path:	trace file (or trace-cmd .dat)
 * @cb:		called for each record in time order
 * @arg:	argument of @cb
 *
 * For outputs built from the records themselves (timeline, the HTML
 * report's per-finding timelines): the engine keeps its objects for the
 * attribution, without the analysis (vt_engine_opts.no_analysis), and is
 * freed after the pass.
 *
 * Return: 0 or -errno.
 */
int vt_analyse_each(const char *path,
		    void (*cb)(const struct vt_hdr *rec, uint32_t intid, void *arg),
		    void *arg);

/**
 * vt_engine_opts_parse() - handle a shared engine option
 * @opts:	options to update
 * @name:	long option name ("masked-threshold", "storm-rate", "ack-wait")
 * @arg:	its argument
 *
 * Return: 0, or -EINVAL with a message on stderr.
 */
int vt_engine_opts_parse(struct vt_engine_opts *opts, const char *name,
			 const char *arg);

/**
 * struct vt_analyse_verb - command line of a verb that analyses one file
 * @flag:		its one flag option ("json", "quiet")
 * @flag_short:		the flag's short option ('j', 'q')
 * @engine_opts:	also takes --masked-threshold, --storm-rate, --ack-wait
 * @usage:		prints the verb's usage and examples
 */
struct vt_analyse_verb {
	const char *flag;
	char flag_short;
	bool engine_opts;
	void (*usage)(FILE *f);
};

/**
 * vt_analyse_cmdline() - parse "[OPTIONS] FILE" and analyse FILE
 * @argc:	argument count
 * @argv:	arguments, argv[0] is the verb
 * @verb:	the verb's options and usage
 * @flag:	set to whether the flag option was given
 * @out:	the finished engine, or NULL after --help
 *
 * Shared by report, check and stats. Prints the usage on stdout for
 * --help, on stderr for a bad option or not exactly one FILE.
 *
 * Return: VT_EXIT_OK (*@out is the engine, or NULL after --help) or
 * VT_EXIT_ERROR.
 */
int vt_analyse_cmdline(int argc, char **argv,
		       const struct vt_analyse_verb *verb, bool *flag,
		       struct vt_engine **out);

#endif /* VT_CLI_H */
