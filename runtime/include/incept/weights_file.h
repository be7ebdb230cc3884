/*===- weights_file.h - the layout of a `.weights` file ---------*- C -*-===*
 *
 * What `incept-compile --weights=external` writes beside a library and
 * `incept-compile --emit=weights` writes from any model of the same graph:
 * the model's original weights (every f32 initializer of more than 16
 * elements, in the order the model first reads them) and a manifest. All
 * integers little-endian; docs/weights.md has the whole layout.
 *
 *   offset 0   char     magic[8]    "INCEPTWT"
 *          8   uint32   version     INCEPT_WEIGHTS_VERSION
 *         12   uint32   count       tensors
 *         16   uint64   data_offset where the first tensor starts
 *         24   count entries, one after another:
 *                uint32 name_bytes, then the name (UTF-8, no NUL)
 *                int32  dtype (an incept_dtype: 1, f32)
 *                int32  rank, then int64 shape[rank]
 *                uint64 offset   from the start of the file, a multiple of 64
 *                uint64 bytes    the tensor's, dense and row-major
 *                uint64 crc32    of those bytes (zlib's CRC-32)
 *   the tensors at their offsets, zeros between them.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_WEIGHTS_FILE_H
#define INCEPT_WEIGHTS_FILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INCEPT_WEIGHTS_MAGIC "INCEPTWT"
#define INCEPT_WEIGHTS_VERSION 1
/* Every tensor's offset is a multiple of this: the arenas' alignment. */
#define INCEPT_WEIGHTS_ALIGNMENT 64

/* zlib's CRC-32 of `bytes` continued from `crc` (0 to start). */
uint32_t incept_crc32(uint32_t crc, const void *bytes, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_WEIGHTS_FILE_H */
