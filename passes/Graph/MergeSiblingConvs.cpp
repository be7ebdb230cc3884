//===- MergeSiblingConvs.cpp - the incept-merge-sibling-convs pass ===//
//
// TODO(issue 5): not implemented yet; the pass leaves the graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

namespace incept {
#define GEN_PASS_DEF_MERGESIBLINGCONVS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct MergeSiblingConvs : impl::MergeSiblingConvsBase<MergeSiblingConvs> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
