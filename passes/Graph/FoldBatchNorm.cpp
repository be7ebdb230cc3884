//===- FoldBatchNorm.cpp - the incept-fold-batch-norm pass ===//
//
// Inference batch-norm is a per-channel affine map, y = k * (x - mean) + bias
// with k = scale / sqrt(var + eps). Applied to a conv's output it is the same
// conv with every output channel's filter scaled by k and the bias mapped
// through it, so the batch-norm costs nothing at run time. The new weights
// are computed in double from the f32 parameters and rounded once.
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

#include <cmath>

namespace incept {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// A batch-norm's parameters per channel, in double.
struct ChannelAffine {
  std::vector<double> factor; // k = scale / sqrt(var + eps)
  std::vector<double> mean;
  std::vector<double> bias;
};

/// A conv that will take channels [offset, offset + O) of a batch-norm, with
/// its weight and bias already read.
struct ConvFold {
  ConvOp conv;
  int64_t offset;
  std::vector<float> weight;
  std::optional<std::vector<float>> bias;
};

std::optional<ChannelAffine> readBatchNorm(BatchNormOp batchNorm) {
  auto scale = readFloatConstant(batchNorm.getScale());
  auto bias = readFloatConstant(batchNorm.getBias());
  auto mean = readFloatConstant(batchNorm.getMean());
  auto variance = readFloatConstant(batchNorm.getVariance());
  if (!scale || !bias || !mean || !variance)
    return std::nullopt;
  double epsilon = batchNorm.getEpsilon().convertToDouble();
  ChannelAffine affine;
  for (size_t c = 0; c < scale->size(); ++c) {
    affine.factor.push_back(static_cast<double>((*scale)[c]) /
                            std::sqrt(static_cast<double>((*variance)[c]) + epsilon));
    affine.mean.push_back((*mean)[c]);
    affine.bias.push_back((*bias)[c]);
  }
  return affine;
}

/// The conv that produces `value`, with its constants read, when it can take
/// a per-channel map: no epilogue yet, and `value` read by one op only.
std::optional<ConvFold> absorbingConv(Value value, int64_t offset) {
  auto conv = value.getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || conv.getResidual() ||
      conv.getActivation() != ActivationKind::none)
    return std::nullopt;
  std::optional<std::vector<float>> weight = readFloatConstant(conv.getWeight());
  if (!weight)
    return std::nullopt;
  std::optional<std::vector<float>> bias;
  if (Value b = conv.getBias()) {
    bias = readFloatConstant(b);
    if (!bias)
      return std::nullopt;
  }
  return ConvFold{conv, offset, std::move(*weight), std::move(bias)};
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
/// [offset, offset + O) of `affine`; the result keeps the conv's location, so
/// diagnostics still name its ONNX node.
void foldIntoConv(ConvFold &fold, const ChannelAffine &affine) {
  ConvOp conv = fold.conv;
  RankedTensorType weightType = conv.getWeight().getType();
  int64_t outChannels = weightType.getDimSize(0);
  int64_t perChannel = weightType.getNumElements() / outChannels;

  std::vector<float> weight(fold.weight.size());
  std::vector<float> bias(outChannels);
  for (int64_t o = 0; o < outChannels; ++o) {
    int64_t c = fold.offset + o;
    double k = affine.factor[c];
    for (int64_t i = o * perChannel; i < (o + 1) * perChannel; ++i)
      weight[i] = static_cast<float>(static_cast<double>(fold.weight[i]) * k);
    double b = fold.bias ? (*fold.bias)[o] : 0.0;
    bias[o] = static_cast<float>((b - affine.mean[c]) * k + affine.bias[c]);
  }

  OpBuilder builder(conv);
  std::string base = baseName(conv);
  Value newWeight = createFloatConstant(builder, conv.getWeight().getLoc(), weightType,
                                        weight, base + ".bn_weight");
  auto biasType = RankedTensorType::get({outChannels}, weightType.getElementType());
  Value newBias = createFloatConstant(
      builder, conv.getBias() ? conv.getBias().getLoc() : conv.getLoc(), biasType, bias,
      base + ".bn_bias");
  // Changed in place, so that every other attribute of the conv stays.
  conv.getWeightMutable().assign(newWeight);
  conv.getBiasMutable().assign(newBias);
}

/// Erases the constants that `operands` came from if nothing reads them now,
/// so that the old weights do not stay alive until the next simplification.
void eraseDeadConstants(ArrayRef<Value> operands) {
  llvm::SetVector<Operation *> constants;
  for (Value value : operands)
    if (auto constant = value.getDefiningOp<arith::ConstantOp>())
      constants.insert(constant);
  for (Operation *constant : constants)
    if (constant->use_empty())
      constant->erase();
}

struct FoldBatchNorm : impl::FoldBatchNormBase<FoldBatchNorm> {
  void runOnOperation() override {
    SmallVector<BatchNormOp> batchNorms;
    getOperation().walk([&](BatchNormOp op) { batchNorms.push_back(op); });
    for (BatchNormOp batchNorm : batchNorms) {
      std::optional<ChannelAffine> affine = readBatchNorm(batchNorm);
      if (!affine || static_cast<int64_t>(affine->factor.size()) !=
                         batchNorm.getInput().getType().getDimSize(1))
        continue;
      std::optional<SmallVector<ConvFold>> folds = absorbingConvs(batchNorm);
      if (!folds)
        continue;
      SmallVector<Value> oldConstants(batchNorm->getOperands().drop_front());
      for (ConvFold &fold : *folds) {
        oldConstants.push_back(fold.conv.getWeight());
        if (Value bias = fold.conv.getBias())
          oldConstants.push_back(bias);
        foldIntoConv(fold, *affine);
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
