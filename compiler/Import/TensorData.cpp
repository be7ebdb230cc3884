//===- TensorData.cpp - read the contents of ONNX TensorProtos ------------===//
//
// A TensorProto keeps its elements either as little-endian raw_data or in the
// repeated field of its dtype; every reader here accepts both and checks the
// element count against the shape, since a truncated or hand-edited file can
// disagree with itself.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/GraphImporter.h"
#include "compiler/Support/ElementCount.h"
#include "dialects/Incept/ElementTypes.h"

#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;

namespace incept {

namespace {

/// The number of elements `tensor`'s shape needs. The loader has checked it
/// (checkTensorData), but the importer does not rely on that.
FailureOr<int64_t> shapeElements(const onnx::TensorProto &tensor, Location loc) {
  std::optional<int64_t> count = elementCount(tensor.dims());
  if (!count)
    return emitError(loc) << "tensor '" << tensor.name() << "' has a shape with "
                          << "a negative size or more elements than a 64-bit "
                          << "count holds";
  return *count;
}

LogicalResult checkCount(const onnx::TensorProto &tensor, int64_t stored,
                         Location loc) {
  FailureOr<int64_t> needed = shapeElements(tensor, loc);
  if (failed(needed))
    return failure();
  if (stored == *needed)
    return success();
  return emitError(loc) << "tensor '" << tensor.name() << "' holds " << stored
                        << " elements but its shape needs " << *needed;
}

/// Checks that `tensor`'s raw data holds its shape's elements of `width`
/// bytes each.
LogicalResult checkRawSize(const onnx::TensorProto &tensor, size_t width,
                           Location loc) {
  FailureOr<int64_t> count = shapeElements(tensor, loc);
  if (failed(count))
    return failure();
  std::optional<int64_t> needed = llvm::checkedMul(*count, static_cast<int64_t>(width));
  size_t size = tensor.raw_data().size();
  if (needed && size == static_cast<uint64_t>(*needed))
    return success();
  return emitError(loc) << "tensor '" << tensor.name() << "' has " << size
                        << " bytes of raw data but its shape needs "
                        << (needed ? std::to_string(*needed) : "more than 2^63");
}

/// Decodes raw_data, where each element is a `Stored`, or converts the
/// repeated field, into T.
template <typename T, typename Stored, typename Field>
FailureOr<SmallVector<T>> readElements(const onnx::TensorProto &tensor,
                                       const google::protobuf::RepeatedField<Field> &field,
                                       Location loc) {
  SmallVector<T> values;
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() % sizeof(Stored) != 0)
      return emitError(loc) << "tensor '" << tensor.name() << "' has "
                            << raw.size() << " bytes of raw data, not a "
                            << "whole number of " << dtypeName(tensor.data_type())
                            << " elements";
    if (failed(checkCount(tensor, raw.size() / sizeof(Stored), loc)))
      return failure();
    values.resize(raw.size() / sizeof(Stored));
    for (size_t i = 0; i < values.size(); ++i) {
      Stored element;
      std::memcpy(&element, raw.data() + i * sizeof(Stored), sizeof(Stored));
      values[i] = static_cast<T>(element);
    }
    return values;
  }
  if (failed(checkCount(tensor, field.size(), loc)))
    return failure();
  values.assign(field.begin(), field.end());
  return values;
}

/// Appends `value`'s low `bytes` bytes, little-endian.
void appendLittleEndian(std::vector<char> &out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

} // namespace

std::string dtypeName(int32_t dtype) {
  if (!onnx::TensorProto::DataType_IsValid(dtype))
    return std::to_string(dtype);
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(dtype));
}

Type elementTypeOf(int32_t dtype, MLIRContext *context) {
  const DtypeInfo *info = findDtype(dtype);
  return info ? incept::elementTypeOf(*info, context) : Type();
}

bool isSupportedDtype(int32_t dtype) { return findDtype(dtype) != nullptr; }

std::string dtypeNameOf(Type type) {
  if (const DtypeInfo *info = dtypeOf(type))
    return info->onnxName.str();
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

FailureOr<std::vector<char>> elementBytesOf(const onnx::TensorProto &tensor,
                                            Location loc) {
  const DtypeInfo *dtype = findDtype(tensor.data_type());
  if (!dtype)
    return emitError(loc) << "tensor '" << tensor.name() << "' has dtype "
                          << dtypeName(tensor.data_type())
                          << ", which Incept does not compute on";
  size_t width = dtype->bytes;
  std::vector<char> bytes;
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (failed(checkRawSize(tensor, width, loc)))
      return failure();
    bytes.assign(raw.begin(), raw.end());
    return bytes;
  }
  if (tensor.data_type() == onnx::TensorProto::FLOAT) {
    FailureOr<ArrayRef<char>> raw = float32Bytes(tensor, loc);
    if (failed(raw))
      return failure();
    bytes.assign(raw->begin(), raw->end());
    return bytes;
  }
  // Integers and bools are kept one per element in int32_data or int64_data.
  FailureOr<SmallVector<int64_t>> values = readInts(tensor, loc);
  if (failed(values))
    return failure();
  for (int64_t value : *values)
    appendLittleEndian(bytes, static_cast<uint64_t>(value), width);
  return bytes;
}

SmallVector<int64_t> shapeOf(const onnx::TensorProto &tensor) {
  return SmallVector<int64_t>(tensor.dims().begin(), tensor.dims().end());
}

FailureOr<ArrayRef<char>> float32Bytes(const onnx::TensorProto &tensor,
                                       Location loc) {
  if (tensor.data_type() != onnx::TensorProto::FLOAT)
    return emitError(loc) << "tensor '" << tensor.name() << "' has dtype "
                          << dtypeName(tensor.data_type())
                          << "; only float32 tensors are computed";
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (failed(checkRawSize(tensor, sizeof(float), loc)))
      return failure();
    return ArrayRef<char>(raw.data(), raw.size());
  }
  if (failed(checkCount(tensor, tensor.float_data_size(), loc)))
    return failure();
  return ArrayRef<char>(reinterpret_cast<const char *>(tensor.float_data().data()),
                        tensor.float_data_size() * sizeof(float));
}

FailureOr<SmallVector<float>> readFloats(const onnx::TensorProto &tensor,
                                         Location loc) {
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return readElements<float, float>(tensor, tensor.float_data(), loc);
  case onnx::TensorProto::DOUBLE:
    return readElements<float, double>(tensor, tensor.double_data(), loc);
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT64: {
    // Integer bounds and pad values (Clip and Pad on integer tensors).
    FailureOr<SmallVector<int64_t>> ints = readInts(tensor, loc);
    if (failed(ints))
      return failure();
    return SmallVector<float>(ints->begin(), ints->end());
  }
  default:
    return emitError(loc) << "tensor '" << tensor.name() << "' has dtype "
                          << dtypeName(tensor.data_type())
                          << " where a floating-point constant is needed";
  }
}

FailureOr<SmallVector<int64_t>> readInts(const onnx::TensorProto &tensor,
                                         Location loc) {
  switch (tensor.data_type()) {
  case onnx::TensorProto::INT64:
    return readElements<int64_t, int64_t>(tensor, tensor.int64_data(), loc);
  case onnx::TensorProto::INT32:
    return readElements<int64_t, int32_t>(tensor, tensor.int32_data(), loc);
  case onnx::TensorProto::INT8:
    return readElements<int64_t, int8_t>(tensor, tensor.int32_data(), loc);
  case onnx::TensorProto::UINT8:
    return readElements<int64_t, uint8_t>(tensor, tensor.int32_data(), loc);
  case onnx::TensorProto::BOOL:
    // One byte each in raw_data; one int32 each in the typed field.
    return readElements<int64_t, uint8_t>(tensor, tensor.int32_data(), loc);
  default:
    return emitError(loc) << "tensor '" << tensor.name() << "' has dtype "
                          << dtypeName(tensor.data_type())
                          << " where an integer constant is needed";
  }
}

} // namespace incept
