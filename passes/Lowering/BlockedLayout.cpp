//===- BlockedLayout.cpp - the channel-blocked activation layout -----------===//

#include "passes/Lowering/BlockedLayout.h"

#include "passes/Lowering/KernelBuilders.h"
#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <tuple>

using namespace mlir;

namespace incept {
namespace {

/// Marks the generic that takes a blocked tensor back to NCHW.
constexpr llvm::StringLiteral kFromBlockedAttr = "incept.from_blocked";

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The image, channel block and row of work item `item` of a loop over
/// images × `blocks` × `rows`, a row of a plane an item.
std::tuple<Value, Value, Value> rowOfItem(OpBuilder &b, Location loc, Value item,
                                          int64_t blocks, int64_t rows) {
  Value row = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, rows));
  Value rest = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, rows));
  Value cb = arith::RemUIOp::create(b, loc, rest, buildIndex(b, loc, blocks));
  Value n = arith::DivUIOp::create(b, loc, rest, buildIndex(b, loc, blocks));
  return {n, cb, row};
}

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
        Value n, cb, row; // not `auto [n, cb, row]`: C++17 lambdas cannot capture those
        std::tie(n, cb, row) = rowOfItem(b, loc, item, blocks, height);
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

Value asBlockedPlanes(OpBuilder &b, Location loc, Value nchw) {
  auto type = cast<RankedTensorType>(nchw.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.push_back(1);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), nchw,
      SmallVector<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
}

Value padBlockedPlanes(OpBuilder &b, Location loc, Value blocked, int64_t top,
                       int64_t left, int64_t bottom, int64_t right) {
  if (!top && !left && !bottom && !right)
    return blocked;
  auto type = cast<RankedTensorType>(blocked.getType());
  int64_t images = type.getDimSize(0), blocks = type.getDimSize(1);
  int64_t height = type.getDimSize(2), width = type.getDimSize(3);
  int64_t block = type.getDimSize(4);
  int64_t paddedHeight = top + height + bottom, paddedWidth = left + width + right;
  Type f32 = type.getElementType();
  auto vectorType = VectorType::get({block}, f32);
  Value init = tensor::EmptyOp::create(
      b, loc, {images, blocks, paddedHeight, paddedWidth, block}, f32);
  Value zeros = buildSplat(b, loc, vectorType, 0.0f);
  Value zero = buildIndex(b, loc, 0);
  auto write = [&](OpBuilder &b, Value pixel, Value out, ValueRange at) {
    return vector::TransferWriteOp::create(b, loc, pixel, out, at,
                                           ArrayRef<bool>{true})
        .getResult();
  };
  // Columns [begin, end) of padded row `row` set to zero.
  auto zeroColumns = [&](OpBuilder &b, Value n, Value cb, Value row,
                         int64_t begin, int64_t end, Value out) {
    return buildLoop(b, loc, begin, end, out,
                     [&](OpBuilder &b, Value w, ValueRange out) {
      return SmallVector<Value>{write(b, zeros, out[0], {n, cb, row, w, zero})};
    })[0];
  };
  Value padded = buildParallelLoop(
      b, loc, images * blocks * paddedHeight, init,
      [&](OpBuilder &b, Value item, ValueRange out) {
        Value n, cb, row; // not `auto [n, cb, row]`: C++17 lambdas cannot capture those
        std::tie(n, cb, row) = rowOfItem(b, loc, item, blocks, paddedHeight);
        // row - top wraps around above the input, so one unsigned compare
        // tells the input's rows.
        Value inputRow = buildAddConstant(b, loc, row, -top);
        Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                             inputRow, buildIndex(b, loc, height));
        return SmallVector<Value>{buildIf(
            b, loc, inside, out[0].getType(),
            [&](OpBuilder &b) {
              Value padded = zeroColumns(b, n, cb, row, 0, left, out[0]);
              padded = buildLoop(b, loc, 0, width, padded,
                                 [&](OpBuilder &b, Value w, ValueRange out) {
                Value pixel = buildVectorRead(b, loc, vectorType, blocked,
                                              {n, cb, inputRow, w, zero});
                return SmallVector<Value>{write(
                    b, pixel, out[0],
                    {n, cb, row, buildAddConstant(b, loc, w, left), zero})};
              })[0];
              return zeroColumns(b, n, cb, row, left + width, paddedWidth, padded);
            },
            [&](OpBuilder &b) {
              return zeroColumns(b, n, cb, row, 0, paddedWidth, out[0]);
            })};
      })[0];
  if (Operation *loop = padded.getDefiningOp<scf::ForOp>())
    loop->setAttr(kCopyBytesAttr,
                  b.getI64IntegerAttr(type.getNumElements() *
                                      type.getElementTypeBitWidth() / 8));
  return padded;
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
