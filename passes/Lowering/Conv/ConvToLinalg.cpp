//===- ConvToLinalg.cpp - incept.conv by its strategy ----------------------===//
//
// A conv is lowered by the builder of its `strategy` attribute (set by
// incept-select-conv-strategy). Without one — at -O0, or where the pass did
// not run — it is the reference lowering, or plane loops with the pass
// option. Every builder ends in one destination-passing op writing a
// tensor.empty of the result type (see Patterns.h).
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/Conv/ConvLowerings.h"
#include "passes/Lowering/Patterns.h"

using namespace mlir;

namespace incept {
namespace {

struct ConvLowering : OpConversionPattern<ConvOp> {
  ConvLowering(MLIRContext *context, bool planeLoops)
      : OpConversionPattern(context), planeLoops(planeLoops) {}
  bool planeLoops;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ConvStrategyAttr strategy = op.getStrategyAttr();
    ConvStrategyKind kind = strategy ? strategy.getKind()
                            : planeLoops ? ConvStrategyKind::plane_loops
                                         : ConvStrategyKind::reference;
    if (kind == ConvStrategyKind::blocked || kind == ConvStrategyKind::winograd) {
      bool winograd = kind == ConvStrategyKind::winograd;
      FailureOr<Value> lowered =
          (winograd ? lowerWinogradConv : lowerBlockedConv)(
              rewriter, op, strategy, adaptor.getInput(), adaptor.getWeight(),
              adaptor.getBias(), adaptor.getResidual());
      if (failed(lowered))
        return op.emitError()
               << "the " << stringifyConvStrategyKind(kind)
               << " conv strategy needs an ungrouped "
               << (winograd ? "3x3 stride-1 conv with unit dilations" : "conv")
               << " and constant weights and bias";
      rewriter.replaceOp(op, *lowered);
      return success();
    }
    rewriter.replaceOp(
        op, lowerReferenceConv(rewriter, op, adaptor.getInput(),
                               adaptor.getWeight(), adaptor.getBias(),
                               adaptor.getResidual(),
                               kind == ConvStrategyKind::plane_loops));
    return success();
  }
};

} // namespace

void populateConvToLinalgPatterns(RewritePatternSet &patterns, bool planeLoops) {
  patterns.add<ConvLowering>(patterns.getContext(), planeLoops);
}

} // namespace incept
