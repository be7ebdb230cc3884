//===- CheckGpuHost.cpp - the incept-check-gpu-host pass --------------------===//

#include "passes/Lowering/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace incept {
#define GEN_PASS_DEF_CHECKGPUHOST
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// Whether `op`, on the host, reads or writes memory (allocating and
/// freeing it aside); an op that does not say counts as doing so.
bool touchesMemory(Operation *op) {
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>();
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &effect) {
    return isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect());
  });
}

struct CheckGpuHost : impl::CheckGpuHostBase<CheckGpuHost> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || func.getBody().getOps<gpu::LaunchFuncOp>().empty())
        continue;
      WalkResult result = func.getBody().walk([&](Operation *op) {
        // The launches, the runtime's calls (events, profile hooks) and
        // the streams' waits are what the host does.
        if (isa<gpu::LaunchFuncOp, gpu::WaitOp, func::CallOp, func::ReturnOp>(op) ||
            !touchesMemory(op))
          return WalkResult::advance();
        StringRef node = nodeName(op);
        op->emitError() << "'" << op->getName() << "'"
                        << (node.empty() ? "" : " of node '" + node.str() + "'")
                        << " has no GPU kernel: it would run on the host, on the "
                           "GPU's memory";
        return WalkResult::interrupt();
      });
      if (result.wasInterrupted())
        return signalPassFailure();
    }
  }
};

} // namespace
} // namespace incept
