//===- FuseEpilogue.cpp - the incept-fuse-epilogue pass ===//
//
// TODO(issue 5): not implemented yet; the pass leaves the graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

namespace incept {
#define GEN_PASS_DEF_FUSEEPILOGUE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct FuseEpilogue : impl::FuseEpilogueBase<FuseEpilogue> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
