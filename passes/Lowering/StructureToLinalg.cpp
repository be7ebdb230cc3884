//===- StructureToLinalg.cpp - concat, slice, reshape, pad to tensor/linalg ===//
//
// Concat is a chain of tensor.insert_slice into one destination, which
// bufferization turns into writes into slices of one buffer. Reshape goes
// through the flat vector, which is always a valid collapse/expand pair for
// static shapes. A slice is a tensor.extract_slice, a view once bufferized.
// Constant padding is tensor.pad (after a crop for negative amounts); reflect
// and edge padding compute each element's source index.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace incept {
namespace {

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType =
        getTypeConverter()->convertType<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    Value result = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                           resultType.getElementType());
    int64_t offset = 0;
    for (Value input : adaptor.getInputs()) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
      offsets[axis] = offset;
      offset += type.getDimSize(axis);
      if (type.getNumElements() == 0)
        continue;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result,
          getAsIndexOpFoldResult(getContext(), offsets),
          getAsIndexOpFoldResult(getContext(), type.getShape()),
          getAsIndexOpFoldResult(getContext(), strides));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        getTypeConverter()->convertType<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    offsets[op.getAxis()] = op.getStart();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, resultType, adaptor.getInput(),
        getAsIndexOpFoldResult(getContext(), offsets),
        getAsIndexOpFoldResult(getContext(), resultType.getShape()),
        getAsIndexOpFoldResult(getContext(), strides));
    return success();
  }
};

SmallVector<ReassociationIndices> allIntoOne(int64_t rank) {
  ReassociationIndices all;
  for (int64_t d = 0; d < rank; ++d)
    all.push_back(d);
  return {all};
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(value.getType());
    auto resultType =
        getTypeConverter()->convertType<RankedTensorType>(op.getType());
    if (inputType == resultType) {
      rewriter.replaceOp(op, value);
      return success();
    }
    auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                          inputType.getElementType());
    if (inputType.getRank() != 1)
      value = tensor::CollapseShapeOp::create(rewriter, loc, flatType, value,
                                              allIntoOne(inputType.getRank()));
    if (resultType.getRank() != 1)
      value = tensor::ExpandShapeOp::create(rewriter, loc, resultType, value,
                                            allIntoOne(resultType.getRank()));
    rewriter.replaceOp(op, value);
    return success();
  }
};

/// The index read for output index `i` along a dimension of `size` elements
/// padded by `before`: edge clamps, reflect mirrors without repeating the
/// border element.
Value sourceIndex(OpBuilder &b, Location loc, PadMode mode, Value i,
                  int64_t before, int64_t size) {
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value x = arith::SubIOp::create(b, loc, i, constant(before));
  Value last = constant(size - 1);
  if (mode == PadMode::edge)
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, x, constant(0)), last);
  // reflect: |x| folds the front; 2·last − x folds the back.
  Value folded = arith::MaxSIOp::create(
      b, loc, x, arith::SubIOp::create(b, loc, constant(0), x));
  Value back = arith::SubIOp::create(b, loc, constant(2 * (size - 1)), folded);
  return arith::MinSIOp::create(b, loc, folded, back);
}

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType =
        getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    ArrayRef<int64_t> pads = op.getPads();

    // Negative amounts crop first; what is left only grows.
    SmallVector<int64_t> offsets(rank), sizes(inputType.getShape()),
        strides(rank, 1), before(rank), after(rank);
    bool crop = false;
    for (int64_t d = 0; d < rank; ++d) {
      offsets[d] = std::max<int64_t>(0, -pads[d]);
      sizes[d] -= offsets[d] + std::max<int64_t>(0, -pads[d + rank]);
      before[d] = std::max<int64_t>(0, pads[d]);
      after[d] = std::max<int64_t>(0, pads[d + rank]);
      crop |= pads[d] < 0 || pads[d + rank] < 0;
    }
    if (crop)
      input = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(sizes, inputType.getElementType()),
          input, getAsIndexOpFoldResult(getContext(), offsets),
          getAsIndexOpFoldResult(getContext(), sizes),
          getAsIndexOpFoldResult(getContext(), strides));

    if (op.getMode() == PadMode::constant) {
      Value value = buildScalar(rewriter, loc, resultType.getElementType(),
                                op.getValue().convertToDouble());
      rewriter.replaceOpWithNewOp<tensor::PadOp>(
          op, resultType, input, getAsIndexOpFoldResult(getContext(), before),
          getAsIndexOpFoldResult(getContext(), after), value);
      return success();
    }

    // The verifier guarantees that a reflection stays inside the input
    // (ONNX leaves reaching further undefined).
    // out[i] = in[source(i)], one index computation per dimension.
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{}, init,
        rewriter.getMultiDimIdentityMap(rank), iterators,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d)
            indices.push_back(sourceIndex(b, l, op.getMode(),
                                          linalg::IndexOp::create(b, l, d),
                                          before[d], sizes[d]));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, input, indices).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateStructureToLinalgPatterns(RewritePatternSet &patterns,
                                       const TypeConverter &converter) {
  patterns.add<ConcatLowering, SliceLowering, ReshapeLowering, PadLowering>(
      converter, patterns.getContext());
}

} // namespace incept
