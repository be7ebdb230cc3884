//===- MathOps.cpp - import of activations, arithmetic and the classifier -===//

#include "compiler/Import/NodeImporter.h"

#include "dialects/Incept/InceptOps.h"

#include <limits>

using namespace mlir;

namespace incept {

namespace {

LogicalResult importRelu(NodeImporter &node) {
  FailureOr<Value> input = node.input(0);
  if (failed(input))
    return failure();
  return node.setResults(ReluOp::create(node.builder(), node.loc(), *input).getResult());
}

/// A scalar bound given as an optional constant input (Clip since opset 11).
FailureOr<float> clipBound(NodeImporter &node, unsigned index, float fallback) {
  if (!node.hasInput(index))
    return fallback;
  FailureOr<SmallVector<float>> values = node.constantFloats(index);
  if (failed(values))
    return failure();
  if (values->size() != 1)
    return node.emitError() << "input '" << node.node().input(index)
                            << "' must be a scalar, it has " << values->size()
                            << " elements";
  return values->front();
}

LogicalResult importClip(NodeImporter &node) {
  FailureOr<Value> input = node.anyInput(0);
  FailureOr<float> min =
      clipBound(node, 1, -std::numeric_limits<float>::infinity());
  FailureOr<float> max = clipBound(node, 2, std::numeric_limits<float>::infinity());
  if (failed(input) || failed(min) || failed(max))
    return failure();
  return node.setResults(ClipOp::create(node.builder(), node.loc(), *input,
                                        APFloat(*min), APFloat(*max))
                             .getResult());
}

template <typename OpTy>
LogicalResult importBroadcastBinary(NodeImporter &node) {
  FailureOr<Value> lhs = node.anyInput(0);
  FailureOr<Value> rhs = node.anyInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<Value> result = node.buildInferred<OpTy>(*lhs, *rhs);
  if (failed(result))
    return failure();
  return node.setResults(*result);
}

LogicalResult importGemm(NodeImporter &node) {
  FailureOr<Value> a = node.input(0);
  FailureOr<Value> b = node.input(1);
  FailureOr<Value> c = node.optionalInput(2);
  if (failed(a) || failed(b) || failed(c))
    return failure();
  FailureOr<Value> gemm = node.buildInferred<GemmOp>(
      *a, *b, *c, node.intAttr("transA", 0) != 0, node.intAttr("transB", 0) != 0,
      APFloat(node.floatAttr("alpha", 1.0f)), APFloat(node.floatAttr("beta", 1.0f)));
  if (failed(gemm))
    return failure();
  return node.setResults(*gemm);
}

LogicalResult importSoftmax(NodeImporter &node) {
  FailureOr<Value> input = node.input(0);
  if (failed(input))
    return failure();
  int64_t rank = cast<RankedTensorType>(input->getType()).getRank();
  int64_t axis = node.intAttr("axis", -1);
  if (axis < -rank || axis >= rank)
    return node.emitError() << "axis " << axis << " is out of range for rank "
                            << rank;
  if (axis < 0)
    axis += rank;
  return node.setResults(SoftmaxOp::create(node.builder(), node.loc(), *input,
                                           static_cast<uint64_t>(axis))
                             .getResult());
}

} // namespace

void registerMathOpHandlers(OpHandlerTable &table) {
  table.on("Relu", 14, importRelu);
  table.on("Clip", 13, importClip);
  table.on("Add", 14, importBroadcastBinary<AddOp>);
  table.on("Mul", 14, importBroadcastBinary<MulOp>);
  table.on("Gemm", 13, importGemm);
  table.on("Softmax", 13, importSoftmax);
}

} // namespace incept
