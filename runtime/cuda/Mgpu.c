/*===- Mgpu.c - the host ABI of MLIR's gpu-to-llvm lowering ---------------===*
 *
 * Host code lowered by gpu-to-llvm (LLVM 22) calls these mgpu* functions,
 * which upstream's CudaRuntimeWrappers.cpp defines on the CUDA runtime and
 * Debian's LLVM does not ship. Here they are on the driver API, with three
 * differences that a library linked into applications needs:
 *
 *  - Loading a module (called from a global constructor when the library is
 *    loaded) only records the image; it is loaded into a device's context
 *    at the first launch there. So dlopen never touches CUDA.
 *  - They work on the calling thread's run (incept_cuda_run_begin): a
 *    failure becomes the run's status, and what follows it is skipped;
 *    nothing aborts. Outside a run they fail (incept_last_error says so).
 *  - Streams are the run's: the first mgpuStreamCreate of a run hands out
 *    the run's stream, later ones a branch stream that starts after the work
 *    already on it (an event) and that mgpuStreamDestroy joins back. Within
 *    a run, synchronising is left to whoever ends it: the generated code
 *    never reads device memory on the host, and a stream being captured into
 *    a graph must not be synchronised.
 *  - Launches that may run at the same time go on branch streams, ordered
 *    by events that the generated code numbers (incept_cuda_record_event,
 *    incept_cuda_wait_event); the context makes each at its first use.
 *
 *===----------------------------------------------------------------------===*/
/* pthread mutexes under -std=c11. */
#define _POSIX_C_SOURCE 200809L
#include "Mgpu.h"

#include "Context.h"

#include "incept/runtime.h"

#include <pthread.h>
#include <stdlib.h>

/* One GPU module of a library: its image (fatbin, cubin or PTX), loaded
 * lazily into each device context that launches from it, and the functions
 * looked up there. */
typedef struct loaded_module {
  CUcontext cuda;
  CUdevice device;
  CUmodule module;
} loaded_module;

typedef struct cached_function {
  const char *name; /* the generated code's constant: compared by address */
  CUcontext cuda;
  CUfunction function;
} cached_function;

typedef struct incept_cuda_module {
  const void *image;
  pthread_mutex_t lock;
  loaded_module *loaded;
  int32_t num_loaded;
  cached_function *functions; /* open addressing, capacity a power of two */
  int32_t num_functions, function_capacity;
} incept_cuda_module;

static incept_cuda_module *record_module(const void *image) {
  incept_cuda_module *module = calloc(1, sizeof *module);
  if (!module) {
    incept_set_last_error("out of memory recording a GPU module");
    return NULL;
  }
  module->image = image;
  pthread_mutex_init(&module->lock, NULL);
  return module;
}

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size; /* fatbins and cubins say their size themselves */
  return record_module(data);
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel; /* the driver JITs PTX at its default level */
  return record_module(data);
}

void mgpuModuleUnload(void *handle) {
  incept_cuda_module *module = handle;
  if (!module)
    return;
  const incept_cuda_driver_api *driver = incept_cuda_driver_if_open();
  for (int32_t i = 0; driver && i < module->num_loaded; ++i) {
    CUcontext popped;
    if (driver->ctxPushCurrent(module->loaded[i].cuda) == INCEPT_CUDA_SUCCESS) {
      driver->moduleUnload(module->loaded[i].module);
      driver->ctxPopCurrent(&popped);
    }
    driver->primaryCtxRelease(module->loaded[i].device);
  }
  free(module->loaded);
  free(module->functions);
  pthread_mutex_destroy(&module->lock);
  free(module);
}

/* The module loaded in the run's context; the module's lock is held. A
 * loaded module keeps its device's primary context retained, so that the
 * context, and the module with it, lives until the library is unloaded even
 * when every Incept context on the device has been destroyed. */
static CUmodule module_in(incept_cuda_module *module, incept_cuda_run *run) {
  incept_cuda_context *context = run->context;
  for (int32_t i = 0; i < module->num_loaded; ++i)
    if (module->loaded[i].cuda == context->cuda)
      return module->loaded[i].module;
  loaded_module *grown = realloc(module->loaded,
                                 (size_t)(module->num_loaded + 1) * sizeof *grown);
  if (!grown) {
    incept_cuda_fail(run, INCEPT_ERROR_OUT_OF_MEMORY,
                     "out of memory loading a GPU module");
    return NULL;
  }
  module->loaded = grown;
  const incept_cuda_driver_api *driver = context->driver;
  CUmodule loaded = NULL;
  CUresult result = driver->moduleLoadData(&loaded, module->image);
  if (result == INCEPT_CUDA_ERROR_NO_BINARY_FOR_GPU ||
      result == INCEPT_CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
    char message[256];
    incept_cuda_describe(driver, "cuModuleLoadData", result, message,
                         sizeof message);
    incept_set_last_error("%s: the library has no code this GPU (sm_%d) or "
                          "its driver can run",
                          message, context->compute_capability);
    run->status = INCEPT_ERROR_UNSUPPORTED_DEVICE;
    return NULL;
  }
  if (!incept_cuda_check(run, "cuModuleLoadData", result))
    return NULL;
  CUcontext retained;
  if (!incept_cuda_check(run, "cuDevicePrimaryCtxRetain",
                         driver->primaryCtxRetain(&retained, context->device))) {
    driver->moduleUnload(loaded);
    return NULL;
  }
  module->loaded[module->num_loaded++] =
      (loaded_module){context->cuda, context->device, loaded};
  return loaded;
}

static size_t slot_of(const char *name, CUcontext cuda, int32_t capacity) {
  uintptr_t key = (uintptr_t)name ^ ((uintptr_t)cuda >> 4);
  key *= (uintptr_t)0x9E3779B97F4A7C15ull;
  return (size_t)(key >> 7) & (size_t)(capacity - 1);
}

static bool grow_functions(incept_cuda_module *module) {
  int32_t capacity = module->function_capacity ? 2 * module->function_capacity : 64;
  cached_function *table = calloc((size_t)capacity, sizeof *table);
  if (!table)
    return false;
  for (int32_t i = 0; i < module->function_capacity; ++i) {
    cached_function entry = module->functions[i];
    if (!entry.name)
      continue;
    size_t slot = slot_of(entry.name, entry.cuda, capacity);
    while (table[slot].name)
      slot = (slot + 1) & (size_t)(capacity - 1);
    table[slot] = entry;
  }
  free(module->functions);
  module->functions = table;
  module->function_capacity = capacity;
  return true;
}

/* Called before every launch: a lookup in the module's table once the
 * function has been found in the driver. */
void *mgpuModuleGetFunction(void *handle, const char *name) {
  incept_cuda_run *run = incept_cuda_current_run();
  incept_cuda_module *module = handle;
  if (!run) {
    incept_set_last_error("mgpuModuleGetFunction(%s) outside a run", name);
    return NULL;
  }
  if (run->status != INCEPT_OK)
    return NULL;
  if (!module) {
    incept_cuda_fail(run, INCEPT_ERROR_INTERNAL,
                     "a GPU module of the library could not be recorded");
    return NULL;
  }
  CUcontext cuda = run->context->cuda;
  CUfunction function = NULL;
  pthread_mutex_lock(&module->lock);
  if (module->function_capacity) {
    size_t slot = slot_of(name, cuda, module->function_capacity);
    for (; module->functions[slot].name;
         slot = (slot + 1) & (size_t)(module->function_capacity - 1))
      if (module->functions[slot].name == name && module->functions[slot].cuda == cuda) {
        function = module->functions[slot].function;
        break;
      }
  }
  if (!function) {
    CUmodule loaded = module_in(module, run);
    if (loaded &&
        incept_cuda_check(run, "cuModuleGetFunction",
                          run->context->driver->moduleGetFunction(&function, loaded, name))) {
      if (2 * (module->num_functions + 1) > module->function_capacity &&
          !grow_functions(module)) {
        pthread_mutex_unlock(&module->lock);
        return function; /* found, just not remembered */
      }
      size_t slot = slot_of(name, cuda, module->function_capacity);
      while (module->functions[slot].name)
        slot = (slot + 1) & (size_t)(module->function_capacity - 1);
      module->functions[slot] = (cached_function){name, cuda, function};
      ++module->num_functions;
    }
  }
  pthread_mutex_unlock(&module->lock);
  return function;
}

/* Shared memory a block may have without asking the driver for more. */
#define DEFAULT_SHARED_BYTES (48 * 1024)

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t paramCount) {
  (void)paramCount;
  incept_cuda_run *run = incept_cuda_current_run();
  if (!run) {
    incept_set_last_error("mgpuLaunchKernel outside a run");
    return;
  }
  if (run->status != INCEPT_OK || !function)
    return;
  const incept_cuda_driver_api *driver = run->context->driver;
  if (sharedBytes > DEFAULT_SHARED_BYTES &&
      !incept_cuda_check(run, "cuFuncSetAttribute",
                         driver->funcSetAttribute(
                             function, INCEPT_CUDA_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_BYTES,
                             sharedBytes)))
    return;
  incept_cuda_check(run, "cuLaunchKernel",
                    driver->launchKernel(function, (unsigned)gridX, (unsigned)gridY,
                                         (unsigned)gridZ, (unsigned)blockX,
                                         (unsigned)blockY, (unsigned)blockZ,
                                         (unsigned)sharedBytes,
                                         stream ? (CUstream)stream : run->stream,
                                         params, extra));
}

/* The run, or NULL with the failure said: for the calls that need one. */
static incept_cuda_run *run_for(const char *call) {
  incept_cuda_run *run = incept_cuda_current_run();
  if (!run)
    incept_set_last_error("%s outside a run", call);
  else if (run->status != INCEPT_OK)
    return NULL;
  return run;
}

void *mgpuStreamCreate(void) {
  incept_cuda_run *run = run_for("mgpuStreamCreate");
  if (!run)
    return NULL;
  if (!run->stream_handed_out) {
    run->stream_handed_out = 1;
    return run->stream;
  }
  incept_cuda_context *context = run->context;
  const incept_cuda_driver_api *driver = context->driver;
  for (int i = 0; i < INCEPT_CUDA_MAX_BRANCHES; ++i) {
    if (run->branch_in_use[i])
      continue;
    if (!context->branches[i] &&
        !(incept_cuda_check(run, "cuStreamCreate",
                            driver->streamCreate(&context->branches[i],
                                                 INCEPT_CUDA_STREAM_NON_BLOCKING)) &&
          incept_cuda_check(run, "cuEventCreate",
                            driver->eventCreate(&context->forks[i],
                                                INCEPT_CUDA_EVENT_DISABLE_TIMING)) &&
          incept_cuda_check(run, "cuEventCreate",
                            driver->eventCreate(&context->joins[i],
                                                INCEPT_CUDA_EVENT_DISABLE_TIMING))))
      return NULL;
    if (!incept_cuda_check(run, "cuEventRecord",
                           driver->eventRecord(context->forks[i], run->stream)) ||
        !incept_cuda_check(run, "cuStreamWaitEvent",
                           driver->streamWaitEvent(context->branches[i],
                                                   context->forks[i], 0)))
      return NULL;
    run->branch_in_use[i] = 1;
    return context->branches[i];
  }
  incept_cuda_fail(run, INCEPT_ERROR_INTERNAL,
                   "a run asked for more concurrent streams than the runtime has");
  return NULL;
}

void mgpuStreamDestroy(void *stream) {
  incept_cuda_run *run = run_for("mgpuStreamDestroy");
  if (!run)
    return;
  if (stream == run->stream) {
    run->stream_handed_out = 0;
    return;
  }
  incept_cuda_context *context = run->context;
  for (int i = 0; i < INCEPT_CUDA_MAX_BRANCHES; ++i)
    if (run->branch_in_use[i] && context->branches[i] == stream) {
      run->branch_in_use[i] = 0;
      if (incept_cuda_check(run, "cuEventRecord",
                            context->driver->eventRecord(context->joins[i], stream)))
        incept_cuda_check(run, "cuStreamWaitEvent",
                          context->driver->streamWaitEvent(run->stream,
                                                           context->joins[i], 0));
      return;
    }
}

void mgpuStreamSynchronize(void *stream) { (void)stream; }

void mgpuStreamWaitEvent(void *stream, void *event) {
  incept_cuda_run *run = run_for("mgpuStreamWaitEvent");
  if (run)
    incept_cuda_check(run, "cuStreamWaitEvent",
                      run->context->driver->streamWaitEvent(stream, event, 0));
}

void *mgpuEventCreate(void) {
  incept_cuda_run *run = run_for("mgpuEventCreate");
  CUevent event = NULL;
  if (run)
    incept_cuda_check(run, "cuEventCreate",
                      run->context->driver->eventCreate(
                          &event, INCEPT_CUDA_EVENT_DISABLE_TIMING));
  return event;
}

void mgpuEventDestroy(void *event) {
  incept_cuda_run *run = run_for("mgpuEventDestroy");
  if (run && event)
    incept_cuda_check(run, "cuEventDestroy",
                      run->context->driver->eventDestroy(event));
}

void mgpuEventSynchronize(void *event) { (void)event; }

void mgpuEventRecord(void *event, void *stream) {
  incept_cuda_run *run = run_for("mgpuEventRecord");
  if (run)
    incept_cuda_check(run, "cuEventRecord",
                      run->context->driver->eventRecord(event, stream));
}

/* The context's event `index`, made on first use; NULL with the run failed. */
static CUevent event_at(incept_cuda_run *run, int32_t index) {
  incept_cuda_context *context = run->context;
  if (index < 0) {
    incept_cuda_fail(run, INCEPT_ERROR_INTERNAL, "a negative event index");
    return NULL;
  }
  if (index >= context->num_events) {
    CUevent *grown = realloc(context->events, (size_t)(index + 1) * sizeof *grown);
    if (!grown) {
      incept_cuda_fail(run, INCEPT_ERROR_OUT_OF_MEMORY, "out of memory for events");
      return NULL;
    }
    for (int32_t i = context->num_events; i <= index; ++i)
      grown[i] = NULL;
    context->events = grown;
    context->num_events = index + 1;
  }
  if (!context->events[index] &&
      !incept_cuda_check(run, "cuEventCreate",
                         context->driver->eventCreate(&context->events[index],
                                                      INCEPT_CUDA_EVENT_DISABLE_TIMING)))
    return NULL;
  return context->events[index];
}

void incept_cuda_record_event(void *stream, int32_t index) {
  incept_cuda_run *run = run_for("incept_cuda_record_event");
  CUevent event = run ? event_at(run, index) : NULL;
  if (event)
    incept_cuda_check(run, "cuEventRecord",
                      run->context->driver->eventRecord(event, (CUstream)stream));
}

void incept_cuda_wait_event(void *stream, int32_t index) {
  incept_cuda_run *run = run_for("incept_cuda_wait_event");
  CUevent event = run ? event_at(run, index) : NULL;
  if (event)
    incept_cuda_check(run, "cuStreamWaitEvent",
                      run->context->driver->streamWaitEvent((CUstream)stream, event, 0));
}

/* Activations live in the context's arena; these serve generated code that
 * still allocates, outside a captured run only (a capture cannot). */
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared) {
  (void)stream;
  incept_cuda_run *run = run_for("mgpuMemAlloc");
  if (!run)
    return NULL;
  if (isHostShared || run->mode == INCEPT_CUDA_CAPTURE) {
    incept_cuda_fail(run, INCEPT_ERROR_INTERNAL,
                     isHostShared ? "mgpuMemAlloc of host-shared memory"
                                  : "mgpuMemAlloc in a captured run");
    return NULL;
  }
  CUdeviceptr memory = 0;
  incept_cuda_check(run, "cuMemAlloc",
                    run->context->driver->memAlloc(&memory, bytes ? bytes : 1));
  return (void *)(uintptr_t)memory;
}

void mgpuMemFree(void *pointer, void *stream) {
  (void)stream;
  incept_cuda_run *run = run_for("mgpuMemFree");
  if (run && pointer)
    incept_cuda_check(run, "cuMemFree",
                      run->context->driver->memFree((CUdeviceptr)(uintptr_t)pointer));
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  incept_cuda_run *run = run_for("mgpuMemcpy");
  if (run)
    incept_cuda_check(run, "cuMemcpyAsync",
                      run->context->driver->memcpyAsync(
                          (CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src,
                          bytes, stream));
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  incept_cuda_run *run = run_for("mgpuMemset32");
  if (run)
    incept_cuda_check(run, "cuMemsetD32Async",
                      run->context->driver->memsetD32Async(
                          (CUdeviceptr)(uintptr_t)dst, value, count, stream));
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  incept_cuda_run *run = run_for("mgpuMemset16");
  if (run)
    incept_cuda_check(run, "cuMemsetD16Async",
                      run->context->driver->memsetD16Async(
                          (CUdeviceptr)(uintptr_t)dst, value, count, stream));
}
