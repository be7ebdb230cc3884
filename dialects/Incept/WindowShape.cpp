//===- WindowShape.cpp - extents of sliding-window ops --------------------===//

#include "dialects/Incept/WindowShape.h"

#include <algorithm>

namespace incept {

int64_t dilatedKernelExtent(int64_t kernel, int64_t dilation) {
  return dilation * (kernel - 1) + 1;
}

int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode) {
  int64_t span = input + padBegin + padEnd - dilatedKernelExtent(kernel, dilation);
  if (span < 0 || stride <= 0)
    return 0;
  int64_t size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceilMode && (size - 1) * stride >= input + padBegin)
    --size;
  return size;
}

std::pair<int64_t, int64_t> samePadding(int64_t input, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        bool upper) {
  int64_t output = (input + stride - 1) / stride;
  int64_t total = std::max<int64_t>(
      0, (output - 1) * stride + dilatedKernelExtent(kernel, dilation) - input);
  int64_t small = total / 2, large = total - small;
  return upper ? std::make_pair(small, large) : std::make_pair(large, small);
}

} // namespace incept
