//===- GpuElementLaunch.h - a kernel of one thread an element ---*- C++ -*-===//
//
// The simple GPU kernels (split-K's sums, pools) run one thread an output
// element, consecutive threads on consecutive elements, in blocks of 256.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_GPUELEMENTLAUNCH_H
#define INCEPT_PASSES_LOWERING_GPUELEMENTLAUNCH_H

#include "mlir/IR/Builders.h"

namespace incept {

/// Threads a block of such a kernel.
constexpr int64_t kElementThreads = 256;

/// Creates, at `b`'s point, a gpu.launch of a thread for each of `elements`
/// elements and leaves `b` inside it where the thread's element is one
/// (the last block's surplus threads do nothing); returns the element's
/// index.
mlir::Value buildElementLaunch(mlir::OpBuilder &b, mlir::Location loc, int64_t elements);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_GPUELEMENTLAUNCH_H
