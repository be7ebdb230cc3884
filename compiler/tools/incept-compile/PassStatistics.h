//===- PassStatistics.h - op counts before and after every pass -*- C++ -*-===//
//
// `incept-compile --stats` prints, for every optimisation pass, the
// counts that the graph optimisations are about (convs, standalone
// batch-norms, elementwise ops, concats, conv chains, copies) before and
// after it, and the bytes of tensors that stopped going to memory.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_TOOLS_INCEPT_COMPILE_PASSSTATISTICS_H
#define INCEPT_TOOLS_INCEPT_COMPILE_PASSSTATISTICS_H

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace incept {

/// Adds an instrumentation to `pm` that prints a row to `os` after every
/// optimisation pass, and the copies left after bufferization.
void addPassStatistics(mlir::PassManager &pm, llvm::raw_ostream &os);

/// Prints the header of the table that addPassStatistics fills.
void printPassStatisticsHeader(llvm::raw_ostream &os);

} // namespace incept

#endif // INCEPT_TOOLS_INCEPT_COMPILE_PASSSTATISTICS_H
