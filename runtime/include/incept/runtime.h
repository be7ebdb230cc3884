/*===- runtime.h - what generated code calls --------------------*- C -*-===*
 *
 * The small library every compiled model links: contexts that own their
 * scratch arena and their threads, the parallel loop generated kernels call,
 * and the status strings. Generated wrappers call these; an
 * application needs only incept.h and the model's own header.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_RUNTIME_H
#define INCEPT_RUNTIME_H

#include "incept/incept.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The alignment of every arena: a cache line, and enough for AVX-512 loads. */
#define INCEPT_ARENA_ALIGNMENT 64

/* Allocates a context for `model` whose arena holds `scratch_bytes`, with
 * its threads (`options` may be null: the defaults). On failure *context is
 * null. */
incept_status incept_context_create(const incept_model *model,
                                    uint64_t scratch_bytes,
                                    const incept_create_options *options,
                                    incept_context **context);
void incept_context_destroy(incept_context *context);

/* The model a context was created for, so that run() can refuse another's. */
const incept_model *incept_context_model(const incept_context *context);
/* The context's arena: INCEPT_ARENA_ALIGNMENT-aligned, never null for a
 * valid context (a model with no activations still gets one line). */
void *incept_context_scratch(incept_context *context);

/* A target's own state in a context (a GPU library's device context and
 * weights), which incept_context_destroy ends with `destroy`, before
 * anything else of the context. */
void incept_context_attach(incept_context *context, void *attachment,
                           void (*destroy)(void *attachment));
void *incept_context_attachment(const incept_context *context);

/* The threads of a context's inferences. */
int incept_context_threads(const incept_context *context);

/* A run of the generated code on `context`, in the calling thread: what
 * incept_parallel_for splits work over. Runs do not nest. */
void incept_run_begin(incept_context *context);
void incept_run_end(void);

/* Work items [begin, end) of one parallel loop. */
typedef void (*incept_task)(void *data, int64_t begin, int64_t end);

/* Runs items [0, count) of `task` over the threads of the context of the
 * current run (see incept_run_begin), each thread its share of consecutive
 * items first and then what the others have left of theirs, and returns
 * when all are done; in the calling thread alone outside a run. */
void incept_parallel_for(incept_task task, void *data, int64_t count);

/* Profiling (models compiled with --profile): the generated code brackets
 * kernel `kernel` of the current run with these; the context of the run
 * keeps the times (incept_context_profile). A model's kernels are numbered
 * 0 .. num_kernels - 1, and kernel_layers maps each to its layer. */
void incept_profile_begin(int32_t kernel);
void incept_profile_end(int32_t kernel);
incept_status incept_context_enable_profile(incept_context *context,
                                            int32_t num_kernels,
                                            const int32_t *kernel_layers);
incept_status incept_context_profile(const incept_context *context,
                                     incept_profile *profile);
/* Times measured elsewhere (a GPU library's events, runtime/cuda/Profile.c):
 * kernel `kernel` of a run ran from `begin_ns` to `end_ns` (on the clock of
 * incept_monotonic_ns), and a run's kernels are all in. */
void incept_context_time_kernel(incept_context *context, int32_t kernel,
                                uint64_t begin_ns, uint64_t end_ns);
void incept_context_count_run(incept_context *context);
/* CLOCK_MONOTONIC in nanoseconds: the clock of a profile's times. */
uint64_t incept_monotonic_ns(void);

/* Sets the calling thread's incept_last_error (printf-style). */
void incept_set_last_error(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

/* A library compiled with --weights=external: reads the weights file at
 * `path` (null: `default_name` in the directory of the loaded object that
 * holds `anchor`), checks it against the `count` tensors of the library's
 * manifest (name, dtype and shape of each, in order, then each tensor's
 * CRC-32) and points tensors[i] at tensor i in *file, which
 * incept_weights_free releases. A file that does not match is
 * INCEPT_ERROR_WEIGHTS, with incept_last_error naming the file and the
 * tensor; the caller prepares and uploads nothing before this succeeds. */
incept_status incept_weights_read(const char *path, const char *default_name,
                                  const void *anchor,
                                  const incept_tensor_info *expected,
                                  int32_t count, void **file,
                                  const float **tensors);
void incept_weights_free(void *file);
/* incept_weights_read's check of a file's `size` bytes at `bytes` (aligned to
 * INCEPT_WEIGHTS_ALIGNMENT), named `path` in its messages; tensors[i] point
 * into `bytes`. */
incept_status incept_weights_check(const void *bytes, uint64_t size, const char *path,
                                   const incept_tensor_info *expected, int32_t count,
                                   const float **tensors);

/* The machine's physical cores (the default thread count). */
int incept_default_threads(void);

typedef struct incept_thread_pool incept_thread_pool;
/* `threads` - 1 workers; the thread that calls run is the last one. */
incept_status incept_thread_pool_create(int threads, incept_thread_pool **pool);
void incept_thread_pool_destroy(incept_thread_pool *pool);
int incept_thread_pool_threads(const incept_thread_pool *pool);
void incept_thread_pool_run(incept_thread_pool *pool, incept_task task,
                            void *data, int64_t count);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_RUNTIME_H */
