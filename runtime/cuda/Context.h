/*===- Context.h - device contexts and runs, inside the runtime -*- C -*-===*/
#ifndef INCEPT_RUNTIME_CUDA_CONTEXT_H
#define INCEPT_RUNTIME_CUDA_CONTEXT_H

#include "Driver.h"

#include "incept/cuda.h"

/* Streams one run can have at once: its own and the branches that
 * mgpuStreamCreate hands out for work that may run beside it. */
#define INCEPT_CUDA_MAX_BRANCHES 7

struct incept_cuda_context {
  const incept_cuda_driver_api *driver;
  int32_t ordinal;
  CUdevice device;
  CUcontext cuda; /* the device's primary context, retained */
  int32_t compute_capability;
  CUstream stream; /* the context's own */
  /* Branch streams and the events that fork them from a run's stream and
   * join them back, made on first use. */
  CUstream branches[INCEPT_CUDA_MAX_BRANCHES];
  CUevent forks[INCEPT_CUDA_MAX_BRANCHES], joins[INCEPT_CUDA_MAX_BRANCHES];
  /* The generated code's events between streams, by index, made on first
   * use (incept_cuda_record_event). */
  CUevent *events;
  int32_t num_events;
  CUdeviceptr arena;
  CUdeviceptr *allocations; /* incept_cuda_alloc's, freed with the context */
  int32_t num_allocations, allocation_capacity;
  CUgraphExec graph;
  /* Profiling (incept_cuda_enable_profile; Profile.c): the host context
   * whose profile gets the times, and its kernels' timing events, the run's
   * origin first, then each kernel's start and end. */
  incept_context *profile;
  int32_t profiled_kernels;
  CUevent *timing;     /* 1 + 2 * profiled_kernels */
  uint64_t origin_ns;  /* the host's clock when the origin was issued */
  uint64_t timed_runs; /* runs that recorded the events, read or not */
  int timing_unread;   /* the last of them has not been read */
};

typedef struct incept_cuda_run {
  incept_cuda_context *context;
  CUstream stream;
  incept_cuda_run_mode mode;
  int stream_handed_out;                     /* by mgpuStreamCreate */
  int branch_in_use[INCEPT_CUDA_MAX_BRANCHES];
  incept_status status;                      /* of the first failure */
} incept_cuda_run;

/* The calling thread's run, or NULL outside one. */
incept_cuda_run *incept_cuda_current_run(void);

/* Whether `result` is success; if not, and the run has not failed before,
 * makes it the run's failure (status and incept_last_error). */
int incept_cuda_check(incept_cuda_run *run, const char *call, CUresult result);

/* Fails the run (the first failure wins) with `status` and a message. */
void incept_cuda_fail(incept_cuda_run *run, incept_status status,
                      const char *message);

/* A driver call outside a run: success, or the status with the driver's
 * message in incept_last_error. */
incept_status incept_cuda_status(const incept_cuda_driver_api *driver, const char *call,
                                 CUresult result);
/* The context's CUDA context made current, for calls outside a run; and
 * back. */
incept_status incept_cuda_enter(incept_cuda_context *context);
void incept_cuda_leave(incept_cuda_context *context);

/* Profile.c's part of a run (or a replay) where profiling is enabled:
 * before it starts (before a capture begins), the last run's times read;
 * the origin recorded first on the run's stream; at its end, whether it
 * recorded the timing events. Nothing where profiling is not. */
incept_status incept_cuda_profile_run_begin(incept_cuda_context *context);
void incept_cuda_profile_origin(incept_cuda_run *run);
void incept_cuda_profile_run_end(incept_cuda_context *context, int recorded);
/* The timing events, destroyed with the context (its CUDA context current). */
void incept_cuda_profile_release(incept_cuda_context *context);

#endif /* INCEPT_RUNTIME_CUDA_CONTEXT_H */
