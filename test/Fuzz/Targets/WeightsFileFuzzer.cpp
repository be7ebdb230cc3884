//===- WeightsFileFuzzer.cpp - libFuzzer target: a library's weights file -===//
//
// Whatever bytes arrive go, as a weights file, to the check that `create`
// runs on it for a library of external weights (incept_weights_check, the
// runtime's reader): a library whose manifest is two tensors, as
// weights-file.seed describes. A file it accepts must point each tensor at
// its bytes inside the file; one it refuses must say why.
//
//===----------------------------------------------------------------------===//

#include "incept/runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

const int64_t kBiasShape[] = {4};
const int64_t kWeightShape[] = {2, 3, 1, 1};
const incept_tensor_info kManifest[] = {
    {"conv.weight", INCEPT_DTYPE_FLOAT32, 4, kWeightShape, 6},
    {"conv.bias", INCEPT_DTYPE_FLOAT32, 1, kBiasShape, 4},
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // As incept_weights_read holds it: a copy at the arenas' alignment.
  std::vector<uint8_t> storage(size + 64);
  auto *aligned = reinterpret_cast<uint8_t *>(
      (reinterpret_cast<uintptr_t>(storage.data()) + 63) & ~uintptr_t(63));
  if (size)
    std::memcpy(aligned, data, size);
  const float *tensors[2] = {nullptr, nullptr};
  incept_status status =
      incept_weights_check(aligned, size, "fuzz.weights", kManifest, 2, tensors);
  if (status == INCEPT_OK) {
    for (int i = 0; i < 2; ++i) {
      auto *begin = reinterpret_cast<const uint8_t *>(tensors[i]);
      size_t bytes = kManifest[i].num_elements * sizeof(float);
      if (!begin || begin < aligned || begin + bytes > aligned + size)
        std::abort(); // accepted, but the tensor is not inside the file
      volatile float sum = 0;
      for (size_t e = 0; e < size_t(kManifest[i].num_elements); ++e)
        sum = sum + tensors[i][e];
    }
  } else if (status != INCEPT_ERROR_WEIGHTS || !*incept_last_error()) {
    std::abort(); // refused without a reason
  }
  return 0;
}
