//===- Constants.h - reading and making weight constants -------*- C++ -*-===//
//
// Graph passes fold weights at compile time (batch-norm into a conv, a
// residual scale into the weights, siblings' weights concatenated). Weights
// are arith.constant ops holding either an inline dense attribute (up to 16
// elements) or a dense resource blob; these helpers hide the difference.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_GRAPH_CONSTANTS_H
#define INCEPT_PASSES_GRAPH_CONSTANTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <vector>

namespace incept {

/// The f32 elements of `value` in row-major order, when it is an
/// arith.constant (inline, splat or resource blob); nothing otherwise.
std::optional<std::vector<float>> readFloatConstant(mlir::Value value);

/// The resource blob name of `value` when it is an arith.constant held in a
/// blob: what constants folded from it are named after, so that they still
/// say whose weights they are.
std::optional<llvm::StringRef> blobName(mlir::Value value);

/// One value per channel of `resultType` ([N, C, H, W]) when `value` is an
/// f32 constant that NumPy broadcasting spreads along the channel axis only:
/// a scalar of any all-ones shape, `[C, 1, 1]` or `[1, C, 1, 1]`. A `[C]`
/// vector is not one: aligned on the right it runs along the width.
std::optional<std::vector<float>>
readChannelConstant(mlir::Value value, mlir::RankedTensorType resultType);

/// An arith.constant of `type` (f32) holding `values`: inline when small,
/// otherwise a resource blob named `nameHint` (made unique by MLIR).
mlir::Value createFloatConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                mlir::RankedTensorType type,
                                llvm::ArrayRef<float> values,
                                llvm::StringRef nameHint);

} // namespace incept

#endif // INCEPT_PASSES_GRAPH_CONSTANTS_H
