//===- MergeGpuModules.cpp - the incept-merge-gpu-modules pass --------------===//
//
// gpu-kernel-outlining gives every kernel a gpu.module of its own; a model
// has hundreds. Merged into one, they are one PTX module: one load into the
// driver at the first run instead of hundreds, one ptxas run, one image in
// the library. Each kernel is named after the module it came from, which is
// unique in the model.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace incept {
#define GEN_PASS_DEF_MERGEGPUMODULES
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct MergeGpuModules : impl::MergeGpuModulesBase<MergeGpuModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
    if (gpuModules.size() < 2)
      return;
    gpu::GPUModuleOp merged = gpuModules.front();
    // (module, kernel) → the kernel's name in the merged module.
    llvm::DenseMap<std::pair<StringAttr, StringAttr>, StringAttr> renamed;
    for (gpu::GPUModuleOp gpuModule : gpuModules) {
      SmallVector<gpu::GPUFuncOp> kernels(gpuModule.getOps<gpu::GPUFuncOp>());
      if (kernels.size() != 1 ||
          llvm::any_of(gpuModule.getOps(), [](Operation &op) {
            return !isa<gpu::GPUFuncOp>(op);
          })) {
        gpuModule.emitError("expected a gpu.module of one kernel, as "
                            "gpu-kernel-outlining makes");
        return signalPassFailure();
      }
      gpu::GPUFuncOp kernel = kernels.front();
      StringAttr name = gpuModule.getSymNameAttr();
      renamed[{name, kernel.getNameAttr()}] = name;
      SymbolTable::setSymbolName(kernel, name);
      if (gpuModule != merged)
        kernel->moveBefore(merged.getBody(), merged.getBody()->end());
    }
    WalkResult walk = module.walk([&](gpu::LaunchFuncOp launch) {
      SymbolRefAttr kernel = launch.getKernelAttr();
      auto it = renamed.find({kernel.getRootReference(), kernel.getLeafReference()});
      if (it == renamed.end()) {
        launch.emitError("launches a kernel of no gpu.module of this model");
        return WalkResult::interrupt();
      }
      launch.setKernelAttr(SymbolRefAttr::get(
          merged.getSymNameAttr(), {FlatSymbolRefAttr::get(it->second)}));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    for (gpu::GPUModuleOp gpuModule : llvm::drop_begin(gpuModules))
      gpuModule.erase();
  }
};

} // namespace
} // namespace incept
