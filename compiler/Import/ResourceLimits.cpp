//===- ResourceLimits.cpp - tensors too large to compile or run ------------===//

#include "compiler/Import/ResourceLimits.h"

#include "dialects/Incept/ElementTypes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <numeric>
#include <unistd.h>

namespace incept {

using namespace mlir;

namespace {

/// The bytes of a statically shaped tensor, or nothing when they overflow.
std::optional<uint64_t> bytesOf(RankedTensorType type) {
  uint64_t bytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  for (int64_t extent : type.getShape())
    if (extent < 0 || __builtin_mul_overflow(bytes, uint64_t(extent), &bytes))
      return std::nullopt;
  return bytes;
}

std::string shapeOf(RankedTensorType type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::interleave(type.getShape(), os, "x");
  os << " " << type.getElementType();
  return text;
}

/// The node that computes `value` (its op's location names it), or the
/// graph input it is.
std::string whoseTensor(Value value) {
  if (auto argument = dyn_cast<BlockArgument>(value))
    if (auto func = dyn_cast<func::FuncOp>(argument.getOwner()->getParentOp()))
      if (auto name = func.getArgAttrOfType<StringAttr>(argument.getArgNumber(),
                                                        kTensorNameAttr))
        return "graph input '" + name.str() + "'";
  if (auto node = value.getLoc()->findInstanceOf<NameLoc>())
    return "node '" + node.getName().str() + "'";
  return "a tensor";
}

/// Every statically shaped tensor value of `module`: function arguments and
/// op results.
void forEachTensor(ModuleOp module,
                   llvm::function_ref<void(Value, RankedTensorType)> visit) {
  module.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto func = dyn_cast<func::FuncOp>(op))
      for (BlockArgument argument : func.getArguments())
        if (auto type = dyn_cast<RankedTensorType>(argument.getType());
            type && type.hasStaticShape())
          visit(argument, type);
    for (Value result : op->getResults())
      if (auto type = dyn_cast<RankedTensorType>(result.getType());
          type && type.hasStaticShape())
        visit(result, type);
  });
}

} // namespace

std::string formatBytes(uint64_t bytes) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return std::to_string(bytes) + " bytes";
  double value = double(bytes);
  int unit = -1;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  return llvm::formatv("{0:f1} {1}", value, units[unit]).str();
}

LogicalResult checkTensorSizes(ModuleOp module, uint64_t maxTensorBytes) {
  bool ok = true;
  forEachTensor(module, [&](Value value, RankedTensorType type) {
    if (!ok)
      return; // the first one says it; the rest are usually its consequences
    std::optional<uint64_t> bytes = bytesOf(type);
    // An op's location names its node in the message; an input, its name.
    std::string input = isa<BlockArgument>(value) ? whoseTensor(value) + ": " : "";
    if (!bytes) {
      emitError(value.getLoc()) << input << "a tensor of " << shapeOf(type)
                                << " has more bytes than 64 bits count";
      ok = false;
    } else if (*bytes > maxTensorBytes) {
      emitError(value.getLoc())
          << input << "a tensor of " << shapeOf(type) << " takes "
          << formatBytes(*bytes) << ", over --max-tensor-bytes ("
          << formatBytes(maxTensorBytes) << ")";
      ok = false;
    }
  });
  return success(ok);
}

std::vector<std::string> describeLargestTensors(ModuleOp module, size_t count) {
  std::vector<std::pair<uint64_t, std::string>> tensors;
  forEachTensor(module, [&](Value value, RankedTensorType type) {
    if (isa<BlockArgument>(value) || !value.getDefiningOp() ||
        value.getDefiningOp()->hasTrait<OpTrait::ConstantLike>())
      return; // weights are not activations
    if (std::optional<uint64_t> bytes = bytesOf(type))
      tensors.push_back({*bytes, whoseTensor(value) + " " + shapeOf(type) + " (" +
                                     formatBytes(*bytes) + ")"});
  });
  // Largest first, ties in the model's order (not stable_sort, whose
  // temporary buffer libstdc++ 12 deprecates).
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), 0);
  llvm::sort(order, [&](size_t a, size_t b) {
    return tensors[a].first != tensors[b].first ? tensors[a].first > tensors[b].first
                                                : a < b;
  });
  std::vector<std::string> result;
  for (size_t i = 0; i < order.size() && i < count; ++i)
    result.push_back(tensors[order[i]].second);
  return result;
}

uint64_t physicalMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : 0;
}

} // namespace incept
