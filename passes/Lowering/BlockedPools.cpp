//===- BlockedPools.cpp - pools on the channel-blocked layout --------------===//
//
// A float max or average pool (unit dilations) or a global average pool whose
// input was computed blocked (see BlockedLayout.h) pools the blocked tensor
// directly: one vector of c channels per output pixel, reduced over the taps
// of its window that lie inside the input (the window's bounds clipped at
// run time, so no padded copy is read). Padding never wins a max and adds
// nothing to a sum, exactly as in the NCHW lowering; an average divides by
// the same count (PoolToLinalg.cpp's averageDivisors), computed here from
// the clipped bounds. These patterns have a higher benefit than the NCHW ones
// and leave a pool whose input is NCHW to them.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/BlockedLayout.h"
#include "passes/Lowering/KernelBuilders.h"
#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace incept {
namespace {

/// What a windowed pool computes per output vector.
enum class PoolKind { max, average };

struct WindowPool {
  PoolKind kind;
  ArrayRef<int64_t> kernel, strides, pads;
  bool countIncludePad = false;
};

/// [begin, end) of the input positions that output `out` reads along one
/// dimension of `size` (taps out*stride - pad + k), clipped to [low, high).
std::pair<Value, Value> windowBounds(OpBuilder &b, Location loc, Value out,
                                     int64_t stride, int64_t pad, int64_t kernel,
                                     int64_t low, int64_t high) {
  Value start = buildAddConstant(b, loc, buildMulAdd(b, loc, out, stride, {}), -pad);
  Value end = buildAddConstant(b, loc, start, kernel);
  Value begin = arith::MaxSIOp::create(b, loc, start, buildIndex(b, loc, low));
  end = arith::MinSIOp::create(b, loc, end, buildIndex(b, loc, high));
  return {begin, end};
}

/// The pool of blocked `input` into a blocked result of `resultType`'s
/// spatial shape.
Value buildBlockedPool(OpBuilder &b, Location loc, Value input,
                       RankedTensorType nchwResult, const WindowPool &pool) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t images = inputType.getDimSize(0), blocks = inputType.getDimSize(1);
  int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
  int64_t block = inputType.getDimSize(4);
  int64_t outHeight = nchwResult.getDimSize(2), outWidth = nchwResult.getDimSize(3);
  Type f32 = inputType.getElementType();
  auto vectorType = VectorType::get({block}, f32);
  auto blockedType =
      RankedTensorType::get({images, blocks, outHeight, outWidth, block}, f32);
  Value init = tensor::EmptyOp::create(b, loc, blockedType.getShape(), f32);
  bool isMax = pool.kind == PoolKind::max;
  Value start = buildSplat(b, loc, vectorType,
                      isMax ? -std::numeric_limits<float>::max() : 0.0f);

  auto perPixel = [&](OpBuilder &b, Value n, Value cb, Value oh, Value ow,
                      Value out) {
    std::pair<Value, Value> rowBounds = windowBounds(
        b, loc, oh, pool.strides[0], pool.pads[0], pool.kernel[0], 0, height);
    std::pair<Value, Value> colBounds = windowBounds(
        b, loc, ow, pool.strides[1], pool.pads[1], pool.kernel[1], 0, width);
    Value rowBegin = rowBounds.first, rowEnd = rowBounds.second;
    Value colBegin = colBounds.first, colEnd = colBounds.second;
    Value value = buildLoop(
        b, loc, rowBegin, rowEnd, start,
        [&](OpBuilder &b, Value ih, ValueRange acc) {
          return buildLoop(
              b, loc, colBegin, colEnd, acc,
              [&](OpBuilder &b, Value iw, ValueRange acc) -> SmallVector<Value> {
                Value x = buildVectorRead(b, loc, vectorType, input,
                                     {n, cb, ih, iw, buildIndex(b, loc, 0)});
                // A NaN never wins, as in ONNX Runtime (PoolToLinalg.cpp).
                if (isMax)
                  return {arith::MaxNumFOp::create(b, loc, acc[0], x)};
                return {arith::AddFOp::create(b, loc, acc[0], x)};
              });
        })[0];
    if (!isMax) {
      // With count_include_pad the window counts inside the declared padding
      // (never the ceil-mode extension), else inside the input.
      std::pair<Value, Value> rows = {rowBegin, rowEnd}, cols = {colBegin, colEnd};
      if (pool.countIncludePad) {
        rows = windowBounds(b, loc, oh, pool.strides[0], pool.pads[0],
                            pool.kernel[0], -pool.pads[0], height + pool.pads[2]);
        cols = windowBounds(b, loc, ow, pool.strides[1], pool.pads[1],
                            pool.kernel[1], -pool.pads[1], width + pool.pads[3]);
      }
      // Never negative along a dimension, as in averageDivisors: a window
      // wholly in the padding counts 0 (and divides 0 by 0, as there).
      auto extent = [&](std::pair<Value, Value> bounds) {
        return arith::MaxSIOp::create(
            b, loc, arith::SubIOp::create(b, loc, bounds.second, bounds.first),
            buildIndex(b, loc, 0));
      };
      Value count = arith::MulIOp::create(b, loc, extent(rows), extent(cols));
      Value countF = arith::SIToFPOp::create(
          b, loc, f32, arith::IndexCastOp::create(b, loc, b.getI64Type(), count));
      value = arith::DivFOp::create(
          b, loc, value, vector::BroadcastOp::create(b, loc, vectorType, countF));
    }
    return vector::TransferWriteOp::create(b, loc, value, out,
                                           {n, cb, oh, ow, buildIndex(b, loc, 0)},
                                           ArrayRef<bool>{true})
        .getResult();
  };

  // Each (image, channel block) plane is one item of the parallel loop.
  return buildParallelLoop(b, loc, images * blocks, init,
                           [&](OpBuilder &b, Value item, ValueRange out) {
    Value n = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, blocks));
    Value cb = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, blocks));
    return buildLoop(b, loc, 0, outHeight, out, [&](OpBuilder &b, Value oh, ValueRange out) {
      return buildLoop(b, loc, 0, outWidth, out,
                       [&](OpBuilder &b, Value ow, ValueRange out) {
                         return SmallVector<Value>{
                             perPixel(b, n, cb, oh, ow, out[0])};
                       });
    });
  })[0];
}

bool unitDilations(ArrayRef<int64_t> dilations) {
  return llvm::all_of(dilations, [](int64_t d) { return d == 1; });
}

struct BlockedMaxPool : OpConversionPattern<MaxPoolOp> {
  BlockedMaxPool(MLIRContext *context)
      : OpConversionPattern(context, kBlockedPatternBenefit) {}

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<Value> blocked = findBlockedSource(adaptor.getInput());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!blocked || !resultType.getElementType().isF32() ||
        !unitDilations(op.getDilations()))
      return rewriter.notifyMatchFailure(op, "input not blocked");
    WindowPool pool{PoolKind::max, op.getKernelShape(), op.getStrides(),
                    op.getPads()};
    Value result = buildBlockedPool(rewriter, op.getLoc(), *blocked, resultType, pool);
    rewriter.replaceOp(op, fromBlockedLayout(rewriter, op.getLoc(), result, resultType));
    return success();
  }
};

struct BlockedAvgPool : OpConversionPattern<AvgPoolOp> {
  BlockedAvgPool(MLIRContext *context)
      : OpConversionPattern(context, kBlockedPatternBenefit) {}

  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<Value> blocked = findBlockedSource(adaptor.getInput());
    if (!blocked)
      return rewriter.notifyMatchFailure(op, "input not blocked");
    auto resultType = cast<RankedTensorType>(op.getType());
    WindowPool pool{PoolKind::average, op.getKernelShape(), op.getStrides(),
                    op.getPads(), op.getCountIncludePad()};
    Value result = buildBlockedPool(rewriter, op.getLoc(), *blocked, resultType, pool);
    rewriter.replaceOp(op, fromBlockedLayout(rewriter, op.getLoc(), result, resultType));
    return success();
  }
};

/// The mean over each plane: one vector sum per channel block.
struct BlockedGlobalAvgPool : OpConversionPattern<GlobalAvgPoolOp> {
  BlockedGlobalAvgPool(MLIRContext *context)
      : OpConversionPattern(context, kBlockedPatternBenefit) {}

  LogicalResult
  matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<Value> blocked = findBlockedSource(adaptor.getInput());
    if (!blocked)
      return rewriter.notifyMatchFailure(op, "input not blocked");
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(blocked->getType());
    int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
    // A window as big as the plane, with no padding, is the global pool.
    SmallVector<int64_t> kernel = {height, width}, strides = {1, 1},
                         pads = {0, 0, 0, 0};
    WindowPool pool{PoolKind::average, kernel, strides, pads};
    Value result =
        buildBlockedPool(rewriter, op.getLoc(), *blocked, resultType, pool);
    rewriter.replaceOp(op, fromBlockedLayout(rewriter, op.getLoc(), result, resultType));
    return success();
  }
};

} // namespace

void populateBlockedPoolPatterns(RewritePatternSet &patterns) {
  patterns.add<BlockedMaxPool, BlockedAvgPool, BlockedGlobalAvgPool>(
      patterns.getContext());
}

} // namespace incept
