//===- TensorFileFuzzer.cpp - libFuzzer target: incept-run's tensor files -===//
//
// Whatever bytes arrive, as a .npy file (or, built with
// INCEPT_FUZZ_TENSOR_PROTO, a TensorProto .pb file), go to the reader
// incept-run uses for --input and --reference. A tensor it accepts must agree
// with itself (as many elements as its shape says) and survive a round trip
// through the writer unchanged: what incept-run --output writes, it reads
// back.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/incept-run/TensorFile.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace {

#ifdef INCEPT_FUZZ_TENSOR_PROTO
llvm::Expected<incept::Tensor> parse(llvm::StringRef bytes) {
  return incept::parseTensorProto(bytes);
}
std::string serialize(const incept::Tensor &tensor) {
  return incept::serializeTensorProto(tensor, "fuzz");
}
#else
llvm::Expected<incept::Tensor> parse(llvm::StringRef bytes) {
  return incept::parseNpy(bytes);
}
std::string serialize(const incept::Tensor &tensor) {
  return incept::serializeNpy(tensor);
}
#endif

size_t storedElements(const incept::Tensor &tensor) {
  switch (tensor.elementType) {
  case incept::ElementType::Float32:
    return tensor.float32.size();
  case incept::ElementType::Float64:
    return tensor.float64.size();
  default:
    return tensor.integers.size();
  }
}

/// The elements' bytes, so that NaNs compare by their bits.
std::string elementBytes(const incept::Tensor &tensor) {
  std::string bytes(storedElements(tensor) * incept::elementSize(tensor.elementType), '\0');
  tensor.toBuffer(bytes.data());
  return bytes;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<incept::Tensor> tensor =
      parse(llvm::StringRef(reinterpret_cast<const char *>(data), size));
  if (!tensor) {
    llvm::consumeError(tensor.takeError());
    return 0;
  }
  if (storedElements(*tensor) != static_cast<size_t>(tensor->numElements()))
    __builtin_trap();
  llvm::Expected<incept::Tensor> again = parse(serialize(*tensor));
  if (!again)
    __builtin_trap();
  if (again->elementType != tensor->elementType || again->shape != tensor->shape ||
      elementBytes(*again) != elementBytes(*tensor))
    __builtin_trap();
  return 0;
}
