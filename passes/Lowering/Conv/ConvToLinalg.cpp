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
    if (kind == ConvStrategyKind::blocked) {
      FailureOr<Value> blocked = lowerBlockedConv(
          rewriter, op, strategy, adaptor.getInput(), adaptor.getWeight(),
          adaptor.getBias(), adaptor.getResidual());
      if (failed(blocked))
        return op.emitError("the blocked conv strategy needs an ungrouped "
                            "conv with constant weights and bias");
      rewriter.replaceOp(op, *blocked);
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
