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

/// The per-output values of a Gemm's `c`: none without one, a constant of
/// shape [N] or [1, N] (or a scalar of any all-ones shape) otherwise.
std::optional<std::vector<float>> readBias(GemmOp gemm, int64_t outputs) {
  Value c = gemm.getC();
  if (!c)
    return std::vector<float>(outputs, 0.0f);
  auto type = cast<RankedTensorType>(c.getType());
  std::optional<std::vector<float>> values = readFloatConstant(c);
  if (!values)
    return std::nullopt;
  if (type.getNumElements() == 1)
    return std::vector<float>(outputs, values->front());
  if (type.getNumElements() != outputs || type.getShape().back() != outputs)
    return std::nullopt;
  return values;
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
    std::optional<std::vector<float>> b = readFloatConstant(gemm.getB());
    int64_t images = type.getDimSize(0), outputs = type.getDimSize(1);
    int64_t inputs = aType.getDimSize(1);
    std::optional<std::vector<float>> bias = readBias(gemm, outputs);
    if (!b || !bias)
      return rewriter.notifyMatchFailure(gemm, "weights or bias not constant");

    // OIHW: w[n, k] is b[n, k] with trans_b, else b[k, n].
    std::vector<float> weight(b->size());
    for (int64_t n = 0; n < outputs; ++n)
      for (int64_t k = 0; k < inputs; ++k)
        weight[n * inputs + k] =
            gemm.getTransB() ? (*b)[n * inputs + k] : (*b)[k * outputs + n];
    Location loc = gemm.getLoc();
    Type f32 = type.getElementType();
    std::string name = blobName(gemm.getB()).value_or("gemm").str();
    Value w = createFloatConstant(
        rewriter, loc, RankedTensorType::get({outputs, inputs, 1, 1}, f32), weight,
        name + ".conv");
    Value c = createFloatConstant(rewriter, loc, RankedTensorType::get({outputs}, f32),
                                  *bias, name + ".conv_bias");
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
