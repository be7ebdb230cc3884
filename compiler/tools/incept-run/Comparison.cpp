//===- Comparison.cpp - compare a model's output with a reference ---------===//

#include "Comparison.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

using namespace llvm;

namespace incept {

namespace {

double elementError(double got, double expected) {
  if (got == expected) // also equal infinities
    return 0;
  double error = std::fabs(got - expected);
  return std::isnan(error) ? std::numeric_limits<double>::infinity() : error;
}

/// Keeps `largest` sorted, largest first, and at most `limit` long.
void recordError(SmallVectorImpl<ElementError> &largest, size_t limit,
                 const ElementError &candidate) {
  if (limit == 0 || candidate.error == 0)
    return;
  if (largest.size() == limit && !(candidate.error > largest.back().error))
    return;
  auto *position = llvm::find_if(largest, [&](const ElementError &kept) {
    return candidate.error > kept.error;
  });
  largest.insert(position, candidate);
  if (largest.size() > limit)
    largest.pop_back();
}

std::string coordinates(int64_t index, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> coordinate(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    coordinate[d] = shape[d] ? index % shape[d] : 0;
    index = shape[d] ? index / shape[d] : 0;
  }
  return formatShape(coordinate);
}

} // namespace

Comparison compareWithReference(const Tensor &got, const Tensor &reference,
                                const Tolerance &tolerance,
                                size_t numLargestErrors) {
  Comparison result;
  result.numElements = got.numElements();
  bool exact = isIntegerType(got.elementType);
  for (int64_t i = 0; i < result.numElements; ++i) {
    double expected = reference.element(i);
    double value = got.element(i);
    double error = elementError(value, expected);
    if (exact && got.integers[i] != reference.integers[i])
      error = std::max(error, 1.0); // int64 beyond 2^53 differs by less in double
    double magnitude = std::fabs(expected);
    if (magnitude > result.maxAbsReference)
      result.maxAbsReference = magnitude;
    if (error > result.maxAbsError) {
      result.maxAbsError = error;
      result.maxErrorIndex = i;
    }
    if (exact ? error != 0
              : !(error <= tolerance.atol + tolerance.rtol * magnitude))
      ++result.numOutsideAllClose;
    recordError(result.largestErrors, numLargestErrors,
                {i, value, expected, error});
  }
  if (exact)
    result.pass = result.numOutsideAllClose == 0;
  else if (tolerance.mode == ToleranceMode::AllClose)
    result.pass = result.numOutsideAllClose == 0;
  else
    result.pass = result.maxAbsError <= tolerance.rtol * result.maxAbsReference;
  return result;
}

void printComparison(raw_ostream &os, StringRef outputName,
                     ArrayRef<int64_t> shape, const Comparison &comparison,
                     const Tolerance &tolerance) {
  os << "output '" << outputName << "': max abs error "
     << format("%.3g", comparison.maxAbsError);
  if (comparison.maxAbsError > 0)
    os << " at " << coordinates(comparison.maxErrorIndex, shape);
  os << ", max |ref| " << format("%.3g", comparison.maxAbsReference) << ", ";
  if (tolerance.mode == ToleranceMode::AllClose) {
    os << comparison.numOutsideAllClose << " of " << comparison.numElements
       << " elements outside atol + rtol*|ref| (atol "
       << format("%g", tolerance.atol) << ", rtol "
       << format("%g", tolerance.rtol) << ")";
  } else {
    double relative = comparison.maxAbsReference > 0
                          ? comparison.maxAbsError / comparison.maxAbsReference
                          : (comparison.maxAbsError > 0
                                 ? std::numeric_limits<double>::infinity()
                                 : 0);
    os << "max abs error / max |ref| " << format("%.3g", relative) << " (rtol "
       << format("%g", tolerance.rtol) << ")";
  }
  os << ": " << (comparison.pass ? "PASS" : "FAIL") << "\n";
  for (const ElementError &error : comparison.largestErrors)
    os << "  " << coordinates(error.index, shape) << ": got "
       << format("%.9g", error.got) << ", expected "
       << format("%.9g", error.expected) << ", error "
       << format("%.3g", error.error) << "\n";
}

} // namespace incept
