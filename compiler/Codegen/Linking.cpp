//===- Linking.cpp - the model object plus its wrapper, as .so or .o ------===//
//
// The wrapper is C generated from the model's interface; compiling it with
// the C compiler LLVM was built with and letting that driver link is the
// least surprising way to get a correct shared object on any Linux.
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen/Linking.h"
#include "compiler/Codegen/TemporaryDirectory.h"


#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace incept {

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Runs `program` with `args`; on failure the error carries its stderr.
std::string compileTimePath(const char *path) { return path ? path : ""; }

} // namespace

llvm::Error runTool(llvm::StringRef program, llvm::ArrayRef<std::string> args) {
  llvm::SmallString<128> errorFile;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("incept-cc", "txt", errorFile))
    return makeError("cannot create a temporary file: " + ec.message());
  llvm::FileRemover removeErrors(errorFile);
  std::vector<llvm::StringRef> argv = {program};
  for (const std::string &arg : args)
    argv.push_back(arg);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, std::nullopt,
                                                llvm::StringRef(errorFile)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, redirects, 0,
                                     0, &message);
  if (rc == 0)
    return llvm::Error::success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(errorFile))
    output = (*buffer)->getBuffer().str();
  return makeError(program + " failed" + (message.empty() ? "" : ": " + message) +
                   (output.empty() ? "" : "\n" + output));
}

llvm::Expected<Toolchain> findToolchain(const char *argv0, void *mainAddress) {
  Toolchain toolchain;
  if (const char *cc = std::getenv("INCEPT_CC"); cc && *cc)
    toolchain.cCompiler = cc;
  else if (llvm::sys::fs::can_execute(INCEPT_C_COMPILER))
    toolchain.cCompiler = INCEPT_C_COMPILER;
  else if (auto found = llvm::sys::findProgramByName("clang-22"))
    toolchain.cCompiler = *found;
  else if (auto found = llvm::sys::findProgramByName("cc"))
    toolchain.cCompiler = *found;
  else
    return makeError("no C compiler found (set INCEPT_CC)");

  // An installed layout first: <prefix>/bin/incept-compile.
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, mainAddress);
  llvm::SmallString<256> prefix(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(exe)));
  llvm::SmallString<256> include(prefix), library(prefix);
  llvm::sys::path::append(include, "include");
  llvm::sys::path::append(library, "lib", "libincept_runtime.a");
  llvm::SmallString<256> header(include);
  llvm::sys::path::append(header, "incept", "runtime.h");
  if (llvm::sys::fs::exists(header) && llvm::sys::fs::exists(library)) {
    toolchain.runtimeIncludeDir = include.str().str();
    toolchain.runtimeLibrary = library.str().str();
    llvm::SmallString<256> cudaLibrary(prefix);
    llvm::sys::path::append(cudaLibrary, "lib", "libincept_runtime_cuda.a");
    toolchain.runtimeCudaLibrary = cudaLibrary.str().str();
    return toolchain;
  }
  toolchain.runtimeIncludeDir = compileTimePath(INCEPT_RUNTIME_INCLUDE_DIR);
  toolchain.runtimeLibrary = compileTimePath(INCEPT_RUNTIME_LIBRARY);
  toolchain.runtimeCudaLibrary = compileTimePath(INCEPT_RUNTIME_CUDA_LIBRARY);
  if (!llvm::sys::fs::exists(toolchain.runtimeLibrary))
    return makeError("the Incept runtime library is missing (looked in " +
                     library + " and " + toolchain.runtimeLibrary + ")");
  return toolchain;
}

namespace {

/// fsync of a file or a directory, so that a rename that follows (or
/// preceded) survives a crash of the machine, not only of the process.
std::error_code syncToDisk(llvm::StringRef path) {
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::error_code(errno, std::generic_category());
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  return result == 0 ? std::error_code() : std::error_code(error, std::generic_category());
}

} // namespace

llvm::Error writeAtomically(llvm::StringRef output,
                            llvm::function_ref<llvm::Error(llvm::StringRef)> write) {
  llvm::SmallString<256> temporary;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(
          output + "-%%%%%%.tmp", fd, temporary))
    return makeError("cannot write '" + output + "': " + ec.message());
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  llvm::FileRemover removeTemporary(temporary);
  if (llvm::Error e = write(temporary))
    return e;
  if (std::error_code ec = syncToDisk(temporary))
    return makeError("cannot write '" + output + "': " + ec.message());
  if (std::error_code ec = llvm::sys::fs::rename(temporary, output))
    return makeError("cannot write '" + output + "': " + ec.message());
  removeTemporary.releaseFile();
  llvm::StringRef directory = llvm::sys::path::parent_path(output);
  if (std::error_code ec = syncToDisk(directory.empty() ? "." : directory))
    return makeError("cannot write '" + output + "': " + ec.message());
  return llvm::Error::success();
}

namespace {

/// The runtime archive built with `sanitizer` (runtime/CMakeLists.txt), next
/// to the plain one: libincept_runtime_asan.a, libincept_runtime_tsan.a.
llvm::Expected<std::string> runtimeLibraryFor(const Toolchain &toolchain,
                                              Sanitizer sanitizer) {
  if (sanitizer == Sanitizer::None)
    return toolchain.runtimeLibrary;
  llvm::SmallString<256> library(llvm::sys::path::parent_path(toolchain.runtimeLibrary));
  llvm::sys::path::append(library, sanitizer == Sanitizer::Address
                                       ? "libincept_runtime_asan.a"
                                       : "libincept_runtime_tsan.a");
  if (!llvm::sys::fs::exists(library))
    return makeError(llvm::Twine("the runtime built with -fsanitize=") +
                     sanitizerFlagName(sanitizer) + " is missing (looked for " +
                     library + ")");
  return library.str().str();
}

} // namespace

llvm::Error linkModel(const Toolchain &toolchain, llvm::StringRef modelObject,
                      llvm::StringRef wrapperSource, bool shared, bool cuda,
                      Sanitizer sanitizer, llvm::StringRef output) {
  llvm::Expected<std::string> runtimeLibrary = runtimeLibraryFor(toolchain, sanitizer);
  if (!runtimeLibrary)
    return runtimeLibrary.takeError();
  if (cuda && shared && !llvm::sys::fs::exists(toolchain.runtimeCudaLibrary))
    return makeError("the Incept CUDA runtime library is missing (looked for " +
                     toolchain.runtimeCudaLibrary + ")");
  // The wrapper's file name lands in the object's symbol table: the same
  // name in a directory of its own keeps two compiles byte-identical.
  llvm::Expected<TemporaryDirectory> directory = TemporaryDirectory::create("incept-wrapper");
  if (!directory)
    return directory.takeError();
  llvm::Expected<std::string> wrapperFile =
      directory->writeFile("incept-wrapper.c", wrapperSource);
  if (!wrapperFile)
    return wrapperFile.takeError();
  std::string wrapperObject = directory->file("incept-wrapper.o");
  std::vector<std::string> compile = {
      "-c", "-std=c11", "-O2", "-fPIC", "-fvisibility=hidden",
      "-I" + toolchain.runtimeIncludeDir, *wrapperFile, "-o", wrapperObject};
  if (shared)
    compile.insert(compile.begin(), "-DINCEPT_SHARED");
  if (sanitizer != Sanitizer::None)
    compile.insert(compile.begin(),
                   std::string("-fsanitize=") + sanitizerFlagName(sanitizer));
  if (llvm::Error e = runTool(toolchain.cCompiler, compile))
    return e;

  return writeAtomically(output, [&](llvm::StringRef temporary) {
    std::vector<std::string> link;
    if (shared)
      // The runtime goes inside, hidden: two models in one process each use
      // their own copy, and the library needs nothing but libc and libm.
    {
      link = {"-shared", "-o", temporary.str(), modelObject.str(), wrapperObject};
      // The CUDA part opens libcuda.so.1 with dlopen (in glibc's libc since
      // 2.34): a GPU library links nothing of CUDA's.
      if (cuda)
        link.push_back(toolchain.runtimeCudaLibrary);
      link.insert(link.end(), {*runtimeLibrary, "-Wl,--exclude-libs,ALL", "-lm"});
    }
    else
      link = {"-r", "-nostdlib", "-o", temporary.str(), modelObject.str(), wrapperObject};
    return runTool(toolchain.cCompiler, link);
  });
}

} // namespace incept
