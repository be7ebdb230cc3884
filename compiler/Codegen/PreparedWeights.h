//===- PreparedWeights.h - create's preparation of external weights -*- C++ -*-===//
//
// With --weights=external, a context's create reads the weights file, checks
// it against the library's manifest, and runs the preparation that
// incept-hoist-weight-preparation took out of the model function: generated
// C, one call of an incept/prepare.h step per step, into the context's
// prepared weights (what the forward function reads) and a scratch.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_PREPAREDWEIGHTS_H
#define INCEPT_COMPILER_CODEGEN_PREPAREDWEIGHTS_H

#include "compiler/Codegen/ModelInterface.h"

#include "llvm/Support/raw_ostream.h"

namespace incept {

/// The preparation recorded on `func` by incept-hoist-weight-preparation,
/// reading the tensors of `manifest`.
WeightPreparation readWeightPreparation(mlir::func::FuncOp func,
                                        std::vector<TensorInterface> manifest,
                                        llvm::StringRef fileName);

/// The C of the library's manifest (`weight_manifest`), its preparation
/// (`prepare_weights`) and `load_weights(options, &prepared)`, which reads
/// the file named in the create options (or the default one), checks it,
/// prepares the weights into a new buffer of `preparedFloats` and frees the
/// rest. The wrapper's `description` must be declared before it.
void generateWeightLoading(const ModelInterface &model, llvm::raw_ostream &os);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_PREPAREDWEIGHTS_H
