//===- Outlining.h - what outlined kernel code needs ------------*- C++ -*-===//
//
// incept-outline-kernels and incept-outline-parallel-loops both move code out
// of a function into a new one with the same arguments, cloning in the views
// and constants it reads; and the passes after them find the model's entry
// point, and the ONNX node of a kernel, the same way.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_OUTLINING_H
#define INCEPT_PASSES_LOWERING_OUTLINING_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace incept {

/// The side-effect-free ops of `block` without regions that compute
/// `values` (transitively), in block order; fails when one of them is
/// defined otherwise in `block` (a value from elsewhere, a block argument,
/// needs no op).
mlir::FailureOr<llvm::SmallVector<mlir::Operation *>>
pureDefinitionsInBlock(llvm::ArrayRef<mlir::Value> values, mlir::Block &block);

/// The ONNX node of `op` ("" where none is known): a merged op has a
/// FusedLoc of its nodes, and the first names it.
llvm::StringRef nodeName(mlir::Operation *op);

/// The model's entry point: the public function with a planned arena; null
/// before incept-plan-arena.
mlir::func::FuncOp findModelEntry(mlir::ModuleOp module);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_OUTLINING_H
