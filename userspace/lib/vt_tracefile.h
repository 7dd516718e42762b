/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vt_tracefile.h - the vgic-trace file: write once, analyse many times.
 *
 * Layout (all integers in the byte order of the recording host, which
 * the header's @endian field lets a reader check):
 *
 *   struct vt_file_hdr                      (VT_FILE_HDR_SIZE bytes)
 *   { struct vt_chunk_hdr; records... }*    data chunks
 *   struct vt_chunk_hdr with VT_CHUNK_F_END  end marker (clean close)
 *
 * Each chunk carries the byte length and record count of its payload
 * and a CRC32 (IEEE 802.3, as zlib) over the payload. The payload is a
 * plain concatenation of ABI records (struct vt_hdr first).
 * Format 2.0 (header major 2) has the same header and chunks, but the
 * payload codes each record in a few bytes (tracefile_v2.c: delta
 * timestamps, varints, record bodies XORed with the previous record of
 * the same type and vCPU, so an LR record carries only the LRs that
 * changed), each chunk on its own; with VT_CHUNK_F_ZSTD the payload is a
 * zstd frame of that. The CRC covers the payload as stored. Readers take
 * both majors.
 * A file without an end marker is truncated: the reader hands out the
 * records of every intact chunk and then says where and why it stopped.
 * A bad magic, an unknown major version or a CRC mismatch is an error.
 */
#ifndef VT_TRACEFILE_H
#define VT_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vgic_trace_abi.h>

#define VT_FILE_MAGIC		"VGICTRC1"	/* 8 bytes, no NUL */
#define VT_FILE_MAJOR_V1	1	/* records as they are (still read) */
#define VT_FILE_MINOR_V1	0
#define VT_FILE_MAJOR_V2	2	/* coded records, about 7x smaller */
#define VT_FILE_MINOR_V2	0
#define VT_FILE_MAJOR		VT_FILE_MAJOR_V2	/* written by default */
#define VT_FILE_MINOR		VT_FILE_MINOR_V2
/* environment: 1 or 2 (optionally 2+zstd[=L]) overrides every writer's default */
#define VT_FILE_FORMAT_ENV	"VGIC_TRACE_FORMAT"
#define VT_FILE_ENDIAN		0x01020304u
#define VT_CHUNK_MAGIC		0x4b434756u	/* "VGCK" little-endian */
#define VT_CHUNK_F_END		0x1
#define VT_CHUNK_F_ZSTD		0x2	/* v2: payload is one zstd frame */
#define VT_CHUNK_MAX		(4u << 20)	/* largest payload a reader takes */
#define VT_CHUNK_DEFAULT	(64u << 10)	/* writer flushes at this size */

/**
 * struct vt_host_facts - what the recording host was
 * @kernel_release: uname -r, NUL terminated
 * @arch:	uname -m, NUL terminated
 * @gic_version: VT_GIC_V2 / VT_GIC_V3, 0 if unknown (e.g. x86)
 * @nr_lrs:	list registers implemented, 0 if unknown
 * @backend:	VT_BACKEND_*, 0 if unknown
 * @abi_major:	VT_ABI_MAJOR of the records (filled by the writer)
 * @abi_minor:	VT_ABI_MINOR of the records (filled by the writer)
 */
struct vt_host_facts {
	char kernel_release[65];
	char arch[16];
	uint8_t gic_version;
	uint8_t nr_lrs;
	uint8_t backend;
	uint16_t abi_major;
	uint16_t abi_minor;
};

/**
 * struct vt_file_hdr - on-disk file header
 * @magic:	VT_FILE_MAGIC
 * @major:	VT_FILE_MAJOR_V1 or _V2 (readers refuse other majors)
 * @minor:	VT_FILE_MINOR_V1/_V2 (readers accept newer minors)
 * @hdr_size:	sizeof(struct vt_file_hdr) as written
 * @endian:	VT_FILE_ENDIAN as written by the recording host
 * @abi_major, @abi_minor: record ABI version
 * @gic_version, @nr_lrs, @backend: see struct vt_host_facts
 * @kernel_release, @arch: see struct vt_host_facts
 * @hdr_crc:	CRC32 of the header up to this field
 */
struct vt_file_hdr {
	char magic[8];
	uint16_t major;
	uint16_t minor;
	uint32_t hdr_size;
	uint32_t endian;
	uint16_t abi_major;
	uint16_t abi_minor;
	uint8_t gic_version;
	uint8_t nr_lrs;
	uint8_t backend;
	uint8_t __pad[5];
	char kernel_release[72];
	char arch[16];
	uint32_t __pad2;
	uint32_t hdr_crc;
};
#define VT_FILE_HDR_SIZE	128

/**
 * struct vt_chunk_hdr - on-disk chunk header
 * @magic:	VT_CHUNK_MAGIC
 * @flags:	VT_CHUNK_F_*
 * @len:	payload bytes following this header
 * @nr_records:	records in the payload
 * @seq:	chunk number, from 0
 * @crc:	CRC32 of the payload
 * @hdr_crc:	CRC32 of this header up to @crc included
 */
struct vt_chunk_hdr {
	uint32_t magic;
	uint32_t flags;
	uint32_t len;
	uint32_t nr_records;
	uint64_t seq;
	uint32_t crc;
	uint32_t hdr_crc;
};
#define VT_CHUNK_HDR_SIZE	32

struct vt_writer;
struct vt_reader;

/**
 * enum vt_read_end - why a reader stopped
 * @VT_END_NONE:	not at the end yet
 * @VT_END_COMPLETE:	end marker found, the file is complete
 * @VT_END_TRUNCATED:	the file ends without an end marker; the records
 *			of every intact chunk were returned
 * @VT_END_CORRUPT:	a chunk failed its checks; records before it were
 *			returned, the rest of the file is not trusted
 */
enum vt_read_end {
	VT_END_NONE,
	VT_END_COMPLETE,
	VT_END_TRUNCATED,
	VT_END_CORRUPT,
};

/**
 * struct vt_read_status - where a reader is and why it stopped
 * @end:	enum vt_read_end
 * @offset:	file offset where reading stopped (first byte not used)
 * @chunks:	intact chunks read
 * @records:	records returned
 * @msg:	human-readable reason, "" while @end is VT_END_NONE
 */
struct vt_read_status {
	enum vt_read_end end;
	uint64_t offset;
	uint64_t chunks;
	uint64_t records;
	char msg[160];
};

/**
 * vt_writer_open() - create a trace file
 * @path:	file to create
 * @facts:	host facts for the header (may be NULL: all unknown)
 * @force:	overwrite an existing file if true
 * @out:	the new writer
 *
 * The file is written in format VT_FILE_MAJOR (2) unless
 * $VGIC_TRACE_FORMAT says otherwise (see VT_FILE_FORMAT_ENV) or
 * vt_writer_set_format() changes it before the first record.
 *
 * Return: 0, -EEXIST if @path exists and !@force, -EINVAL for a bad
 * $VGIC_TRACE_FORMAT (a message on stderr), or another -errno.
 */
int vt_writer_open(const char *path, const struct vt_host_facts *facts,
		   bool force, struct vt_writer **out);

/**
 * vt_writer_fdopen() - write a trace file to an open descriptor
 * @fd:		file (a regular file at offset 0, or a pipe/device); it
 *		stays the caller's: vt_writer_close() does not close it
 * @facts:	host facts for the header (may be NULL: all unknown)
 * @out:	the new writer
 *
 * Return: 0 or -errno from write().
 */
int vt_writer_fdopen(int fd, const struct vt_host_facts *facts,
		     struct vt_writer **out);

/**
 * vt_writer_set_sync() - fdatasync() after every chunk (recorders: at
 * most the chunk being filled is at risk when the host dies)
 * @w:		writer
 * @sync:	on or off (default off)
 */
void vt_writer_set_sync(struct vt_writer *w, bool sync);

/**
 * vt_writer_set_facts() - rewrite the file header with other facts
 * (a regular file only; the scenario importer learns them late)
 * @w:		writer
 * @facts:	host facts
 *
 * Return: 0 or -errno.
 */
int vt_writer_set_facts(struct vt_writer *w, const struct vt_host_facts *facts);

/**
 * vt_writer_set_format() - choose the file format before the first record
 * @w:		writer (no record appended yet)
 * @major:	1 (records as they are) or 2 (coded, the default: about
 *		7x smaller on an LR-heavy mix)
 * @zstd:	2 only: zstd level 1-19 for each chunk, 0 for none
 * @facts:	the host facts given at open (the header is rewritten)
 *
 * Return: 0; -EINVAL for a bad combination or after a record;
 * -EOPNOTSUPP for @zstd in a build without libzstd; -errno of rewriting
 * the header (a pipe cannot be rewritten: choose before streaming).
 */
int vt_writer_set_format(struct vt_writer *w, unsigned int major, int zstd,
			 const struct vt_host_facts *facts);

/**
 * vt_writer_append() - append one record
 * @w:		writer
 * @rec:	record, @rec->size bytes long
 *
 * The record is validated with vt_record_check() first. The current
 * chunk is flushed when it reaches VT_CHUNK_DEFAULT bytes.
 *
 * Return: 0, -EINVAL for an invalid record, or -errno from write().
 */
int vt_writer_append(struct vt_writer *w, const struct vt_hdr *rec);

/**
 * vt_writer_flush() - write the pending records as one chunk
 * @w:		writer
 *
 * A no-op when nothing is pending. After it returns 0 the records
 * survive a crash of the writer (the chunk is fully written).
 *
 * Return: 0 or -errno.
 */
int vt_writer_flush(struct vt_writer *w);

/**
 * vt_writer_close() - flush, write the end marker and close
 * @w:		writer (freed, may be NULL)
 *
 * After a write error no end marker is written and a partly written
 * chunk is cut off again (regular files): the file reads as truncated
 * and holds vt_writer_written() records.
 *
 * Return: 0 or the first -errno seen while flushing or closing.
 */
int vt_writer_close(struct vt_writer *w);

/**
 * vt_writer_close_truncated() - flush and close without the end marker:
 * the file reads as truncated (its input ended in an error)
 * @w:		writer (freed, may be NULL)
 *
 * Return: 0 or the first -errno seen while flushing or closing.
 */
int vt_writer_close_truncated(struct vt_writer *w);

/**
 * vt_writer_records() - records appended so far
 * @w:		writer
 *
 * Return: number of records.
 */
uint64_t vt_writer_records(const struct vt_writer *w);

/**
 * vt_writer_written() - records in chunks completely written (what a
 * reader gets back after a write error)
 * @w:		writer
 *
 * Return: number of records.
 */
uint64_t vt_writer_written(const struct vt_writer *w);

/**
 * vt_reader_open() - open a trace file and check its header
 * @path:	file to read, "-" for standard input
 * @out:	the new reader
 * @err:	message buffer for a failure (may be NULL)
 * @errlen:	size of @err
 *
 * Return: 0; -ENOENT etc. from open(); -ENODATA for an empty file;
 * -EPROTO for a foreign file (bad magic); -EPROTONOSUPPORT for an
 * unsupported major version or byte order; -EBADMSG for a header CRC
 * mismatch or a short header. @err says which.
 */
int vt_reader_open(const char *path, struct vt_reader **out,
		   char *err, size_t errlen);

/**
 * vt_reader_facts() - host facts from the file header
 * @r:		reader
 *
 * Return: pointer valid until vt_reader_close().
 */
const struct vt_host_facts *vt_reader_facts(const struct vt_reader *r);

/*
 * Every record vt_reader_next() hands out has passed vt_record_ok() with
 * the bytes left in its chunk as @avail (v1) or its own size (v2,
 * decoded): known type, the type's size or a larger 8-byte multiple up to
 * VT_REC_MAX_SIZE, fields in range. A consumer of a reader (the engine)
 * need not check it again; this macro says the guarantee holds.
 */
#define VT_READER_RECORDS_CHECKED	1

/**
 * vt_reader_next() - next record
 * @r:		reader
 * @rec:	set to the record (checked: VT_READER_RECORDS_CHECKED); valid
 *		until the next call
 *
 * Return: 1 with *@rec set, 0 at the end (complete or truncated: see
 * vt_reader_status()), or a negative errno for a corrupt chunk
 * (-EBADMSG) or an I/O error; vt_reader_status() has the message.
 */
int vt_reader_next(struct vt_reader *r, const struct vt_hdr **rec);

/**
 * vt_reader_next_run() - vt_reader_next(), several records at a time
 * where the file has them one after the other (v1: the valid records of
 * a chunk)
 * @r:		reader
 * @rec:	set to the first record (checked: VT_READER_RECORDS_CHECKED);
 *		valid until the next call
 * @n:		set to the number of records, 1 or more: each after the
 *		previous one's end (@rec->size bytes on)
 *
 * Return: as vt_reader_next() (@n is set when 1 is returned).
 */
int vt_reader_next_run(struct vt_reader *r, const struct vt_hdr **rec,
		       uint32_t *n);

/**
 * vt_reader_keep() - keep mode: the records vt_reader_next() hands out
 * stay valid past the next call, until the caller is done with them
 * @r:		reader, before its first vt_reader_next()
 * @oldest:	returns the oldest record handed out that the caller still
 *		uses, NULL for none: the reader may then reuse the memory of
 *		every record handed out before it (vt_reader_next() calls it
 *		when it needs a new block; the engine's is
 *		vt_engine_oldest_ref())
 * @arg:	argument of @oldest
 *
 * The records stay in the chunks as read (v1) or in blocks they are
 * decoded into (v2), so a consumer that keeps them for a while (the
 * engine's reorder window) need not copy them. Memory is freed by
 * vt_reader_close() at the latest.
 */
void vt_reader_keep(struct vt_reader *r, const void *(*oldest)(void *arg),
		    void *arg);

/**
 * vt_reader_status() - where the reader stopped and why
 * @r:		reader
 *
 * Return: pointer valid until vt_reader_close().
 */
const struct vt_read_status *vt_reader_status(const struct vt_reader *r);

/**
 * vt_reader_close() - close and free a reader
 * @r:		reader (may be NULL)
 */
void vt_reader_close(struct vt_reader *r);

#endif /* VT_TRACEFILE_H */
