//===- FuseConvChains.cpp - the incept-fuse-conv-chains pass ===//
//
// TODO(issue 5): not implemented yet; the pass leaves the graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

namespace incept {
#define GEN_PASS_DEF_FUSECONVCHAINS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct FuseConvChains : impl::FuseConvChainsBase<FuseConvChains> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
