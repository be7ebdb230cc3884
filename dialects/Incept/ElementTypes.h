//===- ElementTypes.h - dtypes as element types of the dialect --*- C++ -*-===//
//
// The incept dialect's element type of each dtype of the ABI table
// (compiler/Support/Dtypes.h), and back: the importer reads ONNX tensors
// through it, the interface emitter describes the model's tensors with it.
// Also the name of the attribute that keeps a tensor's ONNX name.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_DIALECTS_INCEPT_ELEMENTTYPES_H
#define INCEPT_DIALECTS_INCEPT_ELEMENTTYPES_H

#include "compiler/Support/Dtypes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"

namespace incept {

/// The element type of `dtype` in the incept dialect (f32, ui8, i8, i32,
/// i64, i1: its MLIR spelling in the table).
mlir::Type elementTypeOf(const DtypeInfo &dtype, mlir::MLIRContext *context);

/// The dtype of an element type of the dialect, or null for another type.
const DtypeInfo *dtypeOf(mlir::Type type);

/// The attribute of a model function's argument or result that holds the
/// ONNX name of the tensor (and "arena" for the activations' argument).
inline constexpr llvm::StringLiteral kTensorNameAttr = "incept.name";

} // namespace incept

#endif // INCEPT_DIALECTS_INCEPT_ELEMENTTYPES_H
