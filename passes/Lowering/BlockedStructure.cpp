//===- BlockedStructure.cpp - concat and slice on the blocked layout -------===//
//
// A channel concat whose inputs were all computed blocked, each but the last
// a whole number of blocks, is a concat of the blocked tensors along the
// block dimension; a channel slice of a blocked tensor that starts on a block
// boundary and ends on one (or at the end) is a slice of blocks. Both stay
// blocked (see BlockedLayout.h), so the convs and pools of an Inception block
// read the block's input without a conversion, and concat-in-place still has
// each branch write into its place. Other concats and slices are left to the
// NCHW patterns.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/BlockedLayout.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace incept {
namespace {

SmallVector<OpFoldResult> blockOffsets(MLIRContext *context, int64_t blockOffset) {
  return getAsIndexOpFoldResult(context, {0, blockOffset, 0, 0, 0});
}

SmallVector<OpFoldResult> unitStrides(MLIRContext *context) {
  return getAsIndexOpFoldResult(context, {1, 1, 1, 1, 1});
}

struct BlockedConcat : OpConversionPattern<ConcatOp> {
  BlockedConcat(MLIRContext *context)
      : OpConversionPattern(context, kBlockedPatternBenefit) {}

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAxis() != 1)
      return rewriter.notifyMatchFailure(op, "not a channel concat");
    SmallVector<Value> sources;
    int64_t block = 0;
    ValueRange inputs = adaptor.getInputs();
    for (auto [index, input] : llvm::enumerate(inputs)) {
      std::optional<Value> blocked = findBlockedSource(input);
      if (!blocked || (block && blockOf(*blocked) != block))
        return rewriter.notifyMatchFailure(op, "an input is not blocked");
      block = blockOf(*blocked);
      int64_t channels = cast<RankedTensorType>(input.getType()).getDimSize(1);
      if (index + 1 != inputs.size() && channels % block != 0)
        return rewriter.notifyMatchFailure(op, "an input ends inside a block");
      sources.push_back(*blocked);
    }
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t blocks = 0;
    for (Value source : sources)
      blocks += cast<RankedTensorType>(source.getType()).getDimSize(1);
    auto first = cast<RankedTensorType>(sources.front().getType());
    SmallVector<int64_t> shape(first.getShape());
    shape[1] = blocks;
    Value result = tensor::EmptyOp::create(rewriter, loc, shape,
                                           first.getElementType());
    int64_t offset = 0;
    for (Value source : sources) {
      auto type = cast<RankedTensorType>(source.getType());
      result = tensor::InsertSliceOp::create(
          rewriter, loc, source, result, blockOffsets(getContext(), offset),
          getAsIndexOpFoldResult(getContext(), type.getShape()),
          unitStrides(getContext()));
      offset += type.getDimSize(1);
    }
    rewriter.replaceOp(op, fromBlockedLayout(rewriter, loc, result, resultType));
    return success();
  }
};

struct BlockedSlice : OpConversionPattern<SliceOp> {
  BlockedSlice(MLIRContext *context)
      : OpConversionPattern(context, kBlockedPatternBenefit) {}

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    std::optional<Value> blocked = findBlockedSource(adaptor.getInput());
    if (op.getAxis() != 1 || !blocked)
      return rewriter.notifyMatchFailure(op, "not a channel slice of a blocked tensor");
    int64_t block = blockOf(*blocked);
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t start = op.getStart(), size = resultType.getDimSize(1);
    int64_t channels =
        cast<RankedTensorType>(adaptor.getInput().getType()).getDimSize(1);
    if (start % block != 0 || (size % block != 0 && start + size != channels))
      return rewriter.notifyMatchFailure(op, "the slice cuts a block");
    auto sourceType = cast<RankedTensorType>(blocked->getType());
    SmallVector<int64_t> shape(sourceType.getShape());
    shape[1] = (size + block - 1) / block;
    Location loc = op.getLoc();
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get(shape, sourceType.getElementType()),
        *blocked, blockOffsets(getContext(), start / block),
        getAsIndexOpFoldResult(getContext(), shape), unitStrides(getContext()));
    rewriter.replaceOp(op, fromBlockedLayout(rewriter, loc, slice, resultType));
    return success();
  }
};

} // namespace

void populateBlockedStructurePatterns(RewritePatternSet &patterns) {
  patterns.add<BlockedConcat, BlockedSlice>(patterns.getContext());
}

} // namespace incept
