# SPDX-License-Identifier: GPL-2.0
#
# module/toolchain.mk - every toolchain decision of the vgic_trace.ko build,
# in one place. Included twice:
#
#  1. by module/Makefile (outer make, KERNELRELEASE unset): reads the
#     target kernel's .config ($(VT_KDIR)/.config), compares what the
#     kernel was built with (CONFIG_CC_VERSION_TEXT, CONFIG_PAHOLE_VERSION,
#     CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS, CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT)
#     with what this machine has, and sets
#       VT_TC_ARCH        ARCH= and CROSS_COMPILE= for the kbuild make line
#       VT_TC_MAKEVARS    extra variables for the kbuild make line
#       VT_TC_NOFTRACE    y when the module must be built without ftrace
#                         patch sites (see below)
#       VT_TC_ALIGN       required alignment of patchable entries (0: none)
#       VT_TC_SUMMARY     one line for the build log
#  2. by module/Kbuild (inside kbuild): applies VT_TC_NOFTRACE and the
#     flag filtering to this module's objects only.
#
# The rules:
#  - CALL_OPS (arm64 DYNAMIC_FTRACE_WITH_CALL_OPS) puts an 8-byte literal
#    before each function's patchable entry; ftrace_init_nop() at insmod
#    writes it with aarch64_insn_write_literal_u64(), which BUG()s on a
#    misaligned address. Kernels built with a compiler that has
#    -fmin-function-alignment (gcc >= 14, CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT)
#    also keep __cold real, and gcc < 14 ignores -falign-functions for cold
#    functions: such a module has misaligned entries. So when the kernel
#    has CALL_OPS + CC_HAS_MIN_FUNCTION_ALIGNMENT and our compiler lacks
#    -fmin-function-alignment, the module is built WITHOUT ftrace patch
#    sites (ccflags-remove-y += $(CC_FLAGS_FTRACE)); its own functions are
#    then not ftrace-able, which vgic-trace never needs. -fmin-function-
#    alignment=N is replaced by -falign-functions=N.
#    A kernel with CALL_OPS but no CC_HAS_MIN_FUNCTION_ALIGNMENT (Debian
#    6.12, built by gcc 12 like ours) neuters __cold itself and uses
#    -falign-functions: the same compiler gives the same, safe layout.
#  - module BTF (CONFIG_DEBUG_INFO_BTF_MODULES) needs the pahole the
#    kernel's scripts/Makefile.btf expects (--btf_features from 1.26): with
#    an older local pahole module BTF is skipped (CONFIG_DEBUG_INFO_BTF_MODULES=
#    on the make line); the module does not need its own BTF.
#  - after the build, scripts/check-ko.py verifies the .ko: every entry of
#    __patchable_function_entries aligned to VT_TC_ALIGN (CALL_OPS: 8), and
#    refuses the module (deleted, clear message) otherwise.
#  - the kernel's CC (Debian's .kernelvariables: e.g. gcc-16) is replaced
#    by ours (CC= on the make line); -fmin-function-alignment, which kbuild
#    adds itself, is rewritten by scripts/cc-compat.sh to -falign-functions;
#    the counted_by attribute is dropped by compat/counted_by.h when our
#    compiler lacks it (it only adds bounds checks).
#  - clang is used only if the kernel was built with clang (LLVM=1).

ifeq ($(KERNELRELEASE),)
# ---------------------------------------------------------------- outer make
vt_cfg = $(shell sed -n 's/^$(1)=//p' $(VT_KDIR)/.config 2>/dev/null | tr -d '"')

VT_K_ARM64	:= $(call vt_cfg,CONFIG_ARM64)
VT_K_X86	:= $(call vt_cfg,CONFIG_X86_64)
VT_K_CLANG	:= $(filter-out 0,$(call vt_cfg,CONFIG_CLANG_VERSION))
VT_K_CC		:= $(call vt_cfg,CONFIG_CC_VERSION_TEXT)
VT_K_CALLOPS	:= $(call vt_cfg,CONFIG_DYNAMIC_FTRACE_WITH_CALL_OPS)
VT_K_MINALIGN	:= $(call vt_cfg,CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT)
VT_K_FALIGN	:= $(call vt_cfg,CONFIG_FUNCTION_ALIGNMENT)
VT_K_PAHOLE	:= $(call vt_cfg,CONFIG_PAHOLE_VERSION)
VT_K_BTFMOD	:= $(call vt_cfg,CONFIG_DEBUG_INFO_BTF_MODULES)
VT_HOST_ARCH	:= $(shell uname -m)

# ARCH / CROSS_COMPILE from the kernel's architecture and ours
ifeq ($(VT_K_ARM64),y)
VT_TC_KARCH := arm64
ifneq ($(VT_HOST_ARCH),aarch64)
VT_TC_CROSS ?= aarch64-linux-gnu-
endif
else ifeq ($(VT_K_X86),y)
VT_TC_KARCH := x86_64
ifneq ($(VT_HOST_ARCH),x86_64)
VT_TC_CROSS ?= x86_64-linux-gnu-
endif
else
VT_TC_KARCH := $(VT_HOST_ARCH)
endif

ifneq ($(VT_K_CLANG),)
VT_TC_CC := clang
VT_TC_ARCH := ARCH=$(VT_TC_KARCH) LLVM=1
else
VT_TC_CC := $(VT_TC_CROSS)gcc
# CC explicitly: Debian's .kernelvariables name the kernel's own compiler
# (e.g. aarch64-linux-gnu-gcc-16), which this machine may not have
VT_TC_ARCH := ARCH=$(VT_TC_KARCH) $(if $(VT_TC_CROSS),CROSS_COMPILE=$(VT_TC_CROSS)) CC=$(VT_TC_CC)
endif

VT_TC_HAVE_CC := $(shell command -v $(VT_TC_CC) >/dev/null 2>&1 && echo y)
VT_TC_CC_TEXT := $(shell $(VT_TC_CC) --version 2>/dev/null | head -n1)
VT_TC_HAS_MINALIGN := $(shell echo 'int f(void){return 0;}' | \
	$(VT_TC_CC) -fmin-function-alignment=8 -x c -c -o /dev/null - >/dev/null 2>&1 && echo y)

VT_TC_HAS_COUNTED_BY := $(shell echo 'struct s { int n; int a[] __attribute__((__counted_by__(n))); };' | \
	$(VT_TC_CC) -Werror -x c -c -o /dev/null - >/dev/null 2>&1 && echo y)
VT_K_COUNTED_BY := $(call vt_cfg,CONFIG_CC_HAS_COUNTED_BY)
VT_TC_NO_COUNTED_BY := $(if $(filter y-,$(VT_K_COUNTED_BY)-$(VT_TC_HAS_COUNTED_BY)),y)

# -fmin-function-alignment unknown to our compiler: CC goes through
# scripts/cc-compat.sh (before kbuild's cc-option probes see the flag)
ifeq ($(VT_K_MINALIGN)-$(VT_TC_HAS_MINALIGN),y-)
VT_TC_ARCH := $(filter-out CC=%,$(VT_TC_ARCH)) \
	CC="$(VT_TOP)/module/scripts/cc-compat.sh $(VT_TC_CC)"
endif

# CALL_OPS: patchable entries must be 8-byte aligned
VT_TC_ALIGN := 0
VT_TC_NOFTRACE :=
ifeq ($(VT_K_CALLOPS),y)
VT_TC_ALIGN := 8
ifeq ($(VT_K_MINALIGN)-$(VT_TC_HAS_MINALIGN),y-)
VT_TC_NOFTRACE := y
endif
endif

# pahole for module BTF
VT_TC_PAHOLE := $(shell pahole --version 2>/dev/null | sed 's/^v//; s/\.//')
VT_TC_MAKEVARS :=
VT_TC_BTF := $(VT_K_BTFMOD)
ifeq ($(VT_K_BTFMOD),y)
ifeq ($(VT_TC_PAHOLE),)
VT_TC_BTF := skipped (no pahole)
VT_TC_MAKEVARS += CONFIG_DEBUG_INFO_BTF_MODULES=
else ifeq ($(shell [ $(VT_TC_PAHOLE) -lt 126 ] && [ $(VT_K_PAHOLE) -ge 126 ] && echo old),old)
VT_TC_BTF := skipped (pahole $(VT_TC_PAHOLE) < 1.26, kernel built with $(VT_K_PAHOLE))
VT_TC_MAKEVARS += CONFIG_DEBUG_INFO_BTF_MODULES=
endif
endif

# Debian's headers Makefile may name KBUILD_OUTPUT=/usr/src/...: when the
# headers are unpacked elsewhere (build/cache), point it at them
VT_K_KOUT := $(shell sed -n 's/^KBUILD_OUTPUT=//p' $(VT_KDIR)/Makefile 2>/dev/null)
ifneq ($(VT_K_KOUT),)
ifeq ($(wildcard $(VT_K_KOUT)/.config),)
VT_TC_MAKEVARS += KBUILD_OUTPUT=$(abspath $(VT_KDIR))
endif
endif

VT_TC_MAKEVARS += VT_TC_NOFTRACE=$(VT_TC_NOFTRACE) VT_TC_NO_COUNTED_BY=$(VT_TC_NO_COUNTED_BY)

VT_TC_SUMMARY := kernel cc "$(VT_K_CC)", ours "$(VT_TC_CC_TEXT)"; \
	CALL_OPS=$(or $(VT_K_CALLOPS),n) align=$(VT_TC_ALIGN) \
	ftrace-sites=$(if $(VT_TC_NOFTRACE),removed (no -fmin-function-alignment),kept); \
	module BTF=$(or $(VT_TC_BTF),n)$(if $(VT_TC_NO_COUNTED_BY),; counted_by dropped)

else
# ------------------------------------------------------ inside kbuild (Kbuild)
ifeq ($(VT_TC_NOFTRACE),y)
ccflags-remove-y += $(CC_FLAGS_FTRACE)
endif
# the counted_by attribute of a newer compiler (compat/counted_by.h)
ifeq ($(VT_TC_NO_COUNTED_BY),y)
ccflags-y += -include $(src)/compat/counted_by.h
endif
endif
