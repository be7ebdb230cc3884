/*===- Context.c - device contexts, their arenas, runs and graphs ---------===*
 *
 * See incept/cuda.h. Every function that calls the driver makes the
 * context's CUDA context current for its duration (push, pop), so that
 * contexts on two devices, or two threads, do not see each other's.
 *
 *===----------------------------------------------------------------------===*/
#include "Context.h"

#include "incept/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local incept_cuda_run *current_run;
/* A thread runs one context at a time: its run's state lives here. */
static _Thread_local incept_cuda_run run_state;

incept_cuda_run *incept_cuda_current_run(void) { return current_run; }

void incept_cuda_fail(incept_cuda_run *run, incept_status status,
                      const char *message) {
  if (run && run->status != INCEPT_OK)
    return;
  if (run)
    run->status = status;
  incept_set_last_error("%s", message);
}

int incept_cuda_check(incept_cuda_run *run, const char *call, CUresult result) {
  if (result == INCEPT_CUDA_SUCCESS)
    return 1;
  if (run && run->status != INCEPT_OK)
    return 0;
  char message[256];
  incept_cuda_describe(run ? run->context->driver : incept_cuda_driver_if_open(),
                       call, result, message, sizeof message);
  incept_cuda_fail(run, INCEPT_ERROR_DEVICE, message);
  return 0;
}

/* A driver call outside a run: success, or the status with the driver's
 * message. */
incept_status incept_cuda_status(const incept_cuda_driver_api *driver, const char *call,
                                 CUresult result) {
  if (result == INCEPT_CUDA_SUCCESS)
    return INCEPT_OK;
  char message[256];
  incept_cuda_describe(driver, call, result, message, sizeof message);
  incept_set_last_error("%s", message);
  return result == INCEPT_CUDA_ERROR_OUT_OF_MEMORY ? INCEPT_ERROR_OUT_OF_MEMORY
                                                   : INCEPT_ERROR_DEVICE;
}

/* The context's CUDA context made current, for a call that is not a run. */
incept_status incept_cuda_enter(incept_cuda_context *context) {
  return incept_cuda_status(context->driver, "cuCtxPushCurrent",
                            context->driver->ctxPushCurrent(context->cuda));
}
void incept_cuda_leave(incept_cuda_context *context) {
  CUcontext popped;
  context->driver->ctxPopCurrent(&popped);
}

static CUstream stream_or_own(incept_cuda_context *context, void *stream) {
  return stream ? (CUstream)stream : context->stream;
}

/* Frees what create made; the context's CUDA context is current. */
static void release(incept_cuda_context *context) {
  const incept_cuda_driver_api *driver = context->driver;
  if (context->graph)
    driver->graphExecDestroy(context->graph);
  for (int i = 0; i < INCEPT_CUDA_MAX_BRANCHES; ++i) {
    if (context->branches[i])
      driver->streamDestroy(context->branches[i]);
    if (context->forks[i])
      driver->eventDestroy(context->forks[i]);
    if (context->joins[i])
      driver->eventDestroy(context->joins[i]);
  }
  incept_cuda_profile_release(context);
  for (int32_t i = 0; i < context->num_events; ++i)
    if (context->events[i])
      driver->eventDestroy(context->events[i]);
  free(context->events);
  for (int32_t i = 0; i < context->num_allocations; ++i)
    driver->memFree(context->allocations[i]);
  free(context->allocations);
  if (context->arena)
    driver->memFree(context->arena);
  if (context->stream)
    driver->streamDestroy(context->stream);
}

static incept_status device_of(const incept_cuda_driver_api *driver,
                               int32_t ordinal, int32_t compute_capability,
                               CUdevice *device, int32_t *capability) {
  int count = 0;
  incept_status status =
      incept_cuda_status(driver, "cuDeviceGetCount", driver->deviceGetCount(&count));
  if (status != INCEPT_OK)
    return status;
  if (count == 0) {
    incept_set_last_error("the CUDA driver finds no GPU");
    return INCEPT_ERROR_NO_DEVICE;
  }
  if (ordinal < 0 || ordinal >= count) {
    incept_set_last_error("there is no GPU %d: the CUDA driver finds %d "
                          "(ordinals 0 to %d)", ordinal, count, count - 1);
    return INCEPT_ERROR_INVALID_ARGUMENT;
  }
  int major = 0, minor = 0;
  char name[128] = "";
  if ((status = incept_cuda_status(driver, "cuDeviceGet",
                                   driver->deviceGet(device, ordinal))) ||
      (status = incept_cuda_status(
           driver, "cuDeviceGetAttribute",
           driver->deviceGetAttribute(&major, INCEPT_CUDA_DEVICE_ATTRIBUTE_CC_MAJOR,
                                      *device))) ||
      (status = incept_cuda_status(
           driver, "cuDeviceGetAttribute",
           driver->deviceGetAttribute(&minor, INCEPT_CUDA_DEVICE_ATTRIBUTE_CC_MINOR,
                                      *device))) ||
      (status =
           incept_cuda_status(driver, "cuDeviceGetName",
                              driver->deviceGetName(name, (int)sizeof name, *device))))
    return status;
  *capability = major * 10 + minor;
  if (*capability < compute_capability) {
    incept_set_last_error("the library was compiled for sm_%d, and GPU %d (%s) "
                          "is sm_%d: compile it with --gpu-arch=sm_%d or older",
                          compute_capability, ordinal, name, *capability,
                          *capability);
    return INCEPT_ERROR_UNSUPPORTED_DEVICE;
  }
  return INCEPT_OK;
}

incept_status incept_cuda_context_create(int32_t device,
                                         int32_t compute_capability,
                                         uint64_t arena_bytes,
                                         incept_cuda_context **context) {
  if (!context)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  *context = NULL;
  incept_status status;
  const incept_cuda_driver_api *driver = incept_cuda_driver(&status);
  if (!driver)
    return status;
  incept_cuda_context *result = calloc(1, sizeof *result);
  if (!result)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  result->driver = driver;
  result->ordinal = device;
  status = device_of(driver, device, compute_capability, &result->device,
                     &result->compute_capability);
  if (status == INCEPT_OK)
    status = incept_cuda_status(driver, "cuDevicePrimaryCtxRetain",
                                driver->primaryCtxRetain(&result->cuda, result->device));
  if (status != INCEPT_OK) {
    free(result);
    return status;
  }
  if ((status = incept_cuda_enter(result)) != INCEPT_OK) {
    driver->primaryCtxRelease(result->device);
    free(result);
    return status;
  }
  status = incept_cuda_status(
      driver, "cuStreamCreate",
      driver->streamCreate(&result->stream, INCEPT_CUDA_STREAM_NON_BLOCKING));
  if (status == INCEPT_OK)
    status = incept_cuda_status(
        driver, "cuMemAlloc",
        driver->memAlloc(&result->arena,
                         arena_bytes ? arena_bytes : INCEPT_ARENA_ALIGNMENT));
  if (status != INCEPT_OK) {
    release(result);
    incept_cuda_leave(result);
    driver->primaryCtxRelease(result->device);
    free(result);
    return status;
  }
  incept_cuda_leave(result);
  *context = result;
  return INCEPT_OK;
}

void incept_cuda_context_destroy(incept_cuda_context *context) {
  if (!context)
    return;
  if (incept_cuda_enter(context) == INCEPT_OK) {
    context->driver->streamSynchronize(context->stream);
    release(context);
    incept_cuda_leave(context);
  }
  context->driver->primaryCtxRelease(context->device);
  free(context);
}

void *incept_cuda_context_arena(const incept_cuda_context *context) {
  return context ? (void *)(uintptr_t)context->arena : NULL;
}

int32_t incept_cuda_context_compute_capability(const incept_cuda_context *context) {
  return context ? context->compute_capability : 0;
}

incept_status incept_cuda_alloc(incept_cuda_context *context, uint64_t bytes,
                                void **pointer) {
  if (!context || !pointer)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  *pointer = NULL;
  if (context->num_allocations == context->allocation_capacity) {
    int32_t capacity = context->allocation_capacity ? 2 * context->allocation_capacity : 4;
    CUdeviceptr *grown =
        realloc(context->allocations, (size_t)capacity * sizeof *grown);
    if (!grown)
      return INCEPT_ERROR_OUT_OF_MEMORY;
    context->allocations = grown;
    context->allocation_capacity = capacity;
  }
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  CUdeviceptr memory = 0;
  status = incept_cuda_status(context->driver, "cuMemAlloc",
                              context->driver->memAlloc(&memory, bytes ? bytes : 1));
  incept_cuda_leave(context);
  if (status != INCEPT_OK)
    return status;
  context->allocations[context->num_allocations++] = memory;
  *pointer = (void *)(uintptr_t)memory;
  return INCEPT_OK;
}

/* Where a copy goes, which picks the driver's call. */
typedef enum copy_direction { kToDevice, kToHost, kOnDevice } copy_direction;

/* A copy on `stream`, as the three entry points below ask. */
static incept_status copy(incept_cuda_context *context, copy_direction direction,
                          void *destination, const void *source, uint64_t bytes,
                          void *stream) {
  if (!context || (bytes && (!destination || !source)))
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  const incept_cuda_driver_api *driver = context->driver;
  CUstream on = stream_or_own(context, stream);
  CUdeviceptr to = (CUdeviceptr)(uintptr_t)destination;
  CUdeviceptr from = (CUdeviceptr)(uintptr_t)source;
  switch (direction) {
  case kToDevice:
    status = incept_cuda_status(driver, "cuMemcpyHtoDAsync",
                                driver->memcpyHtoDAsync(to, source, bytes, on));
    break;
  case kToHost:
    status = incept_cuda_status(driver, "cuMemcpyDtoHAsync",
                                driver->memcpyDtoHAsync(destination, from, bytes, on));
    break;
  case kOnDevice:
    status = incept_cuda_status(driver, "cuMemcpyAsync",
                                driver->memcpyAsync(to, from, bytes, on));
    break;
  }
  incept_cuda_leave(context);
  return status;
}

incept_status incept_cuda_copy_to_device(incept_cuda_context *context,
                                         void *device, const void *host,
                                         uint64_t bytes, void *stream) {
  return copy(context, kToDevice, device, host, bytes, stream);
}

incept_status incept_cuda_copy_to_host(incept_cuda_context *context,
                                       void *host, const void *device,
                                       uint64_t bytes, void *stream) {
  return copy(context, kToHost, host, device, bytes, stream);
}

incept_status incept_cuda_copy_on_device(incept_cuda_context *context,
                                         void *destination, const void *source,
                                         uint64_t bytes, void *stream) {
  return copy(context, kOnDevice, destination, source, bytes, stream);
}

incept_status incept_cuda_zero(incept_cuda_context *context, void *device,
                               uint64_t bytes, void *stream) {
  if (!context || (bytes && !device))
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  status = incept_cuda_status(
      context->driver, "cuMemsetD8Async",
      context->driver->memsetD8Async((CUdeviceptr)(uintptr_t)device, 0, bytes,
                                     stream_or_own(context, stream)));
  incept_cuda_leave(context);
  return status;
}

incept_status incept_cuda_synchronize(incept_cuda_context *context,
                                      void *stream) {
  if (!context)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  status = incept_cuda_status(
      context->driver, "cuStreamSynchronize",
      context->driver->streamSynchronize(stream_or_own(context, stream)));
  incept_cuda_leave(context);
  return status;
}

incept_status incept_cuda_run_begin(incept_cuda_context *context, void *stream,
                                    incept_cuda_run_mode mode) {
  if (!context || current_run ||
      (mode != INCEPT_CUDA_LAUNCH && mode != INCEPT_CUDA_CAPTURE))
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_status status = incept_cuda_enter(context);
  if (status == INCEPT_OK)
    status = incept_cuda_profile_run_begin(context);
  if (status != INCEPT_OK) {
    incept_cuda_leave(context);
    return status;
  }
  memset(&run_state, 0, sizeof run_state);
  run_state.context = context;
  run_state.stream = stream_or_own(context, stream);
  run_state.mode = mode;
  if (mode == INCEPT_CUDA_CAPTURE) {
    if (context->graph) {
      context->driver->graphExecDestroy(context->graph);
      context->graph = NULL;
    }
    status = incept_cuda_status(
        context->driver, "cuStreamBeginCapture",
        context->driver->streamBeginCapture(
            run_state.stream, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL));
    if (status != INCEPT_OK) {
      incept_cuda_leave(context);
      return status;
    }
  }
  current_run = &run_state;
  incept_cuda_profile_origin(&run_state);
  return INCEPT_OK;
}

incept_status incept_cuda_run_end(void) {
  incept_cuda_run *run = current_run;
  if (!run)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_cuda_context *context = run->context;
  const incept_cuda_driver_api *driver = context->driver;
  /* Branches still out are joined, so that the run's stream (and a graph
   * captured from it) covers everything the run launched. */
  for (int i = 0; i < INCEPT_CUDA_MAX_BRANCHES; ++i)
    if (run->branch_in_use[i] &&
        incept_cuda_check(run, "cuEventRecord",
                          driver->eventRecord(context->joins[i], context->branches[i])))
      incept_cuda_check(run, "cuStreamWaitEvent",
                        driver->streamWaitEvent(run->stream, context->joins[i], 0));
  if (run->mode == INCEPT_CUDA_CAPTURE) {
    /* The capture ends even after a failure: the stream must leave it. */
    CUgraph graph = NULL;
    int captured = incept_cuda_check(run, "cuStreamEndCapture",
                                     driver->streamEndCapture(run->stream, &graph));
    if (captured && run->status == INCEPT_OK &&
        incept_cuda_check(run, "cuGraphInstantiate",
                          driver->graphInstantiate(&context->graph, graph, 0)))
      incept_cuda_check(run, "cuGraphLaunch",
                        driver->graphLaunch(context->graph, run->stream));
    if (graph)
      driver->graphDestroy(graph);
    if (run->status != INCEPT_OK && context->graph) {
      driver->graphExecDestroy(context->graph);
      context->graph = NULL;
    }
  }
  incept_status status = run->status;
  incept_cuda_profile_run_end(context, status == INCEPT_OK);
  current_run = NULL;
  incept_cuda_leave(context);
  return status;
}

int incept_cuda_has_graph(const incept_cuda_context *context) {
  return context && context->graph;
}

incept_status incept_cuda_replay(incept_cuda_context *context, void *stream) {
  if (!context || !context->graph)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_status status = incept_cuda_enter(context);
  if (status != INCEPT_OK)
    return status;
  status = incept_cuda_profile_run_begin(context);
  if (status == INCEPT_OK)
    status = incept_cuda_status(
        context->driver, "cuGraphLaunch",
        context->driver->graphLaunch(context->graph, stream_or_own(context, stream)));
  incept_cuda_profile_run_end(context, status == INCEPT_OK);
  incept_cuda_leave(context);
  return status;
}
