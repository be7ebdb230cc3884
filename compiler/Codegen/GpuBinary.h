//===- GpuBinary.h - the kernels' image in a GPU library --------*- C++ -*-===//
//
// gpu-module-to-binary leaves PTX, which the driver compiles at a library's
// first run. Where CUDA's ptxas and fatbinary are found, the library holds a
// fatbin instead: cubins for the architectures it runs on and the PTX, so
// that the driver loads the cubin of the GPU it finds (and JITs the PTX for
// a newer one).
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_GPUBINARY_H
#define INCEPT_COMPILER_CODEGEN_GPUBINARY_H

#include "compiler/Codegen/TemporaryDirectory.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace incept {

/// CUDA's ptxas and fatbinary: in $CUDA_HOME/bin (or $CUDA_PATH/bin) when
/// that is set, else in /usr/local/cuda/bin, else on PATH; nothing when
/// either is missing.
struct CudaToolkit {
  std::string ptxas, fatbinary;
};
std::optional<CudaToolkit> findCudaToolkit();

/// A directory for gpu-module-to-binary's `toolkit` option. The pass links
/// the toolkit's nvvm/libdevice/libdevice.10.bc into every kernel module and
/// reports an error, with the whole module, wherever there is none (a
/// machine without CUDA, or a wrong $CUDA_HOME). The kernels call nothing of
/// libdevice (incept-lower-gpu-math), so this directory holds an empty
/// bitcode module under that name: the PTX is the same on every machine,
/// with a toolkit or without.
llvm::Expected<TemporaryDirectory> createEmptyDeviceLibrary();

/// Replaces the PTX of every gpu.binary in `module` with a fatbin of cubins
/// for `computeCapability` and each later architecture the backend knows
/// (sm_80 → sm_80 and sm_90), and the PTX.
llvm::Error embedFatbins(mlir::ModuleOp module, const CudaToolkit &toolkit,
                         int computeCapability);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_GPUBINARY_H
