//===- LowerGpuMath.cpp - the incept-lower-gpu-math pass --------------------===//
//
// The math ops of GPU kernels, lowered so that the PTX is the same wherever
// it is compiled: upstream's convert-gpu-to-nvvm calls libdevice's __nv_*
// for them, which is linked only where a CUDA toolkit is found (and rounds
// sqrt approximately by default), and NVPTX has no instruction for exp, log
// or pow at all. sqrt becomes NVVM's sqrt.rn (IEEE; convert-gpu-to-nvvm
// would turn llvm.sqrt into libdevice too), rsqrt one over it, exp PTX's
// ex2.approx.f32 of x·log2(e) (a few ulp); arith's maxnumf and minnumf, which
// convert-gpu-to-nvvm would also send to libdevice, PTX's max.f32 and
// min.f32. Any other math op has no GPU lowering here and is an error that
// names it.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/Support/MathExtras.h"

namespace incept {
#define GEN_PASS_DEF_LOWERGPUMATH
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct LowerGpuMath : impl::LowerGpuMathBase<LowerGpuMath> {
  void runOnOperation() override {
    SmallVector<Operation *> mathOps;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::MathDialect>(op->getDialect()) ||
          isa<arith::MaxNumFOp, arith::MinNumFOp>(op))
        mathOps.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : mathOps) {
      rewriter.setInsertionPoint(op);
      Location loc = op->getLoc();
      Type type = op->getResultTypes().front();
      // PTX's max.f32 and min.f32 return the operand that is not NaN:
      // maxnumf and minnumf exactly (the max pools' NaN rule).
      if (isa<arith::MaxNumFOp, arith::MinNumFOp>(op) && type.isF32()) {
        StringRef intrinsic =
            isa<arith::MaxNumFOp>(op) ? "llvm.nvvm.fmax.f" : "llvm.nvvm.fmin.f";
        rewriter.replaceOp(op, LLVM::CallIntrinsicOp::create(
                                   rewriter, loc, type, rewriter.getStringAttr(intrinsic),
                                   op->getOperands())
                                   .getResult(0));
        continue;
      }
      if (!type.isF32()) {
        op->emitError() << "no GPU lowering for " << op->getName() << " on " << type;
        return signalPassFailure();
      }
      Value input = op->getOperand(0);
      auto sqrtOf = [&](Value value) -> Value {
        return LLVM::CallIntrinsicOp::create(rewriter, loc, type,
                                             rewriter.getStringAttr("llvm.nvvm.sqrt.rn.f"),
                                             ValueRange{value})
            .getResult(0);
      };
      if (isa<math::SqrtOp>(op)) {
        rewriter.replaceOp(op, sqrtOf(input));
      } else if (isa<math::RsqrtOp>(op)) {
        Value root = sqrtOf(input);
        Value one = arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(1));
        rewriter.replaceOpWithNewOp<arith::DivFOp>(op, one, root);
      } else if (isa<math::ExpOp>(op)) {
        Value log2e = arith::ConstantOp::create(
            rewriter, loc, rewriter.getF32FloatAttr(llvm::numbers::log2ef));
        Value scaled = arith::MulFOp::create(rewriter, loc, input, log2e);
        // PTX's ex2.approx.f32 itself: convert-gpu-to-nvvm refuses
        // llvm.intr.exp2 (it has no libdevice call for it).
        rewriter.replaceOp(op, LLVM::CallIntrinsicOp::create(
                                   rewriter, loc, type,
                                   rewriter.getStringAttr("llvm.nvvm.ex2.approx.f32"),
                                   ValueRange{scaled})
                                   .getResult(0));
      } else {
        op->emitError() << "no GPU lowering for " << op->getName()
                        << " (--target=cuda has sqrt, rsqrt and exp)";
        return signalPassFailure();
      }
    }
  }
};

} // namespace
} // namespace incept
