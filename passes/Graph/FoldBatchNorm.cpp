//===- FoldBatchNorm.cpp - the incept-fold-batch-norm pass ===//
//
// Inference batch-norm is a per-channel affine map, y = k * (x - mean) + bias
// with k = scale / sqrt(var + eps). Applied to a conv's output it is the same
// conv with every output channel's filter scaled by k and the bias mapped
// through it, so the batch-norm costs nothing at run time. The new weights
// are computed in double from the f32 parameters and rounded once
// (incept_prepare_batch_norm: now on constants, or at create on external
// weights).
//
// Only a conv with nothing after it yet (no activation, no residual) can take
// the map, and only when the batch-norm is its sole reader: another reader
// needs the raw conv output. A batch-norm after a channel concat of such convs
// is split by channel range, one range per conv.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/SetVector.h"


namespace incept {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// A conv that will take channels [offset, offset + O) of a batch-norm.
struct ConvFold {
  ConvOp conv;
  int64_t offset;
};

/// Whether the batch-norm's parameters are weights a fold can read.
bool hasWeightParameters(BatchNormOp batchNorm) {
  return isWeight(batchNorm.getScale()) && isWeight(batchNorm.getBias()) &&
         isWeight(batchNorm.getMean()) && isWeight(batchNorm.getVariance());
}

/// The conv that produces `value`, when it can take a per-channel map: no
/// epilogue yet, weights (and bias) that are weights, and `value` read by
/// one op only.
std::optional<ConvFold> absorbingConv(Value value, int64_t offset) {
  auto conv = value.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || conv.getResidual() ||
      conv.getActivation() != ActivationKind::none || !isWeight(conv.getWeight()) ||
      (conv.getBias() && !isWeight(conv.getBias())))
    return std::nullopt;
  return ConvFold{conv, offset};
}

/// The convs that produce the channels the batch-norm reads, or nothing when
/// some channel does not come straight from an absorbing conv.
std::optional<SmallVector<ConvFold>> absorbingConvs(BatchNormOp batchNorm) {
  Value input = batchNorm.getInput();
  SmallVector<ConvFold> folds;
  if (auto concat = input.getDefiningOp<ConcatOp>()) {
    if (concat.getAxis() != 1 || !concat->hasOneUse())
      return std::nullopt;
    int64_t offset = 0;
    for (Value part : concat.getInputs()) {
      std::optional<ConvFold> fold = absorbingConv(part, offset);
      if (!fold)
        return std::nullopt;
      folds.push_back(std::move(*fold));
      offset += cast<RankedTensorType>(part.getType()).getDimSize(1);
    }
    return folds;
  }
  std::optional<ConvFold> fold = absorbingConv(input, 0);
  if (!fold)
    return std::nullopt;
  folds.push_back(std::move(*fold));
  return folds;
}

/// The name new constants of `conv` are made from: its weight's resource name
/// without ".weight", else the ONNX node's name.
std::string baseName(ConvOp conv) {
  if (std::optional<StringRef> key = blobName(conv.getWeight())) {
    key->consume_back(".weight");
    return key->str();
  }
  if (auto name = dyn_cast<NameLoc>(conv.getLoc()))
    return name.getName().str();
  return "conv";
}

/// Replaces the conv of `fold` by one whose weight and bias include channels
/// [offset, offset + O) of the batch-norm (incept_prepare_batch_norm); the
/// result keeps the conv's location, so diagnostics still name its ONNX node.
void foldIntoConv(ConvFold &fold, BatchNormOp batchNorm) {
  ConvOp conv = fold.conv;
  RankedTensorType weightType = conv.getWeight().getType();
  int64_t outChannels = weightType.getDimSize(0);
  int64_t perChannel = weightType.getNumElements() / outChannels;
  SmallVector<Value> inputs = {conv.getWeight(), batchNorm.getScale(),
                               batchNorm.getBias(), batchNorm.getMean(),
                               batchNorm.getVariance()};
  if (conv.getBias())
    inputs.push_back(conv.getBias());

  OpBuilder builder(conv);
  std::string base = baseName(conv);
  auto biasType = RankedTensorType::get({outChannels}, weightType.getElementType());
  SmallVector<Value> folded = prepareWeights(
      builder, conv.getWeight().getLoc(), PrepareStep::batch_norm, inputs,
      {outChannels, perChannel, fold.offset, conv.getBias() ? 1 : 0},
      {batchNorm.getEpsilon().convertToDouble()}, {weightType, biasType},
      {base + ".bn_weight", base + ".bn_bias"});
  // Changed in place, so that every other attribute of the conv stays.
  conv.getWeightMutable().assign(folded[0]);
  conv.getBiasMutable().assign(folded[1]);
}

/// Erases the constants that `operands` came from if nothing reads them now,
/// so that the old weights do not stay alive until the next simplification.
void eraseDeadConstants(ArrayRef<Value> operands) {
  llvm::SetVector<Operation *> constants;
  for (Value value : operands)
    if (Operation *def = value.getDefiningOp();
        def && isa<arith::ConstantOp, ExternalWeightOp, PrepareOp>(def))
      constants.insert(def);
  for (Operation *constant : constants)
    if (constant->use_empty())
      constant->erase();
}

struct FoldBatchNorm : impl::FoldBatchNormBase<FoldBatchNorm> {
  void runOnOperation() override {
    SmallVector<BatchNormOp> batchNorms;
    getOperation().walk([&](BatchNormOp op) { batchNorms.push_back(op); });
    for (BatchNormOp batchNorm : batchNorms) {
      if (!hasWeightParameters(batchNorm))
        continue;
      std::optional<SmallVector<ConvFold>> folds = absorbingConvs(batchNorm);
      if (!folds)
        continue;
      SmallVector<Value> oldConstants(batchNorm->getOperands().drop_front());
      for (ConvFold &fold : *folds) {
        oldConstants.push_back(fold.conv.getWeight());
        if (Value bias = fold.conv.getBias())
          oldConstants.push_back(bias);
        foldIntoConv(fold, batchNorm);
      }
      // The convs (or the concat of them) now compute the batch-norm's result.
      batchNorm.replaceAllUsesWith(batchNorm.getInput());
      batchNorm.erase();
      eraseDeadConstants(oldConstants);
    }
  }
};

} // namespace
} // namespace incept
