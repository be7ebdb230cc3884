//===- LinalgBuilders.h - small builders the incept lowerings share -*- C++ -*-===//
//
// Every op family's lowering to linalg is written with these few helpers, so
// that each family file says only what is particular to it, and a faster
// lowering of one family (blocked layouts, micro-kernels) can replace that
// file's patterns without touching the others.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_LINALGBUILDERS_H
#define INCEPT_PASSES_LOWERING_LINALGBUILDERS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace incept {

/// The body of an elementwise op: the scalar of every input, in order.
using ScalarBody = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The map that reads `inputType` in an iteration space of `resultType`'s
/// shape under NumPy broadcasting: dimensions align on the right, and a size-1
/// dimension facing a larger one is read at index 0.
mlir::AffineMap broadcastMap(mlir::RankedTensorType inputType,
                             mlir::RankedTensorType resultType);

/// The map that reads a per-channel vector (dimension 1 of NCHW) in an
/// iteration space of rank `rank`.
mlir::AffineMap channelMap(mlir::MLIRContext *context, unsigned rank);

/// `linalg.generic` over `resultType`'s shape: result[i] = body(inputs...).
/// Inputs are read through `inputMaps` when given, else `broadcastMap`.
mlir::Value buildElementwise(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange inputs, ScalarBody body,
                             llvm::ArrayRef<mlir::AffineMap> inputMaps = {});

/// A tensor of `type` (rank 3 or 4, channels in dimension 1) whose every
/// element is `bias[channel]`, or 0 without a bias: the initial accumulator
/// of a convolution.
mlir::Value buildChannelFilled(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::RankedTensorType type, mlir::Value bias);

/// The body of a multiply-accumulate generic (ins a, b; out acc):
/// yields acc + a * b.
void yieldMultiplyAdd(mlir::OpBuilder &builder, mlir::Location loc,
                      mlir::ValueRange args);

/// max(x, 0) and min(max(x, low), high) of a float scalar: the Relu and Clip
/// ops and a conv's fused activation compute them alike.
mlir::Value buildRelu(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value x);
mlir::Value buildClamp(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value x,
                       double low, double high);

/// x^beta for x > 0 (a float or a vector of floats): the square roots of
/// ONNX's default 0.75 (and 0.5, 1), which vectorise, where powf is a call
/// per element; powf otherwise.
mlir::Value buildPower(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::Value x, float beta);

/// A tensor of `type` with every element `value` (see buildScalar).
mlir::Value buildFilled(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::RankedTensorType type, double value);

/// Reduces `input` along `axis` with `combine` starting from `initial`; the
/// result drops that dimension.
mlir::Value buildAxisReduction(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::Value input, unsigned axis, double initial,
                               ScalarBody combine);

/// The map from an iteration space of rank `rank` to the same space without
/// dimension `axis` (to read what `buildAxisReduction` produced).
mlir::AffineMap dropAxisMap(mlir::MLIRContext *context, unsigned rank,
                            unsigned axis);

/// `tensor.pad` of the two spatial dimensions (2 and 3) of an NCHW or a
/// blocked [N, C/c, H, W, c] tensor with `value`;
/// `input` itself when every amount is zero.
mlir::Value buildSpatialPad(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value input, int64_t top, int64_t left,
                            int64_t bottom, int64_t right, double value);

/// A float constant of `type` (f32 here), or its splat when `type` is a
/// vector type.
mlir::Value buildFloat(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::Type type, double value);

/// A constant of float or signless integer type `type`; an integer `value`
/// is truncated to the type's width (so 255 and -1 are one i8).
mlir::Value buildScalar(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Type type, double value);

/// The smallest value of an element type: -inf for floats, the integer
/// minimum for integers, signed or (`isUnsigned`) unsigned.
double lowestValue(mlir::Type type, bool isUnsigned);
/// Where a max pool starts, and what its padding holds: the lowest value for
/// integers, the lowest finite float for floats. With NaN never winning
/// (maxnumf) this is ONNX Runtime's max pool: a window of NaN and -inf gives
/// -FLT_MAX there, and here.
double maxPoolStart(mlir::Type type, bool isUnsigned);
/// The largest value: +inf, or the integer maximum.
double highestValue(mlir::Type type, bool isUnsigned);

/// Whether a tensor type of the incept dialect holds unsigned integers (ui8),
/// which the lowering turns into signless ones.
bool hasUnsignedElements(mlir::Type tensorType);

/// Installs the incept → linalg type conversion: tensors of unsigned
/// integers become tensors of signless integers of the same width; every
/// other type stays.
void addSignlessConversions(mlir::TypeConverter &converter);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_LINALGBUILDERS_H
