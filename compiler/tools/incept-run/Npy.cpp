//===- Npy.cpp - NumPy's .npy format --------------------------------------===//
//
// The format (numpy/lib/format.py): the magic "\x93NUMPY", a version byte
// pair, the header's length (2 bytes in version 1, 4 in versions 2 and 3),
// and a header that is a Python dict literal such as
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 224, 224), }
//
// padded with spaces and ended by a newline, then the raw elements. The dict
// is parsed here by a small reader of exactly those literals rather than by
// pattern matching, so that any key order, spacing or quoting NumPy (or
// another writer) chooses reads the same.
//
//===----------------------------------------------------------------------===//

#include "TensorFile.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

using namespace llvm;

namespace incept {

namespace {

constexpr StringLiteral kMagic("\x93NUMPY");
/// NumPy aligns the start of the data to 64 bytes, for memory mapping.
constexpr size_t kDataAlignment = 64;

struct NpyHeader {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<SmallVector<int64_t>> shape;
};

/// Reads the header's dict literal. Every error says what was expected and
/// what the header had there.
class NpyHeaderReader {
public:
  explicit NpyHeaderReader(StringRef text) : rest(text) {}

  Expected<NpyHeader> read() {
    NpyHeader header;
    if (!consume('{'))
      return unexpected("'{'");
    while (!consume('}')) {
      Expected<std::string> key = readString();
      if (!key)
        return key.takeError();
      if (!consume(':'))
        return unexpected("':'");
      if (Error error = readEntry(*key, header))
        return std::move(error);
      if (!consume(',') && !peek('}'))
        return unexpected("',' or '}'");
    }
    skipSpace();
    if (!rest.empty())
      return unexpected("the end of the header");
    return header;
  }

private:
  StringRef rest;

  void skipSpace() { rest = rest.ltrim(" \t\r\n"); }
  bool peek(char c) {
    skipSpace();
    return rest.starts_with(StringRef(&c, 1));
  }
  bool consume(char c) {
    skipSpace();
    return rest.consume_front(StringRef(&c, 1));
  }

  Error unexpected(StringRef expected) {
    StringRef found = rest.take_front(20);
    return createStringError(
        formatv("bad .npy header: expected {0}, found {1}", expected,
                found.empty() ? std::string("the end of the header")
                              : "'" + found.str() + "'")
            .str());
  }

  Expected<std::string> readString() {
    skipSpace();
    if (rest.empty() || (rest.front() != '\'' && rest.front() != '"'))
      return unexpected("a quoted string");
    char quote = rest.front();
    size_t end = rest.find(quote, 1);
    if (end == StringRef::npos)
      return unexpected("a closing quote");
    std::string value = rest.slice(1, end).str();
    rest = rest.drop_front(end + 1);
    return value;
  }

  Error readEntry(StringRef key, NpyHeader &header) {
    if (key == "descr") {
      if (peek('['))
        return createStringError(
            "structured arrays are not supported: save a plain float32 array");
      Expected<std::string> descr = readString();
      if (!descr)
        return descr.takeError();
      header.descr = *descr;
      return Error::success();
    }
    if (key == "fortran_order") {
      skipSpace();
      if (rest.consume_front("True"))
        header.fortranOrder = true;
      else if (rest.consume_front("False"))
        header.fortranOrder = false;
      else
        return unexpected("True or False");
      return Error::success();
    }
    if (key == "shape") {
      Expected<SmallVector<int64_t>> shape = readShape();
      if (!shape)
        return shape.takeError();
      header.shape = std::move(*shape);
      return Error::success();
    }
    return createStringError(
        formatv("bad .npy header: unknown key '{0}'", key).str());
  }

  Expected<SmallVector<int64_t>> readShape() {
    SmallVector<int64_t> shape;
    if (!consume('('))
      return unexpected("a shape tuple");
    while (!consume(')')) {
      skipSpace();
      unsigned long long size;
      if (rest.consumeInteger(10, size) || size > INT64_MAX)
        return unexpected("a non-negative dimension size");
      rest.consume_front("L"); // Python 2's long literals
      shape.push_back(static_cast<int64_t>(size));
      if (!consume(',') && !peek(')'))
        return unexpected("',' or ')'");
    }
    return shape;
  }
};

/// The descr NumPy writes for the element type, little-endian (the dtype
/// table's).
StringRef descrOf(ElementType type) { return dtypeInfoOf(type).npyDescr; }

/// Checks the descr and returns the element type it names.
Expected<ElementType> elementTypeOf(StringRef descr) {
  for (ElementType type : kElementTypes)
    if (descr == descrOf(type))
      return type;
  // One-byte types are also written with '<' or '='.
  if (descr.size() == 3 && (descr[0] == '<' || descr[0] == '=') &&
      descr.ends_with("1"))
    return elementTypeOf(("|" + descr.drop_front()).str());
  if (descr.starts_with(">"))
    return createStringError(
        formatv("dtype '{0}' is big-endian: save a little-endian array "
                "(array.astype('<{1}'))",
                descr, descr.drop_front())
            .str());
  return createStringError(formatv("dtype '{0}' is not supported: incept-run reads "
                                   "{1} arrays",
                                   descr, listElementTypes(/*onnxNames=*/false))
                               .str());
}

} // namespace

Expected<Tensor> parseNpy(StringRef bytes) {
  if (!bytes.starts_with(kMagic))
    return createStringError(
        "not a .npy file: it does not start with \"\\x93NUMPY\"");
  if (bytes.size() < kMagic.size() + 2)
    return createStringError("truncated .npy file: it ends in its preamble");
  uint8_t major = bytes[kMagic.size()];
  uint8_t minor = bytes[kMagic.size() + 1];
  StringRef rest = bytes.drop_front(kMagic.size() + 2);
  size_t headerLength;
  if (major == 1) {
    if (rest.size() < 2)
      return createStringError("truncated .npy file: it ends in its preamble");
    headerLength = support::endian::read16le(rest.data());
    rest = rest.drop_front(2);
  } else if (major == 2 || major == 3) {
    if (rest.size() < 4)
      return createStringError("truncated .npy file: it ends in its preamble");
    headerLength = support::endian::read32le(rest.data());
    rest = rest.drop_front(4);
  } else {
    return createStringError(
        formatv(".npy format version {0}.{1} is not supported (only 1.0, 2.0 "
                "and 3.0 are)",
                major, minor)
            .str());
  }
  if (rest.size() < headerLength)
    return createStringError(
        formatv("truncated .npy file: its header needs {0} bytes, the file "
                "has {1} left",
                headerLength, rest.size())
            .str());

  Expected<NpyHeader> header =
      NpyHeaderReader(rest.take_front(headerLength)).read();
  if (!header)
    return header.takeError();
  for (auto [present, key] :
       {std::pair(header->descr.has_value(), "descr"),
        std::pair(header->fortranOrder.has_value(), "fortran_order"),
        std::pair(header->shape.has_value(), "shape")})
    if (!present)
      return createStringError(
          formatv("bad .npy header: it has no '{0}'", key).str());
  if (*header->fortranOrder)
    return createStringError(
        "Fortran-order arrays are not supported: save a C-order array "
        "(numpy.ascontiguousarray)");

  Tensor tensor;
  Expected<ElementType> type = elementTypeOf(*header->descr);
  if (!type)
    return type.takeError();
  tensor.elementType = *type;
  tensor.shape = std::move(*header->shape);
  size_t size = elementSize(*type);
  Expected<int64_t> count = checkedElementCount(tensor.shape, size);
  if (!count)
    return count.takeError();

  StringRef data = rest.drop_front(headerLength);
  uint64_t expectedBytes = static_cast<uint64_t>(*count) * size;
  if (data.size() != expectedBytes)
    return createStringError(
        formatv("{0} .npy file: it holds {1} bytes of data, but shape {2} of "
                "{3} needs {4}",
                data.size() < expectedBytes ? "truncated" : "malformed",
                data.size(), formatShape(tensor.shape), elementTypeName(*type),
                expectedBytes)
            .str());
  // The data is little-endian, as the host is (incept-run runs on x86-64 and
  // AArch64 hosts only).
  tensor.fromBuffer(data.data());
  return tensor;
}

std::string serializeNpy(const Tensor &tensor) {
  // Python's tuple syntax: a one-element tuple needs its trailing comma.
  std::string shape;
  for (int64_t size : tensor.shape)
    shape += (shape.empty() ? "" : ", ") + std::to_string(size);
  if (tensor.shape.size() == 1)
    shape += ",";
  std::string dict =
      formatv("{{'descr': '{0}', 'fortran_order': False, 'shape': ({1}), }",
              descrOf(tensor.elementType), shape)
          .str();

  // Version 1.0: magic, version, 2-byte length, then the dict padded with
  // spaces and a newline to the data alignment.
  size_t preamble = kMagic.size() + 2 + 2;
  size_t padded = alignTo(preamble + dict.size() + 1, kDataAlignment);
  dict.append(padded - preamble - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::string bytes(kMagic);
  bytes.push_back(1);
  bytes.push_back(0);
  bytes.resize(bytes.size() + 2);
  support::endian::write16le(bytes.data() + bytes.size() - 2,
                             static_cast<uint16_t>(dict.size()));
  bytes += dict;
  size_t start = bytes.size();
  bytes.resize(start + tensor.numElements() * elementSize(tensor.elementType));
  tensor.toBuffer(bytes.data() + start);
  return bytes;
}

} // namespace incept
