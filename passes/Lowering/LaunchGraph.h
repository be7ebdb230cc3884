//===- LaunchGraph.h - which GPU launches must wait for which ---*- C++ -*-===//
//
// A function's kernel launches, in the order the host issues them, and what
// each must wait for: a launch depends on an earlier one that writes memory
// it reads or writes, or reads memory it writes (the memory being byte
// ranges of the function's buffers: its arguments and allocations, through
// views with static offsets). Launches that depend on each other by no path
// may run at the same time, on different streams (incept-gpu-streams), and
// then must not share memory (incept-plan-arena).
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_PASSES_LOWERING_LAUNCHGRAPH_H
#define INCEPT_PASSES_LOWERING_LAUNCHGRAPH_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include "llvm/ADT/BitVector.h"

#include <optional>

namespace incept {

/// Bytes [begin, end) of `root` (a function argument or an allocation),
/// read, written or both by one launch.
struct MemoryAccess {
  mlir::Value root;
  int64_t begin = 0, end = 0;
  bool reads = false, writes = false;

  bool conflictsWith(const MemoryAccess &other) const;
};

class LaunchGraph {
public:
  /// The graph of `func`'s launches, or nothing where the function does
  /// something else with memory on the host (a copy, a call): then only the
  /// order of the host's ops orders it.
  static std::optional<LaunchGraph> build(mlir::func::FuncOp func);

  llvm::ArrayRef<mlir::gpu::LaunchFuncOp> launches() const { return launchOps; }
  /// The launches `launch` waits for directly: none of them happens before
  /// another of them.
  llvm::ArrayRef<unsigned> predecessors(unsigned launch) const { return direct[launch]; }
  /// Every launch that happens before `launch`.
  const llvm::BitVector &ancestors(unsigned launch) const { return before[launch]; }
  /// The accesses of `launch`.
  llvm::ArrayRef<MemoryAccess> accesses(unsigned launch) const { return memory[launch]; }
  /// The index of the first launch from which on every launch happens after
  /// all of `launches` (the number of launches where there is none).
  unsigned joinAfter(const llvm::BitVector &launches) const;
  /// The longest chain of launches that depend on each other, in launches.
  unsigned criticalPath() const;

private:
  llvm::SmallVector<mlir::gpu::LaunchFuncOp> launchOps;
  llvm::SmallVector<llvm::SmallVector<MemoryAccess>> memory;
  llvm::SmallVector<llvm::SmallVector<unsigned>> direct;
  llvm::SmallVector<llvm::BitVector> before;
};

/// The declaration of the runtime's function `name`, which takes a stream
/// (an async token, a CUstream once lowered) and a number: an event's
/// (incept-gpu-streams) or a kernel's (incept-instrument-kernels).
mlir::func::FuncOp declareStreamFunction(mlir::ModuleOp module, llvm::StringRef name);

/// A copy of `launch`, made at the builder's point, that runs on `stream`
/// (an async token) and returns a token; `launch` is left as it is.
mlir::gpu::LaunchFuncOp launchOnStream(mlir::OpBuilder &b, mlir::gpu::LaunchFuncOp launch,
                                       mlir::Value stream);

} // namespace incept

#endif // INCEPT_PASSES_LOWERING_LAUNCHGRAPH_H
