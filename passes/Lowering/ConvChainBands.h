//===- ConvChainBands.h - how a conv chain is cut into bands ----*- C++ -*-===//
//
// The lowering of incept.conv_chain computes the consumers' outputs band by
// band of rows; incept-fuse-conv-chains asks the same plan whether a chain
// pays before forming it, so both read the band height from one place.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_CONVCHAINBANDS_H
#define INCEPT_PASSES_LOWERING_CONVCHAINBANDS_H

#include "dialects/Incept/InceptOps.h"

namespace incept {

/// The intermediate's rows of one band (all its channels, its whole width, one
/// image) are kept at or under this many bytes: half the L2 cache of a core,
/// so that the slab the producer writes and the consumers read stays there
/// beside the producer's input rows and the weights, and the planes that the
/// conv loops walk over and over are a band's rather than a whole image's.
constexpr int64_t kConvChainSlabBytes = 512 * 1024;

/// The bands of one image.
struct ConvChainBands {
  /// Output rows of every consumer per band; the last band may have fewer.
  int64_t rows = 0;
  /// Bands per image.
  int64_t count = 0;
  /// Rows of the intermediate the producer computes per image, the rows that
  /// neighbouring bands both need counted twice (at least the intermediate's
  /// height; more is recomputation).
  int64_t producerRows = 0;
};

/// The bands of a chain with `producer` and `consumers`, or failure when the
/// consumers do not share their output height and row stride (then the chain
/// cannot be cut into common bands).
mlir::FailureOr<ConvChainBands>
planConvChainBands(ConvOp producer, llvm::ArrayRef<ConvOp> consumers);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_CONVCHAINBANDS_H
