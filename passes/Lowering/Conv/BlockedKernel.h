//===- BlockedKernel.h - the register-tiled kernel on blocked tensors -*- C++ -*-===//
//
// The micro-kernel of the `blocked` conv strategy, shared by the strategies
// that end in a blocked direct convolution: `blocked` itself, and `winograd`,
// whose 36 products are one 1x1 blocked conv over 36 × N "images" with one
// set of weights each. See BlockedKernel.cpp for how the kernel is built.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_CONV_BLOCKEDKERNEL_H
#define INCEPT_PASSES_LOWERING_CONV_BLOCKEDKERNEL_H

#include "dialects/Incept/InceptOps.h"

#include "mlir/IR/Builders.h"

#include <algorithm>
#include <vector>

namespace incept {

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Everything the kernel needs to know about one conv, in blocked terms.
struct BlockedShape {
  int64_t images, inChannels, inBlocks, outChannels, outBlocks;
  int64_t outHeight, outWidth, kernelHeight, kernelWidth;
  int64_t strideH, strideW, dilationH, dilationW;
  int64_t block, tileF, tileW;
  /// Images [k·imagesPerWeightSet, (k+1)·imagesPerWeightSet) use weight set
  /// k (the packed weights are the sets one after another); 0: one set.
  int64_t imagesPerWeightSet = 0;
  /// The input is the NCHW planes [N, C, H, W, 1] (C below one block), not
  /// blocked: the stem reads the image's 3 channels as they are, without the
  /// blocked copy that would hold 16 (AVX-512) lanes a pixel for them.
  bool planarInput = false;
  /// The target's L1 data cache: when a group's weights are larger than
  /// half of it, the reduction runs in passes of as many input blocks as
  /// fit (BlockedKernel.cpp); 0: one pass.
  int64_t l1Bytes = 0;
  /// The target's cores, which the work is split for (parallelItemsFor).
  int64_t cores = 1;

  /// Input channels of block `cb` in the packed weights: `block`, but only
  /// the channels there are in a partial last block. Padding the stem's 3
  /// channels to 8 spread its 49 taps 1 KB apart, onto a quarter of L1's
  /// sets, and their weights missed L1 on every tile.
  int64_t blockChannels(int64_t cb) const {
    return std::min(block, inChannels - cb * block);
  }
  /// Groups of tile_f output blocks, and the blocks of a narrower last
  /// group after them (0: none).
  int64_t fullGroups() const { return outBlocks / tileF; }
  int64_t lastGroupBlocks() const { return outBlocks % tileF; }
  /// Floats of the packed weights of one input block for a group of tf
  /// output blocks: its taps × its channels × tf blocks.
  int64_t inputBlockWeights(int64_t tf) const {
    return tf * kernelHeight * kernelWidth * block * block;
  }
  /// Floats of the packed weights of one full group of tile_f blocks (the
  /// room of a partial last block included).
  int64_t groupWeights() const {
    return inBlocks * inputBlockWeights(tileF);
  }
  /// Floats of one packed weight set.
  int64_t weightSet() const {
    return ceilDiv(outBlocks, tileF) * groupWeights();
  }
};

/// The weight sets `sets` (each [F, C, KH, KW]) packed for `shape` one
/// after another (`sets`, a weight of `sets` [F, C, KH, KW] one after
/// another), as one weight named `name`: per set and group of output blocks
/// [C/c][KH][KW][c_in][tile_f][c_out], channels past F and C zero
/// (incept_prepare_pack_blocked).
mlir::Value createBlockedWeights(mlir::OpBuilder &builder, mlir::Location loc,
                                 mlir::Value sets, int64_t setCount,
                                 const BlockedShape &shape, llvm::StringRef name);

/// The bias (a weight) padded with zeros to whole blocks, named after the
/// conv's weights (`name`).
mlir::Value createBlockedBias(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::Value bias, int64_t block,
                              llvm::StringRef name);

/// What a conv applies to its accumulators before the one store:
/// act(residual + residualScale · acc).
struct ConvEpilogue {
  ActivationKind activation = ActivationKind::none;
  float clipMin = 0, clipMax = 0, residualScale = 1;
  /// A blocked tensor of the result's shape, or null.
  mlir::Value residual;

  /// The epilogue of `conv`, its residual `residual` (blocked, or null).
  static ConvEpilogue of(ConvOp conv, mlir::Value residual);

  /// The epilogue on the accumulator `value` of the block at `at`.
  mlir::Value apply(mlir::OpBuilder &builder, mlir::Location loc,
                    mlir::Value value, mlir::ValueRange at) const;
};

/// The blocked conv of `input` (blocked, zero-padded) with the packed
/// `weights`, starting from `bias` (padded to whole blocks, or null), as a
/// tensor of `outType` ([N, F/c, OH, OW, c]); one parallel loop.
mlir::Value buildBlockedKernel(mlir::OpBuilder &builder, mlir::Location loc,
                               const BlockedShape &shape, mlir::Value input,
                               mlir::Value weights, mlir::Value bias,
                               const ConvEpilogue &epilogue,
                               mlir::RankedTensorType outType);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_CONV_BLOCKEDKERNEL_H
