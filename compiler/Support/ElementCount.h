//===- ElementCount.h - checked element counts of shapes --------*- C++ -*-===//
//
// The number of elements of a tensor's shape, for the readers of untrusted
// shapes: the model loader, the importer and incept-run. A crafted shape (a
// negative size, or sizes whose product is past 64 bits: found by test/Fuzz)
// gives nothing instead of a wrapped count that could match short data.
// Header-only and free of MLIR, so that incept-run can use it.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_SUPPORT_ELEMENTCOUNT_H
#define INCEPT_COMPILER_SUPPORT_ELEMENTCOUNT_H

#include "llvm/Support/CheckedArithmetic.h"

#include <cstdint>
#include <optional>

namespace incept {

/// The product of the sizes in `shape` (any range of integers: an ArrayRef, a
/// TensorProto's dims), or nothing when a size is negative or the product
/// overflows int64_t.
template <typename Shape>
std::optional<int64_t> elementCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t size : shape) {
    if (size < 0)
      return std::nullopt;
    std::optional<int64_t> next = llvm::checkedMul(count, size);
    if (!next)
      return std::nullopt;
    count = *next;
  }
  return count;
}

} // namespace incept

#endif // INCEPT_COMPILER_SUPPORT_ELEMENTCOUNT_H
