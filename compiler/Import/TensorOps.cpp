//===- TensorOps.cpp - import of structural and pass-through ops ----------===//

#include "compiler/Import/NodeImporter.h"
#include "compiler/Support/ElementCount.h"

#include "dialects/Incept/InceptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/STLExtras.h"

#include <optional>

using namespace mlir;

namespace incept {

namespace {

LogicalResult importConcat(NodeImporter &node) {
  SmallVector<Value> inputs;
  for (int i = 0; i < node.node().input_size(); ++i) {
    FailureOr<Value> input = node.anyInput(i);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
  }
  if (inputs.empty())
    return node.emitError() << "needs at least one input";
  int64_t rank = cast<RankedTensorType>(inputs.front().getType()).getRank();
  int64_t axis = node.intAttr("axis", 0);
  if (axis < -rank || axis >= rank)
    return node.emitError() << "axis " << axis << " is out of range for rank "
                            << rank;
  FailureOr<Value> concat = node.buildInferred<ConcatOp>(
      inputs, static_cast<uint64_t>(axis < 0 ? axis + rank : axis));
  if (failed(concat))
    return failure();
  return node.setResults(*concat);
}

LogicalResult reshapeTo(NodeImporter &node, Value input, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(input.getType());
  std::optional<int64_t> elements = elementCount(shape);
  if (!elements)
    return node.emitError() << "cannot reshape " << type << " to more elements "
                            << "than a 64-bit count holds";
  if (*elements != type.getNumElements())
    return node.emitError() << "cannot reshape " << type << " to " << *elements
                            << " elements";
  Value result = ReshapeOp::create(node.builder(), node.loc(),
                                   RankedTensorType::get(shape, type.getElementType()),
                                   input);
  return node.setResults(result);
}

LogicalResult importReshape(NodeImporter &node) {
  FailureOr<Value> input = node.anyInput(0);
  FailureOr<SmallVector<int64_t>> requested = node.constantInts(1);
  if (failed(input) || failed(requested))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  bool allowZero = node.intAttr("allowzero", 0) != 0;
  SmallVector<int64_t> shape(*requested);
  std::optional<size_t> inferred;
  for (auto [index, size] : llvm::enumerate(shape)) {
    if (size == 0 && !allowZero) {
      if (static_cast<int64_t>(index) >= type.getRank())
        return node.emitError() << "shape entry " << index
                                << " is 0 (copy) but the input " << type
                                << " has no such dimension";
      size = type.getDimSize(index);
    } else if (size == -1) {
      if (inferred)
        return node.emitError() << "shape has more than one -1";
      inferred = index;
    } else if (size <= 0) {
      return node.emitError() << "shape entry " << index << " is " << size
                              << "; Incept needs positive static sizes";
    }
  }
  if (inferred) {
    SmallVector<int64_t> others(shape);
    others.erase(others.begin() + *inferred);
    std::optional<int64_t> known = elementCount(others);
    if (!known || *known == 0 || type.getNumElements() % *known != 0)
      return node.emitError() << "cannot infer the -1 entry: " << type
                              << " does not divide into the other sizes";
    shape[*inferred] = type.getNumElements() / *known;
  }
  return reshapeTo(node, *input, shape);
}

LogicalResult importFlatten(NodeImporter &node) {
  FailureOr<Value> input = node.anyInput(0);
  if (failed(input))
    return failure();
  ArrayRef<int64_t> dims = cast<RankedTensorType>(input->getType()).getShape();
  int64_t rank = dims.size();
  int64_t axis = node.intAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return node.emitError() << "axis " << axis << " is out of range for rank "
                            << rank;
  if (axis < 0)
    axis += rank;
  std::optional<int64_t> outer = elementCount(dims.take_front(axis));
  std::optional<int64_t> inner = elementCount(dims.drop_front(axis));
  if (!outer || !inner)
    return node.emitError() << "cannot flatten " << input->getType()
                            << ": more elements than a 64-bit count holds";
  int64_t shape[] = {*outer, *inner};
  return reshapeTo(node, *input, shape);
}

LogicalResult importPad(NodeImporter &node) {
  FailureOr<Value> input = node.anyInput(0);
  FailureOr<SmallVector<int64_t>> pads = node.constantInts(1);
  if (failed(input) || failed(pads))
    return failure();
  float value = 0.0f;
  if (node.hasInput(2)) {
    FailureOr<SmallVector<float>> values = node.constantFloats(2);
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return node.emitError() << "constant_value must be a scalar";
    value = values->front();
  }
  std::string modeName = node.stringAttr("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return node.emitError() << "unknown mode '" << modeName
                            << "' (constant, reflect or edge)";
  FailureOr<Value> pad =
      node.buildInferred<PadOp>(*input, *pads, *mode, APFloat(value));
  if (failed(pad))
    return failure();
  return node.setResults(*pad);
}

/// Identity, and Dropout in inference: the output is the input. A constant
/// stays a constant, so that a Reshape can still read a shape through it.
LogicalResult forwardInput(NodeImporter &node) {
  if (const onnx::TensorProto *constant = node.constantInput(0)) {
    node.setConstantResult(0, *constant);
    return success();
  }
  FailureOr<Value> input = node.anyInput(0);
  if (failed(input))
    return failure();
  return node.setResults(*input);
}

/// Dropout's mask in inference: every element kept, a constant all-true bool
/// tensor of the input's shape.
LogicalResult defineKeepAllMask(NodeImporter &node) {
  FailureOr<Value> input = node.anyInput(0);
  if (failed(input))
    return failure();
  auto type = RankedTensorType::get(
      cast<RankedTensorType>(input->getType()).getShape(),
      node.builder().getI1Type());
  Value mask = arith::ConstantOp::create(
      node.builder(), node.loc(), DenseElementsAttr::get(type, true));
  return node.setResults({*input, mask});
}

LogicalResult importIdentity(NodeImporter &node) {
  return forwardInput(node);
}

LogicalResult importDropout(NodeImporter &node) {
  if (node.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> training = node.constantInts(2);
    if (failed(training))
      return failure();
    if (llvm::any_of(*training, [](int64_t v) { return v != 0; }))
      return node.emitError() << "training_mode is not supported; Incept "
                                 "compiles inference graphs";
  }
  if (node.node().output_size() > 1 && !node.node().output(1).empty())
    return defineKeepAllMask(node);
  return forwardInput(node);
}

LogicalResult importConstant(NodeImporter &node) {
  const onnx::NodeProto &proto = node.node();
  if (proto.attribute_size() != 1)
    return node.emitError() << "must have exactly one value attribute";
  const onnx::AttributeProto &attribute = proto.attribute(0);
  onnx::TensorProto tensor;
  if (attribute.name() == "value") {
    tensor = attribute.t();
  } else if (attribute.name() == "value_float") {
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.add_float_data(attribute.f());
  } else if (attribute.name() == "value_floats") {
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.add_dims(attribute.floats_size());
    tensor.mutable_float_data()->CopyFrom(attribute.floats());
  } else if (attribute.name() == "value_int") {
    tensor.set_data_type(onnx::TensorProto::INT64);
    tensor.add_int64_data(attribute.i());
  } else if (attribute.name() == "value_ints") {
    tensor.set_data_type(onnx::TensorProto::INT64);
    tensor.add_dims(attribute.ints_size());
    tensor.mutable_int64_data()->CopyFrom(attribute.ints());
  } else {
    return node.emitError() << "attribute '" << attribute.name()
                            << "' is not supported (sparse and string "
                               "constants cannot be compiled)";
  }
  node.setConstantResult(0, tensor);
  return success();
}

} // namespace

void registerTensorOpHandlers(OpHandlerTable &table) {
  table.on("Concat", 13, importConcat);
  table.on("Reshape", 14, importReshape);
  table.on("Flatten", 13, importFlatten);
  table.on("Pad", 13, importPad);
  table.on("Identity", 16, importIdentity);
  table.on("Dropout", 13, importDropout);
  table.on("Constant", 13, importConstant);
}

} // namespace incept
