// SPDX-License-Identifier: GPL-2.0
/*
 * vfio.c - QEMU's edu device passed through with VFIO, wired as QEMU wires
 * INTx: the INTx trigger eventfd is the KVM irqfd of line 0 and the INTx
 * unmask eventfd is its resamplefd, so EOI -> resample -> vfio unmask runs
 * entirely in the kernel. BAR0 is trapped (guest accesses are forwarded
 * with pread/pwrite and raises/acks counted on the way) or, for vfio-mmap,
 * mapped into the guest as a memslot on the region's mmap, as QEMU does by
 * default: then the guest reaches edu without an exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "vmm.h"

struct vfio_dev {
	char bdf[32];
	int container;
	int group;
	int device;
	uint64_t bar0_off;
	uint64_t bar0_size;
	uint32_t bar0_flags;
	void *bar0_map;		/* vfio_map_bar(): BAR0 mmap, or NULL */
};

static int vfio_group_of(const char *bdf)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *end;
	long grp;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	errno = 0;
	grp = strtol(basename(link), &end, 10);
	if (errno || *end || grp < 0)
		return -EINVAL;
	return (int)grp;
}

/**
 * vfio_open() - open @bdf (bound to vfio-pci) in a type1v2 container.
 *
 * Return: the device or NULL (message on stderr).
 */
struct vfio_dev *vfio_open(const char *bdf)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct vfio_dev *v;
	uint32_t all = ~0u;
	char path[64];
	int grp;

	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->container = v->group = v->device = -1;
	snprintf(v->bdf, sizeof(v->bdf), "%s", bdf);
	grp = vfio_group_of(bdf);
	if (grp < 0) {
		fprintf(stderr, "vmm: %s: no IOMMU group (%s); bound to vfio-pci?\n",
			bdf, strerror(-grp));
		goto err;
	}
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0) {
		fprintf(stderr, "vmm: /dev/vfio/vfio: %s\n", strerror(errno));
		goto err;
	}
	if (ioctl(v->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    !ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU)) {
		fprintf(stderr, "vmm: VFIO type1v2 not supported\n");
		goto err;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0) {
		fprintf(stderr, "vmm: %s: %s\n", path, strerror(errno));
		goto err;
	}
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st) < 0 ||
	    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		fprintf(stderr, "vmm: VFIO group %d not viable\n", grp);
		goto err;
	}
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container) < 0 ||
	    ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0) {
		fprintf(stderr, "vmm: VFIO container setup: %s\n", strerror(errno));
		goto err;
	}
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0) {
		fprintf(stderr, "vmm: VFIO_GROUP_GET_DEVICE_FD %s: %s\n", bdf, strerror(errno));
		goto err;
	}
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	if (ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0 || reg.size == 0) {
		fprintf(stderr, "vmm: %s: no BAR0\n", bdf);
		goto err;
	}
	v->bar0_off = reg.offset;
	v->bar0_size = reg.size;
	v->bar0_flags = reg.flags;
	/*
	 * Quiesce: a raise left unacknowledged by an earlier run keeps INTx
	 * asserted, which would fire before the guest has made the SPI
	 * level-sensitive. Not counted as a device ack.
	 */
	if (pwrite(v->device, &all, sizeof(all),
		   (off_t)(v->bar0_off + VT_EDU_IRQ_ACK)) != sizeof(all)) {
		fprintf(stderr, "vmm: %s: cannot acknowledge edu's interrupts\n", bdf);
		goto err;
	}
	return v;
err:
	vfio_close(v);
	return NULL;
}

/** vfio_close() - close the device, group and container. */
void vfio_close(struct vfio_dev *v)
{
	if (!v)
		return;
	if (v->bar0_map)
		munmap(v->bar0_map, v->bar0_size);
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	free(v);
}

static int set_irq_fd(struct vfio_dev *v, uint32_t action, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd32 = fd;

	set->argsz = sizeof(buf);
	set->flags = action | (fd >= 0 ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	set->index = VFIO_PCI_INTX_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	if (fd < 0)
		set->argsz = sizeof(*set);
	else
		memcpy(set->data, &fd32, sizeof(fd32));
	if (ioctl(v->device, VFIO_DEVICE_SET_IRQS, set) < 0)
		return -errno;
	return 0;
}

/**
 * vfio_setup_intx() - INTx trigger eventfd -> KVM irqfd of line 0; with
 * @resample, the INTx unmask eventfd is the irqfd's resamplefd. Without it
 * (the no-resample misconfiguration) the unmask eventfd is registered with
 * vfio but never signalled.
 */
int vfio_setup_intx(struct vm *vm, struct vfio_dev *v, int resample)
{
	struct vfio_irq_info info = { .argsz = sizeof(info) };
	int trigger, unmask, ret;

	info.index = VFIO_PCI_INTX_IRQ_INDEX;
	if (ioctl(v->device, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0 || info.count < 1) {
		fprintf(stderr, "vmm: %s has no INTx\n", v->bdf);
		return -ENODEV;
	}
	trigger = eventfd(0, EFD_CLOEXEC);
	if (trigger < 0)
		return -errno;
	unmask = eventfd(0, EFD_CLOEXEC);
	if (unmask < 0) {
		ret = -errno;
		close(trigger);
		return ret;
	}
	ret = set_irq_fd(v, VFIO_IRQ_SET_ACTION_TRIGGER, trigger);
	if (ret)
		goto err_set;
	ret = line_setup(vm, 0, trigger, resample ? unmask : -1);
	if (ret)
		goto err_close;
	ret = set_irq_fd(v, VFIO_IRQ_SET_ACTION_UNMASK, unmask);
	if (!ret)
		ret = set_irq_fd(v, VFIO_IRQ_SET_ACTION_UNMASK, -1);
	if (ret)
		goto err_set;
	return 0;
err_set:
	fprintf(stderr, "vmm: VFIO_DEVICE_SET_IRQS: %s\n", strerror(-ret));
err_close:
	close(trigger);
	close(unmask);
	return ret;
}

/**
 * vfio_mmio() - forward a guest access to edu's BAR0 at @off; raises and
 * acks are counted on line 0.
 */
int vfio_mmio(struct vm *vm, uint64_t off, uint8_t *data, int len, int is_write)
{
	struct vfio_dev *v = vm->vfio;
	ssize_t n;

	if (off + (uint64_t)len > v->bar0_size)
		return -EFAULT;
	if (is_write) {
		n = pwrite(v->device, data, len, (off_t)(v->bar0_off + off));
		pthread_mutex_lock(&vm->lock);
		if (off == VT_EDU_IRQ_RAISE)
			vm->line[0].raise++;
		else if (off == VT_EDU_IRQ_ACK)
			vm->line[0].ack++;
		pthread_mutex_unlock(&vm->lock);
	} else {
		n = pread(v->device, data, len, (off_t)(v->bar0_off + off));
	}
	if (n != len) {
		fprintf(stderr, "vmm: edu BAR0 %s at %#llx failed\n", is_write ? "write" : "read",
			(unsigned long long)off);
		return -EIO;
	}
	return 0;
}

/**
 * vfio_map_bar() - map edu's BAR0 into the guest at VT_EDU_BASE: mmap the
 * VFIO region and register it as memslot 1 (KVM_SET_USER_MEMORY_REGION),
 * the way QEMU maps a BAR whose region allows mmap. Guest accesses then
 * reach the device without an exit, so the VMM no longer sees raises and
 * acks.
 *
 * Return: 0 or a negative errno (message on stderr).
 */
int vfio_map_bar(struct vm *vm, struct vfio_dev *v)
{
	struct kvm_userspace_memory_region region = { 0 };
	void *p;
	int ret;

	if (!(v->bar0_flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		fprintf(stderr, "vmm: %s: BAR0 region cannot be mmapped\n", v->bdf);
		return -ENOTSUP;
	}
	if (v->bar0_size > VT_EDU_SIZE || v->bar0_size % 4096) {
		fprintf(stderr, "vmm: %s: BAR0 of %#llx bytes does not fit the guest window\n",
			v->bdf, (unsigned long long)v->bar0_size);
		return -E2BIG;
	}
	p = mmap(NULL, v->bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->device,
		 (off_t)v->bar0_off);
	if (p == MAP_FAILED) {
		ret = -errno;
		fprintf(stderr, "vmm: %s: mmap of BAR0: %s\n", v->bdf, strerror(errno));
		return ret;
	}
	v->bar0_map = p;
	region.slot = 1;
	region.guest_phys_addr = VT_EDU_BASE;
	region.memory_size = v->bar0_size;
	region.userspace_addr = (uint64_t)(uintptr_t)p;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		fprintf(stderr, "vmm: KVM_SET_USER_MEMORY_REGION (edu BAR0): %s\n",
			strerror(errno));
		return ret;
	}
	return 0;
}

/**
 * vfio_edu_status() - edu's interrupt status register (non-zero: the
 * device still asserts INTx, a raise nobody acked), or -1.
 */
long vfio_edu_status(struct vfio_dev *v)
{
	uint32_t st;

	if (pread(v->device, &st, sizeof(st), (off_t)(v->bar0_off + VT_EDU_IRQ_STATUS)) !=
	    sizeof(st))
		return -1;
	return st;
}

/**
 * vfio_host_irqs() - hard interrupts the host took for this device's INTx
 * so far (the "vfio-intx(BDF)" line of /proc/interrupts), or -1.
 */
long vfio_host_irqs(struct vfio_dev *v)
{
	char line[1024], name[64];
	long total = -1;
	FILE *f;

	snprintf(name, sizeof(name), "vfio-intx(%s)", v->bdf);
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (!strstr(line, name))
			continue;
		p = strchr(line, ':');
		if (!p)
			break;
		total = 0;
		for (p++;;) {
			long n = strtol(p, &end, 10);

			if (end == p)
				break;
			total += n;
			p = end;
		}
		break;
	}
	fclose(f);
	return total;
}

/** vfio_nointxmask() - 1 when vfio-pci was loaded with nointxmask=1. */
int vfio_nointxmask(void)
{
	FILE *f = fopen("/sys/module/vfio_pci/parameters/nointxmask", "r");
	int c;

	if (!f)
		return 0;
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == '1';
}
