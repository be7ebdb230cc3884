//===- BlockedLayout.h - the channel-blocked activation layout --*- C++ -*-===//
//
// Activations of the fast CPU path live in [N, C/c, H, W, c] (c = the
// target's f32 lanes; channels past C are padding). A blocked conv writes that
// layout, and the ops that read it — convs, pools, concats, slices, LRN — stay in
// it ("the layout follows the producer"): each of them takes the blocked
// tensor that an NCHW value was computed from, so that between them there is
// no conversion. The NCHW form is still built after every blocked op, as one
// store generic marked `incept.from_blocked`; it is dead (and erased) unless
// something NCHW-only reads it (the model's outputs, a Gemm), and it is
// what concat-in-place writes into a concat's slice.
//
// Padded channels hold finite values that no one reads as data: a conv's
// packed weights are zero there, and every NCHW view drops them.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_BLOCKEDLAYOUT_H
#define INCEPT_PASSES_LOWERING_BLOCKEDLAYOUT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace incept {

/// The benefit of the patterns that lower an op on the blocked layout: above
/// the NCHW patterns', which take the ops whose input is not blocked.
inline constexpr unsigned kBlockedPatternBenefit = 2;

/// The blocked tensor that `nchw` was computed from, when it was.
std::optional<mlir::Value> findBlockedSource(mlir::Value nchw);

/// [N, C, H, W] → [N, ceil(C/block), H, W, block], channels past C zero;
/// the blocked source itself when `nchw` has one of that block.
mlir::Value toBlockedLayout(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value nchw, int64_t block);

/// [N, C, H, W] as [N, C, H, W, 1]: the planes as blocks of one channel,
/// a view (tensor.expand_shape), for the kernels that read single channels.
mlir::Value asBlockedPlanes(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value nchw);

/// `blocked` [N, C/c, H, W, c] with rows and columns of zeros around each
/// plane: `top` above, `left` to the left, and so on, copied by a parallel
/// loop, one padded row an item. For a tensor that cannot be written into
/// its padded buffer in place (the model's input): a tensor.pad of it would
/// fill the whole buffer and copy the interior on one thread.
mlir::Value padBlockedPlanes(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::Value blocked, int64_t top, int64_t left,
                             int64_t bottom, int64_t right);

/// The blocked tensor back as `nchwType`, by one store generic marked
/// `incept.from_blocked`.
mlir::Value fromBlockedLayout(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::Value blocked,
                              mlir::RankedTensorType nchwType);

/// Whether `op` is the store generic that takes a blocked tensor to NCHW.
/// Its input map divides the channel by the block, which tiling cannot slice
/// (a channel range of it is not a box of the blocked tensor), so
/// incept-concat-in-place leaves it whole.
bool isFromBlockedLayout(mlir::Operation *op);

/// The block (c) of a blocked tensor type.
int64_t blockOf(mlir::Value blocked);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_BLOCKEDLAYOUT_H
