//===- CudaRuntimeTest.cpp - the CUDA runtime against a stub driver -------===//
//
// Device contexts, runs, graphs and the mgpu* ABI, on StubDriver.c: its
// device memory is host memory and its "fill" kernel writes a float over
// four, so these tests see what ran. ctest runs each case in its own process
// (the driver, once opened, stays open); run alone, the binary runs first
// the cases that need the driver unopened, as they are declared first.
//
//===----------------------------------------------------------------------===//

#include "Mgpu.h"

#include "incept/cuda.h"
#include "incept/runtime.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cstdlib>
#include <string>

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
};

class CudaRuntime : public ::testing::Test {
protected:
  void SetUp() override {
    setenv("INCEPT_CUDA_DRIVER", INCEPT_STUB_DRIVER, 1);
    unsetenv("STUB_CUDA_FAIL");
    unsetenv("STUB_CUDA_DEVICES");
    unsetenv("STUB_CUDA_CC");
    Stub().resetCalls();
  }
  void TearDown() override { unsetenv("STUB_CUDA_FAIL"); }

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

} // namespace
