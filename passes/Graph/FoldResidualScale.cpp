//===- FoldResidualScale.cpp - the incept-fold-residual-scale pass ===//
//
// Inception-ResNet scales each block's residual branch before adding it back:
// `add(x, mul(conv(...), s))`. Scaling is linear, so `s` folds into the
// branch's last conv (`w * s`, `b * s` per output channel) and `x` becomes
// that conv's residual; the mul and the add, two full passes over the
// tensor, disappear (incept_prepare_scale_channels: now on constants, at
// create on external weights). When the conv's weights are computed at run
// time, a constant scalar `s` still folds, as the epilogue's
// `residual_scale`.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace incept {
#define GEN_PASS_DEF_FOLDRESIDUALSCALE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// A name for a constant derived from `original`'s: its resource key with
/// `suffix`, so that the folded weights still say whose they are.
std::string derivedName(Value original, StringRef suffix) {
  return (blobName(original).value_or("residual") + suffix).str();
}

/// `add(x, mul(conv, s))` -> `conv'` with `s` in its weights and `x` as its
/// residual.
struct FoldScaledResidual : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    for (unsigned i = 0; i < 2; ++i) {
      auto mul = add->getOperand(i).getDefiningOp<MulOp>();
      Value residual = add->getOperand(1 - i);
      if (!mul || !mul->hasOneUse() || mul->getBlock() != add->getBlock())
        continue;
      for (unsigned j = 0; j < 2; ++j) {
        auto conv = mul->getOperand(j).getDefiningOp<ConvOp>();
        if (conv && succeeded(fold(add, mul, conv, mul->getOperand(1 - j),
                                   residual, rewriter)))
          return success();
      }
    }
    return rewriter.notifyMatchFailure(add, "not add(x, mul(conv, constant scale))");
  }

private:
  LogicalResult fold(AddOp add, MulOp mul, ConvOp conv, Value scale,
                     Value residual, PatternRewriter &rewriter) const {
    // The conv's epilogue must be free for the residual, and nothing but the
    // mul may see the unscaled result.
    if (conv.getActivation() != ActivationKind::none || conv.getResidual() ||
        !conv->hasOneUse() || conv->getBlock() != add->getBlock())
      return failure();
    // Every shape must stay the conv's: a scale or residual that broadcasts
    // the result to a larger shape is not an epilogue.
    Type resultType = conv.getType();
    if (mul.getType() != resultType || add.getType() != resultType ||
        residual.getType() != resultType)
      return failure();
    // The scale folds into weights (and bias) that are weights, when it is
    // one per channel; otherwise only a constant scalar folds, as the
    // epilogue's residual_scale.
    bool foldIntoWeights = isWeight(conv.getWeight()) &&
                           (!conv.getBias() || isWeight(conv.getBias())) &&
                           isWeight(scale) && isChannelBroadcast(scale, conv.getType());
    std::optional<std::vector<float>> factors =
        readChannelConstant(scale, conv.getType());
    bool uniformScale = factors && llvm::all_equal(*factors);
    if (!foldIntoWeights && !uniformScale)
      return failure();

    // The residual must be computed before the conv reads it; the conv's own
    // operands already come before the add, so moving the conv there is safe.
    if (Operation *def = residual.getDefiningOp())
      if (def->getBlock() == conv->getBlock() && conv->isBeforeInBlock(def))
        rewriter.moveOpBefore(conv, add);

    if (foldIntoWeights) {
      rewriter.setInsertionPoint(conv);
      auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
      int64_t channels = weightType.getDimSize(0);
      int64_t perChannel = weightType.getNumElements() / channels;
      int64_t factorCount = cast<RankedTensorType>(scale.getType()).getNumElements();
      Value newWeight = prepareWeight(
          rewriter, conv.getWeight().getLoc(), PrepareStep::scale_channels,
          {conv.getWeight(), scale}, {channels, perChannel, factorCount}, weightType,
          derivedName(conv.getWeight(), ".scaled"));
      Value newBias;
      if (Value bias = conv.getBias())
        newBias = prepareWeight(rewriter, bias.getLoc(), PrepareStep::scale_channels,
                                {bias, scale}, {channels, 1, factorCount},
                                cast<RankedTensorType>(bias.getType()),
                                derivedName(bias, ".scaled"));
      rewriter.modifyOpInPlace(conv, [&] {
        conv.getWeightMutable().assign(newWeight);
        if (newBias)
          conv.getBiasMutable().assign(newBias);
        conv.getResidualMutable().assign(residual);
      });
    } else {
      // act(residual + scale * (conv + bias)) is the epilogue as it stands.
      rewriter.modifyOpInPlace(conv, [&] {
        conv.getResidualMutable().assign(residual);
        conv.setResidualScaleAttr(rewriter.getF32FloatAttr(factors->front()));
      });
    }
    rewriter.replaceOp(add, conv.getResult());
    rewriter.eraseOp(mul);
    return success();
  }
};

struct FoldResidualScale : impl::FoldResidualScaleBase<FoldResidualScale> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldScaledResidual>(&getContext());
    // Only these rewrites: no folding, constant hoisting or region
    // simplification behind the pass's back.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false).setRegionSimplificationLevel(
        GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace incept
