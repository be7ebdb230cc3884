//===- Reference.cpp - the reference and plane-loop convolutions ----------===//
//
// The `reference` and `plane_loops` conv strategies. The simple, obviously
// right lowering: zero padding as tensor.pad, the
// accumulator initialised with the bias, a linalg named convolution (grouped
// convolutions through the NGCHW form). With plane loops (-O1 and up) an
// ungrouped convolution is a linalg.generic whose innermost loop LLVM
// vectorises: over whole padded rows for unit strides, over output rows
// otherwise. -O0 keeps the named op: it is what everything is checked
// against.
//
// Every convolution ends in one destination-passing op writing a tensor.empty
// of its result type: the accumulator itself when it already is the result,
// else one "store" generic that reads the accumulator where output element
// (n, f, oh, ow) lies (cropping the row conv's wide rows, merging groups) and
// applies the epilogue on the way. Ending in such an op is what lets
// incept-concat-in-place compute the result straight into a concat's slice
// or a padded buffer's interior.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/Conv/ConvLowerings.h"
#include "passes/Lowering/LinalgBuilders.h"

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

/// What a convolution accumulated (the bias included), and where output
/// element (n, f, oh, ow) lies in it.
struct Accumulator {
  Value value;
  AffineMap map;
};

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
/// output position p = oh * Wp + ow of an accumulator whose rows are as wide
/// as the padded input's (Wp) reads input position p + kh*dh*Wp + kw*dw, so
/// one loop over p runs through a whole plane with unit stride — long,
/// vectorisable loops even for 7x7 planes. The columns ow >= OW are computed
/// and never read; one extra zero row at the bottom of the padded input keeps
/// their reads in bounds (wider than one tap, they reach past the last row).
/// Output element (n, f, oh, ow) is accumulator element (n, f, oh*Wp + ow).
Accumulator buildRowConv(OpBuilder &b, Location loc, ConvOp op, Value input,
                         Value weight, Value bias, RankedTensorType resultType) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> pads = op.getPads();
  bool tailRow = cast<RankedTensorType>(weight.getType()).getDimSize(3) > 1;
  Value paddedInput = buildSpatialPad(b, loc, input, pads[0], pads[1],
                                      pads[2] + tailRow, pads[3], 0.0);
  auto inputType = cast<RankedTensorType>(paddedInput.getType());
  int64_t n = resultType.getDimSize(0), f = resultType.getDimSize(1),
          oh = resultType.getDimSize(2);
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
  AffineExpr on, of, ooh, oow;
  bindDims(context, on, of, ooh, oow);
  return {acc, AffineMap::get(4, 0, {on, of, ooh * wp + oow}, context)};
}

/// Any stride or group: the input zero-padded, the accumulator starting as
/// the bias, and a linalg convolution (the named op, or at -O1+ plane loops)
/// adding onto it. Groups accumulate in the N,G,F/G,OH,OW form.
Accumulator buildWindowConv(OpBuilder &b, Location loc, ConvOp op, Value input,
                            Value weight, Value bias,
                            RankedTensorType resultType, bool planeLoops) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> pads = op.getPads();
  input = buildSpatialPad(b, loc, input, pads[0], pads[1], pads[2], pads[3], 0.0);
  Value init = buildChannelFilled(b, loc, resultType, bias);
  Attribute strides = b.getI64TensorAttr(op.getStrides());
  Attribute dilations = b.getI64TensorAttr(op.getDilations());
  int64_t groups = op.getGroup();
  AffineMap identity = b.getMultiDimIdentityMap(4);
  if (groups == 1 && planeLoops)
    return {buildPlaneConv(b, loc, op, input, weight, init), identity};
  if (groups == 1)
    return {linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{resultType},
                                             ValueRange{input, weight},
                                             ValueRange{init}, strides, dilations)
                .getResult(0),
            identity};
  Value groupedInit = splitGroups(b, loc, init, 1, groups);
  Value conv = linalg::Conv2DNgchwGfchwOp::create(
                   b, loc, TypeRange{groupedInit.getType()},
                   ValueRange{splitGroups(b, loc, input, 1, groups),
                              splitGroups(b, loc, weight, 0, groups)},
                   ValueRange{groupedInit}, strides, dilations)
                   .getResult(0);
  int64_t groupSize = resultType.getDimSize(1) / groups;
  AffineExpr on, of, ooh, oow;
  bindDims(context, on, of, ooh, oow);
  return {conv, AffineMap::get(4, 0,
                               {on, of.floorDiv(groupSize), of % groupSize,
                                ooh, oow},
                               context)};
}

/// The conv's result: y = act(residual + scale * acc) read where `acc.map`
/// says, computed by one generic into a tensor.empty of the result type; the
/// accumulator itself when there is nothing to apply or move.
Value buildStore(OpBuilder &b, Location loc, ConvOp op, Accumulator acc,
                 Value residual, RankedTensorType resultType) {
  bool hasEpilogue = residual || op.getActivation() != ActivationKind::none;
  if (!hasEpilogue && acc.map.isIdentity())
    return acc.value;
  float scale = op.getResidualScale().convertToFloat();
  SmallVector<Value> operands = {acc.value};
  if (residual)
    operands.push_back(residual);
  return buildElementwise(
      b, loc, resultType, operands,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value value = args[0];
        if (residual) {
          if (scale != 1.0f)
            value = arith::MulFOp::create(
                b, l, value, buildFloat(b, l, value.getType(), scale));
          value = arith::AddFOp::create(b, l, args[1], value);
        }
        return applyActivation(b, l, op, value);
      },
      acc.map);
}

} // namespace

Value lowerReferenceConv(OpBuilder &b, ConvOp op, Value input, Value weight,
                         Value bias, Value residual, bool planeLoops) {
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(op.getType());
  bool rowConv = planeLoops && op.getGroup() == 1 &&
                 llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; });
  Accumulator acc =
      rowConv ? buildRowConv(b, loc, op, input, weight, bias, resultType)
              : buildWindowConv(b, loc, op, input, weight, bias, resultType,
                                planeLoops);
  return buildStore(b, loc, op, acc, residual, resultType);
}

} // namespace incept
