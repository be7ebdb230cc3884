//===- FoldResidualScale.cpp - the incept-fold-residual-scale pass ===//
//
// TODO(issue 5): not implemented yet; the pass leaves the graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

namespace incept {
#define GEN_PASS_DEF_FOLDRESIDUALSCALE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct FoldResidualScale : impl::FoldResidualScaleBase<FoldResidualScale> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
