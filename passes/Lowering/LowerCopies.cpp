//===- LowerCopies.cpp - the incept-lower-copies pass -----------------------===//

#include "passes/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace incept {
#define GEN_PASS_DEF_LOWERCOPIES
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct LowerCopies : impl::LowerCopiesBase<LowerCopies> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    }
  }
};

} // namespace
} // namespace incept
