//===- InstrumentKernels.cpp - the incept-instrument-kernels pass ----------===//

#include "passes/Lowering/LaunchGraph.h"
#include "passes/Lowering/Outlining.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace incept {
#define GEN_PASS_DEF_INSTRUMENTKERNELS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

struct InstrumentKernels : impl::InstrumentKernelsBase<InstrumentKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp forward = findModelEntry(module);
    if (!forward)
      return;
    Block &body = forward.getBody().front();
    SmallVector<Attribute> nodes;
    auto launches = llvm::to_vector(body.getOps<gpu::LaunchFuncOp>());
    if (launches.empty())
      instrumentCalls(module, body, nodes);
    else
      instrumentLaunches(module, launches, nodes);
    module->setAttr(kProfiledKernelsAttr, ArrayAttr::get(&getContext(), nodes));
  }

  /// The number of the next kernel, whose node is `node`.
  Value nextKernel(OpBuilder &b, Location loc, StringRef node,
                   SmallVector<Attribute> &nodes) {
    nodes.push_back(b.getStringAttr(node));
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), nodes.size() - 1);
  }

  /// A CPU library: each call of an outlined kernel, timed on the host.
  void instrumentCalls(ModuleOp module, Block &body, SmallVector<Attribute> &nodes) {
    OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
    auto hookType = FunctionType::get(&getContext(), {builder.getI32Type()}, {});
    auto declare = [&](llvm::StringRef name) {
      auto hook = func::FuncOp::create(builder, module.getLoc(), name, hookType);
      hook.setPrivate();
      return hook;
    };
    func::FuncOp begin = declare("incept_profile_begin");
    func::FuncOp end = declare("incept_profile_end");
    for (func::CallOp call : llvm::to_vector(body.getOps<func::CallOp>())) {
      auto kernel = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (!kernel || kernel.isExternal())
        continue;
      auto node = kernel->getAttrOfType<StringAttr>(kKernelNodeAttr);
      OpBuilder at(call);
      Value index = nextKernel(at, call.getLoc(), node ? node.getValue() : "", nodes);
      func::CallOp::create(at, call.getLoc(), begin, ValueRange{index});
      at.setInsertionPointAfter(call);
      func::CallOp::create(at, call.getLoc(), end, ValueRange{index});
    }
  }

  /// A GPU library: each launch, timed on its stream by the GPU. A launch
  /// on no stream of its own (incept-gpu-streams left the function on one)
  /// gets one for its duration, as gpu-to-llvm would give it: the run's.
  void instrumentLaunches(ModuleOp module, ArrayRef<gpu::LaunchFuncOp> launches,
                          SmallVector<Attribute> &nodes) {
    func::FuncOp begin = declareStreamFunction(module, "incept_cuda_profile_begin");
    func::FuncOp end = declareStreamFunction(module, "incept_cuda_profile_end");
    auto tokenType = gpu::AsyncTokenType::get(&getContext());
    for (gpu::LaunchFuncOp launch : launches) {
      OpBuilder at(launch);
      Location loc = launch.getLoc();
      Value index = nextKernel(at, loc, nodeName(launch), nodes);
      bool ownStream = launch.getAsyncDependencies().empty();
      Value stream = ownStream
                         ? gpu::WaitOp::create(at, loc, tokenType, ValueRange()).getAsyncToken()
                         : launch.getAsyncDependencies().front();
      func::CallOp::create(at, loc, begin, ValueRange{stream, index});
      if (ownStream) {
        gpu::LaunchFuncOp onStream = launchOnStream(at, launch, stream);
        launch.erase();
        launch = onStream;
      }
      at.setInsertionPointAfter(launch);
      func::CallOp::create(at, loc, end, ValueRange{stream, index});
      if (ownStream)
        gpu::WaitOp::create(at, loc, Type(), ValueRange{stream});
    }
  }
};

} // namespace
} // namespace incept
