# SPDX-License-Identifier: GPL-2.0
#
# dist/install.mk - `make install` (top-level Makefile): both tools, man
# pages, bash completion, the systemd unit (with an example metrics
# drop-in and the Prometheus alerting rules under DOCDIR) and the module's
# DKMS source.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [SYSTEMDUNITDIR=...]
#                [DKMS=1]   also `dkms add` the installed source (root)
#   make uninstall          the same paths, removed
#
# Version: VT_VERSION of userspace/lib/vt_version.h, the one source.

TOP	?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BUILD	?= $(TOP)/build
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR	?= $(PREFIX)/share/doc/vgic-trace
DKMSSRCDIR ?= /usr/src
INSTALL	?= install
VERSION	:= $(shell sed -n 's/^\#define VT_VERSION "\(.*\)"/\1/p' $(TOP)/userspace/lib/vt_version.h)
DKMSDIR	:= $(DESTDIR)$(DKMSSRCDIR)/vgic-trace-$(VERSION)

CLI	:= $(BUILD)/host/vgic-trace
TRACED	:= $(BUILD)/host/vgic-traced
subst	= sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' \
	      -e 's|@PREFIX@|$(PREFIX)|g'

.PHONY: install uninstall install-bin install-doc install-systemd install-dkms

install: install-bin install-doc install-systemd install-dkms

install-bin:
	@test -n "$(VERSION)" || { echo "install: no VT_VERSION in userspace/lib/vt_version.h" >&2; exit 1; }
	@test -x $(CLI) -a -x $(TRACED) || { echo "install: build first (make userspace record)" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/vgic-trace
	$(INSTALL) -m 0755 $(TRACED) $(DESTDIR)$(SBINDIR)/vgic-traced

install-doc:
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	$(subst) $(TOP)/dist/man/vgic-trace.1 > $(DESTDIR)$(MANDIR)/man1/vgic-trace.1
	$(subst) $(TOP)/dist/man/vgic-traced.8 > $(DESTDIR)$(MANDIR)/man8/vgic-traced.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man1/vgic-trace.1 $(DESTDIR)$(MANDIR)/man8/vgic-traced.8
	$(INSTALL) -m 0644 $(TOP)/dist/bash-completion/vgic-trace $(DESTDIR)$(BASHCOMPDIR)/vgic-trace
	ln -sf vgic-trace $(DESTDIR)$(BASHCOMPDIR)/vgic-traced

install-systemd:
	$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR)
	$(subst) $(TOP)/dist/systemd/vgic-traced.service > $(DESTDIR)$(SYSTEMDUNITDIR)/vgic-traced.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/vgic-traced.service
	$(INSTALL) -d $(DESTDIR)$(DOCDIR)/vgic-traced.service.d $(DESTDIR)$(DOCDIR)/prometheus
	$(subst) $(TOP)/dist/systemd/vgic-traced.service.d/metrics.conf \
		> $(DESTDIR)$(DOCDIR)/vgic-traced.service.d/metrics.conf
	$(INSTALL) -m 0644 $(TOP)/dist/prometheus/vgic-trace.rules.yml $(DESTDIR)$(DOCDIR)/prometheus/
	chmod 0644 $(DESTDIR)$(DOCDIR)/vgic-traced.service.d/metrics.conf

# The module source as DKMS wants it: /usr/src/vgic-trace-VERSION/
install-dkms:
	$(INSTALL) -d $(DKMSDIR)/include
	cp -p $(TOP)/Kbuild $(DKMSDIR)/
	rm -rf $(DKMSDIR)/module && cp -pr $(TOP)/module $(DKMSDIR)/module
	rm -rf $(DKMSDIR)/module/tests
	find $(DKMSDIR)/module \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name modules.order -o -name Module.symvers \) -delete
	cp -pr $(TOP)/include/. $(DKMSDIR)/include/
	$(subst) $(TOP)/dist/dkms/dkms.conf > $(DKMSDIR)/dkms.conf
	$(if $(filter 1,$(DKMS)),dkms add -m vgic-trace -v $(VERSION))

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vgic-trace $(DESTDIR)$(SBINDIR)/vgic-traced \
	      $(DESTDIR)$(MANDIR)/man1/vgic-trace.1 $(DESTDIR)$(MANDIR)/man8/vgic-traced.8 \
	      $(DESTDIR)$(BASHCOMPDIR)/vgic-trace $(DESTDIR)$(BASHCOMPDIR)/vgic-traced \
	      $(DESTDIR)$(SYSTEMDUNITDIR)/vgic-traced.service
	rm -rf $(DKMSDIR) $(DESTDIR)$(DOCDIR)
