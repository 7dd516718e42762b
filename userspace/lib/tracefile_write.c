// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tracefile_write.c - write a vgic-trace file (header, CRC'd chunks,
 * end marker). See vt_tracefile.h for the layout. Format 2 (coded
 * records, tracefile_v2.c) by default; 1 with vt_writer_set_format() or
 * VGIC_TRACE_FORMAT=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vt_crc32.h"
#include "vt_record.h"
#include "vt_tracefile.h"
#include "vt_tracefile_v2.h"
#ifdef VT_HAVE_ZSTD
#include <zstd.h>
#endif

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
	unsigned int major;	/* file format written (1 or 2) */
	int zstd;		/* v2: zstd level of each chunk, 0 none */
	struct vt_v2_ctx *v2;	/* v2 coding state of the current chunk */
	uint8_t *zbuf;		/* v2 + zstd: the compressed chunk */
	size_t zcap;
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

	const uint8_t *data = w->buf;
	size_t len = w->len;

	memset(&ch, 0, sizeof(ch));
#ifdef VT_HAVE_ZSTD
	if (w->zstd && len) {
		size_t z = ZSTD_compress(w->zbuf, w->zcap, w->buf, w->len, w->zstd);

		if (!ZSTD_isError(z) && z < len) {
			data = w->zbuf;
			len = z;
			flags |= VT_CHUNK_F_ZSTD;
		}
	}
#endif
	ch.magic = VT_CHUNK_MAGIC;
	ch.flags = flags;
	ch.len = (uint32_t)len;
	ch.nr_records = w->nr;
	ch.seq = w->seq;
	ch.crc = vt_crc32(0, data, len);
	ch.hdr_crc = vt_crc32(0, &ch, offsetof(struct vt_chunk_hdr, hdr_crc));
	ret = write_all(w->fd, &ch, sizeof(ch));
	if (!ret && len)
		ret = write_all(w->fd, data, len);
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
	w->good_off += sizeof(ch) + len;
	w->written += w->nr;
	w->seq++;
	w->len = 0;
	w->nr = 0;
	if (w->v2)
		vt_v2_reset(w->v2);	/* each chunk decodes on its own */
	return 0;
}

static void fill_hdr(struct vt_file_hdr *h, const struct vt_host_facts *facts,
		     unsigned int major)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, VT_FILE_MAGIC, sizeof(h->magic));
	h->major = (uint16_t)major;
	h->minor = major == 2 ? VT_FILE_MINOR_V2 : VT_FILE_MINOR_V1;
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

/*
 * The format every writer starts with: VT_FILE_MAJOR (2), or what
 * $VGIC_TRACE_FORMAT says: "1", "2", "2+zstd" (level 3) or "2+zstd=L".
 */
static int default_format(unsigned int *major, int *zstd)
{
	const char *e = getenv(VT_FILE_FORMAT_ENV);
	char *end;
	long l;

	*major = VT_FILE_MAJOR;
	*zstd = 0;
	if (!e || !*e)
		return 0;
	if (!strcmp(e, "1") || !strcmp(e, "2")) {
		*major = (unsigned int)(e[0] - '0');
		return 0;
	}
	if (!strncmp(e, "2+zstd", 6) && (!e[6] || e[6] == '=')) {
		*major = 2;
		*zstd = 3;
		if (!e[6])
			return 0;
		errno = 0;
		l = strtol(e + 7, &end, 10);
		if (!errno && end != e + 7 && !*end && l >= 1 && l <= 19) {
			*zstd = (int)l;
			return 0;
		}
	}
	fprintf(stderr, "vgic-trace: %s='%s' is not 1, 2, 2+zstd or 2+zstd=1..19\n",
		VT_FILE_FORMAT_ENV, e);
	return -EINVAL;
}

/* coding buffers of a format (none for v1) */
static int alloc_format(struct vt_writer *w, unsigned int major, int zstd)
{
	if (major == 2 && !w->v2) {
		w->v2 = malloc(sizeof(*w->v2));
		if (!w->v2)
			return -ENOMEM;
		vt_v2_reset(w->v2);
	}
#ifdef VT_HAVE_ZSTD
	if (zstd && !w->zbuf) {
		w->zcap = ZSTD_compressBound(VT_CHUNK_DEFAULT + VT_V2_MAX_CODED);
		w->zbuf = malloc(w->zcap);
		if (!w->zbuf)
			return -ENOMEM;
	}
#else
	if (zstd)
		return -EOPNOTSUPP;
#endif
	return 0;
}

static void free_writer(struct vt_writer *w)
{
	free(w->v2);
	free(w->zbuf);
	free(w->buf);
	free(w);
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
	w->buf = malloc(VT_CHUNK_DEFAULT + VT_V2_MAX_CODED);
	if (!w->buf) {
		free(w);
		return -ENOMEM;
	}
	w->fd = fd;
	ret = default_format(&w->major, &w->zstd);
	if (!ret)
		ret = alloc_format(w, w->major, w->zstd);
	if (!ret) {
		fill_hdr(&h, facts, w->major);
		ret = write_all(w->fd, &h, sizeof(h));
	}
	if (ret) {
		free_writer(w);
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

int vt_writer_set_format(struct vt_writer *w, unsigned int major, int zstd,
			 const struct vt_host_facts *facts)
{
	unsigned int old = w->major;
	int ret;

	if (w->err)
		return w->err;
	if ((major != 1 && major != 2) || (major == 1 && zstd) ||
	    zstd < 0 || zstd > 19 || w->records)
		return -EINVAL;
	ret = alloc_format(w, major, zstd);
	if (ret)
		return ret;
	w->zstd = zstd;
	if (major == old)
		return 0;
	w->major = major;
	ret = vt_writer_set_facts(w, facts);
	if (ret)
		w->major = old;
	return ret;
}

int vt_writer_set_facts(struct vt_writer *w, const struct vt_host_facts *facts)
{
	struct vt_file_hdr h;
	ssize_t n;

	if (w->err)
		return w->err;
	fill_hdr(&h, facts, w->major);
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
	if (w->major == 2) {
		w->len += vt_v2_encode(w->v2, rec, w->buf + w->len);
	} else {
		memcpy(w->buf + w->len, rec, rec->size);
		w->len += rec->size;
	}
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
	free_writer(w);
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
	free_writer(w);
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
