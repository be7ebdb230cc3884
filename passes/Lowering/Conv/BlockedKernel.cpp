//===- BlockedKernel.cpp - the register-tiled kernel on blocked tensors ---===//
//
// For each image, each group of `tile_f` output-channel blocks and each tile
// of `tile_w` consecutive output pixels (pixels are numbered over the whole
// output plane, so small planes fill whole tiles), the tile_f × tile_w
// accumulators start as the bias and are carried in registers, as loop
// values, across the whole reduction over input-channel blocks and kernel
// taps. Per input channel the body broadcasts one input value per pixel,
// then loads each output block's weights and issues that block's FMAs at
// once (the order measured in ../shared/toolchain.md: loading all weights
// first makes the register allocator spill). The epilogue (residual scale,
// residual, activation) runs on the accumulators before the one store.
// Tails (a last group of fewer blocks, a last tile of fewer pixels, a last
// channel block of fewer channels) are peeled with their own static sizes,
// so no loop has a bounds check; the input comes zero-padded, blocked (or,
// for the stem, as the image's planes).
// When a group's weights do not fit in half of L1, the reduction is split
// into passes over slices of the input blocks that do, each over all of a
// work item's tiles, the partial sums stored in the output in between (as
// MLAS and oneDNN block K): the weights are then read from L1, not L2,
// for all but the first tile of a pass. Each tile of a pass prefetches its
// part of the weights of the pass after it (or of the next group), so that
// the first tile of a pass does not wait for them.
//
// Weights are packed (incept_prepare_pack_blocked: at compile time, or at
// create for external weights) into the order the kernel reads them: per
// group of output blocks, [C/c][KH][KW][c_in][tile_f][c_out], one stream;
// the partial last block of input channels (the image's 3) holds only its
// channels, so that its taps are dense (BlockedShape::blockChannels).
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/Conv/BlockedKernel.h"
#include "passes/Lowering/Conv/ConvLowerings.h"
#include "passes/Lowering/KernelBuilders.h"

#include "passes/Graph/Constants.h"
#include "incept/prepare.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace mlir;

namespace incept {
namespace {

/// The items of one kind of group (full, or the narrower last one): each
/// group's `tiles` pixel tiles in `chunks` runs of tilesPerChunk (the last
/// run may be shorter).
struct TileRuns {
  int64_t tiles = 0, chunks = 0, tilesPerChunk = 0;

  static TileRuns of(int64_t tiles, int64_t chunks) {
    int64_t perChunk = ceilDiv(tiles, std::clamp<int64_t>(chunks, 1, tiles));
    return {tiles, ceilDiv(tiles, perChunk), perChunk};
  }
  /// Tiles in run `chunk`.
  int64_t tilesIn(int64_t chunk) const {
    return std::min(tilesPerChunk, tiles - chunk * tilesPerChunk);
  }
};

/// How a conv's work is cut into the items of its parallel loop: per image,
/// `full.chunks` items for each full group of tile_f output blocks, then
/// `tail.chunks` for the narrower last group, if any.
struct ItemPlan {
  TileRuns full, tail;

  int64_t itemsPerImage(const BlockedShape &s) const {
    return s.fullGroups() * full.chunks +
           (s.lastGroupBlocks() ? tail.chunks : 0);
  }
};

/// The plan whose busiest thread has the least work when the pool hands
/// thread t of T the items [N·t/T, N·(t+1)/T) (runtime/lib/ThreadPool.c),
/// T = parallelThreadsFor the target's cores, among those of at least
/// parallelItemsFor items (or as many as there are tiles) and up to 4 times
/// that; ties go to fewer items. A thread's work is its tiles' FMA cycles,
/// plus the weights of each group it has items of, streamed from beyond L2
/// once (at batch 1 no layer's weights stay in a cache from one inference
/// to the next): cutting a group into runs that two threads share makes
/// both read its weights, which costs more than it balances where a layer
/// has few pixels for many weights (Inception v3's 8x8 1x1 convs from 2048
/// channels ran no faster on two threads than on one in runs of 4 of their
/// 11 tiles). A narrower last group gets proportionally fewer, longer runs,
/// so that its items cost about what the others do: with 14 blocks in
/// groups of 4 (Inception v4's 224-channel convs), equal runs for all four
/// groups left one thread of two with a quarter less work than the other.
ItemPlan chooseItemPlan(const BlockedShape &s) {
  int64_t tiles = ceilDiv(s.outHeight * s.outWidth, s.tileW);
  int64_t fullGroups = s.fullGroups(), tail = s.lastGroupBlocks();
  int64_t threads = parallelThreadsFor(s.cores);
  int64_t target = parallelItemsFor(s.cores);
  int64_t most = s.images * (fullGroups + (tail ? 1 : 0)) * tiles;
  // Cycles of one tile of one output block (a 256-bit FMA for each 8 lanes,
  // two a cycle), and of streaming the weights of one output block.
  int64_t steps = s.inBlocks * s.block * s.kernelHeight * s.kernelWidth;
  double blockTileCycles = steps * s.tileW * (s.block / 8) / 2.0;
  double blockWeightCycles = steps * s.block * 4 / kWeightStreamBytesPerCycle;
  struct Item {
    double cycles;
    int64_t weights; // which set and group of weights it reads
    int64_t blocks;
  };
  auto busiestThread = [&](const ItemPlan &plan) {
    SmallVector<Item> items;
    for (int64_t image = 0; image < s.images; ++image) {
      int64_t set = s.imagesPerWeightSet ? image / s.imagesPerWeightSet : 0;
      auto add = [&](int64_t group, int64_t blocks, const TileRuns &runs) {
        for (int64_t chunk = 0; chunk < runs.chunks; ++chunk)
          items.push_back({blocks * runs.tilesIn(chunk) * blockTileCycles,
                           set * (fullGroups + 1) + group, blocks});
      };
      for (int64_t group = 0; group < fullGroups; ++group)
        add(group, s.tileF, plan.full);
      if (tail)
        add(fullGroups, tail, plan.tail);
    }
    int64_t n = items.size();
    double busiest = 0;
    for (int64_t t = 0; t < threads; ++t) {
      double work = 0;
      for (int64_t i = n * t / threads; i < n * (t + 1) / threads; ++i) {
        work += items[i].cycles;
        // A group's items are consecutive: its weights stream with the first.
        if (i == n * t / threads || items[i].weights != items[i - 1].weights)
          work += items[i].blocks * blockWeightCycles;
      }
      busiest = std::max(busiest, work);
    }
    return busiest;
  };
  std::optional<ItemPlan> best;
  double bestCost = 0;
  for (int64_t chunks = 1; chunks <= tiles; ++chunks) {
    // The last group's runs, rounded both ways; alone, it takes `chunks`.
    double tailChunks = fullGroups ? double(chunks) * tail / s.tileF : chunks;
    int64_t fewest = std::numeric_limits<int64_t>::max();
    for (double rounded : {std::floor(tailChunks), std::ceil(tailChunks)}) {
      int64_t lastChunks = std::max<int64_t>(rounded, 1);
      // The runs asked for, before whole tiles round them down (9 tiles in
      // 8 runs are 5 runs of 2).
      int64_t asked = s.images * (fullGroups * chunks + (tail ? lastChunks : 0));
      fewest = std::min(fewest, asked);
      if (asked < std::min(target, most))
        continue;
      ItemPlan plan{TileRuns::of(tiles, chunks), TileRuns::of(tiles, lastChunks)};
      double cost = busiestThread(plan);
      if (!best || cost < bestCost * (1 - 1e-9))
        best = plan, bestCost = cost;
    }
    if (best && fewest >= 4 * target)
      break;
  }
  return *best;
}

/// The kernel of one conv, on blocked tensors; see the file comment.
class KernelBuilder {
public:
  KernelBuilder(const BlockedShape &shape, Value input, Value weights,
                Value bias, const ConvEpilogue &epilogue)
      : s(shape), input(input), weights(weights), bias(bias),
        epilogue(epilogue) {}

  /// The work is split into independent items — an image, a group of
  /// output blocks, a run of pixel tiles — that the context's threads share
  /// (one parallel loop), as chooseItemPlan cuts it: per image, the items
  /// of the full groups of tile_f blocks, then those of the narrower last
  /// group.
  Value build(OpBuilder &b, Location loc, RankedTensorType outType) {
    vectorType = VectorType::get({s.block}, outType.getElementType());
    Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                         outType.getElementType());
    ItemPlan plan = chooseItemPlan(s);
    int64_t fullGroups = s.fullGroups(), tail = s.lastGroupBlocks();
    int64_t fullItems = fullGroups * plan.full.chunks;
    int64_t perImage = plan.itemsPerImage(s);
    return buildParallelLoop(
        b, loc, s.images * perImage, init,
        [&](OpBuilder &b, Value item, ValueRange out) {
          Value image = buildIndex(b, loc, 0), rest = item;
          if (s.images > 1) {
            image = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, perImage));
            rest = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, perImage));
          }
          // Item `index` of the `groups` groups of tf blocks from
          // `firstGroup` on, each cut into `runs`.
          auto itemOf = [&](OpBuilder &b, int64_t tf, const TileRuns &runs,
                            int64_t firstGroup, int64_t groups, Value index) {
            Value chunks = buildIndex(b, loc, runs.chunks);
            Value group = buildIndex(b, loc, firstGroup), chunk = index;
            if (groups > 1) {
              group = buildAddConstant(
                  b, loc, arith::DivUIOp::create(b, loc, index, chunks), firstGroup);
              chunk = arith::RemUIOp::create(b, loc, index, chunks);
            }
            Value firstTile = buildMulAdd(b, loc, chunk, runs.tilesPerChunk, {});
            Value endTile = arith::MinUIOp::create(
                b, loc, buildAddConstant(b, loc, firstTile, runs.tilesPerChunk),
                buildIndex(b, loc, runs.tiles));
            return buildGroup(b, loc, image, group, tf, runs.tilesPerChunk,
                              firstTile, endTile, out[0]);
          };
          if (!tail)
            return SmallVector<Value>{
                itemOf(b, s.tileF, plan.full, 0, fullGroups, rest)};
          if (!fullGroups)
            return SmallVector<Value>{itemOf(b, tail, plan.tail, 0, 1, rest)};
          Value isFull = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                               rest, buildIndex(b, loc, fullItems));
          return SmallVector<Value>{buildIf(
              b, loc, isFull, out[0].getType(),
              [&](OpBuilder &b) {
                return itemOf(b, s.tileF, plan.full, 0, fullGroups, rest);
              },
              [&](OpBuilder &b) {
                return itemOf(b, tail, plan.tail, fullGroups, 1,
                              buildAddConstant(b, loc, rest, -fullItems));
              })};
        })[0];
  }

private:
  /// Group `group` of tf output blocks over pixel tiles [firstTile,
  /// endTile), at most tilesPerItem of them.
  Value buildGroup(OpBuilder &b, Location loc, Value image, Value group,
                   int64_t tf, int64_t tilesPerItem, Value firstTile,
                   Value endTile, Value out) {
    Value firstBlock = buildMulAdd(b, loc, group, s.tileF, {});
    Value weightBase = buildMulAdd(b, loc, group, s.groupWeights(), {});
    if (s.imagesPerWeightSet) {
      Value set = arith::DivUIOp::create(
          b, loc, image, buildIndex(b, loc, s.imagesPerWeightSet));
      weightBase = buildMulAdd(b, loc, set, s.weightSet(), weightBase);
    }
    return buildTiles(b, loc, image, firstBlock, weightBase, tf, tilesPerItem,
                      firstTile, endTile, out);
  }

  /// Tiles [firstTile, endTile) of tf output blocks, in passes over the
  /// input-channel blocks when the group's weights are larger than half of
  /// L1 (BlockedShape::l1Bytes) and the item has several tiles: each pass
  /// runs over all of the item's tiles, so that its slice of the weights
  /// stays in L1 from one tile to the next instead of streaming from L2 for
  /// every tile; the accumulators go through the output between passes.
  Value buildTiles(OpBuilder &b, Location loc, Value image, Value firstBlock,
                   Value weightBase, int64_t tf, int64_t tilesPerItem,
                   Value firstTile, Value endTile, Value out) {
    auto tilesOf = [&](OpBuilder &b, const ReductionPass &pass, Value out) {
      return buildPassTiles(b, loc, image, firstBlock, weightBase, tf, pass,
                            tilesPerItem, firstTile, endTile, out);
    };
    int64_t fullBlocks = s.inChannels / s.block;
    int64_t blockBytes = s.inputBlockWeights(tf) * 4;
    int64_t perPass = std::max<int64_t>(1, s.l1Bytes / 2 / blockBytes);
    if (!s.l1Bytes || tilesPerItem < 2 || perPass >= fullBlocks)
      return tilesOf(b, {buildIndex(b, loc, 0), fullBlocks, true, true}, out);
    int64_t passes = ceilDiv(fullBlocks, perPass);
    out = tilesOf(b, {buildIndex(b, loc, 0), perPass, true, false}, out);
    if (passes > 2)
      out = buildLoop(b, loc, 1, passes - 1, out,
                      [&](OpBuilder &b, Value pass, ValueRange out) {
                        return SmallVector<Value>{tilesOf(
                            b, {buildMulAdd(b, loc, pass, perPass, {}), perPass,
                                false, false},
                            out[0])};
                      })[0];
    return tilesOf(b,
                   {buildIndex(b, loc, (passes - 1) * perPass),
                    fullBlocks - (passes - 1) * perPass, false, true},
                   out);
  }

  /// One pass of the reduction: `blocks` whole input-channel blocks from
  /// `firstBlock` on, and in the last pass the partial block past them (the
  /// image's three channels). The first starts from the bias, the others
  /// from what the previous pass stored; the last applies the epilogue.
  struct ReductionPass {
    Value firstBlock;
    int64_t blocks;
    bool first, last;
  };

  /// Tiles [firstTile, endTile) of tf output blocks in one reduction pass;
  /// the last tile of the plane may hold fewer pixels.
  Value buildPassTiles(OpBuilder &b, Location loc, Value image, Value firstBlock,
                       Value weightBase, int64_t tf, const ReductionPass &pass,
                       int64_t tilesPerItem, Value firstTile, Value endTile,
                       Value out) {
    int64_t pixels = s.outHeight * s.outWidth;
    int64_t fullTiles = pixels / s.tileW, tail = pixels % s.tileW;
    Value fullEnd = arith::MinUIOp::create(b, loc, endTile,
                                           buildIndex(b, loc, fullTiles));
    int64_t blockFloats = s.inputBlockWeights(tf);
    Value passWeights = buildMulAdd(b, loc, pass.firstBlock, blockFloats, weightBase);
    out = buildLoop(b, loc, firstTile, fullEnd, out,
                    [&](OpBuilder &b, Value tile, ValueRange out) {
                      prefetchNextWeights(
                          b, loc, passWeights, pass.blocks * blockFloats,
                          tilesPerItem, arith::SubIOp::create(b, loc, tile, firstTile));
                      Value firstPixel = buildMulAdd(b, loc, tile, s.tileW, {});
                      return SmallVector<Value>{buildTile(
                          b, loc, image, firstBlock, weightBase, tf, pass,
                          firstPixel, s.tileW, out[0])};
                    })[0];
    if (!tail)
      return out;
    Value hasTail = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                          endTile, buildIndex(b, loc, fullTiles));
    return buildIf(
        b, loc, hasTail, out.getType(),
        [&](OpBuilder &b) {
          return buildTile(b, loc, image, firstBlock, weightBase, tf, pass,
                           buildIndex(b, loc, fullTiles * s.tileW), tail, out);
        },
        [&](OpBuilder &) { return out; });
  }

  /// Tile `tileInItem` of a pass's tilesPerItem prefetches its part of the
  /// weights that follow the pass's `floats` from `passWeights` on: the next
  /// pass's slice, or after the last pass the next group's first, which the
  /// thread's next item usually reads (at most half of L1 of them). Only the
  /// first tile of a pass reads its slice from memory, the others from L1;
  /// without this, that first tile waited for the hardware prefetcher to
  /// find each 4 KiB page of weights anew (one output block's, in a 1x1 conv
  /// of 4-block groups), which cost most where a pass has few tiles (the 8x8
  /// and 17x17 layers of the 299-pixel models). Into L2 (locality 2,
  /// prefetcht1 on x86), not L1, which the current pass's slice fills half
  /// of: 1.005-1.022 faster than into L1 on GoogLeNet, v3, v4 and
  /// Inception-ResNet v2.
  void prefetchNextWeights(OpBuilder &b, Location loc, Value passWeights,
                           int64_t floats, int64_t tilesPerItem,
                           Value tileInItem) {
    constexpr int64_t kLineFloats = 16;
    auto type = cast<RankedTensorType>(weights.getType());
    int64_t size = type.getNumElements();
    int64_t lines = ceilDiv(std::min(floats, std::max<int64_t>(s.l1Bytes / 8, 1)),
                            kLineFloats);
    int64_t linesPerTile = ceilDiv(lines, tilesPerItem);
    if (!weightBuffer) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfterValue(weights);
      // Any offset: external weights are a view of the prepared weights
      // (incept-hoist-weight-preparation), which an identity layout would
      // copy on every run.
      auto layout = StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic, {1});
      weightBuffer = bufferization::ToBufferOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType(), layout),
          weights, /*read_only=*/true);
    }
    Value first = buildMulAdd(b, loc, tileInItem, linesPerTile * kLineFloats,
                              buildAddConstant(b, loc, passWeights, floats));
    buildLoop(b, loc, 0, linesPerTile, ValueRange{},
              [&](OpBuilder &b, Value line, ValueRange) {
                Value at = arith::MinUIOp::create(
                    b, loc, buildMulAdd(b, loc, line, kLineFloats, first),
                    buildIndex(b, loc, size - 1));
                memref::PrefetchOp::create(b, loc, weightBuffer, {at},
                                           /*isWrite=*/false,
                                           /*localityHint=*/2,
                                           /*isDataCache=*/true);
                return SmallVector<Value>{};
              });
  }

  /// tf output blocks × tw output pixels from `firstPixel` on, over the
  /// input blocks of `pass`.
  Value buildTile(OpBuilder &b, Location loc, Value image, Value firstBlock,
                  Value weightBase, int64_t tf, const ReductionPass &pass,
                  Value firstPixel, int64_t tw, Value out) {
    // Where each pixel of the tile is, in the output and in the padded input.
    SmallVector<Value> outRows, outCols, inRows, inCols;
    Value width = buildIndex(b, loc, s.outWidth);
    for (int64_t rw = 0; rw < tw; ++rw) {
      Value pixel = buildAddConstant(b, loc, firstPixel, rw);
      outRows.push_back(arith::DivUIOp::create(b, loc, pixel, width));
      outCols.push_back(arith::RemUIOp::create(b, loc, pixel, width));
      inRows.push_back(buildMulAdd(b, loc, outRows.back(), s.strideH, {}));
      inCols.push_back(buildMulAdd(b, loc, outCols.back(), s.strideW, {}));
    }
    SmallVector<Value> blocks;
    for (int64_t rf = 0; rf < tf; ++rf)
      blocks.push_back(buildAddConstant(b, loc, firstBlock, rf));
    Value zero = buildIndex(b, loc, 0);
    auto outAt = [&](int64_t rf, int64_t rw) {
      return SmallVector<Value>{image, blocks[rf], outRows[rw], outCols[rw], zero};
    };

    SmallVector<Value> accs;
    for (int64_t rf = 0; rf < tf; ++rf) {
      if (!pass.first) {
        for (int64_t rw = 0; rw < tw; ++rw)
          accs.push_back(readVector(b, loc, out, outAt(rf, rw)));
        continue;
      }
      Value start = bias ? readVector(b, loc, bias, {buildMulAdd(b, loc, blocks[rf], s.block, {})})
                         : arith::ConstantOp::create(
                               b, loc, vectorType,
                               DenseElementsAttr::get(vectorType, 0.0f))
                               .getResult();
      accs.append(tw, start);
    }

    auto reduceBlock = [&](OpBuilder &b, Value cb, int64_t channels,
                           ValueRange accs) {
      return buildLoop(b, loc, 0, s.kernelHeight, accs,
                  [&](OpBuilder &b, Value kh, ValueRange accs) {
        return buildLoop(b, loc, 0, s.kernelWidth, accs,
                    [&](OpBuilder &b, Value kw, ValueRange accs) {
          return reduceTap(b, loc, image, cb, kh, kw, channels, weightBase, tf,
                           inRows, inCols, accs);
        });
      });
    };
    Value endBlock = buildAddConstant(b, loc, pass.firstBlock, pass.blocks);
    accs = buildLoop(b, loc, pass.firstBlock, endBlock, accs,
                [&](OpBuilder &b, Value cb, ValueRange accs) {
                  return reduceBlock(b, cb, s.block, accs);
                });
    if (int64_t lastChannels = s.inChannels % s.block; pass.last && lastChannels)
      accs = reduceBlock(b, endBlock, lastChannels, accs);

    for (int64_t rf = 0; rf < tf; ++rf)
      for (int64_t rw = 0; rw < tw; ++rw) {
        Value value = accs[rf * tw + rw];
        if (pass.last)
          value = epilogue.apply(b, loc, value, outAt(rf, rw));
        out = vector::TransferWriteOp::create(b, loc, value, out, outAt(rf, rw),
                                              ArrayRef<bool>{true})
                  .getResult();
      }
    return out;
  }

  /// One kernel tap of one input-channel block: `channels` broadcast-FMA
  /// steps onto the accumulators.
  SmallVector<Value> reduceTap(OpBuilder &b, Location loc, Value image,
                               Value cb, Value kh, Value kw, int64_t channels,
                               Value weightBase, int64_t tf,
                               ArrayRef<Value> inRows, ArrayRef<Value> inCols,
                               ValueRange accValues) {
    SmallVector<Value> accs(accValues);
    int64_t tw = inRows.size();
    // The taps of a partial last block are `channels` apart (see
    // BlockedShape::blockChannels).
    Value tap = buildMulAdd(b, loc, kh, s.kernelWidth, kw);
    Value tapWeights = buildMulAdd(
        b, loc, tap, channels * tf * s.block,
        buildMulAdd(b, loc, cb, s.inputBlockWeights(tf), weightBase));
    Value zero = buildIndex(b, loc, 0);
    SmallVector<Value> rows, cols;
    for (int64_t rw = 0; rw < tw; ++rw) {
      rows.push_back(buildMulAdd(b, loc, kh, s.dilationH, inRows[rw]));
      cols.push_back(buildMulAdd(b, loc, kw, s.dilationW, inCols[rw]));
    }
    // A loop over the input channels rather than their unrolled steps: the
    // FMAs bound the body either way, and the code of a layer stays small
    // enough for LLVM to compile a whole model in seconds.
    return buildLoop(b, loc, 0, channels, accs,
                     [&](OpBuilder &b, Value channel, ValueRange accValues) {
      SmallVector<Value> accs(accValues);
      SmallVector<Value> broadcasts;
      for (int64_t rw = 0; rw < tw; ++rw) {
        SmallVector<Value> at = {image, cb, rows[rw], cols[rw], channel};
        if (s.planarInput) // the one block's channel c is plane c
          at = {image, channel, rows[rw], cols[rw], zero};
        Value x = tensor::ExtractOp::create(b, loc, input, at);
        broadcasts.push_back(vector::BroadcastOp::create(b, loc, vectorType, x));
      }
      Value channelWeights =
          buildMulAdd(b, loc, channel, tf * s.block, tapWeights);
      for (int64_t rf = 0; rf < tf; ++rf) {
        Value w = readVector(
            b, loc, weights,
            {buildAddConstant(b, loc, channelWeights, rf * s.block)});
        for (int64_t rw = 0; rw < tw; ++rw) {
          Value &acc = accs[rf * tw + rw];
          acc = vector::FMAOp::create(b, loc, broadcasts[rw], w, acc);
        }
      }
      return accs;
    });
  }

  Value readVector(OpBuilder &b, Location loc, Value source, ValueRange at) {
    return buildVectorRead(b, loc, vectorType, source, at);
  }


  const BlockedShape &s;
  Value input, weights, bias;
  /// `weights` as a read-only buffer, for the prefetches.
  Value weightBuffer;
  const ConvEpilogue &epilogue;
  VectorType vectorType;
};

} // namespace

Value createBlockedWeights(OpBuilder &b, Location loc, Value sets,
                           int64_t setCount, const BlockedShape &shape,
                           StringRef name) {
  int64_t taps = shape.kernelHeight * shape.kernelWidth;
  assert(incept_packed_blocked_floats(shape.outChannels, shape.inChannels, taps,
                                      shape.block, shape.tileF) == shape.weightSet() &&
         "the kernel reads the layout the preparation writes");
  return prepareWeight(
      b, loc, PrepareStep::pack_blocked, {sets},
      {setCount, shape.outChannels, shape.inChannels, taps, shape.block, shape.tileF},
      RankedTensorType::get({setCount * shape.weightSet()}, b.getF32Type()), name);
}

Value createBlockedBias(OpBuilder &b, Location loc, Value bias, int64_t block,
                        StringRef name) {
  int64_t channels = cast<RankedTensorType>(bias.getType()).getNumElements();
  int64_t padded = ceilDiv(channels, block) * block;
  return prepareWeight(b, loc, PrepareStep::copy, {bias}, {channels, padded},
                       RankedTensorType::get({padded}, b.getF32Type()),
                       (name + ".blocked_bias").str());
}

ConvEpilogue ConvEpilogue::of(ConvOp conv, Value residual) {
  ConvEpilogue epilogue;
  epilogue.activation = conv.getActivation();
  if (epilogue.activation == ActivationKind::clip) {
    epilogue.clipMin = conv.getClipMin()->convertToFloat();
    epilogue.clipMax = conv.getClipMax()->convertToFloat();
  }
  epilogue.residualScale = conv.getResidualScale().convertToFloat();
  epilogue.residual = residual;
  return epilogue;
}

/// act(residual + scale * acc), as buildStore of the reference lowering
/// computes it per element.
Value ConvEpilogue::apply(OpBuilder &b, Location loc, Value value,
                          ValueRange at) const {
  auto type = cast<VectorType>(value.getType());
  if (residual) {
    if (residualScale != 1.0f)
      value = arith::MulFOp::create(b, loc, value,
                                    buildSplat(b, loc, type, residualScale));
    value = arith::AddFOp::create(
        b, loc, buildVectorRead(b, loc, type, residual, at), value);
  }
  switch (activation) {
  case ActivationKind::none:
    return value;
  case ActivationKind::relu:
    return arith::MaximumFOp::create(b, loc, value, buildSplat(b, loc, type, 0.0f));
  case ActivationKind::clip:
    return arith::MinimumFOp::create(
        b, loc,
        arith::MaximumFOp::create(b, loc, value, buildSplat(b, loc, type, clipMin)),
        buildSplat(b, loc, type, clipMax));
  }
  llvm_unreachable("unknown activation");
}

Value buildBlockedKernel(OpBuilder &b, Location loc, const BlockedShape &shape,
                         Value input, Value weights, Value bias,
                         const ConvEpilogue &epilogue,
                         RankedTensorType outType) {
  return KernelBuilder(shape, input, weights, bias, epilogue)
      .build(b, loc, outType);
}

} // namespace incept
