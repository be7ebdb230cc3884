//===- host.cpp - load any compiled model, run two contexts at once -------===//
//
// Usage: host path/to/model.so
//
// A host that knows no model in advance: it dlopen()s a shared library that
// incept-compile wrote, finds the generic entry point, prints what the model
// says about itself, then runs two contexts of it in two threads at the same
// time on the same input and checks that both give bitwise identical outputs
// (each context owns its scratch memory, so they must not disturb each other).
// Exits 1 on any error: a file that does not load, a library that is not an
// Incept model, an ABI this host does not speak, a failing call.
//
//===----------------------------------------------------------------------===//
#include "incept/incept.h"

#include <dlfcn.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// The fields of incept_model this host reads: everything up to `destroy`.
constexpr size_t kModelBytesNeeded =
    offsetof(incept_model, destroy) + sizeof(incept_model::destroy);

// Runs per context; every run after the first must reproduce the first.
constexpr int kRunsPerContext = 4;

const char *orNone(const char *text) { return text ? text : "(none)"; }

const char *dtypeName(int32_t dtype) {
  return dtype == INCEPT_DTYPE_FLOAT32 ? "float32" : "unknown";
}

// Prints one input or output; returns false if this host cannot feed it.
bool describeTensor(const char *kind, int index,
                    const incept_tensor_info &tensor) {
  std::printf("%s %d: \"%s\" %s [", kind, index, orNone(tensor.name),
              dtypeName(tensor.dtype));
  int64_t elements = 1;
  for (int32_t i = 0; i < tensor.rank; ++i) {
    std::printf("%s%lld", i ? ", " : "", (long long)tensor.shape[i]);
    elements *= tensor.shape[i];
  }
  std::printf("], %lld elements\n", (long long)tensor.num_elements);
  if (tensor.dtype != INCEPT_DTYPE_FLOAT32) {
    std::fprintf(stderr,
                 "host: %s %d has element type %d; this host feeds "
                 "only float32\n",
                 kind, index, tensor.dtype);
    return false;
  }
  if (tensor.num_elements != elements || elements < 0) {
    std::fprintf(stderr,
                 "host: %s %d claims %lld elements but its shape "
                 "has %lld\n",
                 kind, index, (long long)tensor.num_elements,
                 (long long)elements);
    return false;
  }
  return true;
}

// Checks what a host must know before trusting the description.
bool checkModel(const incept_model *model, const char *path) {
  if (!model) {
    std::fprintf(stderr, "host: %s: %s returned no model\n", path,
                 INCEPT_MODEL_ENTRY_POINT);
    return false;
  }
  if (model->abi_version != INCEPT_ABI_VERSION) {
    std::fprintf(stderr,
                 "host: %s: ABI mismatch: the library speaks Incept "
                 "ABI version %u, this host version %d; rebuild one of them\n",
                 path, model->abi_version, INCEPT_ABI_VERSION);
    return false;
  }
  if (model->struct_size < kModelBytesNeeded) {
    std::fprintf(stderr,
                 "host: %s: ABI mismatch: the library's incept_model "
                 "has %u bytes, this host reads %zu\n",
                 path, model->struct_size, kModelBytesNeeded);
    return false;
  }
  if (!model->create || !model->run || !model->destroy ||
      model->num_inputs < 0 || model->num_outputs < 0 ||
      (model->num_inputs && !model->inputs) ||
      (model->num_outputs && !model->outputs)) {
    std::fprintf(stderr, "host: %s: the model description is incomplete\n",
                 path);
    return false;
  }
  return true;
}

bool succeeded(incept_status status, const char *call) {
  if (status == INCEPT_OK)
    return true;
  std::fprintf(stderr, "host: %s failed: %s\n", call,
               incept_status_string(status));
  return false;
}

// One context's outputs, and whether all its runs went well.
struct Runner {
  incept_context *context = nullptr;
  std::vector<std::vector<float>> outputs;
  incept_status status = INCEPT_OK;
  bool reproducible = true;
};

void runRepeatedly(const incept_model &model,
                   const std::vector<const void *> &inputs, Runner &runner,
                   const std::atomic<bool> &start) {
  std::vector<std::vector<float>> scratchOutputs = runner.outputs;
  std::vector<void *> outputPointers;
  for (auto &output : runner.outputs)
    outputPointers.push_back(output.data());
  std::vector<void *> repeatPointers;
  for (auto &output : scratchOutputs)
    repeatPointers.push_back(output.data());

  while (!start.load(std::memory_order_acquire))
    std::this_thread::yield();
  runner.status =
      model.run(runner.context, inputs.data(), outputPointers.data());
  for (int run = 1; run < kRunsPerContext && runner.status == INCEPT_OK;
       ++run) {
    runner.status =
        model.run(runner.context, inputs.data(), repeatPointers.data());
    for (size_t i = 0; i < scratchOutputs.size(); ++i)
      runner.reproducible &=
          std::memcmp(scratchOutputs[i].data(), runner.outputs[i].data(),
                      scratchOutputs[i].size() * sizeof(float)) == 0;
  }
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s path/to/model.so\n", argv[0]);
    return 2;
  }
  // dlopen searches the library path for a name without a slash; a file name
  // given on the command line means the file.
  std::string path = argv[1];
  if (path.find('/') == std::string::npos)
    path = "./" + path;

  void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    std::fprintf(stderr, "host: cannot load %s: %s\n", argv[1], dlerror());
    return 1;
  }
  auto entry = reinterpret_cast<incept_model_entry_fn>(
      dlsym(library, INCEPT_MODEL_ENTRY_POINT));
  if (!entry) {
    std::fprintf(stderr,
                 "host: %s is not an Incept model library: it has no "
                 "%s entry point\n",
                 argv[1], INCEPT_MODEL_ENTRY_POINT);
    return 1;
  }
  const incept_model *model = entry();
  if (!checkModel(model, argv[1]))
    return 1;

  std::printf("model: %s\n", orNone(model->name));
  std::printf("source: %s\n", orNone(model->source));
  std::printf("target: %s\n", orNone(model->target));
  std::printf("compiler: %s\n", orNone(model->compiler_version));
  std::printf("abi: version %u, %u-byte description\n", model->abi_version,
              model->struct_size);
  std::printf("scratch: %llu bytes per context\n",
              (unsigned long long)model->scratch_bytes);
  bool supported = true;
  for (int32_t i = 0; i < model->num_inputs; ++i)
    supported &= describeTensor("input", i, model->inputs[i]);
  for (int32_t i = 0; i < model->num_outputs; ++i)
    supported &= describeTensor("output", i, model->outputs[i]);
  if (!supported)
    return 1;

  // Every input gets the same fixed pattern as classify's.
  std::vector<std::vector<float>> inputData;
  std::vector<const void *> inputs;
  for (int32_t i = 0; i < model->num_inputs; ++i) {
    std::vector<float> data(model->inputs[i].num_elements);
    for (size_t e = 0; e < data.size(); ++e)
      data[e] = (float)((e * 37) % 101) / 50.0f - 1.0f;
    inputData.push_back(std::move(data));
    inputs.push_back(inputData.back().data());
  }

  Runner runners[2];
  for (Runner &runner : runners) {
    for (int32_t i = 0; i < model->num_outputs; ++i)
      runner.outputs.emplace_back(model->outputs[i].num_elements);
    if (!succeeded(model->create(&runner.context), "create"))
      return 1;
  }

  std::atomic<bool> start{false};
  std::thread first(runRepeatedly, std::cref(*model), std::cref(inputs),
                    std::ref(runners[0]), std::cref(start));
  std::thread second(runRepeatedly, std::cref(*model), std::cref(inputs),
                     std::ref(runners[1]), std::cref(start));
  start.store(true, std::memory_order_release);
  first.join();
  second.join();

  bool ok = true;
  for (Runner &runner : runners) {
    ok &= succeeded(runner.status, "run");
    if (runner.status == INCEPT_OK && !runner.reproducible) {
      std::fprintf(stderr, "host: a context gave different outputs for the "
                           "same input on different runs\n");
      ok = false;
    }
    model->destroy(runner.context);
  }
  if (!ok)
    return 1;
  for (int32_t i = 0; i < model->num_outputs; ++i) {
    const std::vector<float> &a = runners[0].outputs[i];
    const std::vector<float> &b = runners[1].outputs[i];
    if (std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) != 0) {
      std::fprintf(stderr,
                   "host: output %d differs between the two contexts "
                   "run at once\n",
                   i);
      return 1;
    }
    std::printf("output %d starts:", i);
    for (size_t e = 0; e < a.size() && e < 5; ++e)
      std::printf(" %g", a[e]);
    std::printf("\n");
  }
  std::printf("two contexts in two threads, %d runs each: outputs bitwise "
              "identical\nOK\n",
              kRunsPerContext);
  // The library stays loaded: a model has nothing to release at exit.
  return 0;
}
