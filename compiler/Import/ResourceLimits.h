//===- ResourceLimits.h - tensors too large to compile or run ---*- C++ -*-===//
//
// A model can claim shapes no machine holds: an input of 4e9 x 4e9 floats,
// whose byte count overflows 64 bits, or activations of a terabyte. They are
// caught on the imported graph, before anything of that size exists, with a
// message naming the node.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_IMPORT_RESOURCELIMITS_H
#define INCEPT_COMPILER_IMPORT_RESOURCELIMITS_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace incept {

/// The default of --max-tensor-bytes: 16 GiB, far above any tensor of the
/// family at batch 256.
inline constexpr uint64_t kDefaultMaxTensorBytes = uint64_t(16) << 30;

/// Fails, with an error at the tensor's node (or the graph input's name),
/// when a tensor of `module` has a byte size that overflows 64 bits or
/// exceeds `maxTensorBytes`.
mlir::LogicalResult checkTensorSizes(mlir::ModuleOp module, uint64_t maxTensorBytes);

/// The `count` largest tensors that ops of `module` compute, largest first,
/// as "node 'NAME' 1x64x147x147 f32 (5.3 MiB)".
std::vector<std::string> describeLargestTensors(mlir::ModuleOp module, size_t count);

/// This machine's physical memory in bytes (0 when it cannot be read).
uint64_t physicalMemoryBytes();

/// `bytes` for people: "1.2 TiB", "5.3 MiB", "512 bytes".
std::string formatBytes(uint64_t bytes);

} // namespace incept

#endif // INCEPT_COMPILER_IMPORT_RESOURCELIMITS_H
