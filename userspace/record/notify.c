// SPDX-License-Identifier: GPL-2.0
/*
 * notify.c - the service manager protocol of vgic-traced (systemd
 * Type=notify): READY=1 once the source is open and the trace file
 * exists, STATUS= with the counts every second, WATCHDOG=1 when the unit
 * sets WatchdogSec=, STOPPING=1 at the end. Through libsystemd's
 * sd_notify(); without NOTIFY_SOCKET (not started by systemd) every call
 * does nothing. The static arm64 test build has no libsystemd (Debian
 * ships no libsystemd.a): there the calls do nothing either.
 */
#include <stdarg.h>
#include <stdio.h>
#include "traced.h"
#ifdef VT_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

/**
 * vt_notify() - send one notification (e.g. "READY=1")
 * @fmt:	printf format of the assignment(s), newline separated
 */
void vt_notify(const char *fmt, ...)
{
#ifdef VT_HAVE_SYSTEMD
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* 0 without NOTIFY_SOCKET, < 0 on a send error: nothing to do either way */
	sd_notify(0, buf);
#else
	(void)fmt;
#endif
}

/**
 * vt_notify_watchdog_ns() - the watchdog period the service manager asks
 * for (WATCHDOG_USEC of this process)
 *
 * Return: nanoseconds, 0 when there is no watchdog.
 */
uint64_t vt_notify_watchdog_ns(void)
{
#ifdef VT_HAVE_SYSTEMD
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0)
		return usec * 1000;
#endif
	return 0;
}
