//===- LinalgBuilders.cpp - small builders the incept lowerings share ------===//

#include "passes/Lowering/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace incept {

AffineMap broadcastMap(RankedTensorType inputType, RankedTensorType resultType) {
  MLIRContext *context = inputType.getContext();
  int64_t rank = resultType.getRank();
  int64_t offset = rank - inputType.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < inputType.getRank(); ++d) {
    bool broadcast = inputType.getDimSize(d) == 1 &&
                     resultType.getDimSize(d + offset) != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, context)
                              : getAffineDimExpr(d + offset, context));
  }
  return AffineMap::get(rank, 0, exprs, context);
}

AffineMap channelMap(MLIRContext *context, unsigned rank) {
  return AffineMap::get(rank, 0, getAffineDimExpr(1, context));
}

AffineMap dropAxisMap(MLIRContext *context, unsigned rank, unsigned axis) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis)
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

Value buildFloat(OpBuilder &builder, Location loc, Type type, double value) {
  if (auto vectorType = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        builder, loc, vectorType,
        DenseElementsAttr::get(vectorType, builder.getFloatAttr(
                                               vectorType.getElementType(), value)));
  return arith::ConstantOp::create(builder, loc, type,
                                   builder.getFloatAttr(type, value));
}

Value buildScalar(OpBuilder &builder, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return buildFloat(builder, loc, type, value);
  auto integer = cast<IntegerType>(type);
  // Values above INT64_MAX only arise as the maximum of an unsigned 64-bit
  // type, which has no ONNX counterpart here.
  APInt bits(integer.getWidth(), static_cast<uint64_t>(static_cast<int64_t>(value)),
             /*isSigned=*/false, /*implicitTrunc=*/true);
  return arith::ConstantOp::create(builder, loc, type,
                                   builder.getIntegerAttr(type, bits));
}

double lowestValue(Type type, bool isUnsigned) {
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return -std::numeric_limits<double>::infinity();
  if (isUnsigned || integer.getWidth() == 1)
    return 0;
  return -std::ldexp(1.0, integer.getWidth() - 1);
}

double maxPoolStart(Type type, bool isUnsigned) {
  if (isa<FloatType>(type))
    return -double(std::numeric_limits<float>::max());
  return lowestValue(type, isUnsigned);
}

double highestValue(Type type, bool isUnsigned) {
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return std::numeric_limits<double>::infinity();
  if (isUnsigned || integer.getWidth() == 1)
    return std::ldexp(1.0, integer.getWidth()) - 1;
  return std::ldexp(1.0, integer.getWidth() - 1) - 1;
}

bool hasUnsignedElements(Type tensorType) {
  auto integer =
      dyn_cast<IntegerType>(cast<ShapedType>(tensorType).getElementType());
  return integer && integer.isUnsigned();
}

void addSignlessConversions(TypeConverter &converter) {
  converter.addConversion([](Type type) { return type; });
  converter.addConversion([](RankedTensorType type) -> Type {
    auto integer = dyn_cast<IntegerType>(type.getElementType());
    if (!integer || integer.isSignless())
      return type;
    return type.clone(IntegerType::get(type.getContext(), integer.getWidth()));
  });
}

Value buildElementwise(OpBuilder &builder, Location loc,
                       RankedTensorType resultType, ValueRange inputs,
                       ScalarBody body, ArrayRef<AffineMap> inputMaps) {
  SmallVector<AffineMap> maps;
  for (auto [index, input] : llvm::enumerate(inputs))
    maps.push_back(index < inputMaps.size()
                       ? inputMaps[index]
                       : broadcastMap(cast<RankedTensorType>(input.getType()),
                                      resultType));
  maps.push_back(builder.getMultiDimIdentityMap(resultType.getRank()));
  Value init = tensor::EmptyOp::create(builder, loc, resultType.getShape(),
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, inputs, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value result = body(b, l, args.drop_back());
        linalg::YieldOp::create(b, l, result);
      });
  return generic.getResult(0);
}

Value buildChannelFilled(OpBuilder &builder, Location loc, RankedTensorType type,
                         Value bias) {
  if (!bias)
    return buildFilled(builder, loc, type, 0.0);
  return buildElementwise(
      builder, loc, type, bias,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; },
      channelMap(builder.getContext(), type.getRank()));
}

void yieldMultiplyAdd(OpBuilder &builder, Location loc, ValueRange args) {
  Value product = arith::MulFOp::create(builder, loc, args[0], args[1]);
  linalg::YieldOp::create(
      builder, loc, arith::AddFOp::create(builder, loc, args[2], product).getResult());
}

Value buildRelu(OpBuilder &builder, Location loc, Value x) {
  return arith::MaximumFOp::create(builder, loc, x,
                                   buildFloat(builder, loc, x.getType(), 0.0));
}

Value buildClamp(OpBuilder &builder, Location loc, Value x, double low,
                 double high) {
  Value lower = buildFloat(builder, loc, x.getType(), low);
  Value upper = buildFloat(builder, loc, x.getType(), high);
  return arith::MinimumFOp::create(
      builder, loc, arith::MaximumFOp::create(builder, loc, x, lower), upper);
}

Value buildPower(OpBuilder &b, Location loc, Value x, float beta) {
  if (beta == 1.0f)
    return x;
  if (beta == 0.5f)
    return math::SqrtOp::create(b, loc, x);
  if (beta == 0.75f) {
    Value root = math::SqrtOp::create(b, loc, x);
    return arith::MulFOp::create(b, loc, root, math::SqrtOp::create(b, loc, root));
  }
  return math::PowFOp::create(b, loc, x, buildFloat(b, loc, x.getType(), beta));
}

Value buildFilled(OpBuilder &builder, Location loc, RankedTensorType type,
                  double value) {
  Value empty = tensor::EmptyOp::create(builder, loc, type.getShape(),
                                        type.getElementType());
  Value scalar = buildScalar(builder, loc, type.getElementType(), value);
  return linalg::FillOp::create(builder, loc, scalar, empty).getResult(0);
}

Value buildAxisReduction(OpBuilder &builder, Location loc, Value input,
                         unsigned axis, double initial, ScalarBody combine) {
  auto inputType = cast<RankedTensorType>(input.getType());
  unsigned rank = inputType.getRank();
  SmallVector<int64_t> shape;
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis)
      shape.push_back(inputType.getDimSize(d));
  auto resultType = RankedTensorType::get(shape, inputType.getElementType());
  Value init = buildFilled(builder, loc, resultType, initial);
  SmallVector<AffineMap> maps = {
      builder.getMultiDimIdentityMap(rank),
      dropAxisMap(builder.getContext(), rank, axis)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators[axis] = utils::IteratorType::reduction;
  auto generic = linalg::GenericOp::create(
      builder, loc, resultType, input, init, maps, iterators,
      [&](OpBuilder &b, Location l, ValueRange args) {
        linalg::YieldOp::create(b, l, combine(b, l, args));
      });
  return generic.getResult(0);
}

Value buildSpatialPad(OpBuilder &builder, Location loc, Value input,
                      int64_t top, int64_t left, int64_t bottom, int64_t right,
                      double value) {
  if (top == 0 && left == 0 && bottom == 0 && right == 0)
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low(type.getRank(), 0), high(type.getRank(), 0);
  low[2] = top;
  low[3] = left;
  high[2] = bottom;
  high[3] = right;
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += top + bottom;
  shape[3] += left + right;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Value padValue = buildScalar(builder, loc, type.getElementType(), value);
  return tensor::PadOp::create(
      builder, loc, resultType, input,
      getAsIndexOpFoldResult(builder.getContext(), low),
      getAsIndexOpFoldResult(builder.getContext(), high), padValue);
}

} // namespace incept
