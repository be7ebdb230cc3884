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

#include "dialects/Incept/InceptOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>
#include <vector>

namespace incept {

/// The f32 elements of `value` in row-major order, when it is an
/// arith.constant (inline, splat or resource blob); nothing otherwise.
std::optional<std::vector<float>> readFloatConstant(mlir::Value value);

/// The resource blob name of `value` when it is an arith.constant held in a
/// blob: what constants folded from it are named after, so that they still
/// say whose weights they are.
std::optional<llvm::StringRef> blobName(mlir::Value value);

/// Whether NumPy broadcasting spreads `value` over `resultType` ([N, C, H,
/// W]) along the channel axis only: a scalar of any all-ones shape, `[C, 1,
/// 1]` or `[1, C, 1, 1]`. A `[C]` vector is not: aligned on the right it runs
/// along the width.
bool isChannelBroadcast(mlir::Value value, mlir::RankedTensorType resultType);

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

/// Whether `value` is a weight: an f32 constant, a tensor of the weights
/// file (incept.external_weight) or prepared from weights (incept.prepare).
/// What a fold may rewrite, though only a constant's values can be read.
bool isWeight(mlir::Value value);

/// The results of `step` (incept/prepare.h) on `inputs`, of `resultTypes`:
/// constants computed now when every input is a constant (named after
/// `nameHints`, one per result), else an incept.prepare op that the library's create runs
/// on the weights file. Both run the same function, so embedded and external
/// weights agree to the bit.
llvm::SmallVector<mlir::Value>
prepareWeights(mlir::OpBuilder &builder, mlir::Location loc, PrepareStep step,
               mlir::ValueRange inputs, llvm::ArrayRef<int64_t> params,
               llvm::ArrayRef<double> scalars, mlir::TypeRange resultTypes,
               llvm::ArrayRef<std::string> nameHints);

/// prepareWeights for a step of one result.
mlir::Value prepareWeight(mlir::OpBuilder &builder, mlir::Location loc,
                          PrepareStep step, mlir::ValueRange inputs,
                          llvm::ArrayRef<int64_t> params,
                          mlir::RankedTensorType resultType,
                          llvm::StringRef nameHint);

/// Runs `step` on host arrays: what prepareWeights folds constants with.
void runPrepareStep(PrepareStep step, llvm::ArrayRef<const float *> inputs,
                    llvm::ArrayRef<float *> outputs, llvm::ArrayRef<int64_t> params,
                    llvm::ArrayRef<double> scalars);

} // namespace incept

#endif // INCEPT_PASSES_GRAPH_CONSTANTS_H
