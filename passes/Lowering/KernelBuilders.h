//===- KernelBuilders.h - loops and index arithmetic of kernels -*- C++ -*-===//
//
// The blocked kernels (convs, pools) are written as scf loops over tensors
// whose trip counts are static; these are the few builders they share.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_KERNELBUILDERS_H
#define INCEPT_PASSES_LOWERING_KERNELBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace incept {

/// An index constant.
mlir::Value buildIndex(mlir::OpBuilder &builder, mlir::Location loc,
                       int64_t value);

/// a * factor + offset on index values (no offset when null); multiplies
/// and adds by nothing are left out.
mlir::Value buildMulAdd(mlir::OpBuilder &builder, mlir::Location loc,
                        mlir::Value a, int64_t factor, mlir::Value offset);
/// a + constant.
mlir::Value buildAddConstant(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::Value a, int64_t constant);

/// A vector of `type` with every lane `value`.
mlir::Value buildSplat(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::VectorType type, float value);

/// The vector of `type` at `at` of `source`, along its innermost dimension
/// (in bounds: the kernels read whole blocks).
mlir::Value buildVectorRead(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::VectorType type, mlir::Value source,
                            mlir::ValueRange at);

using LoopBody = llvm::function_ref<llvm::SmallVector<mlir::Value>(
    mlir::OpBuilder &, mlir::Value, mlir::ValueRange)>;

/// `body(i, values)` for i in [begin, end), carrying `values` from one
/// iteration to the next: an scf.for, or the body alone for one iteration.
llvm::SmallVector<mlir::Value> buildLoop(mlir::OpBuilder &builder,
                                         mlir::Location loc, int64_t begin,
                                         int64_t end, mlir::ValueRange values,
                                         LoopBody body);
/// The same with bounds computed at run time (an scf.for always).
llvm::SmallVector<mlir::Value> buildLoop(mlir::OpBuilder &builder,
                                         mlir::Location loc, mlir::Value begin,
                                         mlir::Value end, mlir::ValueRange values,
                                         LoopBody body);

/// `thenBody()` if `condition`, else `elseBody()`: an scf.if yielding one
/// value of `type`.
mlir::Value buildIf(mlir::OpBuilder &builder, mlir::Location loc,
                    mlir::Value condition, mlir::Type type,
                    llvm::function_ref<mlir::Value(mlir::OpBuilder &)> thenBody,
                    llvm::function_ref<mlir::Value(mlir::OpBuilder &)> elseBody);

/// The attribute that marks an scf.for whose iterations are independent and
/// may run on the context's threads (incept-outline-parallel-loops). Such a
/// loop starts at 0 with step 1.
inline constexpr llvm::StringLiteral kParallelLoopAttr = "incept.parallel";

/// The threads a layer's work items are balanced for on a target of `cores`
/// cores: its cores, and at least 2 (see parallelItemsFor).
int64_t parallelThreadsFor(int64_t cores);

/// How many work items a layer's parallel loop is split into for a target
/// of `cores` cores: 4 for each of parallelThreadsFor, so at least 8. A
/// thread runs its share of consecutive items, then helps the others
/// (runtime/lib/ThreadPool.c), so a few items a thread balance a layer, and
/// larger items cost less to start: in the blocked conv kernel, 4 a core
/// ran faster than 8 or 32 on one thread and on two (docs/performance.md).
/// At least 8, because a library may run on more threads than its target
/// describes (one core when --march names another machine than the host).
int64_t parallelItemsFor(int64_t cores);

/// buildLoop over [0, count) marked parallel when it is a loop.
llvm::SmallVector<mlir::Value> buildParallelLoop(mlir::OpBuilder &builder,
                                                 mlir::Location loc,
                                                 int64_t count,
                                                 mlir::ValueRange values,
                                                 LoopBody body);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_KERNELBUILDERS_H
