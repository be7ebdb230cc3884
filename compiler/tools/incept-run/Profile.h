//===- Profile.h - incept-run's per-layer profile -------------*- C++ -*-===//
//
// The table of a profiled model's layers (ONNX node, op, shape, strategy,
// time per run, GFLOP/s, % of this machine's FMA peak) and its Chrome trace
// (chrome://tracing, Perfetto: one complete event per kernel of the last
// run, kernels that overlapped on lanes of their own), from the times its
// context collected.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_TOOLS_INCEPT_RUN_PROFILE_H
#define INCEPT_COMPILER_TOOLS_INCEPT_RUN_PROFILE_H

#include "incept/incept.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace incept {

/// FP32 GFLOP/s of one core's FMA units, measured with the widest vectors
/// this CPU has (AVX-512 or AVX2+FMA; 0 without either).
double measureFmaPeakGflops();

// Both take a model and profile that checkModelDescription and checkProfile
// (ModelLibrary.h) have accepted: every kernel's layer is one of the model's.

/// Prints the layer table of `profile` (for `model`) to `os`: first
/// "profile: N runs, " and `heading`, then a row a layer, its % of peak
/// that of `peakGflops` (none where 0).
void printProfile(const incept_model &model, const incept_profile &profile,
                  llvm::StringRef heading, double peakGflops, llvm::raw_ostream &os);

/// Writes the last run's kernels as a Chrome trace to `path`.
llvm::Error writeChromeTrace(const incept_model &model,
                             const incept_profile &profile,
                             llvm::StringRef path);

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_INCEPT_RUN_PROFILE_H
