//===- BlockedLayout.cpp - the channel-blocked activation layout -----------===//

#include "passes/Lowering/BlockedLayout.h"

#include "passes/Lowering/LinalgBuilders.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace incept {
namespace {

/// Marks the generic that takes a blocked tensor back to NCHW.
constexpr llvm::StringLiteral kFromBlockedAttr = "incept.from_blocked";

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

} // namespace

int64_t blockOf(Value blocked) {
  return cast<RankedTensorType>(blocked.getType()).getDimSize(4);
}

std::optional<Value> findBlockedSource(Value nchw) {
  if (auto generic = nchw.getDefiningOp<linalg::GenericOp>())
    if (generic->hasAttr(kFromBlockedAttr))
      return generic.getDpsInputOperand(0)->get();
  return std::nullopt;
}

Value toBlockedLayout(OpBuilder &b, Location loc, Value nchw, int64_t block) {
  if (std::optional<Value> blocked = findBlockedSource(nchw))
    if (blockOf(*blocked) == block)
      return *blocked;
  auto type = cast<RankedTensorType>(nchw.getType());
  int64_t channels = type.getDimSize(1), blocks = ceilDiv(channels, block);
  Value padded = nchw;
  if (blocks * block != channels) {
    SmallVector<int64_t> low(4, 0), high = {0, blocks * block - channels, 0, 0};
    SmallVector<int64_t> shape(type.getShape());
    shape[1] = blocks * block;
    padded = tensor::PadOp::create(
        b, loc, RankedTensorType::get(shape, type.getElementType()), nchw,
        getAsIndexOpFoldResult(b.getContext(), low),
        getAsIndexOpFoldResult(b.getContext(), high),
        buildFloat(b, loc, type.getElementType(), 0.0));
  }
  MLIRContext *context = b.getContext();
  AffineExpr n, cb, h, w, ci;
  bindDims(context, n, cb, h, w, ci);
  auto blockedType = RankedTensorType::get(
      {type.getDimSize(0), blocks, type.getDimSize(2), type.getDimSize(3), block},
      type.getElementType());
  return buildElementwise(
      b, loc, blockedType, padded,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; },
      AffineMap::get(5, 0, {n, cb * block + ci, h, w}, context));
}

Value fromBlockedLayout(OpBuilder &b, Location loc, Value blocked,
                        RankedTensorType nchwType) {
  int64_t block = cast<RankedTensorType>(blocked.getType()).getDimSize(4);
  MLIRContext *context = b.getContext();
  AffineExpr n, c, h, w;
  bindDims(context, n, c, h, w);
  Value nchw = buildElementwise(
      b, loc, nchwType, blocked,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; },
      AffineMap::get(4, 0, {n, c.floorDiv(block), h, w, c % block}, context));
  nchw.getDefiningOp()->setAttr(kFromBlockedAttr, UnitAttr::get(context));
  return nchw;
}


} // namespace incept
