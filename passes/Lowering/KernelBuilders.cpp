//===- KernelBuilders.cpp - loops and index arithmetic of kernels ----------===//

#include "passes/Lowering/KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <algorithm>

using namespace mlir;

namespace incept {

Value buildIndex(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value buildMulAdd(OpBuilder &b, Location loc, Value a, int64_t factor,
                  Value offset) {
  Value product =
      factor == 1 ? a
                  : arith::MulIOp::create(b, loc, a, buildIndex(b, loc, factor))
                        .getResult();
  return offset ? arith::AddIOp::create(b, loc, product, offset).getResult()
                : product;
}

Value buildAddConstant(OpBuilder &b, Location loc, Value a, int64_t constant) {
  if (constant == 0)
    return a;
  return arith::AddIOp::create(b, loc, a, buildIndex(b, loc, constant));
}

Value buildSplat(OpBuilder &b, Location loc, VectorType type, float value) {
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, value));
}

Value buildVectorRead(OpBuilder &b, Location loc, VectorType type, Value source,
                      ValueRange at) {
  return vector::TransferReadOp::create(b, loc, type, source, at,
                                        /*padding=*/std::nullopt,
                                        ArrayRef<bool>{true});
}

SmallVector<Value> buildLoop(OpBuilder &b, Location loc, Value begin, Value end,
                             ValueRange values, LoopBody body) {
  auto forOp = scf::ForOp::create(
      b, loc, begin, end, buildIndex(b, loc, 1), values,
      [&](OpBuilder &nested, Location l, Value iv, ValueRange args) {
        scf::YieldOp::create(nested, l, body(nested, iv, args));
      });
  return SmallVector<Value>(forOp.getResults());
}

SmallVector<Value> buildLoop(OpBuilder &b, Location loc, int64_t begin,
                             int64_t end, ValueRange values, LoopBody body) {
  if (end <= begin)
    return SmallVector<Value>(values);
  if (end - begin == 1)
    return body(b, buildIndex(b, loc, begin), values);
  return buildLoop(b, loc, buildIndex(b, loc, begin), buildIndex(b, loc, end),
                   values, body);
}

Value buildIf(OpBuilder &b, Location loc, Value condition, Type type,
              function_ref<Value(OpBuilder &)> thenBody,
              function_ref<Value(OpBuilder &)> elseBody) {
  auto ifOp = scf::IfOp::create(b, loc, TypeRange{type}, condition,
                                /*addThenBlock=*/true, /*addElseBlock=*/true);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  scf::YieldOp::create(b, loc, thenBody(b));
  b.setInsertionPointToStart(ifOp.elseBlock());
  scf::YieldOp::create(b, loc, elseBody(b));
  return ifOp.getResult(0);
}

int64_t parallelThreadsFor(int64_t cores) {
  constexpr int64_t kMinCores = 2;
  return std::max(cores, kMinCores);
}

int64_t parallelItemsFor(int64_t cores) {
  constexpr int64_t kItemsPerCore = 4;
  return kItemsPerCore * parallelThreadsFor(cores);
}

SmallVector<Value> buildParallelLoop(OpBuilder &b, Location loc, int64_t count,
                                     ValueRange values, LoopBody body) {
  SmallVector<Value> results = buildLoop(b, loc, 0, count, values, body);
  if (count > 1)
    if (auto loop = results.front().getDefiningOp<scf::ForOp>())
      loop->setAttr(kParallelLoopAttr, UnitAttr::get(b.getContext()));
  return results;
}

} // namespace incept
