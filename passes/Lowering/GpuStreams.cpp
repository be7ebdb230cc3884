//===- GpuStreams.cpp - the incept-gpu-streams pass -----------------------===//
//
// Independent launches on streams of their own, so that the GPU runs them at
// the same time: an Inception block's branches read the same input and
// write disjoint slices of one concat, and at batch 1 each is too small to
// fill the GPU alone. The launches' dependencies come from the memory they
// read and write (LaunchGraph.h); each launch goes on the stream of a launch
// it waits for where that one is the stream's last, so chains stay on one
// stream, and waits for the others through events.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/Lowering/LaunchGraph.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace incept {
#define GEN_PASS_DEF_GPUSTREAMS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

// The runtime's events, by index (runtime/cuda/Mgpu.c).
constexpr llvm::StringLiteral kRecordEvent = "incept_cuda_record_event";
constexpr llvm::StringLiteral kWaitEvent = "incept_cuda_wait_event";

/// Where each launch runs, and what it waits for beyond its stream's order.
struct StreamPlan {
  SmallVector<unsigned> streamOf;
  /// Launches whose completion a launch waits for (on other streams).
  SmallVector<SmallVector<unsigned>> waits;
  /// The event each waited-for launch records, or -1.
  SmallVector<int32_t> eventOf;
  unsigned streams = 0;
  int32_t events = 0;
};

/// Assigns streams greedily in issue order. A launch continues the stream
/// whose last launch it waits for (the latest of them); else it takes a
/// stream whose last launch happens before it anyway, or an unused one;
/// with `maxStreams` all ending in launches it does not wait for, the one
/// whose last launch is the oldest, which adds a wait that the memory does
/// not ask for.
StreamPlan planStreams(const LaunchGraph &graph, unsigned maxStreams) {
  unsigned count = graph.launches().size();
  StreamPlan plan;
  plan.streamOf.assign(count, 0);
  plan.waits.resize(count);
  plan.eventOf.assign(count, -1);
  SmallVector<int> tail;                 // each stream's last launch, or -1
  SmallVector<llvm::BitVector> ordered;  // what a stream's next launch comes after
  // What happens before each launch as scheduled: its stream's order and
  // the events it waits for, with what happens before those.
  SmallVector<llvm::BitVector> before(count, llvm::BitVector(count));
  for (unsigned launch = 0; launch < count; ++launch) {
    ArrayRef<unsigned> predecessors = graph.predecessors(launch);
    std::optional<unsigned> stream;
    for (unsigned predecessor : predecessors) // latest first
      if (tail[plan.streamOf[predecessor]] == static_cast<int>(predecessor)) {
        stream = plan.streamOf[predecessor];
        break;
      }
    for (unsigned s = 0; !stream && s < tail.size(); ++s)
      if (graph.ancestors(launch).test(tail[s]))
        stream = s;
    if (!stream && tail.size() < maxStreams) {
      stream = tail.size();
      tail.push_back(-1);
      ordered.emplace_back(count);
    }
    if (!stream) {
      stream = 0;
      for (unsigned s = 1; s < tail.size(); ++s)
        if (tail[s] < tail[*stream])
          stream = s;
    }
    llvm::BitVector covered = ordered[*stream];
    for (unsigned predecessor : predecessors) {
      if (covered.test(predecessor))
        continue;
      plan.waits[launch].push_back(predecessor);
      if (plan.eventOf[predecessor] < 0)
        plan.eventOf[predecessor] = plan.events++;
      covered |= before[predecessor];
      covered.set(predecessor);
    }
    before[launch] = covered;
    covered.set(launch);
    ordered[*stream] = std::move(covered);
    tail[*stream] = launch;
    plan.streamOf[launch] = *stream;
  }
  plan.streams = tail.size();
  return plan;
}

struct GpuStreams : impl::GpuStreamsBase<GpuStreams> {
  using GpuStreamsBase::GpuStreamsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      std::optional<LaunchGraph> graph = LaunchGraph::build(func);
      if (!graph || graph->launches().empty())
        continue;
      StreamPlan plan = planStreams(*graph, std::max(1u, unsigned(maxStreams)));
      Builder b(func.getContext());
      auto count = [&](StringRef name, int64_t value) {
        return b.getNamedAttr(name, b.getI64IntegerAttr(value));
      };
      func->setAttr(kGpuStreamsAttr,
                    b.getDictionaryAttr({count("launches", graph->launches().size()),
                                         count("longest_chain", graph->criticalPath()),
                                         count("streams", plan.streams),
                                         count("events", plan.events)}));
      if (plan.streams > 1)
        materialize(module, func, *graph, plan);
    }
  }

  /// The plan in the IR: one `gpu.wait async` a stream at the start (the
  /// runtime's mgpuStreamCreate: the run's stream, then branches of it),
  /// each launch async on its stream, the events recorded after their
  /// launches and waited for before theirs, and one `gpu.wait` at the end
  /// (mgpuStreamDestroy joins the branches back into the run's stream).
  void materialize(ModuleOp module, func::FuncOp func, const LaunchGraph &graph,
                   const StreamPlan &plan) {
    func::FuncOp record = declareStreamFunction(module, kRecordEvent);
    func::FuncOp wait = declareStreamFunction(module, kWaitEvent);
    Block &body = func.getBody().front();
    auto b = OpBuilder::atBlockBegin(&body);
    Location loc = func.getLoc();
    auto tokenType = gpu::AsyncTokenType::get(func.getContext());
    SmallVector<Value> streams;
    for (unsigned s = 0; s < plan.streams; ++s)
      streams.push_back(gpu::WaitOp::create(b, loc, tokenType, ValueRange()).getAsyncToken());
    auto eventIndex = [&](OpBuilder &builder, Location at, int32_t event) {
      return arith::ConstantIntOp::create(builder, at, builder.getI32Type(), event);
    };
    for (auto [index, constLaunch] : llvm::enumerate(graph.launches())) {
      gpu::LaunchFuncOp launch = constLaunch;
      Value stream = streams[plan.streamOf[index]];
      b.setInsertionPoint(launch);
      Location at = launch.getLoc();
      for (unsigned producer : plan.waits[index])
        func::CallOp::create(b, at, wait,
                             ValueRange{stream, eventIndex(b, at, plan.eventOf[producer])});
      launchOnStream(b, launch, stream);
      if (plan.eventOf[index] >= 0)
        func::CallOp::create(b, at, record,
                             ValueRange{stream, eventIndex(b, at, plan.eventOf[index])});
      launch.erase();
    }
    b.setInsertionPoint(body.getTerminator());
    SmallVector<Value> joined(llvm::reverse(streams));
    gpu::WaitOp::create(b, loc, Type(), joined);
  }
};

} // namespace
} // namespace incept
