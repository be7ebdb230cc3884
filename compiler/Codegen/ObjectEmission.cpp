//===- ObjectEmission.cpp - LLVM dialect to LLVM IR, assembly, objects -----===//
//
// In process, with LLVM's own middle end: the same IR through the back end
// alone runs several times slower (../shared/toolchain.md), and writing a
// model's weights out as text for clang to reparse would cost more than the
// compilation itself.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/ObjectEmission.h"
#include "dialects/Incept/ElementTypes.h"

#include "incept/runtime.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Transforms/Instrumentation/ThreadSanitizer.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace incept {

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
/// A weight whose bytes go into the LLVM module after translation.
struct DeferredWeight {
  std::string name;
  llvm::ArrayRef<char> bytes; // owned by the MLIR module's resource blob
};

/// Takes the dense resource blobs off the weight globals (which then
/// translate as zero-initialised). Translated as they are, every element
/// would become an LLVM constant of its own: gigabytes and minutes for
/// Inception-ResNet v2's 55 M weights, instead of one copy of the bytes.
std::vector<DeferredWeight> deferWeights(mlir::ModuleOp module) {
  std::vector<DeferredWeight> weights;
  module.walk([&](mlir::LLVM::GlobalOp global) {
    auto value = llvm::dyn_cast_or_null<mlir::DenseResourceElementsAttr>(
        global.getValueOrNull());
    if (!value)
      return;
    mlir::AsmResourceBlob *blob = value.getRawHandle().getBlob();
    if (!blob)
      return;
    weights.push_back({global.getSymName().str(), blob->getData()});
    global.setValueAttr(mlir::LLVM::ZeroAttr::get(module.getContext()));
  });
  return weights;
}

/// Gives each deferred weight its bytes: a new constant global of raw bytes
/// (emitted as one block by the assembler) replaces the zero-initialised one.
void attachWeights(llvm::Module &module, llvm::ArrayRef<DeferredWeight> weights) {
  llvm::Type *byte = llvm::Type::getInt8Ty(module.getContext());
  for (const DeferredWeight &weight : weights) {
    llvm::GlobalVariable *placeholder = module.getGlobalVariable(weight.name, true);
    if (!placeholder)
      continue;
    llvm::Constant *bytes = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(weight.bytes.data(), weight.bytes.size()),
        weight.bytes.size(), byte);
    auto *global = new llvm::GlobalVariable(
        module, bytes->getType(), /*isConstant=*/true, placeholder->getLinkage(),
        bytes, weight.name + ".bytes");
    global->setAlignment(std::max(placeholder->getAlign().valueOrOne(),
                                  llvm::Align(INCEPT_ARENA_ALIGNMENT)));
    global->setUnnamedAddr(placeholder->getUnnamedAddr());
    placeholder->replaceAllUsesWith(global);
    global->takeName(placeholder);
    placeholder->eraseFromParent();
  }
}

} // namespace

/// LLVM's default pipeline for `optLevel`, without loop unrolling: fully
/// unrolling a layer's innermost loop (an output row) would leave the
/// vectoriser the loop over rows, whose accesses are strided, and it then
/// vectorises with gathers and scatters (measured: 2-3x slower on GoogLeNet).
///
/// With a sanitizer, its pass runs last, as clang places it: on the
/// optimised code, whose accesses are the ones that run.
void optimize(llvm::Module &module, llvm::TargetMachine &machine,
              unsigned optLevel, Sanitizer sanitizer) {
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  if (sanitizer != Sanitizer::None) {
    llvm::Attribute::AttrKind attribute = sanitizer == Sanitizer::Address
                                              ? llvm::Attribute::SanitizeAddress
                                              : llvm::Attribute::SanitizeThread;
    for (llvm::Function &function : module)
      if (!function.isDeclaration())
        function.addFnAttr(attribute);
    builder.registerOptimizerLastEPCallback(
        [sanitizer](llvm::ModulePassManager &passes, llvm::OptimizationLevel,
                    llvm::ThinOrFullLTOPhase) {
          if (sanitizer == Sanitizer::Address) {
            passes.addPass(llvm::AddressSanitizerPass(llvm::AddressSanitizerOptions()));
          } else {
            passes.addPass(llvm::ModuleThreadSanitizerPass());
            passes.addPass(
                llvm::createModuleToFunctionPassAdaptor(llvm::ThreadSanitizerPass()));
          }
        });
  }
  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager passes =
      optLevel == 0 ? builder.buildO0DefaultPipeline(level)
                    : builder.buildPerModuleDefaultPipeline(level);
  passes.run(module, modules);
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(llvm::StringRef cpu, unsigned optLevel) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no LLVM target for " + triple.str() + ": " + error);

  std::string cpuName = cpu.str(), features;
  if (cpu.empty() || cpu == "native") {
    cpuName = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures featureList;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      featureList.AddFeature(feature.getKey(), feature.getValue());
    features = featureList.getString();
  }
  // An unknown --march would silently compile for a generic CPU; refuse it.
  const llvm::MCSubtargetInfo *probe =
      target->createMCSubtargetInfo(triple, cpuName, "");
  bool known = probe && probe->isCPUStringValid(cpuName);
  delete probe;
  if (!known)
    return makeError("--march: '" + cpuName + "' is not a CPU LLVM knows for " +
                     triple.str());

  llvm::CodeGenOptLevel level = optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions options;
  // Multiply-adds as FMAs, as ONNX Runtime's and PyTorch's kernels do (one
  // rounding instead of two: as accurate or more).
  if (optLevel > 0)
    options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpuName, features, options, llvm::Reloc::PIC_, std::nullopt,
      level));
  if (!machine)
    return makeError("cannot create a target machine for " + triple.str());
  return std::move(machine);
}

std::string describeTarget(const llvm::TargetMachine &machine) {
  return machine.getTargetTriple().str() + " cpu=" +
         machine.getTargetCPU().str();
}

llvm::Expected<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &context,
                     llvm::TargetMachine &machine, unsigned optLevel,
                     Sanitizer sanitizer) {
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  // A GPU library's kernels are gpu.binary ops by now (PTX): translation
  // embeds them and emits the launches' host calls.
  mlir::registerGPUDialectTranslation(registry);
  mlir::gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  module->getContext()->appendDialectRegistry(registry);

  // The incept.* attributes (ONNX names, the arena size) have been read by
  // now and mean nothing to LLVM, which would warn about each.
  module.walk([](mlir::LLVM::LLVMFuncOp func) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, mlir::StringAttr::get(func.getContext(), kTensorNameAttr));
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, mlir::StringAttr::get(func.getContext(), kTensorNameAttr));
    for (mlir::NamedAttribute attr : llvm::to_vector(func->getDiscardableAttrs()))
      if (attr.getName().strref().starts_with("incept."))
        func->removeDiscardableAttr(attr.getName());
  });
  std::vector<DeferredWeight> weights = deferWeights(module);
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return makeError("cannot translate the LLVM dialect to LLVM IR");
  attachWeights(*llvmModule, weights);
  llvmModule->setDataLayout(machine.createDataLayout());
  llvmModule->setTargetTriple(machine.getTargetTriple());
  optimize(*llvmModule, machine, optLevel, sanitizer);
  return std::move(llvmModule);
}

llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            bool assembly, llvm::raw_pwrite_stream &os) {
  llvm::legacy::PassManager passes;
  if (machine.addPassesToEmitFile(passes, os, nullptr,
                                  assembly ? llvm::CodeGenFileType::AssemblyFile
                                           : llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit this kind of file");
  passes.run(module);
  return llvm::Error::success();
}

} // namespace incept
