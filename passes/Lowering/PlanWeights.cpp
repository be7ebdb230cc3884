//===- PlanWeights.cpp - the incept-plan-weights pass -----------------------===//
//
// Gathers the constants a planned function reads (memref.get_global of
// constant globals: the weights) into one blob, `<function>_weights`, and
// makes each a view of a new argument after the arena, `weights`, at its
// offset in the blob. A GPU's kernels cannot read the host's globals: the
// library uploads the blob once, when a context is created, and passes the
// device copy as that argument; the same layout is what a weights file next
// to a library holds.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "dialects/Incept/ElementTypes.h"
#include "dialects/Incept/WeightBlobs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

namespace incept {
#define GEN_PASS_DEF_PLANWEIGHTS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

int64_t alignUp(int64_t value) {
  int64_t alignment = static_cast<int64_t>(kWeightBlobAlignment);
  return (value + alignment - 1) / alignment * alignment;
}

/// The bytes of a constant global's value, splats expanded; nothing for a
/// global that holds no constant.
std::optional<std::vector<char>> bytesOf(memref::GlobalOp global) {
  auto initial = dyn_cast_or_null<ElementsAttr>(global.getInitialValueAttr());
  if (!global.getConstant() || !initial)
    return std::nullopt;
  MemRefType type = global.getType();
  size_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  size_t bytes = type.getNumElements() * elementBytes;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(initial)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return std::vector<char>(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseElementsAttr>(initial);
  if (!dense)
    return std::nullopt;
  // i1 is a byte in memory (LLVM stores an i1 as an i8): one per element.
  if (type.getElementType().isInteger(1)) {
    std::vector<char> result;
    for (bool bit : dense.getValues<bool>())
      result.push_back(bit ? 1 : 0);
    return result;
  }
  if (type.getElementTypeBitWidth() % 8)
    return std::nullopt;
  ArrayRef<char> raw = dense.getRawData();
  std::vector<char> result(bytes);
  if (dense.isSplat()) {
    for (size_t at = 0; at < bytes; at += elementBytes)
      std::memcpy(result.data() + at, raw.data(), elementBytes);
  } else {
    if (raw.size() != bytes)
      return std::nullopt;
    std::memcpy(result.data(), raw.data(), bytes);
  }
  return result;
}

LogicalResult planFunction(func::FuncOp func, ModuleOp module,
                           SymbolTable &symbols) {
  // Each global once, at its offset, in the order the function first reads it.
  llvm::MapVector<memref::GlobalOp, int64_t> offsets;
  SmallVector<memref::GetGlobalOp> reads;
  std::vector<char> blob;
  WalkResult walk = func.walk([&](memref::GetGlobalOp read) {
    auto global = symbols.lookup<memref::GlobalOp>(read.getName());
    if (!global)
      return WalkResult::advance();
    if (!offsets.count(global)) {
      std::optional<std::vector<char>> bytes = bytesOf(global);
      if (!bytes) {
        read.emitError() << "cannot place '" << read.getName()
                         << "' in the weights: it is not a constant of whole bytes";
        return WalkResult::interrupt();
      }
      int64_t offset = alignUp(static_cast<int64_t>(blob.size()));
      blob.resize(offset);
      blob.insert(blob.end(), bytes->begin(), bytes->end());
      offsets[global] = offset;
    }
    reads.push_back(read);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  int64_t total = std::max<int64_t>(alignUp(blob.size()), kWeightBlobAlignment);
  blob.resize(total);
  OpBuilder builder(module.getContext());
  auto blobType = MemRefType::get({total}, builder.getI8Type());
  unsigned position = func.getNumArguments() && func.getArgAttr(0, kTensorNameAttr) ==
                                                    builder.getStringAttr("arena")
                          ? 1
                          : 0;
  if (failed(func.insertArgument(position, blobType,
                                 builder.getDictionaryAttr({builder.getNamedAttr(
                                     kTensorNameAttr, builder.getStringAttr("weights"))}),
                                 func.getLoc())))
    return failure();
  Value weights = func.getArgument(position);
  for (memref::GetGlobalOp read : reads) {
    builder.setInsertionPoint(read);
    auto global = symbols.lookup<memref::GlobalOp>(read.getName());
    Value offset = arith::ConstantIndexOp::create(builder, read.getLoc(), offsets[global]);
    Value view = memref::ViewOp::create(builder, read.getLoc(), read.getType(), weights,
                                        offset, ValueRange());
    read.replaceAllUsesWith(view);
    read.erase();
  }
  // The globals nothing reads any more, found in one walk of the module (one
  // walk a global took half of Inception-ResNet v2's compile).
  llvm::DenseSet<StringAttr> stillRead;
  if (std::optional<SymbolTable::UseRange> uses = SymbolTable::getSymbolUses(module))
    for (const SymbolTable::SymbolUse &use : *uses)
      stillRead.insert(use.getSymbolRef().getRootReference());
  for (auto &[global, offset] : offsets)
    if (!stillRead.contains(global.getSymNameAttr()))
      symbols.erase(global);

  // The host's copy, for the library to upload (or to write to a file).
  builder.setInsertionPointToStart(module.getBody());
  auto tensorType = RankedTensorType::get({total}, builder.getI8Type());
  auto initial = DenseResourceElementsAttr::get(
      tensorType, "weights",
      HeapAsmResourceBlob::allocateAndCopyWithAlign(blob, kWeightBlobAlignment));
  auto global = memref::GlobalOp::create(
      builder, func.getLoc(), (func.getSymName() + "_weights").str(),
      builder.getStringAttr("public"), blobType, initial, /*constant=*/true,
      builder.getI64IntegerAttr(kWeightBlobAlignment));
  symbols.insert(global);
  func->setAttr(kWeightsBytesAttr, builder.getI64IntegerAttr(total));
  return success();
}

struct PlanWeights : impl::PlanWeightsBase<PlanWeights> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal())
        funcs.push_back(func);
    for (func::FuncOp func : funcs)
      if (failed(planFunction(func, module, symbols)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace incept
