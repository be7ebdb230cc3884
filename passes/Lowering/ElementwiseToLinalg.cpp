//===- ElementwiseToLinalg.cpp - relu, clip, add, mul to linalg ------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <algorithm>

using namespace mlir;

namespace incept {
namespace {

/// One elementwise op: `compute` on the scalars of the op's operands, which
/// broadcast NumPy-style to the result.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpConversionPattern<OpTy>::OpAdaptor;

  virtual Value compute(OpBuilder &b, Location loc, OpTy op,
                        ValueRange args) const = 0;

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType =
        this->getTypeConverter()->template convertType<RankedTensorType>(
            op.getType());
    if (!resultType)
      return failure();
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType,
        adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return compute(b, loc, op, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ReluLowering : ElementwiseLowering<ReluOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, ReluOp,
                ValueRange args) const override {
    return buildRelu(b, loc, args[0]);
  }
};

struct ClipLowering : ElementwiseLowering<ClipOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, ClipOp op,
                ValueRange args) const override {
    Type type = args[0].getType();
    if (isa<FloatType>(type))
      return buildClamp(b, loc, args[0], op.getMin().convertToDouble(),
                        op.getMax().convertToDouble());
    // Integers: an infinite bound is the type's limit (the verifier allows
    // only integral bounds otherwise); uint8 compares unsigned.
    bool isUnsigned = hasUnsignedElements(op.getType());
    double lowest = lowestValue(type, isUnsigned);
    double highest = highestValue(type, isUnsigned);
    Value low = buildScalar(
        b, loc, type, std::clamp(op.getMin().convertToDouble(), lowest, highest));
    Value high = buildScalar(
        b, loc, type, std::clamp(op.getMax().convertToDouble(), lowest, highest));
    if (isUnsigned)
      return arith::MinUIOp::create(
          b, loc, arith::MaxUIOp::create(b, loc, args[0], low), high);
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, args[0], low), high);
  }
};

/// Integers wrap around, as ONNX Runtime's and NumPy's do.
struct AddLowering : ElementwiseLowering<AddOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, AddOp,
                ValueRange args) const override {
    if (isa<IntegerType>(args[0].getType()))
      return arith::AddIOp::create(b, loc, args[0], args[1]);
    return arith::AddFOp::create(b, loc, args[0], args[1]);
  }
};

struct MulLowering : ElementwiseLowering<MulOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, MulOp,
                ValueRange args) const override {
    if (isa<IntegerType>(args[0].getType()))
      return arith::MulIOp::create(b, loc, args[0], args[1]);
    return arith::MulFOp::create(b, loc, args[0], args[1]);
  }
};

} // namespace

void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns,
                                         const TypeConverter &converter) {
  patterns.add<ReluLowering, ClipLowering, AddLowering, MulLowering>(
      converter, patterns.getContext());
}

} // namespace incept
