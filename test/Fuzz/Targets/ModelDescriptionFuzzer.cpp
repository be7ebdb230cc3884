//===- ModelDescriptionFuzzer.cpp - libFuzzer target: a library's model ---===//
//
// A compiled model tells its host what it is through the incept_model that
// incept_model_v1() returns, and a --profile library through the timings its
// profile() fills in. A hostile or broken .so can put anything there. This
// target builds both from the fuzzer's bytes (counts, ranks, dims, dtypes,
// null or present tables and strings, struct sizes) and gives them to what
// incept-run does with a library it loaded: checkModelDescription, then for
// a description it accepted, the tensor descriptions and the --profile
// table and trace. Nothing the checks accept may crash the host.
//
// What cannot be fuzzed is a pointer into memory the library does not own:
// every table and string here is as long as its count says, as C requires
// of a library that is merely wrong and not out to crash its host.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/incept-run/ModelLibrary.h"
#include "compiler/tools/incept-run/Profile.h"

#include "llvm/Support/raw_ostream.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace {

incept_status createStub(incept_context **) { return INCEPT_OK; }
incept_status runStub(incept_context *, const void *const *, void *const *) {
  return INCEPT_OK;
}
void destroyStub(incept_context *) {}

/// Owns everything a crafted description points to.
struct Arena {
  std::deque<std::string> strings;
  std::deque<std::vector<int64_t>> shapes;
  std::vector<incept_tensor_info> inputs, outputs;
  std::vector<incept_layer_info> layers;
  std::vector<int32_t> kernelLayers;
  std::vector<uint64_t> kernelTotal, kernelBegin, kernelEnd;

  const char *string(FuzzedDataProvider &fuzz) {
    if (fuzz.ConsumeIntegralInRange<int>(0, 15) == 0)
      return nullptr;
    strings.push_back(fuzz.ConsumeRandomLengthString(24));
    return strings.back().c_str();
  }

  void tensors(FuzzedDataProvider &fuzz, int32_t count,
               std::vector<incept_tensor_info> &table) {
    for (int32_t i = 0; i < count; ++i) {
      incept_tensor_info tensor{};
      tensor.name = string(fuzz);
      tensor.dtype = fuzz.ConsumeBool() ? fuzz.ConsumeIntegralInRange<int32_t>(0, 12)
                                        : fuzz.ConsumeIntegral<int32_t>();
      int rank = fuzz.ConsumeIntegralInRange<int>(0, 8);
      shapes.emplace_back();
      for (int d = 0; d < rank; ++d)
        shapes.back().push_back(fuzz.ConsumeBool()
                                    ? fuzz.ConsumeIntegralInRange<int64_t>(-1, 300)
                                    : fuzz.ConsumeIntegral<int64_t>());
      // A rank that claims more sizes than the table holds is the one lie
      // nothing can check; a negative one, or one with no table, is caught.
      tensor.rank = fuzz.ConsumeIntegralInRange<int>(0, 7) == 0
                        ? fuzz.ConsumeIntegralInRange<int32_t>(-3, rank)
                        : rank;
      tensor.shape = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0
                         ? nullptr
                         : shapes.back().data();
      int64_t elements = 1;
      for (int64_t size : shapes.back())
        elements = static_cast<int64_t>(static_cast<uint64_t>(elements) *
                                        static_cast<uint64_t>(size));
      tensor.num_elements = fuzz.ConsumeIntegralInRange<int>(0, 7) == 0
                                ? fuzz.ConsumeIntegral<int64_t>()
                                : elements;
      table.push_back(tensor);
    }
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider fuzz(data, size);
  Arena arena;
  incept_model model{};
  model.abi_version = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0
                          ? fuzz.ConsumeIntegral<uint32_t>()
                          : INCEPT_ABI_VERSION;
  model.struct_size = fuzz.ConsumeBool()
                          ? sizeof(incept_model)
                          : fuzz.ConsumeIntegralInRange<uint32_t>(0, sizeof(incept_model));
  model.name = arena.string(fuzz);
  model.source = arena.string(fuzz);
  model.target = arena.string(fuzz);
  model.compiler_version = arena.string(fuzz);
  int32_t inputs = fuzz.ConsumeIntegralInRange<int32_t>(0, 4);
  int32_t outputs = fuzz.ConsumeIntegralInRange<int32_t>(0, 4);
  arena.tensors(fuzz, inputs, arena.inputs);
  arena.tensors(fuzz, outputs, arena.outputs);
  model.num_inputs = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0
                         ? fuzz.ConsumeIntegralInRange<int32_t>(-2, inputs)
                         : inputs;
  model.num_outputs = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0
                          ? fuzz.ConsumeIntegralInRange<int32_t>(-2, outputs)
                          : outputs;
  model.inputs = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : arena.inputs.data();
  model.outputs =
      fuzz.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : arena.outputs.data();
  model.scratch_bytes = fuzz.ConsumeIntegral<uint64_t>();
  bool nullFunction = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0;
  model.create = nullFunction ? nullptr : createStub;
  model.run = runStub;
  model.destroy = destroyStub;

  int32_t layers = fuzz.ConsumeIntegralInRange<int32_t>(0, 6);
  for (int32_t i = 0; i < layers; ++i)
    arena.layers.push_back({arena.string(fuzz), arena.string(fuzz), arena.string(fuzz),
                            arena.string(fuzz), fuzz.ConsumeFloatingPoint<double>()});
  model.num_layers = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0
                         ? fuzz.ConsumeIntegralInRange<int32_t>(-2, layers)
                         : layers;
  model.layers = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : arena.layers.data();

  incept_profile profile{};
  profile.runs = fuzz.ConsumeIntegral<uint64_t>();
  int32_t kernels = fuzz.ConsumeIntegralInRange<int32_t>(0, 8);
  for (int32_t k = 0; k < kernels; ++k) {
    arena.kernelLayers.push_back(fuzz.ConsumeIntegralInRange<int32_t>(-1, layers));
    arena.kernelTotal.push_back(fuzz.ConsumeIntegral<uint64_t>());
    arena.kernelBegin.push_back(fuzz.ConsumeIntegral<uint64_t>());
    arena.kernelEnd.push_back(fuzz.ConsumeIntegral<uint64_t>());
  }
  profile.num_kernels = fuzz.ConsumeIntegralInRange<int>(0, 15) == 0
                            ? fuzz.ConsumeIntegralInRange<int32_t>(-2, kernels)
                            : kernels;
  profile.kernel_layers = arena.kernelLayers.data();
  profile.kernel_total_ns = arena.kernelTotal.data();
  profile.kernel_last_begin_ns = arena.kernelBegin.data();
  profile.kernel_last_end_ns =
      fuzz.ConsumeIntegralInRange<int>(0, 15) == 0 ? nullptr : arena.kernelEnd.data();

  if (llvm::Error error = incept::checkModelDescription("fuzz.so", model)) {
    llvm::consumeError(std::move(error));
    return 0;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  for (int32_t i = 0; i < model.num_inputs; ++i)
    os << incept::describeTensor(model.inputs[i]) << "\n";
  for (int32_t i = 0; i < model.num_outputs; ++i)
    os << incept::describeTensor(model.outputs[i]) << "\n";
  // incept-run asks for a profile only of a library whose struct has
  // profile(); the layer table before it is checked only then, too.
  if (model.struct_size < offsetof(incept_model, profile) + sizeof(model.profile))
    return 0;
  if (llvm::Error error = incept::checkProfile("fuzz.so", model, profile)) {
    llvm::consumeError(std::move(error));
    return 0;
  }
  incept::printProfile(model, profile, "2 threads", /*peakGflops=*/200.0, os);
  if (llvm::Error error = incept::writeChromeTrace(model, profile, "/dev/null"))
    llvm::consumeError(std::move(error));
  return 0;
}
