// SPDX-License-Identifier: GPL-2.0
/*
 * vgic_trace.bpf.c - the BPF backend of vgic-trace: the records of
 * include/uapi/vgic_trace_abi.h from fentry/fexit, kprobe/kretprobe or
 * (degraded) kvm:* tracepoint programs, one hook group per header. The
 * loader (userspace/record/source_bpf.c) probes the kernel and enables
 * one program set per hook with bpf_program__set_autoload().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "../include/uapi/vgic_trace_abi.h"
#include "vt_bpf.h"
#include "vt_decode.h"
#include "vt_core.bpf.h"
#include "vt_read.bpf.h"
#include "hooks_irq.bpf.h"
#include "hooks_tp.bpf.h"
#include "hooks_selftest.bpf.h"
#if defined(__TARGET_ARCH_arm64)
#include "hooks_lr.bpf.h"
#include "hooks_vfio.bpf.h"
#include "hooks_mmio.bpf.h"
#endif

char LICENSE[] SEC("license") = "GPL";
