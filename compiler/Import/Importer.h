//===- Importer.h - ONNX graph to incept IR ---------------------*- C++ -*-===//

#ifndef INCEPT_COMPILER_IMPORT_IMPORTER_H
#define INCEPT_COMPILER_IMPORT_IMPORTER_H

#include "compiler/Import/ModelLoader.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace incept {

/// Turns a loaded model (see loadModel) into a module holding one function:
/// graph inputs are its arguments, graph outputs its results (both carry their
/// ONNX names in `incept.name`), initializers are `arith.constant`s of dense
/// resource blobs, and every node is imported by its op handler. With
/// `externalWeights`, every f32 initializer (or Constant node) of more than
/// 16 elements is instead an incept.external_weight, listed in the module's
/// kExternalWeightsAttr (dialects/Incept/WeightBlobs.h). Returns null after emitting diagnostics at
/// locations that name the node and the file.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(mlir::MLIRContext &context,
                                                  const LoadedModel &model,
                                                  llvm::StringRef fileName,
                                                  bool externalWeights = false);

/// Registers the dialects the imported IR uses.
void registerImportDialects(mlir::DialectRegistry &registry);

} // namespace incept

#endif // INCEPT_COMPILER_IMPORT_IMPORTER_H
