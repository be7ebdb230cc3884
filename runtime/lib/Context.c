/*===- Context.c - contexts, their scratch arenas and threads --------------===*
 *
 * One context is one inference's worth of memory and threads: every
 * activation the compiler could not keep in registers lives at an offset it
 * planned in this arena, and the context's workers run the parallel loops of
 * its inferences. The only state outside a context is which context the
 * calling thread is running (thread-local), so contexts are independent and
 * two of them run in two threads at once.
 *
 *===----------------------------------------------------------------------===*/
/* clock_gettime under -std=c11. */
#define _POSIX_C_SOURCE 199309L
#include "incept/runtime.h"

#include <stdlib.h>
#include <time.h>

struct incept_context {
  const incept_model *model;
  void *scratch;
  incept_thread_pool *pool;
  /* Profiling: per kernel, the sum over runs and the last run's times. */
  uint64_t runs;
  int32_t num_kernels;
  const int32_t *kernel_layers;
  uint64_t *kernel_ns; /* 3 x num_kernels: total, last begin, last end */
  /* A target's own state (a GPU library's device context), and its end. */
  void *attachment;
  void (*destroy_attachment)(void *attachment);
};

static _Thread_local incept_context *current_run;

incept_status incept_context_create(const incept_model *model,
                                    uint64_t scratch_bytes,
                                    const incept_create_options *options,
                                    incept_context **context) {
  if (!context)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  *context = NULL;
  if (!model)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  int threads = 0;
  if (options) {
    /* Fields past what the caller's struct_size covers keep their defaults. */
    if (options->struct_size < sizeof(uint32_t))
      return INCEPT_ERROR_INVALID_ARGUMENT;
    if (options->struct_size >= offsetof(incept_create_options, threads) +
                                    sizeof options->threads)
      threads = options->threads;
  }
  if (threads < 0)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  if (threads == 0)
    threads = incept_default_threads();
  /* aligned_alloc wants a multiple of the alignment, and not zero. */
  uint64_t rounded = (scratch_bytes + INCEPT_ARENA_ALIGNMENT - 1) /
                     INCEPT_ARENA_ALIGNMENT * INCEPT_ARENA_ALIGNMENT;
  if (rounded == 0)
    rounded = INCEPT_ARENA_ALIGNMENT;
  if (rounded < scratch_bytes || rounded > (uint64_t)SIZE_MAX)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  incept_context *result = calloc(1, sizeof *result);
  if (!result)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  result->model = model;
  result->scratch = aligned_alloc(INCEPT_ARENA_ALIGNMENT, (size_t)rounded);
  if (!result->scratch) {
    free(result);
    return INCEPT_ERROR_OUT_OF_MEMORY;
  }
  incept_status status = incept_thread_pool_create(threads, &result->pool);
  if (status != INCEPT_OK) {
    free(result->scratch);
    free(result);
    return status;
  }
  *context = result;
  return INCEPT_OK;
}

void incept_context_destroy(incept_context *context) {
  if (!context)
    return;
  if (context->destroy_attachment)
    context->destroy_attachment(context->attachment);
  incept_thread_pool_destroy(context->pool);
  free(context->kernel_ns);
  free(context->scratch);
  free(context);
}

const incept_model *incept_context_model(const incept_context *context) {
  return context ? context->model : NULL;
}

void *incept_context_scratch(incept_context *context) {
  return context ? context->scratch : NULL;
}

void incept_context_attach(incept_context *context, void *attachment,
                           void (*destroy)(void *attachment)) {
  context->attachment = attachment;
  context->destroy_attachment = destroy;
}

void *incept_context_attachment(const incept_context *context) {
  return context ? context->attachment : NULL;
}

int incept_context_threads(const incept_context *context) {
  return context ? incept_thread_pool_threads(context->pool) : 0;
}

void incept_run_begin(incept_context *context) { current_run = context; }

void incept_run_end(void) {
  if (current_run)
    incept_context_count_run(current_run);
  current_run = NULL;
}

uint64_t incept_monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

incept_status incept_context_enable_profile(incept_context *context,
                                            int32_t num_kernels,
                                            const int32_t *kernel_layers) {
  if (!context || num_kernels < 0 || (num_kernels && !kernel_layers))
    return INCEPT_ERROR_INVALID_ARGUMENT;
  free(context->kernel_ns);
  context->kernel_ns = calloc(3 * (size_t)(num_kernels ? num_kernels : 1),
                              sizeof(uint64_t));
  if (!context->kernel_ns)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  context->num_kernels = num_kernels;
  context->kernel_layers = kernel_layers;
  context->runs = 0;
  return INCEPT_OK;
}

/* Whether `kernel` is one of a profiled context's. */
static int profiles(const incept_context *context, int32_t kernel) {
  return context && context->kernel_ns && kernel >= 0 && kernel < context->num_kernels;
}

void incept_context_time_kernel(incept_context *context, int32_t kernel,
                                uint64_t begin_ns, uint64_t end_ns) {
  if (!profiles(context, kernel))
    return;
  uint64_t *ns = context->kernel_ns;
  int32_t n = context->num_kernels;
  ns[n + kernel] = begin_ns;
  ns[2 * n + kernel] = end_ns;
  ns[kernel] += end_ns > begin_ns ? end_ns - begin_ns : 0;
}

void incept_context_count_run(incept_context *context) {
  if (context && context->kernel_ns)
    ++context->runs;
}

void incept_profile_begin(int32_t kernel) {
  incept_context *context = current_run;
  if (profiles(context, kernel))
    context->kernel_ns[context->num_kernels + kernel] = incept_monotonic_ns();
}

void incept_profile_end(int32_t kernel) {
  incept_context *context = current_run;
  if (profiles(context, kernel))
    incept_context_time_kernel(context, kernel,
                               context->kernel_ns[context->num_kernels + kernel],
                               incept_monotonic_ns());
}

incept_status incept_context_profile(const incept_context *context,
                                     incept_profile *profile) {
  if (!context || !profile || !context->kernel_ns)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  int32_t n = context->num_kernels;
  profile->runs = context->runs;
  profile->num_kernels = n;
  profile->kernel_layers = context->kernel_layers;
  profile->kernel_total_ns = context->kernel_ns;
  profile->kernel_last_begin_ns = context->kernel_ns + n;
  profile->kernel_last_end_ns = context->kernel_ns + 2 * n;
  return INCEPT_OK;
}

void incept_parallel_for(incept_task task, void *data, int64_t count) {
  incept_thread_pool_run(current_run ? current_run->pool : NULL, task, data,
                         count);
}
