//===- Passes.h - Incept's passes and pipelines ------------------*- C++ -*-===//

#ifndef INCEPT_PASSES_PASSES_H
#define INCEPT_PASSES_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSet.h"

namespace incept {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The function attribute that holds the planned arena size in bytes.
inline constexpr llvm::StringLiteral kScratchBytesAttr = "incept.scratch_bytes";
/// On a function after incept-gpu-streams: its launches, the longest chain
/// of them that depend on each other, the streams and the events.
inline constexpr llvm::StringLiteral kGpuStreamsAttr = "incept.gpu_streams";
/// On a function after incept-gpu-mma-convs: each tensor-core conv's tiles,
/// by ONNX node ("mma 64x64", "mma 32x64 k/3" where split-K), the strategy
/// column of --profile's table.
inline constexpr llvm::StringLiteral kGpuConvStrategiesAttr = "incept.gpu_conv_strategies";
/// On a function after incept-plan-weights: the bytes of its weights blob.
inline constexpr llvm::StringLiteral kWeightsBytesAttr = "incept.weights_bytes";
/// On a function after incept-hoist-weight-preparation: the program of its
/// weights' preparation, the constants it reads, and the floats of the
/// prepared weights (its `prepared` argument) and of the scratch.
inline constexpr llvm::StringLiteral kPreparationAttr = "incept.preparation";
inline constexpr llvm::StringLiteral kPreparationConstantsAttr =
    "incept.preparation_constants";
inline constexpr llvm::StringLiteral kPreparedFloatsAttr = "incept.prepared_floats";
inline constexpr llvm::StringLiteral kScratchFloatsAttr = "incept.scratch_floats";
/// Where a preparation step reads or writes: a slot [kind, at] of these
/// kinds, `at` the file tensor's index, a float offset, or a constant's index.
enum class PreparationSlot : int64_t { File = 0, Prepared = 1, Scratch = 2, Constant = 3 };
/// The ONNX node a kernel function computes (incept-outline-kernels).
inline constexpr llvm::StringLiteral kKernelNodeAttr = "incept.node";
/// On a loop that copies a tensor (a padded copy of the model's input): the
/// bytes it copies, which --stats counts with the copies that bufferization
/// leaves.
inline constexpr llvm::StringLiteral kCopyBytesAttr = "incept.copy_bytes";
/// The module attribute incept-instrument-kernels leaves: the node of each
/// profiled kernel, in the order of their numbers.
inline constexpr llvm::StringLiteral kProfiledKernelsAttr = "incept.profiled_kernels";

/// How much optimisation the pipelines do (-O0..-O3), and which of the
/// optimisation passes (by flag, without `incept-`) are left out.
/// What the code runs on: the host's CPU (or --march's), or an NVIDIA GPU
/// with the host driving it.
enum class TargetKind { Cpu, Cuda };

struct LoweringOptions {
  unsigned optLevel = 0;
  TargetKind target = TargetKind::Cpu;
  /// --target=cuda: the GPU architecture, "sm_80" or "sm_90".
  std::string gpuArch = "sm_80";
  /// --target=cuda: gpu-module-to-binary's toolkit directory (see
  /// EmptyDeviceLibrary in compiler/Codegen/GpuBinary.h); empty, MLIR's
  /// default ($CUDA_HOME, else /usr/local/cuda).
  std::string gpuToolkitPath;
  /// --target=cuda: leave the kernels in gpu.modules for the test emulator
  /// (compiler/Codegen/GpuEmulation.h) instead of compiling them to PTX.
  bool gpuEmulator = false;
  /// --target=cuda: the convolutions' arithmetic, "tf32", "fp16" or "bf16"
  /// (tensor cores, incept-gpu-mma-convs) or "fp32" (CUDA cores).
  std::string gpuPrecision = "tf32";
  /// Whether the convs become incept-gpu-mma-convs' tensor-core kernels.
  bool usesTensorCores() const {
    return target == TargetKind::Cuda && gpuPrecision != "fp32";
  }
  llvm::StringSet<> disabledPasses;
  /// incept-select-conv-strategy's `kind`: "auto" (its cost model) or one
  /// strategy for every conv that can take it (convStrategyNames()).
  std::string convStrategy = "auto";
  /// Time every kernel at run time (incept-instrument-kernels).
  bool profile = false;

  /// True if the pass with this flag (e.g. `incept-fold-batch-norm`) runs.
  bool runs(llvm::StringRef passArgument) const;
};

/// The values of LoweringOptions::convStrategy.
llvm::ArrayRef<llvm::StringRef> convStrategyNames();

/// The flags of the graph passes that --disable-pass can leave out, in
/// pipeline order.
llvm::ArrayRef<llvm::StringRef> optimizationPassNames();
/// The passes of a GPU library's lowering that --disable-pass may also
/// leave out (with --target=cuda; the graph passes' tests and statistics
/// are optimizationPassNames()').
llvm::ArrayRef<llvm::StringRef> gpuOptimizationPassNames();

/// The graph optimisations, incept → incept (none at -O0).
void buildGraphOptimizationPipeline(mlir::OpPassManager &pm,
                                    const LoweringOptions &options);

/// incept → linalg on tensors.
void buildLowerToLinalgPipeline(mlir::OpPassManager &pm,
                                const LoweringOptions &options);
/// tensors → buffers with results as out-parameters, then the arena plan.
void buildBufferizePipeline(mlir::OpPassManager &pm,
                            const LoweringOptions &options);
/// linalg on buffers → LLVM dialect, through scf loops.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LoweringOptions &options);
/// --target=cuda: linalg on buffers → GPU kernels (PTX embedded in
/// gpu.binary ops) and host code in the LLVM dialect that launches them.
void buildLowerToGpuPipeline(mlir::OpPassManager &pm,
                             const LoweringOptions &options);

/// The compute capability of a --gpu-arch ("sm_90" → 90), or nothing for
/// one the backend does not generate code for.
std::optional<int> computeCapabilityOf(llvm::StringRef gpuArch);
/// The streaming multiprocessors the kernels for `gpuArch` are tiled to fill.
int64_t multiprocessorsOf(llvm::StringRef gpuArch);
/// The architectures --gpu-arch takes.
llvm::ArrayRef<llvm::StringRef> gpuArchNames();

/// Registers every pass and the named pipelines (`incept-lower-to-linalg`,
/// `incept-bufferize`, `incept-lower-to-llvm`) for incept-opt.
void registerInceptPassesAndPipelines();

/// The dialects the pipelines create or consume, for contexts that parse or
/// run them.
void registerLoweringDialects(mlir::DialectRegistry &registry);

} // namespace incept

#endif // INCEPT_PASSES_PASSES_H
