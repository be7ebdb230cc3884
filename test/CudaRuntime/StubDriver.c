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
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "Driver.h"

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

/* A module is its image; a function is a copy of its name. */
EXPORT CUresult cuModuleLoadData(CUmodule *module, const void *image) {
  ENTER(cuModuleLoadData);
  if (!strncmp((const char *)image, "NOBINARY", 8))
    return 209;
  *module = (void *)(uintptr_t)image;
  return 0;
}
EXPORT CUresult cuModuleUnload(CUmodule module) { (void)module; ENTER(cuModuleUnload); return 0; }
/* A function is its name, kept here as the driver keeps it with its module. */
static char functions[16][32];
EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
  (void)module;
  ENTER(cuModuleGetFunction);
  if (!strcmp(name, "missing"))
    return 500; /* CUDA_ERROR_NOT_FOUND */
  int slot = 0;
  while (slot < 15 && functions[slot][0] && strcmp(functions[slot], name))
    ++slot;
  strncpy(functions[slot], name, sizeof functions[slot] - 1);
  *function = (CUfunction)functions[slot];
  return 0;
}
EXPORT CUresult cuFuncSetAttribute(CUfunction function, int attribute, int value) {
  (void)function; (void)attribute; (void)value;
  ENTER(cuFuncSetAttribute);
  return 0;
}

/* What a launch does; a captured launch is kept to be done at replay. */
typedef struct launch {
  const char *function;
  float *target;
  float value;
} launch;

static void perform(launch work) {
  if (!strcmp(work.function, "fill"))
    for (int i = 0; i < 4; ++i)
      work.target[i] = work.value;
}

/* One stream captures at a time in these tests. */
static void *capturing;
static launch captured[64];
static int num_captured;

EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned int gridX, unsigned int gridY,
                               unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                               unsigned int blockZ, unsigned int sharedBytes, CUstream stream,
                               void **params, void **extra) {
  (void)gridX; (void)gridY; (void)gridZ; (void)blockX; (void)blockY; (void)blockZ;
  (void)sharedBytes; (void)extra;
  ENTER(cuLaunchKernel);
  /* A function is its name (cuModuleGetFunction). */
  launch work = {(const char *)function, NULL, 0};
  if (!strcmp(work.function, "fill")) {
    work.target = *(float **)params[0];
    work.value = *(float *)params[1];
  }
  if (capturing && stream == capturing)
    captured[num_captured++ % 64] = work;
  else
    perform(work);
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
static launch graph_launches[64];
static int num_graph_launches;
EXPORT CUresult cuStreamBeginCapture_v2(CUstream stream, int mode) {
  (void)mode;
  ENTER(cuStreamBeginCapture_v2);
  capturing = stream;
  num_captured = 0;
  return 0;
}
EXPORT CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  ENTER(cuStreamEndCapture);
  if (stream != capturing)
    return 901; /* CUDA_ERROR_STREAM_CAPTURE_INVALIDATED */
  capturing = NULL;
  *graph = (CUgraph)captured;
  return 0;
}
EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph, unsigned long long flags) {
  (void)flags;
  ENTER(cuGraphInstantiateWithFlags);
  memcpy(graph_launches, graph, sizeof graph_launches);
  /* The record keeps the last 64 launches: a model's graph has hundreds. */
  num_graph_launches = num_captured < 64 ? num_captured : 64;
  *exec = (CUgraphExec)graph_launches;
  return 0;
}
EXPORT CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  (void)exec; (void)stream;
  ENTER(cuGraphLaunch);
  for (int i = 0; i < num_graph_launches; ++i)
    perform(graph_launches[i]);
  return 0;
}
EXPORT CUresult cuGraphExecDestroy(CUgraphExec exec) { (void)exec; ENTER(cuGraphExecDestroy); return 0; }
EXPORT CUresult cuGraphDestroy(CUgraph graph) { (void)graph; ENTER(cuGraphDestroy); return 0; }

EXPORT CUresult cuGetErrorName(CUresult result, const char **name) {
  switch (result) {
  case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
  case 100: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
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
  case 209: *text = "no kernel image is available for execution on the device"; return 0;
  case 500: *text = "named symbol not found"; return 0;
  case 719: *text = "unspecified launch failure"; return 0;
  }
  return 1;
}
