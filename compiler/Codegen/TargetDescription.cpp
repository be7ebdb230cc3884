//===- TargetDescription.cpp - #incept.target from LLVM's target -----------===//

#include "compiler/Codegen/TargetDescription.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Threading.h"
#include "llvm/Target/TargetMachine.h"

#include <optional>
#include <string>

namespace incept {
namespace {

/// The size of the host's cache at `level` holding data, from sysfs
/// (`/sys/devices/system/cpu/cpu0/cache/index*/`), in bytes.
std::optional<int64_t> hostCacheBytes(int level) {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    auto read = [&](const char *file) -> std::optional<std::string> {
      auto buffer = llvm::MemoryBuffer::getFile(dir + file, /*IsText=*/true);
      if (!buffer)
        return std::nullopt;
      return (*buffer)->getBuffer().trim().str();
    };
    std::optional<std::string> levelText = read("level"), type = read("type"),
                               size = read("size");
    if (!levelText || !type || !size)
      continue;
    if (std::stoi(*levelText) != level || *type == "Instruction")
      continue;
    llvm::StringRef text(*size);
    int64_t multiplier = 1;
    if (text.consume_back("K"))
      multiplier = 1024;
    else if (text.consume_back("M"))
      multiplier = 1024 * 1024;
    int64_t value;
    if (text.getAsInteger(10, value))
      continue;
    return value * multiplier;
  }
  return std::nullopt;
}

} // namespace

TargetAttr describeTargetAttr(mlir::MLIRContext *context,
                              const llvm::TargetMachine &machine, bool isHost) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  llvm::StringRef cpu = machine.getTargetCPU();
  bool avx512 = info->checkFeatures("+avx512f");
  bool avx = info->checkFeatures("+avx");
  bool fma = info->checkFeatures("+fma");
  int64_t vectorBits = avx512 ? 512 : avx ? 256 : 128;
  int64_t registers = avx512 ? 32 : 16;

  // Per core; the last level is shared. Zen 4 and 5 and the AVX-512 Intel
  // cores have 1–2 MiB of L2, Zen 2/3 512 KiB.
  int64_t l1 = 32 * 1024, l2 = 512 * 1024, l3 = 32 * 1024 * 1024;
  if (cpu.starts_with("znver4") || cpu.starts_with("znver5") || avx512)
    l2 = 1024 * 1024;
  int64_t cores = 1;
  if (isHost) {
    l1 = hostCacheBytes(1).value_or(l1);
    l2 = hostCacheBytes(2).value_or(l2);
    l3 = hostCacheBytes(3).value_or(l3);
    int physical = llvm::get_physical_cores();
    cores = physical > 0 ? physical : 1;
  }
  return TargetAttr::get(context, cpu, vectorBits, registers, fma, l1, l2, l3,
                         cores);
}

} // namespace incept
