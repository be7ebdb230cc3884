//===- FuseConvChains.cpp - the incept-fuse-conv-chains pass --------------===//
//
// A conv whose result only feeds other convs (a 1xN into an Nx1, a 1x1
// reduction into a KxK, one reduction into two parallel convs) becomes the
// producer of an incept.conv_chain with those convs as consumers, which the
// backend computes band by band of rows (ConvChainToLinalg.cpp), so the
// intermediate never goes to memory whole.
//
// Chains are formed greedily in program order: a conv already fused as a
// consumer does not start a chain of its own. Only chains that pay are
// formed (see `pays`).
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/ConvChainBands.h"
#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace incept {
#define GEN_PASS_DEF_FUSECONVCHAINS
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// A conv that a chain may hold: ungrouped f32 with unit dilations, the
/// windows the band lowering is written and measured for, and not lowered by
/// a blocked strategy: bands pay for plane loops, whose rows leave L1, but
/// the blocked kernel tiles its whole plane already and each band would
/// convert its slab to and from the blocked layout (Inception v3 measured
/// 125 ms with the stem chains and 117 ms without).
bool isChainable(ConvOp conv) {
  ConvStrategyAttr strategy = conv.getStrategyAttr();
  return conv.getGroup() == 1 && conv.getType().getElementType().isF32() &&
         llvm::all_of(conv.getDilations(), [](int64_t d) { return d == 1; }) &&
         !(strategy && strategy.isBlocked());
}

/// Consumers have unit strides. A strided consumer's band has fewer output
/// rows than the intermediate rows it reads, so its loops over the band are
/// shorter still while the producer recomputes the same overlap; measured on
/// Inception v4's 3x3 -> 3x3/2 at 35x35, the chain was 7-13% slower. (The
/// producer's stride only changes which input rows it reads.)
bool hasUnitStrides(ConvOp consumer) {
  return llvm::all_of(consumer.getStrides(), [](int64_t s) { return s == 1; });
}

/// The convs that read `producer`'s result, in program order, if nothing
/// else reads it and each reads it once, as its input. A result that goes
/// through incept.slice (merged siblings) or anywhere else is not a chain's.
FailureOr<SmallVector<ConvOp, 4>> consumersOf(ConvOp producer) {
  Value intermediate = producer.getResult();
  if (intermediate.use_empty())
    return failure();
  SmallVector<ConvOp, 4> consumers;
  for (Operation *user : intermediate.getUsers()) {
    auto consumer = dyn_cast<ConvOp>(user);
    if (!consumer || consumer->getBlock() != producer->getBlock() ||
        !isChainable(consumer) || !hasUnitStrides(consumer) ||
        consumer.getInput() != intermediate ||
        llvm::count(consumer->getOperands(), intermediate) != 1)
      return failure();
    if (!llvm::is_contained(consumers, consumer))
      consumers.push_back(consumer);
  }
  llvm::sort(consumers,
             [](ConvOp a, ConvOp b) { return a->isBeforeInBlock(b); });
  return consumers;
}

/// Banding pays when one image's intermediate is larger than
/// `minIntermediateBytes` (default 1 MiB, about the L2 cache of one core) and
/// the rows that neighbouring bands both compute add at most `maxRecompute`
/// (default 10%) of the producer's work, which the bands must pay back.
/// What banding gains is locality: the producer's slab stays in cache, and
/// the planes the conv loops sweep once per output channel and tap are a
/// band's rows instead of a whole image's. Measured one chain at a time, that
/// paid where the intermediate was larger (the stems' 32x149x149: 29% faster;
/// 80x73x73 and 64x73x73: about 5%), but where it fitted in L2 (64x56x56,
/// 96x35x35, 192x17x17) banding only cut the conv loops shorter: up to 13%
/// slower, or no change with one band per image.
bool pays(ConvOp producer, ArrayRef<ConvOp> consumers,
          int64_t minIntermediateBytes, double maxRecompute) {
  FailureOr<ConvChainBands> bands = planConvChainBands(producer, consumers);
  if (failed(bands))
    return false;
  RankedTensorType intermediate = producer.getType();
  int64_t imageBytes =
      intermediate.getNumElements() / intermediate.getDimSize(0) *
      llvm::divideCeil(intermediate.getElementTypeBitWidth(), 8);
  int64_t rows = intermediate.getDimSize(2);
  return imageBytes > minIntermediateBytes &&
         bands->producerRows <=
             static_cast<int64_t>((1 + maxRecompute) * rows);
}

/// Where the chain goes: at the last consumer, where every operand of the
/// convs is defined, provided nothing reads a consumer's result before that
/// (or inside the chain, as a residual: a band has no whole result to read).
Operation *chainPosition(ArrayRef<ConvOp> consumers) {
  Operation *position = consumers.back();
  Block *block = position->getBlock();
  for (ConvOp consumer : consumers)
    for (Operation *user : consumer->getUsers()) {
      Operation *ancestor = block->findAncestorOpInBlock(*user);
      if (!ancestor || ancestor == position ||
          !position->isBeforeInBlock(ancestor))
        return nullptr;
    }
  return position;
}

void formChain(ConvOp producer, ArrayRef<ConvOp> consumers,
               Operation *position) {
  OpBuilder builder(position);
  SmallVector<Type> types;
  SmallVector<Location> locations = {producer.getLoc()};
  for (ConvOp consumer : consumers) {
    types.push_back(consumer.getType());
    locations.push_back(consumer.getLoc());
  }
  Value input = producer.getInput();
  auto chain = ConvChainOp::create(builder, builder.getFusedLoc(locations),
                                   types, input);
  Block *body = builder.createBlock(&chain.getBody(), {}, {input.getType()},
                                    {input.getLoc()});
  producer->moveBefore(body, body->end());
  producer.getInputMutable().assign(body->getArgument(0));
  SmallVector<Value> results;
  for (ConvOp consumer : consumers) {
    consumer->moveBefore(body, body->end());
    results.push_back(consumer.getResult());
  }
  auto yield = YieldOp::create(builder, chain.getLoc(), results);
  for (auto [value, result] : llvm::zip_equal(results, chain.getResults()))
    value.replaceUsesWithIf(
        result, [&](OpOperand &use) { return use.getOwner() != yield; });
}

struct FuseConvChains : impl::FuseConvChainsBase<FuseConvChains> {
  using FuseConvChainsBase::FuseConvChainsBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<ConvOp> convs;
    for (Block &block : func.getBody())
      llvm::append_range(convs, block.getOps<ConvOp>());
    for (ConvOp producer : convs) {
      // A conv moved into a chain as a consumer stays one.
      if (isa<ConvChainOp>(producer->getParentOp()) || !isChainable(producer))
        continue;
      FailureOr<SmallVector<ConvOp, 4>> consumers = consumersOf(producer);
      if (failed(consumers) || 
          !pays(producer, *consumers, minIntermediateBytes, maxRecompute))
        continue;
      if (Operation *position = chainPosition(*consumers))
        formChain(producer, *consumers, position);
    }
  }
};

} // namespace
} // namespace incept
