//===- GpuBinary.cpp - fatbins of cubins and PTX ---------------------------===//

#include "compiler/Codegen/GpuBinary.h"
#include "compiler/Codegen/Linking.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace incept {
namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// The architectures a library compiled for `computeCapability` gets cubins
/// for: that one and the later ones the backend generates for.
llvm::SmallVector<int> cubinArchitectures(int computeCapability) {
  llvm::SmallVector<int> architectures;
  for (int known : {80, 90})
    if (known >= computeCapability)
      architectures.push_back(known);
  return architectures;
}

llvm::Expected<std::string> readFile(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return makeError("cannot read '" + path + "': " + buffer.getError().message());
  return (*buffer)->getBuffer().str();
}

/// The fatbin of `ptx`, made in `directory`.
llvm::Expected<std::string> fatbinOf(llvm::StringRef ptx, const TemporaryDirectory &directory,
                                     const CudaToolkit &toolkit, int computeCapability) {
  llvm::Expected<std::string> ptxFile = directory.writeFile("kernels.ptx", ptx);
  if (!ptxFile)
    return ptxFile.takeError();
  std::string fatbinFile = directory.file("kernels.fatbin");
  std::vector<std::string> images;
  for (int sm : cubinArchitectures(computeCapability)) {
    std::string cubin = directory.file("sm_" + std::to_string(sm) + ".cubin");
    if (llvm::Error e = runTool(toolkit.ptxas,
                                {"-arch=sm_" + std::to_string(sm), "-O3", *ptxFile, "-o", cubin}))
      return std::move(e);
    images.push_back("--image3=kind=elf,sm=" + std::to_string(sm) + ",file=" + cubin);
  }
  images.push_back("--image3=kind=ptx,sm=" + std::to_string(computeCapability) +
                   ",file=" + *ptxFile);
  std::vector<std::string> args = {"-64", "--create=" + fatbinFile};
  args.insert(args.end(), images.begin(), images.end());
  if (llvm::Error e = runTool(toolkit.fatbinary, args))
    return std::move(e);
  return readFile(fatbinFile);
}

} // namespace

std::optional<CudaToolkit> findCudaToolkit() {
  auto inDirectory = [](llvm::StringRef bin) -> std::optional<CudaToolkit> {
    llvm::SmallString<256> ptxas(bin), fatbinary(bin);
    llvm::sys::path::append(ptxas, "ptxas");
    llvm::sys::path::append(fatbinary, "fatbinary");
    if (llvm::sys::fs::can_execute(ptxas) && llvm::sys::fs::can_execute(fatbinary))
      return CudaToolkit{ptxas.str().str(), fatbinary.str().str()};
    return std::nullopt;
  };
  // A toolkit named in the environment is the one, found or not.
  for (const char *variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char *root = std::getenv(variable); root && *root) {
      llvm::SmallString<256> bin(root);
      llvm::sys::path::append(bin, "bin");
      return inDirectory(bin);
    }
  if (auto toolkit = inDirectory("/usr/local/cuda/bin"))
    return toolkit;
  auto ptxas = llvm::sys::findProgramByName("ptxas");
  auto fatbinary = llvm::sys::findProgramByName("fatbinary");
  if (ptxas && fatbinary)
    return CudaToolkit{*ptxas, *fatbinary};
  return std::nullopt;
}

llvm::Error embedFatbins(mlir::ModuleOp module, const CudaToolkit &toolkit,
                         int computeCapability) {
  llvm::Expected<TemporaryDirectory> directory = TemporaryDirectory::create("incept-fatbin");
  if (!directory)
    return directory.takeError();
  for (auto binary : module.getOps<mlir::gpu::BinaryOp>()) {
    llvm::SmallVector<mlir::Attribute> objects;
    for (mlir::Attribute attr : binary.getObjects()) {
      auto object = llvm::cast<mlir::gpu::ObjectAttr>(attr);
      if (object.getFormat() != mlir::gpu::CompilationTarget::Assembly) {
        objects.push_back(object);
        continue;
      }
      llvm::Expected<std::string> fatbin = fatbinOf(
          object.getObject().getValue(), *directory, toolkit, computeCapability);
      if (!fatbin)
        return fatbin.takeError();
      objects.push_back(mlir::gpu::ObjectAttr::get(
          module.getContext(), object.getTarget(), mlir::gpu::CompilationTarget::Fatbin,
          mlir::StringAttr::get(module.getContext(), *fatbin), object.getProperties(),
          object.getKernels()));
    }
    binary.setObjectsAttr(mlir::ArrayAttr::get(module.getContext(), objects));
  }
  return llvm::Error::success();
}

llvm::Expected<TemporaryDirectory> createEmptyDeviceLibrary() {
  llvm::Expected<TemporaryDirectory> directory = TemporaryDirectory::create("incept-toolkit");
  if (!directory)
    return directory.takeError();
  // The kernels' triple and data layout, or the linker warns of a mismatch.
  llvm::LLVMContext context;
  llvm::Module empty("libdevice", context);
  llvm::Triple triple("nvptx64-nvidia-cuda");
  empty.setTargetTriple(triple);
  empty.setDataLayout(triple.computeDataLayout());
  std::string bitcode;
  llvm::raw_string_ostream os(bitcode);
  llvm::WriteBitcodeToFile(empty, os);
  if (llvm::Expected<std::string> file =
          directory->writeFile("nvvm/libdevice/libdevice.10.bc", bitcode);
      !file)
    return file.takeError();
  return directory;
}

} // namespace incept
