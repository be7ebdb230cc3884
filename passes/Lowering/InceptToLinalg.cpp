//===- InceptToLinalg.cpp - the convert-incept-to-linalg pass ---------------===//

#include "passes/Lowering/Patterns.h"
#include "passes/Passes.h"

#include "dialects/Incept/InceptDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace incept {
#define GEN_PASS_DEF_CONVERTINCEPTTOLINALG
#include "passes/Passes.h.inc"

namespace {

struct ConvertInceptToLinalg
    : impl::ConvertInceptToLinalgBase<ConvertInceptToLinalg> {
  using ConvertInceptToLinalgBase::ConvertInceptToLinalgBase;
  void runOnOperation() override {
    mlir::MLIRContext *context = &getContext();
    mlir::ConversionTarget target(*context);
    target.addIllegalDialect<InceptDialect>();
    target.addLegalDialect<mlir::arith::ArithDialect, mlir::linalg::LinalgDialect,
                           mlir::math::MathDialect, mlir::tensor::TensorDialect>();
    target.markUnknownOpDynamicallyLegal([](mlir::Operation *) { return true; });

    mlir::RewritePatternSet patterns(context);
    populateConvToLinalgPatterns(patterns, planeLoops);
    populatePoolToLinalgPatterns(patterns);
    populateNormalizationToLinalgPatterns(patterns);
    populateElementwiseToLinalgPatterns(patterns);
    populateStructureToLinalgPatterns(patterns);
    populateClassifierToLinalgPatterns(patterns);
    if (mlir::failed(mlir::applyPartialConversion(getOperation(), target,
                                                  std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace incept
