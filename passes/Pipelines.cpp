//===- Pipelines.cpp - the lowering pipelines, stage by stage --------------===//
//
// Each stage is a named pipeline that incept-opt can run alone and that
// incept-compile strings together up to what --emit asks for. The stages use
// upstream MLIR passes by their registered names, in the order this toolchain
// needs (../shared/toolchain.md: cse before canonicalize after bufferization,
// ub-to-llvm, explicit conversions rather than convert-to-llvm).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

namespace incept {
namespace {

/// Adds a textual pipeline of registered upstream passes; the text is ours,
/// so a parse failure is a bug, not a user error.
void addPipeline(OpPassManager &pm, llvm::StringRef text) {
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(text, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("bad built-in pipeline: ") + error);
}

/// The host code's last steps to the LLVM dialect, CPU and GPU alike: the
/// entry point takes bare pointers for its statically shaped memrefs.
constexpr llvm::StringLiteral kHostToLLVM =
    "convert-math-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,"
    "finalize-memref-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
    "convert-cf-to-llvm,convert-ub-to-llvm,"
    "reconcile-unrealized-casts,canonicalize,cse";

/// Nested on every function: the graph passes work on one model function.
template <typename CreatePass>
void addGraphPass(OpPassManager &pm, const LoweringOptions &options,
                  llvm::StringRef argument, CreatePass create) {
  if (options.runs(argument))
    pm.addNestedPass<func::FuncOp>(create());
}

} // namespace

bool LoweringOptions::runs(llvm::StringRef passArgument) const {
  if (target == TargetKind::Cuda &&
      (passArgument == "incept-select-conv-strategy" ||
       passArgument == "incept-fuse-conv-chains"))
    return false; // CPU kernels: blocked layouts, register tiles, bands
  return optLevel > 0 && !disabledPasses.contains(passArgument);
}

llvm::ArrayRef<llvm::StringRef> gpuArchNames() {
  static const llvm::StringRef names[] = {"sm_80", "sm_90"};
  return names;
}

std::optional<int> computeCapabilityOf(llvm::StringRef gpuArch) {
  if (!llvm::is_contained(gpuArchNames(), gpuArch))
    return std::nullopt;
  return std::stoi(gpuArch.drop_front(3).str());
}

int64_t multiprocessorsOf(llvm::StringRef gpuArch) {
  // The data-centre parts each architecture names: A100 (108 SMs) and
  // H100 SXM (132).
  return gpuArch == "sm_90" ? 132 : 108;
}

llvm::ArrayRef<llvm::StringRef> optimizationPassNames() {
  static const llvm::StringRef names[] = {
      "incept-simplify-graph",      "incept-fold-batch-norm",
      "incept-fold-residual-scale", "incept-gemm-as-conv",
      "incept-fuse-epilogue",
      "incept-merge-sibling-convs", "incept-select-conv-strategy",
      "incept-fuse-conv-chains",    "incept-concat-in-place"};
  return names;
}

llvm::ArrayRef<llvm::StringRef> gpuOptimizationPassNames() {
  static const llvm::StringRef names[] = {"incept-gpu-streams"};
  return names;
}

void buildGraphOptimizationPipeline(OpPassManager &pm,
                                    const LoweringOptions &options) {
  // Simplify first, so that the folds see one canonical form, and last, to
  // sweep up the constants the folds left behind.
  addGraphPass(pm, options, "incept-simplify-graph", createSimplifyGraph);
  addGraphPass(pm, options, "incept-fold-batch-norm", createFoldBatchNorm);
  addGraphPass(pm, options, "incept-fold-residual-scale", createFoldResidualScale);
  addGraphPass(pm, options, "incept-gemm-as-conv", createGemmAsConv);
  addGraphPass(pm, options, "incept-fuse-epilogue", createFuseEpilogue);
  // Merge before forming chains: a merged reduction is sliced and so left out
  // of chains; the merge is what hands the blocked conv kernels wide convs,
  // while chains pay only on a few large intermediates.
  addGraphPass(pm, options, "incept-merge-sibling-convs", createMergeSiblingConvs);
  // Strategies are chosen on the convs as merged; chains are formed only of
  // convs that are not blocked.
  addGraphPass(pm, options, "incept-select-conv-strategy", [&] {
    return createSelectConvStrategy({/*kind=*/options.convStrategy});
  });
  addGraphPass(pm, options, "incept-fuse-conv-chains",
               [] { return createFuseConvChains(); });
  addGraphPass(pm, options, "incept-simplify-graph", createSimplifyGraph);
}

void buildLowerToLinalgPipeline(OpPassManager &pm,
                                const LoweringOptions &options) {
  ConvertInceptToLinalgOptions convert;
  convert.planeLoops = options.optLevel > 0 && options.target == TargetKind::Cpu;
  pm.addPass(createConvertInceptToLinalg(convert));
  pm.addPass(createCanonicalizerPass());
  // External weights: their preparation runs once, at create.
  pm.addPass(createHoistWeightPreparation());
}

void buildBufferizePipeline(OpPassManager &pm, const LoweringOptions &options) {
  // The convs' epilogues, in the tensor-core kernels' registers.
  if (options.usesTensorCores())
    pm.addNestedPass<func::FuncOp>(createGpuConvOutputsInPlace());
  pm.addPass(createDistinctResults());
  if (options.runs("incept-concat-in-place"))
    pm.addPass(createConcatInPlace());
  // Function results become caller-owned out-parameters (the run() API's
  // output buffers), and the buffers that produce them are those parameters.
  addPipeline(pm, "one-shot-bufferize{bufferize-function-boundaries "
                  "function-boundary-type-conversion=identity-layout-map},"
                  "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
                  "cse,canonicalize");
  // The pools, a kernel each that skips the padding instead of reading it;
  // before the convs, whose kernels store a branch straight into its concat
  // slice only where nothing else writes in between (such as the border of
  // a pool's padding).
  if (options.target == TargetKind::Cuda)
    pm.addNestedPass<func::FuncOp>(createGpuPools());
  // The convs' tensor-core kernels, before the arena is planned: split-K's
  // workspaces are buffers of it.
  if (options.usesTensorCores())
    pm.addNestedPass<func::FuncOp>(createGpuMmaConvs(
        {/*multiprocessors=*/multiprocessorsOf(options.gpuArch),
         /*precision=*/options.gpuPrecision}));
  // A GPU library's arena is planned once its kernels are launches, whose
  // dependencies say which buffers may be in use at the same time.
  if (options.target != TargetKind::Cuda)
    pm.addPass(createPlanArena());
}

void buildLowerToLLVMPipeline(OpPassManager &pm, const LoweringOptions &options) {
  // Bare pointers for statically shaped memrefs: the entry point takes the
  // arena and one float pointer per input and output, as the C wrapper calls.
  pm.addPass(createLowerCopies({/*parallel=*/true}));
  pm.addPass(createOutlineKernels());
  if (options.profile)
    pm.addPass(createInstrumentKernels());
  pm.addPass(createOutlineParallelLoops());
  // The blocked conv kernels are vector ops on buffers by now: their 1-D
  // transfers become plain vector loads and stores.
  addPipeline(pm, "convert-linalg-to-loops,"
                  "func.func(convert-vector-to-scf{full-unroll=true},"
                  "lower-vector-mask),"
                  "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
                  "convert-vector-to-llvm," +
                      std::string(kHostToLLVM));
}

void buildLowerToGpuPipeline(OpPassManager &pm, const LoweringOptions &options) {
  pm.addPass(createLowerCopies());
  // Kernels cannot read the host's globals: the weights become one blob the
  // library uploads, passed to the entry point after the arena.
  pm.addPass(createPlanWeights());
  // Every linalg op becomes a parallel loop nest over its output (its
  // reductions sequential in each thread); the loop over the innermost
  // dimension is tiled so that a block's threads cover a run of 128
  // neighbouring elements, and the outer dimensions become the grid.
  addPipeline(pm, "func.func(convert-linalg-to-parallel-loops,"
                  "incept-tile-gpu-loops{threads=128},"
                  "gpu-map-parallel-loops,convert-parallel-loops-to-gpu,"
                  // Constants back into the kernels that use them: the
                  // canonicalizer hoists them out of gpu.launch (not
                  // isolated from above), and each would become a kernel
                  // parameter (a vector of zeros one, spilled by ptxas).
                  "gpu-launch-sink-index-computations),"
                  "gpu-kernel-outlining");
  pm.addPass(createMergeGpuModules());
  pm.addPass(createCheckGpuHost());
  // The arena, planned so that launches that may run at the same time share
  // no bytes; then those launches on streams of their own.
  pm.addPass(createPlanArena());
  if (options.runs("incept-gpu-streams"))
    pm.addPass(createGpuStreams());
  // Timed on their streams, once the streams are there: LaunchGraph knows
  // nothing of the timing calls.
  if (options.profile)
    pm.addPass(createInstrumentKernels());
  // sm_80's PTX runs on sm_90 too (the driver compiles it); PTX ISA 8.0 is
  // the oldest that sm_90 takes (../shared/toolchain.md: the defaults abort).
  addPipeline(pm, "nvvm-attach-target{chip=" + options.gpuArch +
                      " features=+ptx80 O=3},"
                      "gpu.module(incept-align-workgroup-memory,"
                      "lower-affine,convert-scf-to-cf,convert-nvgpu-to-nvvm,"
                      "incept-lower-gpu-math,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv},"
                      "canonicalize,cse,"
                      "reconcile-unrealized-casts)");
  // Bare pointers on both sides: the entry point takes them (arena, weights,
  // inputs, outputs; all device memory), and so do the kernels, whose views
  // (concat slices, padded interiors) have static offsets and strides that
  // each kernel rebuilds from its types. The two conventions must agree: the
  // host passes one pointer per memref either way, and kernels that took
  // descriptors read ten parameters past the launch's (found by the
  // emulator, compiler/Codegen/GpuEmulation.h).
  addPipeline(pm, "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
                  "gpu-to-llvm{use-bare-pointers-for-host use-bare-pointers-for-kernels}," +
                      std::string(kHostToLLVM));
  // The emulator's image is made from the kernels' LLVM dialect instead
  // (compiler/Codegen/GpuEmulation.h).
  if (!options.gpuEmulator)
    addPipeline(pm, "gpu-module-to-binary{format=isa" +
                        (options.gpuToolkitPath.empty()
                             ? std::string()
                             : " toolkit=" + options.gpuToolkitPath) +
                        "}");
}

void registerLoweringDialects(DialectRegistry &registry) {
  // Bufferization and the LLVM conversions find their op models through
  // dialect extensions; registering them all keeps every stage runnable alone.
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR and on to PTX.
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerGPUDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  registerNVVMDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerBuiltinDialectTranslation(registry);
}

void registerInceptPassesAndPipelines() {
  registerAllPasses();
  registerInceptPasses();
  PassPipelineRegistration<>(
      "incept-optimize-graph", "the graph passes of -O1 and up, in order",
      [](OpPassManager &pm) {
        LoweringOptions options;
        options.optLevel = 3;
        buildGraphOptimizationPipeline(pm, options);
      });
  PassPipelineRegistration<>(
      "incept-lower-to-linalg", "incept → linalg on tensors",
      [](OpPassManager &pm) { buildLowerToLinalgPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "incept-bufferize",
      "tensors → buffers, results as out-parameters, the arena planned",
      [](OpPassManager &pm) { buildBufferizePipeline(pm, {}); });
  PassPipelineRegistration<>(
      "incept-lower-to-llvm", "linalg on buffers → the LLVM dialect",
      [](OpPassManager &pm) { buildLowerToLLVMPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "incept-lower-to-gpu",
      "linalg on buffers → sm_80 kernels (PTX) and the host code launching them",
      [](OpPassManager &pm) {
        LoweringOptions options;
        options.target = TargetKind::Cuda;
        buildLowerToGpuPipeline(pm, options);
      });
}

} // namespace incept
