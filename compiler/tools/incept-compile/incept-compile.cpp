//===- incept-compile.cpp - the Incept compiler driver --------------------===//
//
// Builds its pipeline stage by stage up to the one --emit asks for (as Toy's
// chapter 7 driver does): load the ONNX model, import it to the incept
// dialect, canonicalise, and write the result. Every output is written to a
// temporary file and renamed, so an error never leaves a partial file.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/Importer.h"
#include "compiler/Import/ModelLoader.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

enum class EmitKind { Incept };

cl::OptionCategory category("incept-compile options");

cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                   cl::desc("<model.onnx | model.onnxtxt>"),
                                   cl::cat(category));
cl::opt<std::string> outputFilename("o", cl::desc("Output file ('-' for stdout)"),
                                    cl::value_desc("filename"), cl::init("-"),
                                    cl::cat(category));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Incept),
    cl::values(clEnumValN(EmitKind::Incept, "incept",
                          "the model imported into the incept dialect")),
    cl::cat(category));
cl::opt<int64_t> batch("batch",
                       cl::desc("Size of every input's dynamic first dimension"),
                       cl::value_desc("N"), cl::cat(category));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of a named input (repeatable)"),
                cl::value_desc("NAME=AxBxCxD"), cl::cat(category));

/// Prints `error: <file>: <message>`: the node's name is in the message (the
/// importer puts it there) and ONNX files have no line numbers to show.
LogicalResult printDiagnostic(Diagnostic &diag) {
  std::string file;
  diag.getLocation()->walk([&](Location loc) {
    if (auto fileLoc = dyn_cast<FileLineColLoc>(loc)) {
      file = fileLoc.getFilename().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  std::string node;
  if (auto nameLoc = dyn_cast<NameLoc>(diag.getLocation()))
    node = "node '" + nameLoc.getName().str() + "': ";
  llvm::StringRef severity =
      diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
      : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                          : "note";
  llvm::errs() << severity << ": " << (file.empty() ? "" : file + ": ") << node
               << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    llvm::errs() << "note: " << note.str() << "\n";
  return success();
}

void printOpCounts(ModuleOp module, llvm::raw_ostream &os) {
  llvm::MapVector<llvm::StringRef, int64_t> counts;
  module.walk([&](Operation *op) {
    if (op != module.getOperation())
      ++counts[op->getName().getStringRef()];
  });
  llvm::SmallVector<std::pair<llvm::StringRef, int64_t>> sorted(counts.begin(),
                                                                counts.end());
  llvm::sort(sorted);
  os << "op counts:\n";
  for (auto [name, count] : sorted)
    os << llvm::formatv("  {0,-24} {1,6}\n", name, count);
}

incept::ModelLoadOptions loadOptions(bool &ok) {
  incept::ModelLoadOptions options;
  if (batch.getNumOccurrences()) {
    if (batch <= 0) {
      llvm::errs() << "error: --batch must be positive, got " << batch << "\n";
      ok = false;
    }
    options.batch = batch;
  }
  for (const std::string &spec : inputShapes) {
    auto [name, shapeText] = llvm::StringRef(spec).rsplit('=');
    std::optional<llvm::SmallVector<int64_t>> shape = incept::parseShape(shapeText);
    if (name.empty() || shapeText.empty() || !shape) {
      llvm::errs() << "error: --input-shape expects NAME=AxBxCxD with positive "
                      "sizes, got '"
                   << spec << "'\n";
      ok = false;
      continue;
    }
    options.inputShapes[name] = *shape;
  }
  return options;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  cl::HideUnrelatedOptions({&category, &cl::getGeneralCategory()});
  cl::ParseCommandLineOptions(argc, argv,
                              "Incept: compile Inception-family ONNX models\n");

  bool ok = true;
  incept::ModelLoadOptions options = loadOptions(ok);
  if (!ok)
    return 1;

  llvm::Expected<incept::LoadedModel> model = incept::loadModel(inputFilename, options);
  if (!model) {
    llvm::errs() << "error: " << inputFilename << ": "
                 << llvm::toString(model.takeError()) << "\n";
    return 1;
  }

  MLIRContext context;
  context.getDiagEngine().registerHandler(printDiagnostic);
  OwningOpRef<ModuleOp> module =
      incept::importOnnxModel(context, *model, inputFilename);
  if (!module)
    return 1;
  model->proto.reset(); // the weights now live in the module's blobs

  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return 1;

  // `--stats` is LLVM's own flag (it cannot be registered twice); for this
  // tool it also means the op counts of the result, on stderr.
  if (llvm::AreStatisticsEnabled())
    printOpCounts(*module, llvm::errs());

  OpPrintingFlags flags;
  if (llvm::Error e = llvm::writeToOutput(outputFilename, [&](llvm::raw_ostream &os) {
        module->print(os, flags);
        return llvm::Error::success();
      })) {
    // Some of LLVM's messages name the file already, some do not.
    std::string message = llvm::toString(std::move(e));
    llvm::StringRef reason(message);
    reason.consume_front("'" + outputFilename + "': ");
    llvm::errs() << "error: cannot write '" << outputFilename << "': " << reason
                 << "\n";
    return 1;
  }
  return 0;
}
