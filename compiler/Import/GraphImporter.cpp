//===- GraphImporter.cpp - ONNX graph to incept IR ------------------------===//

#include "compiler/Import/GraphImporter.h"
#include "dialects/Incept/ElementTypes.h"
#include "dialects/Incept/WeightBlobs.h"
#include "compiler/Import/Importer.h"

#include "dialects/Incept/InceptDialect.h"
#include "dialects/Incept/InceptOps.h"

#include "onnx/defs/schema.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace incept {

GraphImporter::GraphImporter(
    ModuleOp module, const onnx::GraphProto &graph,
    llvm::ArrayRef<onnx::ValueInfoProto> declaredOutputs, int64_t originalOpset,
    llvm::StringRef fileName, bool externalWeights)
    : module_(module), graph_(graph), declaredOutputs_(declaredOutputs),
      originalOpset_(originalOpset), fileName_(fileName.str()),
      builder_(module.getContext()), externalWeights_(externalWeights) {}

const onnx::TensorProto *GraphImporter::lookupConstant(llvm::StringRef name) const {
  auto it = constants_.find(name);
  return it == constants_.end() ? nullptr : it->second;
}

void GraphImporter::defineValue(llvm::StringRef name, Value value) {
  values_[name] = value;
}

void GraphImporter::defineConstant(llvm::StringRef name,
                                   const onnx::TensorProto &tensor) {
  ownedConstants_.push_back(tensor);
  ownedConstants_.back().set_name(name.str());
  constants_[name] = &ownedConstants_.back();
  values_.erase(name);
}

FailureOr<Value> GraphImporter::materializeConstant(const onnx::TensorProto &tensor,
                                                    Location loc) {
  FailureOr<std::vector<char>> bytes = elementBytesOf(tensor, loc);
  if (failed(bytes))
    return failure();
  Type elementType = elementTypeOf(tensor.data_type(), builder_.getContext());
  auto type = RankedTensorType::get(shapeOf(tensor), elementType);
  ElementsAttr value;
  if (elementType.isInteger(1)) {
    // MLIR packs i1 elements into bits; build them one by one.
    SmallVector<bool> bits(bytes->begin(), bytes->end());
    value = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (type.getNumElements() <= kMaxInlineConstantElements) {
    value = DenseElementsAttr::getFromRawBuffer(type, *bytes);
  } else {
    // The blob manager makes the key unique if two tensors share a name.
    value = DenseResourceElementsAttr::get(
        type, tensor.name().empty() ? "constant" : tensor.name(),
        HeapAsmResourceBlob::allocateAndCopyWithAlign(*bytes, kWeightBlobAlignment));
    if (externalWeights_ && elementType.isF32()) {
      MLIRContext *context = builder_.getContext();
      manifest_.push_back(DictionaryAttr::get(
          context, {builder_.getNamedAttr("name", builder_.getStringAttr(tensor.name())),
                    builder_.getNamedAttr("type", TypeAttr::get(type))}));
      manifestValues_.push_back(value);
      return ExternalWeightOp::create(builder_, loc, type, manifest_.size() - 1)
          .getResult();
    }
  }
  return arith::ConstantOp::create(builder_, loc, cast<TypedAttr>(value))
      .getResult();
}

FailureOr<Value> GraphImporter::lookupValue(llvm::StringRef name, Location loc) {
  auto it = values_.find(name);
  if (it != values_.end())
    return it->second;
  const onnx::TensorProto *tensor = lookupConstant(name);
  if (!tensor)
    return emitError(loc) << "input '" << name
                          << "' is not produced by any node, graph input or "
                             "initializer";
  FailureOr<Value> value = materializeConstant(*tensor, loc);
  if (succeeded(value))
    values_[name] = *value;
  return value;
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, int index) {
  std::string name = nodeName(node, index);
  Location fileLoc = FileLineColLoc::get(builder_.getContext(), fileName_, 0, 0);
  Location loc = NameLoc::get(builder_.getStringAttr(name), fileLoc);
  std::string context = describeNode(node, index, originalOpset_) + ": ";
  auto fail = [&](const llvm::Twine &message) {
    return emitError(fileLoc) << context << message;
  };

  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  const onnx::OpSchema *schema =
      defaultDomain ? onnx::OpSchemaRegistry::Schema(node.op_type(), kImportOpset,
                                                     onnx::ONNX_DOMAIN)
                    : nullptr;
  OpHandler handler =
      schema ? allOpHandlers().lookup(node.op_type(), schema->SinceVersion())
             : nullptr;
  if (!handler)
    return fail(unsupportedOperatorMessage(node));

  // Everything the handler (or the verifier of what it built) reports gets
  // the node's context in front.
  SmallVector<std::string> messages;
  LogicalResult result = success();
  {
    ScopedDiagnosticHandler capture(builder_.getContext(), [&](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        messages.push_back(diag.str());
      return success();
    });
    Block *block = builder_.getInsertionBlock();
    Operation *last = block->empty() ? nullptr : &block->back();
    NodeImporter importer(*this, node, loc);
    result = handler(importer);
    for (Operation &op : llvm::make_range(
             last ? std::next(last->getIterator()) : block->begin(), block->end()))
      if (succeeded(result) && failed(verify(&op)))
        result = failure();
  }
  if (failed(result)) {
    if (messages.empty())
      messages.push_back("cannot be imported");
    for (const std::string &message : messages)
      (void)fail(message);
  }
  return result;
}

LogicalResult GraphImporter::importGraph() {
  MLIRContext *ctx = builder_.getContext();
  Location fileLoc = FileLineColLoc::get(ctx, fileName_, 0, 0);

  for (const onnx::TensorProto &tensor : graph_.initializer())
    constants_[tensor.name()] = &tensor;
  for (const onnx::NodeProto &node : graph_.node())
    for (const std::string &input : node.input())
      usedNames_.insert(input);
  for (const onnx::ValueInfoProto &output : graph_.output())
    usedNames_.insert(output.name());

  // Graph inputs (with shapes made static by loadModel) are the arguments.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const onnx::ValueInfoProto &input : graph_.input()) {
    if (constants_.count(input.name()))
      continue;
    SmallVector<int64_t> shape;
    for (const onnx::TensorShapeProto_Dimension &dim :
         input.type().tensor_type().shape().dim())
      shape.push_back(dim.dim_value());
    // loadModel accepted only the dtypes elementTypeOf knows.
    Type elementType =
        elementTypeOf(input.type().tensor_type().elem_type(), ctx);
    argTypes.push_back(RankedTensorType::get(shape, elementType));
    argNames.push_back(input.name());
  }

  std::string funcName = graph_.name().empty() ? "main_graph" : graph_.name();
  builder_.setInsertionPointToEnd(module_.getBody());
  auto func = func::FuncOp::create(builder_, fileLoc, funcName,
                                   builder_.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [index, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(index, kTensorNameAttr, builder_.getStringAttr(name));
    values_[name] = entry->getArgument(index);
  }
  builder_.setInsertionPointToEnd(entry);

  for (auto [index, node] : llvm::enumerate(graph_.node()))
    if (failed(importNode(node, index)))
      return failure();

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : declaredOutputs_) {
    FailureOr<Value> value = lookupValue(output.name(), fileLoc);
    if (failed(value))
      return failure();
    // The shape the file declares must be the one computed, where it is known.
    auto type = cast<RankedTensorType>(value->getType());
    const onnx::TensorShapeProto &declared = output.type().tensor_type().shape();
    bool mismatch = output.type().tensor_type().has_shape() &&
                    declared.dim_size() != type.getRank();
    for (int d = 0; !mismatch && d < declared.dim_size(); ++d)
      mismatch = declared.dim(d).has_dim_value() &&
                 declared.dim(d).dim_value() != type.getDimSize(d);
    int32_t declaredDtype = output.type().tensor_type().elem_type();
    if (declaredDtype != onnx::TensorProto::UNDEFINED &&
        elementTypeOf(declaredDtype, ctx) != type.getElementType())
      return emitError(fileLoc)
             << "graph output '" << output.name() << "' is declared as "
             << dtypeName(declaredDtype) << " but the graph computes "
             << dtypeNameOf(type.getElementType());
    if (mismatch) {
      SmallVector<std::string> dims;
      for (const onnx::TensorShapeProto_Dimension &dim : declared.dim())
        dims.push_back(dim.has_dim_value() ? std::to_string(dim.dim_value())
                                           : "?");
      return emitError(fileLoc)
             << "graph output '" << output.name() << "' is declared as ["
             << llvm::join(dims, ", ") << "] but the graph computes " << type;
    }
    results.push_back(*value);
  }
  func::ReturnOp::create(builder_, fileLoc, results);
  func.setType(builder_.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [index, output] : llvm::enumerate(declaredOutputs_))
    func.setResultAttr(index, kTensorNameAttr, builder_.getStringAttr(output.name()));
  if (externalWeights_) {
    module_->setAttr(kExternalWeightsAttr, builder_.getArrayAttr(manifest_));
    module_->setAttr(kExternalWeightValuesAttr, builder_.getArrayAttr(manifestValues_));
  }
  return success();
}

void registerImportDialects(DialectRegistry &registry) {
  registry.insert<InceptDialect, arith::ArithDialect, func::FuncDialect>();
}

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &context,
                                      const LoadedModel &model,
                                      llvm::StringRef fileName,
                                      bool externalWeights) {
  DialectRegistry registry;
  registerImportDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();

  Location fileLoc = FileLineColLoc::get(&context, fileName, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  module->getOperation()->setAttr(
      "incept.source",
      StringAttr::get(&context, llvm::sys::path::filename(fileName)));
  module->getOperation()->setAttr(
      "incept.opset", IntegerAttr::get(IntegerType::get(&context, 64),
                                       model.originalOpset));
  GraphImporter importer(*module, model.proto->graph(), model.declaredOutputs,
                         model.originalOpset, fileName, externalWeights);
  if (failed(importer.importGraph()) || failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace incept
