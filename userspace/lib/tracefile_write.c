// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tracefile_write.c - write a vgic-trace file (header, CRC'd chunks,
 * end marker). See vt_tracefile.h for the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vt_crc32.h"
#include "vt_record.h"
#include "vt_tracefile.h"

_Static_assert(sizeof(struct vt_file_hdr) == VT_FILE_HDR_SIZE, "file hdr");
_Static_assert(sizeof(struct vt_chunk_hdr) == VT_CHUNK_HDR_SIZE, "chunk hdr");

struct vt_writer {
	int fd;
	bool own_fd;	/* opened by vt_writer_open(), closed by close */
	bool sync;	/* fdatasync after every chunk */
	int err;
	uint8_t *buf;
	size_t len;
	uint32_t nr;
	uint64_t seq;
	uint64_t records;
	uint64_t written;	/* records in chunks fully written */
	uint64_t good_off;	/* file size after the last complete chunk */
};

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_chunk(struct vt_writer *w, uint32_t flags)
{
	struct vt_chunk_hdr ch;
	int ret;

	memset(&ch, 0, sizeof(ch));
	ch.magic = VT_CHUNK_MAGIC;
	ch.flags = flags;
	ch.len = (uint32_t)w->len;
	ch.nr_records = w->nr;
	ch.seq = w->seq;
	ch.crc = vt_crc32(0, w->buf, w->len);
	ch.hdr_crc = vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc));
	ret = write_all(w->fd, &ch, sizeof(ch));
	if (!ret && w->len)
		ret = write_all(w->fd, w->buf, w->len);
	if (!ret && w->sync && fdatasync(w->fd) && errno != EINVAL &&
	    errno != EROFS)
		ret = -errno;	/* EINVAL/EROFS: a pipe or device, nothing to sync */
	if (ret) {
		/*
		 * Cut a partly written chunk off (a regular file only), so
		 * that the file reads as truncated after its last complete
		 * chunk instead of ending in half a chunk.
		 */
		if (ftruncate(w->fd, (off_t)w->good_off) == 0)
			lseek(w->fd, (off_t)w->good_off, SEEK_SET);
		return ret;
	}
	w->good_off += sizeof(ch) + w->len;
	w->written += w->nr;
	w->seq++;
	w->len = 0;
	w->nr = 0;
	return 0;
}

static void fill_hdr(struct vt_file_hdr *h, const struct vt_host_facts *facts)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, VT_FILE_MAGIC, sizeof(h->magic));
	h->major = VT_FILE_MAJOR;
	h->minor = VT_FILE_MINOR;
	h->hdr_size = sizeof(*h);
	h->endian = VT_FILE_ENDIAN;
	h->abi_major = VT_ABI_MAJOR;
	h->abi_minor = VT_ABI_MINOR;
	if (facts) {
		h->gic_version = facts->gic_version;
		h->nr_lrs = facts->nr_lrs;
		h->backend = facts->backend;
		memcpy(h->kernel_release, facts->kernel_release,
		       strnlen(facts->kernel_release,
			       sizeof(facts->kernel_release) - 1));
		memcpy(h->arch, facts->arch,
		       strnlen(facts->arch, sizeof(h->arch) - 1));
	}
	h->hdr_crc = vt_crc32(0, h, offsetof(struct vt_file_hdr, hdr_crc));
}

int vt_writer_fdopen(int fd, const struct vt_host_facts *facts,
		     struct vt_writer **out)
{
	struct vt_file_hdr h;
	struct vt_writer *w;
	int ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->buf = malloc(VT_CHUNK_DEFAULT + VT_REC_MAX_SIZE);
	if (!w->buf) {
		free(w);
		return -ENOMEM;
	}
	w->fd = fd;
	fill_hdr(&h, facts);
	ret = write_all(w->fd, &h, sizeof(h));
	if (ret) {
		free(w->buf);
		free(w);
		return ret;
	}
	w->good_off = sizeof(h);
	*out = w;
	return 0;
}

int vt_writer_open(const char *path, const struct vt_host_facts *facts,
		   bool force, struct vt_writer **out)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
	int fd, ret;

	flags |= force ? O_TRUNC : O_EXCL;
	fd = open(path, flags, 0644);
	if (fd < 0)
		return -errno;
	ret = vt_writer_fdopen(fd, facts, out);
	if (ret) {
		close(fd);
		return ret;
	}
	(*out)->own_fd = true;
	return 0;
}

void vt_writer_set_sync(struct vt_writer *w, bool sync)
{
	w->sync = sync;
}

int vt_writer_set_facts(struct vt_writer *w, const struct vt_host_facts *facts)
{
	struct vt_file_hdr h;
	ssize_t n;

	if (w->err)
		return w->err;
	fill_hdr(&h, facts);
	n = pwrite(w->fd, &h, sizeof(h), 0);
	if (n != (ssize_t)sizeof(h))
		return n < 0 ? -errno : -EIO;
	return 0;
}

int vt_writer_append(struct vt_writer *w, const struct vt_hdr *rec)
{
	int ret;

	if (w->err)
		return w->err;
	ret = vt_record_check(rec, VT_REC_MAX_SIZE, NULL, 0);
	if (ret)
		return ret;
	memcpy(w->buf + w->len, rec, rec->size);
	w->len += rec->size;
	w->nr++;
	w->records++;
	if (w->len >= VT_CHUNK_DEFAULT)
		return vt_writer_flush(w);
	return 0;
}

int vt_writer_flush(struct vt_writer *w)
{
	int ret;

	if (w->err)
		return w->err;
	if (!w->len)
		return 0;
	ret = write_chunk(w, 0);
	if (ret)
		w->err = ret;
	return ret;
}

int vt_writer_close(struct vt_writer *w)
{
	int ret;

	if (!w)
		return 0;
	ret = vt_writer_flush(w);
	if (!ret)
		ret = write_chunk(w, VT_CHUNK_F_END);
	if (w->own_fd && close(w->fd) && !ret)
		ret = -errno;
	free(w->buf);
	free(w);
	return ret;
}

int vt_writer_close_truncated(struct vt_writer *w)
{
	int ret;

	if (!w)
		return 0;
	ret = vt_writer_flush(w);
	if (w->own_fd && close(w->fd) && !ret)
		ret = -errno;
	free(w->buf);
	free(w);
	return ret;
}

uint64_t vt_writer_records(const struct vt_writer *w)
{
	return w->records;
}

uint64_t vt_writer_written(const struct vt_writer *w)
{
	return w->written;
}
