//===- FuseEpilogue.cpp - the incept-fuse-epilogue pass ===//
//
// A conv computes `act(residual + residual_scale * (conv + bias))` as it
// stores its result, so the bias add, the residual add and the ReLU or Clip
// that follow it in the ONNX graph cost nothing inside it and a full pass
// over the tensor each outside. Each pattern takes the one op that reads a
// conv's result into the conv; the greedy driver repeats them, so a chain
// conv -> add bias -> add residual -> relu ends as one conv. The epilogue's
// order fixes what may follow what: a bias only before a residual or an
// activation, a residual only before an activation, nothing after one.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace incept {
#define GEN_PASS_DEF_FUSEEPILOGUE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// The one op that reads `conv`'s result, in the conv's block, with the
/// conv's result type (so that it can stand for the op's result); null when
/// there is none or the result has other readers.
template <typename OpTy>
OpTy soleUser(ConvOp conv) {
  if (!conv->hasOneUse())
    return nullptr;
  auto user = dyn_cast<OpTy>(*conv->user_begin());
  if (!user || user->getBlock() != conv->getBlock() ||
      user->getResult(0).getType() != conv.getType())
    return nullptr;
  return user;
}

/// `add(conv, c)` with `c` a per-channel constant -> bias `b + c`.
struct FuseBiasAdd : OpRewritePattern<ConvOp> {
  // Tried before FuseResidualAdd: a constant that is per channel is cheaper
  // as a bias than as a tensor read back.
  FuseBiasAdd(MLIRContext *context) : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    // The bias is added first: an activation or a residual would have to be
    // undone for it.
    if (conv.getActivation() != ActivationKind::none || conv.getResidual())
      return rewriter.notifyMatchFailure(conv, "epilogue past the bias");
    auto add = soleUser<AddOp>(conv);
    if (!add)
      return rewriter.notifyMatchFailure(conv, "not read by one add alone");
    Value other = add.getLhs() == conv.getResult() ? add.getRhs() : add.getLhs();
    if (!isWeight(other) || !isChannelBroadcast(other, conv.getType()))
      return rewriter.notifyMatchFailure(add, "not a per-channel f32 weight");
    Value bias = conv.getBias();
    if (bias && !isWeight(bias))
      return rewriter.notifyMatchFailure(conv, "bias is not a weight");

    std::string name = blobName(other).value_or("bias").str();
    rewriter.setInsertionPoint(conv);
    int64_t channels = conv.getType().getDimSize(1);
    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    SmallVector<Value> inputs = {other};
    if (bias)
      inputs.push_back(bias);
    Value newBias = prepareWeight(
        rewriter, other.getLoc(), PrepareStep::add_channels, inputs,
        {channels, cast<RankedTensorType>(other.getType()).getNumElements(),
         bias ? 1 : 0},
        biasType, name);
    rewriter.modifyOpInPlace(conv, [&] { conv.getBiasMutable().assign(newBias); });
    rewriter.replaceOp(add, conv.getResult());
    return success();
  }
};

/// `add(conv, x)` with `x` of the conv's result type -> residual `x`.
struct FuseResidualAdd : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    if (conv.getActivation() != ActivationKind::none || conv.getResidual())
      return rewriter.notifyMatchFailure(conv, "epilogue past the residual");
    auto add = soleUser<AddOp>(conv);
    if (!add)
      return rewriter.notifyMatchFailure(conv, "not read by one add alone");
    Value residual = add.getLhs() == conv.getResult() ? add.getRhs() : add.getLhs();
    // A broadcast operand would have to be expanded first; the epilogue
    // reads the residual element by element.
    if (residual.getType() != conv.getType())
      return rewriter.notifyMatchFailure(add, "the other operand broadcasts");

    // The conv now reads the residual, which may be computed after it; the
    // conv's own operands come before the add, so the conv can move there.
    if (Operation *def = residual.getDefiningOp())
      if (def->getBlock() == conv->getBlock() && conv->isBeforeInBlock(def))
        rewriter.moveOpBefore(conv, add);
    rewriter.modifyOpInPlace(conv,
                             [&] { conv.getResidualMutable().assign(residual); });
    rewriter.replaceOp(add, conv.getResult());
    return success();
  }
};

/// `relu(conv)` / `clip(conv)` -> the conv's activation.
struct FuseActivation : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConvOp conv,
                                PatternRewriter &rewriter) const override {
    if (conv.getActivation() != ActivationKind::none)
      return rewriter.notifyMatchFailure(conv, "already has an activation");
    if (auto relu = soleUser<ReluOp>(conv)) {
      rewriter.modifyOpInPlace(conv, [&] {
        conv.setActivationAttr(
            ActivationKindAttr::get(getContext(), ActivationKind::relu));
      });
      rewriter.replaceOp(relu, conv.getResult());
      return success();
    }
    if (auto clip = soleUser<ClipOp>(conv)) {
      rewriter.modifyOpInPlace(conv, [&] {
        conv.setActivationAttr(
            ActivationKindAttr::get(getContext(), ActivationKind::clip));
        conv.setClipMinAttr(clip.getMinAttr());
        conv.setClipMaxAttr(clip.getMaxAttr());
      });
      rewriter.replaceOp(clip, conv.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(conv, "not read by one relu or clip alone");
  }
};

struct FuseEpilogue : impl::FuseEpilogueBase<FuseEpilogue> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseBiasAdd, FuseResidualAdd, FuseActivation>(&getContext());
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
