//===- TileGpuLoops.cpp - the incept-tile-gpu-loops pass --------------------===//

#include "passes/Lowering/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace incept {
#define GEN_PASS_DEF_TILEGPULOOPS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// The loop's trip counts, where it runs from 0 by 1 to constants.
std::optional<SmallVector<int64_t>> staticExtents(scf::ParallelOp loop) {
  SmallVector<int64_t> extents;
  for (auto [lower, upper, step] :
       llvm::zip_equal(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    APInt low, high, by;
    if (!matchPattern(lower, m_ConstantInt(&low)) || !low.isZero() ||
        !matchPattern(step, m_ConstantInt(&by)) || !by.isOne() ||
        !matchPattern(upper, m_ConstantInt(&high)))
      return std::nullopt;
    extents.push_back(high.getSExtValue());
  }
  return extents;
}

struct TileGpuLoops : impl::TileGpuLoopsBase<TileGpuLoops> {
  using TileGpuLoopsBase::TileGpuLoopsBase;

  void runOnOperation() override {
    if (threads < 1) {
      getOperation().emitError("incept-tile-gpu-loops: threads must be at least 1");
      return signalPassFailure();
    }
    // The innermost loops: a loop that holds another is the other's grid.
    SmallVector<scf::ParallelOp> innermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      bool holdsOne = false;
      loop.getBody()->walk([&](scf::ParallelOp) { holdsOne = true; });
      if (!holdsOne && loop.getNumReductions() == 0)
        innermost.push_back(loop);
    });
    for (scf::ParallelOp loop : innermost) {
      std::optional<SmallVector<int64_t>> extents = staticExtents(loop);
      if (!extents) {
        // Left on the host by convert-parallel-loops-to-gpu otherwise.
        StringRef node = nodeName(loop);
        loop.emitError() << "no GPU lowering for a loop of dynamic bounds"
                         << (node.empty() ? "" : " (node '" + node.str() + "')");
        return signalPassFailure();
      }
      tile(loop, *extents);
    }
  }

  /// `loop` as a grid of blocks of threads: its last dimension, the one
  /// contiguous in memory (with the one before it where rows are shorter
  /// than a block, so that a block spans rows), first (gpu-map-parallel-
  /// loops gives a loop's first dimensions to x, y and z, and makes the rest
  /// sequential) and cut into tiles of up to `threads`, the inner loop's;
  /// the other dimensions after it, last to first. A partial last tile
  /// skips its threads past the end.
  void tile(scf::ParallelOp loop, ArrayRef<int64_t> extents) {
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    auto index = [&](int64_t value) {
      return arith::ConstantIndexOp::create(b, loc, value).getResult();
    };
    size_t rank = extents.size();
    size_t merged = rank >= 2 && extents.back() < threads ? 2 : 1;
    int64_t last = 1;
    for (int64_t extent : extents.take_back(merged))
      last *= extent;
    int64_t tileSize = std::min<int64_t>(threads, std::max<int64_t>(last, 1));
    SmallVector<Value> gridExtents = {index(llvm::divideCeil(last, tileSize))};
    for (int64_t extent : llvm::reverse(extents.drop_back(merged)))
      gridExtents.push_back(index(extent));
    Value zero = index(0), one = index(1), tileValue = index(tileSize);
    Value lastValue = index(last), rowValue = index(extents.back());
    SmallVector<Value> zeros(gridExtents.size(), zero), ones(gridExtents.size(), one);
    Block *body = loop.getBody();
    scf::ParallelOp::create(
        b, loc, zeros, gridExtents, ones, [&](OpBuilder &b, Location loc, ValueRange block) {
          scf::ParallelOp::create(
              b, loc, ValueRange{zero}, ValueRange{tileValue}, ValueRange{one},
              [&](OpBuilder &b, Location loc, ValueRange thread) {
                IRMapping map;
                Value first = arith::MulIOp::create(b, loc, block.front(), tileValue);
                Value position = arith::AddIOp::create(b, loc, first, thread.front());
                if (merged == 1) {
                  map.map(body->getArgument(rank - 1), position);
                } else {
                  map.map(body->getArgument(rank - 1),
                          arith::RemUIOp::create(b, loc, position, rowValue));
                  map.map(body->getArgument(rank - 2),
                          arith::DivUIOp::create(b, loc, position, rowValue));
                }
                for (size_t d = 0; d + merged < rank; ++d)
                  map.map(body->getArgument(d), block[rank - merged - d]);
                auto cloneBody = [&](OpBuilder &b) {
                  for (Operation &op : body->without_terminator())
                    b.clone(op, map);
                };
                if (last % tileSize == 0) {
                  cloneBody(b);
                  return;
                }
                Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                                     position, lastValue);
                scf::IfOp::create(b, loc, inside, [&](OpBuilder &b, Location loc) {
                  cloneBody(b);
                  scf::YieldOp::create(b, loc);
                });
              });
        });
    loop.erase();
  }
};

} // namespace
} // namespace incept
