# SPDX-License-Identifier: GPL-2.0
#
# vgic-trace top-level Makefile.
#
# The kernel module is built by Kbuild (see ./Kbuild and module/Kbuild);
# every other part has its own Makefile and writes into build/.
#
#   make deps      install build/test dependencies (apt-get, root)
#   make           host userspace: vgic-trace CLI, library, unit tests
#   make record    vgic-traced, the recorder (record-arm64: static arm64)
#   make module    vgic_trace.ko: VT_KERNEL=6.1|6.12|7.2 for the emulated
#                  host (build/module-$K/), else against KDIR (default
#                  /lib/modules/$(uname -r)/build), see docs/module.md
#   make demo      the main job: build all, boot the emulated arm64 KVM
#                  host, trace vfio, no-resample and vfio-mmap, report
#   make test      everything .ci/run runs: unit tests, the builds for the
#                  three kernels, the emulated host (full suite on 6.1,
#                  scenarios + module/BPF e2e subsets on 6.12 and 7.2)
#
#   VT_KERNEL=6.1|6.12|7.2 picks the emulated host's kernel:
#   make demo VT_KERNEL=7.2   the demo on 7.2 (check flags vfio-mmap)
#   make test VT_KERNEL=7.2   the full suite on that one kernel only
#   VT_STAGES="unit bpf-e2e-7.2" make test   only those stages
#   (scripts/run-tests.sh --list prints the stage table)
#   make soak      SOAK_CYCLES (1000) insmod/rmmod and BPF attach/detach
#                  cycles under interrupt load in the emulated host
#                  (scripts/testhost/soak.sh, figures in docs/soak.md)
#   make bench     analysis speed/memory table (bench/run.sh; BENCH_FULL=1
#                  adds 10^8 records)
#
# V=1 shows the commands.

V ?= 0
BUILD ?= $(CURDIR)/build
export V BUILD

.PHONY: all soak bench deps userspace userspace-arm64 record record-arm64 module bpf testhost test unit demo clean

all: userspace

deps:
	bash scripts/deps.sh

userspace:
	$(MAKE) -C userspace

userspace-arm64:
	$(MAKE) -C userspace ARCH=arm64

record:
	$(MAKE) -C userspace/record

record-arm64:
	$(MAKE) -C userspace/record ARCH=arm64

unit: userspace
	$(MAKE) -C userspace check

module:
	$(MAKE) -C module $(if $(VT_KERNEL),VT_KERNEL=$(VT_KERNEL)) $(if $(KDIR),KDIR=$(KDIR))

bench: userspace
	$(MAKE) -C bench
	bash bench/run.sh

bpf:
	$(MAKE) -C bpf

SOAK_CYCLES ?= 1000
soak:
	SOAK_CYCLES=$(SOAK_CYCLES) bash scripts/testhost/soak.sh

testhost:
	$(MAKE) -C scripts/testhost

test: deps
	bash scripts/run-tests.sh

demo: deps
	bash scripts/demo.sh

clean:
	rm -rf $(BUILD)/host $(BUILD)/arm64 $(BUILD)/out
	-$(MAKE) -C userspace clean
	-$(MAKE) -C module clean
	-$(MAKE) -C bpf clean
install uninstall: ; $(MAKE) -f dist/install.mk TOP=$(CURDIR) $@	# issue 10: see dist/install.mk
