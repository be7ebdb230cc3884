//===- WindowShape.h - extents of sliding-window ops ------------*- C++ -*-===//
//
// The arithmetic shared by convolutions and pools, in one place so that the
// verifier, the importer (auto_pad) and the lowering agree on every edge case.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_DIALECTS_INCEPT_WINDOWSHAPE_H
#define INCEPT_DIALECTS_INCEPT_WINDOWSHAPE_H

#include <cstdint>
#include <utility>

namespace incept {

/// Extent covered by a kernel of `kernel` taps spaced `dilation` apart.
int64_t dilatedKernelExtent(int64_t kernel, int64_t dilation);

/// Number of window positions along one axis of extent `input` padded by
/// `padBegin`/`padEnd`. With `ceilMode` a partial last window counts, unless it
/// would start inside the trailing padding (the rule of PyTorch and ONNX
/// Runtime). Returns 0 when not even one window fits.
int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

/// ONNX auto_pad SAME_UPPER/SAME_LOWER: the (begin, end) padding that makes
/// the output extent ceil(input / stride). SAME_UPPER puts the odd pixel at
/// the end, SAME_LOWER at the beginning.
std::pair<int64_t, int64_t> samePadding(int64_t input, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        bool upper);

} // namespace incept

#endif // INCEPT_DIALECTS_INCEPT_WINDOWSHAPE_H
