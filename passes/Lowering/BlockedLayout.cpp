//===- BlockedLayout.cpp - the channel-blocked activation layout -----------===//

#include "passes/Lowering/BlockedLayout.h"

#include "passes/Lowering/KernelBuilders.h"
#include "passes/Lowering/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace incept {
namespace {

/// Marks the generic that takes a blocked tensor back to NCHW.
constexpr llvm::StringLiteral kFromBlockedAttr = "incept.from_blocked";

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

int64_t blockOf(Value blocked) {
  return cast<RankedTensorType>(blocked.getType()).getDimSize(4);
}

bool isFromBlockedLayout(Operation *op) {
  return isa<linalg::GenericOp>(op) && op->hasAttr(kFromBlockedAttr);
}

std::optional<Value> findBlockedSource(Value nchw) {
  if (auto generic = nchw.getDefiningOp<linalg::GenericOp>())
    if (generic->hasAttr(kFromBlockedAttr))
      return generic.getDpsInputOperand(0)->get();
  return std::nullopt;
}

Value toBlockedLayout(OpBuilder &b, Location loc, Value nchw, int64_t block) {
  if (std::optional<Value> blocked = findBlockedSource(nchw))
    if (blockOf(*blocked) == block)
      return *blocked;
  // Gathered a pixel at a time: each output vector is the pixel's `block`
  // channels read from their planes (zeros past C), and every (image, block,
  // row) is one item of a parallel loop. A last, partial block has its own
  // body with its static number of channels.
  auto type = cast<RankedTensorType>(nchw.getType());
  int64_t images = type.getDimSize(0), channels = type.getDimSize(1);
  int64_t height = type.getDimSize(2), width = type.getDimSize(3);
  int64_t blocks = ceilDiv(channels, block), fullBlocks = channels / block;
  Type f32 = type.getElementType();
  auto vectorType = VectorType::get({block}, f32);
  auto blockedType =
      RankedTensorType::get({images, blocks, height, width, block}, f32);
  Value init = tensor::EmptyOp::create(b, loc, blockedType.getShape(), f32);
  Value zero = buildFloat(b, loc, f32, 0.0);

  auto rowOf = [&](OpBuilder &b, Value n, Value cb, Value row, int64_t present,
                   Value out) {
    Value first = buildMulAdd(b, loc, cb, block, {});
    return buildLoop(b, loc, 0, width, out,
                     [&](OpBuilder &b, Value w, ValueRange out) {
      SmallVector<Value> lanes;
      for (int64_t ci = 0; ci < block; ++ci)
        lanes.push_back(ci < present
                            ? tensor::ExtractOp::create(
                                  b, loc, nchw,
                                  ValueRange{n, buildAddConstant(b, loc, first, ci),
                                             row, w})
                                  .getResult()
                            : zero);
      Value pixel = vector::FromElementsOp::create(b, loc, vectorType, lanes);
      return SmallVector<Value>{
          vector::TransferWriteOp::create(b, loc, pixel, out[0],
                                          {n, cb, row, w, buildIndex(b, loc, 0)},
                                          ArrayRef<bool>{true})
              .getResult()};
    })[0];
  };
  return buildParallelLoop(
      b, loc, images * blocks * height, init,
      [&](OpBuilder &b, Value item, ValueRange out) {
        Value row = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, height));
        Value rest = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, height));
        Value cb = arith::RemUIOp::create(b, loc, rest, buildIndex(b, loc, blocks));
        Value n = arith::DivUIOp::create(b, loc, rest, buildIndex(b, loc, blocks));
        int64_t last = channels - fullBlocks * block;
        if (!last)
          return SmallVector<Value>{rowOf(b, n, cb, row, block, out[0])};
        if (!fullBlocks)
          return SmallVector<Value>{rowOf(b, n, cb, row, last, out[0])};
        Value isFull = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, cb,
                                             buildIndex(b, loc, fullBlocks));
        return SmallVector<Value>{buildIf(
            b, loc, isFull, out[0].getType(),
            [&](OpBuilder &b) { return rowOf(b, n, cb, row, block, out[0]); },
            [&](OpBuilder &b) { return rowOf(b, n, cb, row, last, out[0]); })};
      })[0];
}

Value fromBlockedLayout(OpBuilder &b, Location loc, Value blocked,
                        RankedTensorType nchwType) {
  int64_t block = cast<RankedTensorType>(blocked.getType()).getDimSize(4);
  MLIRContext *context = b.getContext();
  AffineExpr n, c, h, w;
  bindDims(context, n, c, h, w);
  Value nchw = buildElementwise(
      b, loc, nchwType, blocked,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; },
      AffineMap::get(4, 0, {n, c.floorDiv(block), h, w, c % block}, context));
  nchw.getDefiningOp()->setAttr(kFromBlockedAttr, UnitAttr::get(context));
  return nchw;
}


} // namespace incept
