//===- CompileStages.cpp - the stages of a compile, timed and shown --------===//

#include "compiler/tools/incept-compile/CompileStages.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <sys/resource.h>

namespace incept {
namespace {

constexpr int kStages = 6;

/// The process's peak resident set so far.
uint64_t peakResidentBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0)
    return 0;
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024; // KiB on Linux
}

} // namespace

CompileStages::CompileStages(bool timing, bool progress)
    : timing(timing),
      progress(progress && llvm::sys::Process::StandardErrIsDisplayed()) {
  manager.setEnabled(timing);
  manager.setDisplayMode(mlir::DefaultTimingManager::DisplayMode::Tree);
  root = manager.getRootScope();
}

CompileStages::~CompileStages() {
  end();
  if (!timing)
    return;
  root.stop();
  manager.print();
  manager.setEnabled(false); // else its destructor prints an empty report
  llvm::errs() << "===- Peak memory (resident, when the stage ended) -===\n";
  for (const auto &[name, bytes] : peaks)
    llvm::errs() << llvm::formatv("  {0,-20} {1,8:f1} MiB\n", name,
                                  bytes / 1048576.0);
}

void CompileStages::begin(llvm::StringRef name) {
  end();
  stageName = name.str();
  ++stageNumber;
  stage.emplace(root.nest(stageName));
  if (progress)
    llvm::errs() << llvm::formatv("\rincept-compile: [{0}/{1}] {2}...\x1b[K",
                                  stageNumber, kStages, stageName);
}

void CompileStages::end() {
  if (!stage)
    return;
  stage->stop();
  stage.reset();
  peaks.emplace_back(stageName, peakResidentBytes());
  clearLine();
}

void CompileStages::clearLine() {
  if (progress)
    llvm::errs() << "\r\x1b[K";
}

void CompileStages::attach(mlir::PassManager &pm) {
  if (timing && stage)
    pm.enableTiming(*stage);
}

} // namespace incept
