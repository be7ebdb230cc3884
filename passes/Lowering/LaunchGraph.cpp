//===- LaunchGraph.cpp - which GPU launches must wait for which -----------===//

#include "passes/Lowering/LaunchGraph.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <limits>

namespace incept {

using namespace mlir;

namespace {

constexpr int64_t kWhole = std::numeric_limits<int64_t>::max();

/// Whether a kernel reads and writes what its argument points to.
struct ArgumentUse {
  bool reads = false, writes = false;
};

/// How `kernel` uses each of its arguments: through any chain of views, a
/// read or write effect on it; an op that takes the pointer elsewhere (such
/// as extracting it as an integer) or says nothing of its effects counts as
/// both.
SmallVector<ArgumentUse> argumentUses(gpu::GPUFuncOp kernel) {
  SmallVector<ArgumentUse> uses(kernel.getNumArguments());
  for (BlockArgument argument : kernel.getArguments()) {
    if (!isa<MemRefType>(argument.getType()))
      continue;
    ArgumentUse &use = uses[argument.getArgNumber()];
    SmallVector<Value> worklist = {argument};
    while (!worklist.empty()) {
      Value value = worklist.pop_back_val();
      for (Operation *user : value.getUsers()) {
        auto effects = dyn_cast<MemoryEffectOpInterface>(user);
        if (isa<memref::DimOp>(user))
          continue;
        bool yieldsView = llvm::any_of(user->getResultTypes(), llvm::IsaPred<MemRefType>);
        if (effects && effects.hasNoEffect() && yieldsView) {
          for (Value result : user->getResults())
            if (isa<MemRefType>(result.getType()))
              worklist.push_back(result);
          continue;
        }
        if (!effects || effects.hasNoEffect()) {
          use.reads = use.writes = true;
          continue;
        }
        SmallVector<MemoryEffects::EffectInstance> instances;
        effects.getEffectsOnValue(value, instances);
        for (const MemoryEffects::EffectInstance &instance : instances) {
          if (isa<MemoryEffects::Read>(instance.getEffect()))
            use.reads = true;
          else
            use.writes = true;
        }
        for (Value result : user->getResults())
          if (isa<MemRefType>(result.getType()))
            worklist.push_back(result);
      }
    }
  }
  return uses;
}

/// The bytes of its root that `value` spans: through static views to a
/// function argument or an allocation; the whole root where an offset,
/// stride or size is not static.
MemoryAccess footprintOf(Value value) {
  auto type = cast<MemRefType>(value.getType());
  MemoryAccess access;
  int64_t shift = 0;
  bool exact = true;
  Value root = value;
  while (Operation *definition = root.getDefiningOp()) {
    if (auto view = dyn_cast<memref::ViewOp>(definition)) {
      std::optional<int64_t> bytes = getConstantIntValue(view.getByteShift());
      if (!bytes)
        exact = false;
      else
        shift += *bytes;
      root = view.getSource();
    } else if (isa<memref::SubViewOp, memref::CastOp, memref::CollapseShapeOp,
                   memref::ExpandShapeOp, memref::ReinterpretCastOp>(definition)) {
      // These keep the base pointer; the type of the last says where from it.
      root = cast<ViewLikeOpInterface>(definition).getViewSource();
    } else {
      break;
    }
  }
  access.root = root;
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (!exact || !type.hasStaticShape() || failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || llvm::any_of(strides, ShapedType::isDynamic)) {
    access.begin = 0;
    access.end = kWhole;
    return access;
  }
  int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  int64_t last = offset;
  for (auto [size, stride] : llvm::zip_equal(type.getShape(), strides)) {
    if (size == 0)
      return access; // empty: begin == end
    last += (size - 1) * stride;
  }
  access.begin = shift + offset * elementBytes;
  access.end = shift + (last + 1) * elementBytes;
  return access;
}

} // namespace

bool MemoryAccess::conflictsWith(const MemoryAccess &other) const {
  return root == other.root && (writes || other.writes) && begin < other.end &&
         other.begin < end;
}

std::optional<LaunchGraph> LaunchGraph::build(func::FuncOp func) {
  if (!func.getBody().hasOneBlock())
    return std::nullopt;
  LaunchGraph graph;
  llvm::DenseMap<Operation *, SmallVector<ArgumentUse>> kernels;
  SymbolTableCollection symbols;
  for (Operation &op : func.getBody().front()) {
    auto launch = dyn_cast<gpu::LaunchFuncOp>(op);
    if (!launch) {
      // Views, constants, index arithmetic and allocations (what incept-plan-arena
      // places); anything else on memory
      // orders the launches around it in ways the graph does not model.
      if (!isMemoryEffectFree(&op) &&
          !isa<func::ReturnOp, memref::AllocOp, memref::DeallocOp>(op))
        return std::nullopt;
      continue;
    }
    auto kernel = symbols.lookupNearestSymbolFrom<gpu::GPUFuncOp>(launch, launch.getKernel());
    if (!kernel || launch.getNumKernelOperands() != kernel.getNumArguments())
      return std::nullopt;
    auto [it, inserted] = kernels.try_emplace(kernel, SmallVector<ArgumentUse>());
    if (inserted)
      it->second = argumentUses(kernel);
    SmallVector<MemoryAccess> accesses;
    for (auto [operand, use] : llvm::zip_equal(launch.getKernelOperands(), it->second)) {
      if (!isa<MemRefType>(operand.getType()) || !(use.reads || use.writes))
        continue;
      MemoryAccess access = footprintOf(operand);
      access.reads = use.reads;
      access.writes = use.writes;
      if (access.begin < access.end)
        accesses.push_back(access);
    }
    graph.launchOps.push_back(launch);
    graph.memory.push_back(std::move(accesses));
  }

  unsigned count = graph.launchOps.size();
  graph.direct.resize(count);
  graph.before.assign(count, llvm::BitVector(count));
  for (unsigned later = 0; later < count; ++later) {
    // Latest first: an earlier conflict that happens before a dependency
    // already taken needs no edge of its own.
    llvm::BitVector &covered = graph.before[later];
    for (unsigned earlier = later; earlier-- > 0;) {
      if (covered.test(earlier))
        continue;
      bool conflicts = llvm::any_of(graph.memory[later], [&](const MemoryAccess &a) {
        return llvm::any_of(graph.memory[earlier],
                            [&](const MemoryAccess &b) { return a.conflictsWith(b); });
      });
      if (!conflicts)
        continue;
      graph.direct[later].push_back(earlier);
      covered |= graph.before[earlier];
      covered.set(earlier);
    }
  }
  return graph;
}

unsigned LaunchGraph::joinAfter(const llvm::BitVector &launches) const {
  unsigned join = launchOps.size();
  // Scanning back: the join is the first launch of the longest suffix whose
  // launches all come after `launches`.
  for (unsigned later = launchOps.size(); later-- > 0;) {
    llvm::BitVector missing = launches;
    missing.reset(before[later]);
    missing.reset(later);
    if (missing.any())
      break;
    join = later;
  }
  return join;
}

unsigned LaunchGraph::criticalPath() const {
  SmallVector<unsigned> depth(launchOps.size(), 1);
  unsigned longest = 0;
  for (unsigned launch = 0; launch < launchOps.size(); ++launch) {
    for (unsigned predecessor : direct[launch])
      depth[launch] = std::max(depth[launch], depth[predecessor] + 1);
    longest = std::max(longest, depth[launch]);
  }
  return longest;
}

func::FuncOp declareStreamFunction(ModuleOp module, StringRef name) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  auto b = OpBuilder::atBlockBegin(module.getBody());
  MLIRContext *context = module.getContext();
  auto function = func::FuncOp::create(
      b, module.getLoc(), name,
      FunctionType::get(context, {gpu::AsyncTokenType::get(context), b.getI32Type()}, {}));
  function.setPrivate();
  return function;
}

gpu::LaunchFuncOp launchOnStream(OpBuilder &b, gpu::LaunchFuncOp launch, Value stream) {
  gpu::KernelDim3 grid{launch.getGridSizeX(), launch.getGridSizeY(), launch.getGridSizeZ()};
  gpu::KernelDim3 block{launch.getBlockSizeX(), launch.getBlockSizeY(),
                        launch.getBlockSizeZ()};
  std::optional<gpu::KernelDim3> cluster;
  if (launch.hasClusterSize())
    cluster = gpu::KernelDim3{launch.getClusterSizeX(), launch.getClusterSizeY(),
                              launch.getClusterSizeZ()};
  return gpu::LaunchFuncOp::create(b, launch.getLoc(), launch.getKernel(), grid, block,
                                   launch.getDynamicSharedMemorySize(),
                                   launch.getKernelOperands(),
                                   gpu::AsyncTokenType::get(b.getContext()),
                                   ValueRange{stream}, cluster);
}

} // namespace incept
