//===- CompileStages.h - the stages of a compile, timed and shown -*- C++ -*-===//
//
// incept-compile runs six stages: import, graph passes, lowering, LLVM
// optimisation, code generation, linking. With --timing each is a scope of
// MLIR's timing manager (the pass managers of the pass stages nest their
// passes' timers in it), so the report is MLIR's own, and the peak memory
// (the process's high-water mark when the stage ended) follows it. On a
// terminal the stage that is running is shown on one line of stderr.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_TOOLS_INCEPT_COMPILE_COMPILESTAGES_H
#define INCEPT_COMPILER_TOOLS_INCEPT_COMPILE_COMPILESTAGES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <utility>

namespace incept {

class CompileStages {
public:
  /// `timing`: report at the end; `progress`: show the running stage (when
  /// stderr is a terminal).
  CompileStages(bool timing, bool progress);
  ~CompileStages();

  /// Ends the stage running, if any, and starts `name`.
  void begin(llvm::StringRef name);
  /// Ends the stage running.
  void end();
  /// Times `pm`'s passes inside the running stage.
  void attach(mlir::PassManager &pm);
  /// Erases the stage line, before a diagnostic is printed under it.
  void clearLine();

private:
  bool timing, progress;
  mlir::DefaultTimingManager manager;
  mlir::TimingScope root;
  std::optional<mlir::TimingScope> stage;
  std::string stageName;
  int stageNumber = 0;
  /// (stage, peak resident memory in bytes when it ended).
  llvm::SmallVector<std::pair<std::string, uint64_t>> peaks;
};

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_INCEPT_COMPILE_COMPILESTAGES_H
