//===- GpuEmulation.cpp - kernels the tests run on the CPU ----------------===//
//
// The image's ABI, which test/CudaRuntime/KernelEmulator.c implements:
//  - every call of an NVVM intrinsic `llvm.nvvm.a.b.c` calls
//    `__incept_emu_a_b_c` with the same parameters; one whose result is an
//    aggregate (mma.sync's fragments, ldmatrix's registers) returns it
//    through a pointer passed first instead, as a C function could not, and
//    a vector parameter (mma.sync's pairs of halves) is passed as the
//    integer of its bits;
//  - shared memory (address space 3) is ordinary memory: the emulator runs
//    the blocks of a kernel that uses it one at a time; dynamic shared memory
//    gets a definition of the most a block may ask for (227 KiB);
//  - each kernel K gets `void K__emu(void **params)`, which calls K with the
//    values cuLaunchKernel's array points to, and `K__emu_info`, an array of
//    int64: the number of parameters, whether the kernel synchronises its
//    threads (a barrier or a warp collective: the emulator then runs its
//    threads as coroutines), and each parameter's size in bytes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/GpuEmulation.h"
#include "compiler/Codegen/ObjectEmission.h"
#include "compiler/Codegen/TemporaryDirectory.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

namespace incept {

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The most dynamic shared memory a block of sm_90 may use.
constexpr uint64_t kDynamicSharedBytes = 227 * 1024;

/// The intrinsics after which a thread must wait for others: a barrier, or
/// a warp collective whose result depends on other lanes.
bool synchronises(llvm::StringRef intrinsic) {
  for (llvm::StringRef part : {"barrier", ".bar.", "mma.", "ldmatrix", "shfl.",
                               "vote.", "match."})
    if (intrinsic.contains(part))
      return true;
  return false;
}

std::string emulatorName(llvm::StringRef intrinsic) {
  std::string name = "__incept_emu_" + intrinsic.drop_front(strlen("llvm.nvvm.")).str();
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

/// Calls of `intrinsic` become calls of its emulator function.
void replaceIntrinsic(llvm::Function &intrinsic) {
  llvm::Module &module = *intrinsic.getParent();
  llvm::LLVMContext &context = module.getContext();
  llvm::FunctionType *type = intrinsic.getFunctionType();
  llvm::Type *result = type->getReturnType();
  bool aggregate = result->isAggregateType() || result->isVectorTy();
  llvm::SmallVector<llvm::Type *> parameters;
  if (aggregate)
    parameters.push_back(llvm::PointerType::get(context, 0));
  auto passedAs = [&](llvm::Type *parameter) -> llvm::Type * {
    if (parameter->isVectorTy())
      return llvm::IntegerType::get(context, parameter->getPrimitiveSizeInBits());
    return parameter;
  };
  for (llvm::Type *parameter : type->params())
    parameters.push_back(passedAs(parameter));
  llvm::FunctionCallee emulator = module.getOrInsertFunction(
      emulatorName(intrinsic.getName()),
      llvm::FunctionType::get(aggregate ? llvm::Type::getVoidTy(context) : result,
                              parameters, false));
  for (llvm::User *user : llvm::make_early_inc_range(intrinsic.users())) {
    auto *call = llvm::cast<llvm::CallInst>(user);
    llvm::IRBuilder<> builder(call);
    llvm::SmallVector<llvm::Value *> arguments;
    for (llvm::Value *argument : call->args())
      arguments.push_back(builder.CreateBitCast(argument, passedAs(argument->getType())));
    if (!aggregate) {
      llvm::CallInst *replacement = builder.CreateCall(emulator, arguments);
      call->replaceAllUsesWith(replacement);
      call->eraseFromParent();
      continue;
    }
    llvm::IRBuilder<> entry(&call->getFunction()->getEntryBlock().front());
    llvm::AllocaInst *slot = entry.CreateAlloca(result);
    arguments.insert(arguments.begin(), slot);
    builder.CreateCall(emulator, arguments);
    call->replaceAllUsesWith(builder.CreateLoad(result, slot));
    call->eraseFromParent();
  }
  intrinsic.eraseFromParent();
}

/// Whether `function`, or one it calls, calls a synchronising intrinsic.
bool callsSynchronising(llvm::Function &function,
                        const llvm::StringSet<> &synchronisingEmulators) {
  llvm::SetVector<llvm::Function *> reached;
  reached.insert(&function);
  for (size_t i = 0; i < reached.size(); ++i)
    for (llvm::Instruction &instruction : llvm::instructions(*reached[i]))
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction))
        if (llvm::Function *callee = call->getCalledFunction()) {
          if (synchronisingEmulators.contains(callee->getName()))
            return true;
          if (!callee->isDeclaration())
            reached.insert(callee);
        }
  return false;
}

/// K__emu and K__emu_info for the kernel K.
void addLaunchEntry(llvm::Function &kernel, bool synchronises) {
  llvm::Module &module = *kernel.getParent();
  llvm::LLVMContext &context = module.getContext();
  const llvm::DataLayout &layout = module.getDataLayout();
  auto *pointer = llvm::PointerType::get(context, 0);
  auto *entry = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(context), {pointer}, false),
      llvm::GlobalValue::ExternalLinkage, kernel.getName() + "__emu", module);
  llvm::IRBuilder<> builder(llvm::BasicBlock::Create(context, "entry", entry));
  llvm::SmallVector<llvm::Value *> arguments;
  llvm::Type *i64 = builder.getInt64Ty();
  llvm::SmallVector<llvm::Constant *> info = {
      llvm::ConstantInt::get(i64, kernel.arg_size()),
      llvm::ConstantInt::get(i64, synchronises)};
  for (llvm::Argument &argument : kernel.args()) {
    llvm::Value *slot = builder.CreateLoad(
        pointer, builder.CreateConstGEP1_64(pointer, entry->getArg(0), argument.getArgNo()));
    arguments.push_back(builder.CreateLoad(argument.getType(), slot));
    info.push_back(
        llvm::ConstantInt::get(i64, layout.getTypeAllocSize(argument.getType())));
  }
  builder.CreateCall(&kernel, arguments);
  builder.CreateRetVoid();
  auto *infoType = llvm::ArrayType::get(i64, info.size());
  new llvm::GlobalVariable(module, infoType, /*isConstant=*/true,
                           llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantArray::get(infoType, info),
                           kernel.getName() + "__emu_info");
}

/// The kernel module, rewritten for the host as the ABI above says.
llvm::Error rewriteForHost(llvm::Module &module, llvm::TargetMachine &machine) {
  module.setTargetTriple(machine.getTargetTriple());
  module.setDataLayout(machine.createDataLayout());
  if (llvm::NamedMDNode *annotations = module.getNamedMetadata("nvvm.annotations"))
    module.eraseNamedMetadata(annotations);
  llvm::StringSet<> synchronisingEmulators;
  for (llvm::Function &function : llvm::make_early_inc_range(module)) {
    function.removeFnAttr("target-cpu");
    function.removeFnAttr("target-features");
    for (llvm::Instruction &instruction : llvm::instructions(function))
      if (auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction))
        if (auto *assembly = llvm::dyn_cast<llvm::InlineAsm>(call->getCalledOperand()))
          return makeError("kernel '" + function.getName() +
                           "' has inline PTX, which the emulator cannot run: " +
                           assembly->getAsmString());
    if (!function.isDeclaration() || !function.getName().starts_with("llvm.nvvm."))
      continue;
    if (synchronises(function.getName()))
      synchronisingEmulators.insert(emulatorName(function.getName()));
    replaceIntrinsic(function);
  }
  for (llvm::GlobalVariable &global : module.globals())
    if (global.getAddressSpace() == 3 && global.isDeclaration()) {
      // Dynamic shared memory: external, of no size.
      auto *storage = llvm::ArrayType::get(llvm::Type::getInt8Ty(module.getContext()),
                                           kDynamicSharedBytes);
      auto *defined = new llvm::GlobalVariable(
          module, storage, false, llvm::GlobalValue::InternalLinkage,
          llvm::ConstantAggregateZero::get(storage), global.getName() + ".storage",
          nullptr, llvm::GlobalValue::NotThreadLocal, 3);
      defined->setAlignment(llvm::Align(128));
      global.replaceAllUsesWith(defined);
    }
  for (llvm::Function &function : llvm::make_early_inc_range(module)) {
    if (function.getCallingConv() != llvm::CallingConv::PTX_Kernel)
      continue;
    function.setCallingConv(llvm::CallingConv::C);
    addLaunchEntry(function, callsSynchronising(function, synchronisingEmulators));
  }
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(module, &os))
    return makeError("the kernels rewritten for the emulator are invalid: " + problems);
  return llvm::Error::success();
}

/// The shared object of one gpu.module's kernels.
llvm::Expected<std::string> emulationImage(mlir::gpu::GPUModuleOp kernels,
                                           llvm::TargetMachine &machine,
                                           const Toolchain &toolchain,
                                           const TemporaryDirectory &directory) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> module =
      mlir::translateModuleToLLVMIR(kernels, context, kernels.getName());
  if (!module)
    return makeError("cannot translate the kernels of '" + kernels.getName() +
                     "' to LLVM IR");
  if (llvm::Error e = rewriteForHost(*module, machine))
    return std::move(e);
  optimize(*module, machine, /*optLevel=*/2);
  std::string object = directory.file(kernels.getName().str() + ".o");
  std::string image = directory.file(kernels.getName().str() + ".so");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(object, ec);
    if (ec)
      return makeError("cannot write '" + object + "': " + ec.message());
    if (llvm::Error e = emitMachineCode(*module, machine, /*assembly=*/false, os))
      return std::move(e);
  }
  // The emulator functions stay undefined: the driver that loads the image
  // defines them.
  if (llvm::Error e = runTool(toolchain.cCompiler,
                              {"-shared", "-nostdlib", "-fuse-ld=lld", object, "-o", image}))
    return std::move(e);
  auto buffer = llvm::MemoryBuffer::getFile(image);
  if (!buffer)
    return makeError("cannot read '" + image + "': " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

} // namespace

llvm::Error embedEmulatedKernels(mlir::ModuleOp module, llvm::TargetMachine &machine,
                                 const Toolchain &toolchain) {
  llvm::Expected<TemporaryDirectory> directory =
      TemporaryDirectory::create("incept-emulation");
  if (!directory)
    return directory.takeError();
  for (auto kernels :
       llvm::make_early_inc_range(module.getOps<mlir::gpu::GPUModuleOp>())) {
    llvm::Expected<std::string> image =
        emulationImage(kernels, machine, toolchain, *directory);
    if (!image)
      return image.takeError();
    mlir::MLIRContext *context = module.getContext();
    mlir::Attribute target = kernels.getTargetsAttr()
                                 ? kernels.getTargetsAttr()[0]
                                 : mlir::Attribute();
    if (!target)
      return makeError("the kernels of '" + kernels.getName() + "' have no target");
    auto object = mlir::gpu::ObjectAttr::get(
        context, target, mlir::gpu::CompilationTarget::Binary,
        mlir::StringAttr::get(context, *image), nullptr, nullptr);
    mlir::OpBuilder builder(kernels);
    mlir::gpu::BinaryOp::create(builder, kernels.getLoc(), kernels.getName(),
                                nullptr, llvm::ArrayRef<mlir::Attribute>{object});
    kernels.erase();
  }
  return llvm::Error::success();
}

} // namespace incept
