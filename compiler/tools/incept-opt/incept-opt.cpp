//===- incept-opt.cpp - runs any Incept or MLIR pass, for lit tests --------===//
//
// Every stage of the compiler is a pass or named pipeline here
// (`--convert-incept-to-linalg`, `--incept-bufferize`, `--incept-plan-arena`,
// `--incept-lower-to-llvm`), next to all of upstream MLIR's.
//
//===----------------------------------------------------------------------===//

#include "dialects/Incept/InceptDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<incept::InceptDialect>();
  incept::registerLoweringDialects(registry);
  incept::registerInceptPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Incept optimizer driver\n", registry));
}
