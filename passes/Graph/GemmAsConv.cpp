//===- GemmAsConv.cpp - the incept-gemm-as-conv pass ----------------------===//
//
// A classifier's Gemm, y[m, n] = Σk a[m, k] · w[n, k] + c[n], is a 1x1
// convolution of the [M, K, 1, 1] image batch with the [N, K, 1, 1] weight
// and bias c: as one, it gets the conv's strategy (the blocked kernel, its
// threads) and its epilogue (incept-fuse-epilogue then takes the ReLU that
// the original GoogLeNet's auxiliary heads put after their first Gemm). An
// activation that reads the reshape of a conv's result is moved above the
// reshape for that.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace incept {
#define GEN_PASS_DEF_GEMMASCONV
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// The per-output bias of a Gemm's `c` as a [N] weight: zeros without one, a
/// scalar of any all-ones shape broadcast, a [N] or [1, N] weight as it is;
/// null for any other `c`.
Value buildBias(PatternRewriter &rewriter, GemmOp gemm, int64_t outputs,
                const std::string &name) {
  Location loc = gemm.getLoc();
  auto type = RankedTensorType::get({outputs}, rewriter.getF32Type());
  Value c = gemm.getC();
  if (!c)
    return createFloatConstant(rewriter, loc, type, std::vector<float>(outputs, 0.0f),
                               name + ".conv_bias");
  auto cType = cast<RankedTensorType>(c.getType());
  if (!isWeight(c))
    return {};
  if (cType.getNumElements() == 1)
    return prepareWeight(rewriter, loc, PrepareStep::broadcast, {c}, {outputs}, type,
                         name + ".conv_bias");
  if (cType.getNumElements() != outputs || cType.getShape().back() != outputs)
    return {};
  return prepareWeight(rewriter, loc, PrepareStep::copy, {c}, {outputs, outputs}, type,
                       name + ".conv_bias");
}

struct GemmToConv : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GemmOp gemm,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<RankedTensorType>(gemm.getA().getType());
    auto bType = cast<RankedTensorType>(gemm.getB().getType());
    auto type = cast<RankedTensorType>(gemm.getType());
    if (aType.getRank() != 2 || bType.getRank() != 2 || gemm.getTransA() ||
        gemm.getAlpha().convertToFloat() != 1.0f ||
        (gemm.getC() && gemm.getBeta().convertToFloat() != 1.0f))
      return rewriter.notifyMatchFailure(gemm, "not a classifier's Gemm");
    int64_t images = type.getDimSize(0), outputs = type.getDimSize(1);
    int64_t inputs = aType.getDimSize(1);
    if (!isWeight(gemm.getB()))
      return rewriter.notifyMatchFailure(gemm, "weights not a weight");
    std::string name = blobName(gemm.getB()).value_or("gemm").str();
    Value c = buildBias(rewriter, gemm, outputs, name);
    if (!c)
      return rewriter.notifyMatchFailure(gemm, "bias not a weight of N values");

    // OIHW: w[n, k] is b[n, k] with trans_b, else b[k, n].
    Location loc = gemm.getLoc();
    Type f32 = type.getElementType();
    auto weightType = RankedTensorType::get({outputs, inputs, 1, 1}, f32);
    Value w = gemm.getTransB()
                  ? prepareWeight(rewriter, loc, PrepareStep::copy, {gemm.getB()},
                                  {outputs * inputs, outputs * inputs}, weightType,
                                  name + ".conv")
                  : prepareWeight(rewriter, loc, PrepareStep::transpose, {gemm.getB()},
                                  {inputs, outputs}, weightType, name + ".conv");
    Value images4d = ReshapeOp::create(
        rewriter, loc, RankedTensorType::get({images, inputs, 1, 1}, f32), gemm.getA());
    auto conv = ConvOp::create(
        rewriter, loc, RankedTensorType::get({images, outputs, 1, 1}, f32), images4d,
        w, c, /*residual=*/Value(), rewriter.getDenseI64ArrayAttr({1, 1}),
        rewriter.getDenseI64ArrayAttr({0, 0, 0, 0}),
        rewriter.getDenseI64ArrayAttr({1, 1}), rewriter.getI64IntegerAttr(1),
        ActivationKindAttr::get(getContext(), ActivationKind::none),
        /*clip_min=*/FloatAttr(), /*clip_max=*/FloatAttr(),
        rewriter.getF32FloatAttr(1.0f), /*strategy=*/ConvStrategyAttr());
    rewriter.replaceOpWithNewOp<ReshapeOp>(gemm, type, conv.getResult());
    return success();
  }
};

/// act(reshape(conv)) → reshape(act(conv)), where the reshape has no other
/// reader: the activation can then join the conv's epilogue.
template <typename ActivationOp>
struct ActivationAboveReshape : OpRewritePattern<ActivationOp> {
  using OpRewritePattern<ActivationOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ActivationOp op,
                                PatternRewriter &rewriter) const override {
    auto reshape = op->getOperand(0).template getDefiningOp<ReshapeOp>();
    if (!reshape || !reshape->hasOneUse() ||
        !reshape.getInput().template getDefiningOp<ConvOp>())
      return rewriter.notifyMatchFailure(op, "not an activation of a reshaped conv");
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, reshape.getInput());
    moved->getResult(0).setType(reshape.getInput().getType());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), moved->getResult(0));
    return success();
  }
};

struct GemmAsConv : impl::GemmAsConvBase<GemmAsConv> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<GemmToConv, ActivationAboveReshape<ReluOp>,
                 ActivationAboveReshape<ClipOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace incept
