// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * import_tracecmd.c - ABI records from a trace-cmd recording, through
 * libtracecmd (iteration in time order, uname, trace clock) and
 * libtraceevent (fields by name from the file's own event formats).
 * See vt_import_tracecmd.h for what each source gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vt_import_tracecmd.h"
#include "vt_safe_file.h"
#include "vt_engine.h"
#include "vt_record.h"

bool vt_tc_is_dat(const char *path)
{
	char buf[VT_TC_MAGIC_LEN];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)sizeof(buf) && !memcmp(buf, VT_TC_MAGIC, sizeof(buf));
}

static const struct {
	unsigned int hook;
	const char *why;
} kvm_gaps[] = {
	{ VT_HOOK_LR_FLUSH, "kvm:kvm_entry carries only the guest PC: no list register contents at entry" },
	{ VT_HOOK_LR_FOLD_V2, "kvm:kvm_exit carries only the exit class and PC: no list registers at exit" },
	{ VT_HOOK_LR_FOLD_V3, "kvm:kvm_exit carries only the exit class and PC: no list registers at exit" },
	{ VT_HOOK_IRQFD, "no upstream event for KVM_IRQFD: resamplefd registration unknown" },
	{ VT_HOOK_VFIO_HANDLER, "vfio-pci has no tracepoints: host INTx interrupts unseen" },
	{ VT_HOOK_VFIO_MASK, "vfio-pci has no tracepoints: INTx mask unseen" },
	{ VT_HOOK_VFIO_UNMASK, "vfio-pci has no tracepoints: INTx unmask unseen" },
	{ VT_HOOK_VFIO_UNMASK_HANDLER, "vfio-pci has no tracepoints: resamplefd unmask unseen" },
	{ VT_HOOK_MMIO_PENDING, "kvm:kvm_mmio does not say which GICD register an address is" },
	{ VT_HOOK_MMIO_ACTIVE, "kvm:kvm_mmio does not say which GICD register an address is" },
	{ VT_HOOK_MMIO_ROUTE, "kvm:kvm_mmio does not say which GICD register an address is" },
};

const char *vt_tc_degraded_text(unsigned int hook)
{
	size_t i;

	for (i = 0; i < sizeof(kvm_gaps) / sizeof(kvm_gaps[0]); i++)
		if (kvm_gaps[i].hook == hook)
			return kvm_gaps[i].why;
	return NULL;
}

void vt_tc_print_summary(FILE *f, const struct vt_tc_summary *s)
{
	unsigned int t;

	fprintf(f, "trace-cmd: %llu events (clock %s), %llu used, %llu records rebuilt from %s\n",
		(unsigned long long)s->events, s->clock[0] ? s->clock : "?",
		(unsigned long long)s->used, (unsigned long long)s->records,
		s->mode == VT_TC_KVM ? "upstream kvm:* events (degraded)" :
				       "vgic_trace:* events (lossless)");
	fprintf(f, "trace-cmd:");
	for (t = 1; t <= VT_REC_MAX; t++)
		if (s->per_type[t])
			fprintf(f, " %s %llu", vt_record_name(t),
				(unsigned long long)s->per_type[t]);
	fprintf(f, "\n");
	if (s->missed || s->missed_unknown)
		fprintf(f, "trace-cmd: %llu events lost by trace-cmd (%llu gaps of unknown size counted as 1)\n",
			(unsigned long long)s->missed,
			(unsigned long long)s->missed_unknown);
	if (s->mode == VT_TC_VGIC) {
		if (!s->meta_events)
			fprintf(f, "trace-cmd: no vgic_trace:meta events (no /dev/vgic_trace reader was open while recording): hook status unknown\n");
		if (s->no_raw_lrs)
			fprintf(f, "trace-cmd: %llu lr events without raw LR fields (vgic_trace.ko older than the widened events): no LR record rebuilt\n",
				(unsigned long long)s->no_raw_lrs);
		if (s->stream_lost)
			fprintf(f, "trace-cmd: the module's /dev/vgic_trace reader lost %llu records (not this file: every event is here)\n",
				(unsigned long long)s->stream_lost);
	} else {
		fprintf(f, "trace-cmd: all kvm:* events are one VM (they carry no VM identity)\n");
		if (strcmp(s->clock, "mono") && strcmp(s->clock, "mono_raw"))
			fprintf(f, "trace-cmd: timestamps in the '%s' clock (record with -C mono for CLOCK_MONOTONIC)\n",
				s->clock[0] ? s->clock : "?");
	}
}

#ifndef VT_HAVE_TRACECMD

bool vt_tc_available(void)
{
	return false;
}

int vt_tc_open(const char *path, enum vt_tc_mode mode, struct vt_tc **out,
	       char *err, size_t errlen)
{
	(void)mode;
	*out = NULL;
	snprintf(err, errlen, "%s: a trace-cmd file, but this vgic-trace was built without libtracecmd (static/cross build); import it with a build on a host with libtracecmd-dev",
		 path);
	return -EOPNOTSUPP;
}

const struct vt_host_facts *vt_tc_facts(const struct vt_tc *t)
{
	(void)t;
	return NULL;
}

int vt_tc_run(struct vt_tc *t, vt_scen_emit emit, void *arg)
{
	(void)t;
	(void)emit;
	(void)arg;
	return -EOPNOTSUPP;
}

const struct vt_tc_summary *vt_tc_summary(const struct vt_tc *t)
{
	(void)t;
	return NULL;
}

void vt_tc_close(struct vt_tc *t)
{
	(void)t;
}

#else /* VT_HAVE_TRACECMD */

#include <trace-cmd.h>
#include <event-parse.h>

/* In libtracecmd 3.1 but not in its public header. */
const char *tracecmd_get_uname(struct tracecmd_input *handle);
const char *tracecmd_get_trace_clock(struct tracecmd_input *handle);

enum ev_kind {
	EV_LR_FLUSH, EV_LR_FOLD, EV_INJECT, EV_IRQ_STATE, EV_ACK, EV_RESAMPLE,
	EV_IRQFD, EV_VFIO, EV_MMIO, EV_LOST, EV_META, EV_DEACT,
	EV_K_PENDING, EV_K_SET_IRQ, EV_K_ACK, EV_K_IRQ_LINE, EV_K_TIMER,
	EV_NR,
};

static const struct {
	const char *sys;
	const char *name;
} ev_names[EV_NR] = {
	[EV_LR_FLUSH]	= { "vgic_trace", "lr_flush" },
	[EV_LR_FOLD]	= { "vgic_trace", "lr_fold" },
	[EV_INJECT]	= { "vgic_trace", "inject" },
	[EV_IRQ_STATE]	= { "vgic_trace", "irq_state" },
	[EV_ACK]	= { "vgic_trace", "ack" },
	[EV_RESAMPLE]	= { "vgic_trace", "resample" },
	[EV_IRQFD]	= { "vgic_trace", "irqfd" },
	[EV_VFIO]	= { "vgic_trace", "vfio" },
	[EV_MMIO]	= { "vgic_trace", "mmio" },
	[EV_LOST]	= { "vgic_trace", "lost" },
	[EV_META]	= { "vgic_trace", "meta" },
	[EV_DEACT]	= { "vgic_trace", "deactivate" },
	[EV_K_PENDING]	= { "kvm", "vgic_update_irq_pending" },
	[EV_K_SET_IRQ]	= { "kvm", "kvm_set_irq" },
	[EV_K_ACK]	= { "kvm", "kvm_ack_irq" },
	[EV_K_IRQ_LINE]	= { "kvm", "kvm_irq_line" },
	[EV_K_TIMER]	= { "kvm", "kvm_timer_update_irq" },
};

/* What the last kvm:* event of a CPU was (the cause of the next inject). */
struct cpu_cause {
	uint8_t src;		/* VT_SRC_* for the next vgic_update_irq_pending */
	bool after_ack;		/* last event was kvm_ack_irq (or its resample) */
	uint32_t gsi;		/* gsi of the kvm_set_irq, VT_NO_GSI if none */
};

#define VT_TC_MAX_CPUS	1024
#define VT_TC_MAX_GSI	1024
#define VT_TC_VM	1u	/* kvm:* events carry no VM: one VM */

struct vt_tc {
	struct tracecmd_input *in;
	struct tep_handle *tep;
	struct vt_host_facts facts;
	struct vt_tc_summary sum;
	struct tep_event *ev[EV_NR];
	vt_scen_emit emit;
	void *arg;
	int err;
	struct cpu_cause cause[VT_TC_MAX_CPUS];
	uint32_t gsi_intid[VT_TC_MAX_GSI];	/* learned gsi -> INTID + 1 */
};

static void setmsg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void setmsg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool vt_tc_available(void)
{
	return true;
}

/* "Linux host 6.1.0-57-arm64 aarch64": release and machine. */
static void parse_uname(struct vt_host_facts *f, const char *u)
{
	char buf[256], *tok[8], *save = NULL, *p;
	unsigned int n = 0;

	if (!u)
		return;
	snprintf(buf, sizeof(buf), "%s", u);
	for (p = strtok_r(buf, " ", &save); p && n < 8; p = strtok_r(NULL, " ", &save))
		tok[n++] = p;
	if (n >= 3)
		snprintf(f->kernel_release, sizeof(f->kernel_release), "%s", tok[2]);
	if (n >= 4)
		snprintf(f->arch, sizeof(f->arch), "%s", tok[n - 1]);
}

static bool has_vgic_events(const struct vt_tc *t)
{
	unsigned int k;

	for (k = EV_LR_FLUSH; k <= EV_DEACT; k++)
		if (t->ev[k])
			return true;
	return false;
}

/*
 * Debian's libtracecmd 3.1.6 dereferences NULL in tracecmd_close() on the
 * error path of tracecmd_open_fd() for some damaged files (reproducer:
 * tests/fuzz/crashes/libtracecmd-open-segv.dat). Open the file once in a
 * child first, so a damaged file is an error message, not a crash of ours.
 */
#define TC_PROBE_OK	42	/* the probe child's "did not crash" */

static int tc_probe_open(const char *path, char *err, size_t errlen)
{
	pid_t parent = getpid(), pid;
	struct tracecmd_input *in;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0;	/* cannot probe: open it directly */
	if (pid == 0) {
		/* die of the fault: no inherited handler (test harness) */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGALRM, SIG_DFL);	/* the alarm kills, silently */
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive the caller */
		if (getppid() != parent)
			_exit(1);
		alarm(120);
		tracecmd_set_loglevel(TEP_LOG_NONE);
		in = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
		if (in)
			tracecmd_close(in);
		_exit(TC_PROBE_OK);	/* opened, or refused without crashing */
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == TC_PROBE_OK)
		return 0;
	if (WIFSIGNALED(status))
		setmsg(err, errlen, "%s: damaged trace-cmd file: libtracecmd crashed opening it (signal %d); nothing was read",
		       path, WTERMSIG(status));
	else
		setmsg(err, errlen, "%s: damaged trace-cmd file: libtracecmd failed opening it (exit %d); nothing was read",
		       path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return -EPROTO;
}

int vt_tc_open(const char *path, enum vt_tc_mode mode, struct vt_tc **out,
	       char *err, size_t errlen)
{
	struct vt_tc *t;
	const char *clk;
	unsigned int k;
	int ret;

	*out = NULL;
	ret = tc_probe_open(path, err, errlen);
	if (ret)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	tracecmd_set_loglevel(TEP_LOG_NONE);
	t->in = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!t->in) {
		setmsg(err, errlen, "%s: libtracecmd cannot read this trace-cmd file (damaged or truncated?)",
		       path);
		free(t);
		return -EPROTO;
	}
	t->tep = tracecmd_get_tep(t->in);
	if (!t->tep || tep_is_file_bigendian(t->tep) != tep_is_local_bigendian(t->tep)) {
		setmsg(err, errlen, "%s: recorded on a host of the other byte order (not supported)",
		       path);
		vt_tc_close(t);
		return -EPROTONOSUPPORT;
	}
	for (k = 0; k < EV_NR; k++)
		t->ev[k] = tep_find_event_by_name(t->tep, ev_names[k].sys,
						  ev_names[k].name);
	if (mode == VT_TC_AUTO)
		mode = has_vgic_events(t) ? VT_TC_VGIC : VT_TC_KVM;
	if (mode == VT_TC_VGIC && !has_vgic_events(t)) {
		setmsg(err, errlen, "%s: no vgic_trace:* events in this recording (record with -e vgic_trace while vgic_trace.ko is loaded, or use --from kvm)",
		       path);
		vt_tc_close(t);
		return -ENOENT;
	}
	if (mode == VT_TC_KVM && !t->ev[EV_K_PENDING] && !t->ev[EV_K_ACK] &&
	    !t->ev[EV_K_SET_IRQ]) {
		setmsg(err, errlen, "%s: neither vgic_trace:* nor the kvm:vgic_update_irq_pending/kvm_ack_irq/kvm_set_irq events are in this recording (record with -e kvm)",
		       path);
		vt_tc_close(t);
		return -ENOENT;
	}
	t->sum.mode = mode;
	parse_uname(&t->facts, tracecmd_get_uname(t->in));
	clk = tracecmd_get_trace_clock(t->in);
	snprintf(t->sum.clock, sizeof(t->sum.clock), "%s", clk ? clk : "");
	/* the file's clock line is "[local] global ...": keep the chosen one */
	if (strchr(t->sum.clock, '[')) {
		char *a = strchr(clk, '['), *b = a ? strchr(a, ']') : NULL;

		if (a && b && b > a)
			snprintf(t->sum.clock, sizeof(t->sum.clock), "%.*s",
				 (int)(b - a - 1), a + 1);
	}
	t->facts.backend = mode == VT_TC_VGIC ? VT_BACKEND_MODULE : 0;
	*out = t;
	return 0;
}

const struct vt_host_facts *vt_tc_facts(const struct vt_tc *t)
{
	return &t->facts;
}

const struct vt_tc_summary *vt_tc_summary(const struct vt_tc *t)
{
	return &t->sum;
}

/* Field @name of @rec as a number; @def when the event has no such field. */
static uint64_t fnum(const struct tep_event *ev, const struct tep_record *rec,
		     const char *name, uint64_t def)
{
	struct tep_format_field *f = tep_find_field((struct tep_event *)ev, name);
	unsigned long long v;

	if (!f || tep_read_number_field(f, rec->data, &v))
		return def;
	return v;
}

static bool fhas(const struct tep_event *ev, const char *name)
{
	return tep_find_field((struct tep_event *)ev, name) != NULL;
}

/* Copy array field @name into @dst (up to @len bytes); false if absent. */
static bool farray(const struct tep_event *ev, const struct tep_record *rec,
		   const char *name, void *dst, size_t len)
{
	struct tep_format_field *f = tep_find_field((struct tep_event *)ev, name);
	size_t n;

	if (!f || f->offset < 0 || f->offset + f->size > rec->size)
		return false;
	n = (size_t)f->size < len ? (size_t)f->size : len;
	memcpy(dst, (const char *)rec->data + f->offset, n);
	return true;
}

static int put(struct vt_tc *t, struct vt_hdr *h)
{
	int ret;

	ret = t->emit(h, t->arg);
	if (ret)
		return ret;
	t->sum.records++;
	t->sum.per_type[h->type]++;
	return 0;
}

/* Header from the event: the record's own ts/cpu when the event has them. */
static void hdr_fill(struct vt_hdr *h, unsigned int type, size_t size,
		     const struct tep_event *ev, const struct tep_record *rec)
{
	memset(h, 0, size);
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->ts_ns = fnum(ev, rec, "ts", rec->ts);
	h->cpu = (uint32_t)fnum(ev, rec, "cpu", (uint64_t)rec->cpu);
	h->vm_id = (uint32_t)fnum(ev, rec, "vm", VT_NO_VM);
	h->vcpu_id = (uint32_t)fnum(ev, rec, "vcpu", VT_NO_VCPU);
}

static int vgic_event(struct vt_tc *t, enum ev_kind k,
		      const struct tep_event *ev, const struct tep_record *rec)
{
	union {
		struct vt_hdr h;
		struct vt_rec_lr lr;
		struct vt_rec_inject inj;
		struct vt_rec_irq_state st;
		struct vt_rec_ack ack;
		struct vt_rec_resample rs;
		struct vt_rec_irqfd fd;
		struct vt_rec_vfio vf;
		struct vt_rec_mmio mm;
		struct vt_rec_meta meta;
		struct vt_rec_deactivate de;
	} u;

	switch (k) {
	case EV_LR_FLUSH:
	case EV_LR_FOLD:
		if (!fhas(ev, "lr")) {
			t->sum.no_raw_lrs++;
			return 0;
		}
		hdr_fill(&u.h, k == EV_LR_FLUSH ? VT_REC_LR_FLUSH : VT_REC_LR_FOLD,
			 sizeof(u.lr), ev, rec);
		u.lr.gic_version = (uint8_t)fnum(ev, rec, "gic", 0);
		u.lr.used_lrs = (uint8_t)fnum(ev, rec, "used", 0);
		u.lr.nr_lrs = (uint8_t)fnum(ev, rec, "nr_lrs", 0);
		u.lr.flags = (uint8_t)fnum(ev, rec, "flags", 0);
		u.lr.hcr = (uint32_t)fnum(ev, rec, "hcr", 0);
		farray(ev, rec, "lr", u.lr.lr, sizeof(u.lr.lr));
		if (!t->facts.gic_version)
			t->facts.gic_version = u.lr.gic_version;
		if (!t->facts.nr_lrs)
			t->facts.nr_lrs = u.lr.nr_lrs;
		break;
	case EV_INJECT:
		hdr_fill(&u.h, VT_REC_INJECT, sizeof(u.inj), ev, rec);
		u.inj.intid = (uint32_t)fnum(ev, rec, "intid", VT_NO_INTID);
		u.inj.level = (uint8_t)fnum(ev, rec, "level", 0);
		u.inj.source = (uint8_t)fnum(ev, rec, "source", 0);
		u.inj.ret = (int32_t)fnum(ev, rec, "ret", 0);
		break;
	case EV_IRQ_STATE:
		hdr_fill(&u.h, VT_REC_IRQ_STATE, sizeof(u.st), ev, rec);
		u.st.intid = (uint32_t)fnum(ev, rec, "intid", VT_NO_INTID);
		u.st.target_vcpu = (uint32_t)fnum(ev, rec, "target", VT_NO_VCPU);
		u.st.ap_vcpu = (uint32_t)fnum(ev, rec, "ap_vcpu", VT_NO_VCPU);
		u.st.line_level = (uint8_t)fnum(ev, rec, "line_level", 0);
		u.st.pending_latch = (uint8_t)fnum(ev, rec, "pending_latch", 0);
		u.st.active = (uint8_t)fnum(ev, rec, "active", 0);
		u.st.enabled = (uint8_t)fnum(ev, rec, "enabled", 0);
		u.st.config = (uint8_t)fnum(ev, rec, "config", 0);
		u.st.hw = (uint8_t)fnum(ev, rec, "hw", 0);
		u.st.cause = (uint8_t)fnum(ev, rec, "cause", 0);
		break;
	case EV_ACK:
		hdr_fill(&u.h, VT_REC_ACK, sizeof(u.ack), ev, rec);
		u.ack.irqchip = (uint32_t)fnum(ev, rec, "irqchip", 0);
		u.ack.pin = (uint32_t)fnum(ev, rec, "pin", 0);
		u.ack.gsi = (uint32_t)fnum(ev, rec, "gsi", VT_NO_GSI);
		break;
	case EV_RESAMPLE:
		hdr_fill(&u.h, VT_REC_RESAMPLE, sizeof(u.rs), ev, rec);
		u.rs.gsi = (uint32_t)fnum(ev, rec, "gsi", VT_NO_GSI);
		u.rs.nr_irqfds = (uint32_t)fnum(ev, rec, "nr_irqfds", 0);
		u.rs.resample_key = fnum(ev, rec, "key", 0);
		break;
	case EV_IRQFD:
		hdr_fill(&u.h, VT_REC_IRQFD, sizeof(u.fd), ev, rec);
		u.fd.gsi = (uint32_t)fnum(ev, rec, "gsi", VT_NO_GSI);
		u.fd.flags = (uint32_t)fnum(ev, rec, "flags", 0);
		u.fd.fd = (int32_t)fnum(ev, rec, "fd", (uint64_t)-1);
		u.fd.resamplefd = (int32_t)fnum(ev, rec, "resamplefd", (uint64_t)-1);
		u.fd.ret = (int32_t)fnum(ev, rec, "ret", 0);
		u.fd.eventfd_key = fnum(ev, rec, "key", 0);
		u.fd.resample_key = fnum(ev, rec, "rkey", 0);
		break;
	case EV_VFIO:
		hdr_fill(&u.h, VT_REC_VFIO, sizeof(u.vf), ev, rec);
		u.vf.event = (uint8_t)fnum(ev, rec, "event", 0);
		u.vf.masked = (uint8_t)fnum(ev, rec, "masked", 0xff);
		u.vf.pci_2_3 = (uint8_t)fnum(ev, rec, "pci_2_3", 0xff);
		u.vf.result = (int32_t)fnum(ev, rec, "result", 0);
		u.vf.host_irq = (uint32_t)fnum(ev, rec, "host_irq", 0);
		u.vf.trigger_key = fnum(ev, rec, "trigger_key", 0);
		u.vf.unmask_key = fnum(ev, rec, "unmask_key", 0);
		farray(ev, rec, "dev", u.vf.dev, sizeof(u.vf.dev) - 1);
		break;
	case EV_MMIO:
		hdr_fill(&u.h, VT_REC_MMIO, sizeof(u.mm), ev, rec);
		u.mm.reg = (uint8_t)fnum(ev, rec, "reg", 0);
		u.mm.len = (uint8_t)fnum(ev, rec, "len", 0);
		u.mm.offset = (uint32_t)fnum(ev, rec, "offset", 0);
		u.mm.first_intid = (uint32_t)fnum(ev, rec, "first_intid", 0);
		u.mm.val = fnum(ev, rec, "val", 0);
		break;
	case EV_LOST:
		/* losses of the /dev/vgic_trace reader: this file has the events */
		t->sum.stream_lost += fnum(ev, rec, "lost", 0);
		return 0;
	case EV_META:
		t->sum.meta_events++;
		hdr_fill(&u.h, VT_REC_META, sizeof(u.meta), ev, rec);
		u.meta.key = (uint16_t)fnum(ev, rec, "key", 0);
		u.meta.id = (uint16_t)fnum(ev, rec, "id", 0);
		u.meta.val = fnum(ev, rec, "val", 0);
		farray(ev, rec, "str", u.meta.str, sizeof(u.meta.str) - 1);
		if (u.meta.key == VT_META_GIC && !t->facts.gic_version)
			t->facts.gic_version = (uint8_t)u.meta.val;
		if (u.meta.key == VT_META_NR_LRS && !t->facts.nr_lrs)
			t->facts.nr_lrs = (uint8_t)u.meta.val;
		break;
	case EV_DEACT:
		hdr_fill(&u.h, VT_REC_DEACTIVATE, sizeof(u.de), ev, rec);
		u.de.intid = (uint32_t)fnum(ev, rec, "intid", VT_NO_INTID);
		u.de.gic_version = (uint8_t)fnum(ev, rec, "gic", 0);
		u.de.how = (uint8_t)fnum(ev, rec, "how", 0);
		u.de.eoicount = (uint16_t)fnum(ev, rec, "eoicount", 0);
		u.de.val = fnum(ev, rec, "val", 0);
		break;
	default:
		return 0;
	}
	if (vt_record_check(&u.h, u.h.size, NULL, 0))
		return 0;	/* a value outside the ABI: not a record */
	t->sum.used++;
	return put(t, &u.h);
}

static int meta_hook(struct vt_tc *t, uint64_t ts, unsigned int hook,
		     unsigned int attach, const char *str)
{
	struct vt_rec_meta m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = VT_REC_META;
	m.hdr.size = sizeof(m);
	m.hdr.ts_ns = ts;
	m.hdr.vm_id = VT_NO_VM;
	m.hdr.vcpu_id = VT_NO_VCPU;
	m.key = VT_META_HOOK;
	m.id = (uint16_t)hook;
	m.val = attach;
	snprintf(m.str, sizeof(m.str), "%s", str);
	return put(t, &m.hdr);
}

/* The hook status a kvm:* import has, as META records before the first. */
static int kvm_metas(struct vt_tc *t, uint64_t ts)
{
	static const struct {
		unsigned int hook;
		enum ev_kind ev;
		const char *name;
	} have[] = {
		{ VT_HOOK_INJECT, EV_K_PENDING, "kvm:vgic_update_irq_pending" },
		{ VT_HOOK_INJECT, EV_K_SET_IRQ, "kvm:kvm_set_irq (x86)" },
		{ VT_HOOK_ACK, EV_K_ACK, "kvm:kvm_ack_irq" },
		{ VT_HOOK_RESAMPLE, EV_K_SET_IRQ, "kvm:kvm_set_irq" },
	};
	struct vt_rec_meta m;
	size_t i;
	int ret;

	memset(&m, 0, sizeof(m));
	m.hdr.type = VT_REC_META;
	m.hdr.size = sizeof(m);
	m.hdr.ts_ns = ts;
	m.hdr.vcpu_id = VT_NO_VCPU;
	m.key = VT_META_VM;
	m.hdr.vm_id = VT_TC_VM;
	ret = put(t, &m.hdr);
	for (i = 0; !ret && i < sizeof(have) / sizeof(have[0]); i++) {
		if (have[i].hook == VT_HOOK_INJECT &&
		    (have[i].ev == EV_K_SET_IRQ) != !t->ev[EV_K_PENDING])
			continue;	/* arm64: the vgic event; x86: kvm_set_irq */
		ret = meta_hook(t, ts, have[i].hook,
				t->ev[have[i].ev] ? VT_ATTACH_TRACEPOINT :
						    VT_ATTACH_MISSING,
				have[i].name);
	}
	for (i = 0; !ret && i < sizeof(kvm_gaps) / sizeof(kvm_gaps[0]); i++)
		ret = meta_hook(t, ts, kvm_gaps[i].hook, VT_ATTACH_MISSING,
				"no kvm:* event");
	return ret;
}

static void hdr_kvm(struct vt_hdr *h, unsigned int type, size_t size,
		    const struct tep_record *rec)
{
	memset(h, 0, size);
	h->type = (uint16_t)type;
	h->size = (uint16_t)size;
	h->ts_ns = rec->ts;
	h->cpu = (uint32_t)rec->cpu;
	h->vm_id = VT_TC_VM;
	h->vcpu_id = VT_NO_VCPU;
}

static int kvm_event(struct vt_tc *t, enum ev_kind k,
		     const struct tep_event *ev, const struct tep_record *rec)
{
	struct cpu_cause *c = &t->cause[(unsigned int)rec->cpu % VT_TC_MAX_CPUS];
	struct vt_rec_inject inj;
	struct vt_rec_resample rs;
	struct vt_rec_ack ack;
	uint64_t gsi, src, lvl, pin;
	int ret;

	switch (k) {
	case EV_K_SET_IRQ:
		gsi = fnum(ev, rec, "gsi", VT_NO_GSI);
		lvl = fnum(ev, rec, "level", 0);
		src = fnum(ev, rec, "irq_source_id", 0);
		/* irqfd_resampler_ack(): kvm_set_irq(RESAMPLE_SOURCE, gsi, 0) in the ack */
		if (src == 1 && lvl == 0 && c->after_ack) {
			hdr_kvm(&rs.hdr, VT_REC_RESAMPLE, sizeof(rs), rec);
			rs.gsi = (uint32_t)gsi;
			t->sum.used++;
			ret = put(t, &rs.hdr);
			if (ret)
				return ret;
			c->src = VT_SRC_RESAMPLER;
			c->after_ack = false;	/* one resampler per acked pin */
		} else {
			c->after_ack = false;
			/* irqfd_inject() work or the resampler's re-assert */
			c->src = src == 1 ? VT_SRC_IRQFD : VT_SRC_UNKNOWN;
		}
		c->gsi = (uint32_t)gsi;
		if (t->ev[EV_K_PENDING])
			return 0;
		/* x86: no vgic event follows, the GSI is the interrupt */
		hdr_kvm(&inj.hdr, VT_REC_INJECT, sizeof(inj), rec);
		inj.intid = (uint32_t)gsi;
		inj.level = lvl ? 1 : 0;
		inj.source = c->src;
		c->src = 0;
		if (inj.source != VT_SRC_RESAMPLER)
			t->sum.used++;
		return put(t, &inj.hdr);
	case EV_K_IRQ_LINE:
		c->after_ack = false;
		c->src = VT_SRC_USER;
		c->gsi = VT_NO_GSI;
		return 0;
	case EV_K_TIMER:
		c->after_ack = false;
		c->src = VT_SRC_KERNEL;
		c->gsi = VT_NO_GSI;
		return 0;
	case EV_K_ACK:
		hdr_kvm(&ack.hdr, VT_REC_ACK, sizeof(ack), rec);
		ack.irqchip = (uint32_t)fnum(ev, rec, "irqchip", 0);
		pin = fnum(ev, rec, "pin", 0);
		ack.pin = (uint32_t)pin;
		ack.gsi = VT_NO_GSI;
		if (!t->ev[EV_K_PENDING])	/* x86: PIC master, slave, IOAPIC */
			ack.gsi = (uint32_t)(ack.irqchip == 1 ? pin + 8 : pin);
		for (gsi = 0; t->ev[EV_K_PENDING] && gsi < VT_TC_MAX_GSI; gsi++)
			if (ack.irqchip == 0 &&
			    t->gsi_intid[gsi] == pin + VT_SPI_BASE + 1) {
				ack.gsi = (uint32_t)gsi;
				break;
			}
		c->after_ack = true;
		t->sum.used++;
		return put(t, &ack.hdr);
	case EV_K_PENDING:
		hdr_kvm(&inj.hdr, VT_REC_INJECT, sizeof(inj), rec);
		inj.intid = (uint32_t)fnum(ev, rec, "irq", VT_NO_INTID);
		inj.level = fnum(ev, rec, "level", 0) ? 1 : 0;
		/* no kvm_set_irq before it: the irqfd fast path (irqfd_wakeup) */
		inj.source = c->src ? c->src : VT_SRC_IRQFD;
		if (inj.intid < VT_SPI_BASE)	/* private: vcpu_id is the target */
			inj.hdr.vcpu_id = (uint32_t)fnum(ev, rec, "vcpu_id", VT_NO_VCPU);
		if (c->gsi < VT_TC_MAX_GSI)
			t->gsi_intid[c->gsi] = inj.intid + 1;
		c->src = 0;
		c->gsi = VT_NO_GSI;
		c->after_ack = false;
		t->sum.used++;
		return put(t, &inj.hdr);
	default:
		return 0;
	}
}

static int lost(struct vt_tc *t, const struct tep_record *rec)
{
	struct vt_rec_lost l;

	memset(&l, 0, sizeof(l));
	l.hdr.type = VT_REC_LOST;
	l.hdr.size = sizeof(l);
	l.hdr.ts_ns = rec->ts;
	l.hdr.cpu = (uint32_t)rec->cpu;
	l.hdr.vm_id = VT_NO_VM;
	l.hdr.vcpu_id = VT_NO_VCPU;
	if (rec->missed_events > 0) {
		l.lost = (uint64_t)rec->missed_events;
		t->sum.missed += l.lost;
	} else {
		l.lost = 1;
		t->sum.missed_unknown++;
	}
	l.total = t->sum.missed + t->sum.missed_unknown;
	return put(t, &l.hdr);
}

static int on_record(struct tracecmd_input *in, struct tep_record *rec,
		     int cpu, void *data)
{
	struct vt_tc *t = data;
	struct tep_event *ev;
	unsigned int k;
	int id, ret;

	(void)in;
	(void)cpu;
	t->sum.events++;
	if (t->sum.records == 0 && t->sum.mode == VT_TC_KVM) {
		ret = kvm_metas(t, rec->ts);
		if (ret)
			goto stop;
	}
	if (rec->missed_events) {
		ret = lost(t, rec);
		if (ret)
			goto stop;
	}
	id = tep_data_type(t->tep, rec);
	for (k = 0; k < EV_NR; k++) {
		ev = t->ev[k];
		if (!ev || ev->id != id)
			continue;
		if (t->sum.mode == VT_TC_VGIC && k <= EV_DEACT)
			ret = vgic_event(t, (enum ev_kind)k, ev, rec);
		else if (t->sum.mode == VT_TC_KVM && k > EV_DEACT)
			ret = kvm_event(t, (enum ev_kind)k, ev, rec);
		else
			ret = 0;
		if (ret)
			goto stop;
		break;
	}
	return 0;
stop:
	t->err = ret;
	return 1;
}

int vt_tc_run(struct vt_tc *t, vt_scen_emit emit, void *arg)
{
	int ret;

	t->emit = emit;
	t->arg = arg;
	t->err = 0;
	ret = tracecmd_iterate_events(t->in, NULL, 0, on_record, t);
	if (t->err)
		return t->err;
	return ret < 0 ? -EIO : 0;
}

void vt_tc_close(struct vt_tc *t)
{
	if (!t)
		return;
	if (t->in)
		tracecmd_close(t->in);
	free(t);
}

#endif /* VT_HAVE_TRACECMD */

/* ---- CLI glue (both builds: without libtracecmd vt_tc_open() says so) */

enum vt_tc_mode vt_tc_from = VT_TC_AUTO;

int vt_tc_take_from(int *argc, char **argv)
{
	const char *v;
	int i, j, take;

	for (i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--from")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "vgic-trace: --from needs auto, vgic or kvm\n");
				return -EINVAL;
			}
			v = argv[i + 1];
			take = 2;
		} else if (!strncmp(argv[i], "--from=", 7)) {
			v = argv[i] + 7;
			take = 1;
		} else {
			continue;
		}
		if (!strcmp(v, "auto")) {
			vt_tc_from = VT_TC_AUTO;
		} else if (!strcmp(v, "vgic")) {
			vt_tc_from = VT_TC_VGIC;
		} else if (!strcmp(v, "kvm")) {
			vt_tc_from = VT_TC_KVM;
		} else {
			fprintf(stderr, "vgic-trace: invalid --from '%s' (auto, vgic or kvm)\n", v);
			return -EINVAL;
		}
		for (j = i; j + take <= *argc; j++)
			argv[j] = argv[j + take];
		*argc -= take;
		i--;
	}
	return 0;
}

static int feed_engine(const struct vt_hdr *rec, void *arg)
{
	return vt_engine_feed(arg, rec);
}

static void print_gaps(const struct vt_tc_summary *s)
{
	size_t i;

	if (s->mode != VT_TC_KVM)
		return;
	for (i = 0; i < sizeof(kvm_gaps) / sizeof(kvm_gaps[0]); i++)
		fprintf(stderr, "trace-cmd: hook %s missing: %s\n",
			vt_hook_name(kvm_gaps[i].hook), kvm_gaps[i].why);
}

int vt_tc_analyse(const char *path, struct vt_engine_opts *opts,
		  struct vt_engine **out)
{
	struct vt_read_status st;
	struct vt_engine *e;
	struct vt_tc *t;
	char err[300];
	int ret;

	*out = NULL;
	ret = vt_tc_open(path, vt_tc_from, &t, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace: %s\n", err);
		return ret;
	}
	opts->facts = vt_tc_facts(t);
	opts->window_ns = VT_WINDOW_ALL;
	ret = vt_engine_new(opts, &e);
	if (ret) {
		vt_tc_close(t);
		return ret;
	}
	ret = vt_tc_run(t, feed_engine, e);
	if (ret) {
		fprintf(stderr, "vgic-trace: %s: %s\n", path, strerror(-ret));
		vt_engine_free(e);
		vt_tc_close(t);
		return ret;
	}
	vt_tc_print_summary(stderr, vt_tc_summary(t));
	print_gaps(vt_tc_summary(t));
	memset(&st, 0, sizeof(st));
	st.end = VT_END_COMPLETE;
	st.records = vt_tc_summary(t)->records;
	snprintf(st.msg, sizeof(st.msg), "trace-cmd file, %llu events",
		 (unsigned long long)vt_tc_summary(t)->events);
	vt_engine_set_read_status(e, &st);
	vt_tc_close(t);
	ret = vt_engine_finish(e);
	if (ret) {
		vt_engine_free(e);
		return ret;
	}
	*out = e;
	return 0;
}

static int feed_writer(const struct vt_hdr *rec, void *arg)
{
	return vt_writer_append(arg, rec);
}

int vt_tc_import(const char *in, const char *out, bool force)
{
	const char *const inputs[] = { in, NULL };
	struct vt_writer *w;
	struct vt_out o;
	struct vt_tc *t;
	char err[300];
	int ret, cret;

	ret = vt_tc_open(in, vt_tc_from, &t, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace import: %s\n", err);
		return ret;
	}
	/*
	 * A temporary file renamed into place at the end (lib/safe_file.c):
	 * OUT == IN is refused before anything is opened for writing, and
	 * an error leaves no file (nor a partial one under OUT's name).
	 */
	ret = vt_out_open(&o, out, force, inputs, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "vgic-trace import: %s: %s\n", out, err);
		vt_tc_close(t);
		return ret;
	}
	ret = vt_writer_fdopen(o.fd, vt_tc_facts(t), &w);
	if (ret) {
		vt_out_abort(&o);
		fprintf(stderr, "vgic-trace import: %s: write: %s; no trace written\n",
			out, strerror(-ret));
		vt_tc_close(t);
		return ret;
	}
	ret = vt_tc_run(t, feed_writer, w);
	cret = ret ? vt_writer_close_truncated(w) : vt_writer_close(w);
	if (!ret && !cret)
		cret = vt_out_commit(&o);
	if (ret || cret) {
		vt_out_abort(&o);
		fprintf(stderr, "vgic-trace import: %s -> %s: %s; no trace written\n",
			in, out, strerror(ret ? -ret : -cret));
		vt_tc_close(t);
		return ret ? ret : cret;
	}
	vt_tc_print_summary(stderr, vt_tc_summary(t));
	print_gaps(vt_tc_summary(t));
	fprintf(stderr, "vgic-trace import: %llu records -> %s\n",
		(unsigned long long)vt_tc_summary(t)->records, out);
	vt_tc_close(t);
	return 0;
}
