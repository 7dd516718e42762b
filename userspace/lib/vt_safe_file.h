/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_safe_file.h - output files that never destroy their input and never
 * leave a partial result behind.
 *
 * A regular output file is written to a temporary file in the target
 * directory (".NAME.XXXXXX"), synced and renamed over NAME only when
 * everything was written; vt_out_abort() removes the temporary file. An
 * output that is one of the inputs (same st_dev and st_ino, whatever
 * links lead there) is refused before anything is opened for writing.
 * An existing FILE needs @force. An output that exists and is not a
 * regular file (a FIFO, /dev/null, a terminal) and "-" (stdout) are
 * written in place.
 */
#ifndef VT_SAFE_FILE_H
#define VT_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/**
 * struct vt_out - an output file being written
 * @path:	what the user named ("-" for stdout)
 * @final:	where the result goes (symlinks resolved), malloc'd
 * @tmp:	temporary file, NULL when writing in place
 * @fd:		descriptor to write to
 * @force:	may replace an existing file
 * @err:	first write error seen through vt_out_file() (negative errno)
 * @f:		stdio stream from vt_out_file(), or NULL
 */
struct vt_out {
	const char *path;
	char *final;
	char *tmp;
	int fd;
	bool force;
	int err;
	FILE *f;
};

/**
 * vt_out_open() - start writing @path
 * @o:		output to fill
 * @path:	file to write, "-" for stdout
 * @force:	replace an existing regular file
 * @inputs:	NULL-terminated input paths ("-" is stdin) @path must not be
 * @err:	message for a failure ("is the input file", "exists, use
 *		--force", strerror)
 * @errlen:	size of @err
 *
 * Return: 0; -EEXIST; -EINVAL when @path is an input; other -errno.
 */
int vt_out_open(struct vt_out *o, const char *path, bool force,
		const char *const *inputs, char *err, size_t errlen);

/**
 * vt_out_file() - a stdio stream on the output that keeps the real
 * errno of a failed write in @o->err (ENOSPC, EFBIG, not EIO)
 * @o:		output
 *
 * Return: the stream (closed by vt_out_commit()/vt_out_abort()), or NULL.
 */
FILE *vt_out_file(struct vt_out *o);

/**
 * vt_out_commit() - flush, fsync, close and rename into place
 * @o:		output (its resources are released either way)
 *
 * Nothing is left behind on failure.
 *
 * Return: 0 or -errno (the first write error wins).
 */
int vt_out_commit(struct vt_out *o);

/**
 * vt_out_abort() - drop the output: close it and remove the temporary
 * file (an in-place output is left as it is)
 * @o:		output (may be already committed or aborted)
 */
void vt_out_abort(struct vt_out *o);

#endif /* VT_SAFE_FILE_H */
