//===- ClassifierToLinalg.cpp - gemm and softmax to linalg -----------------===//

#include "passes/Graph/Constants.h"
#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace incept {
namespace {

/// A transposed B ([N, K], the classifier's weight) as the weight [K, N],
/// so that the innermost loop runs along a row of it; null when B is not a
/// weight.
Value transposedWeight(OpBuilder &b, Location loc, Value weight) {
  if (!isWeight(weight))
    return {};
  auto type = cast<RankedTensorType>(weight.getType());
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  std::string name = blobName(weight).value_or("gemm").str();
  return prepareWeight(b, loc, PrepareStep::transpose, {weight}, {rows, cols},
                       RankedTensorType::get({cols, rows}, type.getElementType()),
                       name + ".transposed");
}

/// acc[m, n] = Σk op(a)[m, k] · op(b)[k, n], the transposes in the maps; then
/// y = alpha · acc + beta · c, with c broadcast to [M, N]. The loops run m,
/// k, n: the innermost one is along a row of the output and of B, which
/// LLVM vectorises (a reduction innermost would stay scalar, since float
/// additions may not be reordered), and every output still sums its
/// products in the order of k. A constant transposed B is transposed once,
/// here, for that.
struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    MLIRContext *context = getContext();
    AffineExpr m, k, n;
    bindDims(context, m, k, n);
    Value b = adaptor.getB();
    bool transB = op.getTransB();
    if (transB)
      if (Value transposed = transposedWeight(rewriter, loc, b)) {
        b = transposed;
        transB = false;
      }
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                            : ArrayRef<AffineExpr>{m, k},
                       context),
        AffineMap::get(3, 0, transB ? ArrayRef<AffineExpr>{n, k}
                                    : ArrayRef<AffineExpr>{k, n},
                       context),
        AffineMap::get(3, 0, {m, n}, context)};
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::reduction,
        utils::IteratorType::parallel};
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, resultType, ValueRange{adaptor.getA(), b},
            buildFilled(rewriter, loc, resultType, 0.0), maps, iterators,
            yieldMultiplyAdd)
            .getResult(0);

    float alpha = op.getAlpha().convertToFloat();
    float beta = op.getBeta().convertToFloat();
    Value c = adaptor.getC();
    if (alpha != 1.0f || (c && beta != 0.0f)) {
      SmallVector<Value> operands = {product};
      if (c && beta != 0.0f)
        operands.push_back(c);
      product = buildElementwise(
          rewriter, loc, resultType, operands,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Type type = args[0].getType();
            Value y = args[0];
            if (alpha != 1.0f)
              y = arith::MulFOp::create(b, l, y, buildFloat(b, l, type, alpha));
            if (args.size() == 1)
              return y;
            Value bias = args[1];
            if (beta != 1.0f)
              bias = arith::MulFOp::create(b, l, bias, buildFloat(b, l, type, beta));
            return arith::AddFOp::create(b, l, y, bias);
          });
    }
    rewriter.replaceOp(op, product);
    return success();
  }
};

/// exp(x - max) / Σ exp(x - max) along the axis: the max keeps exp finite.
struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    unsigned rank = type.getRank(), axis = op.getAxis();
    Value input = adaptor.getInput();
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reduced = dropAxisMap(getContext(), rank, axis);

    Value max = buildAxisReduction(
        rewriter, loc, input, axis, -std::numeric_limits<double>::infinity(),
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::MaximumFOp::create(b, l, args[0], args[1]);
        });
    Value exps = buildElementwise(
        rewriter, loc, type, {input, max},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, args[0], args[1]));
        },
        {identity, reduced});
    Value sum = buildAxisReduction(
        rewriter, loc, exps, axis, 0.0,
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[0], args[1]);
        });
    Value result = buildElementwise(
        rewriter, loc, type, {exps, sum},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0], args[1]);
        },
        {identity, reduced});
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateClassifierToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<GemmLowering, SoftmaxLowering>(patterns.getContext());
}

} // namespace incept
