/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_import_tracecmd.h - records from a trace-cmd recording (trace.dat),
 * read with Debian's libtracecmd/libtraceevent (no .dat parser of ours).
 *
 * Two sources, chosen per file (or forced):
 *  - vgic_trace:* events of vgic_trace.ko: every field of every ABI
 *    record is in the event (module/vgic_trace_events.h), so the records
 *    are rebuilt exactly as /dev/vgic_trace would have delivered them;
 *  - plain upstream kvm:* events (no module needed): inject from
 *    kvm:vgic_update_irq_pending (source from the kvm_set_irq /
 *    kvm_irq_line / kvm_timer_update_irq before it on that CPU), ack from
 *    kvm:kvm_ack_irq, resample from the kvm_set_irq(source 1, level 0)
 *    that follows an ack on that CPU. The list registers, VFIO, irqfd
 *    assignment and GICD writes have no upstream event: those hooks are
 *    declared VT_ATTACH_MISSING (the others VT_ATTACH_TRACEPOINT) in
 *    synthesized VT_META_HOOK records, so the report names the rules
 *    that are degraded; vt_tc_degraded_text() says why.
 *
 * Events trace-cmd lost (missed events of a ring-buffer page) become
 * VT_REC_LOST records of that CPU.
 */
#ifndef VT_IMPORT_TRACECMD_H
#define VT_IMPORT_TRACECMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "vt_scenario.h"
#include "vt_tracefile.h"

/* The first bytes of every trace-cmd data file ("\x17\x08\x44tracing"). */
#define VT_TC_MAGIC		"\x17\x08\x44tracing"
#define VT_TC_MAGIC_LEN		10

/**
 * enum vt_tc_mode - which events records are rebuilt from
 * @VT_TC_AUTO:	vgic_trace:* when the file has their formats, else kvm:*
 * @VT_TC_VGIC:	vgic_trace:* only (error when the file has none)
 * @VT_TC_KVM:	upstream kvm:* only, even when vgic_trace:* are present
 */
enum vt_tc_mode {
	VT_TC_AUTO,
	VT_TC_VGIC,
	VT_TC_KVM,
};

/**
 * struct vt_tc_summary - what an import read and made
 * @mode:	VT_TC_VGIC or VT_TC_KVM: the source actually used
 * @events:	events in the file
 * @used:	events turned into records
 * @records:	records emitted (synthesized META and LOST included)
 * @missed:	events trace-cmd reported lost (sum over ring-buffer pages)
 * @missed_unknown: gaps trace-cmd marked without a count (counted as 1)
 * @stream_lost: total of vgic_trace:lost events: losses of the module's
 *		/dev/vgic_trace reader, not of this file (not re-emitted)
 * @no_raw_lrs:	vgic_trace lr events without raw LR fields (a module
 *		older than the widened events): no LR record rebuilt
 * @meta_events: vgic_trace:meta events (0: no /dev/vgic_trace reader was
 *		open while recording, hook status unknown)
 * @per_type:	records emitted per VT_REC_* type
 * @clock:	trace clock of the recording ("local", "mono", ...)
 */
struct vt_tc_summary {
	enum vt_tc_mode mode;
	uint64_t events;
	uint64_t used;
	uint64_t records;
	uint64_t missed;
	uint64_t missed_unknown;
	uint64_t stream_lost;
	uint64_t no_raw_lrs;
	uint64_t meta_events;
	uint64_t per_type[VT_REC_MAX + 1];
	char clock[32];
};

struct vt_tc;

/**
 * vt_tc_is_dat() - does @path start with the trace-cmd magic?
 * @path:	file
 *
 * Return: true for a trace-cmd data file (any version).
 */
bool vt_tc_is_dat(const char *path);

/**
 * vt_tc_available() - was this build linked with libtracecmd?
 *
 * Return: true when vt_tc_open() can read files.
 */
bool vt_tc_available(void);

/**
 * vt_tc_open() - open a trace-cmd recording
 * @path:	trace.dat
 * @mode:	enum vt_tc_mode
 * @out:	the new importer
 * @err:	message buffer for a failure
 * @errlen:	size of @err
 *
 * Return: 0; -EOPNOTSUPP when built without libtracecmd; -EPROTO when
 * libtracecmd cannot read the file; -ENOENT when @mode is VT_TC_VGIC and
 * no vgic_trace event is in the file; -EPROTONOSUPPORT for a big-endian
 * recording; -ENOMEM.
 */
int vt_tc_open(const char *path, enum vt_tc_mode mode, struct vt_tc **out,
	       char *err, size_t errlen);

/**
 * vt_tc_facts() - host facts of the recording (uname of trace-cmd)
 * @t:		importer
 *
 * Return: pointer valid until vt_tc_close(); gic_version and nr_lrs
 * are filled only when vgic_trace:* events say them.
 */
const struct vt_host_facts *vt_tc_facts(const struct vt_tc *t);

/**
 * vt_tc_run() - rebuild every record, in trace-cmd's time order
 * @t:		importer
 * @emit:	called for each record
 * @arg:	argument of @emit
 *
 * Return: 0, or the first negative value @emit returned, or -EIO.
 */
int vt_tc_run(struct vt_tc *t, vt_scen_emit emit, void *arg);

/**
 * vt_tc_summary() - counters of the import
 * @t:		importer
 *
 * Return: pointer valid until vt_tc_close().
 */
const struct vt_tc_summary *vt_tc_summary(const struct vt_tc *t);

/**
 * vt_tc_print_summary() - the import in a few lines ("trace-cmd: ...")
 * @f:		output
 * @s:		summary
 */
void vt_tc_print_summary(FILE *f, const struct vt_tc_summary *s);

/**
 * vt_tc_degraded_text() - why a hook has no input in a kvm:* import
 * @hook:	VT_HOOK_*
 *
 * Return: static text, NULL for a hook kvm:* events do provide.
 */
const char *vt_tc_degraded_text(unsigned int hook);

/**
 * vt_tc_close() - free an importer
 * @t:		importer (may be NULL)
 */
void vt_tc_close(struct vt_tc *t);

/* The CLI glue: the verbs call these when the input is a trace-cmd file. */
struct vt_engine;
struct vt_engine_opts;

/* Source chosen with --from (vt_tc_take_from()), VT_TC_AUTO by default. */
extern enum vt_tc_mode vt_tc_from;

/**
 * vt_tc_take_from() - take "--from auto|vgic|kvm" out of argv
 * @argc:	argument count, decreased by what was taken
 * @argv:	arguments, compacted
 *
 * Sets vt_tc_from. Prints a message for a bad value.
 *
 * Return: 0 or -EINVAL.
 */
int vt_tc_take_from(int *argc, char **argv);

/**
 * vt_tc_analyse() - a trace-cmd file into a finished engine
 * @path:	trace.dat
 * @opts:	engine options (facts and window are set here)
 * @out:	the engine
 *
 * Prints the import summary and, for a kvm:* import, why each missing
 * hook is missing, on stderr.
 *
 * Return: 0 or a negative errno (message printed).
 */
int vt_tc_analyse(const char *path, struct vt_engine_opts *opts,
		  struct vt_engine **out);

/**
 * vt_tc_import() - a trace-cmd file into a vgic-trace file
 * @in:		trace.dat
 * @out:	trace file to write ("-" for stdout); written to a temporary
 *		file renamed into place (vt_out_open()), so an error leaves
 *		no file and an existing @out survives it
 * @force:	overwrite @out
 *
 * Return: 0; -EEXIST when @out exists and !@force; -EINVAL when @out is
 * @in (same device and inode); another negative errno (message printed).
 */
int vt_tc_import(const char *in, const char *out, bool force);

#endif /* VT_IMPORT_TRACECMD_H */
