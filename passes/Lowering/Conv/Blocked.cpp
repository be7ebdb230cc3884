//===- Blocked.cpp - the blocked direct convolution ------------------------===//
//
// The `blocked` conv strategy: a register-tiled direct convolution on the
// channel-blocked layout [N, C/c, H, W, c] (c = the target's f32 lanes),
// generated as scf loops and vector ops on tensors.
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
// so no loop has a bounds check; the input is zero-padded once, blocked.
//
// Weights are packed at compile time into the order the kernel reads them:
// per group of output blocks, [C/c][KH][KW][c_in][tile_f][c_out], one stream.
//
// A conv's result leaves the blocked layout through one "store" generic
// (the NCHW result computed from the blocked one, as every lowered conv
// ends), which is what lets concat-in-place write it into a concat's slice.
// A conv that reads such a result takes the blocked tensor it came from, so
// between two convs there is no conversion.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/Conv/ConvLowerings.h"
#include "passes/Lowering/BlockedLayout.h"
#include "passes/Lowering/KernelBuilders.h"

#include "passes/Graph/Constants.h"
#include "passes/Lowering/LinalgBuilders.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace incept {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Everything the kernel needs to know about one conv, in blocked terms.
struct BlockedShape {
  int64_t images, inChannels, inBlocks, outChannels, outBlocks;
  int64_t outHeight, outWidth, kernelHeight, kernelWidth;
  int64_t strideH, strideW, dilationH, dilationW;
  int64_t block, tileF, tileW;

  /// Floats of the packed weights of one full group of tile_f blocks.
  int64_t groupWeights() const {
    return tileF * inBlocks * kernelHeight * kernelWidth * block * block;
  }
};

/// [F, C, KH, KW] → per group of output blocks [C/c][KH][KW][c_in][tf][c_out],
/// channels past F and C zero.
std::vector<float> packWeights(ArrayRef<float> oihw, const BlockedShape &s) {
  int64_t taps = s.kernelHeight * s.kernelWidth, c = s.block;
  std::vector<float> packed(ceilDiv(s.outBlocks, s.tileF) * s.groupWeights(), 0.0f);
  for (int64_t group = 0; group * s.tileF < s.outBlocks; ++group) {
    int64_t first = group * s.tileF;
    int64_t tf = std::min(s.tileF, s.outBlocks - first);
    float *base = packed.data() + group * s.groupWeights();
    for (int64_t cb = 0; cb < s.inBlocks; ++cb)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t rf = 0; rf < tf; ++rf)
            for (int64_t co = 0; co < c; ++co) {
              int64_t f = (first + rf) * c + co, ch = cb * c + ci;
              if (f >= s.outChannels || ch >= s.inChannels)
                continue;
              base[(((cb * taps + tap) * c + ci) * tf + rf) * c + co] =
                  oihw[(f * s.inChannels + ch) * taps + tap];
            }
  }
  return packed;
}

/// The kernel of one conv, on blocked tensors; see the file comment.
class KernelBuilder {
public:
  KernelBuilder(ConvOp op, const BlockedShape &shape, Value input,
                Value weights, Value bias, Value residual)
      : op(op), s(shape), input(input), weights(weights), bias(bias),
        residual(residual) {}

  /// The work is split into independent items — an image, a group of
  /// output blocks, a chunk of pixel tiles — that the context's threads
  /// share (one parallel loop); enough of them for every thread to get
  /// several, and each a whole number of tiles.
  Value build(OpBuilder &b, Location loc, RankedTensorType outType) {
    vectorType = VectorType::get({s.block}, outType.getElementType());
    Value init = tensor::EmptyOp::create(b, loc, outType.getShape(),
                                         outType.getElementType());
    int64_t groups = ceilDiv(s.outBlocks, s.tileF);
    int64_t tiles = ceilDiv(s.outHeight * s.outWidth, s.tileW);
    int64_t chunks = std::clamp<int64_t>(
        ceilDiv(kParallelItems, s.images * groups), 1, tiles);
    int64_t tilesPerChunk = ceilDiv(tiles, chunks);
    chunks = ceilDiv(tiles, tilesPerChunk);
    return buildParallelLoop(
        b, loc, s.images * groups * chunks, init,
        [&](OpBuilder &b, Value item, ValueRange out) {
          Value chunk = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, chunks));
          Value rest = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, chunks));
          Value group = arith::RemUIOp::create(b, loc, rest, buildIndex(b, loc, groups));
          Value image = arith::DivUIOp::create(b, loc, rest, buildIndex(b, loc, groups));
          Value firstTile = buildMulAdd(b, loc, chunk, tilesPerChunk, {});
          Value endTile = arith::MinUIOp::create(
              b, loc, buildAddConstant(b, loc, firstTile, tilesPerChunk),
              buildIndex(b, loc, tiles));
          return SmallVector<Value>{
              buildGroups(b, loc, image, group, firstTile, endTile, out[0])};
        })[0];
  }

private:
  /// Enough work items for 8 threads to get 4 each.
  static constexpr int64_t kParallelItems = 32;

  /// Group `group` of output blocks (the last one may be narrower) over
  /// pixel tiles [firstTile, endTile).
  Value buildGroups(OpBuilder &b, Location loc, Value image, Value group,
                    Value firstTile, Value endTile, Value out) {
    int64_t fullGroups = s.outBlocks / s.tileF, tail = s.outBlocks % s.tileF;
    auto groupOf = [&](OpBuilder &b, int64_t tf) {
      Value firstBlock = buildMulAdd(b, loc, group, s.tileF, {});
      Value weightBase = buildMulAdd(b, loc, group, s.groupWeights(), {});
      return buildTiles(b, loc, image, firstBlock, weightBase, tf, firstTile,
                        endTile, out);
    };
    if (!tail)
      return groupOf(b, s.tileF);
    if (!fullGroups)
      return groupOf(b, tail);
    Value isFull = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, group,
                                         buildIndex(b, loc, fullGroups));
    return buildIf(
        b, loc, isFull, out.getType(),
        [&](OpBuilder &b) { return groupOf(b, s.tileF); },
        [&](OpBuilder &b) { return groupOf(b, tail); });
  }

  /// Tiles [firstTile, endTile) of tf output blocks; the last tile of the
  /// plane may hold fewer pixels.
  Value buildTiles(OpBuilder &b, Location loc, Value image, Value firstBlock,
                   Value weightBase, int64_t tf, Value firstTile, Value endTile,
                   Value out) {
    int64_t pixels = s.outHeight * s.outWidth;
    int64_t fullTiles = pixels / s.tileW, tail = pixels % s.tileW;
    Value fullEnd = arith::MinUIOp::create(b, loc, endTile,
                                           buildIndex(b, loc, fullTiles));
    out = buildLoop(b, loc, firstTile, fullEnd, out,
                    [&](OpBuilder &b, Value tile, ValueRange out) {
                      Value firstPixel = buildMulAdd(b, loc, tile, s.tileW, {});
                      return SmallVector<Value>{buildTile(
                          b, loc, image, firstBlock, weightBase, tf, firstPixel,
                          s.tileW, out[0])};
                    })[0];
    if (!tail)
      return out;
    Value hasTail = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                          endTile, buildIndex(b, loc, fullTiles));
    return buildIf(
        b, loc, hasTail, out.getType(),
        [&](OpBuilder &b) {
          return buildTile(b, loc, image, firstBlock, weightBase, tf,
                           buildIndex(b, loc, fullTiles * s.tileW), tail, out);
        },
        [&](OpBuilder &) { return out; });
  }

  /// tf output blocks × tw output pixels from `firstPixel` on.
  Value buildTile(OpBuilder &b, Location loc, Value image, Value firstBlock,
                  Value weightBase, int64_t tf, Value firstPixel, int64_t tw,
                  Value out) {
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

    SmallVector<Value> accs;
    for (int64_t rf = 0; rf < tf; ++rf) {
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
    int64_t fullBlocks = s.inChannels / s.block;
    int64_t lastChannels = s.inChannels % s.block;
    accs = buildLoop(b, loc, 0, fullBlocks, accs,
                [&](OpBuilder &b, Value cb, ValueRange accs) {
                  return reduceBlock(b, cb, s.block, accs);
                });
    if (lastChannels)
      accs = reduceBlock(b, buildIndex(b, loc, fullBlocks), lastChannels, accs);

    Value zero = buildIndex(b, loc, 0);
    for (int64_t rf = 0; rf < tf; ++rf)
      for (int64_t rw = 0; rw < tw; ++rw) {
        SmallVector<Value> at = {image, blocks[rf], outRows[rw], outCols[rw], zero};
        Value value = applyEpilogue(b, loc, accs[rf * tw + rw], at);
        out = vector::TransferWriteOp::create(b, loc, value, out, at,
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
    Value tap = buildMulAdd(b, loc, buildMulAdd(b, loc, cb, s.kernelHeight, kh),
                       s.kernelWidth, kw);
    Value tapWeights = buildMulAdd(b, loc, tap, s.block * tf * s.block, weightBase);
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
        Value x = tensor::ExtractOp::create(
            b, loc, input, ValueRange{image, cb, rows[rw], cols[rw], channel});
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
    return vector::TransferReadOp::create(b, loc, vectorType, source, at,
                                          /*padding=*/std::nullopt,
                                          ArrayRef<bool>{true});
  }

  /// act(residual + scale * acc), as buildStore of the reference lowering
  /// computes it per element.
  Value applyEpilogue(OpBuilder &b, Location loc, Value value, ValueRange at) {
    if (residual) {
      float scale = op.getResidualScale().convertToFloat();
      if (scale != 1.0f)
        value = arith::MulFOp::create(
            b, loc, value,
            arith::ConstantOp::create(b, loc, vectorType,
                                      DenseElementsAttr::get(vectorType, scale)));
      value = arith::AddFOp::create(b, loc, readVector(b, loc, residual, at), value);
    }
    auto splat = [&](double v) {
      return arith::ConstantOp::create(
          b, loc, vectorType,
          DenseElementsAttr::get(vectorType, static_cast<float>(v)));
    };
    switch (op.getActivation()) {
    case ActivationKind::none:
      return value;
    case ActivationKind::relu:
      return arith::MaximumFOp::create(b, loc, value, splat(0.0));
    case ActivationKind::clip:
      return arith::MinimumFOp::create(
          b, loc,
          arith::MaximumFOp::create(b, loc, value,
                                    splat(op.getClipMin()->convertToDouble())),
          splat(op.getClipMax()->convertToDouble()));
    }
    llvm_unreachable("unknown activation");
  }

  ConvOp op;
  const BlockedShape &s;
  Value input, weights, bias, residual;
  VectorType vectorType;
};

} // namespace

FailureOr<Value> lowerBlockedConv(OpBuilder &b, ConvOp op, ConvStrategyAttr strategy,
                                  Value input, Value weight, Value bias,
                                  Value residual) {
  Location loc = op.getLoc();
  std::optional<std::vector<float>> weights = readFloatConstant(weight);
  std::optional<std::vector<float>> biases;
  if (bias)
    biases = readFloatConstant(bias);
  if (!weights || (bias && !biases) || op.getGroup() != 1)
    return failure();

  auto resultType = cast<RankedTensorType>(op.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  BlockedShape s;
  s.block = strategy.getBlock();
  s.tileF = strategy.getTileF();
  s.tileW = strategy.getTileW();
  s.images = resultType.getDimSize(0);
  s.outChannels = resultType.getDimSize(1);
  s.outHeight = resultType.getDimSize(2);
  s.outWidth = resultType.getDimSize(3);
  s.inChannels = weightType.getDimSize(1);
  s.kernelHeight = weightType.getDimSize(2);
  s.kernelWidth = weightType.getDimSize(3);
  s.inBlocks = ceilDiv(s.inChannels, s.block);
  s.outBlocks = ceilDiv(s.outChannels, s.block);
  s.strideH = op.getStrides()[0];
  s.strideW = op.getStrides()[1];
  s.dilationH = op.getDilations()[0];
  s.dilationW = op.getDilations()[1];

  Type f32 = resultType.getElementType();
  std::string name = blobName(weight).value_or("conv").str();
  std::vector<float> packed = packWeights(*weights, s);
  Value packedWeights = createFloatConstant(
      b, loc, RankedTensorType::get({int64_t(packed.size())}, f32), packed,
      name + ".blocked");
  Value packedBias;
  if (biases) {
    std::vector<float> padded(s.outBlocks * s.block, 0.0f);
    llvm::copy(*biases, padded.begin());
    packedBias = createFloatConstant(
        b, loc, RankedTensorType::get({int64_t(padded.size())}, f32), padded,
        name + ".blocked_bias");
  }

  ArrayRef<int64_t> pads = op.getPads();
  Value blockedInput = buildSpatialPad(b, loc, toBlockedLayout(b, loc, input, s.block),
                                       pads[0], pads[1], pads[2], pads[3], 0.0);
  Value blockedResidual =
      residual ? toBlockedLayout(b, loc, residual, s.block) : Value();
  auto blockedType = RankedTensorType::get(
      {s.images, s.outBlocks, s.outHeight, s.outWidth, s.block}, f32);
  KernelBuilder kernel(op, s, blockedInput, packedWeights, packedBias,
                       blockedResidual);
  Value blocked = kernel.build(b, loc, blockedType);
  return fromBlockedLayout(b, loc, blocked, resultType);
}

} // namespace incept
