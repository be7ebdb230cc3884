//===- ConvToLinalg.cpp - incept.conv to linalg ----------------------------===//
//
// The simple, obviously right lowering: zero padding as tensor.pad, the
// output initialised with the bias, a linalg named convolution (grouped
// convolutions through the NGCHW form), then the epilogue as one elementwise
// op. With plane loops (-O1 and up) an ungrouped convolution is a
// linalg.generic whose loop order LLVM can vectorise. A blocked-layout micro-kernel lowering replaces this pattern later.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace incept {
namespace {

/// Applies `activation` (with clip bounds) to a scalar.
Value applyActivation(OpBuilder &b, Location loc, ConvOp op, Value value) {
  switch (op.getActivation()) {
  case ActivationKind::none:
    return value;
  case ActivationKind::relu:
    return arith::MaximumFOp::create(b, loc, value,
                                     buildFloat(b, loc, value.getType(), 0.0));
  case ActivationKind::clip: {
    Value low = buildFloat(b, loc, value.getType(), op.getClipMin()->convertToFloat());
    Value high = buildFloat(b, loc, value.getType(), op.getClipMax()->convertToFloat());
    return arith::MinimumFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, value, low), high);
  }
  }
  llvm_unreachable("unknown activation");
}

/// NCHW → N,G,C/G,H,W (or the weight's F,C,… → G,F/G,C,…) by splitting
/// dimension `dim` into `groups` × rest.
Value splitGroups(OpBuilder &b, Location loc, Value value, unsigned dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0, r = 0; d < type.getRank(); ++d) {
    if (d == dim) {
      shape.append({groups, type.getDimSize(d) / groups});
      reassociation.push_back({r, r + 1});
      r += 2;
    } else {
      shape.push_back(type.getDimSize(d));
      reassociation.push_back({r++});
    }
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), value,
      reassociation);
}

Value mergeGroups(OpBuilder &b, Location loc, Value value,
                  RankedTensorType resultType) {
  return tensor::CollapseShapeOp::create(
      b, loc, resultType, value,
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

/// acc[n, f, oh, ow] += in[n, c, oh*sh + kh*dh, ow*sw + kw*dw] * w[f, c, kh, kw]
/// with the loops ordered n, f, c, kh, kw, oh, ow: the innermost loops walk
/// an output row and an input row with unit stride (for unit strides), which
/// LLVM vectorises, and one weight stays in a register for a whole plane.
Value buildPlaneConv(OpBuilder &b, Location loc, ConvOp op, Value input,
                     Value weight, Value init) {
  MLIRContext *context = b.getContext();
  AffineExpr n, f, c, kh, kw, oh, ow;
  bindDims(context, n, f, c, kh, kw, oh, ow);
  ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0,
                     {n, c, oh * strides[0] + kh * dilations[0],
                      ow * strides[1] + kw * dilations[1]},
                     context),
      AffineMap::get(7, 0, {f, c, kh, kw}, context),
      AffineMap::get(7, 0, {n, f, oh, ow}, context)};
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = {
      IteratorType::parallel,  IteratorType::parallel,  IteratorType::reduction,
      IteratorType::reduction, IteratorType::reduction, IteratorType::parallel,
      IteratorType::parallel};
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{input, weight}, init, maps,
             iterators,
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value product = arith::MulFOp::create(nb, l, args[0], args[1]);
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, args[2], product).getResult());
             })
      .getResult(0);
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  ConvLowering(MLIRContext *context, bool planeLoops)
      : OpConversionPattern(context), planeLoops(planeLoops) {}
  bool planeLoops;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> pads = op.getPads();
    Value input = buildSpatialPad(rewriter, loc, adaptor.getInput(), pads[0],
                                  pads[1], pads[2], pads[3], 0.0);

    // The accumulator starts as the bias, so the convolution adds onto it.
    Value init;
    if (Value bias = adaptor.getBias())
      init = buildElementwise(
          rewriter, loc, resultType, bias,
          [](OpBuilder &, Location, ValueRange args) { return args[0]; },
          channelMap(getContext(), 4));
    else
      init = buildFilled(rewriter, loc, resultType, 0.0);

    Attribute strides = rewriter.getI64TensorAttr(op.getStrides());
    Attribute dilations = rewriter.getI64TensorAttr(op.getDilations());
    int64_t groups = op.getGroup();
    Value conv;
    if (groups == 1 && planeLoops) {
      conv = buildPlaneConv(rewriter, loc, op, input, adaptor.getWeight(), init);
    } else if (groups == 1) {
      conv = linalg::Conv2DNchwFchwOp::create(
                 rewriter, loc, TypeRange{resultType},
                 ValueRange{input, adaptor.getWeight()}, ValueRange{init},
                 strides, dilations)
                 .getResult(0);
    } else {
      Value groupedInit = splitGroups(rewriter, loc, init, 1, groups);
      conv = linalg::Conv2DNgchwGfchwOp::create(
                 rewriter, loc, TypeRange{groupedInit.getType()},
                 ValueRange{splitGroups(rewriter, loc, input, 1, groups),
                            splitGroups(rewriter, loc, adaptor.getWeight(), 0,
                                        groups)},
                 ValueRange{groupedInit}, strides, dilations)
                 .getResult(0);
      conv = mergeGroups(rewriter, loc, conv, resultType);
    }

    // y = act(residual + scale * acc)
    Value residual = adaptor.getResidual();
    float scale = op.getResidualScale().convertToFloat();
    if (residual || op.getActivation() != ActivationKind::none) {
      SmallVector<Value> operands = {conv};
      if (residual)
        operands.push_back(residual);
      conv = buildElementwise(
          rewriter, loc, resultType, operands,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value value = args[0];
            if (residual) {
              if (scale != 1.0f)
                value = arith::MulFOp::create(
                    b, l, value, buildFloat(b, l, value.getType(), scale));
              value = arith::AddFOp::create(b, l, args[1], value);
            }
            return applyActivation(b, l, op, value);
          });
    }
    rewriter.replaceOp(op, conv);
    return success();
  }
};

} // namespace

void populateConvToLinalgPatterns(RewritePatternSet &patterns, bool planeLoops) {
  patterns.add<ConvLowering>(patterns.getContext(), planeLoops);
}

} // namespace incept
