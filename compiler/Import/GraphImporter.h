//===- GraphImporter.h - state of one graph's import ------------*- C++ -*-===//
//
// Private to compiler/Import: the tables that NodeImporter reads and writes.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_IMPORT_GRAPHIMPORTER_H
#define INCEPT_COMPILER_IMPORT_GRAPHIMPORTER_H

#include "compiler/Import/NodeImporter.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <deque>

namespace incept {

class GraphImporter {
public:
  GraphImporter(mlir::ModuleOp module, const onnx::GraphProto &graph,
                llvm::ArrayRef<onnx::ValueInfoProto> declaredOutputs,
                int64_t originalOpset, llvm::StringRef fileName,
                bool externalWeights);

  mlir::LogicalResult importGraph();

  mlir::OpBuilder &builder() { return builder_; }

  /// The value of tensor `name`: an activation, or a constant
  /// materialised (once) from an initializer or Constant node.
  mlir::FailureOr<mlir::Value> lookupValue(llvm::StringRef name,
                                           mlir::Location loc);
  /// The initializer or Constant-node tensor `name`, or null.
  const onnx::TensorProto *lookupConstant(llvm::StringRef name) const;
  void defineValue(llvm::StringRef name, mlir::Value value);
  /// Whether a node or the graph's outputs read tensor `name`.
  bool isUsed(llvm::StringRef name) const { return usedNames_.contains(name); }
  void defineConstant(llvm::StringRef name, const onnx::TensorProto &tensor);

private:
  mlir::LogicalResult importNode(const onnx::NodeProto &node, int index);
  mlir::FailureOr<mlir::Value> materializeConstant(const onnx::TensorProto &tensor,
                                                   mlir::Location loc);

  mlir::ModuleOp module_;
  const onnx::GraphProto &graph_;
  llvm::ArrayRef<onnx::ValueInfoProto> declaredOutputs_;
  int64_t originalOpset_;
  std::string fileName_;
  mlir::OpBuilder builder_;
  llvm::StringMap<mlir::Value> values_;
  llvm::StringMap<const onnx::TensorProto *> constants_;
  llvm::StringSet<> usedNames_;
  /// Tensors made from Constant nodes' attributes (value_float, value_ints…).
  std::deque<onnx::TensorProto> ownedConstants_;
  /// --weights=external: the weights as they are first read (the manifest,
  /// kExternalWeightsAttr) and their values.
  bool externalWeights_;
  llvm::SmallVector<mlir::Attribute> manifest_, manifestValues_;
};

/// The element type Incept computes ONNX dtype `dtype` in: f32 for FLOAT,
/// i8, ui8, i32, i64 for INT8, UINT8, INT32, INT64, and i1 for BOOL; a null
/// type for every other dtype.
mlir::Type elementTypeOf(int32_t dtype, mlir::MLIRContext *context);
/// Whether elementTypeOf knows `dtype`.
bool isSupportedDtype(int32_t dtype);
/// ONNX's name of a dtype ("UINT8").
std::string dtypeName(int32_t dtype);
/// The ONNX name of the dtype of element type `type` ("UINT8").
std::string dtypeNameOf(mlir::Type type);

/// The shape of a constant tensor.
llvm::SmallVector<int64_t> shapeOf(const onnx::TensorProto &tensor);

/// The bytes of a float32 tensor, stored in raw_data or float_data, without a
/// copy; fails with a message on other dtypes or a size that does not match
/// the shape.
mlir::FailureOr<llvm::ArrayRef<char>> float32Bytes(const onnx::TensorProto &tensor,
                                                   mlir::Location loc);

/// The little-endian bytes of a tensor of a supported dtype (one byte per
/// element for BOOL, INT8 and UINT8), from raw_data or its typed field.
mlir::FailureOr<std::vector<char>> elementBytesOf(const onnx::TensorProto &tensor,
                                                  mlir::Location loc);

/// Reads a constant tensor's elements, whatever its storage (raw_data or the
/// typed repeated fields); fails with a message on other dtypes.
mlir::FailureOr<llvm::SmallVector<float>>
readFloats(const onnx::TensorProto &tensor, mlir::Location loc);
mlir::FailureOr<llvm::SmallVector<int64_t>>
readInts(const onnx::TensorProto &tensor, mlir::Location loc);

} // namespace incept

#endif // INCEPT_COMPILER_IMPORT_GRAPHIMPORTER_H
