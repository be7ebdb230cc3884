//===- TensorProtoFile.cpp - ONNX TensorProto .pb files -------------------===//
//
// The format of the ONNX model zoo's test data (input_0.pb, output_0.pb):
// one serialized onnx.TensorProto. Writers put the elements either in
// raw_data (little-endian bytes) or in the repeated field of the dtype; both
// are read. Parsing uses protobuf's ParseFromArray, which reports failure by
// its result, so this file needs no exceptions.
//
//===----------------------------------------------------------------------===//

#include "TensorFile.h"

#include "onnx/onnx_pb.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include "llvm/ADT/STLExtras.h"

#include <climits>
#include <iterator>

using namespace llvm;

namespace incept {

namespace {

/// ONNX's name of a TensorProto dtype, or its number.
std::string dtypeName(int32_t dtype) {
  if (!onnx::TensorProto::DataType_IsValid(dtype))
    return std::to_string(dtype);
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(dtype));
}

/// Decodes the elements from raw_data, or copies the repeated field.
template <typename T, typename Bits, typename Field>
Expected<std::vector<T>>
readElements(const onnx::TensorProto &proto, int64_t count,
             const google::protobuf::RepeatedField<Field> &field,
             StringRef fieldName) {
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != static_cast<uint64_t>(count) * sizeof(T))
      return createStringError(
          formatv("{0} TensorProto: raw_data holds {1} bytes, but shape {2} "
                  "of {3} needs {4}",
                  raw.size() < count * sizeof(T) ? "truncated" : "malformed",
                  raw.size(),
                  formatShape(SmallVector<int64_t>(proto.dims().begin(),
                                                   proto.dims().end())),
                  dtypeName(proto.data_type()), count * sizeof(T))
              .str());
    std::vector<T> values(count);
    for (int64_t i = 0; i < count; ++i)
      values[i] = llvm::bit_cast<T>(
          support::endian::read<Bits, llvm::endianness::little>(raw.data() +
                                                                i * sizeof(T)));
    return values;
  }
  if (field.size() != count)
    return createStringError(
        formatv("malformed TensorProto: {0} holds {1} elements, but shape {2} "
                "needs {3}",
                fieldName, field.size(),
                formatShape(SmallVector<int64_t>(proto.dims().begin(),
                                                 proto.dims().end())),
                count)
            .str());
  return std::vector<T>(field.begin(), field.end());
}

} // namespace

Expected<Tensor> parseTensorProto(StringRef bytes) {
  onnx::TensorProto proto;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return createStringError("not a valid ONNX TensorProto: the protobuf does "
                             "not parse (truncated or corrupt file?)");
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return createStringError(
        "TensorProto with external data is not supported: store the "
        "elements in the file");
  if (proto.has_segment())
    return createStringError("segmented TensorProto is not supported");

  Tensor tensor;
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  std::optional<ElementType> known = elementTypeOfDtype(proto.data_type());
  if (!known)
    return createStringError(
        formatv("TensorProto dtype {0} is not supported: incept-run reads "
                "{1} tensors",
                dtypeName(proto.data_type()), listElementTypes(/*onnxNames=*/true))
            .str());
  tensor.elementType = *known;
  size_t size = elementSize(tensor.elementType);
  Expected<int64_t> count = checkedElementCount(tensor.shape, size);
  if (!count)
    return count.takeError();

  if (tensor.elementType == ElementType::Float32) {
    Expected<std::vector<float>> values = readElements<float, uint32_t>(
        proto, *count, proto.float_data(), "float_data");
    if (!values)
      return values.takeError();
    tensor.float32 = std::move(*values);
    return tensor;
  }
  if (tensor.elementType == ElementType::Float64) {
    Expected<std::vector<double>> values = readElements<double, uint64_t>(
        proto, *count, proto.double_data(), "double_data");
    if (!values)
      return values.takeError();
    tensor.float64 = std::move(*values);
    return tensor;
  }
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != static_cast<uint64_t>(*count) * size)
      return createStringError(
          formatv("{0} TensorProto: raw_data holds {1} bytes, but shape {2} "
                  "of {3} needs {4}",
                  raw.size() < *count * size ? "truncated" : "malformed",
                  raw.size(), formatShape(tensor.shape),
                  dtypeName(proto.data_type()), *count * size)
              .str());
    tensor.fromBuffer(raw.data());
    return tensor;
  }
  // Integers and bools without raw_data: int64_data for INT64, int32_data
  // (one element each) for the others.
  bool wide = tensor.elementType == ElementType::Int64;
  int64_t stored = wide ? proto.int64_data_size() : proto.int32_data_size();
  if (stored != *count)
    return createStringError(
        formatv("malformed TensorProto: {0} holds {1} elements, but shape {2} "
                "needs {3}",
                wide ? "int64_data" : "int32_data", stored,
                formatShape(tensor.shape), *count)
            .str());
  if (wide) {
    tensor.integers.assign(proto.int64_data().begin(), proto.int64_data().end());
  } else {
    for (int32_t value : proto.int32_data())
      tensor.integers.push_back(
          tensor.elementType == ElementType::Int8    ? static_cast<int8_t>(value)
          : tensor.elementType == ElementType::UInt8 ? static_cast<uint8_t>(value)
          : tensor.elementType == ElementType::Bool  ? int64_t(value != 0)
                                                     : value);
  }
  return tensor;
}

std::string serializeTensorProto(const Tensor &tensor, StringRef name) {
  onnx::TensorProto proto;
  proto.set_name(name.str());
  for (int64_t size : tensor.shape)
    proto.add_dims(size);
  proto.set_data_type(dtypeOfElementType(tensor.elementType));
  // Little-endian, as the host is.
  std::string raw(tensor.numElements() * elementSize(tensor.elementType), '\0');
  tensor.toBuffer(raw.data());
  proto.set_raw_data(std::move(raw));
  return proto.SerializeAsString();
}

} // namespace incept
