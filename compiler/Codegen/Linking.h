//===- Linking.h - the model object plus its wrapper, as .so or .o -*- C++ -*-===//

#ifndef INCEPT_COMPILER_CODEGEN_LINKING_H
#define INCEPT_COMPILER_CODEGEN_LINKING_H

#include "compiler/Codegen/Sanitizer.h"

#include "llvm/Support/Error.h"

#include <string>

namespace incept {

/// Where the C compiler and the runtime are: next to an installed
/// incept-compile (bin/../include, bin/../lib), else in the build tree it was
/// built in. `INCEPT_CC` overrides the compiler.
struct Toolchain {
  std::string cCompiler;
  std::string runtimeIncludeDir;
  std::string runtimeLibrary;
  /// The CUDA part of the runtime, which --target=cuda libraries link too.
  std::string runtimeCudaLibrary;
};
llvm::Expected<Toolchain> findToolchain(const char *argv0, void *mainAddress);

/// Runs `program` with `args`; its standard error becomes the message of a
/// failure.
llvm::Error runTool(llvm::StringRef program, llvm::ArrayRef<std::string> args);

/// Compiles the wrapper and links it with the model's object file into a
/// self-contained shared library (runtime included, only the API exported;
/// with `cuda`, the runtime's CUDA part too) or into one relocatable object
/// (that needs the runtime at link time). With a sanitizer, the wrapper is
/// compiled with it and the library holds the runtime built with it, whose
/// sanitizer calls the host resolves. Writes `output` atomically.
llvm::Error linkModel(const Toolchain &toolchain, llvm::StringRef modelObject,
                      llvm::StringRef wrapperSource, bool shared, bool cuda,
                      Sanitizer sanitizer, llvm::StringRef output);

/// Writes `output` by calling `write` on a temporary file next to it, then
/// fsync and rename (and fsync of the directory): an error, or the process
/// killed at any point, leaves the old file or none, never a partial one.
llvm::Error writeAtomically(llvm::StringRef output,
                            llvm::function_ref<llvm::Error(llvm::StringRef)> write);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_LINKING_H
