//===- TensorFile.cpp - choose a tensor format by file extension ----------===//

#include "TensorFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <cstring>

using namespace llvm;

namespace incept {

namespace {

enum class FileFormat { Npy, TensorProto, Unknown };

FileFormat formatOf(StringRef path) {
  StringRef extension = sys::path::extension(path);
  if (extension.equals_insensitive(".npy"))
    return FileFormat::Npy;
  if (extension.equals_insensitive(".pb"))
    return FileFormat::TensorProto;
  return FileFormat::Unknown;
}

Error unknownFormat(StringRef path) {
  return createStringError(
      formatv("{0}: unknown tensor file format: the name must end in .npy "
              "(NumPy) or .pb (ONNX TensorProto)",
              path)
          .str());
}

/// Prefixes an error from a format parser with the file it came from.
Error inFile(StringRef path, Error error) {
  return createStringError(path + ": " + toString(std::move(error)));
}

} // namespace

int64_t Tensor::numElements() const {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

StringRef elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::Float32:
    return "float32";
  case ElementType::Float64:
    return "float64";
  case ElementType::Int8:
    return "int8";
  case ElementType::UInt8:
    return "uint8";
  case ElementType::Int32:
    return "int32";
  case ElementType::Int64:
    return "int64";
  case ElementType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown element type");
}

bool isIntegerType(ElementType type) {
  return type != ElementType::Float32 && type != ElementType::Float64;
}

size_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::Int8:
  case ElementType::UInt8:
  case ElementType::Bool:
    return 1;
  case ElementType::Float32:
  case ElementType::Int32:
    return 4;
  case ElementType::Float64:
  case ElementType::Int64:
    return 8;
  }
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> elementTypeOfDtype(int32_t dtype) {
  switch (dtype) {
  case 1:
    return ElementType::Float32;
  case 2:
    return ElementType::UInt8;
  case 3:
    return ElementType::Int8;
  case 6:
    return ElementType::Int32;
  case 7:
    return ElementType::Int64;
  case 9:
    return ElementType::Bool;
  case 11:
    return ElementType::Float64;
  default:
    return std::nullopt;
  }
}

void Tensor::toBuffer(void *buffer) const {
  int64_t n = numElements();
  auto *bytes = static_cast<char *>(buffer);
  for (int64_t i = 0; i < n; ++i) {
    switch (elementType) {
    case ElementType::Float32:
      std::memcpy(bytes + 4 * i, &float32[i], 4);
      break;
    case ElementType::Float64:
      std::memcpy(bytes + 8 * i, &float64[i], 8);
      break;
    case ElementType::Int8:
    case ElementType::UInt8:
    case ElementType::Bool:
      bytes[i] = static_cast<char>(integers[i]);
      break;
    case ElementType::Int32: {
      int32_t v = static_cast<int32_t>(integers[i]);
      std::memcpy(bytes + 4 * i, &v, 4);
      break;
    }
    case ElementType::Int64:
      std::memcpy(bytes + 8 * i, &integers[i], 8);
      break;
    }
  }
}

void Tensor::fromBuffer(const void *buffer) {
  int64_t n = numElements();
  const auto *bytes = static_cast<const char *>(buffer);
  float32.clear();
  float64.clear();
  integers.clear();
  for (int64_t i = 0; i < n; ++i) {
    switch (elementType) {
    case ElementType::Float32: {
      float v;
      std::memcpy(&v, bytes + 4 * i, 4);
      float32.push_back(v);
      break;
    }
    case ElementType::Float64: {
      double v;
      std::memcpy(&v, bytes + 8 * i, 8);
      float64.push_back(v);
      break;
    }
    case ElementType::Int8:
      integers.push_back(static_cast<int8_t>(bytes[i]));
      break;
    case ElementType::UInt8:
      integers.push_back(static_cast<uint8_t>(bytes[i]));
      break;
    case ElementType::Bool:
      // Any non-zero byte reads as true, so a compare sees 0 or 1.
      integers.push_back(bytes[i] != 0);
      break;
    case ElementType::Int32: {
      int32_t v;
      std::memcpy(&v, bytes + 4 * i, 4);
      integers.push_back(v);
      break;
    }
    case ElementType::Int64: {
      int64_t v;
      std::memcpy(&v, bytes + 8 * i, 8);
      integers.push_back(v);
      break;
    }
    }
  }
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  raw_string_ostream os(text);
  os << "[";
  interleaveComma(shape, os);
  os << "]";
  return text;
}

Expected<int64_t> checkedElementCount(ArrayRef<int64_t> shape,
                                      size_t elementSize) {
  int64_t count = 1;
  for (int64_t size : shape) {
    if (size < 0)
      return createStringError(
          formatv("shape {0} has a negative size", formatShape(shape)).str());
    if (MulOverflow(count, size, count))
      return createStringError(
          formatv("shape {0} has too many elements", formatShape(shape)).str());
  }
  int64_t bytes;
  if (MulOverflow(count, static_cast<int64_t>(elementSize), bytes) ||
      static_cast<uint64_t>(bytes) > SIZE_MAX / 2)
    return createStringError(
        formatv("shape {0} has too many elements", formatShape(shape)).str());
  return count;
}

Error checkTensorFileName(StringRef path) {
  if (formatOf(path) == FileFormat::Unknown)
    return unknownFormat(path);
  return Error::success();
}

Expected<Tensor> readTensorFile(StringRef path) {
  FileFormat format = formatOf(path);
  if (format == FileFormat::Unknown)
    return unknownFormat(path);
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(formatv("{0}: cannot read the file: {1}", path,
                                     buffer.getError().message())
                                 .str());
  Expected<Tensor> tensor = format == FileFormat::Npy
                                ? parseNpy((*buffer)->getBuffer())
                                : parseTensorProto((*buffer)->getBuffer());
  if (!tensor)
    return inFile(path, tensor.takeError());
  return tensor;
}

Error writeTensorFile(StringRef path, StringRef name, const Tensor &tensor) {
  FileFormat format = formatOf(path);
  if (format == FileFormat::Unknown)
    return unknownFormat(path);
  std::string bytes = format == FileFormat::Npy
                          ? serializeNpy(tensor)
                          : serializeTensorProto(tensor, name);
  Error error = writeToOutput(path, [&](raw_ostream &os) {
    os << bytes;
    return Error::success();
  });
  if (!error)
    return Error::success();
  // writeToOutput's message starts with the quoted path; ours names it first.
  std::string reason = toString(std::move(error));
  StringRef shortReason(reason);
  shortReason.consume_front(("'" + path + "': ").str());
  return createStringError(
      formatv("{0}: cannot write the file: {1}", path, shortReason).str());
}

} // namespace incept
