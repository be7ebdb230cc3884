//===- WeightsFile.cpp - the weights of --weights=external -----------------===//

#include "compiler/Codegen/WeightsFile.h"
#include "compiler/Codegen/Linking.h"
#include "dialects/Incept/WeightBlobs.h"

#include "incept/weights_file.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace incept {

std::vector<ExternalWeight> takeExternalWeights(ModuleOp module) {
  std::vector<ExternalWeight> weights;
  auto manifest = module->getAttrOfType<ArrayAttr>(kExternalWeightsAttr);
  auto values = module->getAttrOfType<ArrayAttr>(kExternalWeightValuesAttr);
  if (!manifest || !values)
    return weights;
  for (auto [entry, value] : llvm::zip_equal(manifest, values)) {
    auto dictionary = cast<DictionaryAttr>(entry);
    auto type = cast<RankedTensorType>(
        cast<TypeAttr>(dictionary.get("type")).getValue());
    ExternalWeight weight;
    weight.tensor.name = cast<StringAttr>(dictionary.get("name")).str();
    weight.tensor.identifier = toCIdentifier(weight.tensor.name, "weight");
    weight.tensor.shape.assign(type.getShape().begin(), type.getShape().end());
    weight.tensor.dtype = 1; // f32: the importer makes nothing else external
    weight.values = cast<ElementsAttr>(value);
    AsmResourceBlob *blob =
        cast<DenseResourceElementsAttr>(value).getRawHandle().getBlob();
    weight.bytes = blob->getData();
    weights.push_back(std::move(weight));
  }
  module->removeAttr(kExternalWeightValuesAttr);
  return weights;
}

namespace {

void writeInteger(llvm::raw_ostream &os, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    os << static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint64_t alignUp(uint64_t offset) {
  return (offset + INCEPT_WEIGHTS_ALIGNMENT - 1) / INCEPT_WEIGHTS_ALIGNMENT *
         INCEPT_WEIGHTS_ALIGNMENT;
}

} // namespace

llvm::Error writeWeightsFile(llvm::StringRef path, llvm::ArrayRef<ExternalWeight> weights) {
  // The manifest's size first: the tensors start after it.
  uint64_t manifestEnd = 24;
  for (const ExternalWeight &weight : weights)
    manifestEnd += 4 + weight.tensor.name.size() + 8 + 8 * weight.tensor.shape.size() + 24;
  std::vector<uint64_t> offsets;
  uint64_t end = alignUp(manifestEnd);
  for (const ExternalWeight &weight : weights) {
    offsets.push_back(end);
    end = alignUp(end + weight.bytes.size());
  }

  return writeAtomically(path, [&](llvm::StringRef temporary) -> llvm::Error {
    std::error_code ec;
    llvm::raw_fd_ostream os(temporary, ec);
    if (ec)
      return llvm::createStringError(ec, "%s", ec.message().c_str());
    os << INCEPT_WEIGHTS_MAGIC;
    writeInteger(os, INCEPT_WEIGHTS_VERSION, 4);
    writeInteger(os, weights.size(), 4);
    writeInteger(os, weights.empty() ? manifestEnd : offsets.front(), 8);
    for (auto [weight, offset] : llvm::zip_equal(weights, offsets)) {
      writeInteger(os, weight.tensor.name.size(), 4);
      os << weight.tensor.name;
      writeInteger(os, weight.tensor.dtype, 4);
      writeInteger(os, weight.tensor.shape.size(), 4);
      for (int64_t extent : weight.tensor.shape)
        writeInteger(os, extent, 8);
      writeInteger(os, offset, 8);
      writeInteger(os, weight.bytes.size(), 8);
      writeInteger(os, incept_crc32(0, weight.bytes.data(), weight.bytes.size()), 8);
    }
    uint64_t at = manifestEnd;
    for (auto [weight, offset] : llvm::zip_equal(weights, offsets)) {
      os.write_zeros(offset - at);
      os.write(weight.bytes.data(), weight.bytes.size());
      at = offset + weight.bytes.size();
    }
    os.close();
    if (os.has_error())
      return llvm::createStringError(os.error(), "%s", os.error().message().c_str());
    return llvm::Error::success();
  });
}

} // namespace incept
