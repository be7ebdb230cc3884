//===- MergeSiblingConvs.cpp - the incept-merge-sibling-convs pass ---------===//
//
// The head of an Inception block reads its input with several 1x1 convs (the
// first branch and the reductions in front of the 3x3 and 5x5 convs). One conv
// with their weights stacked along the output channels computes the same
// numbers while reading the input once; each former conv's users then read
// their channels through an incept.slice.
//
// Convs are grouped, in block order, by their input and everything that must
// be equal for one conv to compute all of them: kernel size, strides, pads,
// dilations, group 1, activation (and clip bounds), no residual, f32 constant
// weights and constant (or no) biases.
//
// Cost rule: a 1x1 group is always merged (a 1x1 conv is a matrix product, and
// stacking output channels only adds columns that a blocked kernel tiles the
// same way, so nothing gets worse and the input is read once instead of once
// per sibling). A KxK group is merged only while the merged weight stays
// within kMaxMergedKxKWeightBytes: a KxK kernel reuses its weight across the
// output pixels, and a weight larger than the cache is streamed from memory
// once per pixel tile, which costs more than the input reads the merge saves.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/Graph/Constants.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/DenseMap.h"

namespace incept {
#define GEN_PASS_DEF_MERGESIBLINGCONVS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// Above this a merged KxK weight no longer fits a core's share of the cache
/// (see the cost rule above).
constexpr int64_t kMaxMergedKxKWeightBytes = 4 << 20;

/// A conv that one merged conv can stand in for: no residual to add per
/// sibling, not grouped (a grouped conv's output channels read different
/// input channels), f32 weights and bias that are weights we can stack
/// (isWeight: constants, or external weights stacked at create).
bool isMergeable(ConvOp conv) {
  return conv.getGroup() == 1 && !conv.getResidual() &&
         conv.getType().getElementType().isF32() && isWeight(conv.getWeight()) &&
         (!conv.getBias() || isWeight(conv.getBias()));
}

/// Whether `a` and `b` compute over the same windows of the same input with
/// the same epilogue, so that one conv computes both.
bool sameSignature(ConvOp a, ConvOp b) {
  ArrayRef<int64_t> wa = a.getWeight().getType().getShape();
  ArrayRef<int64_t> wb = b.getWeight().getType().getShape();
  return a.getInput() == b.getInput() && wa.drop_front(2) == wb.drop_front(2) &&
         a.getStrides() == b.getStrides() && a.getPads() == b.getPads() &&
         a.getDilations() == b.getDilations() &&
         a.getActivation() == b.getActivation() &&
         a.getClipMinAttr() == b.getClipMinAttr() &&
         a.getClipMaxAttr() == b.getClipMaxAttr() &&
         a.getType().getElementType() == b.getType().getElementType();
}

/// The cost rule (see the file comment).
bool worthMerging(ArrayRef<ConvOp> group) {
  if (group.size() < 2)
    return false;
  ConvOp first = group.front();
  ArrayRef<int64_t> kernel = first.getWeight().getType().getShape().drop_front(2);
  if (kernel[0] == 1 && kernel[1] == 1)
    return true;
  int64_t bytes = 0;
  for (ConvOp conv : group)
    bytes += conv.getWeight().getType().getNumElements() *
             static_cast<int64_t>(sizeof(float));
  return bytes <= kMaxMergedKxKWeightBytes;
}

/// A blob name for a merged constant that says where it came from: the first
/// sibling's blob name, when it has one.
std::string mergedName(Value first, StringRef fallback) {
  if (std::optional<StringRef> key = blobName(first))
    return (*key + ".merged").str();
  return fallback.str();
}

/// Replaces `group` (in block order, same signature) by one conv at the first
/// one's place; fails, changing nothing, when a weight cannot be read.
LogicalResult mergeGroup(ArrayRef<ConvOp> group) {
  ConvOp first = group.front();
  bool anyBias = llvm::any_of(group, [](ConvOp c) { return bool(c.getBias()); });
  for (ConvOp conv : group)
    if (!isWeight(conv.getWeight()) || (conv.getBias() && !isWeight(conv.getBias())))
      return failure();
  int64_t outChannels = 0;
  SmallVector<Location> locs;
  for (ConvOp conv : group) {
    outChannels += conv.getWeight().getType().getDimSize(0);
    locs.push_back(conv.getLoc());
  }

  // Every node keeps its name in the merged conv's location, so diagnostics
  // and kernel names (the first name) still point at the model.
  Location loc = FusedLoc::get(first.getContext(), locs);
  OpBuilder builder(first);
  Type f32 = builder.getF32Type();
  // The weights (and biases, zeros for a conv without one) one after another
  // (incept_prepare_concat).
  SmallVector<Value> weights, biases;
  SmallVector<int64_t> weightCounts = {int64_t(group.size())};
  SmallVector<int64_t> biasCounts = weightCounts;
  for (ConvOp conv : group) {
    weights.push_back(conv.getWeight());
    weightCounts.push_back(conv.getWeight().getType().getNumElements());
    int64_t width = conv.getWeight().getType().getDimSize(0);
    if (Value bias = conv.getBias())
      biases.push_back(bias);
    else if (anyBias)
      biases.push_back(createFloatConstant(
          builder, loc, RankedTensorType::get({width}, f32),
          std::vector<float>(width, 0.0f), "zero_bias"));
    biasCounts.push_back(width);
  }
  RankedTensorType weightType = first.getWeight().getType();
  SmallVector<int64_t> weightShape(weightType.getShape());
  weightShape[0] = outChannels;
  Value weight = prepareWeight(
      builder, loc, PrepareStep::concat, weights, weightCounts,
      RankedTensorType::get(weightShape, f32),
      mergedName(first.getWeight(), "merged_weight"));
  Value bias;
  if (anyBias) {
    ConvOp withBias = *llvm::find_if(group, [](ConvOp c) { return bool(c.getBias()); });
    bias = prepareWeight(builder, loc, PrepareStep::concat, biases, biasCounts,
                         RankedTensorType::get({outChannels}, f32),
                         mergedName(withBias.getBias(), "merged_bias"));
  }

  // A clone keeps every attribute (window, epilogue) of the first conv.
  auto merged = cast<ConvOp>(builder.clone(*first.getOperation()));
  merged->setLoc(loc);
  merged.getWeightMutable().assign(weight);
  if (bias)
    merged.getBiasMutable().assign(bias);
  SmallVector<int64_t> resultShape(first.getType().getShape());
  resultShape[1] = outChannels;
  merged.getResult().setType(
      RankedTensorType::get(resultShape, first.getType().getElementType()));

  // The slices go right after the merged conv (before the first sibling,
  // which is erased below), so they dominate every former user.
  int64_t start = 0;
  for (ConvOp conv : group) {
    auto slice = SliceOp::create(builder, conv.getLoc(), conv.getType(),
                                 merged.getResult(), /*axis=*/1, start);
    start += conv.getType().getDimSize(1);
    conv.getResult().replaceAllUsesWith(slice.getResult());
  }
  for (ConvOp conv : group) {
    Operation *oldWeight = conv.getWeight().getDefiningOp();
    Operation *oldBias = conv.getBias() ? conv.getBias().getDefiningOp() : nullptr;
    conv.erase();
    for (Operation *constant : {oldWeight, oldBias})
      if (constant && constant->use_empty())
        constant->erase();
  }
  return success();
}

struct MergeSiblingConvs : impl::MergeSiblingConvsBase<MergeSiblingConvs> {
  // Only the function's own blocks: a conv inside a region (a conv_chain's
  // body) belongs to that op's structure.
  void runOnOperation() override {
    for (Block &block : getOperation().getBody())
      mergeIn(block);
  }

  /// Groups the mergeable convs of `block` in block order (a group is led by
  /// its first conv) and merges the groups the cost rule allows.
  static void mergeIn(Block &block) {
    SmallVector<SmallVector<ConvOp>> groups;
    llvm::DenseMap<Value, SmallVector<size_t>> groupsByInput;
    for (Operation &op : block) {
      auto conv = dyn_cast<ConvOp>(op);
      if (!conv || !isMergeable(conv))
        continue;
      SmallVector<size_t> &candidates = groupsByInput[conv.getInput()];
      auto found = llvm::find_if(candidates, [&](size_t g) {
        return sameSignature(groups[g].front(), conv);
      });
      if (found != candidates.end()) {
        groups[*found].push_back(conv);
        continue;
      }
      candidates.push_back(groups.size());
      groups.push_back({conv});
    }
    for (ArrayRef<ConvOp> group : groups)
      if (worthMerging(group))
        (void)mergeGroup(group);
  }
};

} // namespace
} // namespace incept
