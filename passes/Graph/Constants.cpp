//===- Constants.cpp - reading and making weight constants -----------------===//

#include "passes/Graph/Constants.h"
#include "dialects/Incept/WeightBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"

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

std::optional<std::vector<float>> readChannelConstant(Value value,
                                                      RankedTensorType resultType) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() > resultType.getRank() || resultType.getRank() != 4)
    return std::nullopt;
  int64_t channels = resultType.getDimSize(1);
  int64_t offset = resultType.getRank() - type.getRank();
  for (auto [i, extent] : llvm::enumerate(type.getShape()))
    if (extent != 1 && !(offset + static_cast<int64_t>(i) == 1 && extent == channels))
      return std::nullopt;
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

} // namespace incept
