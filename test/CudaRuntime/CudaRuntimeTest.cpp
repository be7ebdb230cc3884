//===- CudaRuntimeTest.cpp - the CUDA runtime against a stub driver -------===//
//
// Device contexts, runs, graphs and the mgpu* ABI, on StubDriver.c: its
// device memory is host memory and its "fill" kernel writes a float over
// four, so these tests see what ran. ctest runs each case in its own process
// (the driver, once opened, stays open); run alone, the binary runs first
// the cases that need the driver unopened, as they are declared first. The
// last ones check the stub itself: its streams, events and captures, in the
// order (STUB_CUDA_STREAMS=reverse) that shows a missing dependency.
//
//===----------------------------------------------------------------------===//

#include "Mgpu.h"

extern "C" {
#include "Driver.h"
}

#include "incept/cuda.h"
#include "incept/runtime.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

/// The stub's own functions, for what the runtime did.
struct Stub {
  void *library = dlopen(INCEPT_STUB_DRIVER, RTLD_NOW | RTLD_LOCAL);
  int calls(const char *name) const {
    auto fn = reinterpret_cast<int (*)(const char *)>(dlsym(library, "stub_cuda_calls"));
    return fn(name);
  }
  void resetCalls() const {
    reinterpret_cast<void (*)()>(dlsym(library, "stub_cuda_reset_calls"))();
  }
  int retains() const {
    auto fn = reinterpret_cast<int (*)(int)>(dlsym(library, "stub_cuda_retains"));
    return fn(0);
  }
  long liveAllocations() const {
    auto fn = reinterpret_cast<long (*)()>(dlsym(library, "stub_cuda_live_allocations"));
    return fn();
  }
  int liveStreams() const {
    auto fn = reinterpret_cast<int (*)()>(dlsym(library, "stub_cuda_live_streams"));
    return fn();
  }
  int pending() const {
    auto fn = reinterpret_cast<int (*)()>(dlsym(library, "stub_cuda_pending"));
    return fn();
  }
};

class CudaRuntime : public ::testing::Test {
protected:
  void SetUp() override {
    setenv("INCEPT_CUDA_DRIVER", INCEPT_STUB_DRIVER, 1);
    unsetenv("STUB_CUDA_FAIL");
    unsetenv("STUB_CUDA_DEVICES");
    unsetenv("STUB_CUDA_CC");
    unsetenv("STUB_CUDA_STREAMS");
    Stub().resetCalls();
  }
  void TearDown() override {
    unsetenv("STUB_CUDA_FAIL");
    unsetenv("STUB_CUDA_STREAMS");
  }

  incept_cuda_context *create(int32_t capability = 80) {
    incept_cuda_context *context = nullptr;
    EXPECT_EQ(incept_cuda_context_create(0, capability, 1024, &context), INCEPT_OK)
        << incept_last_error();
    return context;
  }
};

// The generated code's view of a module: its image and the names of its
// kernels, constants whose addresses the runtime caches functions by.
const char kImage[] = "fatbin of the test";
const char kFill[] = "fill";

/// Launches fill(target, value) in the current run, as gpu-to-llvm's host
/// code does: a stream, the function, the launch, the stream's end.
void launchFill(void *module, float *target, float value) {
  void *stream = mgpuStreamCreate();
  void *function = mgpuModuleGetFunction(module, kFill);
  void *params[] = {&target, &value};
  mgpuLaunchKernel(function, 1, 1, 1, 32, 1, 1, 0, stream, params, nullptr, 2);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

/// Launches fill(target, value) on `stream`, one of the run's.
void launchFillOn(void *module, void *stream, float *target, float value) {
  void *function = mgpuModuleGetFunction(module, kFill);
  void *params[] = {&target, &value};
  mgpuLaunchKernel(function, 1, 1, 1, 32, 1, 1, 0, stream, params, nullptr, 2);
}

/// The first float at `target`, once the context's work is done.
float readFirst(incept_cuda_context *context, const float *target) {
  float host[4] = {};
  EXPECT_EQ(incept_cuda_copy_to_host(context, host, target, sizeof host, nullptr), INCEPT_OK);
  EXPECT_EQ(incept_cuda_synchronize(context, nullptr), INCEPT_OK) << incept_last_error();
  return host[0];
}

/// A run of `issue` (what generated code does in a run) launched, then
/// captured, then the capture replayed, each from `bytes` of zeros at
/// `arena`; `check` after each looks at what the run left.
void inEveryRunMode(incept_cuda_context *context, float *arena, size_t bytes,
                    const std::function<void()> &issue, const std::function<void()> &check) {
  std::vector<float> zeros(bytes / sizeof(float));
  for (incept_cuda_run_mode mode : {INCEPT_CUDA_LAUNCH, INCEPT_CUDA_CAPTURE}) {
    ASSERT_EQ(incept_cuda_copy_to_device(context, arena, zeros.data(), bytes, nullptr),
              INCEPT_OK);
    ASSERT_EQ(incept_cuda_run_begin(context, nullptr, mode), INCEPT_OK);
    issue();
    EXPECT_EQ(incept_cuda_run_end(), INCEPT_OK) << incept_last_error();
    check();
  }
  ASSERT_EQ(incept_cuda_copy_to_device(context, arena, zeros.data(), bytes, nullptr), INCEPT_OK);
  ASSERT_EQ(incept_cuda_replay(context, nullptr), INCEPT_OK);
  check();
}

TEST_F(CudaRuntime, LoadingAModuleDoesNotTouchTheDriver) {
  // What a library's constructor does when it is dlopened.
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  ASSERT_NE(module, nullptr);
  Stub stub;
  EXPECT_EQ(stub.calls("cuInit"), 0);
  EXPECT_EQ(stub.calls("cuModuleLoadData"), 0);
  mgpuModuleUnload(module);
  EXPECT_EQ(stub.calls("cuModuleUnload"), 0);
}

TEST_F(CudaRuntime, NoGpu) {
  setenv("STUB_CUDA_FAIL", "cuInit:100", 1);
  incept_cuda_context *context = nullptr;
  EXPECT_EQ(incept_cuda_context_create(0, 80, 1024, &context), INCEPT_ERROR_NO_DEVICE);
  EXPECT_NE(std::string(incept_last_error())
                .find("cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)"),
            std::string::npos)
      << incept_last_error();
}

TEST_F(CudaRuntime, MissingDriverIsAStatusNotAFailureToLoad) {
  setenv("INCEPT_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  incept_cuda_context *context = reinterpret_cast<incept_cuda_context *>(1);
  EXPECT_EQ(incept_cuda_context_create(0, 80, 1024, &context), INCEPT_ERROR_NO_DEVICE);
  EXPECT_EQ(context, nullptr);
  EXPECT_NE(std::string(incept_last_error()).find("no CUDA driver: /nonexistent/libcuda.so.1"),
            std::string::npos)
      << incept_last_error();
  // A failure is not remembered: the driver, once there, is used.
  setenv("INCEPT_CUDA_DRIVER", INCEPT_STUB_DRIVER, 1);
  context = create();
  ASSERT_NE(context, nullptr);
  incept_cuda_context_destroy(context);
}

TEST_F(CudaRuntime, NoDeviceOrAnOrdinalPastTheCount) {
  incept_cuda_context *context = nullptr;
  setenv("STUB_CUDA_DEVICES", "0", 1);
  EXPECT_EQ(incept_cuda_context_create(0, 80, 1024, &context), INCEPT_ERROR_NO_DEVICE);
  EXPECT_STREQ(incept_last_error(), "the CUDA driver finds no GPU");
  setenv("STUB_CUDA_DEVICES", "2", 1);
  EXPECT_EQ(incept_cuda_context_create(2, 80, 1024, &context),
            INCEPT_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(incept_last_error(),
               "there is no GPU 2: the CUDA driver finds 2 (ordinals 0 to 1)");
}

TEST_F(CudaRuntime, GpuOlderThanTheLibrary) {
  setenv("STUB_CUDA_CC", "80", 1);
  incept_cuda_context *context = nullptr;
  EXPECT_EQ(incept_cuda_context_create(0, 90, 1024, &context),
            INCEPT_ERROR_UNSUPPORTED_DEVICE);
  EXPECT_STREQ(incept_last_error(),
               "the library was compiled for sm_90, and GPU 0 (Stub GPU) is sm_80: "
               "compile it with --gpu-arch=sm_80 or older");
  context = create(80);
  ASSERT_NE(context, nullptr);
  EXPECT_EQ(incept_cuda_context_compute_capability(context), 80);
  incept_cuda_context_destroy(context);
}

TEST_F(CudaRuntime, CreateAndDestroyReleaseEverything) {
  Stub stub;
  for (int i = 0; i < 3; ++i) {
    incept_cuda_context *context = create();
    ASSERT_NE(context, nullptr);
    EXPECT_NE(incept_cuda_context_arena(context), nullptr);
    void *weights = nullptr;
    EXPECT_EQ(incept_cuda_alloc(context, 4096, &weights), INCEPT_OK);
    EXPECT_NE(weights, nullptr);
    incept_cuda_context_destroy(context);
    EXPECT_EQ(stub.retains(), 0);
    EXPECT_EQ(stub.liveAllocations(), 0);
    EXPECT_EQ(stub.liveStreams(), 0);
    EXPECT_EQ(stub.calls("cuCtxPushCurrent_v2"), stub.calls("cuCtxPopCurrent_v2"));
  }
}

TEST_F(CudaRuntime, FailedCreateReleasesWhatItMade) {
  Stub stub;
  setenv("STUB_CUDA_FAIL", "cuMemAlloc_v2:2", 1);
  incept_cuda_context *context = nullptr;
  EXPECT_EQ(incept_cuda_context_create(0, 80, 1024, &context), INCEPT_ERROR_OUT_OF_MEMORY);
  EXPECT_EQ(context, nullptr);
  EXPECT_STREQ(incept_last_error(), "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  EXPECT_EQ(stub.retains(), 0);
  EXPECT_EQ(stub.liveStreams(), 0);
}

TEST_F(CudaRuntime, RunLaunchesOnTheRunStream) {
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  auto *target = static_cast<float *>(incept_cuda_context_arena(context));
  for (float value : {1.5f, 2.5f}) {
    ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
    launchFill(module, target, value);
    EXPECT_EQ(incept_cuda_run_end(), INCEPT_OK) << incept_last_error();
    float host[4] = {};
    ASSERT_EQ(incept_cuda_copy_to_host(context, host, target, sizeof host, nullptr), INCEPT_OK);
    ASSERT_EQ(incept_cuda_synchronize(context, nullptr), INCEPT_OK);
    EXPECT_EQ(host[0], value);
    EXPECT_EQ(host[3], value);
  }
  // The module was loaded once, at the first launch, and its function found
  // once; the library's copy of the primary context is released at unload.
  EXPECT_EQ(stub.calls("cuModuleLoadData"), 1);
  EXPECT_EQ(stub.calls("cuModuleGetFunction"), 1);
  EXPECT_EQ(stub.calls("cuLaunchKernel"), 2);
  EXPECT_EQ(stub.calls("cuStreamSynchronize"), 2); // after the copies; none in runs
  incept_cuda_context_destroy(context);
  EXPECT_EQ(stub.retains(), 1);
  mgpuModuleUnload(module);
  EXPECT_EQ(stub.retains(), 0);
  EXPECT_EQ(stub.calls("cuModuleUnload"), 1);
}

TEST_F(CudaRuntime, ZeroAndCopyOnTheDevice) {
  // What a dynamic batch's partial chunk does: its images copied from
  // device buffers into the arena and back, the missing ones zeroed; any
  // number of bytes, from any byte, in order on the stream.
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  auto *arena = static_cast<unsigned char *>(incept_cuda_context_arena(context));
  unsigned char host[16];
  memset(host, 0xab, sizeof host);
  ASSERT_EQ(incept_cuda_copy_to_device(context, arena, host, sizeof host, nullptr), INCEPT_OK);
  ASSERT_EQ(incept_cuda_copy_on_device(context, arena + 16, arena, 16, nullptr), INCEPT_OK);
  ASSERT_EQ(incept_cuda_zero(context, arena + 16 + 3, 7, nullptr), INCEPT_OK);
  ASSERT_EQ(incept_cuda_copy_to_host(context, host, arena + 16, sizeof host, nullptr),
            INCEPT_OK);
  ASSERT_EQ(incept_cuda_synchronize(context, nullptr), INCEPT_OK);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(host[i], i >= 3 && i < 10 ? 0 : 0xab) << "byte " << i;
  EXPECT_EQ(stub.calls("cuMemsetD8Async"), 1);
  EXPECT_EQ(stub.calls("cuMemcpyAsync"), 1);
  EXPECT_EQ(incept_cuda_zero(nullptr, arena, 4, nullptr), INCEPT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(incept_cuda_zero(context, nullptr, 4, nullptr), INCEPT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(incept_cuda_copy_on_device(context, arena, nullptr, 4, nullptr),
            INCEPT_ERROR_INVALID_ARGUMENT);
  // An earlier kernel's failure, which the driver reports at the next call.
  setenv("STUB_CUDA_FAIL", "cuMemsetD8Async:719", 1);
  EXPECT_EQ(incept_cuda_zero(context, arena, 4, nullptr), INCEPT_ERROR_DEVICE);
  EXPECT_STREQ(incept_last_error(),
               "cuMemsetD8Async: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)");
  setenv("STUB_CUDA_FAIL", "cuMemcpyAsync:719", 1);
  EXPECT_EQ(incept_cuda_copy_on_device(context, arena + 4, arena, 4, nullptr),
            INCEPT_ERROR_DEVICE);
  EXPECT_STREQ(incept_last_error(),
               "cuMemcpyAsync: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)");
  unsetenv("STUB_CUDA_FAIL");
  incept_cuda_context_destroy(context);
}

TEST_F(CudaRuntime, DriverErrorsBecomeTheRunsStatus) {
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  auto *target = static_cast<float *>(incept_cuda_context_arena(context));
  setenv("STUB_CUDA_FAIL", "cuLaunchKernel", 1);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  launchFill(module, target, 1.0f);
  launchFill(module, target, 2.0f); // skipped: the run has failed
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_DEVICE);
  EXPECT_STREQ(incept_last_error(),
               "cuLaunchKernel: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)");
  EXPECT_EQ(stub.calls("cuLaunchKernel"), 1);
  // The next run starts afresh.
  unsetenv("STUB_CUDA_FAIL");
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  launchFill(module, target, 3.0f);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_OK);
  EXPECT_EQ(target[0], 3.0f);
  incept_cuda_context_destroy(context);
  mgpuModuleUnload(module);
}

TEST_F(CudaRuntime, MissingKernelAndMissingImage) {
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  EXPECT_EQ(mgpuModuleGetFunction(module, "missing"), nullptr);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_DEVICE);
  EXPECT_STREQ(incept_last_error(),
               "cuModuleGetFunction: CUDA_ERROR_NOT_FOUND (named symbol not found)");
  mgpuModuleUnload(module);

  static const char kNoBinary[] = "NOBINARY for this GPU";
  module = mgpuModuleLoad(const_cast<char *>(kNoBinary), sizeof kNoBinary);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  EXPECT_EQ(mgpuModuleGetFunction(module, kFill), nullptr);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_UNSUPPORTED_DEVICE);
  EXPECT_NE(std::string(incept_last_error()).find("CUDA_ERROR_NO_BINARY_FOR_GPU"),
            std::string::npos);
  EXPECT_NE(std::string(incept_last_error()).find("(sm_90)"), std::string::npos)
      << incept_last_error();
  mgpuModuleUnload(module);
  incept_cuda_context_destroy(context);
}

TEST_F(CudaRuntime, CapturedRunIsReplayed) {
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  auto *target = static_cast<float *>(incept_cuda_context_arena(context));
  EXPECT_FALSE(incept_cuda_has_graph(context));
  EXPECT_EQ(incept_cuda_replay(context, nullptr), INCEPT_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_CAPTURE), INCEPT_OK);
  launchFill(module, target, 7.0f);
  EXPECT_EQ(target[0], 0.0f); // captured, not run
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_OK) << incept_last_error();
  EXPECT_EQ(target[0], 7.0f); // run_end launched the graph
  EXPECT_TRUE(incept_cuda_has_graph(context));
  const float zeros[4] = {};
  ASSERT_EQ(incept_cuda_copy_to_device(context, target, zeros, sizeof zeros, nullptr),
            INCEPT_OK);
  EXPECT_EQ(incept_cuda_replay(context, nullptr), INCEPT_OK);
  EXPECT_EQ(target[3], 7.0f);
  EXPECT_EQ(stub.calls("cuGraphLaunch"), 2);
  EXPECT_EQ(stub.calls("cuLaunchKernel"), 1);

  // A failed capture ends the capture and leaves no graph.
  setenv("STUB_CUDA_FAIL", "cuLaunchKernel", 1);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_CAPTURE), INCEPT_OK);
  launchFill(module, target, 8.0f);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_DEVICE);
  EXPECT_FALSE(incept_cuda_has_graph(context));
  EXPECT_EQ(stub.calls("cuStreamEndCapture"), 2);
  incept_cuda_context_destroy(context);
  mgpuModuleUnload(module);
}

TEST_F(CudaRuntime, BranchStreamsForkAndJoin) {
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  void *main = mgpuStreamCreate();
  void *branch = mgpuStreamCreate();
  EXPECT_NE(main, branch);
  EXPECT_EQ(stub.calls("cuEventRecord"), 1);      // the fork
  EXPECT_EQ(stub.calls("cuStreamWaitEvent"), 1);
  mgpuStreamDestroy(branch);
  EXPECT_EQ(stub.calls("cuEventRecord"), 2);      // the join
  EXPECT_EQ(stub.calls("cuStreamWaitEvent"), 2);
  EXPECT_EQ(mgpuStreamCreate(), branch);          // made once, reused
  mgpuStreamDestroy(main);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_OK);    // joins the branch still out
  EXPECT_EQ(stub.calls("cuEventRecord"), 4);
  EXPECT_EQ(stub.calls("cuStreamCreate"), 2);
  incept_cuda_context_destroy(context);
  EXPECT_EQ(stub.liveStreams(), 0);
}

TEST_F(CudaRuntime, CallsOutsideARunFailQuietly) {
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  EXPECT_EQ(mgpuModuleGetFunction(module, kFill), nullptr);
  EXPECT_STREQ(incept_last_error(), "mgpuModuleGetFunction(fill) outside a run");
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_STREQ(incept_last_error(), "mgpuLaunchKernel outside a run");
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_INVALID_ARGUMENT);
  mgpuModuleUnload(module);
}

TEST_F(CudaRuntime, RunsDoNotNest) {
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  EXPECT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH),
            INCEPT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_OK);
  incept_cuda_context_destroy(context);
}

/// The stub driven call by call through the runtime's driver table, its
/// queued work run in reverse (STUB_CUDA_STREAMS): two streams, two events
/// and the "fill" kernel, which writes over `target`.
class StubStreams : public CudaRuntime {
protected:
  void SetUp() override {
    CudaRuntime::SetUp();
    setenv("STUB_CUDA_STREAMS", "reverse", 1);
    incept_status status;
    cuda = incept_cuda_driver(&status);
    ASSERT_NE(cuda, nullptr) << incept_last_error();
    ASSERT_EQ(cuda->moduleLoadData(&module, kImage), 0);
    ASSERT_EQ(cuda->moduleGetFunction(&fill, module, kFill), 0);
    CUdeviceptr memory = 0;
    ASSERT_EQ(cuda->memAlloc(&memory, 4 * sizeof(float)), 0);
    target = reinterpret_cast<float *>(memory);
    ASSERT_EQ(cuda->streamCreate(&a, INCEPT_CUDA_STREAM_NON_BLOCKING), 0);
    ASSERT_EQ(cuda->streamCreate(&b, INCEPT_CUDA_STREAM_NON_BLOCKING), 0);
    ASSERT_EQ(cuda->eventCreate(&fork, INCEPT_CUDA_EVENT_DISABLE_TIMING), 0);
    ASSERT_EQ(cuda->eventCreate(&join, INCEPT_CUDA_EVENT_DISABLE_TIMING), 0);
  }
  void TearDown() override {
    for (CUevent event : {join, fork})
      if (event)
        cuda->eventDestroy(event);
    for (CUstream stream : {b, a})
      if (stream)
        cuda->streamDestroy(stream);
    if (target)
      EXPECT_EQ(cuda->memFree(reinterpret_cast<CUdeviceptr>(target)), 0);
    if (module)
      EXPECT_EQ(cuda->moduleUnload(module), 0);
    EXPECT_EQ(Stub().pending(), 0); // memFree ran what was queued
    CudaRuntime::TearDown();
  }

  CUresult launchFill(CUstream stream, float value) {
    float *to = target;
    void *params[] = {&to, &value};
    return cuda->launchKernel(fill, 1, 1, 1, 32, 1, 1, 0, stream, params, nullptr);
  }

  const incept_cuda_driver_api *cuda = nullptr;
  CUmodule module = nullptr;
  CUfunction fill = nullptr;
  float *target = nullptr;
  CUstream a = nullptr, b = nullptr;
  CUevent fork = nullptr, join = nullptr;
};

TEST_F(StubStreams, IndependentStreamsRunInReverse) {
  Stub stub;
  ASSERT_EQ(launchFill(a, 1.0f), 0);
  ASSERT_EQ(launchFill(b, 2.0f), 0);
  EXPECT_EQ(target[0], 0.0f); // queued until the host synchronises
  EXPECT_EQ(stub.pending(), 2);
  EXPECT_EQ(cuda->streamSynchronize(a), 0);
  EXPECT_EQ(stub.pending(), 0);
  EXPECT_EQ(target[0], 1.0f); // b's fill, issued last, ran first
}

TEST_F(StubStreams, AnEventOrdersTwoStreams) {
  ASSERT_EQ(launchFill(a, 1.0f), 0);
  ASSERT_EQ(cuda->eventRecord(fork, a), 0);
  ASSERT_EQ(cuda->streamWaitEvent(b, fork, 0), 0);
  ASSERT_EQ(launchFill(b, 2.0f), 0);
  // A wait for an event never recorded waits for nothing.
  CUevent never = nullptr;
  ASSERT_EQ(cuda->eventCreate(&never, INCEPT_CUDA_EVENT_DISABLE_TIMING), 0);
  ASSERT_EQ(cuda->streamWaitEvent(b, never, 0), 0);
  EXPECT_EQ(cuda->streamSynchronize(b), 0);
  EXPECT_EQ(target[0], 2.0f);
  EXPECT_EQ(target[3], 2.0f);

  // b waits for the record of `fork` issued before its wait, not for the
  // one after it, which waits for b: a wait for that would never end.
  ASSERT_EQ(launchFill(a, 1.0f), 0);
  ASSERT_EQ(cuda->eventRecord(fork, a), 0);
  ASSERT_EQ(cuda->streamWaitEvent(b, fork, 0), 0);
  ASSERT_EQ(launchFill(b, 2.0f), 0);
  ASSERT_EQ(cuda->eventRecord(join, b), 0);
  ASSERT_EQ(cuda->streamWaitEvent(a, join, 0), 0);
  ASSERT_EQ(cuda->eventRecord(fork, a), 0);
  ASSERT_EQ(launchFill(a, 3.0f), 0);
  EXPECT_EQ(cuda->eventSynchronize(fork), 0);
  EXPECT_EQ(target[0], 3.0f);
  cuda->eventDestroy(never);
}

TEST_F(StubStreams, ACaptureEndsWithItsForksJoined) {
  // b forked from a and never joined back: CUDA refuses the capture.
  ASSERT_EQ(cuda->streamBeginCapture(a, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL), 0);
  ASSERT_EQ(launchFill(a, 1.0f), 0);
  ASSERT_EQ(cuda->eventRecord(fork, a), 0);
  ASSERT_EQ(cuda->streamWaitEvent(b, fork, 0), 0);
  ASSERT_EQ(launchFill(b, 2.0f), 0);
  ASSERT_EQ(cuda->eventRecord(join, b), 0); // recorded, not waited for
  CUgraph graph = nullptr;
  EXPECT_EQ(cuda->streamEndCapture(a, &graph), 904);
  EXPECT_EQ(graph, nullptr);
  const char *name = nullptr;
  ASSERT_EQ(cuda->getErrorName(904, &name), 0);
  EXPECT_STREQ(name, "CUDA_ERROR_STREAM_CAPTURE_UNJOINED");
  EXPECT_EQ(Stub().pending(), 0); // captured, not queued
  EXPECT_EQ(target[0], 0.0f);

  // Joined back, it ends in a graph; each launch of it runs b's fill after
  // a's, and work issued on a after it after both.
  ASSERT_EQ(cuda->streamBeginCapture(a, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL), 0);
  ASSERT_EQ(launchFill(a, 1.0f), 0);
  ASSERT_EQ(cuda->eventRecord(fork, a), 0);
  ASSERT_EQ(cuda->streamWaitEvent(b, fork, 0), 0);
  ASSERT_EQ(launchFill(b, 2.0f), 0);
  ASSERT_EQ(cuda->eventRecord(join, b), 0);
  ASSERT_EQ(cuda->streamWaitEvent(a, join, 0), 0);
  ASSERT_EQ(cuda->streamEndCapture(a, &graph), 0);
  CUgraphExec exec = nullptr;
  ASSERT_EQ(cuda->graphInstantiate(&exec, graph, 0), 0);
  EXPECT_EQ(cuda->graphDestroy(graph), 0);
  EXPECT_EQ(target[0], 0.0f);
  ASSERT_EQ(cuda->graphLaunch(exec, a), 0);
  ASSERT_EQ(cuda->streamSynchronize(a), 0);
  EXPECT_EQ(target[0], 2.0f);
  // Launches queued together: each one's waits are for its own records.
  ASSERT_EQ(cuda->graphLaunch(exec, a), 0);
  ASSERT_EQ(cuda->graphLaunch(exec, a), 0);
  ASSERT_EQ(launchFill(a, 3.0f), 0);
  ASSERT_EQ(cuda->streamSynchronize(a), 0);
  EXPECT_EQ(target[0], 3.0f);
  EXPECT_EQ(cuda->graphExecDestroy(exec), 0);
}

TEST_F(StubStreams, ACaptureOnlyWaitsForCapturedWork) {
  // A stream in the capture may not wait for a record outside it.
  ASSERT_EQ(cuda->eventRecord(join, b), 0);
  ASSERT_EQ(cuda->streamBeginCapture(a, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL), 0);
  EXPECT_EQ(cuda->streamWaitEvent(a, join, 0), 905);
  CUgraph graph = nullptr;
  EXPECT_EQ(cuda->streamEndCapture(a, &graph), 901);
  EXPECT_EQ(graph, nullptr);
  // Nor may the host synchronise one.
  ASSERT_EQ(cuda->streamBeginCapture(a, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL), 0);
  EXPECT_EQ(cuda->streamSynchronize(a), 900);
  EXPECT_EQ(cuda->streamEndCapture(a, &graph), 901);
}

// Timing events: the time between two records on the stub's clock (a
// microsecond a block of each launch between them); none for events made
// without timing, or recorded never (CUDA_ERROR_INVALID_HANDLE), or whose
// record has not run (CUDA_ERROR_NOT_READY). An external record is only for
// a capture, where it records the event each time the graph runs.
TEST_F(StubStreams, ElapsedTimeBetweenTimingEvents) {
  CUevent start = nullptr, end = nullptr;
  ASSERT_EQ(cuda->eventCreate(&start, INCEPT_CUDA_EVENT_DEFAULT), 0);
  ASSERT_EQ(cuda->eventCreate(&end, INCEPT_CUDA_EVENT_DEFAULT), 0);
  float ms = -1;
  EXPECT_EQ(cuda->eventElapsedTime(&ms, start, end), 400);
  ASSERT_EQ(cuda->eventRecord(start, a), 0);
  ASSERT_EQ(launchFill(a, 1.0f), 0);
  ASSERT_EQ(cuda->launchKernel(fill, 3, 1, 1, 32, 1, 1, 0, a,
                               std::array<void *, 2>{&target, &ms}.data(), nullptr),
            0);
  ASSERT_EQ(cuda->eventRecord(end, a), 0);
  EXPECT_EQ(cuda->eventElapsedTime(&ms, start, end), 600); // queued still
  ASSERT_EQ(cuda->eventSynchronize(end), 0);
  ASSERT_EQ(cuda->eventElapsedTime(&ms, start, end), 0);
  EXPECT_FLOAT_EQ(ms, 0.004f);
  EXPECT_EQ(cuda->eventElapsedTime(&ms, fork, end), 400); // no timing
  EXPECT_EQ(cuda->eventRecordWithFlags(start, a, INCEPT_CUDA_EVENT_RECORD_EXTERNAL), 1);

  ASSERT_EQ(cuda->streamBeginCapture(a, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL), 0);
  ASSERT_EQ(cuda->eventRecordWithFlags(start, a, INCEPT_CUDA_EVENT_RECORD_EXTERNAL), 0);
  ASSERT_EQ(launchFill(a, 2.0f), 0);
  ASSERT_EQ(cuda->eventRecordWithFlags(end, a, INCEPT_CUDA_EVENT_RECORD_EXTERNAL), 0);
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
  ASSERT_EQ(cuda->streamEndCapture(a, &graph), 0);
  ASSERT_EQ(cuda->graphInstantiate(&exec, graph, 0), 0);
  ASSERT_EQ(cuda->graphLaunch(exec, a), 0);
  EXPECT_EQ(cuda->eventElapsedTime(&ms, start, end), 600); // the graph's records wait
  ASSERT_EQ(cuda->streamSynchronize(a), 0);
  ASSERT_EQ(cuda->eventElapsedTime(&ms, start, end), 0);
  EXPECT_FLOAT_EQ(ms, 0.001f);
  EXPECT_EQ(target[0], 2.0f);
  // A plain record in a capture records nothing when the graph runs: the
  // event is the capture's, as CUDA's is.
  ASSERT_EQ(cuda->streamBeginCapture(a, INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL), 0);
  ASSERT_EQ(cuda->eventRecord(end, a), 0);
  EXPECT_EQ(cuda->eventElapsedTime(&ms, start, end), 907);
  CUgraph plain = nullptr;
  ASSERT_EQ(cuda->streamEndCapture(a, &plain), 0);
  EXPECT_EQ(cuda->graphExecDestroy(exec), 0);
  EXPECT_EQ(cuda->graphDestroy(graph), 0);
  EXPECT_EQ(cuda->graphDestroy(plain), 0);
  cuda->eventDestroy(end);
  cuda->eventDestroy(start);
}

// The runtime's branch streams, through the mgpu* calls that generated code
// makes: a branch runs after the work issued before it (the fork), and the
// run's stream goes on after the branch (the join), whether the run is
// launched, captured or replayed.
TEST_F(CudaRuntime, BranchesRunBetweenTheirForkAndJoin) {
  setenv("STUB_CUDA_STREAMS", "reverse", 1);
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  auto *first = static_cast<float *>(incept_cuda_context_arena(context));
  float *second = first + 4;
  inEveryRunMode(
      context, first, 8 * sizeof(float),
      [&] {
        void *main = mgpuStreamCreate();
        launchFillOn(module, main, first, 1.0f);
        void *branch = mgpuStreamCreate();
        launchFillOn(module, branch, first, 2.0f);
        launchFillOn(module, branch, second, 2.0f);
        mgpuStreamDestroy(branch);
        launchFillOn(module, main, second, 3.0f);
        mgpuStreamDestroy(main);
      },
      [&] {
        EXPECT_EQ(readFirst(context, first), 2.0f);
        EXPECT_EQ(readFirst(context, second), 3.0f);
      });
  EXPECT_EQ(stub.calls("cuGraphLaunch"), 2);
  incept_cuda_context_destroy(context);
  mgpuModuleUnload(module);
  EXPECT_EQ(stub.pending(), 0);
}

// The generated code's events (incept-gpu-streams): two branches started
// together, the second waiting for the first through event 0, run in that
// order though the stub runs independent work backwards; launched, captured
// and replayed. The events are the context's, made once; a negative index
// fails the run.
TEST_F(CudaRuntime, NumberedEventsOrderBranches) {
  setenv("STUB_CUDA_STREAMS", "reverse", 1);
  Stub stub;
  incept_cuda_context *context = create();
  ASSERT_NE(context, nullptr);
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
  auto *target = static_cast<float *>(incept_cuda_context_arena(context));
  inEveryRunMode(
      context, target, 4 * sizeof(float),
      [&] {
        void *main = mgpuStreamCreate();
        void *first = mgpuStreamCreate();
        void *second = mgpuStreamCreate();
        launchFillOn(module, first, target, 1.0f);
        incept_cuda_record_event(first, 0);
        incept_cuda_wait_event(second, 0);
        launchFillOn(module, second, target, 2.0f);
        mgpuStreamDestroy(second);
        mgpuStreamDestroy(first);
        mgpuStreamDestroy(main);
      },
      [&] { EXPECT_EQ(readFirst(context, target), 2.0f); });
  // The fork and join events of two branches, and event 0, once.
  EXPECT_EQ(stub.calls("cuEventCreate"), 5);

  ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
  void *main = mgpuStreamCreate();
  incept_cuda_record_event(main, -1);
  mgpuStreamDestroy(main);
  EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_INTERNAL);
  EXPECT_NE(std::string(incept_last_error()).find("negative event index"), std::string::npos)
      << incept_last_error();
  incept_cuda_context_destroy(context);
  mgpuModuleUnload(module);
  EXPECT_EQ(stub.pending(), 0);
  EXPECT_EQ(stub.calls("cuEventDestroy_v2"), stub.calls("cuEventCreate"));
}

// A profiled context's times (incept_cuda_enable_profile): two kernels,
// one on the run's stream and one on a branch, each timed on its own stream
// as incept-instrument-kernels brackets them; launched (the first run, not
// counted), captured and replayed. On the stub's clock the first takes 1 us
// and the second 1 us a block: one block when launched, two when captured
// (and so replayed), so a replay that read the launched run's times again
// would show. The times are read at the next run and at
// incept_cuda_read_profile, waiting for the GPU; in the reverse order too.
TEST_F(CudaRuntime, ProfiledKernelsAreTimedOnTheirStreams) {
  for (const char *order : {"eager", "reverse"}) {
    SCOPED_TRACE(order);
    setenv("STUB_CUDA_STREAMS", order, 1);
    incept_model model = {};
    incept_context *host = nullptr;
    incept_create_options options = INCEPT_CREATE_OPTIONS_INIT;
    options.threads = 1;
    ASSERT_EQ(incept_context_create(&model, 0, &options, &host), INCEPT_OK);
    const int32_t layers[2] = {0, 0};
    ASSERT_EQ(incept_context_enable_profile(host, 2, layers), INCEPT_OK);
    incept_cuda_context *context = create();
    ASSERT_NE(context, nullptr);
    ASSERT_EQ(incept_cuda_enable_profile(context, host, 2), INCEPT_OK) << incept_last_error();
    void *module = mgpuModuleLoadJIT(const_cast<char *>(kImage), 2);
    auto *target = static_cast<float *>(incept_cuda_context_arena(context));
    unsigned blocks = 0;
    inEveryRunMode(
        context, target, 8 * sizeof(float),
        [&] {
          ++blocks;
          void *main = mgpuStreamCreate();
          void *branch = mgpuStreamCreate();
          incept_cuda_profile_begin(main, 0);
          launchFillOn(module, main, target, 1.0f);
          incept_cuda_profile_end(main, 0);
          float *second = target + 4, value = 2.0f;
          void *params[] = {&second, &value};
          incept_cuda_profile_begin(branch, 1);
          mgpuLaunchKernel(mgpuModuleGetFunction(module, kFill), blocks, 1, 1, 32, 1, 1, 0,
                           branch, params, nullptr, 2);
          incept_cuda_profile_end(branch, 1);
          mgpuStreamDestroy(branch);
          mgpuStreamDestroy(main);
        },
        [&] { EXPECT_EQ(readFirst(context, target + 4), 2.0f); });
    ASSERT_EQ(incept_cuda_read_profile(context), INCEPT_OK) << incept_last_error();
    incept_profile profile;
    ASSERT_EQ(incept_context_profile(host, &profile), INCEPT_OK);
    EXPECT_EQ(profile.runs, 2u); // captured, replayed
    if (!strcmp(order, "eager")) {
      EXPECT_EQ(profile.kernel_total_ns[0], 2000u);
      EXPECT_EQ(profile.kernel_total_ns[1], 4000u);
      EXPECT_EQ(profile.kernel_last_end_ns[1] - profile.kernel_last_begin_ns[1], 2000u);
      EXPECT_LE(profile.kernel_last_end_ns[0], profile.kernel_last_begin_ns[1]);
    }
    // A kernel past the profiled ones fails the run.
    ASSERT_EQ(incept_cuda_run_begin(context, nullptr, INCEPT_CUDA_LAUNCH), INCEPT_OK);
    void *main = mgpuStreamCreate();
    incept_cuda_profile_begin(main, 2);
    mgpuStreamDestroy(main);
    EXPECT_EQ(incept_cuda_run_end(), INCEPT_ERROR_INTERNAL);
    incept_cuda_context_destroy(context);
    mgpuModuleUnload(module);
    incept_context_destroy(host);
    Stub stub;
    EXPECT_EQ(stub.calls("cuEventDestroy_v2"), stub.calls("cuEventCreate"));
  }
}

} // namespace
