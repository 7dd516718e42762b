// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * safe_file.c - temporary file, fsync, rename; refuse an output that is
 * an input. See vt_safe_file.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "vt_safe_file.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE	(1 << 0)
#endif

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* is the file @st (the output) one of @inputs? */
static const char *is_input(const struct stat *st, const char *const *inputs)
{
	struct stat in;
	size_t i;

	for (i = 0; inputs && inputs[i]; i++) {
		if (!strcmp(inputs[i], "-") ? fstat(0, &in) : stat(inputs[i], &in))
			continue;	/* the reader reports a missing input */
		if (same_file(st, &in))
			return inputs[i];
	}
	return NULL;
}

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int vt_out_open(struct vt_out *o, const char *path, bool force,
		const char *const *inputs, char *err, size_t errlen)
{
	const char *clash, *slash;
	size_t dirlen;
	struct stat st;
	mode_t mask;
	int ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = path;
	o->force = force;
	if (!strcmp(path, "-")) {
		if (!fstat(1, &st) && S_ISREG(st.st_mode) &&
		    (clash = is_input(&st, inputs)))
			return fail(err, errlen, -EINVAL,
				    "stdout is the input file %s", clash);
		o->fd = 1;
		return 0;
	}
	if (!stat(path, &st)) {
		if ((clash = is_input(&st, inputs)))
			return fail(err, errlen, -EINVAL,
				    "is the input file %s (refusing to overwrite the input)",
				    clash);
		if (!S_ISREG(st.st_mode)) {
			if (S_ISDIR(st.st_mode))
				return fail(err, errlen, -EISDIR, "%s",
					    strerror(EISDIR));
			/* a FIFO, /dev/null, a tty: write in place */
			o->fd = open(path, O_WRONLY | O_CLOEXEC);
			if (o->fd < 0)
				return fail(err, errlen, -errno, "%s",
					    strerror(errno));
			return 0;
		}
		if (!force)
			return fail(err, errlen, -EEXIST, "%s",
				    "exists (use --force to overwrite)");
		/* a symlink: replace the file it points to, not the link */
		o->final = realpath(path, NULL);
	} else if (errno != ENOENT) {
		return fail(err, errlen, -errno, "%s", strerror(errno));
	}
	if (!o->final)
		o->final = strdup(path);
	if (!o->final)
		goto nomem;
	/* ".NAME.XXXXXX" next to NAME: rename() stays in one file system */
	slash = strrchr(o->final, '/');
	dirlen = slash ? (size_t)(slash - o->final) + 1 : 0;
	o->tmp = malloc(strlen(o->final) + 9);
	if (!o->tmp)
		goto nomem;
	sprintf(o->tmp, "%.*s.%s.XXXXXX", (int)dirlen, o->final,
		o->final + dirlen);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd < 0) {
		ret = -errno;
		free(o->tmp);
		o->tmp = NULL;
		free(o->final);
		o->final = NULL;
		return fail(err, errlen, ret, "%s", strerror(-ret));
	}
	mask = umask(0);
	umask(mask);
	fchmod(o->fd, 0666 & ~mask);
	return 0;
nomem:
	free(o->final);
	o->final = NULL;
	return fail(err, errlen, -ENOMEM, "%s", strerror(ENOMEM));
}

static ssize_t cookie_write(void *arg, const char *buf, size_t len)
{
	struct vt_out *o = arg;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(o->fd, buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!o->err)
				o->err = -errno;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

FILE *vt_out_file(struct vt_out *o)
{
	cookie_io_functions_t io = { .write = cookie_write };

	if (!o->f)
		o->f = fopencookie(o, "w", io);
	return o->f;
}

/* close the stream (not the fd: fopencookie has no close callback here) */
static int close_stream(struct vt_out *o)
{
	int ret = 0;

	if (o->f) {
		if (fclose(o->f) && !o->err)
			o->err = -EIO;
		o->f = NULL;
	}
	if (o->err)
		ret = o->err;
	return ret;
}

static int sync_dir(const char *final)
{
	const char *slash = strrchr(final, '/');
	char *dir;
	int fd, ret = 0;

	dir = slash ? strndup(final, (size_t)(slash - final) + 1) : strdup(".");
	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (fsync(fd) && errno != EINVAL)
			ret = -errno;
		close(fd);
	}
	free(dir);
	return ret;
}

/* rename without replacing: renameat2(RENAME_NOREPLACE), else link+unlink */
static int rename_noreplace(const char *from, const char *to)
{
#ifdef SYS_renameat2
	if (!syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to,
		     RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
#endif
	if (link(from, to))
		return -errno;
	unlink(from);
	return 0;
}

int vt_out_commit(struct vt_out *o)
{
	int ret = close_stream(o);

	if (!ret && o->tmp && fsync(o->fd))
		ret = -errno;
	if (o->fd > 2 && close(o->fd) && !ret)
		ret = -errno;
	o->fd = -1;
	if (!ret && o->tmp) {
		/* without --force never replace what appeared meanwhile */
		if (o->force)
			ret = rename(o->tmp, o->final) ? -errno : 0;
		else
			ret = rename_noreplace(o->tmp, o->final);
		if (!ret) {
			free(o->tmp);
			o->tmp = NULL;
			ret = sync_dir(o->final);
		}
	}
	if (ret)
		vt_out_abort(o);
	free(o->final);
	o->final = NULL;
	return ret;
}

void vt_out_abort(struct vt_out *o)
{
	close_stream(o);
	if (o->fd > 2)
		close(o->fd);
	o->fd = -1;
	if (o->tmp) {
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	free(o->final);
	o->final = NULL;
}
