//===- WeightsFile.h - the weights of --weights=external --------*- C++ -*-===//
//
// A model imported with external weights lists its weights in the module
// (kExternalWeightsAttr, with their values beside); this takes them out and
// writes them as a `.weights` file, whose layout is
// runtime/include/incept/weights_file.h's (docs/weights.md).
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_WEIGHTSFILE_H
#define INCEPT_COMPILER_CODEGEN_WEIGHTSFILE_H

#include "compiler/Codegen/ModelInterface.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace incept {

/// One tensor of the file: its manifest entry and its values, which the
/// attribute holding them keeps alive.
struct ExternalWeight {
  TensorInterface tensor;
  llvm::ArrayRef<char> bytes;
  mlir::ElementsAttr values;
};

/// The external weights of `module` in manifest order; their values are
/// taken out of the module, so that only the manifest goes on through the
/// pipeline. Empty for a module imported with embedded weights.
std::vector<ExternalWeight> takeExternalWeights(mlir::ModuleOp module);

/// Writes `weights` as a weights file at `path`, atomically.
llvm::Error writeWeightsFile(llvm::StringRef path,
                             llvm::ArrayRef<ExternalWeight> weights);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_WEIGHTSFILE_H
