//===- ModelLibrary.h - a compiled model loaded with dlopen -----*- C++ -*-===//
//
// Any shared library Incept compiles exports `incept_model_v1`, which
// describes the model and points to its create/run/destroy functions. A
// ModelLibrary loads one and checks that description before anything calls
// into it: the ABI version, the struct size, and that every shape, count and
// pointer is consistent, since a host that trusted a wrong num_elements would
// hand the model a buffer of the wrong size.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_TOOLS_INCEPTRUN_MODELLIBRARY_H
#define INCEPT_COMPILER_TOOLS_INCEPTRUN_MODELLIBRARY_H

#include "incept/incept.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace incept {

class ModelLibrary {
public:
  /// Loads `path` and checks its model description. Error messages start
  /// with `path: `.
  static llvm::Expected<std::unique_ptr<ModelLibrary>>
  open(llvm::StringRef path);
  ~ModelLibrary();
  ModelLibrary(const ModelLibrary &) = delete;
  ModelLibrary &operator=(const ModelLibrary &) = delete;

  const incept_model &model() const { return *description; }
  llvm::StringRef path() const { return libraryPath; }
  llvm::ArrayRef<incept_tensor_info> inputs() const {
    return {description->inputs, static_cast<size_t>(description->num_inputs)};
  }
  llvm::ArrayRef<incept_tensor_info> outputs() const {
    return {description->outputs,
            static_cast<size_t>(description->num_outputs)};
  }
  /// Whether run_batch takes any batch (incept-compile --batch dynamic).
  bool dynamicBatch() const;
  /// Whether its kernels run on a GPU (it has run_device: --target=cuda).
  bool runsOnGpu() const;
  /// What the library's last failing call in this thread said beyond its
  /// status (the CUDA driver's error, say); "" when nothing, or for a
  /// library that predates incept_last_error.
  std::string lastError() const;
  /// The batch the kernels were compiled for: the first dimension of the
  /// first input (1 without one); a dynamic batch's chunk.
  int64_t compiledBatch() const;

private:
  ModelLibrary(std::string path, void *handle, const incept_model *description)
      : libraryPath(std::move(path)), handle(handle), description(description) {
  }

  std::string libraryPath;
  void *handle;
  const incept_model *description;
};

/// The checks ModelLibrary::open makes of a loaded library's description
/// before anything trusts it (the fuzz target feeds it crafted ones). Error
/// messages start with `path: `.
llvm::Error checkModelDescription(llvm::StringRef path, const incept_model &model);

/// The checks of the timings a --profile library's profile() filled in,
/// before incept-run prints them: tables where there are kernels, and every
/// kernel's layer one of the model's.
llvm::Error checkProfile(llvm::StringRef path, const incept_model &model,
                         const incept_profile &profile);

/// `'data' float32 [1, 3, 224, 224]`.
std::string describeTensor(const incept_tensor_info &tensor);

/// The shape of a tensor the model describes.
inline llvm::ArrayRef<int64_t> shapeOf(const incept_tensor_info &tensor) {
  return {tensor.shape, static_cast<size_t>(tensor.rank)};
}

/// The model's name, source, target, compiler, tensors and scratch size, one
/// per line, for --info.
void printModelInfo(const ModelLibrary &library, llvm::raw_ostream &os);

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_INCEPTRUN_MODELLIBRARY_H
