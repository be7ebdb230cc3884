//===- DistinctResults.cpp - the incept-distinct-results pass ---------------===//
//
// A graph whose outputs are one tensor twice (an Identity to a second output,
// or two nodes that simplification found equal) returns one value twice.
// Every result becomes a caller's output buffer (buffer-results-to-out-
// params), and one buffer cannot be two: upstream MLIR crashed on it. Each
// repeated result gets a copy of its own (bufferization.alloc_tensor with
// the value to copy), which bufferization writes into the second output.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace incept {
#define GEN_PASS_DEF_DISTINCTRESULTS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct DistinctResults : impl::DistinctResultsBase<DistinctResults> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::SmallPtrSet<Value, 8> returned;
      OpBuilder b(ret);
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        if (!type || returned.insert(value).second)
          continue;
        // An allocation, not a tensor.empty: CSE would merge empties, and the
        // copy would then be written in place of the value it copies.
        operand.set(bufferization::AllocTensorOp::create(b, ret.getLoc(), type,
                                                         ValueRange(), value)
                        .getResult());
      }
    });
  }
};

} // namespace
} // namespace incept
