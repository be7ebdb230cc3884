//===- ModelLoader.cpp - read an ONNX model and make it importable --------===//

#include "compiler/Import/ModelLoader.h"
#include "compiler/Support/Dtypes.h"
#include "compiler/Support/ElementCount.h"
#include "compiler/Import/GraphImporter.h"
#include "compiler/Import/NodeImporter.h"
#include "compiler/Import/OnnxLibrary.h"

#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <limits>

using llvm::Error;
using llvm::StringRef;

namespace incept {

namespace {

Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// Collects protobuf's text-format parse errors with their line and column.
class TextErrorCollector : public google::protobuf::io::ErrorCollector {
public:
  void AddError(int line, int column, const std::string &message) override {
    if (first.empty())
      first = llvm::formatv("line {0}, column {1}: {2}", line + 1, column + 1,
                            message);
  }
  std::string first;
};

Error parseModel(StringRef bytes, ModelFormat format, onnx::ModelProto &model) {
  if (bytes.empty())
    return makeError("the model file is empty");
  // Protobuf reads at most 2 GB in either format (its sizes are ints).
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return makeError("the model file is over 2 GB; store its weights as ONNX "
                     "external data");
  if (format == ModelFormat::Text) {
    google::protobuf::TextFormat::Parser parser;
    TextErrorCollector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(std::string(bytes), &model))
      return makeError("not a valid ONNX model in protobuf text format: " +
                       errors.first);
    return Error::success();
  }
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return makeError("not a valid ONNX model: the protobuf does not parse "
                     "(truncated or corrupt file?)");
  return Error::success();
}

/// Bytes per element of the dtypes that can be stored as raw data, or 0.
size_t elementBytes(int32_t dtype) {
  switch (dtype) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return 1;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    return 2;
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    return 4;
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    return 8;
  default:
    return 0;
  }
}

/// Elements held in the typed field that `dtype` is stored in.
int64_t typedElementCount(const onnx::TensorProto &tensor) {
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return tensor.float_data_size();
  case onnx::TensorProto::DOUBLE:
    return tensor.double_data_size();
  case onnx::TensorProto::INT64:
    return tensor.int64_data_size();
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return tensor.uint64_data_size();
  case onnx::TensorProto::STRING:
    return tensor.string_data_size();
  default:
    return tensor.int32_data_size();
  }
}

/// A tensor's stored data must fit its shape and dtype: ONNX's shape inference
/// reads constant data (Reshape shapes, Pad pads) without checking, and
/// crashes on short data.
Error checkTensorData(const onnx::TensorProto &tensor) {
  for (int64_t dim : tensor.dims())
    if (dim < 0)
      return makeError(llvm::formatv("has a negative dimension {0}", dim));
  std::optional<int64_t> count = elementCount(tensor.dims());
  if (!count)
    return makeError("has more elements than a 64-bit count holds");
  int64_t expected = *count;
  if (tensor.has_raw_data()) {
    size_t bytes = elementBytes(tensor.data_type());
    // A byte count past 64 bits cannot match the data's size either.
    std::optional<int64_t> needed = llvm::checkedMul(expected, static_cast<int64_t>(bytes));
    if (bytes && (!needed || tensor.raw_data().size() != static_cast<uint64_t>(*needed)))
      return makeError(llvm::formatv(
          "has {0} bytes of raw data but its shape and dtype {1} need {2}",
          tensor.raw_data().size(),
          onnx::TensorProto::DataType_Name(
              static_cast<onnx::TensorProto::DataType>(tensor.data_type())),
          needed ? std::to_string(*needed) : "more than 2^63"));
    return Error::success();
  }
  int64_t stored = typedElementCount(tensor);
  if (stored != expected)
    return makeError(llvm::formatv("holds {0} elements but its shape needs {1}",
                                   stored, expected));
  return Error::success();
}

/// Whether the model needs nothing from the version converter to reach
/// kImportOpset but the new number: every node's op is the same schema at
/// both opsets, or one of those that changed from opset 13 on only by new
/// element types (Add, Mul, Relu, Identity) or by an attribute whose default
/// keeps the old meaning (Reshape's allowzero, BatchNormalization's
/// training_mode). The converter copies the graph into its IR with a name
/// check per node that makes it quadratic: a model of 100,000 nodes took
/// over ten minutes in it.
bool convertsByRenumbering(const onnx::GraphProto &graph, int64_t opset) {
  static const llvm::StringSet<> meaningKeptFrom13 = {
      "Add", "Mul", "Relu", "Identity", "Reshape", "BatchNormalization"};
  for (const onnx::NodeProto &node : graph.node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return false;
    int from = schemaVersionAt(node.op_type(), int(opset));
    if (from == 0)
      return false; // the converter, or the importer, will say what it is
    if (from != schemaVersionAt(node.op_type(), kImportOpset) &&
        !(opset >= 13 && meaningKeptFrom13.contains(node.op_type())))
      return false;
  }
  return true;
}

/// Replaces the external data of `tensor` by its bytes, read from a file
/// inside `modelDir` only: absolute paths, `..` and links that lead outside
/// the directory are refused.
Error inlineExternalData(onnx::TensorProto &tensor, StringRef modelDir) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    auto parseNumber = [&](uint64_t &value) -> Error {
      if (StringRef(entry.value()).getAsInteger(10, value))
        return makeError(llvm::formatv("tensor '{0}': external data {1} '{2}' "
                                       "is not a number",
                                       tensor.name(), entry.key(), entry.value()));
      return Error::success();
    };
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset") {
      if (Error e = parseNumber(offset))
        return e;
    } else if (entry.key() == "length") {
      uint64_t value;
      if (Error e = parseNumber(value))
        return e;
      length = value;
    }
  }
  std::string what = llvm::formatv("tensor '{0}': external data '{1}'",
                                   tensor.name(), location);
  if (location.empty())
    return makeError(llvm::formatv("tensor '{0}' is stored externally but "
                                   "names no location",
                                   tensor.name()));
  if (llvm::sys::path::is_absolute(location) ||
      llvm::is_contained(llvm::make_range(llvm::sys::path::begin(location),
                                          llvm::sys::path::end(location)),
                         ".."))
    return makeError(what + " must be a relative path inside the model's "
                            "directory (no absolute path, no '..')");
  llvm::SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  llvm::SmallString<256> realDir, realPath;
  if (llvm::sys::fs::real_path(modelDir, realDir) ||
      llvm::sys::fs::real_path(path, realPath))
    return makeError(what + " cannot be found next to the model");
  if (!StringRef(realPath).starts_with(realDir.str().str() + "/"))
    return makeError(what + " leads outside the model's directory through a "
                            "symbolic link");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFile(realPath, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!file)
    return makeError(what + " cannot be read: " + file.getError().message());
  uint64_t fileSize = (*file)->getBufferSize();
  uint64_t size = length.value_or(offset <= fileSize ? fileSize - offset : 0);
  if (offset > fileSize || size > fileSize - offset)
    return makeError(llvm::formatv("{0}: bytes [{1}, {2}) lie past the end of "
                                   "the {3}-byte file",
                                   what, offset, offset + size, fileSize));
  tensor.set_raw_data((*file)->getBufferStart() + offset, size);
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  if (Error e = checkTensorData(tensor))
    return makeError(what + " " + llvm::toString(std::move(e)));
  return Error::success();
}

Error inlineAllExternalData(onnx::ModelProto &model, StringRef modelDir) {
  for (onnx::TensorProto &tensor : *model.mutable_graph()->mutable_initializer())
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
      if (Error e = inlineExternalData(tensor, modelDir))
        return e;
  for (onnx::NodeProto &node : *model.mutable_graph()->mutable_node())
    for (onnx::AttributeProto &attribute : *node.mutable_attribute())
      if (attribute.has_t() &&
          attribute.t().data_location() == onnx::TensorProto::EXTERNAL)
        if (Error e = inlineExternalData(*attribute.mutable_t(), modelDir))
          return e;
  return Error::success();
}

/// Every tensor stored in the model: initializers and Constant node values.
Error checkAllTensorData(const onnx::GraphProto &graph) {
  auto check = [](const onnx::TensorProto &tensor) -> Error {
    if (Error e = checkTensorData(tensor))
      return makeError("tensor '" + tensor.name() + "' " +
                       llvm::toString(std::move(e)));
    return Error::success();
  };
  for (const onnx::TensorProto &tensor : graph.initializer())
    if (Error e = check(tensor))
      return e;
  for (const onnx::NodeProto &node : graph.node())
    for (const onnx::AttributeProto &attribute : node.attribute())
      if (attribute.has_t())
        if (Error e = check(attribute.t()))
          return e;
  return Error::success();
}

/// What ONNX's checker and shape inference would report without the node's
/// context, or would crash on: inputs that nothing defines, non-positive
/// strides or dilations (ONNX's conv/pool shape inference divides by them),
/// and graph outputs that nothing defines (the checker lets them through and
/// the version converter dereferences their missing producer; found by
/// test/Fuzz).
Error checkNodes(const onnx::GraphProto &graph, int64_t opset) {
  llvm::StringSet<> defined;
  for (const onnx::ValueInfoProto &input : graph.input())
    defined.insert(input.name());
  for (const onnx::TensorProto &tensor : graph.initializer())
    defined.insert(tensor.name());
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.contains(input))
        return makeError(describeNode(node, index, opset) + ": input '" + input +
                         "' is not produced by an earlier node, a graph input "
                         "or an initializer");
    for (const onnx::AttributeProto &attribute : node.attribute())
      if ((attribute.name() == "strides" || attribute.name() == "dilations") &&
          llvm::any_of(attribute.ints(), [](int64_t v) { return v <= 0; }))
        return makeError(llvm::formatv(
            "{0}: {1} must be positive, got [{2}]",
            describeNode(node, index, opset), attribute.name(),
            llvm::join(llvm::map_range(attribute.ints(),
                                       [](int64_t v) { return std::to_string(v); }),
                       ", ")));
    for (const std::string &output : node.output())
      defined.insert(output);
  }
  for (const onnx::ValueInfoProto &output : graph.output())
    if (!defined.contains(output.name()))
      return makeError("graph output '" + output.name() +
                       "' is not produced by any node, and is not a graph "
                       "input or an initializer");
  return Error::success();
}

/// What ONNX's shape inference must not be given (found by test/Fuzz): ops
/// the importer has no handler for are refused before their inference runs
/// (nothing could come of them, and each op's inference is code of its
/// own), and a Conv whose weight has more dimensions than its input (ONNX
/// takes the kernel's size from the weight and reads that many of the
/// input's dimensions). Ranks are followed through the ops the importer
/// handles, from the graph inputs, initializers and Constants; a rank that
/// depends on data (Reshape by a computed shape) is left unknown.
/// ONNX's Gemm 6→7 adapter reads dimensions 0 and 1 of A and B without
/// looking: a vector, or a shape shape inference did not find, makes it read
/// past the end (the fuzzer found an allocation of terabytes). Below opset 7
/// every Gemm's A and B must be matrices of known rank before conversion.
Error checkGemmsBeforeConversion(const onnx::GraphProto &graph, int64_t opset) {
  llvm::StringMap<int> ranks;
  auto note = [&](const onnx::ValueInfoProto &value) {
    if (value.type().has_tensor_type() && value.type().tensor_type().has_shape())
      ranks[value.name()] = value.type().tensor_type().shape().dim_size();
  };
  for (const onnx::ValueInfoProto &value : graph.input())
    note(value);
  for (const onnx::ValueInfoProto &value : graph.value_info())
    note(value);
  for (const onnx::TensorProto &tensor : graph.initializer())
    ranks[tensor.name()] = tensor.dims_size();
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (node.op_type() != "Gemm")
      continue;
    for (int input = 0; input < 2; ++input) {
      auto it = input < node.input_size() ? ranks.find(node.input(input)) : ranks.end();
      if (it == ranks.end() || it->second != 2)
        return makeError(llvm::formatv(
            "{0}: input {1} ('{2}') has {3}; converting a Gemm from opset {4} needs "
            "A and B to be matrices of known shape",
            describeNode(node, index, opset), input,
            input < node.input_size() ? node.input(input) : "",
            it == ranks.end() ? std::string("no known shape")
                              : "rank " + std::to_string(it->second),
            opset));
    }
  }
  return Error::success();
}

Error checkBeforeShapeInference(const onnx::GraphProto &graph, int64_t opset) {
  llvm::StringMap<int> ranks;
  for (const onnx::ValueInfoProto &input : graph.input())
    if (input.type().has_tensor_type() && input.type().tensor_type().has_shape())
      ranks[input.name()] = input.type().tensor_type().shape().dim_size();
  llvm::StringMap<const onnx::TensorProto *> constants;
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    ranks[tensor.name()] = tensor.dims_size();
    constants[tensor.name()] = &tensor;
  }
  auto rankOf = [&](const onnx::NodeProto &node, int input) -> std::optional<int> {
    if (input >= node.input_size())
      return std::nullopt;
    auto it = ranks.find(node.input(input));
    return it == ranks.end() ? std::nullopt : std::optional<int>(it->second);
  };
  static const llvm::StringSet<> keepRank = {
      "AveragePool", "BatchNormalization", "Clip", "Concat", "Conv", "Dropout",
      "GlobalAveragePool", "Identity", "LRN", "MaxPool", "Pad", "Relu", "Softmax"};
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    if (!defaultDomain || !allOpHandlers().handlesOpType(node.op_type()))
      return makeError(describeNode(node, index, opset) + ": " +
                       unsupportedOperatorMessage(node));
    const std::string &type = node.op_type();
    std::optional<int> rank = rankOf(node, 0);
    if (type == "Conv") {
      std::optional<int> weightRank = rankOf(node, 1);
      if ((rank && *rank < 3) || (weightRank && *weightRank < 3) ||
          (rank && weightRank && *rank != *weightRank))
        return makeError(llvm::formatv(
            "{0}: its input has rank {1} and its weight rank {2}; a Conv takes "
            "both of one rank, at least 3",
            describeNode(node, index, opset), rank ? std::to_string(*rank) : "?",
            weightRank ? std::to_string(*weightRank) : "?"));
    }
    std::optional<int> result;
    if (keepRank.contains(type)) {
      result = rank;
    } else if (type == "Add" || type == "Mul") {
      std::optional<int> other = rankOf(node, 1);
      if (rank && other)
        result = std::max(*rank, *other);
    } else if (type == "Flatten" || type == "Gemm") {
      result = 2;
    } else if (type == "Reshape" && node.input_size() > 1) {
      auto shape = constants.find(node.input(1));
      if (shape != constants.end() && shape->second->dims_size() == 1)
        result = static_cast<int>(shape->second->dims(0));
    } else if (type == "Constant") {
      for (const onnx::AttributeProto &attribute : node.attribute())
        if (attribute.name() == "value" && attribute.has_t()) {
          result = attribute.t().dims_size();
          if (node.output_size() > 0)
            constants[node.output(0)] = &attribute.t();
        }
    }
    // The rank is the first output's; the others (Dropout's mask, say) are
    // left unknown.
    for (auto [i, output] : llvm::enumerate(node.output())) {
      if (i == 0 && result)
        ranks[output] = *result;
      else
        ranks.erase(output);
    }
  }
  return Error::success();
}

/// Clip before opset 11 takes its bounds as attributes whose defaults are the
/// lowest and largest finite floats; the version converter drops absent ones,
/// which Clip-11 reads as -inf/+inf. Spell the defaults out before converting.
void spellOutClipDefaults(onnx::GraphProto &graph) {
  for (onnx::NodeProto &node : *graph.mutable_node()) {
    if (node.op_type() != "Clip" || !(node.domain().empty() || node.domain() == "ai.onnx"))
      continue;
    for (auto [name, value] : {std::make_pair("min", std::numeric_limits<float>::lowest()),
                               std::make_pair("max", std::numeric_limits<float>::max())}) {
      if (llvm::any_of(node.attribute(), [&, name = name](const onnx::AttributeProto &a) {
            return a.name() == name;
          }))
        continue;
      onnx::AttributeProto &attribute = *node.add_attribute();
      attribute.set_name(name);
      attribute.set_type(onnx::AttributeProto::FLOAT);
      attribute.set_f(value);
    }
  }
}

/// Keeps the file's output declarations for the importer and removes every
/// shape declaration from the graph before ONNX's shape inference.
std::vector<onnx::ValueInfoProto> takeShapeDeclarations(onnx::GraphProto &graph) {
  std::vector<onnx::ValueInfoProto> outputs(graph.output().begin(),
                                            graph.output().end());
  for (onnx::ValueInfoProto &output : *graph.mutable_output())
    if (output.type().has_tensor_type())
      output.mutable_type()->mutable_tensor_type()->clear_shape();
  graph.clear_value_info();
  return outputs;
}

std::optional<int64_t> defaultDomainOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return std::nullopt;
}

void setDefaultDomainOpset(onnx::ModelProto &model, int64_t version) {
  for (onnx::OperatorSetIdProto &opset : *model.mutable_opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      opset.set_version(version);
}

/// Gives every graph input a static shape: from --input-shape, from --batch
/// for a dynamic first dimension, or from the model. Initializers listed as
/// inputs (older exporters do that) are constants, not inputs.
Error resolveInputShapes(onnx::GraphProto &graph, const ModelLoadOptions &options,
                         bool &dynamicBatch) {
  using BatchRule = ModelLoadOptions::BatchRule;
  // The inputs whose first dimension --batch set, and those it did not.
  std::vector<std::string> batched, unbatched;
  llvm::StringSet<> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer())
    initializers.insert(tensor.name());
  llvm::StringSet<> inputNames;
  for (onnx::ValueInfoProto &input : *graph.mutable_input()) {
    if (initializers.contains(input.name()))
      continue;
    inputNames.insert(input.name());
    std::string what = "input '" + input.name() + "'";
    if (!input.type().has_tensor_type())
      return makeError(what + " is not a tensor");
    onnx::TypeProto_Tensor &tensorType = *input.mutable_type()->mutable_tensor_type();
    if (!isSupportedDtype(tensorType.elem_type()))
      return makeError(llvm::formatv(
          "{0} has dtype {1}; Incept supports inputs of the dtypes of its ABI "
          "({2}; the integer ones for the ops defined on them)",
          what,
          onnx::TensorProto::DataType_Name(
              static_cast<onnx::TensorProto::DataType>(tensorType.elem_type())),
          listDtypes()));
    onnx::TensorShapeProto &shape = *tensorType.mutable_shape();
    auto given = options.inputShapes.find(input.name());
    if (given != options.inputShapes.end()) {
      if (tensorType.has_shape() &&
          static_cast<size_t>(shape.dim_size()) != given->second.size())
        return makeError(llvm::formatv("--input-shape gives {0} rank {1} but "
                                       "the model gives it rank {2}",
                                       what, given->second.size(), shape.dim_size()));
      shape.clear_dim();
      for (int64_t size : given->second)
        shape.add_dim()->set_dim_value(size);
    }
    if (!tensorType.has_shape())
      return makeError(what + " has no shape in the model; give one with "
                              "--input-shape " + input.name() + "=AxBxCxD");
    for (int d = 0; d < shape.dim_size(); ++d) {
      onnx::TensorShapeProto_Dimension &dim = *shape.mutable_dim(d);
      bool fixed = dim.has_dim_value() && dim.dim_value() > 0;
      if (d == 0 && (given != options.inputShapes.end() ||
                     (fixed && options.batchRule != BatchRule::Fixed))) {
        unbatched.push_back(input.name());
        if (fixed)
          continue;
      }
      if (d == 0 && options.batch && given == options.inputShapes.end()) {
        batched.push_back(input.name());
        if (fixed && dim.dim_value() != *options.batch)
          return makeError(llvm::formatv(
              "--batch {0} contradicts {1}, whose first dimension is fixed to "
              "{2}",
              *options.batch, what, dim.dim_value()));
        dim.set_dim_value(*options.batch);
        continue;
      }
      if (fixed)
        continue;
      if (dim.has_dim_value() && dim.dim_value() == 0)
        return makeError(llvm::formatv(
            "{0} has an empty dimension {1} (size 0); tensors without "
            "elements are not supported", what, d));
      std::string name = dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : "";
      return makeError(llvm::formatv(
          "{0} has a dynamic dimension {1}{2}; resolve it with {3}--input-shape "
          "{4}=AxBxCxD",
          what, d, name, d == 0 ? "--batch N or " : "", input.name()));
    }
  }
  for (const auto &given : options.inputShapes)
    if (!inputNames.contains(given.getKey()))
      return makeError("--input-shape names '" + given.getKey() +
                       "', which is not an input of the model");
  dynamicBatch = options.batchRule == BatchRule::Dynamic ||
                 (options.batchRule == BatchRule::IfDynamic && !batched.empty());
  if (dynamicBatch && !unbatched.empty())
    return makeError(llvm::formatv(
        "{0}input '{1}' has a fixed first dimension{2}, so the library's batch "
        "cannot vary; compile for one batch with --batch N",
        options.batchRule == BatchRule::Dynamic ? "--batch dynamic: " : "",
        unbatched.front(),
        batched.empty() ? "" : " (and '" + batched.front() + "' a dynamic one)"));
  return Error::success();
}

/// With a dynamic batch, every output must have the batch as its first
/// dimension: one that the model declares fixed does not follow the inputs.
Error checkBatchedOutputs(llvm::ArrayRef<onnx::ValueInfoProto> outputs) {
  for (const onnx::ValueInfoProto &output : outputs) {
    if (!output.type().has_tensor_type() ||
        !output.type().tensor_type().has_shape())
      continue;
    const onnx::TensorShapeProto &shape = output.type().tensor_type().shape();
    if (shape.dim_size() == 0 || (shape.dim(0).has_dim_value() &&
                                  shape.dim(0).dim_value() > 0))
      return makeError(llvm::formatv(
          "--batch dynamic: output '{0}' has {1} in the model, so it does not "
          "follow the inputs' batch; compile for one batch with --batch N",
          output.name(),
          shape.dim_size() == 0
              ? std::string("no dimensions")
              : "a fixed first dimension (" + std::to_string(shape.dim(0).dim_value()) +
                    ")"));
  }
  return Error::success();
}

/// Turns each bound graph input into an initializer holding its file's tensor.
Error bindInputs(onnx::GraphProto &graph, const ModelLoadOptions &options) {
  for (const auto &binding : options.boundInputs) {
    StringRef name = binding.getKey();
    auto *inputs = graph.mutable_input();
    auto input = llvm::find_if(*inputs, [&](const onnx::ValueInfoProto &info) {
      return info.name() == name;
    });
    if (input == inputs->end())
      return makeError("--bind-input names '" + name +
                       "', which is not an input of the model");
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
        llvm::MemoryBuffer::getFile(binding.getValue(), /*IsText=*/false);
    if (!file)
      return makeError("cannot read '" + binding.getValue() +
                       "' for --bind-input " + name + ": " +
                       file.getError().message());
    // Protobuf's sizes are ints: a larger file would wrap.
    if ((*file)->getBufferSize() > static_cast<size_t>(INT_MAX))
      return makeError("'" + binding.getValue() + "' is over 2 GB, more than a "
                       "TensorProto holds (--bind-input " + name + ")");
    onnx::TensorProto tensor;
    if (!tensor.ParseFromArray((*file)->getBufferStart(),
                               static_cast<int>((*file)->getBufferSize())))
      return makeError("'" + binding.getValue() +
                       "' is not an ONNX TensorProto (--bind-input " + name + ")");
    tensor.set_name(name.str());
    *graph.add_initializer() = std::move(tensor);
    inputs->erase(input);
  }
  return Error::success();
}

/// Keeps only the requested graph outputs, in the order given.
Error selectOutputs(onnx::GraphProto &graph, const ModelLoadOptions &options) {
  if (options.keptOutputs.empty())
    return Error::success();
  std::vector<onnx::ValueInfoProto> kept;
  for (const std::string &name : options.keptOutputs) {
    auto output = llvm::find_if(graph.output(), [&](const onnx::ValueInfoProto &info) {
      return info.name() == name;
    });
    if (output == graph.output().end()) {
      std::vector<std::string> names;
      for (const onnx::ValueInfoProto &info : graph.output())
        names.push_back("'" + info.name() + "'");
      return makeError("--output names '" + name +
                       "', which is not an output of the model (it has " +
                       llvm::join(names, ", ") + ")");
    }
    kept.push_back(*output);
  }
  graph.clear_output();
  for (onnx::ValueInfoProto &output : kept)
    *graph.add_output() = std::move(output);
  return Error::success();
}

} // namespace

std::string nodeName(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? "#" + std::to_string(index) : node.name();
}

std::string describeNode(const onnx::NodeProto &node, int index, int64_t opset) {
  std::string name = node.name().empty() ? nodeName(node, index)
                                         : "'" + node.name() + "'";
  return "node " + name + " (" + node.op_type() + ", opset " +
         std::to_string(opset) + ")";
}

std::optional<llvm::SmallVector<int64_t>> parseShape(StringRef text) {
  llvm::SmallVector<int64_t> shape;
  llvm::SmallVector<StringRef> parts;
  text.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t size;
    if (part.getAsInteger(10, size) || size <= 0)
      return std::nullopt;
    shape.push_back(size);
  }
  return shape;
}

ModelFormat modelFormatOf(StringRef path) {
  StringRef extension = llvm::sys::path::extension(path);
  return extension == ".onnxtxt" || extension == ".pbtxt" || extension == ".txt"
             ? ModelFormat::Text
             : ModelFormat::Binary;
}

llvm::Expected<LoadedModel> loadModel(StringRef path,
                                      const ModelLoadOptions &options) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                  /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError("cannot read the model: " + buffer.getError().message());
  llvm::SmallString<256> modelDir(path);
  llvm::sys::path::remove_filename(modelDir);
  if (modelDir.empty())
    modelDir = ".";
  return loadModelFromBytes((*buffer)->getBuffer(), modelFormatOf(path), modelDir,
                            options);
}

llvm::Expected<LoadedModel> loadModelFromBytes(StringRef bytes, ModelFormat format,
                                               StringRef modelDir,
                                               const ModelLoadOptions &options) {
  LoadedModel loaded;
  loaded.proto = std::make_unique<onnx::ModelProto>();
  onnx::ModelProto &model = *loaded.proto;
  if (Error e = parseModel(bytes, format, model))
    return std::move(e);
  if (Error e = inlineAllExternalData(model, modelDir))
    return std::move(e);
  if (Error e = bindInputs(*model.mutable_graph(), options))
    return std::move(e);
  if (Error e = selectOutputs(*model.mutable_graph(), options))
    return std::move(e);

  std::optional<int64_t> opset = defaultDomainOpset(model);
  if (!opset)
    return makeError("the model imports no opset of the default ONNX domain");
  loaded.originalOpset = *opset;
  if (*opset > newestKnownOpset())
    return makeError(llvm::formatv("the model uses opset {0}; this build "
                                   "understands opsets up to {1}",
                                   *opset, newestKnownOpset()));
  if (Error e = checkAllTensorData(model.graph()))
    return std::move(e);
  if (Error e = checkNodes(model.graph(), *opset))
    return std::move(e);
  if (Error e = checkBeforeShapeInference(model.graph(), *opset))
    return std::move(e);
  if (Error e = checkModel(model))
    return std::move(e);
  if (Error e = resolveInputShapes(*model.mutable_graph(), options, loaded.dynamicBatch))
    return std::move(e);
  loaded.declaredOutputs = takeShapeDeclarations(*model.mutable_graph());
  if (loaded.dynamicBatch)
    if (Error e = checkBatchedOutputs(loaded.declaredOutputs))
      return std::move(e);
  // The version converter's adapters need the shapes (Softmax 12->13 does).
  if (Error e = inferShapes(model))
    return std::move(e);
  if (*opset != kImportOpset && convertsByRenumbering(model.graph(), *opset)) {
    setDefaultDomainOpset(model, kImportOpset);
  } else if (*opset != kImportOpset) {
    if (*opset < 11)
      spellOutClipDefaults(*model.mutable_graph());
    if (*opset < 7)
      if (Error e = checkGemmsBeforeConversion(model.graph(), *opset))
        return std::move(e);
    if (Error e = convertOpset(model, kImportOpset))
      return makeError(llvm::formatv("cannot convert the model from opset {0} "
                                     "to {1}: {2}",
                                     *opset, kImportOpset,
                                     llvm::toString(std::move(e))));
    // The converter leaves the opset_import of the input in some versions.
    setDefaultDomainOpset(model, kImportOpset);
  }
  return std::move(loaded);
}

} // namespace incept
