//===- ModelLoader.h - read an ONNX model and make it importable -*- C++ -*-===//
//
// Everything that happens to the protobuf before it becomes IR: reading the
// binary or text file, pulling in external data from inside the model's
// directory, ONNX's checker, conversion to the opset the importer handles,
// resolving dynamic input dimensions, and ONNX's shape inference.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_IMPORT_MODELLOADER_H
#define INCEPT_COMPILER_IMPORT_MODELLOADER_H

#include "onnx/onnx_pb.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>

namespace incept {

/// The opset of the default ONNX domain that every model is converted to
/// before import; the op handlers implement the operator versions of this opset.
constexpr int kImportOpset = 17;

struct ModelLoadOptions {
  /// Size of dimension 0 of every input whose first dimension is dynamic; an
  /// input whose first dimension is fixed to another size is an error.
  std::optional<int64_t> batch;
  /// How `batch` is meant. Fixed (--batch N): as above. Dynamic (--batch
  /// dynamic): the library takes any batch, computed in chunks of `batch`,
  /// so the first dimension of every input and declared output must be
  /// dynamic. IfDynamic (no --batch): Dynamic when the inputs' first
  /// dimensions are, else the model's shapes as they are.
  enum class BatchRule { Fixed, Dynamic, IfDynamic };
  BatchRule batchRule = BatchRule::Fixed;
  /// Full static shapes of named inputs, overriding the model's.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Graph inputs frozen to the TensorProto in a file (NAME → path): they
  /// become initializers, as for the ONNX node tests whose Reshape shape or
  /// Clip bounds are inputs.
  llvm::StringMap<std::string> boundInputs;
  /// The graph outputs to keep, in this order; empty keeps all. The rest of
  /// the graph that only they used (an auxiliary classifier) is pruned.
  std::vector<std::string> keptOutputs;
};

struct LoadedModel {
  std::unique_ptr<onnx::ModelProto> proto;
  /// The default-domain opset the file declared (before conversion).
  int64_t originalOpset = 0;
  /// The graph outputs as the file declares them. ONNX's shape inference runs
  /// on a copy without these declarations (its pool formula predates the
  /// ceil-mode rule, and a clash would be reported without the node); the
  /// importer checks what it computes against them instead.
  std::vector<onnx::ValueInfoProto> declaredOutputs;
  /// The batch rule came out Dynamic: dimension 0 of every input and output
  /// is the batch, compiled at ModelLoadOptions::batch.
  bool dynamicBatch = false;
};

/// A node's name, or `#4` for the unnamed fifth node of the graph.
std::string nodeName(const onnx::NodeProto &node, int index);

/// How diagnostics name a node: `node 'conv1' (Conv, opset 13)`, or
/// `node #4 (Relu, opset 13)` when the node has no name.
std::string describeNode(const onnx::NodeProto &node, int index, int64_t opset);

/// How a model file is written: protobuf's binary or text format.
enum class ModelFormat { Binary, Text };
/// Text when `path` ends in .onnxtxt, .pbtxt or .txt, binary otherwise.
ModelFormat modelFormatOf(llvm::StringRef path);

/// Reads `path` (in the format its name gives) and prepares it for import.
/// Errors name what is wrong and, where there is one, the node.
llvm::Expected<LoadedModel> loadModel(llvm::StringRef path,
                                      const ModelLoadOptions &options);

/// loadModel on a file's bytes, already read: external data is looked up
/// inside `modelDir`. The fuzz target calls this with whatever bytes.
llvm::Expected<LoadedModel> loadModelFromBytes(llvm::StringRef bytes,
                                               ModelFormat format,
                                               llvm::StringRef modelDir,
                                               const ModelLoadOptions &options);

/// Parses a shape written as `1x3x224x224`.
std::optional<llvm::SmallVector<int64_t>> parseShape(llvm::StringRef text);

} // namespace incept

#endif // INCEPT_COMPILER_IMPORT_MODELLOADER_H
