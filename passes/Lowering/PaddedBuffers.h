//===- PaddedBuffers.h - reading a padded buffer's interior -----*- C++ -*-===//
//
// incept-concat-in-place makes each tensor.pad with a constant a buffer
// whose border is filled box by box with the constant and whose interior is
// a view that the padded tensor's producer writes (or a copy fills, where
// the tensor was computed elsewhere). A reader that pads by itself as it
// reads (the tensor-core convs' copies zero-fill what falls outside their
// input) reads the interior instead, or the copy's source; once nothing
// reads the border any more, its fills go, and with them the buffer itself
// where only a copy wrote it. On buffers, after bufferization.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_PADDEDBUFFERS_H
#define INCEPT_PASSES_LOWERING_PADDEDBUFFERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace incept {

/// A buffer as a pad became: an allocation used by subviews only, one the
/// interior and the others border boxes, each filled once with the same
/// constant, that cover the rest of the buffer exactly; and by readers.
struct PaddedBuffer {
  mlir::memref::AllocOp buffer;
  mlir::memref::SubViewOp interior;
  llvm::SmallVector<mlir::linalg::FillOp> borderFills;
  /// The constant of the border.
  mlir::Attribute value;
  /// The interior's offset in each dimension: the padding before it.
  llvm::SmallVector<int64_t> low;

  /// Whether the border reads as 0.0.
  bool isZeroPadded() const;
  /// Whether the buffer is NCHW and padded in its rows and columns only,
  /// as a kernel can pad while reading.
  bool padsOnlyRowsAndColumns();
  /// Whether `reader` finds the border as its fills left it: they come
  /// before it in its block, and nothing between them and it may write the
  /// buffer whole.
  bool holdsBorderAt(mlir::Operation *reader) const;
};

/// The allocation or argument that `value` is a view of.
mlir::Value viewedBuffer(mlir::Value value);

/// `value` as a padded buffer, if it is an allocation used as one.
std::optional<PaddedBuffer> paddedBufferOf(mlir::Value value);

/// What `reader` finds in `padded`'s interior, as a view to read instead of
/// the buffer: the source of the one copy that writes the interior, where
/// nothing writes that source between the copy and `reader`; else the
/// interior.
mlir::Value contentsFor(PaddedBuffer padded, mlir::Operation *reader);

/// Erases `padded`'s border fills where nothing reads the buffer any more
/// but through its interior, and the buffer and the copy into it too where
/// nothing reads the interior either.
void eraseUnreadBorder(PaddedBuffer padded);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_PADDEDBUFFERS_H
