//===- NormalizationToLinalg.cpp - batch_norm and lrn to linalg ------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace incept {
namespace {

/// y = (x - mean) * (scale / sqrt(variance + epsilon)) + bias, per channel.
/// (Graph passes fold it into the producing conv; this is for the rest.)
struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    AffineMap channel = channelMap(getContext(), 4);
    float epsilon = op.getEpsilon().convertToFloat();
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType,
        {adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
         adaptor.getMean(), adaptor.getVariance()},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value x = args[0], scale = args[1], bias = args[2], mean = args[3],
                variance = args[4];
          Value stddev = math::SqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, variance,
                                    buildFloat(b, l, x.getType(), epsilon)));
          Value factor = arith::DivFOp::create(b, l, scale, stddev);
          Value centred = arith::SubFOp::create(b, l, x, mean);
          return arith::AddFOp::create(
              b, l, arith::MulFOp::create(b, l, centred, factor), bias);
        },
        {rewriter.getMultiDimIdentityMap(4), channel, channel, channel,
         channel});
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// y = x / (bias + alpha / size * sum over the channel window of x²)^beta:
/// square, zero-pad the channel axis by the window's reach, sum the window
/// with a reduction over a fifth dimension, then the elementwise formula.
struct LrnLowering : OpConversionPattern<LrnOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LrnOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    int64_t size = op.getSize();
    int64_t before = (size - 1) / 2, after = size - 1 - before;

    Value squares = buildElementwise(
        rewriter, loc, type, adaptor.getInput(),
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MulFOp::create(b, l, args[0], args[0]);
        });
    SmallVector<int64_t> paddedShape(type.getShape());
    paddedShape[1] += before + after;
    Value padded = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(paddedShape, elementType), squares,
        getAsIndexOpFoldResult(getContext(), ArrayRef<int64_t>{0, before, 0, 0}),
        getAsIndexOpFoldResult(getContext(), ArrayRef<int64_t>{0, after, 0, 0}),
        buildFloat(rewriter, loc, elementType, 0.0));

    // (n, c, k, h, w): sum[n, c, h, w] += padded[n, c + k, h, w], the window
    // loop outside the plane's, so that the innermost loop runs along a row
    // (which LLVM vectorises) while each sum still adds its window in order.
    MLIRContext *context = getContext();
    AffineExpr n, c, k, h, w;
    bindDims(context, n, c, k, h, w);
    SmallVector<AffineMap> maps = {
        AffineMap::get(5, 0, {n, c + k, h, w}, context),
        AffineMap::get(5, 0, {k}, context),
        AffineMap::get(5, 0, {n, c, h, w}, context)};
    SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
    iterators[2] = utils::IteratorType::reduction;
    Value window = tensor::EmptyOp::create(rewriter, loc, {size}, elementType);
    Value sums =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{padded, window},
            buildFilled(rewriter, loc, type, 0.0), maps, iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  b, l, arith::AddFOp::create(b, l, args[2], args[0]).getResult());
            })
            .getResult(0);

    float alphaOverSize = op.getAlpha().convertToFloat() / float(size);
    float beta = op.getBeta().convertToFloat(), bias = op.getBias().convertToFloat();
    Value result = buildElementwise(
        rewriter, loc, type, {adaptor.getInput(), sums},
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value scaled = arith::MulFOp::create(
              b, l, args[1], buildFloat(b, l, elementType, alphaOverSize));
          Value base = arith::AddFOp::create(
              b, l, scaled, buildFloat(b, l, elementType, bias));
          Value denominator = buildPower(b, l, base, beta);
          return arith::DivFOp::create(b, l, args[0], denominator);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateNormalizationToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, LrnLowering>(patterns.getContext());
}

} // namespace incept
