//===- InceptToLinalg.cpp - the convert-incept-to-linalg pass ---------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"
#include "dialects/Incept/InceptOps.h"
#include "passes/Passes.h"

#include "dialects/Incept/InceptDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"

namespace incept {
#define GEN_PASS_DEF_CONVERTINCEPTTOLINALG
#include "passes/Passes.h.inc"

namespace {

/// A constant tensor of ui8 becomes the same bytes as i8.
struct SignlessConstant : mlir::OpConversionPattern<mlir::arith::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  mlir::LogicalResult
  matchAndRewrite(mlir::arith::ConstantOp op, OpAdaptor,
                  mlir::ConversionPatternRewriter &rewriter) const override {
    auto type = getTypeConverter()->convertType<mlir::RankedTensorType>(op.getType());
    if (!type || type == op.getType())
      return mlir::failure();
    mlir::TypedAttr value;
    if (auto dense = mlir::dyn_cast<mlir::DenseElementsAttr>(op.getValue()))
      value = dense.bitcast(type.getElementType());
    else if (auto resource =
                 mlir::dyn_cast<mlir::DenseResourceElementsAttr>(op.getValue()))
      value = mlir::DenseResourceElementsAttr::get(type, resource.getRawHandle());
    else
      return rewriter.notifyMatchFailure(op, "unknown constant attribute");
    rewriter.replaceOpWithNewOp<mlir::arith::ConstantOp>(op, type, value);
    return mlir::success();
  }
};

struct ConvertInceptToLinalg
    : impl::ConvertInceptToLinalgBase<ConvertInceptToLinalg> {
  using ConvertInceptToLinalgBase::ConvertInceptToLinalgBase;
  void runOnOperation() override {
    mlir::MLIRContext *context = &getContext();
    // uint8 is ui8 in the incept dialect and signless i8 below it: the
    // function's signature, its constants and the integer ops change type.
    mlir::TypeConverter converter;
    addSignlessConversions(converter);

    mlir::ConversionTarget target(*context);
    target.addIllegalDialect<InceptDialect>();
    target.addLegalDialect<mlir::arith::ArithDialect, mlir::linalg::LinalgDialect,
                           mlir::math::MathDialect, mlir::tensor::TensorDialect,
                           mlir::scf::SCFDialect, mlir::vector::VectorDialect>();
    target.markUnknownOpDynamicallyLegal([](mlir::Operation *) { return true; });
    // External weights and their preparation stay for
    // incept-hoist-weight-preparation.
    target.addLegalOp<ExternalWeightOp, PrepareOp>();
    target.addDynamicallyLegalOp<mlir::func::FuncOp>([&](mlir::func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<mlir::func::ReturnOp, mlir::arith::ConstantOp>(
        [&](mlir::Operation *op) { return converter.isLegal(op); });

    static constexpr llvm::StringLiteral kFamilies[] = {
        "conv", "pool", "normalization", "elementwise", "structure", "classifier"};
    for (const std::string &family : families)
      if (!llvm::is_contained(kFamilies, family)) {
        getOperation().emitError() << "unknown op family '" << family
                                   << "' in families=";
        return signalPassFailure();
      }
    auto lowers = [&](llvm::StringRef family) {
      return families.empty() || llvm::is_contained(families, family);
    };

    mlir::RewritePatternSet patterns(context);
    mlir::populateFunctionOpInterfaceTypeConversionPattern<mlir::func::FuncOp>(
        patterns, converter);
    mlir::populateReturnOpTypeConversionPattern(patterns, converter);
    patterns.add<SignlessConstant>(converter, context);
    if (lowers("conv")) {
      populateConvToLinalgPatterns(patterns, planeLoops);
      populateConvChainToLinalgPatterns(patterns);
    }
    if (lowers("pool")) {
      populateBlockedPoolPatterns(patterns);
      populatePoolToLinalgPatterns(patterns, converter, planeLoops);
    }
    if (lowers("normalization")) {
      populateBlockedLrnPatterns(patterns);
      populateNormalizationToLinalgPatterns(patterns);
    }
    if (lowers("elementwise"))
      populateElementwiseToLinalgPatterns(patterns, converter);
    if (lowers("structure")) {
      populateBlockedStructurePatterns(patterns);
      populateStructureToLinalgPatterns(patterns, converter);
    }
    if (lowers("classifier"))
      populateClassifierToLinalgPatterns(patterns);
    if (mlir::failed(mlir::applyPartialConversion(getOperation(), target,
                                                  std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace incept
