//===- OnnxModelFuzzer.cpp - libFuzzer target: the ONNX model loader ------===//
//
// Whatever bytes arrive, as a model file in protobuf's binary format (or its
// text format, built with INCEPT_FUZZ_TEXT_FORMAT), go through what
// incept-compile does before the graph passes: loadModel's parse, external
// data (from a directory holding one data file), checker, opset conversion
// and shape inference, then the importer,
// the verifier and the tensor-size limits. Any outcome but a crash, a hang, a
// sanitizer report or a leak is fine: bad input must only be refused.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Importer.h"
#include "compiler/Import/ResourceLimits.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

#ifdef INCEPT_FUZZ_TEXT_FORMAT
constexpr incept::ModelFormat kFormat = incept::ModelFormat::Text;
constexpr const char *kFileName = "fuzz.onnxtxt";
#else
constexpr incept::ModelFormat kFormat = incept::ModelFormat::Binary;
constexpr const char *kFileName = "fuzz.onnx";
#endif

/// The model's directory: one data file, weights.bin (4 KiB of a float
/// pattern), that external data may name; a reference to anything else, an
/// absolute path, `..` or a range past its end must be refused. Made once,
/// removed at exit.
const std::string &modelDirectory() {
  static std::string *directory = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("incept-fuzz-model", path))
      __builtin_trap();
    auto *result = new std::string(path.str());
    llvm::sys::path::append(path, "weights.bin");
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      __builtin_trap();
    for (int i = 0; i < 1024; ++i) {
      float value = 0.01f * static_cast<float>(i % 97) - 0.5f;
      os.write(reinterpret_cast<const char *>(&value), sizeof value);
    }
    std::atexit([] { llvm::sys::fs::remove_directories(*directory); });
    return result;
  }();
  return *directory;
}

const mlir::DialectRegistry &registry() {
  static mlir::DialectRegistry *dialects = [] {
    auto *registry = new mlir::DialectRegistry;
    incept::registerImportDialects(*registry);
    return registry;
  }();
  return *dialects;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  incept::ModelLoadOptions options;
  options.batch = 1;
  options.batchRule = incept::ModelLoadOptions::BatchRule::IfDynamic;
  llvm::Expected<incept::LoadedModel> model =
      incept::loadModelFromBytes(bytes, kFormat, modelDirectory(), options);
  if (!model) {
    llvm::consumeError(model.takeError());
    return 0;
  }
  mlir::MLIRContext context(registry(), mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) {
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      incept::importOnnxModel(context, *model, kFileName);
  if (!module)
    return 0;
  // The importer's output must be valid IR whatever it was given; an
  // invalid module would crash the passes after it.
  if (failed(mlir::verify(*module)))
    __builtin_trap();
  (void)incept::checkTensorSizes(*module, incept::kDefaultMaxTensorBytes);
  return 0;
}
