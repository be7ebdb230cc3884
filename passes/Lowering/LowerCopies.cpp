//===- LowerCopies.cpp - the incept-lower-copies pass -----------------------===//

#include "passes/Lowering/KernelBuilders.h"
#include "passes/Passes.h"

#include "dialects/Incept/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace incept {
#define GEN_PASS_DEF_LOWERCOPIES
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// Below this a copy stays on one thread: waking the others would cost
/// more than they save.
constexpr int64_t kMinParallelBytes = 64 * 1024;

/// `copy` as a loop marked parallel over its leading dimensions, as few as
/// give `items` items (the last dimension stays whole), each item a
/// linalg.copy of one slice; fails when the copy is small, dynamic or has
/// a single slice.
LogicalResult splitCopy(IRRewriter &rewriter, memref::CopyOp copy, int64_t items) {
  auto type = cast<MemRefType>(copy.getSource().getType());
  int64_t rank = type.getRank();
  if (!type.hasStaticShape() || rank < 2 ||
      type.getNumElements() * type.getElementTypeBitWidth() / 8 < kMinParallelBytes)
    return failure();
  ArrayRef<int64_t> shape = type.getShape();
  int64_t leading = 0, count = 1;
  while (leading < rank - 1 && count < items)
    count *= shape[leading++];
  if (count < 2)
    return failure();

  Location loc = copy.getLoc();
  rewriter.setInsertionPoint(copy);
  auto loop = scf::ForOp::create(
      rewriter, loc, buildIndex(rewriter, loc, 0), buildIndex(rewriter, loc, count),
      buildIndex(rewriter, loc, 1), ValueRange{},
      [&](OpBuilder &b, Location loc, Value item, ValueRange) {
        // The item's index in each leading dimension, the last fastest.
        SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
            sizes, strides(rank, b.getIndexAttr(1));
        for (int64_t extent : shape)
          sizes.push_back(b.getIndexAttr(extent));
        Value rest = item;
        int64_t outer = count; // the extent of the dimensions up to d
        for (int64_t d = leading - 1; d >= 0; --d) {
          sizes[d] = b.getIndexAttr(1);
          if (shape[d] == 1)
            continue;
          outer /= shape[d];
          if (outer == 1) { // the outermost that is not 1 takes what is left
            offsets[d] = rest;
            break;
          }
          Value extent = buildIndex(b, loc, shape[d]);
          offsets[d] = arith::RemUIOp::create(b, loc, rest, extent).getResult();
          rest = arith::DivUIOp::create(b, loc, rest, extent);
        }
        Value from = memref::SubViewOp::create(b, loc, copy.getSource(), offsets,
                                               sizes, strides);
        Value to = memref::SubViewOp::create(b, loc, copy.getTarget(), offsets,
                                             sizes, strides);
        linalg::CopyOp::create(b, loc, from, to);
        scf::YieldOp::create(b, loc);
      });
  loop->setAttr(kParallelLoopAttr, rewriter.getUnitAttr());
  rewriter.eraseOp(copy);
  return success();
}

struct LowerCopies : impl::LowerCopiesBase<LowerCopies> {
  using LowerCopiesBase::LowerCopiesBase;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    int64_t items = parallelItemsFor(lookupTarget(getOperation()).getCores());
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      // Only a copy that is a kernel of its own: one inside a kernel's loop
      // already runs on that loop's threads.
      if (parallel && isa<func::FuncOp>(copy->getParentOp()) &&
          succeeded(splitCopy(rewriter, copy, items)))
        continue;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};

} // namespace
} // namespace incept
