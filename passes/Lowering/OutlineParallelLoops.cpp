//===- OutlineParallelLoops.cpp - the incept-outline-parallel-loops pass ---===//
//
// A kernel's loop marked `incept.parallel` (KernelBuilders.h) becomes a
// function of its item range, `<kernel>_items(begin, end, args...)`, which
// the kernel hands to `<forward>_parallel_for(items, count, args...)`: the
// model wrapper defines that (ModelInterface.cpp), packing the pointers and
// calling the runtime's incept_parallel_for, which runs the items on the
// context's threads. The items function has the kernel's own arguments (the
// arena, the inputs and outputs), so it needs no captures: the views and
// constants the loop reads are cloned into it, as incept-outline-kernels
// clones them into each kernel.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/KernelBuilders.h"
#include "passes/Lowering/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace incept {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// The ops of `block` that `loop` reads through values defined above it
/// (views, constants, globals) and that compute its step, in block order;
/// fails when one has side effects or regions (then the loop stays serial).
FailureOr<SmallVector<Operation *>> capturedDefinitions(scf::ForOp loop,
                                                        Block &block) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(loop->getRegions(), captured);
  SmallVector<Value> roots(captured.begin(), captured.end());
  roots.push_back(loop.getStep()); // the bounds become the range's
  return pureDefinitionsInBlock(roots, block);
}

bool isConstantIndex(Value value, int64_t expected) {
  auto constant = value.getDefiningOp<arith::ConstantIndexOp>();
  return constant && constant.value() == expected;
}

struct OutlineParallelLoops
    : impl::OutlineParallelLoopsBase<OutlineParallelLoops> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    func::FuncOp forward = findModelEntry(module);
    if (!forward)
      return;
    FunctionType argsType = forward.getFunctionType();
    Type indexType = IndexType::get(context);
    SmallVector<Type> itemsInputs = {indexType, indexType};
    llvm::append_range(itemsInputs, argsType.getInputs());
    auto itemsType = FunctionType::get(context, itemsInputs, {});
    SmallVector<Type> dispatchInputs = {itemsType, indexType};
    llvm::append_range(dispatchInputs, argsType.getInputs());
    auto dispatchType = FunctionType::get(context, dispatchInputs, {});

    func::FuncOp dispatch;
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
    SmallVector<func::FuncOp> kernels;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPrivate() && !func.isExternal() &&
          func.getFunctionType() == argsType)
        kernels.push_back(func);

    for (func::FuncOp kernel : kernels) {
      Block &block = kernel.getBody().front();
      SmallVector<scf::ForOp> loops;
      for (auto loop : block.getOps<scf::ForOp>())
        if (loop->hasAttr(kParallelLoopAttr) && loop.getNumResults() == 0 &&
            isConstantIndex(loop.getLowerBound(), 0) &&
            isConstantIndex(loop.getStep(), 1))
          loops.push_back(loop);
      for (auto [index, loop] : llvm::enumerate(loops)) {
        FailureOr<SmallVector<Operation *>> captured =
            capturedDefinitions(loop, block);
        if (failed(captured))
          continue;
        if (!dispatch) {
          dispatch = func::FuncOp::create(
              moduleBuilder, forward.getLoc(),
              (forward.getSymName() + "_parallel_for").str(), dispatchType);
          dispatch.setPrivate();
        }
        std::string name = (kernel.getSymName() + "_items").str();
        if (index)
          name += std::to_string(index);
        auto items = func::FuncOp::create(moduleBuilder, loop.getLoc(), name,
                                          itemsType);
        items.setPrivate();
        items->setAttr("llvm.linkage",
                       LLVM::LinkageAttr::get(context, LLVM::Linkage::Internal));
        Block *entry = items.addEntryBlock();
        IRMapping mapping;
        mapping.map(block.getArguments(), entry->getArguments().drop_front(2));
        OpBuilder body = OpBuilder::atBlockEnd(entry);
        for (Operation *op : *captured)
          body.clone(*op, mapping);
        auto range = cast<scf::ForOp>(body.clone(*loop, mapping));
        range->removeAttr(kParallelLoopAttr);
        range.setLowerBound(entry->getArgument(0));
        range.setUpperBound(entry->getArgument(1));
        func::ReturnOp::create(body, loop.getLoc());

        OpBuilder call(loop);
        Value itemsRef = func::ConstantOp::create(call, loop.getLoc(), itemsType,
                                                  items.getSymName());
        SmallVector<Value> operands = {itemsRef, loop.getUpperBound()};
        llvm::append_range(operands, block.getArguments());
        func::CallOp::create(call, loop.getLoc(), dispatch, operands);
        loop.erase();
      }
    }
  }
};

} // namespace
} // namespace incept
