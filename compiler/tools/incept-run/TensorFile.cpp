//===- TensorFile.cpp - choose a tensor format by file extension ----------===//

#include "TensorFile.h"

#include "compiler/Support/ElementCount.h"
#include "incept/incept.h"

#include "llvm/ADT/STLExtras.h"
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

namespace {
/// The ABI's dtypes (compiler/Support/Dtypes.h) as incept-run's element
/// types, by their NumPy names, and float64 (ONNX's DOUBLE, 11), which is no
/// ABI dtype but which references and .pb files use.
constexpr std::pair<ElementType, llvm::StringLiteral> kElementNames[] = {
    {ElementType::Float32, "float32"}, {ElementType::Int8, "int8"},
    {ElementType::UInt8, "uint8"},     {ElementType::Int32, "int32"},
    {ElementType::Int64, "int64"},     {ElementType::Bool, "bool"},
};
constexpr DtypeInfo kFloat64 = {11, "", "float64", "double", 8, "<f8", "DOUBLE", "f64"};

} // namespace

const DtypeInfo &dtypeInfoOf(ElementType type) {
  if (type == ElementType::Float64)
    return kFloat64;
  for (const auto &[known, name] : kElementNames)
    if (known == type)
      for (const DtypeInfo &info : kDtypes)
        if (info.name == name)
          return info;
  llvm_unreachable("an element type without a dtype");
}

StringRef elementTypeName(ElementType type) { return dtypeInfoOf(type).name; }

bool isIntegerType(ElementType type) {
  return type != ElementType::Float32 && type != ElementType::Float64;
}

size_t elementSize(ElementType type) { return dtypeInfoOf(type).bytes; }

std::optional<ElementType> elementTypeOfDtype(int32_t dtype) {
  if (dtype == kFloat64.number)
    return ElementType::Float64;
  if (const DtypeInfo *info = findDtype(dtype))
    for (const auto &[type, name] : kElementNames)
      if (info->name == name)
        return type;
  return std::nullopt;
}

int32_t dtypeOfElementType(ElementType type) { return dtypeInfoOf(type).number; }

std::string listElementTypes(bool onnxNames) {
  return listDtypes(onnxNames) + " and " +
         (onnxNames ? kFloat64.onnxName : kFloat64.name).str();
}

namespace {
/// Writes the first `n` of `values` as `Stored` elements.
template <typename Stored, typename Element>
void storeAs(const std::vector<Element> &values, int64_t n, char *bytes) {
  for (int64_t i = 0; i < n; ++i) {
    Stored v = static_cast<Stored>(values[i]);
    std::memcpy(bytes + sizeof(Stored) * i, &v, sizeof(Stored));
  }
}

/// Appends `n` elements stored as `Stored` to `values`.
template <typename Stored, typename Element>
void loadAs(const char *bytes, int64_t n, std::vector<Element> &values) {
  for (int64_t i = 0; i < n; ++i) {
    Stored v;
    std::memcpy(&v, bytes + sizeof(Stored) * i, sizeof(Stored));
    values.push_back(static_cast<Element>(v));
  }
}
} // namespace

void Tensor::toBuffer(void *buffer) const {
  int64_t n = numElements();
  auto *bytes = static_cast<char *>(buffer);
  switch (elementType) {
  case ElementType::Float32:
    return storeAs<float>(float32, n, bytes);
  case ElementType::Float64:
    return storeAs<double>(float64, n, bytes);
  case ElementType::Int8:
  case ElementType::UInt8:
  case ElementType::Bool:
    return storeAs<uint8_t>(integers, n, bytes);
  case ElementType::Int32:
    return storeAs<int32_t>(integers, n, bytes);
  case ElementType::Int64:
    return storeAs<int64_t>(integers, n, bytes);
  }
}

void Tensor::fromBuffer(const void *buffer) {
  int64_t n = numElements();
  const auto *bytes = static_cast<const char *>(buffer);
  float32.clear();
  float64.clear();
  integers.clear();
  switch (elementType) {
  case ElementType::Float32:
    return loadAs<float>(bytes, n, float32);
  case ElementType::Float64:
    return loadAs<double>(bytes, n, float64);
  case ElementType::Int8:
    return loadAs<int8_t>(bytes, n, integers);
  case ElementType::UInt8:
    return loadAs<uint8_t>(bytes, n, integers);
  case ElementType::Bool:
    // Any non-zero byte reads as true, so a compare sees 0 or 1.
    loadAs<uint8_t>(bytes, n, integers);
    for (int64_t &value : integers)
      value = value != 0;
    return;
  case ElementType::Int32:
    return loadAs<int32_t>(bytes, n, integers);
  case ElementType::Int64:
    return loadAs<int64_t>(bytes, n, integers);
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
  if (llvm::any_of(shape, [](int64_t size) { return size < 0; }))
    return createStringError(
        formatv("shape {0} has a negative size", formatShape(shape)).str());
  std::optional<int64_t> count = elementCount(shape);
  int64_t bytes;
  if (!count || MulOverflow(*count, static_cast<int64_t>(elementSize), bytes) ||
      static_cast<uint64_t>(bytes) > SIZE_MAX / 2)
    return createStringError(
        formatv("shape {0} has too many elements", formatShape(shape)).str());
  return *count;
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
