//===- SelectConvStrategy.cpp - the incept-select-conv-strategy pass -------===//
//
// The one place where a conv's lowering is decided; the cost model is in the
// pass description (Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/Graph/Constants.h"
#include "passes/Lowering/Conv/ConvLowerings.h"

#include "dialects/Incept/InceptOps.h"
#include "dialects/Incept/Target.h"

#include "llvm/ADT/StringExtras.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <limits>
#include <optional>

namespace incept {
#define GEN_PASS_DEF_SELECTCONVSTRATEGY
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

constexpr int64_t kMaxTileBlocks = 4;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Cycles of one reduction step (one input channel of one tap) of a tile of
/// tf output blocks × tw pixels, counted in 256-bit halves (`halves` per
/// vector: Zen 4 runs a 512-bit op as two): two FMA and two load pipes, a
/// broadcast is one load, and an accumulator takes a new FMA 5 cycles after
/// its last one: the FMA's latency is 4, but tiles of 8 accumulators, which
/// that would keep both pipes busy, ran 10-28% slower than tiles of 12 on
/// Zen 3 (GoogLeNet's 1x1 convs, 2x4 and 4x2 against 4x3, runs paired by
/// incept-run --against). Weights that do not stay in L1 across tiles
/// (`weightsInL2`) come from L2 at 64 bytes a cycle.
double stepCycles(int64_t tf, int64_t tw, int64_t halves, bool weightsInL2) {
  constexpr double kFmaLatency = 5, kL2BytesPerCycle = 64;
  double fmas = tf * tw * halves / 2.0;
  double loads = (tf * halves + tw) / 2.0;
  if (weightsInL2)
    loads += tf * halves * 32 / kL2BytesPerCycle;
  return std::max({fmas, loads, kFmaLatency});
}

struct Tile {
  int64_t blocks, pixels;
  double cycles; // of the whole tiling
};

/// The cheapest register tile for `outBlocks` output blocks over `pixels`
/// output pixels with `reduction` steps each (C·KH·KW): the steps of every
/// tile, the peeled tails included, plus its stores and the index
/// arithmetic of its pixels.
Tile chooseTile(TargetAttr target, int64_t outBlocks, int64_t pixels,
                int64_t reduction) {
  int64_t registers = target.getVectorRegisters();
  int64_t halves = std::max<int64_t>(1, target.getVectorBits() / 256);
  int64_t lanes = target.getFloatLanes();
  auto tileCost = [&](int64_t tf, int64_t tw) {
    bool weightsInL2 = tf * reduction * lanes * 4 > target.getL1dBytes();
    return stepCycles(tf, tw, halves, weightsInL2) * reduction +
           tf * tw * halves + 4 * tw;
  };
  Tile best{1, 1, std::numeric_limits<double>::infinity()};
  // Largest first: a tie keeps the tile that reads the input and weights
  // fewer times.
  for (int64_t tf = std::min(kMaxTileBlocks, outBlocks); tf >= 1; --tf)
    for (int64_t tw = std::min({(registers - 1) / (tf + 1), registers / 4,
                                pixels});
         tw >= 1; --tw) {
      auto rowOfTiles = [&](int64_t blocks) {
        double cost = (pixels / tw) * tileCost(blocks, tw);
        if (int64_t tail = pixels % tw)
          cost += tileCost(blocks, tail);
        return cost;
      };
      double cost = (outBlocks / tf) * rowOfTiles(tf);
      if (int64_t tailBlocks = outBlocks % tf)
        cost += rowOfTiles(tailBlocks);
      if (cost < best.cycles - 1e-9)
        best = {tf, tw, cost};
    }
  return best;
}

/// Absent, or a weight the blocked lowerings can pack (isWeight).
bool isPackable(Value value) { return !value || isWeight(value); }

/// Cycles to read `bytes` of weights once from beyond L2, when they do not
/// fit L2 (kWeightStreamBytesPerCycle).
double weightStreamCycles(TargetAttr target, double bytes) {
  return bytes > target.getL2Bytes() ? bytes / kWeightStreamBytesPerCycle : 0;
}

/// Cycles of F(4x4, 3x3) for `tiles` 4x4 output tiles, in vector ops of
/// `halves` 256-bit halves at two a cycle: per tile and input block the
/// input transform's 192 adds and FMAs (36 loads, 36 stores of V); per tile
/// and output block the output transform's 140, the bias, the epilogue
/// and 16 stores (about 172); the 36 products as GEMMs of `tiles` pixels
/// over C channels (the tile that wins for them is `gemm`); and U, 36/9 the
/// size of the direct weights, streamed once.
double winogradCycles(TargetAttr target, int64_t tiles, int64_t inBlocks,
                      int64_t outBlocks, const Tile &gemm) {
  int64_t halves = std::max<int64_t>(1, target.getVectorBits() / 256);
  int64_t lanes = target.getFloatLanes();
  double inputTransform = tiles * inBlocks * (192 + 36) * halves / 2.0;
  double outputTransform = tiles * outBlocks * 172 * halves / 2.0;
  double weightBytes = 36.0 * inBlocks * outBlocks * lanes * lanes * 4;
  return inputTransform + 36 * gemm.cycles + outputTransform +
         weightStreamCycles(target, weightBytes);
}

ConvStrategyAttr chooseStrategy(ConvOp conv, TargetAttr target,
                                std::optional<ConvStrategyKind> forced) {
  MLIRContext *context = conv.getContext();
  bool blockable = conv.getGroup() == 1 && isPackable(conv.getWeight()) &&
                   isPackable(conv.getBias());
  bool winogradable = blockable && isWinogradConv(conv);
  ConvStrategyKind kind = forced.value_or(
      blockable ? ConvStrategyKind::blocked : ConvStrategyKind::plane_loops);
  if (kind == ConvStrategyKind::winograd && !winogradable)
    kind = ConvStrategyKind::blocked;
  if (kind == ConvStrategyKind::blocked && !blockable)
    kind = ConvStrategyKind::plane_loops;
  if (kind != ConvStrategyKind::blocked && kind != ConvStrategyKind::winograd)
    return ConvStrategyAttr::get(context, kind, 0, 0, 0);

  auto type = cast<RankedTensorType>(conv.getType());
  auto weight = cast<RankedTensorType>(conv.getWeight().getType());
  int64_t block = target.getFloatLanes();
  int64_t inBlocks = ceilDiv(weight.getDimSize(1), block);
  int64_t outBlocks = ceilDiv(type.getDimSize(1), block);
  int64_t height = type.getDimSize(2), width = type.getDimSize(3);
  int64_t reduction =
      weight.getDimSize(1) * weight.getDimSize(2) * weight.getDimSize(3);
  Tile direct = chooseTile(target, outBlocks, height * width, reduction);
  if (winogradable) {
    int64_t tiles = ceilDiv(height, 4) * ceilDiv(width, 4);
    Tile gemm = chooseTile(target, outBlocks, tiles, weight.getDimSize(1));
    double directCycles =
        direct.cycles +
        weightStreamCycles(target, 9.0 * inBlocks * outBlocks * block * block * 4);
    if (kind == ConvStrategyKind::winograd ||
        (!forced && winogradCycles(target, tiles, inBlocks, outBlocks, gemm) <
                        directCycles))
      return ConvStrategyAttr::get(context, ConvStrategyKind::winograd, block,
                                   gemm.blocks, gemm.pixels);
  }
  return ConvStrategyAttr::get(context, ConvStrategyKind::blocked, block,
                               direct.blocks, direct.pixels);
}

struct SelectConvStrategy
    : impl::SelectConvStrategyBase<SelectConvStrategy> {
  using SelectConvStrategyBase::SelectConvStrategyBase;

  void runOnOperation() override {
    std::optional<ConvStrategyKind> forced;
    if (kind != "auto") {
      forced = symbolizeConvStrategyKind(kind);
      if (!forced) {
        ArrayRef<StringRef> names = convStrategyNames();
        getOperation().emitError()
            << "unknown conv strategy '" << kind << "' in kind= ("
            << llvm::join(names.drop_back(), ", ") << " or " << names.back() << ")";
        return signalPassFailure();
      }
    }
    TargetAttr target = lookupTarget(getOperation());
    if (target.getFloatLanes() < 4 || !target.getFma()) {
      // Below 128-bit vectors with FMA, the blocked kernel has nothing to
      // gain over the loops LLVM vectorises as it can.
      if (!forced)
        forced = ConvStrategyKind::plane_loops;
    }
    getOperation().walk([&](ConvOp conv) {
      conv.setStrategyAttr(chooseStrategy(conv, target, forced));
    });
  }
};

} // namespace

llvm::ArrayRef<llvm::StringRef> convStrategyNames() {
  // "auto", then every kind of ConvStrategyKind in the enum's order.
  static const llvm::SmallVector<llvm::StringRef> names = [] {
    llvm::SmallVector<llvm::StringRef> names = {"auto"};
    for (unsigned kind = 0; kind <= getMaxEnumValForConvStrategyKind(); ++kind)
      names.push_back(stringifyConvStrategyKind(static_cast<ConvStrategyKind>(kind)));
    return names;
  }();
  return names;
}

} // namespace incept
