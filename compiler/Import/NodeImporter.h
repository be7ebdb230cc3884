//===- NodeImporter.h - what an ONNX op handler sees of its node -*- C++ -*-===//
//
// Each ONNX operator is imported by one small handler, registered by op type
// and by the operator version (the schema's since-version) it implements, in
// a file per op family (NNOps.cpp, MathOps.cpp, TensorOps.cpp). A handler
// reads its node through a NodeImporter and builds incept ops; errors it emits
// are shown to the user prefixed with the node's name, op type and opset.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_IMPORT_NODEIMPORTER_H
#define INCEPT_COMPILER_IMPORT_NODEIMPORTER_H

#include "onnx/onnx_pb.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

namespace incept {

class GraphImporter;

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
               mlir::Location loc);

  const onnx::NodeProto &node() const { return node_; }
  mlir::Location loc() const { return loc_; }
  mlir::OpBuilder &builder();
  mlir::MLIRContext *context() { return builder().getContext(); }
  mlir::InFlightDiagnostic emitError() { return mlir::emitError(loc_); }

  //===--- inputs ---------------------------------------------------------===//

  /// Whether input `index` is given (ONNX marks a skipped optional input with
  /// an empty name).
  bool hasInput(unsigned index) const;
  /// Input `index` as a float32 tensor value (activation or constant).
  mlir::FailureOr<mlir::Value> input(unsigned index);
  /// Input `index` as a tensor of any element type Incept computes on
  /// (float32, int8, uint8, int32, int64, bool), for the ops ONNX defines on
  /// integers; the op's verifier then decides which of them it takes.
  mlir::FailureOr<mlir::Value> anyInput(unsigned index);
  /// Like input(), but a null Value when the optional input is absent.
  mlir::FailureOr<mlir::Value> optionalInput(unsigned index);
  /// The initializer or Constant-node tensor behind input `index`, or null.
  const onnx::TensorProto *constantInput(unsigned index) const;
  /// Input `index`, which must be a constant (initializer or Constant node),
  /// read as integers or floats: shapes, pads, clip bounds.
  mlir::FailureOr<llvm::SmallVector<int64_t>> constantInts(unsigned index);
  mlir::FailureOr<llvm::SmallVector<float>> constantFloats(unsigned index);

  //===--- attributes (their types are checked by ONNX's checker) --------===//

  const onnx::AttributeProto *attribute(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t fallback) const;
  float floatAttr(llvm::StringRef name, float fallback) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef fallback) const;
  std::optional<llvm::SmallVector<int64_t>> intsAttr(llvm::StringRef name) const;

  //===--- results --------------------------------------------------------===//

  /// Binds the node's outputs, in order, to `values`; outputs past them must
  /// not be read by any node or graph output (e.g. MaxPool's Indices,
  /// Dropout's mask).
  mlir::LogicalResult setResults(mlir::ValueRange values);
  /// Whether output `index` is named and read by a node or a graph output.
  bool isOutputUsed(unsigned index) const;
  /// Makes output `index` stand for the constant `tensor` (Constant nodes).
  void setConstantResult(unsigned index, const onnx::TensorProto &tensor);

  //===--- building --------------------------------------------------------===//

  /// Builds an op whose result type the dialect infers (InferTypeOpAdaptor),
  /// reporting a shape error as a diagnostic instead of aborting.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> buildInferred(Args &&...args) {
    mlir::FailureOr<OpTy> op =
        buildInferredOp<OpTy>(mlir::Type(), std::forward<Args>(args)...);
    if (mlir::failed(op))
      return mlir::failure();
    return op->getOperation()->getResult(0);
  }
  /// Like buildInferred, for an op with several results: `resultTypes` are
  /// the placeholder result-type arguments of OpTy's builder (one null Type
  /// per result), the op is returned.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<OpTy> buildInferredOp(Args &&...args) {
    mlir::OperationState state(loc_, OpTy::getOperationName());
    OpTy::build(builder(), state, std::forward<Args>(args)...);
    llvm::SmallVector<mlir::Type, 2> types;
    if (mlir::failed(OpTy::inferReturnTypes(
            context(), loc_, state.operands,
            state.attributes.getDictionary(context()), state.getRawProperties(),
            state.regions, types)))
      return mlir::failure();
    state.types.assign(types.begin(), types.end());
    return llvm::cast<OpTy>(builder().create(state));
  }

private:
  GraphImporter &graph_;
  const onnx::NodeProto &node_;
  mlir::Location loc_;
};

using OpHandler = mlir::LogicalResult (*)(NodeImporter &node);

/// Handlers by ONNX op type and operator version.
class OpHandlerTable {
public:
  void on(llvm::StringRef opType, int sinceVersion, OpHandler handler);
  OpHandler lookup(llvm::StringRef opType, int sinceVersion) const;
  /// Whether some version of `opType` (of the default domain) has a handler.
  bool handlesOpType(llvm::StringRef opType) const { return handlers_.contains(opType); }
  /// The op types with a handler, sorted, for "unsupported op" messages.
  std::string supportedOps() const;

private:
  llvm::StringMap<llvm::SmallVector<std::pair<int, OpHandler>, 1>> handlers_;
};

void registerNNOpHandlers(OpHandlerTable &table);
void registerMathOpHandlers(OpHandlerTable &table);
void registerTensorOpHandlers(OpHandlerTable &table);

/// A table with every handler.
const OpHandlerTable &allOpHandlers();

/// "unsupported operator[ of domain 'D']; Incept imports Add, ...": what the
/// loader and the importer say of a node no handler takes.
std::string unsupportedOperatorMessage(const onnx::NodeProto &node);

} // namespace incept

#endif // INCEPT_COMPILER_IMPORT_NODEIMPORTER_H
