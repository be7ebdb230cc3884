//===- incept-opt.cpp - run incept passes on MLIR files -------------------===//
//
// The mlir-opt of this project: every dialect the pipeline produces and every
// pass it runs, so that each pass can be tested alone with lit.
//
//===----------------------------------------------------------------------===//

#include "dialects/Incept/InceptDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<incept::InceptDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::tensor::TensorDialect>();
  mlir::registerTransformsPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Incept optimizer driver\n", registry));
}
