//===- ElementwiseToLinalg.cpp - relu, clip, add, mul to linalg ------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

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
    Value result = buildElementwise(
        rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()),
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
    return arith::MaximumFOp::create(b, loc, args[0],
                                     buildFloat(b, loc, args[0].getType(), 0.0));
  }
};

struct ClipLowering : ElementwiseLowering<ClipOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, ClipOp op,
                ValueRange args) const override {
    Type type = args[0].getType();
    Value low = buildFloat(b, loc, type, op.getMin().convertToDouble());
    Value high = buildFloat(b, loc, type, op.getMax().convertToDouble());
    return arith::MinimumFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, args[0], low), high);
  }
};

struct AddLowering : ElementwiseLowering<AddOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, AddOp,
                ValueRange args) const override {
    return arith::AddFOp::create(b, loc, args[0], args[1]);
  }
};

struct MulLowering : ElementwiseLowering<MulOp> {
  using ElementwiseLowering::ElementwiseLowering;
  Value compute(OpBuilder &b, Location loc, MulOp,
                ValueRange args) const override {
    return arith::MulFOp::create(b, loc, args[0], args[1]);
  }
};

} // namespace

void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReluLowering, ClipLowering, AddLowering, MulLowering>(
      patterns.getContext());
}

} // namespace incept
