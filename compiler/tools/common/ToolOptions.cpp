//===- ToolOptions.cpp - what the Incept tools share on their command line ===//

#include "compiler/tools/common/ToolOptions.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <string>

namespace cl = llvm::cl;

namespace incept {

void showOnlyCategories(llvm::ArrayRef<const cl::OptionCategory *> categories) {
  // LLVM registers its common options (--stats among them) only on the first
  // call of HideUnrelatedOptions or ParseCommandLineOptions; a call that
  // names every category there is hides nothing and registers them.
  llvm::SmallVector<const cl::OptionCategory *> every;
  for (auto &entry : cl::getRegisteredOptions())
    for (cl::OptionCategory *category : entry.second->Categories)
      if (!llvm::is_contained(every, category))
        every.push_back(category);
  every.push_back(&cl::getGeneralCategory());
  cl::HideUnrelatedOptions(every);

  auto &options = cl::getRegisteredOptions();
  // --help, --version and their kin live in LLVM's Generic category, which
  // has no accessor: it is the category of --help.
  const cl::OptionCategory *generic = nullptr;
  if (auto help = options.find("help"); help != options.end())
    generic = help->second->Categories.front();
  for (auto &[name, option] : options) {
    bool shown = llvm::any_of(option->Categories, [&](const cl::OptionCategory *c) {
      return c == generic || llvm::is_contained(categories, c);
    });
    if (!shown && option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
}

void removeOption(llvm::StringRef name) {
  auto &options = cl::getRegisteredOptions();
  auto it = options.find(name);
  if (it != options.end())
    it->second->removeArgument();
}

void setVersionPrinter(llvm::StringRef tool) {
  static std::string name;
  name = tool.str();
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << name << " (Incept) " << INCEPT_VERSION << "\n"
       << "  built with LLVM and MLIR " << LLVM_VERSION_STRING << "\n"
       << "  default target: " << llvm::sys::getDefaultTargetTriple()
       << ", cpu " << llvm::sys::getHostCPUName() << " (the host's)\n";
  });
}

} // namespace incept
