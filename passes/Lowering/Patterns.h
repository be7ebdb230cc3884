//===- Patterns.h - incept → linalg patterns, one family at a time -*- C++ -*-===//
//
// Each op family of the dialect has its own file and populate function, so
// that a faster lowering (a blocked-layout conv, a vectorised pool) can take
// over one family with a pattern of higher benefit, or replace the file.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_PATTERNS_H
#define INCEPT_PASSES_LOWERING_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace incept {

/// conv (groups, strides, pads, dilations, the fused epilogue); with
/// `planeLoops`, ungrouped convolutions iterate whole output planes innermost.
void populateConvToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  bool planeLoops);
/// conv_chain, band by band of rows, as incept.conv ops on slices in scf.for.
void populateConvChainToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// max_pool, max_pool_with_indices, avg_pool, global_avg_pool. The patterns
/// of the ops defined on integers take the converter of
/// addSignlessConversions (ui8 → i8). With `unpadded`, float max and average
/// pools read their input without a padded copy, region by region.
void populatePoolToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  const mlir::TypeConverter &converter,
                                  bool unpadded);
/// batch_norm, lrn.
void populateNormalizationToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// relu, clip, add, mul.
void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                         const mlir::TypeConverter &converter);
/// concat, slice, reshape, pad.
void populateStructureToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                       const mlir::TypeConverter &converter);
/// Pools (max and average with unit dilations, global average), channel
/// concats and channel slices whose input was computed in the blocked layout
/// of the blocked convs: they stay in it (BlockedLayout.h). Their benefit is
/// above the NCHW patterns', which take every other case.
void populateBlockedPoolPatterns(mlir::RewritePatternSet &patterns);
void populateBlockedStructurePatterns(mlir::RewritePatternSet &patterns);
/// lrn whose input was computed blocked, which stays blocked.
void populateBlockedLrnPatterns(mlir::RewritePatternSet &patterns);
/// gemm, softmax.
void populateClassifierToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_PATTERNS_H
