//===- SimplifyGraph.cpp - the incept-simplify-graph pass ===//
//
// TODO(issue 5): not implemented yet; the pass leaves the graph unchanged.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

namespace incept {
#define GEN_PASS_DEF_SIMPLIFYGRAPH
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct SimplifyGraph : impl::SimplifyGraphBase<SimplifyGraph> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
