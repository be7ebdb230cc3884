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

#include <climits>

using namespace llvm;

namespace incept {

namespace {

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
  size_t elementSize;
  if (proto.data_type() == onnx::TensorProto::FLOAT) {
    tensor.elementType = ElementType::Float32;
    elementSize = 4;
  } else if (proto.data_type() == onnx::TensorProto::DOUBLE) {
    tensor.elementType = ElementType::Float64;
    elementSize = 8;
  } else {
    return createStringError(
        formatv("TensorProto dtype {0} is not supported: incept-run reads "
                "FLOAT (float32) and DOUBLE (float64) tensors",
                dtypeName(proto.data_type()))
            .str());
  }
  Expected<int64_t> count = checkedElementCount(tensor.shape, elementSize);
  if (!count)
    return count.takeError();

  if (tensor.elementType == ElementType::Float32) {
    Expected<std::vector<float>> values = readElements<float, uint32_t>(
        proto, *count, proto.float_data(), "float_data");
    if (!values)
      return values.takeError();
    tensor.float32 = std::move(*values);
  } else {
    Expected<std::vector<double>> values = readElements<double, uint64_t>(
        proto, *count, proto.double_data(), "double_data");
    if (!values)
      return values.takeError();
    tensor.float64 = std::move(*values);
  }
  return tensor;
}

std::string serializeTensorProto(const Tensor &tensor, StringRef name) {
  onnx::TensorProto proto;
  proto.set_name(name.str());
  for (int64_t size : tensor.shape)
    proto.add_dims(size);
  std::string raw;
  if (tensor.elementType == ElementType::Float32) {
    proto.set_data_type(onnx::TensorProto::FLOAT);
    raw.resize(tensor.float32.size() * 4);
    for (size_t i = 0; i < tensor.float32.size(); ++i)
      support::endian::write32le(raw.data() + 4 * i,
                                 llvm::bit_cast<uint32_t>(tensor.float32[i]));
  } else {
    proto.set_data_type(onnx::TensorProto::DOUBLE);
    raw.resize(tensor.float64.size() * 8);
    for (size_t i = 0; i < tensor.float64.size(); ++i)
      support::endian::write64le(raw.data() + 8 * i,
                                 llvm::bit_cast<uint64_t>(tensor.float64[i]));
  }
  proto.set_raw_data(std::move(raw));
  return proto.SerializeAsString();
}

} // namespace incept
