/*===- Profile.c - a profiled GPU library's kernel times, from CUDA events ===*
 *
 * See incept/cuda.h. Each kernel has a pair of timing events, recorded on
 * the kernel's stream just before and after its launch; each run records an
 * origin event on its stream before anything else. After the run, each
 * kernel's start and end are elapsed times from the origin, which the host
 * context's profile takes as times on the host's clock from when the run
 * began (incept_context_time_kernel): the layer table sums them, the trace
 * places them.
 *
 * In a captured run the records are made with CU_EVENT_RECORD_EXTERNAL:
 * they become the graph's own event-record nodes, so every launch of the
 * graph records them again (a plain record in a capture only orders the
 * capture's streams, and records nothing when the graph runs).
 *
 *===----------------------------------------------------------------------===*/
#include "Context.h"

#include "incept/runtime.h"

#include <stdlib.h>

/* The origin, and kernel k's start and end. */
enum { ORIGIN = 0 };
static int32_t start_of(int32_t kernel) { return 1 + 2 * kernel; }
static int32_t end_of(int32_t kernel) { return 2 + 2 * kernel; }

void incept_cuda_profile_release(incept_cuda_context *context) {
  for (int32_t i = 0; context->timing && i < 1 + 2 * context->profiled_kernels; ++i)
    if (context->timing[i])
      context->driver->eventDestroy(context->timing[i]);
  free(context->timing);
  context->timing = NULL;
  context->profile = NULL;
  context->profiled_kernels = 0;
}

incept_status incept_cuda_enable_profile(incept_cuda_context *context,
                                         incept_context *profile,
                                         int32_t num_kernels) {
  if (!context || !profile || num_kernels < 0)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  incept_cuda_profile_release(context);
  context->timing = calloc(1 + 2 * (size_t)num_kernels, sizeof *context->timing);
  if (!context->timing)
    status = INCEPT_ERROR_OUT_OF_MEMORY;
  context->profiled_kernels = num_kernels;
  for (int32_t i = 0; status == INCEPT_OK && i < 1 + 2 * num_kernels; ++i)
    status = incept_cuda_status(context->driver, "cuEventCreate",
                                context->driver->eventCreate(&context->timing[i],
                                                             INCEPT_CUDA_EVENT_DEFAULT));
  if (status == INCEPT_OK) {
    context->profile = profile;
    context->timed_runs = 0;
    context->timing_unread = 0;
  } else {
    incept_cuda_profile_release(context);
  }
  incept_cuda_leave(context);
  return status;
}

/* Records timing event `index` on `stream` in the current run: a node of
 * the graph in a captured one. */
static void record(const char *call, void *stream, int32_t index) {
  incept_cuda_run *run = incept_cuda_current_run();
  if (!run) {
    incept_set_last_error("%s outside a run", call);
    return;
  }
  incept_cuda_context *context = run->context;
  if (run->status != INCEPT_OK || !context->profile)
    return;
  if (index < 0 || index >= 1 + 2 * context->profiled_kernels) {
    incept_cuda_fail(run, INCEPT_ERROR_INTERNAL,
                     "a kernel number past the profiled kernels");
    return;
  }
  incept_cuda_check(run, "cuEventRecordWithFlags",
                    context->driver->eventRecordWithFlags(
                        context->timing[index], (CUstream)stream,
                        run->mode == INCEPT_CUDA_CAPTURE
                            ? INCEPT_CUDA_EVENT_RECORD_EXTERNAL
                            : 0));
}

void incept_cuda_profile_begin(void *stream, int32_t kernel) {
  record("incept_cuda_profile_begin", stream, kernel < 0 ? -1 : start_of(kernel));
}

void incept_cuda_profile_end(void *stream, int32_t kernel) {
  record("incept_cuda_profile_end", stream, kernel < 0 ? -1 : end_of(kernel));
}

void incept_cuda_profile_origin(incept_cuda_run *run) {
  if (run->context->profile)
    record("incept_cuda_run_begin", run->stream, ORIGIN);
}

/* Event `index`'s time after the origin, in nanoseconds, once it is done. */
static incept_status elapsed_ns(incept_cuda_context *context, int32_t index,
                                uint64_t *ns) {
  const incept_cuda_driver_api *driver = context->driver;
  float ms = 0;
  incept_status status = incept_cuda_status(
      driver, "cuEventSynchronize", driver->eventSynchronize(context->timing[index]));
  if (status == INCEPT_OK)
    status = incept_cuda_status(driver, "cuEventElapsedTime",
                                driver->eventElapsedTime(&ms, context->timing[ORIGIN],
                                                         context->timing[index]));
  *ns = ms > 0 ? (uint64_t)((double)ms * 1e6 + 0.5) : 0;
  return status;
}

/* The last run's times into the host context's profile; its CUDA context
 * is current. The first run loaded the kernels: its times are dropped. */
static incept_status read_times(incept_cuda_context *context) {
  if (!context->profile || !context->timing_unread)
    return INCEPT_OK;
  context->timing_unread = 0;
  int count = context->timed_runs > 1;
  for (int32_t k = 0; k < context->profiled_kernels; ++k) {
    uint64_t start = 0, end = 0;
    incept_status status = elapsed_ns(context, start_of(k), &start);
    if (status == INCEPT_OK)
      status = elapsed_ns(context, end_of(k), &end);
    if (status != INCEPT_OK)
      return status;
    if (count)
      incept_context_time_kernel(context->profile, k, context->origin_ns + start,
                                 context->origin_ns + end);
  }
  if (count)
    incept_context_count_run(context->profile);
  return INCEPT_OK;
}

incept_status incept_cuda_profile_run_begin(incept_cuda_context *context) {
  if (!context->profile)
    return INCEPT_OK;
  incept_status status = read_times(context);
  context->origin_ns = incept_monotonic_ns();
  return status;
}

void incept_cuda_profile_run_end(incept_cuda_context *context, int recorded) {
  if (context->profile && recorded) {
    ++context->timed_runs;
    context->timing_unread = 1;
  }
}

incept_status incept_cuda_read_profile(incept_cuda_context *context) {
  if (!context)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  if (!context->profile || !context->timing_unread)
    return INCEPT_OK;
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  status = read_times(context);
  incept_cuda_leave(context);
  return status;
}
