//===- BlockedLrn.cpp - local response normalisation, channel-blocked -----===//
//
// An LRN whose input was computed blocked (BlockedLayout.h) normalises the
// blocked tensor directly, so that the convs and pools around it (GoogLeNet's
// stem) need no conversion to NCHW and back. Per pixel, the window of
// channels c-before..c+after of a block's lanes reaches at most into the
// blocks on either side: the squares of the three vectors, shifted lane by
// lane with vector shuffles and added in the window's order (the order of
// the NCHW lowering's reduction), give the sums of one block. Channels that
// are not data — before 0, past C in a last partial block — add zero, and
// are written as zeros.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/BlockedLayout.h"
#include "passes/Lowering/KernelBuilders.h"
#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace incept {
namespace {

struct BlockedLrn : OpConversionPattern<LrnOp> {
  BlockedLrn(MLIRContext *context)
      : OpConversionPattern(context, kBlockedPatternBenefit) {}

  LogicalResult
  matchAndRewrite(LrnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<Value> blocked = findBlockedSource(adaptor.getInput());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!blocked || !resultType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "input not blocked");
    int64_t size = op.getSize();
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    int64_t block = blockOf(*blocked);
    if (after > block)
      return rewriter.notifyMatchFailure(op, "window wider than three blocks");

    Location loc = op.getLoc();
    Value input = *blocked;
    auto type = cast<RankedTensorType>(input.getType());
    int64_t images = type.getDimSize(0), blocks = type.getDimSize(1);
    int64_t height = type.getDimSize(2), width = type.getDimSize(3);
    int64_t channels = resultType.getDimSize(1);
    Type f32 = type.getElementType();
    auto vectorType = VectorType::get({block}, f32);
    Value zeros = buildSplat(rewriter, loc, vectorType, 0.0f);

    // Lanes of the last block that hold channels past C.
    Value dataLanes;
    if (channels % block != 0) {
      SmallVector<bool> isData(block);
      for (int64_t lane = 0; lane < block; ++lane)
        isData[lane] = (blocks - 1) * block + lane < channels;
      auto maskType = VectorType::get({block}, rewriter.getI1Type());
      dataLanes = arith::ConstantOp::create(
          rewriter, loc, maskType, DenseElementsAttr::get(maskType, isData));
    }

    float alphaOverSize = op.getAlpha().convertToFloat() / float(size);
    float beta = op.getBeta().convertToFloat(), bias = op.getBias().convertToFloat();
    Value alphaOverSizeVector = buildSplat(rewriter, loc, vectorType, alphaOverSize);
    Value biasVector = buildSplat(rewriter, loc, vectorType, bias);

    auto perRow = [&](OpBuilder &b, Value item, ValueRange out) {
      Value n = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, blocks * height));
      Value rest = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, blocks * height));
      Value cb = arith::DivUIOp::create(b, loc, rest, buildIndex(b, loc, height));
      Value h = arith::RemUIOp::create(b, loc, rest, buildIndex(b, loc, height));
      // The neighbouring blocks, clamped into the tensor; a clamped one is
      // replaced by zeros below.
      Value last = buildIndex(b, loc, blocks - 1);
      Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, cb,
                                            buildIndex(b, loc, 0));
      Value isLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, cb, last);
      Value previous = arith::MaxSIOp::create(
          b, loc, buildAddConstant(b, loc, cb, -1), buildIndex(b, loc, 0));
      Value next = arith::MinSIOp::create(b, loc, buildAddConstant(b, loc, cb, 1), last);
      Value nextIsLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, next, last);

      // x and x² of a block, the channels past C zeroed where `isPartial`
      // (the block before the current one never is).
      auto squares = [&](OpBuilder &b, Value blockIndex, Value isPartial, Value w) {
        Value x = buildVectorRead(b, loc, vectorType, input,
                                  {n, blockIndex, h, w, buildIndex(b, loc, 0)});
        Value square = arith::MulFOp::create(b, loc, x, x);
        if (dataLanes && isPartial)
          square = arith::SelectOp::create(
              b, loc, isPartial,
              arith::SelectOp::create(b, loc, dataLanes, square, zeros), square);
        return std::make_pair(x, square);
      };

      return buildLoop(b, loc, 0, width, out, [&](OpBuilder &b, Value w, ValueRange out) {
        auto [x, current] = squares(b, cb, isLast, w);
        Value below = arith::SelectOp::create(
            b, loc, isFirst, zeros, squares(b, previous, Value(), w).second);
        Value above = arith::SelectOp::create(
            b, loc, isLast, zeros, squares(b, next, nextIsLast, w).second);
        // Lane l of the window's k-th term is channel l + k - before of the
        // three blocks laid end to end.
        Value sum = zeros;
        for (int64_t k = 0; k < size; ++k) {
          int64_t shift = k - before;
          Value term = current;
          if (shift != 0) {
            SmallVector<int64_t> lanes;
            for (int64_t lane = 0; lane < block; ++lane)
              lanes.push_back(shift < 0 ? block + lane + shift : lane + shift);
            term = vector::ShuffleOp::create(b, loc, shift < 0 ? below : current,
                                             shift < 0 ? current : above, lanes);
          }
          sum = arith::AddFOp::create(b, loc, sum, term);
        }
        Value base = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, sum, alphaOverSizeVector),
            biasVector);
        Value y = arith::DivFOp::create(b, loc, x, buildPower(b, loc, base, beta));
        // Padding must stay finite (BlockedLayout.h), which x / 0^beta of a
        // zero bias is not: zeros there.
        if (dataLanes)
          y = arith::SelectOp::create(
              b, loc, isLast, arith::SelectOp::create(b, loc, dataLanes, y, zeros), y);
        return SmallVector<Value>{vector::TransferWriteOp::create(
                                      b, loc, y, out[0],
                                      {n, cb, h, w, buildIndex(b, loc, 0)},
                                      ArrayRef<bool>{true})
                                      .getResult()};
      });
    };

    // Each (image, channel block, row) is one item of the parallel loop.
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(), f32);
    Value result =
        buildParallelLoop(rewriter, loc, images * blocks * height, init, perRow)[0];
    rewriter.replaceOp(op, fromBlockedLayout(rewriter, loc, result, resultType));
    return success();
  }
};

} // namespace

void populateBlockedLrnPatterns(RewritePatternSet &patterns) {
  patterns.add<BlockedLrn>(patterns.getContext());
}

} // namespace incept
