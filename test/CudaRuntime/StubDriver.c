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
 *   STUB_CUDA_STREAMS  when queued work runs: "eager" (the default) or
 *                      "reverse", below
 * stub_cuda_calls("cuLaunchKernel") counts the calls of an entry point
 * since the last stub_cuda_reset_calls().
 *
 * Streams are CUDA's: each one a queue of launches, copies, sets, event
 * records and waits, run in order, where a wait waits for the latest record
 * of its event issued before it (none: no wait). Nothing else orders work
 * on different streams, and STUB_CUDA_STREAMS picks the order it gets:
 *   eager    each item as soon as it may run: on a stream that waits for
 *            nothing, a launch runs before cuLaunchKernel returns.
 *   reverse  nothing until the host synchronises (cuStreamSynchronize,
 *            cuEventSynchronize, cuMemFree, cuModuleUnload); then all of
 *            it, each time the latest issued of the items that may run.
 *            Independent work runs in the reverse of the order it was
 *            issued, so a dependency missing between streams changes the
 *            results. Work that can never run (a deadlock) fails the call
 *            with CUDA_ERROR_LAUNCH_FAILED, and a message on stderr.
 * A failed emulated launch fails the call that ran it in the same way.
 *
 * A capture (cuStreamBeginCapture) records its stream's work instead of
 * queueing it, and that of every stream that waits for an event recorded in
 * the capture (a fork). cuStreamEndCapture fails, as CUDA's does, with
 * CUDA_ERROR_STREAM_CAPTURE_UNJOINED unless each forked stream ends with a
 * record that the capturing stream (or a stream joined already) waited for
 * (a join). A launch of the graph queues its work again on the streams it
 * was captured on (the capturing stream's on the stream launched on), each
 * of its records a new one that its waits wait for. A record made in the
 * capture with CU_EVENT_RECORD_EXTERNAL is a record of its event each time
 * the graph runs, which the host sees (waits, elapsed times).
 *
 * Events made for timing keep the stub's clock when their latest record
 * ran, and cuEventElapsedTime gives the time between two: a launch takes a
 * microsecond per block of its grid, and nothing else takes any.
 *
 * A module whose image is an emulation image (a library compiled with
 * `incept-compile --target=cuda --gpu-emulator`) runs its kernels: each
 * launch runs on the CPU (KernelEmulator.c) when its stream gets to it.
 * So the tests run a GPU library's kernels, host code and runtime without a
 * GPU.
 *
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
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

/* Runs the work queued on every stream (below). */
static CUresult drain(void);

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
/* Synchronises first: no queued launch runs a kernel of an unloaded image. */
EXPORT CUresult cuModuleUnload(CUmodule module) {
  ENTER(cuModuleUnload);
  CUresult result = drain();
  stub_module *loaded = (stub_module *)module;
  if (loaded->emulated)
    emu_unload_image(loaded->emulated);
  free(loaded);
  return result;
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

/* What a launch does, with its own copy of an emulated kernel's parameters:
 * the caller's array lives only as long as the call. */
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
  void **copy = malloc(bytes ? bytes : 1); /* malloc(0) may be NULL */
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

/* The launch made the owner of its parameters: an emulated kernel's are
 * copied, other kernels keep none ("fill" has its target and value). False
 * when out of memory. */
static bool own_params(launch *work, void **params) {
  work->params = NULL;
  if (!work->function->kernel.entry)
    return true;
  return (work->params = copy_params(&work->function->kernel, params)) != NULL;
}

/* What a stream does, item by item. */
typedef enum work_kind { kLaunch, kCopy, kSetD32, kSetD16, kSetD8, kRecord, kWait } work_kind;

typedef struct stub_event stub_event;

/* An item of a stream's queue: a launch; a copy of `size` bytes from src to
 * dst, or a set of `size` values at dst (a host buffer is read or written
 * when the item runs, not when it is issued); a record of `event` as its
 * generation `generation`, or a wait for that record. */
typedef struct work {
  work_kind kind;
  long sequence; /* the order of issue, which "reverse" runs backwards */
  launch launch;
  void *dst;
  const void *src;
  size_t size;
  unsigned value;
  stub_event *event;
  long generation;
  bool stamps; /* a record that sets its event's time: not a captured one
                  that only orders the capture's streams */
} work;

/* An event numbers its records, so that a wait waits for the record latest
 * when the wait was issued and not for one issued after it. A record in the
 * capture is a node of it instead, until the capture ends. */
struct stub_event {
  bool live;
  long issued;  /* generations handed out, a graph launch's records' too */
  long latest;  /* that of the latest record the host sees (outside a
                   capture, or a graph's external one) */
  long created; /* `issued` at cuEventCreate: `latest` not above it, no record */
  int captured; /* 1 + the capture's node of its latest record, or 0 */
  bool timing;  /* created without CU_EVENT_DISABLE_TIMING */
  long done;    /* the generation of its latest record that has run */
  long long at_ns; /* the stub's clock when that record ran */
};

/* The stub's GPU clock (above): the same times on every run, which say
 * which launches ran between two records. */
static long long gpu_clock_ns;

/* A stream is its queue, items first to end in the order of issue. */
typedef struct stub_stream {
  bool live;
  work *queue;
  int first, end, capacity;
  bool capturing;   /* the capture's origin, or a stream forked from it */
  int last_node;    /* its latest node in the capture */
  bool joined_back; /* found so at the capture's end */
} stub_stream;

/* streams[0] is the legacy default stream (NULL, CU_STREAM_LEGACY),
 * streams[1] the per-thread one; the rest are cuStreamCreate's (a context
 * has its stream and up to 7 branches). The legacy stream is ordered with
 * blocking streams only, and the runtime's are non-blocking: here it is one
 * stream more. */
enum { kDefaultStreams = 2, kMaxStreams = kDefaultStreams + 256 };
static stub_stream streams[kMaxStreams];
static long issued_work;

static stub_stream *stream_of(CUstream handle) {
  uintptr_t value = (uintptr_t)handle;
  if (value <= 2) /* CU_STREAM_LEGACY is 1, CU_STREAM_PER_THREAD 2 */
    return &streams[value == 2];
  return (stub_stream *)handle;
}

/* Work queued and not yet run, on every stream. */
EXPORT int stub_cuda_pending(void) {
  int pending = 0;
  for (int i = 0; i < kMaxStreams; ++i)
    pending += streams[i].end - streams[i].first;
  return pending;
}

/* STUB_CUDA_STREAMS: whether work waits for the host to synchronise, then
 * runs latest first. A value that is neither mode ends the process (with
 * no exit handlers: they would call the stub again), as a test of nothing. */
static bool reverse(void) {
  const char *order = getenv("STUB_CUDA_STREAMS");
  if (!order || !*order || !strcmp(order, "eager"))
    return false;
  if (!strcmp(order, "reverse"))
    return true;
  fprintf(stderr, "stub libcuda: STUB_CUDA_STREAMS=%s is neither eager nor reverse\n",
          order);
  _Exit(2);
}

/* Puts `item` at the end of `stream`'s queue, numbered in issue order. */
static CUresult enqueue(stub_stream *stream, work item) {
  if (stream->end == stream->capacity && stream->first) {
    memmove(stream->queue, stream->queue + stream->first,
            (size_t)(stream->end - stream->first) * sizeof *stream->queue);
    stream->end -= stream->first;
    stream->first = 0;
  }
  if (stream->end == stream->capacity) {
    int capacity = stream->capacity ? 2 * stream->capacity : 64;
    work *grown = realloc(stream->queue, (size_t)capacity * sizeof *grown);
    if (!grown)
      return 2;
    stream->queue = grown;
    stream->capacity = capacity;
  }
  item.sequence = ++issued_work;
  stream->queue[stream->end++] = item;
  return 0;
}

/* Whether the record `generation` of `event` is queued still. */
static bool record_queued(const stub_event *event, long generation) {
  for (int i = 0; i < kMaxStreams; ++i)
    for (int j = streams[i].first; j < streams[i].end; ++j) {
      const work *item = &streams[i].queue[j];
      if (item->kind == kRecord && item->event == event && item->generation == generation)
        return true;
    }
  return false;
}

/* Whether the head of a queue may run: a wait once its record has run. */
static bool ready(const work *item) {
  return item->kind != kWait || !record_queued(item->event, item->generation);
}

/* Does an item; false if it was a launch that failed. A record is done
 * once off its queue, a wait once it was ready. */
static bool execute(work item) {
  bool done = true;
  switch (item.kind) {
  case kLaunch:
    done = perform(item.launch);
    gpu_clock_ns += 1000ll * item.launch.grid[0] * item.launch.grid[1] * item.launch.grid[2];
    free(item.launch.params);
    break;
  case kCopy:
    memcpy(item.dst, item.src, item.size);
    break;
  case kSetD32:
    for (size_t i = 0; i < item.size; ++i)
      ((unsigned int *)item.dst)[i] = item.value;
    break;
  case kSetD16:
    for (size_t i = 0; i < item.size; ++i)
      ((unsigned short *)item.dst)[i] = (unsigned short)item.value;
    break;
  case kSetD8:
    memset(item.dst, (unsigned char)item.value, item.size);
    break;
  case kRecord:
    if (item.stamps) {
      item.event->done = item.generation;
      item.event->at_ns = gpu_clock_ns;
    }
    break;
  case kWait:
    break;
  }
  return done;
}

/* Runs queued work until none is left: each time, of the items that head
 * their queue and are ready, the one issued latest ("reverse") or earliest
 * ("eager", the order of issue as far as the waits allow). 719 if a launch
 * failed, or if what is left can never run. */
static CUresult drain(void) {
  bool latest_first = reverse();
  bool failed = false;
  for (;;) {
    stub_stream *next = NULL;
    int left = 0;
    for (int i = 0; i < kMaxStreams; ++i) {
      stub_stream *stream = &streams[i];
      if (stream->first == stream->end)
        continue;
      left += stream->end - stream->first;
      const work *head = &stream->queue[stream->first];
      if (ready(head) &&
          (!next || (head->sequence > next->queue[next->first].sequence) == latest_first))
        next = stream;
    }
    if (!next && left) {
      fprintf(stderr, "stub libcuda: deadlock: %d queued items wait for records that "
                      "cannot run\n", left);
      return 719; /* CUDA_ERROR_LAUNCH_FAILED */
    }
    if (!next)
      return failed ? 719 : 0;
    work item = next->queue[next->first++];
    if (next->first == next->end)
      next->first = next->end = 0;
    if (!execute(item))
      failed = true;
  }
}

/* After work is queued: "eager" runs what it can now, "reverse" leaves it
 * to the host's next synchronisation. */
static CUresult settle(void) { return reverse() ? 0 : drain(); }

/* A node of a capture: an item, the stream it was issued on and, for a
 * wait, the node of the record it waits for. */
typedef struct node {
  work work;
  stub_stream *stream;
  int after;
} node;

/* One capture at a time here: of `origin` and the streams forked from it.
 * Its nodes grow as work comes. */
typedef struct capture_state {
  stub_stream *origin; /* NULL: none */
  bool invalidated;    /* by a call that a capture does not allow */
  node *nodes;
  int count, capacity;
} capture_state;
static capture_state capture;

static CUresult capture_node(stub_stream *stream, work item, int after) {
  if (capture.count == capture.capacity) {
    int capacity = capture.capacity ? 2 * capture.capacity : 64;
    node *grown = realloc(capture.nodes, (size_t)capacity * sizeof *grown);
    if (!grown)
      return 2;
    capture.nodes = grown;
    capture.capacity = capacity;
  }
  capture.nodes[capture.count] = (node){item, stream, after};
  stream->last_node = capture.count++;
  return 0;
}

static void forget_nodes(node *nodes, int count) {
  for (int i = 0; i < count; ++i)
    free(nodes[i].work.launch.params);
  free(nodes);
}

/* Issues a launch, copy or set on `stream`: into the capture if the stream
 * is in it, else onto its queue. */
static CUresult issue(stub_stream *stream, work item, void **params) {
  if (item.kind == kLaunch && !own_params(&item.launch, params))
    return 2;
  CUresult result = stream->capturing ? capture_node(stream, item, -1) : enqueue(stream, item);
  if (result) {
    free(item.launch.params);
    return result;
  }
  return stream->capturing ? 0 : settle();
}

EXPORT CUresult cuLaunchKernel(CUfunction function, unsigned int gridX, unsigned int gridY,
                               unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                               unsigned int blockZ, unsigned int sharedBytes, CUstream stream,
                               void **params, void **extra) {
  (void)extra;
  ENTER(cuLaunchKernel);
  const stub_function *called = (const stub_function *)function;
  work item = {.kind = kLaunch,
               .launch = {called, NULL, 0, {gridX, gridY, gridZ}, {blockX, blockY, blockZ},
                          sharedBytes, NULL}};
  if (!strcmp(called->name, "fill")) {
    item.launch.target = *(float **)params[0];
    item.launch.value = *(float *)params[1];
  }
  return issue(stream_of(stream), item, params);
}

/* A slot serves a new stream once destroyed and its queue run (CUDA
 * finishes the work of a destroyed stream); handles go round the slots. */
static int next_stream;
EXPORT int stub_cuda_live_streams(void) { return stub_cuda_calls("cuStreamCreate") - stub_cuda_calls("cuStreamDestroy_v2"); }
EXPORT CUresult cuStreamCreate(CUstream *stream, unsigned int flags) {
  (void)flags;
  ENTER(cuStreamCreate);
  for (int i = 0; i < kMaxStreams - kDefaultStreams; ++i) {
    int slot = kDefaultStreams + (next_stream + i) % (kMaxStreams - kDefaultStreams);
    if (streams[slot].live || streams[slot].first != streams[slot].end)
      continue;
    next_stream = slot - kDefaultStreams + 1;
    streams[slot].live = true;
    *stream = (CUstream)&streams[slot];
    return 0;
  }
  return 2;
}
EXPORT CUresult cuStreamDestroy_v2(CUstream stream) {
  ENTER(cuStreamDestroy_v2);
  stream_of(stream)->live = false;
  return 0;
}
/* Runs everything queued: more than the stream needs, which only hides a
 * missing dependency where the host reads another stream's results. */
EXPORT CUresult cuStreamSynchronize(CUstream stream) {
  ENTER(cuStreamSynchronize);
  if (stream_of(stream)->capturing) {
    capture.invalidated = true;
    return 900; /* CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED */
  }
  return drain();
}

/* Many: the generated code numbers its events, each context its own. */
enum { kMaxEvents = 4096 };
static stub_event events[kMaxEvents];
static int next_event;
EXPORT CUresult cuEventCreate(CUevent *event, unsigned int flags) {
  ENTER(cuEventCreate);
  for (int i = 0; i < kMaxEvents; ++i) {
    stub_event *slot = &events[(next_event + i) % kMaxEvents];
    if (slot->live)
      continue;
    next_event = (int)(slot - events) + 1;
    /* Generations go on from the slot's last event: a wait queued for it
     * waits for its own record still. */
    *slot = (stub_event){.live = true,
                         .issued = slot->issued,
                         .latest = slot->latest,
                         .created = slot->issued,
                         .timing = !(flags & INCEPT_CUDA_EVENT_DISABLE_TIMING),
                         .done = slot->latest};
    *event = (CUevent)slot;
    return 0;
  }
  return 2;
}
EXPORT CUresult cuEventDestroy_v2(CUevent event) {
  ENTER(cuEventDestroy_v2);
  stub_event *destroyed = (stub_event *)event;
  destroyed->live = false;
  destroyed->captured = 0;
  return 0;
}
/* A record; in a capture a node, which orders the capture's streams or,
 * `external` (CU_EVENT_RECORD_EXTERNAL), records the event when the graph
 * runs. */
static CUresult record_event(CUevent event, CUstream stream, bool external) {
  stub_event *recorded = (stub_event *)event;
  stub_stream *on = stream_of(stream);
  if (on->capturing) {
    CUresult result = capture_node(
        on, (work){.kind = kRecord, .event = recorded, .stamps = external}, -1);
    if (!result && !external)
      recorded->captured = on->last_node + 1;
    return result;
  }
  if (external)
    return 1; /* CUDA_ERROR_INVALID_VALUE: only in a capture */
  recorded->latest = ++recorded->issued;
  recorded->captured = 0;
  CUresult result = enqueue(on, (work){.kind = kRecord, .event = recorded,
                                       .generation = recorded->latest, .stamps = true});
  return result ? result : settle();
}
EXPORT CUresult cuEventRecord(CUevent event, CUstream stream) {
  ENTER(cuEventRecord);
  return record_event(event, stream, false);
}
EXPORT CUresult cuEventRecordWithFlags(CUevent event, CUstream stream, unsigned int flags) {
  ENTER(cuEventRecordWithFlags);
  if (flags & ~(unsigned)INCEPT_CUDA_EVENT_RECORD_EXTERNAL)
    return 1;
  return record_event(event, stream, flags & INCEPT_CUDA_EVENT_RECORD_EXTERNAL);
}
/* A wait for a record in the capture forks the waiting stream into it; a
 * stream in the capture may not wait for work outside it. */
EXPORT CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags) {
  (void)flags;
  ENTER(cuStreamWaitEvent);
  stub_stream *waiting = stream_of(stream);
  stub_event *awaited = (stub_event *)event;
  if (awaited->captured) {
    CUresult result = capture_node(waiting, (work){.kind = kWait, .event = awaited},
                                   awaited->captured - 1);
    if (!result)
      waiting->capturing = true;
    return result;
  }
  if (awaited->latest <= awaited->created)
    return 0; /* never recorded: nothing to wait for */
  if (waiting->capturing) {
    capture.invalidated = true;
    return 905; /* CUDA_ERROR_STREAM_CAPTURE_ISOLATION */
  }
  CUresult result = enqueue(waiting, (work){.kind = kWait, .event = awaited,
                                            .generation = awaited->latest});
  return result ? result : settle();
}
EXPORT CUresult cuEventSynchronize(CUevent event) {
  ENTER(cuEventSynchronize);
  if (((const stub_event *)event)->captured)
    return 907; /* CUDA_ERROR_CAPTURED_EVENT */
  return drain();
}
/* As CUDA's: both events made for timing and recorded (else
 * CUDA_ERROR_INVALID_HANDLE), their latest records run (else
 * CUDA_ERROR_NOT_READY); the time between them on the stub's clock. */
EXPORT CUresult cuEventElapsedTime(float *milliseconds, CUevent start, CUevent end) {
  ENTER(cuEventElapsedTime);
  const stub_event *from = (const stub_event *)start, *to = (const stub_event *)end;
  for (const stub_event *event = from; event; event = event == from ? to : NULL) {
    if (!event->timing || event->latest <= event->created)
      return 400;
    if (event->captured)
      return 907;
    if (event->done < event->latest)
      return 600;
  }
  *milliseconds = (float)((double)(to->at_ns - from->at_ns) * 1e-6);
  return 0;
}

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
/* Synchronises, as CUDA's does: no queued work runs on freed memory. */
EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
  ENTER(cuMemFree_v2);
  CUresult result = drain();
  --live_allocations;
  free((void *)(uintptr_t)pointer);
  return result;
}
EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  ENTER(cuMemcpyAsync);
  return issue(stream_of(stream),
               (work){.kind = kCopy, .dst = (void *)(uintptr_t)dst,
                      .src = (const void *)(uintptr_t)src, .size = bytes},
               NULL);
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, CUstream stream) {
  ENTER(cuMemcpyHtoDAsync_v2);
  return issue(stream_of(stream),
               (work){.kind = kCopy, .dst = (void *)(uintptr_t)dst, .src = src, .size = bytes},
               NULL);
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, CUstream stream) {
  ENTER(cuMemcpyDtoHAsync_v2);
  return issue(stream_of(stream),
               (work){.kind = kCopy, .dst = dst, .src = (const void *)(uintptr_t)src,
                      .size = bytes},
               NULL);
}
/* A memset of `count` elements of `kind`'s width. */
static CUresult issue_set(work_kind kind, CUdeviceptr dst, unsigned value, size_t count,
                          CUstream stream) {
  return issue(stream_of(stream),
               (work){.kind = kind, .dst = (void *)(uintptr_t)dst, .value = value,
                      .size = count},
               NULL);
}
EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value, size_t count, CUstream stream) {
  ENTER(cuMemsetD32Async);
  return issue_set(kSetD32, dst, value, count, stream);
}
EXPORT CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count, CUstream stream) {
  ENTER(cuMemsetD16Async);
  return issue_set(kSetD16, dst, value, count, stream);
}
EXPORT CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t count, CUstream stream) {
  ENTER(cuMemsetD8Async);
  return issue_set(kSetD8, dst, value, count, stream);
}

/* A graph is the nodes captured, with the stream they were captured from;
 * an executable graph the same. */
typedef struct stub_graph {
  stub_stream *origin;
  node *nodes;
  int count;
} stub_graph;

EXPORT CUresult cuStreamBeginCapture_v2(CUstream stream, int mode) {
  (void)mode;
  ENTER(cuStreamBeginCapture_v2);
  if (capture.origin)
    return 900; /* CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: one at a time here */
  capture = (capture_state){.origin = stream_of(stream)};
  capture.origin->capturing = true;
  return 0;
}

/* Whether every stream forked into the capture was joined back: its last
 * node a record that the origin, or a stream joined back, waited for. */
static bool all_joined_back(void) {
  for (int i = 0; i < kMaxStreams; ++i)
    streams[i].joined_back = &streams[i] == capture.origin;
  for (bool grown = true; grown;) {
    grown = false;
    for (int i = 0; i < capture.count; ++i) {
      const node *wait = &capture.nodes[i];
      if (wait->work.kind != kWait || !wait->stream->joined_back)
        continue;
      stub_stream *forked = capture.nodes[wait->after].stream;
      if (!forked->joined_back && forked->last_node == wait->after)
        forked->joined_back = grown = true;
    }
  }
  for (int i = 0; i < kMaxStreams; ++i)
    if (streams[i].capturing && !streams[i].joined_back)
      return false;
  return true;
}

/* No stream captures any more, and no event's latest record is captured. */
static void stop_capturing(void) {
  for (int i = 0; i < kMaxStreams; ++i)
    streams[i].capturing = false;
  for (int i = 0; i < kMaxEvents; ++i)
    events[i].captured = 0;
  capture = (capture_state){0};
}

EXPORT CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  ENTER(cuStreamEndCapture);
  if (!capture.origin || stream_of(stream) != capture.origin)
    return 901; /* CUDA_ERROR_STREAM_CAPTURE_INVALIDATED */
  CUresult result = capture.invalidated ? 901 : all_joined_back() ? 0 : 904;
  stub_graph captured = {capture.origin, capture.nodes, capture.count};
  stop_capturing();
  *graph = NULL;
  stub_graph *made = result ? NULL : malloc(sizeof *made);
  if (!made) {
    forget_nodes(captured.nodes, captured.count);
    return result ? result : 2;
  }
  *made = captured;
  *graph = (CUgraph)made;
  return 0;
}
EXPORT CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph, unsigned long long flags) {
  (void)flags;
  ENTER(cuGraphInstantiateWithFlags);
  const stub_graph *source = (const stub_graph *)graph;
  stub_graph *instance = malloc(sizeof *instance);
  node *nodes = malloc((size_t)(source->count ? source->count : 1) * sizeof *nodes);
  if (!instance || !nodes) {
    free(instance);
    free(nodes);
    return 2;
  }
  for (int i = 0; i < source->count; ++i) {
    nodes[i] = source->nodes[i];
    if (nodes[i].work.kind == kLaunch &&
        !own_params(&nodes[i].work.launch, source->nodes[i].work.launch.params)) {
      forget_nodes(nodes, i);
      free(instance);
      return 2;
    }
  }
  *instance = (stub_graph){source->origin, nodes, source->count};
  *exec = (CUgraphExec)instance;
  return 0;
}
/* Queues the graph's work again, each node on the stream it was captured
 * from, the origin's on `stream`. Its records are new generations of their
 * events, and its waits wait for those; the events' latest records, which
 * the host's waits see, stay the host's (CUDA's graph does not record
 * them either). */
EXPORT CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) {
  ENTER(cuGraphLaunch);
  const stub_graph *instance = (const stub_graph *)exec;
  stub_stream *launched = stream_of(stream);
  if (launched->capturing)
    return 900; /* a graph launched into a capture: not modelled */
  long *generations = malloc((size_t)(instance->count ? instance->count : 1) * sizeof *generations);
  if (!generations)
    return 2;
  CUresult result = 0;
  for (int i = 0; i < instance->count && !result; ++i) {
    const node *from = &instance->nodes[i];
    work item = from->work;
    if (item.kind == kRecord) {
      item.generation = generations[i] = ++item.event->issued;
      if (item.stamps) /* an external record: the host sees it */
        item.event->latest = item.generation;
    }
    if (item.kind == kWait)
      item.generation = generations[from->after];
    if (item.kind == kLaunch && !own_params(&item.launch, from->work.launch.params))
      result = 2;
    else if ((result = enqueue(from->stream == instance->origin ? launched : from->stream, item)))
      free(item.launch.params);
  }
  free(generations);
  return result ? result : settle();
}
static void destroy_graph(stub_graph *graph) {
  forget_nodes(graph->nodes, graph->count);
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
  case 1: *name = "CUDA_ERROR_INVALID_VALUE"; return 0;
  case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
  case 100: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
  case 200: *name = "CUDA_ERROR_INVALID_IMAGE"; return 0;
  case 209: *name = "CUDA_ERROR_NO_BINARY_FOR_GPU"; return 0;
  case 400: *name = "CUDA_ERROR_INVALID_HANDLE"; return 0;
  case 500: *name = "CUDA_ERROR_NOT_FOUND"; return 0;
  case 600: *name = "CUDA_ERROR_NOT_READY"; return 0;
  case 719: *name = "CUDA_ERROR_LAUNCH_FAILED"; return 0;
  case 900: *name = "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"; return 0;
  case 901: *name = "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"; return 0;
  case 904: *name = "CUDA_ERROR_STREAM_CAPTURE_UNJOINED"; return 0;
  case 905: *name = "CUDA_ERROR_STREAM_CAPTURE_ISOLATION"; return 0;
  case 907: *name = "CUDA_ERROR_CAPTURED_EVENT"; return 0;
  }
  return 1;
}
EXPORT CUresult cuGetErrorString(CUresult result, const char **text) {
  switch (result) {
  case 1: *text = "invalid argument"; return 0;
  case 2: *text = "out of memory"; return 0;
  case 100: *text = "no CUDA-capable device is detected"; return 0;
  case 200: *text = "device kernel image is invalid"; return 0;
  case 209: *text = "no kernel image is available for execution on the device"; return 0;
  case 400: *text = "invalid resource handle"; return 0;
  case 500: *text = "named symbol not found"; return 0;
  case 600: *text = "device not ready"; return 0;
  case 719: *text = "unspecified launch failure"; return 0;
  case 900: *text = "operation not permitted when stream is capturing"; return 0;
  case 901: *text = "operation failed due to a previous error during capture"; return 0;
  case 904: *text = "capture sequence contains a fork that was not joined to the primary stream"; return 0;
  case 905: *text = "dependency created on uncaptured work in another stream"; return 0;
  case 907: *text = "operation not permitted on an event last recorded in a capturing stream"; return 0;
  }
  return 1;
}
