//===- ObjectEmission.h - LLVM dialect to LLVM IR, assembly, objects -*- C++ -*-===//

#ifndef INCEPT_COMPILER_CODEGEN_OBJECTEMISSION_H
#define INCEPT_COMPILER_CODEGEN_OBJECTEMISSION_H

#include "compiler/Codegen/Sanitizer.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace incept {

/// A target machine for the host triple and `cpu` ("" or "native": the
/// host's CPU and features), position-independent, at `optLevel`.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned optLevel);

/// "x86_64-pc-linux-gnu cpu=znver3": what the description calls the target.
std::string describeTarget(const llvm::TargetMachine &machine);

/// Translates an LLVM-dialect module and runs LLVM's optimisation pipeline
/// for `optLevel` on it, tuned for `machine`, instrumented for `sanitizer`.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &context,
                     llvm::TargetMachine &machine, unsigned optLevel,
                     Sanitizer sanitizer = Sanitizer::None);

/// Machine code for `module`: an object file, or assembly text.
/// LLVM's optimisation pipeline for `optLevel` on a translated module.
void optimize(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel,
              Sanitizer sanitizer = Sanitizer::None);

llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            bool assembly, llvm::raw_pwrite_stream &os);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_OBJECTEMISSION_H
