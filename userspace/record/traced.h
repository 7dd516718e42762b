/* SPDX-License-Identifier: GPL-2.0 */
/*
 * traced.h - internal interfaces of vgic-traced, the recorder daemon:
 * options, record sources (module device or BPF backend), the sink that
 * writes the trace file and feeds the live engine, and the summary.
 */
#ifndef VT_TRACED_H
#define VT_TRACED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <vgic_trace_abi.h>
#include "vt_engine.h"
#include "vt_tracefile.h"

#define VT_DEVICE_PATH		"/dev/vgic_trace"
#define VT_MAX_DURATION_NS	(365ull * 86400 * 1000000000)

enum vt_backend_choice {
	VT_CHOOSE_AUTO,		/* module device if present, else BPF */
	VT_CHOOSE_MODULE,
	VT_CHOOSE_BPF,
};

/**
 * struct vt_opts - command line settings of vgic-traced
 * @output:	trace file to write
 * @force:	overwrite @output
 * @backend:	enum vt_backend_choice
 * @device:	module device path
 * @duration_ns: stop after this many nanoseconds, 0 = until a signal
 * @drain_ms:	timed drain period of the ring buffer / device
 * @stop_drain_ms: module: time budget of the final drain at the stop
 * @wakeup_bytes: BPF: wake the reader when this much is queued (0: timer only)
 * @rb_bytes:	BPF ring buffer size
 * @vm_filter:	only this VMM tgid (0: all)
 * @no_fentry:	BPF: do not try fentry/fexit
 * @no_kprobe:	BPF: do not try kprobes (tracepoints only)
 * @disabled:	BPF: bit (1 << VT_HOOK_*) set for hooks switched off
 * @quiet:	no live finding lines
 * @report:	write the engine's text report here at exit (NULL: none)
 * @json_lines:	findings as JSON objects, one a line, on stdout (the exit
 *		summary then goes to stderr)
 * @metrics_listen: "HOST:PORT" of the /metrics endpoint (NULL: off)
 * @metrics_file: textfile for node_exporter, rewritten atomically (NULL: off)
 * @metrics_every_ns: period of @metrics_file
 */
struct vt_opts {
	const char *output;
	bool force;
	enum vt_backend_choice backend;
	const char *device;
	uint64_t duration_ns;
	unsigned long drain_ms;
	unsigned long stop_drain_ms;
	unsigned long wakeup_bytes;
	unsigned long rb_bytes;
	uint32_t vm_filter;
	bool no_fentry;
	bool no_kprobe;
	uint32_t disabled;
	bool quiet;
	const char *report;
	bool json_lines;
	const char *metrics_listen;
	const char *metrics_file;
	uint64_t metrics_every_ns;
};

/**
 * vt_opts_parse() - parse argv into @o
 * Return: 0 to run, 1 when --help was printed, -EINVAL on bad input
 * (the message is printed).
 */
int vt_opts_parse(int argc, char **argv, struct vt_opts *o);

struct vt_sink;

/**
 * struct vt_stop_times - where the time between the stop and the end went
 * @cause:	"signal", "--duration" or "source end"
 * @asked_ns:	CLOCK_MONOTONIC of the signal (its handler) or the deadline
 * @loop_ns:	the drain loop ended (the stop was seen)
 * @finish_ns:	the source's finish() returned
 * @close_ns:	the source's close() returned
 * @sink_ns:	vt_sink_finish() returned
 * @src_stop_ns: module: VT_IOC_STOP (producers stopped), its duration
 * @src_drain_ns: module: the bounded final drain, its duration
 * @src_discard_ns: module: VT_IOC_DISCARD and its loss reports
 * @src_records: records delivered by finish()
 * @src_queued_lost: records still queued at the end, reported as lost
 * @src_cut:	the final drain stopped at its bound, not at an empty source
 * @src_how:	module: "stopped" (producers stopped, rest counted lost),
 *		"no-ioctl" (a pipe, a file or an older module: bounded
 *		drain only, what is left is not counted)
 * @eng_ns:	vt_sink_finish(): the engine's end-of-trace checks
 * @report_ns:	... writing --report
 * @wclose_ns:	... closing the trace writer (last chunk, end marker)
 * @fsync_ns:	... fsync of the trace file
 * @end_ns:	the summary printed, the sink and engine freed
 * @cpu_ns:	CPU time of the process from the loop's end to the end
 */
struct vt_stop_times {
	const char *cause;
	uint64_t asked_ns, loop_ns, finish_ns, close_ns, sink_ns;
	uint64_t src_stop_ns, src_drain_ns, src_discard_ns;
	uint64_t src_records, src_queued_lost;
	bool src_cut;
	const char *src_how;
	uint64_t eng_ns, report_ns, wclose_ns, fsync_ns;
	uint64_t end_ns, cpu_ns;
};

/**
 * struct vt_source - a producer of ABI records
 * @name:	"module" or "bpf"
 * @backend:	VT_BACKEND_*
 * @poll:	wait up to @timeout_ms, hand every available record to the
 *		sink; returns records delivered or -errno (-EINTR is normal)
 * @finish:	deliver what is still queued (and final loss counts)
 * @close:	release everything
 * @sink:	where records go
 * @missed:	BPF program runs the kernel skipped (recursion guard, kprobe
 *		link misses); also delivered as VT_REC_LOST with hdr.cpu
 *		VT_LOST_CPU_PROBES, so they are part of the lost count
 * @malformed:	module: stream cuts (a bad record header, a torn end) whose
 *		bytes were dropped
 * @stop:	what the stop cost, part by part (finish() fills src_*)
 * @priv:	source state
 */
struct vt_source {
	const char *name;
	unsigned int backend;
	int (*poll)(struct vt_source *s, int timeout_ms);
	int (*finish)(struct vt_source *s);
	void (*close)(struct vt_source *s);
	struct vt_sink *sink;
	uint64_t missed;
	uint64_t malformed;
	struct vt_stop_times stop;
	void *priv;
};

/* opens a source: vt_source_module_open, vt_source_bpf_open, test fakes */
typedef int (*vt_source_open_fn)(const struct vt_opts *o, struct vt_sink *sink,
				 struct vt_source *s);

int vt_source_module_open(const struct vt_opts *o, struct vt_sink *sink,
			  struct vt_source *s);
int vt_source_bpf_open(const struct vt_opts *o, struct vt_sink *sink,
		       struct vt_source *s);

/**
 * struct vt_sink_stats - what the sink has seen
 * @records:	valid records written
 * @invalid:	records rejected by vt_record_check()
 * @write_errors: records not written (the writer failed or had stopped)
 * @rotations:	new files started on SIGHUP
 * @by_type:	valid records per VT_REC_* type
 * @lost:	sum of VT_REC_LOST.lost
 * @findings:	findings reported live
 * @hook:	VT_ATTACH_* per VT_HOOK_* from VT_META_HOOK, 0xff = not reported
 * @hook_sym:	symbol named by the hook's meta record
 */
struct vt_sink_stats {
	uint64_t records;
	uint64_t invalid;
	uint64_t write_errors;
	uint64_t rotations;
	uint64_t by_type[VT_REC_MAX + 1];
	uint64_t lost;
	uint64_t findings;
	uint8_t hook[VT_HOOK_MAX + 1];
	char hook_sym[VT_HOOK_MAX + 1][64];
};

int vt_sink_open(const struct vt_opts *o, const struct vt_host_facts *facts,
		 struct vt_sink **out);
int vt_sink_start(struct vt_sink *k);
int vt_sink_rotate(struct vt_sink *k);
int vt_sink_put(struct vt_sink *k, const struct vt_hdr *rec, size_t avail);
int vt_sink_put_meta(struct vt_sink *k, uint16_t key, uint16_t id,
		     uint64_t val, const char *str);
int vt_sink_flush(struct vt_sink *k);
int vt_sink_finish(struct vt_sink *k, const char *report,
		   struct vt_stop_times *t);
void vt_sink_free(struct vt_sink *k);
const struct vt_sink_stats *vt_sink_stats(const struct vt_sink *k);
struct vt_engine *vt_sink_engine(struct vt_sink *k);
struct vt_metrics *vt_sink_metrics(struct vt_sink *k);

/* JSON line of one finding (sink.c; --json-lines) */
void vt_finding_json_line(FILE *f, const struct vt_finding *fd);

/* http.c: the /metrics endpoint, served from the drain loop */
struct vt_http;
typedef int (*vt_http_body_fn)(FILE *f, bool openmetrics, void *arg);
int vt_http_listen(const char *addr, vt_http_body_fn body, void *arg,
		   struct vt_http **out);
const char *vt_http_address(const struct vt_http *h);
void vt_http_service(struct vt_http *h);
uint64_t vt_http_served(const struct vt_http *h);
void vt_http_close(struct vt_http *h);

/* notify.c: sd_notify() for systemd Type=notify (no-ops without it) */
void vt_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t vt_notify_watchdog_ns(void);

/* select.c: module device (auto: if it exists) or BPF backend */
int vt_source_select(const struct vt_opts *o, struct vt_sink *k,
		     struct vt_source *s, vt_source_open_fn bpf_open);

/* daemon.c: the drain loop and the whole daemon */
int vt_traced_run(const struct vt_opts *o, struct vt_source *s,
		  struct vt_sink *k, volatile sig_atomic_t *stop_flag,
		  volatile sig_atomic_t *hup_flag);
int vt_traced_main(int argc, char **argv, vt_source_open_fn bpf_open);

/* host facts (uname, GIC from /proc/interrupts) */
void vt_host_facts_probe(struct vt_host_facts *f, unsigned int backend);

/* hook status line at start (BPF: known once attached) */
void vt_hooks_print(FILE *f, const struct vt_sink_stats *st);

/* the exit summary */
void vt_summary_print(FILE *f, const struct vt_source *s,
		      const struct vt_sink_stats *st, double seconds);
void vt_summary_stop(FILE *f, const struct vt_stop_times *t);

/* CLOCK_MONOTONIC in ns */
uint64_t vt_mono_ns(void);

#endif /* VT_TRACED_H */
