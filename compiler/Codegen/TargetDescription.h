//===- TargetDescription.h - #incept.target from LLVM's target -*- C++ -*-===//

#ifndef INCEPT_COMPILER_CODEGEN_TARGETDESCRIPTION_H
#define INCEPT_COMPILER_CODEGEN_TARGETDESCRIPTION_H

#include "dialects/Incept/InceptOps.h"

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace incept {

/// What the passes need to know of `machine`: vector width and registers
/// from its features (so `--march=znver3` gives the AVX2 form on any host),
/// the caches and cores from the host when it is the host CPU, from the CPU
/// family otherwise.
TargetAttr describeTargetAttr(mlir::MLIRContext *context,
                              const llvm::TargetMachine &machine,
                              bool isHost);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_TARGETDESCRIPTION_H
