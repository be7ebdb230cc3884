//===- OutlineKernels.cpp - the incept-outline-kernels pass -----------------===//

#include "passes/Lowering/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace incept {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// A kernel body: `op` and the side-effect-free ops of the top-level block
/// that compute what it reads (views, constants, globals), in block order.
/// Fails when it reads something else (then it stays inline).
FailureOr<SmallVector<Operation *>> kernelSlice(Operation *op, Block &block) {
  SmallVector<Value> roots(op->getOperands());
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(op->getRegions(), captured);
  roots.append(captured.begin(), captured.end());
  FailureOr<SmallVector<Operation *>> slice = pureDefinitionsInBlock(roots, block);
  if (succeeded(slice))
    slice->push_back(op);
  return slice;
}


std::string kernelName(func::FuncOp parent, Operation *op, unsigned index) {
  std::string node;
  for (char c : nodeName(op))
    node += llvm::isAlnum(c) ? c : '_';
  return parent.getSymName().str() + "_" + std::to_string(index) +
         (node.empty() ? "" : "_" + node);
}

void outlineKernels(func::FuncOp func) {
  Block &block = func.getBody().front();
  SmallVector<Operation *> kernels;
  for (Operation &op : block)
    if (op.getNumRegions() != 0 && !isa<func::ReturnOp>(op))
      kernels.push_back(&op);

  OpBuilder builder(func);
  builder.setInsertionPointAfter(func);
  MLIRContext *context = func.getContext();
  for (auto [index, op] : llvm::enumerate(kernels)) {
    FailureOr<SmallVector<Operation *>> slice = kernelSlice(op, block);
    if (failed(slice) || op->getNumResults() != 0)
      continue;
    auto kernel = func::FuncOp::create(builder, op->getLoc(),
                                       kernelName(func, op, index),
                                       func.getFunctionType());
    kernel.setPrivate();
    // Kept apart: inlined back, they would be one huge function again.
    kernel->setAttr("passthrough",
                    ArrayAttr::get(context, {StringAttr::get(context, "noinline")}));
    kernel->setAttr("llvm.linkage",
                    LLVM::LinkageAttr::get(context, LLVM::Linkage::Internal));
    kernel->setAttr(kKernelNodeAttr, StringAttr::get(context, nodeName(op)));
    Block *entry = kernel.addEntryBlock();
    IRMapping mapping;
    mapping.map(block.getArguments(), entry->getArguments());
    OpBuilder body = OpBuilder::atBlockEnd(entry);
    for (Operation *sliceOp : *slice)
      body.clone(*sliceOp, mapping);
    func::ReturnOp::create(body, op->getLoc());

    OpBuilder call(op);
    func::CallOp::create(call, op->getLoc(), kernel, block.getArguments());
    op->erase();
  }
  // What only the kernels read is dead in the caller now.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (op.use_empty() && isMemoryEffectFree(&op) && !op.hasTrait<OpTrait::IsTerminator>())
      op.erase();
}

struct OutlineKernels : impl::OutlineKernelsBase<OutlineKernels> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> funcs;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && func.isPublic() && func.getBody().hasOneBlock())
        funcs.push_back(func);
    for (func::FuncOp func : funcs)
      outlineKernels(func);
  }
};

} // namespace

FailureOr<SmallVector<Operation *>> pureDefinitionsInBlock(ArrayRef<Value> values,
                                                           Block &block) {
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> worklist(values);
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    Operation *def = value.getDefiningOp();
    if (!def)
      continue; // a block argument: the new function has the same ones
    if (def->getBlock() != &block || !isMemoryEffectFree(def) ||
        def->getNumRegions() != 0)
      return failure();
    if (slice.insert(def))
      worklist.append(def->getOperands().begin(), def->getOperands().end());
  }
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return ordered;
}

llvm::StringRef nodeName(Operation *op) {
  if (auto name = op->getLoc()->findInstanceOf<NameLoc>())
    return name.getName().strref();
  return "";
}

func::FuncOp findModelEntry(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    if (func.isPublic() && func->hasAttr(kScratchBytesAttr))
      return func;
  return {};
}

} // namespace incept
