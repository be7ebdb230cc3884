//===- ConcatInPlace.cpp - the incept-concat-in-place pass ===//
//
// TODO(issue 5): not implemented yet.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace incept {
#define GEN_PASS_DEF_CONCATINPLACE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct ConcatInPlace : impl::ConcatInPlaceBase<ConcatInPlace> {
  void runOnOperation() override {}
};

} // namespace
} // namespace incept
