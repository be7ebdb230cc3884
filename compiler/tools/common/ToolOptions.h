//===- ToolOptions.h - what the Incept tools share on their command line -===//
//
// Both tools parse with llvm::cl, in which libLLVM registers hundreds of its
// own options (codegen flags of every backend) in the General category. A
// tool shows its own categories in --help and keeps the rest reachable
// behind --help-hidden; --version names Incept first.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_TOOLS_COMMON_TOOLOPTIONS_H
#define INCEPT_COMPILER_TOOLS_COMMON_TOOLOPTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <string>

namespace incept {

/// Hides every option outside `categories` (and outside --help/--version's)
/// from --help; --help-hidden still lists them. Also registers LLVM's
/// common options (--stats, ...), which LLVM itself does late, so that
/// `removeOption` finds them after this.
void showOnlyCategories(llvm::ArrayRef<const llvm::cl::OptionCategory *> categories);

/// Unregisters LLVM's option `name`, so that the tool can register its own
/// of that name (a cl::opt constructed after this call): libLLVM has a
/// hidden --threads, and a --stats of its own statistics.
void removeOption(llvm::StringRef name);

/// The parser of an option with named values (cl::values) whose error
/// says what the values are: "'pdf' is not one of incept, fused, ..."
/// rather than LLVM's "Cannot find option named 'pdf'!".
template <typename T> class NamedValueParser : public llvm::cl::parser<T> {
public:
  using llvm::cl::parser<T>::parser;

  // Returns true on an error, as cl::parser does.
  bool parse(llvm::cl::Option &option, llvm::StringRef name, llvm::StringRef arg,
             T &value) {
    for (const auto &known : this->Values)
      if (known.Name == arg) {
        value = known.V.getValue();
        return false;
      }
    std::string names;
    for (const auto &known : this->Values)
      names += (names.empty() ? "" : ", ") + known.Name.str();
    return option.error("'" + arg + "' is not one of " + names);
  }
};

/// --version: Incept's version, the LLVM/MLIR it was built with, and the
/// target it compiles for by default (the host's).
void setVersionPrinter(llvm::StringRef tool);

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_COMMON_TOOLOPTIONS_H
