//===- InceptCanonicalize.cpp - canonicalisation patterns of incept ops ---===//
//
// Exporters often write a pool's padding as a separate Pad (PyTorch does for
// BN-Inception's ceil-mode average pools); folding it back lets the pool read
// the unpadded tensor and removes a whole-tensor copy.
//
//===----------------------------------------------------------------------===//

#include "dialects/Incept/InceptOps.h"
#include "dialects/Incept/WindowShape.h"

#include "mlir/IR/PatternMatch.h"

#include <cmath>

using namespace mlir;
using namespace incept;

namespace {

/// The spatial padding [top, left, bottom, right] of an NCHW pad that pads
/// nothing but H and W, by non-negative amounts, in constant mode.
std::optional<SmallVector<int64_t, 4>> spatialConstantPadding(PadOp pad) {
  if (pad.getMode() != PadMode::constant || pad.getInput().getType().getRank() != 4)
    return std::nullopt;
  ArrayRef<int64_t> p = pad.getPads();
  if (p[0] || p[1] || p[4] || p[5] ||
      llvm::any_of(p, [](int64_t amount) { return amount < 0; }))
    return std::nullopt;
  return SmallVector<int64_t, 4>{p[2], p[3], p[6], p[7]};
}

/// The pool padding that absorbs the spatial padding of `pad`, or nothing
/// when it cannot: the pad is not a constant H/W padding, a sum would reach
/// the window extent (the pool verifier's rule), or the output extent would
/// change (with ceil_mode a window may start inside explicit padding but not
/// inside a pool's own trailing padding).
std::optional<SmallVector<int64_t, 4>>
absorbedPadding(PadOp pad, RankedTensorType poolResult, ArrayRef<int64_t> poolPads,
                ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations, bool ceilMode) {
  std::optional<SmallVector<int64_t, 4>> explicitPads = spatialConstantPadding(pad);
  if (!explicitPads)
    return std::nullopt;
  SmallVector<int64_t, 4> pads;
  for (int i = 0; i < 4; ++i) {
    pads.push_back((*explicitPads)[i] + poolPads[i]);
    if (pads.back() >= dilatedKernelExtent(kernel[i % 2], dilations[i % 2]))
      return std::nullopt;
  }
  RankedTensorType input = pad.getInput().getType();
  for (int axis = 0; axis < 2; ++axis)
    if (windowOutputSize(input.getDimSize(2 + axis), kernel[axis], strides[axis],
                         pads[axis], pads[axis + 2], dilations[axis],
                         ceilMode) != poolResult.getDimSize(2 + axis))
      return std::nullopt;
  return pads;
}

/// True if every element of `value` is known to be >= 0.
bool isKnownNonNegative(Value value) {
  Operation *producer = value.getDefiningOp();
  if (!producer)
    return false;
  if (isa<ReluOp>(producer))
    return true;
  if (auto clip = dyn_cast<ClipOp>(producer))
    return clip.getMin().convertToFloat() >= 0;
  if (auto conv = dyn_cast<ConvOp>(producer))
    return conv.getActivation() == ActivationKind::relu ||
           (conv.getActivation() == ActivationKind::clip &&
            conv.getClipMin()->convertToFloat() >= 0);
  if (isa<MaxPoolOp, AvgPoolOp, GlobalAvgPoolOp, ConcatOp>(producer))
    return llvm::all_of(producer->getOperands(), isKnownNonNegative);
  return false;
}

/// avg_pool(pad(x, zeros)) -> avg_pool(x) with the padding counted.
struct FoldZeroPadIntoAvgPool : OpRewritePattern<AvgPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AvgPoolOp pool,
                                PatternRewriter &rewriter) const override {
    auto pad = pool.getInput().getDefiningOp<PadOp>();
    if (!pad || !pad.getValue().isZero())
      return failure();
    // Explicit zeros are counted by the divisor; the pool's own padding must be
    // counted too, or be absent, for the two to merge into one count rule.
    bool poolPadded = llvm::any_of(pool.getPads(), [](int64_t p) { return p != 0; });
    if (poolPadded && !pool.getCountIncludePad())
      return failure();
    const int64_t unitDilations[] = {1, 1};
    std::optional<SmallVector<int64_t, 4>> pads = absorbedPadding(
        pad, pool.getType(), pool.getPads(), pool.getKernelShape(),
        pool.getStrides(), unitDilations, pool.getCeilMode());
    if (!pads)
      return failure();
    rewriter.modifyOpInPlace(pool, [&] {
      pool.getInputMutable().assign(pad.getInput());
      pool.setPads(*pads);
      pool.setCountIncludePad(true);
    });
    return success();
  }
};

/// max_pool(pad(x, v)) -> max_pool(x) with the padding, when the padded value
/// can never win: v is -inf, or v is 0 and x is known to be non-negative
/// (every window keeps at least one element of x, by the pool verifier's rule).
struct FoldPadIntoMaxPool : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPoolOp pool,
                                PatternRewriter &rewriter) const override {
    auto pad = pool.getInput().getDefiningOp<PadOp>();
    if (!pad)
      return failure();
    float value = pad.getValue().convertToFloat();
    bool neverWins = (std::isinf(value) && value < 0) ||
                     (value == 0 && isKnownNonNegative(pad.getInput()));
    if (!neverWins)
      return failure();
    std::optional<SmallVector<int64_t, 4>> pads = absorbedPadding(
        pad, pool.getType(), pool.getPads(), pool.getKernelShape(),
        pool.getStrides(), pool.getDilations(), pool.getCeilMode());
    if (!pads)
      return failure();
    rewriter.modifyOpInPlace(pool, [&] {
      pool.getInputMutable().assign(pad.getInput());
      pool.setPads(*pads);
    });
    return success();
  }
};

/// max_pool_with_indices whose indices nobody reads -> max_pool. (A Pad in
/// front is never folded into it: that would move the indices.)
struct DropUnusedIndices : OpRewritePattern<MaxPoolWithIndicesOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MaxPoolWithIndicesOp pool,
                                PatternRewriter &rewriter) const override {
    if (!pool.getIndices().use_empty())
      return failure();
    Value output = MaxPoolOp::create(
        rewriter, pool.getLoc(), pool.getOutput().getType(), pool.getInput(),
        pool.getKernelShape(), pool.getStrides(), pool.getPads(),
        pool.getDilations(), pool.getCeilMode());
    rewriter.replaceAllUsesWith(pool.getOutput(), output);
    rewriter.eraseOp(pool);
    return success();
  }
};

} // namespace

void AvgPoolOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<FoldZeroPadIntoAvgPool>(context);
}

void MaxPoolOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<FoldPadIntoMaxPool>(context);
}

void MaxPoolWithIndicesOp::getCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<DropUnusedIndices>(context);
}
