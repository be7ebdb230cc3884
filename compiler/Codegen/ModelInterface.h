//===- ModelInterface.h - what a compiled model shows its callers -*- C++ -*-===//
//
// The inputs and outputs of the entry function (ONNX names, shapes, dtypes),
// read from the incept-level function before lowering erases the tensor
// types; the C wrapper, the header and the generic description come from it.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_MODELINTERFACE_H
#define INCEPT_COMPILER_CODEGEN_MODELINTERFACE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <string>
#include <vector>

namespace incept {

struct TensorInterface {
  std::string name;       // the ONNX name
  std::string identifier; // a C identifier made from it, unique in the model
  std::vector<int64_t> shape;
  int32_t dtype = 1;        // an incept_dtype (ONNX's TensorProto numbering)
  int64_t numElements() const;
  /// The elements of one image: numElements() / shape[0].
  int64_t imageElements() const;
  /// The enumerator of incept_dtype ("INCEPT_DTYPE_UINT8").
  std::string dtypeEnumerator() const;
  /// The C element type of its buffer ("uint8_t"; bool is uint8_t too).
  std::string cType() const;
};

/// One layer of a profiled model (incept_layer_info).
struct LayerInterface {
  std::string name, op, shape, strategy;
  double flops = 0;
};

/// One step of the weights' preparation: `function` (an incept/prepare.h
/// step) on the slots [kind, at] incept-hoist-weight-preparation recorded
/// (PreparationSlot in passes/Passes.h).
struct PreparationStep {
  std::string function;
  std::vector<int64_t> params;
  std::vector<double> scalars;
  std::vector<std::pair<int64_t, int64_t>> inputs, outputs;
};

/// --weights=external: what the library reads and what create does with it.
struct WeightPreparation {
  /// The weights file's tensors, in order.
  std::vector<TensorInterface> manifest;
  /// The file create reads by default, in the directory of the library.
  std::string fileName;
  std::vector<PreparationStep> steps;
  /// The compile-time constants the steps read (a residual scale, zeros).
  std::vector<std::vector<float>> constants;
  /// Floats of the prepared weights a context keeps (the forward function's
  /// `prepared` argument), and of the scratch freed after the preparation.
  uint64_t preparedFloats = 0, scratchFloats = 0;
};

struct ModelInterface {
  std::string name;           // --name: the C symbol prefix
  std::string source;         // the ONNX file name
  std::string target;         // triple and CPU
  std::string compilerVersion;
  std::vector<TensorInterface> inputs, outputs;
  uint64_t scratchBytes = 0;  // filled in once the arena is planned
  /// --batch dynamic: the first dimension of every tensor is the batch, any
  /// N >= 1 runs in chunks of the compiled batch (shape[0]).
  bool dynamicBatch = false;
  /// With --profile: the layers, and the layer of each numbered kernel.
  std::vector<LayerInterface> layers;
  std::vector<int32_t> kernelLayers;
  /// --target=cuda: the kernels run on a GPU of this compute capability or
  /// later (80 for sm_80); the entry point takes the weights blob of
  /// `weightsBytes` after the arena, and the context's arena is device memory.
  bool cuda = false;
  int computeCapability = 0;
  uint64_t weightsBytes = 0;

  /// --weights=external; none for embedded weights.
  std::optional<WeightPreparation> externalWeights;

  std::string forwardSymbol() const { return name + "_forward"; }
  /// The compiled batch: the first dimension of the first input (1 for a
  /// model without inputs, or of scalars).
  int64_t compiledBatch() const;
  /// Bytes of the context's arena after the activations' that stage a
  /// partial last chunk of a dynamic batch, or (cuda) every run on host
  /// buffers: one chunk of every input and output, each aligned to the
  /// arena's alignment.
  uint64_t stagingBytes() const;
};

/// Reads the interface of `func`, the imported model's only function.
ModelInterface readModelInterface(mlir::func::FuncOp func,
                                  llvm::StringRef name, llvm::StringRef source);

/// The layers of the graph `func` (incept ops after the graph passes), by
/// ONNX node: the first node of a fused op names it.
std::vector<LayerInterface> readLayers(mlir::func::FuncOp func);

/// A C string literal of `text` (quotes, backslashes and control bytes
/// escaped).
std::string cStringLiteral(llvm::StringRef text);

/// `text` as a C identifier: other characters become '_', a leading digit
/// gets a '_' in front, a C or C++ keyword or a name of the wrapper's own
/// ("context", "batch", ...) a '_' after, and an empty name becomes
/// `fallback`.
std::string toCIdentifier(llvm::StringRef text, llvm::StringRef fallback);

/// The C source of the wrapper that implements the typed and the generic API
/// over `<name>_forward` (compiled with -DINCEPT_SHARED for a shared library,
/// which then also exports the generic entry point).
std::string generateWrapperSource(const ModelInterface &model);

/// The model's header: the typed API and its constants.
std::string generateHeader(const ModelInterface &model);

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_MODELINTERFACE_H
