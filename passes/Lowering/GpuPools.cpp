//===- GpuPools.cpp - the incept-gpu-pools pass ---------------------------===//
//
// Pools as one kernel each, one thread an output element reducing over the
// taps of its window that lie inside the input. The padding is skipped
// rather than read: a pool of a buffer that a pad became (incept-concat-in-
// place: the border filled box by box with the pad value) reads the
// interior, where the pad value is the identity of the pool's combining op
// (a max's lowest float, a sum's 0), so that skipping it changes nothing,
// and the border's fills go. Through linalg's generic path to GPU loops, a
// padded pool was six kernels at batch 1: four border boxes, the output's
// start value, the pool. Reductions of the last dimension (a global average
// pool's sums) get the same kind of kernel, without the fill before them:
// one kernel for two in a row where the first's result is only the
// second's input (the sums over the columns and then the rows), and with
// the elementwise op that alone reads the result done on it before it is
// stored (the division by the pixels). A global average pool was three
// kernels; it is one.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/PaddedBuffers.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/MapVector.h"

namespace incept {
#define GEN_PASS_DEF_GPUPOOLS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// Threads a block: one an output element.
constexpr int64_t kThreads = 256;

/// Creates, at `b`'s point, a gpu.launch of a thread for each of `elements`
/// elements, consecutive threads on consecutive elements, and leaves `b`
/// inside it where the thread's element is one (the last block's surplus
/// threads do nothing); returns the element's index.
Value buildElementLaunch(OpBuilder &b, Location loc, int64_t elements) {
  auto index = [&](int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); };
  Value one = index(1);
  auto launch = gpu::LaunchOp::create(b, loc, index(llvm::divideCeil(elements, kThreads)), one,
                                      one, index(kThreads), one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  gpu::TerminatorOp terminator = gpu::TerminatorOp::create(b, loc);
  b.setInsertionPoint(terminator);
  Value element = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, launch.getBlockIds().x, index(kThreads)),
      launch.getThreadIds().x);
  auto inRange = scf::IfOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, element, index(elements)),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(&inRange.getThenRegion().front());
  return element;
}

/// Whether every operand of `op` is a statically shaped f32 buffer.
bool onStaticF32Buffers(linalg::LinalgOp op) {
  return llvm::all_of(op->getOperands(), [](Value operand) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    return type && type.hasStaticShape() && type.getElementType().isF32();
  });
}

/// How a pool walks its input: per spatial dimension (rows, columns) the
/// window's extent, the stride between outputs and the dilation between
/// taps.
struct PoolShape {
  std::array<int64_t, 2> window, strides, dilations;
};

/// `op`'s shape if it is a pool of static f32 buffers: loops (n, c, oh, ow,
/// kh, kw), the input read at (n, c, oh*s + kh*d, ow*s + kw*d), a window
/// operand at (kh, kw) that the body does not read, the output written at
/// (n, c, oh, ow).
std::optional<PoolShape> poolShapeOf(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != 6 ||
      op.getNumParallelLoops() != 4 || op.getNumReductionLoops() != 2)
    return std::nullopt;
  if (!onStaticF32Buffers(op))
    return std::nullopt;
  OpOperand *input = op.getDpsInputOperand(0), *window = op.getDpsInputOperand(1);
  if (op.payloadUsesValueFromOperand(window))
    return std::nullopt;
  MLIRContext *context = op->getContext();
  auto dim = [&](unsigned i) { return getAffineDimExpr(i, context); };
  if (op.getMatchingIndexingMap(window) != AffineMap::get(6, 0, {dim(4), dim(5)}, context) ||
      op.getMatchingIndexingMap(op.getDpsInitOperand(0)) !=
          AffineMap::get(6, 0, {dim(0), dim(1), dim(2), dim(3)}, context))
    return std::nullopt;
  AffineMap read = op.getMatchingIndexingMap(input);
  if (read.getNumResults() != 4 || read.getResult(0) != dim(0) || read.getResult(1) != dim(1))
    return std::nullopt;
  PoolShape shape;
  auto windowType = cast<MemRefType>(window->get().getType());
  for (int d = 0; d < 2; ++d) {
    // The coefficients of oh (ow) and kh (kw), from the map at unit points;
    // then the map must be exactly their sum.
    AffineExpr at = read.getResult(2 + d);
    auto coefficient = [&](unsigned loop) -> std::optional<int64_t> {
      SmallVector<AffineExpr> point(6, getAffineConstantExpr(0, context));
      point[loop] = getAffineConstantExpr(1, context);
      auto constant = dyn_cast<AffineConstantExpr>(at.replaceDims(point));
      return constant ? std::optional(constant.getValue()) : std::nullopt;
    };
    std::optional<int64_t> stride = coefficient(2 + d), dilation = coefficient(4 + d);
    if (!stride || !dilation || *stride < 1 || *dilation < 1 ||
        at != dim(2 + d) * *stride + dim(4 + d) * *dilation)
      return std::nullopt;
    shape.window[d] = windowType.getDimSize(d);
    shape.strides[d] = *stride;
    shape.dilations[d] = *dilation;
  }
  return shape;
}

/// The op by which `op`'s body (of a pool or a reduction) combines the
/// output (its last argument) with the input (its first), if that is all
/// it does.
Operation *combinerOf(linalg::LinalgOp op) {
  Block &body = op->getRegion(0).front();
  if (body.getOperations().size() != 2)
    return nullptr;
  Operation &combiner = body.front();
  Value in = body.getArgument(0), out = body.getArguments().back();
  if (combiner.getNumOperands() != 2 || combiner.getNumResults() != 1 ||
      !llvm::is_contained(combiner.getOperands(), in) ||
      !llvm::is_contained(combiner.getOperands(), out) ||
      body.getTerminator()->getOperand(0) != combiner.getResult(0))
    return nullptr;
  return &combiner;
}

/// `accumulated` combined with the input value `value` as `op`'s body does.
Value combineWith(OpBuilder &b, linalg::LinalgOp op, Value accumulated, Value value) {
  Block &body = op->getRegion(0).front();
  IRMapping values;
  values.map(body.getArgument(0), value);
  values.map(body.getArguments().back(), accumulated);
  return b.clone(body.front(), values)->getResult(0);
}

/// Whether `op` reduces the last dimension of its one input into its
/// output (a global average pool's sums, over the columns and then the
/// rows): static f32 buffers, every loop parallel but the last, the input
/// read at every loop and the output at all but the last.
bool isLastAxisReduction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() < 2 || op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return false;
  if (!onStaticF32Buffers(op))
    return false;
  unsigned loops = op.getNumLoops();
  AffineMap all = AffineMap::getMultiDimIdentityMap(loops, op->getContext());
  return op.getMatchingIndexingMap(op.getDpsInputOperand(0)) == all &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)) == all.getMajorSubMap(loops - 1);
}

/// Whether combining a value with `padded`'s border value leaves it as it
/// is, so that the pool may skip the border instead of reading it: 0 for a
/// sum; -inf or the lowest float for a max (with the lowest float, a window
/// of -inf alone gives -inf instead: as ONNX, which ignores the padding).
bool padsWithIdentity(const PaddedBuffer &padded, Operation *combiner) {
  auto value = dyn_cast<FloatAttr>(padded.value);
  if (!value)
    return false;
  if (isa<arith::AddFOp>(combiner))
    return value.getValue().isZero();
  if (isa<arith::MaxNumFOp, arith::MaximumFOp>(combiner))
    return value.getValue() <= APFloat::getLargest(value.getValue().getSemantics(),
                                                   /*Negative=*/true);
  return false;
}

/// Builds one pool's kernel at the builder's point.
class PoolKernelBuilder {
public:
  PoolKernelBuilder(OpBuilder &b, linalg::LinalgOp pool, const PoolShape &shape, Value input,
                    std::array<int64_t, 2> padding, Value start)
      : b(b), loc(pool.getLoc()), pool(pool), shape(shape), input(input), padding(padding),
        start(start), output(pool.getDpsInitOperand(0)->get()) {}

  void build();

private:
  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, loc, x, index(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, loc, x, index(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, loc, x, index(y)); }
  Value less(Value x, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, index(bound));
  }

  /// The input's position along spatial dimension `d` of tap `tap` of
  /// output position `out`: negative (huge, as unsigned) above or left of
  /// the input.
  Value inputPosition(int d, Value out, Value tap) {
    Value at = add(mul(out, shape.strides[d]), mul(tap, shape.dilations[d]));
    return padding[d] ? arith::SubIOp::create(b, loc, at, index(padding[d])).getResult() : at;
  }
  /// The body's combination of `accumulated` with the input value `value`.
  Value combine(Value accumulated, Value value) {
    return combineWith(b, pool, accumulated, value);
  }
  /// `accumulated` combined with every tap of the window of `out` (n, c,
  /// row, column) along spatial dimension `d` and those after it that lies
  /// inside the input; `rows` is the input row where d is the columns.
  Value reduce(int d, ArrayRef<Value> out, Value row, Value accumulated);

  OpBuilder &b;
  Location loc;
  linalg::LinalgOp pool;
  const PoolShape &shape;
  Value input;
  std::array<int64_t, 2> padding;
  Value start, output;
};

Value PoolKernelBuilder::reduce(int d, ArrayRef<Value> out, Value row, Value accumulated) {
  auto extent = cast<MemRefType>(input.getType()).getDimSize(2 + d);
  auto loop = scf::ForOp::create(b, loc, index(0), index(shape.window[d]), index(1),
                                 ValueRange{accumulated});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value position = inputPosition(d, out[2 + d], loop.getInductionVar());
  Value current = loop.getRegionIterArgs()[0];
  auto inside = scf::IfOp::create(b, loc, TypeRange{current.getType()},
                                  less(position, extent), /*withElseRegion=*/true);
  b.setInsertionPointToStart(&inside.getThenRegion().front());
  Value next = d == 0 ? reduce(1, out, position, current)
                      : combine(current, memref::LoadOp::create(
                                             b, loc, input,
                                             ValueRange{out[0], out[1], row, position}));
  scf::YieldOp::create(b, loc, next);
  b.setInsertionPointToStart(&inside.getElseRegion().front());
  scf::YieldOp::create(b, loc, current);
  b.setInsertionPointAfter(inside);
  scf::YieldOp::create(b, loc, inside.getResult(0));
  return loop.getResult(0);
}

void PoolKernelBuilder::build() {
  auto outputType = cast<MemRefType>(output.getType());
  ArrayRef<int64_t> dims = outputType.getShape();
  OpBuilder::InsertionGuard guard(b);
  // Consecutive threads take consecutive columns, which read the input side
  // by side (a stride apart).
  Value element = buildElementLaunch(b, loc, outputType.getNumElements());
  Value column = rem(element, dims[3]);
  Value rest = div(element, dims[3]);
  Value row = rem(rest, dims[2]);
  rest = div(rest, dims[2]);
  SmallVector<Value> out = {div(rest, dims[1]), rem(rest, dims[1]), row, column};
  Value initial = start ? start : memref::LoadOp::create(b, loc, output, out).getResult();
  memref::StoreOp::create(b, loc, reduce(0, out, nullptr, initial), output, out);
}

/// The fill of `pool`'s whole output with a constant just before it (but
/// for allocations and views: the window operand, the output's place), if
/// there is one: its constant is the kernel's start value.
linalg::FillOp startOf(linalg::LinalgOp pool) {
  for (Operation *op = pool->getPrevNode(); op; op = op->getPrevNode()) {
    if (auto fill = dyn_cast<linalg::FillOp>(op))
      return fill.getOutputs()[0] == pool.getDpsInitOperand(0)->get() &&
                     fill.getInputs()[0].getDefiningOp<arith::ConstantOp>()
                 ? fill
                 : nullptr;
    if (!isa<memref::AllocOp, memref::SubViewOp, arith::ConstantOp>(op))
      return nullptr;
  }
  return nullptr;
}

/// `reduction`'s kernel at `b`'s point (isLastAxisReduction): one thread an
/// output element, from `start` (or the output's value) over the last
/// `reduced` dimensions of `input` (the reduction's own, or a reduction's
/// before it whose result only it reads, combined as one: then 2); with a
/// `consumer` (consumerOf), the consumer's body on the result, stored to
/// the consumer's output instead.
void buildReductionKernel(OpBuilder &b, linalg::LinalgOp reduction, Value input,
                          unsigned reduced, Value start, linalg::GenericOp consumer) {
  Location loc = reduction.getLoc();
  auto index = [&](int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); };
  Value output = reduction.getDpsInitOperand(0)->get();
  auto outputType = cast<MemRefType>(output.getType());
  ArrayRef<int64_t> inputShape = cast<MemRefType>(input.getType()).getShape();
  OpBuilder::InsertionGuard guard(b);
  Value rest = buildElementLaunch(b, loc, outputType.getNumElements());
  SmallVector<Value> at(outputType.getRank());
  for (int64_t d = outputType.getRank() - 1; d >= 0; --d) {
    Value extent = index(outputType.getDimSize(d));
    at[d] = arith::RemUIOp::create(b, loc, rest, extent);
    rest = arith::DivUIOp::create(b, loc, rest, extent);
  }
  Value initial = start ? start : memref::LoadOp::create(b, loc, output, at).getResult();
  // The reduced dimensions' loops, outermost first, carrying the sum.
  SmallVector<Value> read(at);
  SmallVector<scf::ForOp> loops;
  for (int64_t extent : inputShape.take_back(reduced)) {
    auto loop = scf::ForOp::create(b, loc, index(0), index(extent), index(1),
                                   ValueRange{loops.empty() ? initial
                                                            : loops.back().getRegionIterArgs()[0]});
    if (!loops.empty())
      scf::YieldOp::create(b, loc, loop.getResult(0));
    b.setInsertionPointToStart(loop.getBody());
    read.push_back(loop.getInductionVar());
    loops.push_back(loop);
  }
  Value value = memref::LoadOp::create(b, loc, input, read);
  scf::YieldOp::create(b, loc,
                       combineWith(b, reduction, loops.back().getRegionIterArgs()[0], value));
  b.setInsertionPointAfter(loops.front());
  Value result = loops.front().getResult(0);
  if (!consumer) {
    memref::StoreOp::create(b, loc, result, output, at);
    return;
  }
  Block &body = consumer->getRegion(0).front();
  IRMapping values;
  values.map(body.getArgument(0), result);
  for (Operation &op : body.without_terminator())
    b.clone(op, values);
  memref::StoreOp::create(b, loc, values.lookup(body.getTerminator()->getOperand(0)),
                          consumer.getDpsInitOperand(0)->get(), at);
}

/// Whether `buffer` (an allocation) is used only by `users`.
bool usedOnlyBy(Value buffer, ArrayRef<Operation *> users) {
  return buffer.getDefiningOp<memref::AllocOp>() &&
         llvm::all_of(buffer.getUsers(),
                      [&](Operation *user) { return llvm::is_contained(users, user); });
}

/// The last-axis reduction just before `reduction` (but for allocations
/// and views) that writes its input, from the same start, if that input is
/// an allocation nothing else uses: the two are one reduction of the last
/// two dimensions.
linalg::LinalgOp firstHalfOf(linalg::LinalgOp reduction, linalg::FillOp start) {
  Value input = reduction.getDpsInputOperand(0)->get();
  for (Operation *op = reduction->getPrevNode(); op; op = op->getPrevNode()) {
    if (isa<memref::AllocOp, memref::SubViewOp, arith::ConstantOp>(op) || op == start)
      continue;
    auto before = dyn_cast<linalg::LinalgOp>(op);
    if (!before || !isLastAxisReduction(before) ||
        before.getDpsInitOperand(0)->get() != input || !combinerOf(before) ||
        combinerOf(before)->getName() != combinerOf(reduction)->getName())
      return nullptr;
    linalg::FillOp beforeStart = startOf(before);
    if (!start || !beforeStart || beforeStart.getInputs()[0] != start.getInputs()[0] ||
        !usedOnlyBy(input, {beforeStart, before, reduction}))
      return nullptr;
    // The fused loop starts from the start once, where the first started
    // each of its sums from it: it must change nothing, a sum's zero.
    auto zero = start.getInputs()[0].getDefiningOp<arith::ConstantFloatOp>();
    if (!zero || !zero.value().isZero() || !isa<arith::AddFOp>(combinerOf(reduction)))
      return nullptr;
    return before;
  }
  return nullptr;
}

/// The elementwise op just after `reduction` (but for allocations and
/// views) whose one input is the reduction's result, which nothing else
/// reads: the kernel does it on the result.
linalg::GenericOp consumerOf(linalg::LinalgOp reduction, linalg::FillOp start) {
  Value output = reduction.getDpsInitOperand(0)->get();
  for (Operation *op = reduction->getNextNode(); op; op = op->getNextNode()) {
    if (isa<memref::AllocOp, memref::SubViewOp>(op))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (!generic || generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
        generic.getDpsInputOperand(0)->get() != output ||
        generic.getNumLoops() != generic.getNumParallelLoops() ||
        !llvm::all_of(generic.getIndexingMapsArray(),
                      [](AffineMap map) { return map.isIdentity(); }) ||
        generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)) ||
        generic.getDpsInitOperand(0)->get().getType() != output.getType() ||
        !usedOnlyBy(output, {start, reduction, generic}))
      return nullptr;
    return generic;
  }
  return nullptr;
}

struct GpuPools : impl::GpuPoolsBase<GpuPools> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> pools;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (poolShapeOf(op) && combinerOf(op))
        pools.push_back(op);
    });
    llvm::MapVector<Operation *, PaddedBuffer> paddedInputs;
    for (linalg::LinalgOp pool : pools) {
      PoolShape shape = *poolShapeOf(pool);
      Value input = pool.getDpsInputOperand(0)->get();
      std::array<int64_t, 2> padding = {0, 0};
      std::optional<PaddedBuffer> padded = paddedBufferOf(input);
      if (padded && padsWithIdentity(*padded, combinerOf(pool)) &&
          padded->padsOnlyRowsAndColumns() && padded->holdsBorderAt(pool)) {
        input = contentsFor(*padded, pool);
        padding = {padded->low[2], padded->low[3]};
        paddedInputs.try_emplace(padded->buffer, *padded);
      }
      OpBuilder b(pool);
      linalg::FillOp fill = startOf(pool);
      PoolKernelBuilder(b, pool, shape, input, padding, fill ? fill.getInputs()[0] : nullptr)
          .build();
      Value window = pool.getDpsInputOperand(1)->get();
      pool->erase();
      if (fill)
        fill->erase();
      if (window.use_empty() && window.getDefiningOp<memref::AllocOp>())
        window.getDefiningOp()->erase();
    }
    for (const PaddedBuffer &padded : llvm::make_second_range(paddedInputs))
      eraseUnreadBorder(padded);

    SmallVector<linalg::LinalgOp> reductions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isLastAxisReduction(op) && combinerOf(op))
        reductions.push_back(op);
    });
    DenseSet<Operation *> done;
    for (linalg::LinalgOp reduction : llvm::reverse(reductions)) {
      if (done.contains(reduction))
        continue;
      OpBuilder b(reduction);
      linalg::FillOp fill = startOf(reduction);
      linalg::LinalgOp first = firstHalfOf(reduction, fill);
      linalg::GenericOp consumer = consumerOf(reduction, fill);
      if (consumer) { // the kernel writes the consumer's output: it must exist
        SmallVector<Operation *> between;
        for (Operation *op = reduction->getNextNode(); op != consumer; op = op->getNextNode())
          between.push_back(op);
        for (Operation *op : between)
          op->moveBefore(reduction);
      }
      buildReductionKernel(b, reduction,
                           (first ? first : reduction).getDpsInputOperand(0)->get(),
                           first ? 2 : 1, fill ? fill.getInputs()[0] : nullptr, consumer);
      SmallVector<Operation *> gone = {reduction, fill, consumer};
      if (first)
        gone.append({first, startOf(first)});
      Value output = reduction.getDpsInitOperand(0)->get(),
            between = first ? first.getDpsInitOperand(0)->get() : Value();
      for (Operation *op : gone)
        if (op) {
          done.insert(op);
          op->erase();
        }
      // The sums between the two, and with a consumer the result, are
      // buffers no one reads any more.
      for (Value buffer : {consumer ? output : Value(), between})
        if (buffer && buffer.use_empty() && buffer.getDefiningOp<memref::AllocOp>())
          buffer.getDefiningOp()->erase();
    }
  }
};

} // namespace
} // namespace incept
