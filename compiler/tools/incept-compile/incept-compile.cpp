//===- incept-compile.cpp - the Incept compiler driver --------------------===//
//
// Builds its pipeline stage by stage up to the one --emit asks for (as Toy's
// chapter 7 driver does): import the ONNX model to the incept dialect, lower
// it to linalg, to buffers in a planned arena, to the LLVM dialect, to LLVM
// IR, to machine code, and link that with a generated C wrapper into a
// shared library or an object plus a header. Every output is written to a
// temporary file and renamed, so an error never leaves a partial file.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/GpuBinary.h"
#include "compiler/Codegen/GpuEmulation.h"
#include "compiler/Import/ResourceLimits.h"
#include "compiler/Codegen/Linking.h"
#include "compiler/Codegen/ModelInterface.h"
#include "compiler/Codegen/ObjectEmission.h"
#include "compiler/Codegen/PreparedWeights.h"
#include "compiler/Codegen/TargetDescription.h"
#include "compiler/Codegen/WeightsFile.h"
#include "dialects/Incept/Target.h"
#include "compiler/Import/Importer.h"
#include "compiler/Import/ModelLoader.h"
#include "compiler/tools/common/ToolOptions.h"
#include "compiler/tools/incept-compile/CompileStages.h"
#include "compiler/tools/incept-compile/PassStatistics.h"
#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

/// The stages, in pipeline order: --emit=X stops after X.
enum class EmitKind { Incept, Fused, Linalg, LLVMMLIR, Ptx, LLVMIR, Asm, Obj, Lib, Header, Weights };

/// --weights: where a library's weights are.
enum class WeightsMode { Embed, External };

// --help lists these groups (alphabetically, as LLVM sorts them); every
// other option, LLVM's and MLIR's, is behind --help-hidden.
cl::OptionCategory inputCategory("Input and shapes");
cl::OptionCategory targetCategory("Target");
cl::OptionCategory optimizationCategory("Optimisation");
cl::OptionCategory outputCategory("Outputs");
cl::OptionCategory diagnosticsCategory("Diagnostics");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.onnx | model.onnxtxt>"),
                                   cl::cat(inputCategory));
cl::opt<std::string> outputFilename(
    "o", cl::desc("Output file ('-' for stdout, the default); its extension picks "
                  "--emit (.so lib, .o obj, .s asm, .ll llvm-ir, .h header, else incept)"),
    cl::value_desc("filename"), cl::init("-"), cl::cat(outputCategory));
cl::opt<EmitKind, false, incept::NamedValueParser<EmitKind>> emitKind(
    "emit", cl::desc("What to produce (default: from -o's extension)"),
    cl::values(
        clEnumValN(EmitKind::Incept, "incept", "the model imported into the incept dialect"),
        clEnumValN(EmitKind::Fused, "fused", "after the graph optimisations"),
        clEnumValN(EmitKind::Linalg, "linalg", "lowered to linalg on tensors"),
        clEnumValN(EmitKind::LLVMMLIR, "llvm-mlir", "lowered to MLIR's LLVM dialect"),
        clEnumValN(EmitKind::Ptx, "ptx", "--target=cuda: the kernels' PTX"),
        clEnumValN(EmitKind::LLVMIR, "llvm-ir", "LLVM IR, optimised"),
        clEnumValN(EmitKind::Asm, "asm", "assembly"),
        clEnumValN(EmitKind::Obj, "obj", "a relocatable object with the C API, plus its header"),
        clEnumValN(EmitKind::Lib, "lib", "a shared library with the C API, plus its header"),
        clEnumValN(EmitKind::Header, "header", "the C header alone"),
        clEnumValN(EmitKind::Weights, "weights",
                   "the weights file of --weights=external alone, from this model "
                   "(for a library compiled from another model of the same graph)")),
    cl::cat(outputCategory));
cl::opt<WeightsMode, false, incept::NamedValueParser<WeightsMode>> weightsMode(
    "weights",
    cl::desc("Where a library's weights are (default embed)"),
    cl::values(clEnumValN(WeightsMode::Embed, "embed", "in the library, prepared"),
               clEnumValN(WeightsMode::External, "external",
                          "the model's original weights in <output>.weights beside "
                          "the library, which create reads and prepares")),
    cl::init(WeightsMode::Embed), cl::cat(outputCategory));
cl::opt<std::string> modelName("name",
                               cl::desc("C symbol prefix (default: from the file name)"),
                               cl::value_desc("N"), cl::cat(outputCategory));
cl::opt<bool> printIncludeDir(
    "print-include-dir",
    cl::desc("Print the directory of incept/incept.h, which a compiled model's header "
             "includes (for cc -I), and exit"),
    cl::cat(outputCategory));
cl::opt<bool> profile("profile",
                      cl::desc("Time every layer at run time: incept-run --profile "
                               "prints the table and writes a Chrome trace (default off)"),
                      cl::cat(outputCategory));
cl::opt<incept::Sanitizer, false, incept::NamedValueParser<incept::Sanitizer>> sanitize(
    "sanitize",
    cl::desc("Instrument the generated code for a host built with clang's "
             "-fsanitize (CPU libraries; default none)"),
    cl::values(clEnumValN(incept::Sanitizer::None, "none", "no instrumentation"),
               clEnumValN(incept::Sanitizer::Address, "address",
                          "AddressSanitizer: accesses outside the caller's buffers"),
               clEnumValN(incept::Sanitizer::Thread, "thread",
                          "ThreadSanitizer: a context's threads touching the same bytes")),
    cl::init(incept::Sanitizer::None), cl::cat(diagnosticsCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level 0-3 (default 3)"),
                           cl::Prefix, cl::init(3), cl::cat(optimizationCategory));
cl::list<std::string> disabledPasses(
    "disable-pass",
    cl::desc("Leave this optimisation pass out of the -O1+ pipeline (repeatable; "
             "e.g. incept-fold-batch-norm)"),
    cl::value_desc("NAME"), cl::cat(optimizationCategory));
cl::opt<std::string> convStrategy(
    "conv-strategy",
    cl::desc("How every conv that can be is lowered at -O1+: auto (the cost model "
             "of incept-select-conv-strategy, the default), blocked (direct), "
             "winograd (F(4x4,3x3), 3x3 stride-1 convs; the others blocked), "
             "plane_loops or reference; to compare them"),
    cl::value_desc("kind"), cl::init("auto"), cl::cat(optimizationCategory));
cl::opt<std::string> march("march",
                           cl::desc("Target CPU, e.g. znver4, znver3, skylake-avx512 "
                                    "(default: native, the host's)"),
                           cl::value_desc("cpu"), cl::init("native"),
                           cl::cat(targetCategory));
cl::opt<incept::TargetKind, false, incept::NamedValueParser<incept::TargetKind>> target(
    "target", cl::desc("What the kernels run on (default cpu)"),
    cl::values(clEnumValN(incept::TargetKind::Cpu, "cpu", "the CPU of --march"),
               clEnumValN(incept::TargetKind::Cuda, "cuda",
                          "an NVIDIA GPU of --gpu-arch or later, through libcuda.so.1")),
    cl::init(incept::TargetKind::Cpu), cl::cat(targetCategory));
cl::opt<std::string> gpuArch("gpu-arch",
                             cl::desc("With --target=cuda: sm_80 or sm_90 (default sm_80, "
                                      "which runs on sm_90 too)"),
                             cl::value_desc("sm_XX"), cl::init("sm_80"),
                             cl::cat(targetCategory));
cl::opt<bool> gpuEmulator(
    "gpu-emulator",
    cl::desc("With --target=cuda: kernels for the CPU emulator of Incept's tests "
             "(test/CudaRuntime), in place of PTX; such a library runs only "
             "against that emulating libcuda.so.1"),
    cl::cat(targetCategory));
cl::opt<std::string> precision(
    "precision",
    cl::desc("With --target=cuda: the arithmetic of the convolutions; tf32 (the "
             "default: tensor cores, each product's operands rounded to TF32's 10-bit "
             "mantissa, sums in fp32), fp16 or bf16 (tensor cores, the operands "
             "converted to that type as they are read, sums in fp32; activations "
             "are stored in fp32 between layers either way) or fp32 (CUDA cores)"),
    cl::value_desc("tf32|fp32|fp16|bf16"), cl::init("tf32"), cl::cat(targetCategory));
cl::opt<std::string> batch(
    "batch",
    cl::desc("The batch: N, the size of every input's dynamic first dimension, or "
             "'dynamic', any batch at run time (default: dynamic where the model's "
             "batch is)"),
    cl::value_desc("N|dynamic"), cl::cat(inputCategory));
cl::opt<int64_t> batchChunk(
    "batch-chunk",
    cl::desc("With a dynamic batch, the images the kernels compute at once (default 1)"),
    cl::value_desc("N"), cl::init(1), cl::cat(inputCategory));
cl::opt<uint64_t> maxTensorBytes(
    "max-tensor-bytes",
    cl::desc("Refuse a model with a tensor larger than this (default 16 GiB)"),
    cl::value_desc("BYTES"), cl::init(incept::kDefaultMaxTensorBytes),
    cl::cat(inputCategory));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Static shape of a named input (repeatable)"),
                cl::value_desc("NAME=AxBxCxD"), cl::cat(inputCategory));
cl::list<std::string> keptOutputs(
    "output", cl::desc("Keep only this graph output (repeatable; default: all)"),
    cl::value_desc("NAME"), cl::cat(inputCategory));
cl::list<std::string> boundInputs(
    "bind-input",
    cl::desc("Freeze a graph input to the tensor in an ONNX TensorProto file"),
    cl::value_desc("NAME=FILE.pb"), cl::cat(inputCategory));
cl::opt<bool> timing("timing",
                     cl::desc("Print the wall time of every stage and pass, and the "
                              "peak memory of every stage, on stderr (default off)"),
                     cl::cat(diagnosticsCategory));
cl::opt<bool> showProgress("progress",
                           cl::desc("On a terminal, show the stage that is running "
                                    "(default on)"),
                           cl::init(true), cl::cat(diagnosticsCategory));

/// --stats, registered in main once libLLVM's option of that name (its own
/// statistics, compiled out of Debian's release build) is removed.
cl::opt<bool> *stats = nullptr;

void registerStatsOption() {
  incept::removeOption("stats");
  static cl::opt<bool> option(
      "stats",
      cl::desc("Print the imported graph's op counts and, per pass, what the "
               "optimisations changed, on stderr (default off)"),
      cl::cat(diagnosticsCategory));
  stats = &option;
}

/// The stages of the compile that is running, whose progress line a
/// diagnostic erases first.
incept::CompileStages *runningStages = nullptr;

void clearProgressLine() {
  if (runningStages)
    runningStages->clearLine();
}

/// Prints `error: <file>: <message>`: the node's name is in the message (the
/// importer puts it there) and ONNX files have no line numbers to show.
LogicalResult printDiagnostic(Diagnostic &diag) {
  std::string file, node;
  if (auto fileLoc = diag.getLocation()->findInstanceOf<FileLineColLoc>())
    file = fileLoc.getFilename().str();
  // Graph passes fuse ops into one (a FusedLoc of their NameLocs): the first
  // node names it.
  if (auto nameLoc = diag.getLocation()->findInstanceOf<NameLoc>())
    node = "node '" + nameLoc.getName().str() + "': ";
  llvm::StringRef severity =
      diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
      : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                          : "note";
  clearProgressLine();
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

bool fail(const llvm::Twine &message) {
  clearProgressLine();
  llvm::errs() << "error: " << message << "\n";
  return false;
}

/// --disable-pass names, with or without the `incept-` prefix.
bool parseDisabledPasses(incept::LoweringOptions &lowering) {
  bool ok = true;
  for (llvm::StringRef name : disabledPasses) {
    std::string flag = name.starts_with("incept-") ? name.str() : "incept-" + name.str();
    if (!llvm::is_contained(incept::optimizationPassNames(), flag) &&
        !llvm::is_contained(incept::gpuOptimizationPassNames(), flag)) {
      // The graph passes alone on the first line: the tests that leave them
      // out read them from it.
      ok = fail("--disable-pass=" + name + ": no such pass; the passes are " +
                llvm::join(incept::optimizationPassNames(), ", ") +
                "\nand with --target=cuda " +
                llvm::join(incept::gpuOptimizationPassNames(), ", "));
      continue;
    }
    lowering.disabledPasses.insert(flag);
  }
  return ok;
}

bool parseConvStrategy(incept::LoweringOptions &lowering) {
  if (!llvm::is_contained(incept::convStrategyNames(), convStrategy.getValue()))
    return fail("--conv-strategy: '" + convStrategy + "' is not one of " +
                llvm::join(incept::convStrategyNames(), ", "));
  lowering.convStrategy = convStrategy;
  return true;
}

/// --target, --gpu-arch and --precision, and the options a GPU library does
/// not have yet.
bool parseTarget(incept::LoweringOptions &lowering) {
  lowering.target = target;
  lowering.gpuArch = gpuArch;
  lowering.gpuEmulator = gpuEmulator;
  lowering.gpuPrecision = precision;
  if (target == incept::TargetKind::Cpu) {
    for (cl::Option *gpuOnly :
         std::initializer_list<cl::Option *>{&gpuArch, &precision, &gpuEmulator})
      if (gpuOnly->getNumOccurrences())
        return fail("--" + gpuOnly->ArgStr.str() + " needs --target=cuda"), false;
    return true;
  }
  if (!incept::computeCapabilityOf(gpuArch))
    return fail("--gpu-arch: '" + gpuArch + "' is not one of " +
                llvm::join(incept::gpuArchNames(), ", ")),
           false;
  static const llvm::StringRef precisions[] = {"fp32", "tf32", "fp16", "bf16"};
  if (!llvm::is_contained(precisions, precision.getValue()))
    return fail("--precision: '" + precision + "' is not one of " +
                llvm::join(llvm::ArrayRef<llvm::StringRef>(precisions), ", ")),
           false;
  if (convStrategy.getNumOccurrences())
    return fail("--conv-strategy chooses among CPU kernels; it needs --target=cpu"),
           false;
  if (sanitize != incept::Sanitizer::None)
    return fail("--sanitize is for CPU libraries; a GPU library's kernels run "
                "outside the host's sanitizer"),
           false;
  return true;
}

bool parseOptions(incept::ModelLoadOptions &options) {
  bool ok = true;
  using BatchRule = incept::ModelLoadOptions::BatchRule;
  if (batchChunk <= 0)
    ok = fail("--batch-chunk must be positive, got " + llvm::Twine(batchChunk));
  int64_t size = 0;
  if (!batch.getNumOccurrences()) {
    options.batchRule = BatchRule::IfDynamic;
    options.batch = batchChunk;
  } else if (batch == "dynamic") {
    options.batchRule = BatchRule::Dynamic;
    options.batch = batchChunk;
  } else if (llvm::StringRef(batch).getAsInteger(10, size) || size <= 0) {
    ok = fail("--batch takes a positive size or 'dynamic', got '" + batch + "'");
  } else {
    options.batch = size;
    if (batchChunk.getNumOccurrences())
      ok = fail("--batch-chunk is for --batch dynamic; --batch " + batch +
                " compiles for that batch");
  }
  for (const std::string &spec : inputShapes) {
    auto [name, shapeText] = llvm::StringRef(spec).rsplit('=');
    std::optional<llvm::SmallVector<int64_t>> shape = incept::parseShape(shapeText);
    if (name.empty() || shapeText.empty() || !shape) {
      ok = fail("--input-shape expects NAME=AxBxCxD with positive sizes, got '" +
                spec + "'");
      continue;
    }
    options.inputShapes[name] = *shape;
  }
  for (const std::string &spec : boundInputs) {
    auto [name, path] = llvm::StringRef(spec).rsplit('=');
    if (name.empty() || path.empty()) {
      ok = fail("--bind-input expects NAME=FILE.pb, got '" + spec + "'");
      continue;
    }
    options.boundInputs[name] = path.str();
  }
  options.keptOutputs.assign(keptOutputs.begin(), keptOutputs.end());
  if (optLevel > 3)
    ok = fail("-O" + llvm::Twine(optLevel) + ": the levels are 0 to 3");
  return ok;
}

/// --emit from the output's extension when not given.
bool resolveEmitKind() {
  if (!emitKind.getNumOccurrences())
    emitKind = llvm::StringSwitch<EmitKind>(
                   llvm::sys::path::extension(outputFilename))
                   .Case(".so", EmitKind::Lib)
                   .Case(".o", EmitKind::Obj)
                   .Case(".s", EmitKind::Asm)
                   .Case(".ll", EmitKind::LLVMIR)
                   .Case(".ptx", EmitKind::Ptx)
                   .Case(".h", EmitKind::Header)
                   .Case(".weights", EmitKind::Weights)
                   .Default(EmitKind::Incept);
  if ((emitKind == EmitKind::Lib || emitKind == EmitKind::Obj) &&
      outputFilename == "-")
    return fail("--emit=lib and obj need an output file (-o)");
  if (emitKind == EmitKind::Ptx && target != incept::TargetKind::Cuda)
    return fail("--emit=ptx needs --target=cuda");
  if (emitKind == EmitKind::Ptx && gpuEmulator)
    return fail("--emit=ptx: --gpu-emulator compiles the kernels for the host, not to PTX");
  if (emitKind == EmitKind::Weights && outputFilename == "-")
    return fail("--emit=weights needs an output file (-o)");
  return true;
}

/// Fails early, before any work, when the output cannot be written there.
bool checkOutputDirectory(llvm::StringRef path) {
  if (path == "-")
    return true;
  llvm::StringRef directory = llvm::sys::path::parent_path(path);
  if (directory.empty())
    directory = ".";
  if (!llvm::sys::fs::is_directory(directory))
    return fail("cannot write '" + path + "': directory '" + directory +
                "' does not exist");
  return true;
}

/// --weights=external: the weights file next to the library.
std::string weightsPath() {
  llvm::SmallString<256> path(outputFilename);
  llvm::sys::path::replace_extension(path, ".weights");
  return path.str().str();
}

/// Next to the output, so the output's directory check covers it too.
std::string headerPath() {
  if (emitKind == EmitKind::Header)
    return outputFilename;
  llvm::SmallString<256> path(outputFilename);
  llvm::sys::path::replace_extension(path, ".h");
  return path.str().str();
}

/// Writes text to stdout for '-', else atomically (incept::writeAtomically).
bool writeText(llvm::StringRef path, llvm::function_ref<void(llvm::raw_ostream &)> print) {
  if (path == "-") {
    print(llvm::outs());
    return true;
  }
  if (llvm::Error e = incept::writeAtomically(path, [&](llvm::StringRef temporary) -> llvm::Error {
        std::error_code ec;
        llvm::raw_fd_ostream os(temporary, ec);
        if (!ec) {
          print(os);
          os.close();
          ec = os.error();
        }
        if (ec)
          return llvm::createStringError(ec, "%s", ec.message().c_str());
        return llvm::Error::success();
      }))
    return fail(llvm::toString(std::move(e)));
  return true;
}

bool runPasses(ModuleOp module, incept::CompileStages &stages,
               llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module->getContext());
  if (failed(applyPassManagerCLOptions(pm)))
    return false;
  stages.attach(pm);
  if (*stats)
    incept::addPassStatistics(pm, llvm::errs());
  build(pm);
  return succeeded(pm.run(module));
}

bool printModule(ModuleOp module) {
  return writeText(outputFilename, [&](llvm::raw_ostream &os) { module->print(os); });
}

/// The profiled kernels' layers: each kernel belongs to the layer of its
/// ONNX node; the layers the kernels name are kept, in kernel order (a node
/// with no kernel of its own, a view, is left out; a kernel of no known
/// layer gets a layer of its own, named after its node).
void assignKernelsToLayers(ArrayAttr kernels,
                           const std::vector<incept::LayerInterface> &graphLayers,
                           incept::ModelInterface &interface) {
  llvm::StringMap<const incept::LayerInterface *> byNode;
  for (const incept::LayerInterface &layer : graphLayers)
    byNode.try_emplace(layer.name, &layer);
  llvm::StringMap<int32_t> index;
  for (Attribute attr : kernels) {
    llvm::StringRef node = cast<StringAttr>(attr).getValue();
    auto [it, inserted] = index.try_emplace(node, interface.layers.size());
    if (inserted) {
      auto known = byNode.find(node);
      if (known != byNode.end())
        interface.layers.push_back(*known->second);
      else
        interface.layers.push_back({node.empty() ? "(unnamed)" : node.str(),
                                    "", "", "", 0});
    }
    interface.kernelLayers.push_back(it->second);
  }
}

int compile(int argc, char **argv) {
  if (printIncludeDir) {
    llvm::Expected<incept::Toolchain> toolchain =
        incept::findToolchain(argv[0], reinterpret_cast<void *>(&compile));
    if (!toolchain)
      return fail(llvm::toString(toolchain.takeError())), 1;
    llvm::outs() << toolchain->runtimeIncludeDir << "\n";
    return 0;
  }
  if (inputFilename.empty())
    return fail("no model given: incept-compile <model.onnx> -o <library.so> "
                "(--help lists the options)"),
           1;
  incept::ModelLoadOptions options;
  incept::LoweringOptions lowering;
  lowering.optLevel = optLevel;
  lowering.profile = profile;
  if (!parseOptions(options) || !parseDisabledPasses(lowering) || !parseConvStrategy(lowering) ||
      !parseTarget(lowering) ||
      !resolveEmitKind() ||
      !checkOutputDirectory(outputFilename))
    return 1;
  std::string name = modelName.getNumOccurrences()
                         ? modelName.getValue()
                         : incept::toCIdentifier(
                               llvm::sys::path::stem(inputFilename), "model");
  if (name != incept::toCIdentifier(name, "model"))
    return fail("--name '" + name + "' is not a C identifier"), 1;

  incept::CompileStages stages(timing, showProgress);
  runningStages = &stages;
  llvm::scope_exit forgetStages([] { runningStages = nullptr; });
  stages.begin("import");
  llvm::Expected<incept::LoadedModel> model = incept::loadModel(inputFilename, options);
  if (!model) {
    clearProgressLine();
    llvm::errs() << "error: " << inputFilename << ": "
                 << llvm::toString(model.takeError()) << "\n";
    return 1;
  }

  DialectRegistry registry;
  incept::registerLoweringDialects(registry);
  MLIRContext context(registry);
  context.getDiagEngine().registerHandler(printDiagnostic);
  bool externalWeights =
      weightsMode == WeightsMode::External || emitKind == EmitKind::Weights;
  OwningOpRef<ModuleOp> module =
      incept::importOnnxModel(context, *model, inputFilename, externalWeights);
  if (!module)
    return 1;
  model->proto.reset(); // the weights now live in the module's blobs
  std::vector<incept::ExternalWeight> weightsFile = incept::takeExternalWeights(*module);
  if (emitKind == EmitKind::Weights) {
    if (llvm::Error e = incept::writeWeightsFile(outputFilename, weightsFile))
      return fail("cannot write '" + outputFilename + "': " + llvm::toString(std::move(e))),
             1;
    return 0;
  }
  // Claimed shapes no machine holds are refused before anything has them.
  if (failed(incept::checkTensorSizes(*module, maxTensorBytes)))
    return 1;

  if (!runPasses(*module, stages, [](OpPassManager &pm) {
        pm.addPass(createCanonicalizerPass());
      }))
    return 1;
  // --stats: the op counts of the imported graph and, per pass, what the
  // optimisations changed, on stderr.
  if (*stats) {
    context.disableMultithreading(); // the table is printed in pass order
    printOpCounts(*module, llvm::errs());
    incept::printPassStatisticsHeader(llvm::errs());
  }
  if (emitKind == EmitKind::Incept)
    return printModule(*module) ? 0 : 1;

  stages.begin("graph passes");
  // Every target-dependent choice from here on reads this description.
  bool hostTarget = march.empty() || march == "native";
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> machine =
      incept::createTargetMachine(hostTarget ? "" : march.getValue(), optLevel);
  if (!machine)
    return fail(llvm::toString(machine.takeError())), 1;
  (*module)->setAttr(incept::kTargetAttrName,
                     incept::describeTargetAttr(&context, **machine, hostTarget));
  if (!runPasses(*module, stages, [&](OpPassManager &pm) {
        incept::buildGraphOptimizationPipeline(pm, lowering);
      }))
    return 1;
  if (emitKind == EmitKind::Fused)
    return printModule(*module) ? 0 : 1;

  // The model's one function becomes <name>_forward; its interface is read
  // now, while its types are still tensors with their ONNX names.
  auto funcs = module->getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) != 1)
    return fail("expected the imported model to be one function"), 1;
  func::FuncOp func = *funcs.begin();
  incept::ModelInterface interface = incept::readModelInterface(
      func, name, llvm::sys::path::filename(inputFilename));
  interface.compilerVersion = INCEPT_VERSION;
  interface.dynamicBatch = model->dynamicBatch;
  if (model->dynamicBatch)
    for (const auto *tensors : {&interface.inputs, &interface.outputs})
      for (const incept::TensorInterface &tensor : *tensors)
        if (tensor.shape.empty() || tensor.shape[0] != batchChunk)
          return fail("--batch dynamic: '" + tensor.name + "' computes " +
                      (tensor.shape.empty() ? std::string("a scalar")
                                            : "a first dimension of " +
                                                  std::to_string(tensor.shape[0])) +
                      " at a batch of " + std::to_string(batchChunk) +
                      ", not the batch; compile for one batch with --batch N"),
                 1;
  func.setSymName(interface.forwardSymbol());

  interface.target = incept::describeTarget(**machine);
  bool cuda = lowering.target == incept::TargetKind::Cuda;
  if (cuda) {
    interface.cuda = true;
    interface.computeCapability = *incept::computeCapabilityOf(lowering.gpuArch);
    interface.target = "nvptx64-nvidia-cuda " + lowering.gpuArch + " " +
                       lowering.gpuPrecision + (lowering.gpuEmulator ? " emulated" : "") +
                       " (host " + interface.target + ")";
  }

  // The layers as the graph passes left them, for the profile's table.
  std::vector<incept::LayerInterface> layers;
  if (lowering.profile)
    layers = incept::readLayers(func);
  // What to name should the activations not fit in this machine's memory.
  std::vector<std::string> largestTensors = incept::describeLargestTensors(*module, 3);
  stages.begin("lowering");
  if (!runPasses(*module, stages, [&](OpPassManager &pm) {
        incept::buildLowerToLinalgPipeline(pm, lowering);
      }))
    return 1;
  if (emitKind == EmitKind::Linalg)
    return printModule(*module) ? 0 : 1;
  // A model with no weights to read (none over 16 elements, or none the
  // graph still reads) makes a library that reads no file.
  auto forward = module->lookupSymbol<func::FuncOp>(interface.forwardSymbol());
  if (externalWeights && forward->hasAttr(incept::kPreparationAttr)) {
    std::vector<incept::TensorInterface> manifest;
    for (const incept::ExternalWeight &weight : weightsFile)
      manifest.push_back(weight.tensor);
    interface.externalWeights = incept::readWeightPreparation(
        forward, std::move(manifest), llvm::sys::path::filename(weightsPath()));
  }

  std::optional<incept::TemporaryDirectory> deviceLibrary;
  if (cuda) {
    llvm::Expected<incept::TemporaryDirectory> created = incept::createEmptyDeviceLibrary();
    if (!created)
      return fail(llvm::toString(created.takeError())), 1;
    deviceLibrary.emplace(std::move(*created));
    lowering.gpuToolkitPath = deviceLibrary->path().str();
  }
  if (!runPasses(*module, stages, [&](OpPassManager &pm) {
        incept::buildBufferizePipeline(pm, lowering);
        if (cuda)
          incept::buildLowerToGpuPipeline(pm, lowering);
        else
          incept::buildLowerToLLVMPipeline(pm, lowering);
      }))
    return 1;
  DictionaryAttr gpuStreams, gpuConvStrategies;
  for (Operation &op : module->getBody()->getOperations()) {
    if (auto found = op.getAttrOfType<DictionaryAttr>(incept::kGpuStreamsAttr))
      gpuStreams = found;
    if (auto found = op.getAttrOfType<DictionaryAttr>(incept::kGpuConvStrategiesAttr))
      gpuConvStrategies = found;
    if (auto bytes = op.getAttrOfType<IntegerAttr>(incept::kScratchBytesAttr))
      interface.scratchBytes = bytes.getInt();
    if (auto bytes = op.getAttrOfType<IntegerAttr>(incept::kWeightsBytesAttr))
      interface.weightsBytes = bytes.getInt();
  }
  if (uint64_t memory = incept::physicalMemoryBytes();
      !cuda && memory && interface.scratchBytes > memory) {
    clearProgressLine();
    llvm::errs() << "warning: a context's activations take "
                 << incept::formatBytes(interface.scratchBytes) << ", more than this "
                 << "machine's " << incept::formatBytes(memory)
                 << " of memory: create() will fail with INCEPT_ERROR_OUT_OF_MEMORY "
                    "on such a machine. The largest tensors:\n";
    for (const std::string &tensor : largestTensors)
      llvm::errs() << "  " << tensor << "\n";
  }
  if (auto kernels = (*module)->getAttrOfType<ArrayAttr>(incept::kProfiledKernelsAttr))
    assignKernelsToLayers(kernels, layers, interface);
  // A GPU library's convs are tiled for the tensor cores after the graph
  // passes, which set a CPU library's strategies.
  for (incept::LayerInterface &layer : interface.layers)
    if (auto strategy = gpuConvStrategies ? gpuConvStrategies.getAs<StringAttr>(layer.name)
                                          : StringAttr())
      layer.strategy = strategy.str();
  if (*stats)
    llvm::errs() << llvm::formatv("arena: {0} bytes ({1:f1} MiB) of activations "
                                  "per context\n",
                                  interface.scratchBytes,
                                  interface.scratchBytes / 1048576.0);
  if (*stats && gpuStreams) {
    auto count = [&](StringRef name) {
      auto value = gpuStreams.getAs<IntegerAttr>(name);
      return value ? value.getInt() : 0;
    };
    llvm::errs() << llvm::formatv("GPU launches: {0}, the longest chain of them that "
                                  "depend on each other {1}; on {2} streams, {3} events\n",
                                  count("launches"), count("longest_chain"),
                                  count("streams"), count("events"));
  }
  if (emitKind == EmitKind::LLVMMLIR)
    return printModule(*module) ? 0 : 1;
  if (emitKind == EmitKind::Ptx)
    return writeText(outputFilename, [&](llvm::raw_ostream &os) {
             for (auto binary : module->getOps<gpu::BinaryOp>())
               for (Attribute object : binary.getObjects())
                 os << cast<gpu::ObjectAttr>(object).getObject().getValue();
           })
               ? 0
               : 1;

  if (emitKind == EmitKind::Header)
    return writeText(headerPath(), [&](llvm::raw_ostream &os) {
             os << incept::generateHeader(interface);
           })
               ? 0
               : 1;

  // A GPU library holds cubins where CUDA's tools are here, PTX otherwise.
  if (cuda && lowering.gpuEmulator) {
    stages.begin("emulated kernels");
    llvm::Expected<incept::Toolchain> toolchain =
        incept::findToolchain(argv[0], reinterpret_cast<void *>(&compile));
    if (!toolchain)
      return fail(llvm::toString(toolchain.takeError())), 1;
    if (llvm::Error e = incept::embedEmulatedKernels(*module, **machine, *toolchain))
      return fail(llvm::toString(std::move(e))), 1;
  } else if (cuda) {
    if (std::optional<incept::CudaToolkit> toolkit = incept::findCudaToolkit()) {
      stages.begin("cubins");
      if (llvm::Error e =
              incept::embedFatbins(*module, *toolkit, interface.computeCapability))
        return fail(llvm::toString(std::move(e))), 1;
    } else {
      clearProgressLine();
      llvm::errs() << "warning: CUDA's ptxas and fatbinary are not in $CUDA_HOME/bin "
                      "(or, without it, /usr/local/cuda/bin or on PATH): the library "
                      "holds PTX alone, which the driver compiles at its first run\n";
    }
  }

  stages.begin("LLVM optimisation");
  llvm::LLVMContext llvmContext;
  llvm::Expected<std::unique_ptr<llvm::Module>> llvmModule =
      incept::translateAndOptimize(*module, llvmContext, **machine, optLevel, sanitize);
  if (!llvmModule)
    return fail(llvm::toString(llvmModule.takeError())), 1;
  module = nullptr; // the LLVM module holds the weights now
  if (emitKind == EmitKind::LLVMIR)
    return writeText(outputFilename, [&](llvm::raw_ostream &os) {
             (*llvmModule)->print(os, nullptr);
           })
               ? 0
               : 1;

  stages.begin("code generation");
  if (emitKind == EmitKind::Asm) {
    std::string assembly;
    {
      llvm::raw_string_ostream os(assembly);
      llvm::buffer_ostream buffered(os);
      if (llvm::Error e = incept::emitMachineCode(**llvmModule, **machine,
                                                  /*assembly=*/true, buffered))
        return fail(llvm::toString(std::move(e))), 1;
    }
    return writeText(outputFilename, [&](llvm::raw_ostream &os) { os << assembly; })
               ? 0
               : 1;
  }

  // obj and lib: the model's code, the wrapper, and the header.
  llvm::Expected<incept::Toolchain> toolchain =
      incept::findToolchain(argv[0], reinterpret_cast<void *>(&compile));
  if (!toolchain)
    return fail(llvm::toString(toolchain.takeError())), 1;
  llvm::SmallString<128> modelObject;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("incept-model", "o", modelObject))
    return fail("cannot create a temporary file: " + ec.message()), 1;
  llvm::FileRemover removeModelObject(modelObject);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(modelObject, ec);
    if (ec)
      return fail("cannot write '" + modelObject + "': " + ec.message()), 1;
    if (llvm::Error e = incept::emitMachineCode(**llvmModule, **machine,
                                                /*assembly=*/false, os))
      return fail(llvm::toString(std::move(e))), 1;
  }
  llvmModule->reset();
  stages.begin("linking");
  if (llvm::Error e = incept::linkModel(
          *toolchain, modelObject, incept::generateWrapperSource(interface),
          emitKind == EmitKind::Lib, cuda, sanitize, outputFilename))
    return fail(llvm::toString(std::move(e))), 1;
  if (!writeText(headerPath(), [&](llvm::raw_ostream &os) {
        os << incept::generateHeader(interface);
      })) {
    llvm::sys::fs::remove(outputFilename);
    return 1;
  }
  if (interface.externalWeights)
    if (llvm::Error e = incept::writeWeightsFile(weightsPath(), weightsFile)) {
      llvm::sys::fs::remove(outputFilename);
      llvm::sys::fs::remove(headerPath());
      return fail("cannot write '" + weightsPath() + "': " + llvm::toString(std::move(e))),
             1;
    }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  // The pipelines are built from upstream passes by name.
  incept::registerInceptPassesAndPipelines();
  incept::showOnlyCategories({&inputCategory, &targetCategory, &optimizationCategory,
                              &outputCategory, &diagnosticsCategory});
  registerStatsOption();
  incept::setVersionPrinter("incept-compile");
  cl::ParseCommandLineOptions(argc, argv,
                              "Incept: compile Inception-family ONNX models\n");
  return compile(argc, argv);
}
