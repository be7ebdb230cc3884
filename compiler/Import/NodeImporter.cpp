//===- NodeImporter.cpp - what an ONNX op handler sees of its node --------===//

#include "compiler/Import/NodeImporter.h"
#include "compiler/Import/GraphImporter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace mlir;

namespace incept {

NodeImporter::NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
                           Location loc)
    : graph_(graph), node_(node), loc_(loc) {}

OpBuilder &NodeImporter::builder() { return graph_.builder(); }

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

bool NodeImporter::hasInput(unsigned index) const {
  return static_cast<int>(index) < node_.input_size() &&
         !node_.input(index).empty();
}

FailureOr<Value> NodeImporter::input(unsigned index) {
  if (!hasInput(index))
    return emitError() << "input " << index << " is required";
  FailureOr<Value> value = graph_.lookupValue(node_.input(index), loc_);
  if (failed(value))
    return failure();
  Type elementType = cast<RankedTensorType>(value->getType()).getElementType();
  if (!elementType.isF32())
    return emitError() << "input '" << node_.input(index) << "' has dtype "
                       << dtypeNameOf(elementType) << "; " << node_.op_type()
                       << " is supported on float32 tensors only";
  return value;
}

FailureOr<Value> NodeImporter::anyInput(unsigned index) {
  if (!hasInput(index))
    return emitError() << "input " << index << " is required";
  return graph_.lookupValue(node_.input(index), loc_);
}

FailureOr<Value> NodeImporter::optionalInput(unsigned index) {
  if (!hasInput(index))
    return Value();
  return input(index);
}

const onnx::TensorProto *NodeImporter::constantInput(unsigned index) const {
  return hasInput(index) ? graph_.lookupConstant(node_.input(index)) : nullptr;
}

template <typename T, typename Reader>
static FailureOr<SmallVector<T>> readConstantInput(NodeImporter &node,
                                                   unsigned index, Reader read) {
  if (!node.hasInput(index))
    return node.emitError() << "input " << index << " is required";
  const onnx::TensorProto *tensor = node.constantInput(index);
  if (!tensor)
    return node.emitError() << "input '" << node.node().input(index)
                            << "' must be a constant (an initializer or a "
                               "Constant node) for Incept to compile the "
                               "graph with static shapes";
  return read(*tensor, node.loc());
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(unsigned index) {
  return readConstantInput<int64_t>(*this, index, readInts);
}

FailureOr<SmallVector<float>> NodeImporter::constantFloats(unsigned index) {
  return readConstantInput<float>(*this, index, readFloats);
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *NodeImporter::attribute(llvm::StringRef name) const {
  for (const onnx::AttributeProto &attribute : node_.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

int64_t NodeImporter::intAttr(llvm::StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->i() : fallback;
}

float NodeImporter::floatAttr(llvm::StringRef name, float fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->f() : fallback;
}

std::string NodeImporter::stringAttr(llvm::StringRef name,
                                     llvm::StringRef fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->s() : fallback.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::intsAttr(llvm::StringRef name) const {
  const onnx::AttributeProto *attr = attribute(name);
  if (!attr)
    return std::nullopt;
  return SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

LogicalResult NodeImporter::setResults(ValueRange values) {
  for (int i = values.size(); i < node_.output_size(); ++i)
    if (graph_.isUsed(node_.output(i)))
      return emitError() << "output " << i << " ('" << node_.output(i)
                         << "') is not supported; Incept computes only "
                         << (values.size() == 1
                                 ? std::string("the first output")
                                 : "the first " + std::to_string(values.size()) +
                                       " outputs");
  for (auto [name, value] : llvm::zip(node_.output(), values))
    if (!name.empty())
      graph_.defineValue(name, value);
  return success();
}

bool NodeImporter::isOutputUsed(unsigned index) const {
  return static_cast<int>(index) < node_.output_size() &&
         !node_.output(index).empty() && graph_.isUsed(node_.output(index));
}

void NodeImporter::setConstantResult(unsigned index,
                                     const onnx::TensorProto &tensor) {
  graph_.defineConstant(node_.output(index), tensor);
}

//===----------------------------------------------------------------------===//
// OpHandlerTable
//===----------------------------------------------------------------------===//

void OpHandlerTable::on(llvm::StringRef opType, int sinceVersion,
                        OpHandler handler) {
  handlers_[opType].push_back({sinceVersion, handler});
}

OpHandler OpHandlerTable::lookup(llvm::StringRef opType, int sinceVersion) const {
  auto it = handlers_.find(opType);
  if (it == handlers_.end())
    return nullptr;
  for (const auto &[version, handler] : it->second)
    if (version == sinceVersion)
      return handler;
  return nullptr;
}

std::string OpHandlerTable::supportedOps() const {
  SmallVector<std::string> names;
  for (const auto &entry : handlers_)
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return llvm::join(names, ", ");
}

std::string unsupportedOperatorMessage(const onnx::NodeProto &node) {
  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  return "unsupported operator" +
         (defaultDomain ? std::string() : " of domain '" + node.domain() + "'") +
         "; Incept imports " + allOpHandlers().supportedOps();
}

const OpHandlerTable &allOpHandlers() {
  static const OpHandlerTable table = [] {
    OpHandlerTable t;
    registerNNOpHandlers(t);
    registerMathOpHandlers(t);
    registerTensorOpHandlers(t);
    return t;
  }();
  return table;
}

} // namespace incept
