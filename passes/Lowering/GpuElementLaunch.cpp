//===- GpuElementLaunch.cpp - a kernel of one thread an element -----------===//

#include "passes/Lowering/GpuElementLaunch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace incept {

using namespace mlir;

Value buildElementLaunch(OpBuilder &b, Location loc, int64_t elements) {
  auto index = [&](int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); };
  Value one = index(1);
  auto launch =
      gpu::LaunchOp::create(b, loc, index(llvm::divideCeil(elements, kElementThreads)), one,
                            one, index(kElementThreads), one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp terminator = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(terminator);
  Value element = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, index(kElementThreads)),
      launch.getThreadIds().x);
  auto inRange = scf::IfOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, element, index(elements)),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(&inRange.getThenRegion().front());
  return element;
}

} // namespace incept
