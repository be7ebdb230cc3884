//===- Comparison.h - compare a model's output with a reference -*- C++ -*-===//
//
// Two pass rules, since two kinds of check use incept-run:
//   - all-close (numpy.allclose): every element within atol + rtol*|ref|.
//     Strict per element; right for single ops and small models.
//   - max-rel: max|y - ref| <= rtol * max|ref|. Errors relative to the
//     output's scale, the end-to-end criterion for a whole network, whose
//     small logits carry large relative but negligible absolute errors.
// Either way a NaN in the output, or one the reference does not have at the
// same place, fails: it counts as an infinite error.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_TOOLS_INCEPTRUN_COMPARISON_H
#define INCEPT_COMPILER_TOOLS_INCEPTRUN_COMPARISON_H

#include "TensorFile.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace incept {

enum class ToleranceMode { AllClose, MaxRel };

struct Tolerance {
  ToleranceMode mode = ToleranceMode::AllClose;
  double rtol = 1e-4;
  /// Used by AllClose only.
  double atol = 1e-5;
};

struct ElementError {
  int64_t index;
  double got;
  double expected;
  double error; ///< |got - expected|, infinite for a NaN mismatch
};

struct Comparison {
  double maxAbsError = 0;
  int64_t maxErrorIndex = 0;
  double maxAbsReference = 0;
  /// Elements outside atol + rtol*|ref|, whatever the mode.
  int64_t numOutsideAllClose = 0;
  int64_t numElements = 0;
  /// The largest errors, largest first; only elements that differ.
  llvm::SmallVector<ElementError> largestErrors;
  bool pass = true;
};

/// Compares `got` with `reference`, which must have as many elements. Integer
/// outputs (bool included) must equal the reference exactly, whatever the
/// tolerance.
Comparison compareWithReference(const Tensor &got,
                                const Tensor &reference,
                                const Tolerance &tolerance,
                                size_t numLargestErrors);

/// One summary line for the output, then its largest errors with their
/// coordinates in `shape`, one per line.
void printComparison(llvm::raw_ostream &os, llvm::StringRef outputName,
                     llvm::ArrayRef<int64_t> shape,
                     const Comparison &comparison, const Tolerance &tolerance);

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_INCEPTRUN_COMPARISON_H
