//===- TemporaryDirectory.cpp - a scratch directory for tool runs ---------===//

#include "compiler/Codegen/TemporaryDirectory.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace incept {

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}
} // namespace

llvm::Expected<TemporaryDirectory> TemporaryDirectory::create(llvm::StringRef prefix) {
  llvm::SmallString<128> directory;
  if (std::error_code ec = llvm::sys::fs::createUniqueDirectory(prefix, directory))
    return makeError("cannot create a temporary directory: " + ec.message());
  return TemporaryDirectory(directory.str().str());
}

TemporaryDirectory::TemporaryDirectory(TemporaryDirectory &&other) noexcept
    : directory(std::move(other.directory)) {
  other.directory.clear();
}

TemporaryDirectory::~TemporaryDirectory() {
  if (!directory.empty())
    llvm::sys::fs::remove_directories(directory);
}

std::string TemporaryDirectory::file(llvm::StringRef relative) const {
  llvm::SmallString<128> path(directory);
  llvm::sys::path::append(path, relative);
  return path.str().str();
}

llvm::Expected<std::string> TemporaryDirectory::writeFile(llvm::StringRef relative,
                                                          llvm::StringRef contents) const {
  std::string path = file(relative);
  if (std::error_code ec =
          llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path)))
    return makeError("cannot create '" + llvm::sys::path::parent_path(path) +
                     "': " + ec.message());
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return makeError("cannot write '" + path + "': " + ec.message());
  os << contents;
  os.close();
  if (os.has_error())
    return makeError("cannot write '" + path + "': " + os.error().message());
  return path;
}

} // namespace incept
