/*===- StubDriver.c - a libcuda.so.1 for testing the runtime without a GPU ===*
 *
 * Just enough of the CUDA driver API for the runtime's unit tests: device
 * memory is host memory, a module's functions are names, and a launch of
 * the function "fill" writes its second parameter (a float) over the first
 * (a pointer to 4 floats), so a test sees whether, and when, a launch or a
 * replayed graph ran. Configured per call by the environment:
 *   STUB_CUDA_DEVICES  devices (default 1)
 *   STUB_CUDA_CC       their compute capability (default 90)
 *   STUB_CUDA_FAIL     "<symbol>[:<code>]": that entry point returns <code>
 *                      (default 719, CUDA_ERROR_LAUNCH_FAILED)
 * stub_cuda_calls("cuLaunchKernel") counts the calls of an entry point
 * since the last stub_cuda_reset_calls().
 *
 * A module whose image is an emulation image (a library compiled with
 * `incept-compile --target=cuda --gpu-emulator`) runs its kernels: each
 * launch runs on the CPU (KernelEmulator.c) before cuLaunchKernel returns,
 * or, captured into a graph, at each replay. So the tests run a GPU
 * library's kernels, host code and runtime without a GPU.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "Driver.h"
#include "KernelEmulator.h"

#define EXPORT __attribute__((visibility("default")))

/* Every entry point with the prototype the runtime calls it by: a definition
 * that differs does not compile (calling one through a pointer of another
 * type is undefined, which UBSan reports). */
#define CUDA_ENTRY(field, symbol, parameters) EXPORT CUresult symbol parameters;
#include "DriverApi.def"
#undef CUDA_ENTRY

/* Calls counted by name; few names, so a small table. */
static struct {
  const char *name;
  int count;
} calls[64];

EXPORT int stub_cuda_calls(const char *name) {
  for (int i = 0; i < 64 && calls[i].name; ++i)
    if (!strcmp(calls[i].name, name))
      return calls[i].count;
  return 0;
}

/* Forgets the calls counted so far. */
EXPORT void stub_cuda_reset_calls(void) {
  for (int i = 0; i < 64; ++i)
    calls[i].count = 0;
}

/* Counts the call; the failure STUB_CUDA_FAIL asks of it, or 0. */
static CUresult enter(const char *name) {
  for (int i = 0; i < 64; ++i) {
    if (!calls[i].name)
      calls[i].name = name;
    if (!strcmp(calls[i].name, name)) {
      ++calls[i].count;
      break;
    }
  }
  const char *fail = getenv("STUB_CUDA_FAIL");
  size_t length = strlen(name);
  if (fail && !strncmp(fail, name, length) &&
      (fail[length] == 0 || fail[length] == ':'))
    return fail[length] == ':' ? atoi(fail + length + 1) : 719;
  return 0;
}

#define ENTER(name)                                                            \
  do {                                                                         \
    CUresult failure = enter(#name);                                           \
    if (failure)                                                               \
      return failure;                                                          \
  } while (0)

static int env_int(const char *name, int fallback) {
  const char *value = getenv(name);
  return value && *value ? atoi(value) : fallback;
}

EXPORT CUresult cuInit(unsigned int flags) { (void)flags; ENTER(cuInit); return 0; }
EXPORT CUresult cuDriverGetVersion(int *version) { ENTER(cuDriverGetVersion); *version = 13000; return 0; }
EXPORT CUresult cuDeviceGetCount(int *count) {
  ENTER(cuDeviceGetCount);
  *count = env_int("STUB_CUDA_DEVICES", 1);
  return 0;
}
EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) { ENTER(cuDeviceGet); *device = ordinal; return 0; }
EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice device) {
  (void)device;
  ENTER(cuDeviceGetAttribute);
  int capability = env_int("STUB_CUDA_CC", 90);
  *value = attribute == 75 ? capability / 10 : attribute == 76 ? capability % 10 : 0;
  return 0;
}
EXPORT CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
  (void)device;
  ENTER(cuDeviceGetName);
  strncpy(name, "Stub GPU", (size_t)length);
  return 0;
}

/* One context per device, a counter of its retains. */
static int retains[16];
static char contexts[16];
EXPORT int stub_cuda_retains(int device) { return retains[device]; }

EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
  ENTER(cuDevicePrimaryCtxRetain);
  ++retains[device];
  *context = (CUcontext)&contexts[device];
  return 0;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  ENTER(cuDevicePrimaryCtxRelease_v2);
  --retains[device];
  return 0;
}
static _Thread_local int pushed;
EXPORT int stub_cuda_pushed(void) { return pushed; }
EXPORT CUresult cuCtxPushCurrent_v2(CUcontext context) { (void)context; ENTER(cuCtxPushCurrent_v2); ++pushed; return 0; }
EXPORT CUresult cuCtxPopCurrent_v2(CUcontext *context) { ENTER(cuCtxPopCurrent_v2); *context = NULL; --pushed; return 0; }

/* A module is its image, and the image loaded where it is one to emulate. */
typedef struct stub_module {
  const void *image;
  void *emulated;
} stub_module;

EXPORT CUresult cuModuleLoadData(CUmodule *module, const void *image) {
  ENTER(cuModuleLoadData);
  if (!strncmp((const char *)image, "NOBINARY", 8))
    return 209;
  stub_module *loaded = calloc(1, sizeof *loaded);
  if (!loaded)
    return 2;
  loaded->image = image;
  if (emu_is_image(image) && !(loaded->emulated = emu_load_image(image))) {
    free(loaded);
    return 200; /* CUDA_ERROR_INVALID_IMAGE */
  }
  *module = (CUmodule)loaded;
  return 0;
}
EXPORT CUresult cuModuleUnload(CUmodule module) {
  ENTER(cuModuleUnload);
  stub_module *loaded = (stub_module *)module;
  if (loaded->emulated)
    emu_unload_image(loaded->emulated);
  free(loaded);
  return 0;
}

/* A function is its name and, in an emulated module, its kernel; kept here
 * as the driver keeps it with its module. */
typedef struct stub_function {
  char name[256];
  const stub_module *module;
  emu_kernel kernel;
} stub_function;
enum { kMaxFunctions = 4096 };
static stub_function functions[kMaxFunctions];
static int num_functions;

EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
  ENTER(cuModuleGetFunction);
  if (!strcmp(name, "missing"))
    return 500; /* CUDA_ERROR_NOT_FOUND */
  const stub_module *loaded = (const stub_module *)module;
  int slot = 0;
  while (slot < num_functions &&
         (functions[slot].module != loaded || strcmp(functions[slot].name, name)))
    ++slot;
  if (slot == kMaxFunctions || strlen(name) >= sizeof functions[slot].name)
    return 2;
  if (slot == num_functions) {
    stub_function *found = &functions[num_functions];
    strcpy(found->name, name);
    found->module = loaded;
    if (loaded->emulated && !emu_find_kernel(loaded->emulated, name, &found->kernel))
      return 500;
    ++num_functions;
  }
  *function = (CUfunction)&functions[slot];
  return 0;
}
EXPORT CUresult cuFuncSetAttribute(CUfunction function, int attribute, int value) {
  (void)function; (void)attribute; (void)value;
  ENTER(cuFuncSetAttribute);
  return 0;
}

/* What a launch does; a captured launch is kept to be done at replay, with
 * its own copy of an emulated kernel's parameters. */
typedef struct launch {
  const stub_function *function;
  float *target;
  float value;
  unsigned grid[3], block[3], shared_bytes;
  void **params;
} launch;

static bool perform(launch work) {
  if (work.function->kernel.entry)
    return emu_launch(&work.function->kernel, work.grid, work.block, work.shared_bytes,
                      work.params);
  if (!strcmp(work.function->name, "fill"))
    for (int i = 0; i < 4; ++i)
      work.target[i] = work.value;
  return true;
}

/* The parameters of an emulated kernel's launch, copied: an array of
 * pointers followed by the values. */
static void **copy_params(const emu_kernel *kernel, void **params) {
  int64_t count = kernel->info[0];
  size_t bytes = (size_t)count * sizeof(void *);
  for (int64_t i = 0; i < count; ++i)
    bytes += (size_t)(kernel->info[2 + i] + 15) / 16 * 16;
  void **copy = malloc(bytes);
  if (!copy)
    return NULL;
  char *value = (char *)(copy + count);
  for (int64_t i = 0; i < count; ++i) {
    memcpy(value, params[i], (size_t)kernel->info[2 + i]);
    copy[i] = value;
    value += (kernel->info[2 + i] + 15) / 16 * 16;
  }
  return copy;
}

/* One stream captures at a time in these tests. The record of a capture
 * grows as launches come. */
static void *capturing;
static launch *captured;
static int num_captured, captured_capacity;

static void forget_launches(launch *launches, int count) {
  for (int i = 0; i < count; ++i)
    free(launches[i].params);
  free(launches);
}

EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned int gridX, unsigned int gridY,
                               unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                               unsigned int blockZ, unsigned int sharedBytes, CUstream stream,
                               void **params, void **extra) {
  (void)extra;
  ENTER(cuLaunchKernel);
  const stub_function *called = (const stub_function *)function;
  launch work = {called, NULL, 0, {gridX, gridY, gridZ}, {blockX, blockY, blockZ},
                 sharedBytes, params};
  if (!strcmp(called->name, "fill")) {
    work.target = *(float **)params[0];
    work.value = *(float *)params[1];
  }
  if (!capturing || stream != capturing)
    return perform(work) ? 0 : 719;
  if (num_captured == captured_capacity) {
    int capacity = captured_capacity ? 2 * captured_capacity : 64;
    launch *grown = realloc(captured, (size_t)capacity * sizeof *grown);
    if (!grown)
      return 2;
    captured = grown;
    captured_capacity = capacity;
  }
  work.params = called->kernel.entry ? copy_params(&called->kernel, params) : NULL;
  if (called->kernel.entry && !work.params)
    return 2;
  captured[num_captured++] = work;
  return 0;
}

static char streams[64];
static int num_streams;
EXPORT int stub_cuda_live_streams(void) { return stub_cuda_calls("cuStreamCreate") - stub_cuda_calls("cuStreamDestroy_v2"); }
EXPORT CUresult cuStreamCreate(CUstream *stream, unsigned int flags) {
  (void)flags;
  ENTER(cuStreamCreate);
  *stream = (CUstream)&streams[num_streams++ % 64];
  return 0;
}
EXPORT CUresult cuStreamDestroy_v2(CUstream stream) { (void)stream; ENTER(cuStreamDestroy_v2); return 0; }
EXPORT CUresult cuStreamSynchronize(CUstream stream) { (void)stream; ENTER(cuStreamSynchronize); return 0; }
EXPORT CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags) {
  (void)stream; (void)event; (void)flags;
  ENTER(cuStreamWaitEvent);
  return 0;
}
static char events[64];
static int num_events;
EXPORT CUresult cuEventCreate(CUevent *event, unsigned int flags) {
  (void)flags;
  ENTER(cuEventCreate);
  *event = (CUevent)&events[num_events++ % 64];
  return 0;
}
EXPORT CUresult cuEventDestroy_v2(CUevent event) { (void)event; ENTER(cuEventDestroy_v2); return 0; }
EXPORT CUresult cuEventRecord(CUevent event, CUstream stream) { (void)event; (void)stream; ENTER(cuEventRecord); return 0; }
EXPORT CUresult cuEventSynchronize(CUevent event) { (void)event; ENTER(cuEventSynchronize); return 0; }

/* Device memory is host memory; the stub counts what is live. */
static long live_allocations;
EXPORT long stub_cuda_live_allocations(void) { return live_allocations; }
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  ENTER(cuMemAlloc_v2);
  if (bytes > ((size_t)1 << 40))
    return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
  void *memory = calloc(1, bytes);
  if (!memory)
    return 2;
  ++live_allocations;
  *pointer = (CUdeviceptr)(uintptr_t)memory;
  return 0;
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
  ENTER(cuMemFree_v2);
  --live_allocations;
  free((void *)(uintptr_t)pointer);
  return 0;
}
EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  (void)stream;
  ENTER(cuMemcpyAsync);
  memcpy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, bytes);
  return 0;
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, CUstream stream) {
  (void)stream;
  ENTER(cuMemcpyHtoDAsync_v2);
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return 0;
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  (void)stream;
  ENTER(cuMemcpyDtoHAsync_v2);
  memcpy(dst, (void *)(uintptr_t)src, bytes);
  return 0;
}
EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream) {
  (void)stream;
  ENTER(cuMemsetD32Async);
  for (size_t i = 0; i < count; ++i)
    ((unsigned int *)(uintptr_t)dst)[i] = value;
  return 0;
}
EXPORT CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count, CUstream stream) {
  (void)stream;
  ENTER(cuMemsetD16Async);
  for (size_t i = 0; i < count; ++i)
    ((unsigned short *)(uintptr_t)dst)[i] = value;
  return 0;
}

/* A graph is the launches captured; an executable graph the same. */
typedef struct stub_graph {
  launch *launches;
  int count;
} stub_graph;

EXPORT CUresult cuStreamBeginCapture_v2(CUstream stream, int mode) {
  (void)mode;
  ENTER(cuStreamBeginCapture_v2);
  capturing = stream;
  captured = NULL;
  num_captured = captured_capacity = 0;
  return 0;
}
EXPORT CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  ENTER(cuStreamEndCapture);
  if (stream != capturing)
    return 901; /* CUDA_ERROR_STREAM_CAPTURE_INVALIDATED */
  capturing = NULL;
  stub_graph *made = malloc(sizeof *made);
  if (!made)
    return 2;
  *made = (stub_graph){captured, num_captured};
  captured = NULL;
  *graph = (CUgraph)made;
  return 0;
}
EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph, unsigned long long flags) {
  (void)flags;
  ENTER(cuGraphInstantiateWithFlags);
  const stub_graph *source = (const stub_graph *)graph;
  stub_graph *instance = malloc(sizeof *instance);
  launch *launches = malloc((size_t)(source->count ? source->count : 1) * sizeof *launches);
  if (!instance || !launches) {
    free(instance);
    free(launches);
    return 2;
  }
  for (int i = 0; i < source->count; ++i) {
    launches[i] = source->launches[i];
    if (launches[i].params &&
        !(launches[i].params = copy_params(&launches[i].function->kernel,
                                           source->launches[i].params))) {
      forget_launches(launches, i);
      free(instance);
      return 2;
    }
  }
  *instance = (stub_graph){launches, source->count};
  *exec = (CUgraphExec)instance;
  return 0;
}
EXPORT CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  (void)stream;
  ENTER(cuGraphLaunch);
  const stub_graph *instance = (const stub_graph *)exec;
  for (int i = 0; i < instance->count; ++i)
    if (!perform(instance->launches[i]))
      return 719;
  return 0;
}
static void destroy_graph(stub_graph *graph) {
  forget_launches(graph->launches, graph->count);
  free(graph);
}
EXPORT CUresult cuGraphExecDestroy(CUgraphExec exec) {
  ENTER(cuGraphExecDestroy);
  destroy_graph((stub_graph *)exec);
  return 0;
}
EXPORT CUresult cuGraphDestroy(CUgraph graph) {
  ENTER(cuGraphDestroy);
  destroy_graph((stub_graph *)graph);
  return 0;
}

EXPORT CUresult cuGetErrorName(CUresult result, const char **name) {
  switch (result) {
  case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
  case 100: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
  case 200: *name = "CUDA_ERROR_INVALID_IMAGE"; return 0;
  case 209: *name = "CUDA_ERROR_NO_BINARY_FOR_GPU"; return 0;
  case 500: *name = "CUDA_ERROR_NOT_FOUND"; return 0;
  case 719: *name = "CUDA_ERROR_LAUNCH_FAILED"; return 0;
  }
  return 1;
}
EXPORT CUresult cuGetErrorString(CUresult result, const char **text) {
  switch (result) {
  case 2: *text = "out of memory"; return 0;
  case 100: *text = "no CUDA-capable device is detected"; return 0;
  case 200: *text = "device kernel image is invalid"; return 0;
  case 209: *text = "no kernel image is available for execution on the device"; return 0;
  case 500: *text = "named symbol not found"; return 0;
  case 719: *text = "unspecified launch failure"; return 0;
  }
  return 1;
}
