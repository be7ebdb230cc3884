//===- GpuEmulation.h - kernels the tests run on the CPU ---------*- C++ -*-===//
//
// No machine that builds and tests Incept has a GPU, so the kernels' logic
// (tiles, fragments, pipelines, epilogues) would go untested until a device
// is lent. With --gpu-emulator a GPU library's kernels are the same NVVM IR
// as for a GPU, compiled for the host instead of to PTX: each intrinsic
// (thread and block indices, barriers, mma.sync, ldmatrix, cp.async, ...)
// becomes a call into an emulator, and each kernel gets an entry that takes
// cuLaunchKernel's parameter array. The test driver (test/CudaRuntime,
// KernelEmulator.c) loads that image in place of a cubin and runs every
// thread of a launch, switching threads at each barrier and warp collective.
// Everything above the kernels, from the host code to the runtime and the
// CUDA graph, is the same as in a GPU library.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_GPUEMULATION_H
#define INCEPT_COMPILER_CODEGEN_GPUEMULATION_H

#include "compiler/Codegen/Linking.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

namespace incept {

/// Replaces every gpu.module of `module` (kernels in the LLVM dialect with
/// NVVM ops, as convert-gpu-to-nvvm leaves them) by a gpu.binary whose
/// object is a host shared object of those kernels, for the emulating
/// driver. `machine` is the host's.
llvm::Error embedEmulatedKernels(mlir::ModuleOp module, llvm::TargetMachine &machine,
                                 const Toolchain &toolchain);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_GPUEMULATION_H
