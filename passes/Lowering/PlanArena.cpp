//===- PlanArena.cpp - the incept-plan-arena pass ---------------------------===//
//
// Turns the activation buffers of a bufferized function into views of one
// caller-owned arena, at offsets planned from liveness. This is what lets a
// compiled model's context own all of its scratch memory (no malloc during an
// inference, two contexts in two threads) and keeps the footprint near the
// peak of live activations rather than their sum.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "dialects/Incept/ElementTypes.h"
#include "passes/Lowering/LaunchGraph.h"

#include "incept/runtime.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace incept {
#define GEN_PASS_DEF_PLANARENA
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

constexpr int64_t kAlignment = INCEPT_ARENA_ALIGNMENT;

int64_t alignUp(int64_t value) {
  return (value + kAlignment - 1) / kAlignment * kAlignment;
}

/// One buffer to place: its allocation, size, and the span of top-level ops
/// (by position in the function's block) during which it is live.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0;
  int64_t offset = -1;
};

/// The position of `op`'s ancestor in `block` (ops nested in loops count as
/// the whole loop).
int64_t positionIn(Block &block, Operation *op,
                   const llvm::DenseMap<Operation *, int64_t> &positions) {
  Operation *ancestor = block.findAncestorOpInBlock(*op);
  return ancestor ? positions.lookup(ancestor) : -1;
}

/// Fills `buffer.last` from every use of the allocation and of every view
/// derived from it, and collects the deallocations to drop.
LogicalResult computeLiveness(Buffer &buffer, Block &block,
                              const llvm::DenseMap<Operation *, int64_t> &positions,
                              SmallVectorImpl<Operation *> &deallocs) {
  SmallVector<Value> worklist = {buffer.alloc.getResult()};
  buffer.last = buffer.first;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user)) {
        deallocs.push_back(user);
        continue;
      }
      if (isa<func::ReturnOp>(user))
        return buffer.alloc.emitError()
               << "cannot plan a buffer that the function returns; run "
                  "buffer-results-to-out-params first";
      int64_t position = positionIn(block, user, positions);
      if (position < 0)
        return user->emitError() << "use of a planned buffer outside its function body";
      buffer.last = std::max(buffer.last, position);
      // Anything that yields a buffer from this one may alias it: views,
      // casts, reshapes. Following every memref result over-approximates
      // the lifetime, which is safe.
      for (Value result : user->getResults())
        if (isa<MemRefType>(result.getType()))
          worklist.push_back(result);
    }
  }
  return success();
}

/// Places buffers largest first, each at the lowest aligned offset where it
/// overlaps no placed buffer whose life overlaps its own. Returns the size.
int64_t placeBuffers(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  // A total order (the buffers' own order last: allocations in one loop
  // share a position), so that the plan is the same on every build; not
  // stable_sort, whose temporary buffer libstdc++ 12 deprecates.
  llvm::sort(order, [](Buffer *a, Buffer *b) {
    if (a->bytes != b->bytes)
      return a->bytes > b->bytes;
    return a->first != b->first ? a->first < b->first : a < b;
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> conflicts;
    for (Buffer *other : placed)
      if (other->first <= buffer->last && buffer->first <= other->last)
        conflicts.push_back(other);
    llvm::sort(conflicts,
               [](Buffer *a, Buffer *b) { return a->offset < b->offset; });
    int64_t offset = 0;
    for (Buffer *other : conflicts) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset, alignUp(other->offset + other->bytes));
    }
    buffer->offset = offset;
    total = std::max(total, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return alignUp(total);
}

/// Where GPU launches that do not depend on each other may run at the same
/// time (incept-gpu-streams), a buffer's bytes are free again only from the
/// first launch on which every later launch comes after all that use it.
void extendToJoins(MutableArrayRef<Buffer> buffers, const LaunchGraph &graph,
                   const llvm::DenseMap<Operation *, int64_t> &positions) {
  unsigned count = graph.launches().size();
  llvm::DenseMap<Value, llvm::BitVector> users;
  for (unsigned launch = 0; launch < count; ++launch)
    for (const MemoryAccess &access : graph.accesses(launch)) {
      auto [it, inserted] = users.try_emplace(access.root, count);
      it->second.set(launch);
    }
  for (Buffer &buffer : buffers) {
    auto it = users.find(buffer.alloc.getResult());
    if (it == users.end())
      continue;
    unsigned join = graph.joinAfter(it->second);
    int64_t end = join == count ? static_cast<int64_t>(positions.size())
                                : positions.lookup(graph.launches()[join]);
    buffer.last = std::max(buffer.last, end - 1);
  }
}

LogicalResult planFunction(func::FuncOp func) {
  if (!func.getBody().hasOneBlock())
    return func.emitError() << "cannot plan the arena of a function with "
                               "more than one block";
  Block &block = func.getBody().front();
  llvm::DenseMap<Operation *, int64_t> positions;
  for (auto [index, op] : llvm::enumerate(block))
    positions[&op] = index;

  SmallVector<Buffer> buffers;
  SmallVector<Operation *> deallocs;
  WalkResult walk = func.walk([&](memref::AllocOp alloc) {
    MemRefType type = alloc.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
      alloc.emitError() << "cannot plan a buffer of type " << type
                        << ": it needs a static shape and the identity layout";
      return WalkResult::interrupt();
    }
    Buffer buffer;
    buffer.alloc = alloc;
    buffer.bytes = type.getNumElements() *
                   llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    buffer.first = positionIn(block, alloc, positions);
    buffers.push_back(buffer);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  for (Buffer &buffer : buffers)
    if (failed(computeLiveness(buffer, block, positions, deallocs)))
      return failure();
  if (std::optional<LaunchGraph> graph = LaunchGraph::build(func))
    extendToJoins(buffers, *graph, positions);

  int64_t total = std::max<int64_t>(placeBuffers(buffers), kAlignment);
  OpBuilder builder(func.getContext());
  auto arenaType = MemRefType::get({total}, builder.getI8Type());
  if (failed(func.insertArgument(0, arenaType,
                                 builder.getDictionaryAttr({builder.getNamedAttr(
                                     kTensorNameAttr, builder.getStringAttr("arena"))}),
                                 func.getLoc())))
    return failure();
  Value arena = func.getArgument(0);

  for (Operation *dealloc : deallocs)
    dealloc->erase();
  for (Buffer &buffer : buffers) {
    builder.setInsertionPoint(buffer.alloc);
    Location loc = buffer.alloc.getLoc();
    Value offset = arith::ConstantIndexOp::create(builder, loc, buffer.offset);
    Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(),
                                        arena, offset, ValueRange());
    buffer.alloc.replaceAllUsesWith(view);
    buffer.alloc.erase();
  }
  func->setAttr(kScratchBytesAttr, builder.getI64IntegerAttr(total));
  return success();
}

struct PlanArena : impl::PlanArenaBase<PlanArena> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(planFunction(func)))
        return signalPassFailure();
  }
};

} // namespace
} // namespace incept
