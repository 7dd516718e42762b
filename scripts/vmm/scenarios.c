// SPDX-License-Identifier: GPL-2.0
/*
 * scenarios.c - the scenario table and running one scenario: VM, vgic,
 * lines (VMM device or edu through VFIO), guest parameters, time limit.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"

static const struct scenario table[] = {
	{ "healthy", VT_GS_HEALTHY, 1, VFIO_OPTIONAL, 1, 0, 200, 1, 0,
	  "level SPI through irqfd+resample; guest acks the device and EOIs" },
	{ "vfio", VT_GS_HEALTHY, 1, VFIO_REQUIRED, 1, 0, 20, 1, 0,
	  "edu INTx through VFIO: trigger eventfd = irqfd, unmask eventfd = resamplefd" },
	{ "no-resample", VT_GS_NO_RESAMPLE, 1, VFIO_OPTIONAL, 0, 0, 3, 1, 0,
	  "irqfd registered without a resamplefd" },
	{ "guest-no-eoi", VT_GS_GUEST_NO_EOI, 1, VFIO_OPTIONAL, 1, 0, 3, 1, 0,
	  "guest acks the device but never EOIs" },
	{ "icactiver", VT_GS_ICACTIVER, 1, VFIO_NEVER, 1, 0, 3, 1, 0,
	  "EOImode=1, EOIR then deactivation through GICD_ICACTIVER1" },
	{ "icpendr", VT_GS_ICPENDR, 1, VFIO_NEVER, 1, 0, 3, 1, 0,
	  "pending SPI cleared through GICD_ICPENDR1 after the device ack" },
	{ "storm", VT_GS_STORM, 1, VFIO_OPTIONAL, 1, 0, 20, 1, 0,
	  "guest EOIs without acking the device: the line re-asserts" },
	{ "lr-overflow", VT_GS_LR_OVERFLOW, 6, VFIO_NEVER, 1, 0, 3, 1, 0,
	  "6 SPIs active via ISACTIVER1 (4 LRs), EOImode=1, DIR 37..32" },
	{ "lr-overflow-asc", VT_GS_LR_OVERFLOW, 6, VFIO_NEVER, 1, VT_FLAG_ASCENDING, 3, 1, 0,
	  "as lr-overflow with DIR 32..37 (control)" },
	{ "migrate", VT_GS_MIGRATE, 1, VFIO_OPTIONAL, 1, 0, 40, 2, 0,
	  "SPI retargeted (IROUTER/ITARGETSR) to the next vCPU while active" },
	{ "mem-ack", VT_GS_MEM_ACK, 1, VFIO_NEVER, 1, 0, 20, 1, 1,
	  "irqfd+resample; the guest acks the device by a RAM write (no exit), then EOIs" },
	{ "vfio-mmap", VT_GS_MEM_ACK, 1, VFIO_REQUIRED, 1, 0, 20, 1, 1,
	  "edu via VFIO, BAR0 mapped into the guest as a memslot (QEMU's default)" },
};

/** scenario_find() - the scenario called @name, or NULL. */
const struct scenario *scenario_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

/** scenario_list() - print the table (vmm --list). */
void scenario_list(void)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		printf("%-16s rounds=%-3d vcpus>=%d %s%s\n", table[i].name,
		       table[i].rounds, table[i].min_vcpus, table[i].what,
		       table[i].vfio == VFIO_REQUIRED ? " [--vfio BDF]" :
		       table[i].vfio == VFIO_OPTIONAL ? " [edu with --vfio]" : "");
}

/* GICv3 when the host can emulate it, else GICv2 */
static int probe_gic(struct vm *vm)
{
	struct kvm_create_device cd = {
		.type = KVM_DEV_TYPE_ARM_VGIC_V3,
		.flags = KVM_CREATE_DEVICE_TEST,
	};

	return ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) == 0 ? 3 : 2;
}

static int setup_vmm_lines(struct vm *vm, int resample)
{
	int i, ret, trig, rs;

	for (i = 0; i < vm->nr_lines; i++) {
		trig = eventfd(0, EFD_CLOEXEC);
		rs = resample ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1;
		if (trig < 0 || (resample && rs < 0)) {
			ret = -errno;
			goto err;
		}
		ret = line_setup(vm, i, trig, rs);
		if (ret)
			goto err;
	}
	return 0;
err:
	if (trig >= 0)
		close(trig);
	if (rs >= 0)
		close(rs);
	return ret;
}

static void setup_shared(const struct run_opts *o, struct vm *vm, int edu)
{
	struct vt_shared *sh = vm->sh;

	sh->magic = VT_SHARED_MAGIC;
	sh->scenario = o->scen->guest_id;
	sh->rounds = (uint32_t)o->rounds;
	sh->nr_vcpus = (uint32_t)vm->nr_vcpus;
	sh->gic = (uint32_t)vm->gic;
	sh->nr_lines = (uint32_t)vm->nr_lines;
	sh->flags = o->scen->flags | (edu ? VT_FLAG_EDU : 0);
	sh->wait_ms = o->wait_ms;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000L + (t1.tv_nsec - t0->tv_nsec) / 1000000L;
}

/**
 * scenario_run() - run @o->scen once and print its VT_GROUND_TRUTH line.
 *
 * Return: 0 when the scenario ran as designed (guest finished every step
 * within the time limit, no unexpected exit), 1 otherwise.
 */
int scenario_run(const struct run_opts *o)
{
	const struct scenario *s = o->scen;
	struct vm vm;
	struct timespec t0;
	long irq0 = -1, irq1 = -1;
	const char *status = "done";
	int ret, i, rc = 1;

	memset(&vm, 0, sizeof(vm));
	vm.nr_lines = s->nr_lines;
	vm.resample = s->resample;
	vm.mem_ack = s->mem_ack;
	vm.edu_status = -1;
	for (i = 0; i < VT_MAX_LINES; i++)
		vm.line[i].trigger_fd = vm.line[i].resample_fd = -1;
	if (vm_create(&vm, o->vcpus, 3))
		goto out;
	vm.gic = o->gic ? o->gic : probe_gic(&vm);
	if (vm_load_guest(&vm) || vgic_create(&vm, 32 * ((s->nr_lines + 31) / 32)) ||
	    vgic_init(&vm))
		goto out;
	if (o->vfio_bdf && s->vfio != VFIO_NEVER) {
		vm.vfio = vfio_open(o->vfio_bdf);
		if (!vm.vfio || vfio_setup_intx(&vm, vm.vfio, s->resample) ||
		    (s->mem_ack && vfio_map_bar(&vm, vm.vfio)))
			goto out;
		irq0 = vfio_host_irqs(vm.vfio);
	} else if (setup_vmm_lines(&vm, s->resample)) {
		goto out;
	}
	setup_shared(o, &vm, vm.vfio != NULL);
	if (resample_thread_start(&vm))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = vm_start(&vm);
	if (!ret)
		ret = vm_wait(&vm, o->timeout_s * 1000);
	resample_thread_stop(&vm);
	if (vm.vfio) {
		irq1 = vfio_host_irqs(vm.vfio);
		vm.edu_status = vfio_edu_status(vm.vfio);
	}
	if (ret == -ETIMEDOUT) {
		status = "timeout";
		fprintf(stderr, "vmm: %s: time limit of %us reached\n", s->name, o->timeout_s);
	} else if (ret) {
		status = "vmm-error";
		fprintf(stderr, "vmm: %s: vCPU threads: %s\n", s->name, strerror(-ret));
	} else if (vm.sh->status != VT_STATUS_DONE) {
		status = vm.sh->status == VT_STATUS_SETUP_FAIL ? "setup-fail" :
			 vm.sh->status == VT_STATUS_EXCEPTION ? "guest-exception" : "vmm-error";
		/* every way out of a vCPU thread prints why; this is the rest */
		if (!strcmp(status, "vmm-error"))
			fprintf(stderr, "vmm: %s: the vCPUs left with the guest's status %u (not done) at round %u\n",
				s->name, vm.sh->status, vm.sh->round);
	} else {
		for (i = 0; i < vm.nr_vcpus; i++)
			if (vm.vcpu[i].err)
				status = "vmm-error";
	}
	report_ground_truth(o, &vm, status,
			    (irq0 >= 0 && irq1 >= 0) ? irq1 - irq0 : -1, ms_since(&t0));
	rc = strcmp(status, "done") ? 1 : 0;
out:
	if (rc && !vm.sh)
		fprintf(stderr, "vmm: %s: setup failed\n", s->name);
	vfio_close(vm.vfio);
	vm_destroy(&vm);
	return rc;
}
