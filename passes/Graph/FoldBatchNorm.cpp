//===- FoldBatchNorm.cpp - the incept-fold-batch-norm pass ===//
//
// TODO(issue 5): not implemented yet; the pass leaves the graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

namespace incept {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct FoldBatchNorm : impl::FoldBatchNormBase<FoldBatchNorm> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
