/*===- WeightsFile.c - reading and checking a `.weights` file --------------===*
 *
 * The layout is incept/weights_file.h's. The whole file is read into one
 * aligned buffer and checked against the library's manifest before the
 * caller prepares or uploads anything: a file of another model, a tensor of
 * another shape or a damaged tensor is refused with the tensor's name.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE /* dladdr */
#include "incept/runtime.h"
#include "incept/weights_file.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t incept_crc32(uint32_t crc, const void *bytes, size_t size) {
  static uint32_t table[8][256];
  static int ready;
  if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
    /* Idempotent: two threads that race here write the same values. */
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; ++n)
      for (int t = 1; t < 8; ++t)
        table[t][n] = (table[t - 1][n] >> 8) ^ table[0][table[t - 1][n] & 0xFF];
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
  }
  const unsigned char *p = bytes;
  crc = ~crc;
  /* Eight bytes a step (slicing-by-8): the file is read at create, and a
   * byte a step would cost v4's 170 MB a second. */
  while (size >= 8) {
    uint32_t low = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                          (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    crc = table[7][low & 0xFF] ^ table[6][(low >> 8) & 0xFF] ^
          table[5][(low >> 16) & 0xFF] ^ table[4][low >> 24] ^ table[3][p[4]] ^
          table[2][p[5]] ^ table[1][p[6]] ^ table[0][p[7]];
    p += 8;
    size -= 8;
  }
  while (size--)
    crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

/* A bounded little-endian reader over the file's bytes. */
typedef struct reader {
  const unsigned char *data;
  uint64_t size, at;
  int failed;
} reader;

static uint64_t read_uint(reader *r, int bytes) {
  if (r->failed || r->at > r->size || r->size - r->at < (uint64_t)bytes) {
    r->failed = 1;
    return 0;
  }
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i)
    value |= (uint64_t)r->data[r->at + i] << (8 * i);
  r->at += bytes;
  return value;
}

/* The path of the default file: `name` in the directory of the loaded
 * object (shared library or executable) that holds `anchor`. */
static int default_path(const void *anchor, const char *name, char *path,
                        size_t size) {
  Dl_info info;
  const char *object = dladdr(anchor, &info) && info.dli_fname ? info.dli_fname : "";
  const char *slash = strrchr(object, '/');
  int length = slash ? (int)(slash - object) + 1 : 0;
  int written = snprintf(path, size, "%.*s%s", length, object, name);
  return written > 0 && (size_t)written < size;
}

static incept_status refuse(const char *path, const char *message, const char *tensor) {
  if (tensor)
    incept_set_last_error("weights file '%s': tensor '%s' %s", path, tensor, message);
  else
    incept_set_last_error("weights file '%s': %s", path, message);
  return INCEPT_ERROR_WEIGHTS;
}

static void format_shape(char *out, size_t size, int32_t rank, const int64_t *shape) {
  size_t used = (size_t)snprintf(out, size, "[");
  for (int32_t i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? ", " : "",
                             (long long)shape[i]);
  if (used < size)
    snprintf(out + used, size - used, "]");
}

incept_status incept_weights_check(const void *bytes, uint64_t size, const char *path,
                                   const incept_tensor_info *expected, int32_t count,
                                   const float **tensors) {
  const unsigned char *data = bytes;
  reader r = {data, size, 0, 0};
  if (size < 24 || memcmp(data, INCEPT_WEIGHTS_MAGIC, 8) != 0)
    return refuse(path, "is not an Incept weights file", 0);
  r.at = 8;
  uint64_t version = read_uint(&r, 4);
  if (version != INCEPT_WEIGHTS_VERSION)
    return refuse(path, "is of another version of the layout", 0);
  uint64_t tensor_count = read_uint(&r, 4);
  (void)read_uint(&r, 8); /* data_offset: every entry says where it is */
  char message[512], have[256], want[256];
  for (int32_t i = 0; i < count; ++i) {
    const incept_tensor_info *info = &expected[i];
    if ((uint64_t)i >= tensor_count) {
      snprintf(message, sizeof message,
               "is missing: the file holds %llu tensors, the library reads %d",
               (unsigned long long)tensor_count, count);
      return refuse(path, message, info->name);
    }
    uint64_t name_bytes = read_uint(&r, 4);
    if (r.failed || name_bytes > r.size - r.at)
      return refuse(path, "has a damaged manifest", 0);
    const char *name = (const char *)r.data + r.at;
    r.at += name_bytes;
    if (strlen(info->name) != name_bytes || memcmp(name, info->name, name_bytes) != 0) {
      snprintf(message, sizeof message, "is not in the file: entry %d is '%.*s'", i,
               (int)(name_bytes < 200 ? name_bytes : 200), name);
      return refuse(path, message, info->name);
    }
    int32_t dtype = (int32_t)read_uint(&r, 4);
    int64_t rank = (int32_t)read_uint(&r, 4);
    if (r.failed || rank < 0 || rank > 16)
      return refuse(path, "has a damaged manifest", 0);
    int64_t shape[16];
    for (int64_t d = 0; d < rank; ++d)
      shape[d] = (int64_t)read_uint(&r, 8);
    uint64_t offset = read_uint(&r, 8), bytes = read_uint(&r, 8);
    uint32_t crc = (uint32_t)read_uint(&r, 8);
    if (r.failed)
      return refuse(path, "has a damaged manifest", 0);
    if (dtype != info->dtype) {
      snprintf(message, sizeof message, "has dtype %d, the library reads %d", dtype,
               info->dtype);
      return refuse(path, message, info->name);
    }
    int same = rank == info->rank;
    for (int64_t d = 0; same && d < rank; ++d)
      same = shape[d] == info->shape[d];
    if (!same) {
      format_shape(have, sizeof have, (int32_t)rank, shape);
      format_shape(want, sizeof want, info->rank, info->shape);
      snprintf(message, sizeof message, "has shape %s, the library reads %s", have, want);
      return refuse(path, message, info->name);
    }
    if (bytes != (uint64_t)info->num_elements * sizeof(float) ||
        offset % INCEPT_WEIGHTS_ALIGNMENT || offset > r.size || bytes > r.size - offset) {
      snprintf(message, sizeof message,
               "lies outside the file (%llu bytes at %llu of %llu)",
               (unsigned long long)bytes, (unsigned long long)offset,
               (unsigned long long)r.size);
      return refuse(path, message, info->name);
    }
    uint32_t actual = incept_crc32(0, r.data + offset, bytes);
    if (actual != crc) {
      snprintf(message, sizeof message,
               "is damaged: its CRC-32 is %08x, the manifest says %08x", actual, crc);
      return refuse(path, message, info->name);
    }
    tensors[i] = (const float *)(r.data + offset);
  }
  if (tensor_count != (uint64_t)count) {
    snprintf(message, sizeof message,
             "holds %llu tensors, the library reads %d: it is of another model",
             (unsigned long long)tensor_count, count);
    return refuse(path, message, 0);
  }
  return INCEPT_OK;
}

incept_status incept_weights_read(const char *path, const char *default_name,
                                  const void *anchor,
                                  const incept_tensor_info *expected,
                                  int32_t count, void **file,
                                  const float **tensors) {
  char fallback[4096];
  if (!file || !tensors || (count && !expected))
    return INCEPT_ERROR_INVALID_ARGUMENT;
  *file = 0;
  if (!path) {
    if (!default_path(anchor, default_name, fallback, sizeof fallback)) {
      incept_set_last_error("the default weights file's path is too long");
      return INCEPT_ERROR_WEIGHTS;
    }
    path = fallback;
  }
  FILE *stream = fopen(path, "rb");
  if (!stream)
    return refuse(path, strerror(errno), 0);
  long size = -1;
  if (fseek(stream, 0, SEEK_END) == 0)
    size = ftell(stream);
  void *buffer = 0;
  if (size >= 0 && fseek(stream, 0, SEEK_SET) == 0)
    buffer = aligned_alloc(INCEPT_WEIGHTS_ALIGNMENT,
                           ((size_t)size + INCEPT_WEIGHTS_ALIGNMENT) /
                               INCEPT_WEIGHTS_ALIGNMENT * INCEPT_WEIGHTS_ALIGNMENT);
  int complete = buffer && fread(buffer, 1, (size_t)size, stream) == (size_t)size;
  fclose(stream);
  if (!buffer) {
    if (size < 0)
      return refuse(path, "cannot be read", 0);
    incept_set_last_error("weights file '%s': no memory for its %ld bytes", path, size);
    return INCEPT_ERROR_OUT_OF_MEMORY;
  }
  if (!complete) {
    free(buffer);
    return refuse(path, "cannot be read", 0);
  }

  incept_status status = incept_weights_check(buffer, (uint64_t)size, path, expected,
                                              count, tensors);
  if (status != INCEPT_OK) {
    free(buffer);
    return status;
  }
  *file = buffer;
  return INCEPT_OK;
}

void incept_weights_free(void *file) { free(file); }
