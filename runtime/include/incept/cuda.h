/*===- cuda.h - what generated code calls on a GPU --------------*- C -*-===*
 *
 * The CUDA part of the runtime, in its own archive (incept_runtime_cuda) so
 * that CPU libraries stay libc-only. A library compiled with --target=cuda
 * links it; it calls the CUDA driver API through libcuda.so.1, opened with
 * dlopen when the first device context is created, never when the library
 * is loaded. Every failure is a status, with the driver's words in
 * incept_last_error(); nothing aborts.
 *
 * A device context is one inference's worth of GPU state: the device's
 * primary CUDA context, the streams of its runs, a device arena for the
 * activations (and, through incept_cuda_alloc, the weights), and the CUDA
 * graph of one inference once it has been captured.
 *
 * A run brackets the generated host code: between incept_cuda_run_begin and
 * incept_cuda_run_end, the mgpu* functions that MLIR's gpu-to-llvm lowering
 * calls (Mgpu.c) work on that run's context and stream, and record the first
 * error instead of aborting, skipping what follows it.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_CUDA_H
#define INCEPT_CUDA_H

#include "incept/incept.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct incept_cuda_context incept_cuda_context;

/* A context on device `device` (an ordinal of the driver's) for a library
 * compiled for compute capability `compute_capability` (80 for sm_80) or
 * later, with `arena_bytes` of device memory (INCEPT_ARENA_ALIGNMENT
 * aligned). NO_DEVICE without a driver or a GPU, INVALID_ARGUMENT for an
 * ordinal past the device count, UNSUPPORTED_DEVICE for an older GPU. */
incept_status incept_cuda_context_create(int32_t device,
                                         int32_t compute_capability,
                                         uint64_t arena_bytes,
                                         incept_cuda_context **context);
void incept_cuda_context_destroy(incept_cuda_context *context);

/* The device arena (a device pointer), and the device's compute capability
 * (e.g. 90). */
void *incept_cuda_context_arena(const incept_cuda_context *context);
int32_t incept_cuda_context_compute_capability(const incept_cuda_context *context);

/* `bytes` more of device memory, freed with the context: the weights, once
 * at create. */
incept_status incept_cuda_alloc(incept_cuda_context *context, uint64_t bytes,
                                void **pointer);

/* Copies on `stream` (NULL: the context's own), in order with the runs on
 * it; host buffers may be pageable. */
incept_status incept_cuda_copy_to_device(incept_cuda_context *context,
                                         void *device, const void *host,
                                         uint64_t bytes, void *stream);
incept_status incept_cuda_copy_to_host(incept_cuda_context *context,
                                       void *host, const void *device,
                                       uint64_t bytes, void *stream);
/* A copy from device memory to device memory on `stream`. */
incept_status incept_cuda_copy_on_device(incept_cuda_context *context,
                                         void *destination, const void *source,
                                         uint64_t bytes, void *stream);
/* Zeros `bytes` of device memory on `stream` (NULL: the context's own): a
 * dynamic batch's partial last chunk, past its images. */
incept_status incept_cuda_zero(incept_cuda_context *context, void *device,
                               uint64_t bytes, void *stream);
/* Waits for everything on `stream` (NULL: the context's own). */
incept_status incept_cuda_synchronize(incept_cuda_context *context,
                                      void *stream);

/* How a run's launches reach the GPU. */
typedef enum incept_cuda_run_mode {
  INCEPT_CUDA_LAUNCH = 0,  /* each launch goes to the stream as it is made */
  INCEPT_CUDA_CAPTURE = 1, /* the run is recorded as the context's CUDA graph,
                              which run_end then launches; replay it later */
} incept_cuda_run_mode;

/* Starts a run of the generated code on `context` in the calling thread, on
 * `stream` (NULL: the context's own). Runs do not nest. CAPTURE replaces
 * the context's graph. */
incept_status incept_cuda_run_begin(incept_cuda_context *context, void *stream,
                                    incept_cuda_run_mode mode);
/* Ends the calling thread's run: the first error of its mgpu* calls, or, in
 * CAPTURE mode, of ending the capture and launching the graph. Does not
 * wait for the GPU. */
incept_status incept_cuda_run_end(void);

/* Whether the context holds a captured graph, and a launch of it on
 * `stream` (NULL: the context's own): one driver call for a whole
 * inference. The graph reads and writes the buffers the captured run did. */
int incept_cuda_has_graph(const incept_cuda_context *context);
incept_status incept_cuda_replay(incept_cuda_context *context, void *stream);

/* Profiling (a library compiled with --profile). Each kernel's times come
 * from a pair of CUDA events recorded on its stream around its launch
 * (incept_cuda_profile_begin/end, which the generated code calls), as
 * elapsed times from an event the run records first; in a captured run the
 * events are the graph's own nodes, so each replay records them again. The
 * times are read, waiting for the GPU, when the next run starts and when
 * incept_cuda_read_profile is called, into `profile`'s times
 * (incept_context_time_kernel). The context's first run, which loads the
 * kernels, is not counted. Kernels on branch streams overlap: their times
 * add up to more than the run. */
incept_status incept_cuda_enable_profile(incept_cuda_context *context,
                                         incept_context *profile,
                                         int32_t num_kernels);
void incept_cuda_profile_begin(void *stream, int32_t kernel);
void incept_cuda_profile_end(void *stream, int32_t kernel);
/* Reads the last run's times if not read yet (waiting for the run). */
incept_status incept_cuda_read_profile(incept_cuda_context *context);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_CUDA_H */
