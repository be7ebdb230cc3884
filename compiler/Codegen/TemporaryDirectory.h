//===- TemporaryDirectory.h - a scratch directory for tool runs -*- C++ -*-===//
//
// The C compiler, ptxas, fatbinary and MLIR's gpu-module-to-binary read and
// write files. Each compile gives them a directory of its own, unique and
// removed with everything in it when the compile is done (or fails), so that
// the files inside can have fixed names: a name that lands in an artifact
// (the wrapper's, in the library's symbol table) is then the same in every
// compile, and two compiles at once never meet.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_TEMPORARYDIRECTORY_H
#define INCEPT_COMPILER_CODEGEN_TEMPORARYDIRECTORY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace incept {

class TemporaryDirectory {
public:
  /// A new directory in the system's temporary directory, named
  /// `<prefix>-XXXXXX`.
  static llvm::Expected<TemporaryDirectory> create(llvm::StringRef prefix);
  TemporaryDirectory(TemporaryDirectory &&other) noexcept;
  TemporaryDirectory(const TemporaryDirectory &) = delete;
  TemporaryDirectory &operator=(const TemporaryDirectory &) = delete;
  TemporaryDirectory &operator=(TemporaryDirectory &&) = delete;
  ~TemporaryDirectory();

  llvm::StringRef path() const { return directory; }
  /// The path of `relative` (e.g. "nvvm/libdevice/libdevice.10.bc") inside.
  std::string file(llvm::StringRef relative) const;
  /// Writes `contents` to `relative`, creating its directories; the error
  /// names the file.
  llvm::Expected<std::string> writeFile(llvm::StringRef relative,
                                        llvm::StringRef contents) const;

private:
  explicit TemporaryDirectory(std::string directory) : directory(std::move(directory)) {}
  std::string directory;
};

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_TEMPORARYDIRECTORY_H
