//===- Constants.cpp - reading and making weight constants -----------------===//

#include "passes/Graph/Constants.h"
#include "dialects/Incept/WeightBlobs.h"
#include "incept/prepare.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"

#include <iterator>

using namespace mlir;

namespace incept {

std::optional<std::vector<float>> readFloatConstant(Value value) {
  auto constant = value.getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(constant.getType());
  if (!type || !type.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue())) {
    std::vector<float> values;
    values.reserve(type.getNumElements());
    for (float v : dense.getValues<float>())
      values.push_back(v);
    return values;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue())) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> bytes = blob->getData();
    if (bytes.size() != static_cast<size_t>(type.getNumElements()) * sizeof(float))
      return std::nullopt;
    std::vector<float> values(type.getNumElements());
    std::memcpy(values.data(), bytes.data(), bytes.size());
    return values;
  }
  return std::nullopt;
}

std::optional<StringRef> blobName(Value value) {
  if (auto constant = value.getDefiningOp<arith::ConstantOp>())
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(constant.getValue()))
      return resource.getRawHandle().getKey();
  return std::nullopt;
}

bool isChannelBroadcast(Value value, RankedTensorType resultType) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() > resultType.getRank() || resultType.getRank() != 4)
    return false;
  int64_t channels = resultType.getDimSize(1);
  int64_t offset = resultType.getRank() - type.getRank();
  for (auto [i, extent] : llvm::enumerate(type.getShape()))
    if (extent != 1 && !(offset + static_cast<int64_t>(i) == 1 && extent == channels))
      return false;
  return true;
}

std::optional<std::vector<float>> readChannelConstant(Value value,
                                                      RankedTensorType resultType) {
  if (!isChannelBroadcast(value, resultType))
    return std::nullopt;
  int64_t channels = resultType.getDimSize(1);
  std::optional<std::vector<float>> values = readFloatConstant(value);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  return values;
}

Value createFloatConstant(OpBuilder &builder, Location loc, RankedTensorType type,
                          ArrayRef<float> values, StringRef nameHint) {
  assert(static_cast<int64_t>(values.size()) == type.getNumElements() &&
         "one value per element");
  ElementsAttr attr;
  if (type.getNumElements() <= kMaxInlineConstantElements) {
    attr = DenseElementsAttr::get(type, values);
  } else {
    ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                         values.size() * sizeof(float));
    attr = DenseResourceElementsAttr::get(
        type, nameHint.empty() ? "folded" : nameHint,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, kWeightBlobAlignment));
  }
  return arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr)).getResult();
}

bool isWeight(Value value) {
  if (!cast<ShapedType>(value.getType()).getElementType().isF32())
    return false;
  if (Operation *def = value.getDefiningOp())
    return isa<arith::ConstantOp, ExternalWeightOp, PrepareOp>(def);
  return false;
}

void runPrepareStep(PrepareStep step, ArrayRef<const float *> inputs,
                    ArrayRef<float *> outputs, ArrayRef<int64_t> params,
                    ArrayRef<double> scalars) {
  // In PrepareStep's order (InceptDialect.td).
  static const incept_prepare_fn functions[] = {
      incept_prepare_batch_norm,      incept_prepare_scale_channels,
      incept_prepare_add_channels,    incept_prepare_concat,
      incept_prepare_copy,            incept_prepare_broadcast,
      incept_prepare_transpose,       incept_prepare_pack_blocked,
      incept_prepare_winograd_filters};
  static_assert(std::size(functions) == getMaxEnumValForPrepareStep() + 1,
                "one function per step");
  functions[static_cast<uint32_t>(step)](inputs.data(), outputs.data(), params.data(),
                                         scalars.data());
}

/// Moves the ops that compute weight `value` (constants, tensors of the
/// weights file, prepare steps: pure, and reading only weights) before
/// `point` where they come after it in its block, so that a prepare step
/// placed at `point` sees its operands. The importer materialises a
/// constant where it is first read, which may be after the conv it folds
/// into.
static void moveWeightBefore(Value value, Operation *point) {
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != point->getBlock() || def->isBeforeInBlock(point) ||
      !isa<arith::ConstantOp, ExternalWeightOp, PrepareOp>(def))
    return;
  def->moveBefore(point);
  for (Value operand : def->getOperands())
    moveWeightBefore(operand, def);
}

SmallVector<Value> prepareWeights(OpBuilder &builder, Location loc, PrepareStep step,
                                  ValueRange inputs, ArrayRef<int64_t> params,
                                  ArrayRef<double> scalars, TypeRange resultTypes,
                                  ArrayRef<std::string> nameHints) {
  std::vector<std::vector<float>> values;
  for (Value input : inputs) {
    std::optional<std::vector<float>> read = readFloatConstant(input);
    if (!read)
      break;
    values.push_back(std::move(*read));
  }
  if (values.size() != inputs.size()) {
    Block::iterator point = builder.getInsertionPoint();
    if (point != builder.getInsertionBlock()->end())
      for (Value input : inputs)
        moveWeightBefore(input, &*point);
    auto prepare = PrepareOp::create(builder, loc, resultTypes, step, inputs,
                                     builder.getDenseI64ArrayAttr(params),
                                     builder.getDenseF64ArrayAttr(scalars));
    return SmallVector<Value>(prepare.getResults());
  }
  std::vector<std::vector<float>> results;
  for (Type type : resultTypes)
    results.emplace_back(cast<RankedTensorType>(type).getNumElements());
  SmallVector<const float *> in;
  SmallVector<float *> out;
  for (const std::vector<float> &v : values)
    in.push_back(v.data());
  for (std::vector<float> &v : results)
    out.push_back(v.data());
  runPrepareStep(step, in, out, params, scalars);
  SmallVector<Value> constants;
  for (auto [type, result, name] : llvm::zip_equal(resultTypes, results, nameHints))
    constants.push_back(
        createFloatConstant(builder, loc, cast<RankedTensorType>(type), result, name));
  return constants;
}

Value prepareWeight(OpBuilder &builder, Location loc, PrepareStep step,
                    ValueRange inputs, ArrayRef<int64_t> params,
                    RankedTensorType resultType, StringRef nameHint) {
  return prepareWeights(builder, loc, step, inputs, params, {}, {resultType},
                        {nameHint.str()})
      .front();
}

} // namespace incept
