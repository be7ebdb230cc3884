//===- Blocked.cpp - the blocked direct convolution ------------------------===//
//
// The `blocked` conv strategy: a register-tiled direct convolution on the
// channel-blocked layout [N, C/c, H, W, c] (c = the target's f32 lanes),
// generated as scf loops and vector ops on tensors.
//
// The kernel itself (BlockedKernel.cpp) holds tile_f output-channel blocks ×
// tile_w output pixels of accumulators in registers across the whole
// reduction; this file packs the conv's weights for it, blocks and pads its
// input and takes its result back.
//
// A conv's result leaves the blocked layout through one "store" generic
// (the NCHW result computed from the blocked one, as every lowered conv
// ends), which is what lets concat-in-place write it into a concat's slice.
// A conv that reads such a result takes the blocked tensor it came from, so
// between two convs there is no conversion.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/Conv/ConvLowerings.h"
#include "passes/Lowering/Conv/BlockedKernel.h"
#include "passes/Lowering/BlockedLayout.h"
#include "passes/Lowering/KernelBuilders.h"

#include "passes/Graph/Constants.h"
#include "passes/Lowering/LinalgBuilders.h"

#include "dialects/Incept/InceptOps.h"
#include "dialects/Incept/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace incept {
FailureOr<Value> lowerBlockedConv(OpBuilder &b, ConvOp op, ConvStrategyAttr strategy,
                                  Value input, Value weight, Value bias,
                                  Value residual) {
  Location loc = op.getLoc();
  if (!isWeight(weight) || (bias && !isWeight(bias)) || op.getGroup() != 1)
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
  if (TargetAttr target = lookupTarget(op)) {
    s.l1Bytes = target.getL1dBytes();
    s.cores = target.getCores();
  }

  Type f32 = resultType.getElementType();
  std::string name = blobName(weight).value_or("conv").str();
  Value packedWeights = createBlockedWeights(b, loc, weight, 1, s, name + ".blocked");
  Value packedBias;
  if (bias)
    packedBias = createBlockedBias(b, loc, bias, s.block, name);

  // The model's input of fewer channels than a block (the image, into the
  // stem) is read from its planes, padded by a copy: it was never blocked,
  // and cannot be computed into a padded buffer in place as a layer's result
  // is (incept-concat-in-place), so its blocked copy would cost a pass over
  // `block` lanes a pixel for its 3 channels.
  s.planarInput = s.inChannels < s.block && isa<BlockArgument>(input);
  ArrayRef<int64_t> pads = op.getPads();
  Value blockedInput =
      s.planarInput
          ? padBlockedPlanes(b, loc, asBlockedPlanes(b, loc, input), pads[0],
                             pads[1], pads[2], pads[3])
          : buildSpatialPad(b, loc, toBlockedLayout(b, loc, input, s.block),
                            pads[0], pads[1], pads[2], pads[3], 0.0);
  Value blockedResidual =
      residual ? toBlockedLayout(b, loc, residual, s.block) : Value();
  auto blockedType = RankedTensorType::get(
      {s.images, s.outBlocks, s.outHeight, s.outWidth, s.block}, f32);
  Value blocked = buildBlockedKernel(b, loc, s, blockedInput, packedWeights,
                                     packedBias,
                                     ConvEpilogue::of(op, blockedResidual),
                                     blockedType);
  return fromBlockedLayout(b, loc, blocked, resultType);
}

} // namespace incept
