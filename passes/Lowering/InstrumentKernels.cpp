//===- InstrumentKernels.cpp - the incept-instrument-kernels pass ----------===//

#include "passes/Lowering/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace incept {
#define GEN_PASS_DEF_INSTRUMENTKERNELS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct InstrumentKernels : impl::InstrumentKernelsBase<InstrumentKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    func::FuncOp forward = findModelEntry(module);
    if (!forward)
      return;
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    Type i32 = builder.getI32Type();
    auto hookType = FunctionType::get(context, {i32}, {});
    auto declare = [&](llvm::StringRef name) {
      auto hook = func::FuncOp::create(builder, module.getLoc(), name, hookType);
      hook.setPrivate();
      return hook;
    };
    func::FuncOp begin = declare("incept_profile_begin");
    func::FuncOp end = declare("incept_profile_end");

    SmallVector<Attribute> nodes;
    SmallVector<func::CallOp> calls(forward.getBody().getOps<func::CallOp>());
    for (func::CallOp call : calls) {
      auto kernel = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!kernel || kernel.isExternal())
        continue;
      auto node = kernel->getAttrOfType<StringAttr>(kKernelNodeAttr);
      nodes.push_back(node ? node : StringAttr::get(context, ""));
      OpBuilder at(call);
      Value index = arith::ConstantIntOp::create(at, call.getLoc(), i32,
                                                 nodes.size() - 1);
      func::CallOp::create(at, call.getLoc(), begin, ValueRange{index});
      at.setInsertionPointAfter(call);
      func::CallOp::create(at, call.getLoc(), end, ValueRange{index});
    }
    module->setAttr(kProfiledKernelsAttr, ArrayAttr::get(context, nodes));
  }
};

} // namespace
} // namespace incept
