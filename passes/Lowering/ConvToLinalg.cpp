//===- ConvToLinalg.cpp - incept.conv to linalg ----------------------------===//
//
// The simple, obviously right lowering: zero padding as tensor.pad, the
// output initialised with the bias, a linalg named convolution (grouped
// convolutions through the NGCHW form), then the epilogue as one elementwise
// op. With plane loops (-O1 and up) an ungrouped convolution is a
// linalg.generic whose innermost loop LLVM vectorises: over whole padded
// rows for unit strides, over output rows otherwise. A blocked-layout
// micro-kernel lowering replaces this pattern later.
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

/// Applies `activation` (with clip bounds) to a scalar.
Value applyActivation(OpBuilder &b, Location loc, ConvOp op, Value value) {
  switch (op.getActivation()) {
  case ActivationKind::none:
    return value;
  case ActivationKind::relu:
    return buildRelu(b, loc, value);
  case ActivationKind::clip:
    return buildClamp(b, loc, value, op.getClipMin()->convertToDouble(),
                      op.getClipMax()->convertToDouble());
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
             yieldMultiplyAdd)
      .getResult(0);
}

/// For unit strides, the convolution over whole rows of the padded input:
/// output position p = oh * Wp + ow of an output whose rows are as wide as the
/// padded input's (Wp) reads input position p + kh*dh*Wp + kw*dw, so one loop
/// over p runs through a whole plane with unit stride — long, vectorisable
/// loops even for 7x7 planes. The columns ow >= OW are computed and dropped;
/// one extra zero row at the bottom of the padded input keeps their reads in
/// bounds (wider than one tap, they reach past the last row).
/// Returns the accumulator, cropped to [N, F, OH, OW].
Value buildRowConv(OpBuilder &b, Location loc, ConvOp op, Value input,
                   Value weight, Value bias, RankedTensorType resultType) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> pads = op.getPads();
  bool tailRow = cast<RankedTensorType>(weight.getType()).getDimSize(3) > 1;
  Value paddedInput = buildSpatialPad(b, loc, input, pads[0], pads[1],
                                      pads[2] + tailRow, pads[3], 0.0);
  auto inputType = cast<RankedTensorType>(paddedInput.getType());
  int64_t n = resultType.getDimSize(0), f = resultType.getDimSize(1),
          oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t c = inputType.getDimSize(1), hp = inputType.getDimSize(2),
          wp = inputType.getDimSize(3);
  ArrayRef<int64_t> dilations = op.getDilations();
  Type elementType = resultType.getElementType();

  Value flatInput = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({n, c, hp * wp}, elementType), paddedInput,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  auto accType = RankedTensorType::get({n, f, oh * wp}, elementType);
  Value init = buildChannelFilled(b, loc, accType, bias);

  AffineExpr dn, df, dc, dkh, dkw, dp;
  bindDims(context, dn, df, dc, dkh, dkw, dp);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {dn, dc, dp + dkh * (dilations[0] * wp) + dkw * dilations[1]},
                     context),
      AffineMap::get(6, 0, {df, dc, dkh, dkw}, context),
      AffineMap::get(6, 0, {dn, df, dp}, context)};
  using utils::IteratorType;
  SmallVector<IteratorType> iterators = {
      IteratorType::parallel,  IteratorType::parallel,  IteratorType::reduction,
      IteratorType::reduction, IteratorType::reduction, IteratorType::parallel};
  Value acc = linalg::GenericOp::create(
                  b, loc, accType, ValueRange{flatInput, weight}, init, maps,
                  iterators,
                  yieldMultiplyAdd)
                  .getResult(0);
  Value rows = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({n, f, oh, wp}, elementType), acc,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, rows,
      getAsIndexOpFoldResult(context, ArrayRef<int64_t>{0, 0, 0, 0}),
      getAsIndexOpFoldResult(context, ArrayRef<int64_t>{n, f, oh, ow}),
      getAsIndexOpFoldResult(context, ArrayRef<int64_t>{1, 1, 1, 1}));
}

/// Any stride or group: the input zero-padded, the accumulator starting as
/// the bias, and a linalg convolution (the named op, or at -O1+ plane loops)
/// adding onto it.
Value buildWindowConv(OpBuilder &b, Location loc, ConvOp op, Value input,
                      Value weight, Value bias, RankedTensorType resultType,
                      bool planeLoops) {
  ArrayRef<int64_t> pads = op.getPads();
  input = buildSpatialPad(b, loc, input, pads[0], pads[1], pads[2], pads[3], 0.0);
  Value init = buildChannelFilled(b, loc, resultType, bias);
  Attribute strides = b.getI64TensorAttr(op.getStrides());
  Attribute dilations = b.getI64TensorAttr(op.getDilations());
  int64_t groups = op.getGroup();
  if (groups == 1 && planeLoops)
    return buildPlaneConv(b, loc, op, input, weight, init);
  if (groups == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{resultType},
                                            ValueRange{input, weight},
                                            ValueRange{init}, strides, dilations)
        .getResult(0);
  Value groupedInit = splitGroups(b, loc, init, 1, groups);
  Value conv = linalg::Conv2DNgchwGfchwOp::create(
                   b, loc, TypeRange{groupedInit.getType()},
                   ValueRange{splitGroups(b, loc, input, 1, groups),
                              splitGroups(b, loc, weight, 0, groups)},
                   ValueRange{groupedInit}, strides, dilations)
                   .getResult(0);
  return mergeGroups(b, loc, conv, resultType);
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
    int64_t groups = op.getGroup();
    bool rowConv = planeLoops && groups == 1 &&
                   llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; });
    Value conv = rowConv ? buildRowConv(rewriter, loc, op, adaptor.getInput(),
                                        adaptor.getWeight(), adaptor.getBias(),
                                        resultType)
                         : buildWindowConv(rewriter, loc, op, adaptor.getInput(),
                                           adaptor.getWeight(), adaptor.getBias(),
                                           resultType, planeLoops);

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
