//===- TensorFile.h - tensors in .npy and TensorProto files -----*- C++ -*-===//
//
// incept-run reads a model's inputs and reference outputs from the two files
// people have at hand: NumPy's .npy (numpy.save) and ONNX's TensorProto .pb
// (the files of the ONNX model zoo's test_data_set_N folders). The format is
// chosen by the file's extension. Every reader checks that the file agrees
// with itself (header, shape and byte count), so that a truncated or corrupt
// file is an error that names it, never a wrong answer.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_TOOLS_INCEPTRUN_TENSORFILE_H
#define INCEPT_COMPILER_TOOLS_INCEPTRUN_TENSORFILE_H

#include "compiler/Support/Dtypes.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace incept {

/// The element types incept-run reads: those of the Incept ABI (float32, and
/// the integer and bool dtypes of integer models), and float64 for references
/// computed in double.
enum class ElementType { Float32, Float64, Int8, UInt8, Int32, Int64, Bool };
inline constexpr ElementType kElementTypes[] = {
    ElementType::Float32, ElementType::Float64, ElementType::Int8, ElementType::UInt8,
    ElementType::Int32,   ElementType::Int64,   ElementType::Bool};

/// Whether elements of `type` are integers (bool included), kept in
/// Tensor::integers and compared exactly.
bool isIntegerType(ElementType type);
/// Bytes per element in memory and in files (a bool is one byte).
size_t elementSize(ElementType type);
/// The element type of an incept_dtype (ONNX's TensorProto numbering), or
/// none for a dtype incept-run does not know.
std::optional<ElementType> elementTypeOfDtype(int32_t dtype);
/// The incept_dtype (ONNX TensorProto.DataType) number of `type`.
int32_t dtypeOfElementType(ElementType type);
/// The row of `type` in the ABI's dtype table (compiler/Support/Dtypes.h),
/// or incept-run's own for float64: its name, size, .npy descr.
const DtypeInfo &dtypeInfoOf(ElementType type);
/// "float32, uint8, ... and float64" (ONNX's names with `onnxNames`), for
/// messages that say what incept-run reads.
std::string listElementTypes(bool onnxNames);

/// A dense, row-major tensor in host byte order.
struct Tensor {
  ElementType elementType = ElementType::Float32;
  llvm::SmallVector<int64_t> shape;
  /// Holds the elements when elementType is Float32.
  std::vector<float> float32;
  /// Holds the elements when elementType is Float64.
  std::vector<double> float64;
  /// Holds the elements when elementType is an integer type.
  std::vector<int64_t> integers;

  int64_t numElements() const;
  /// Element `i` of any type, widened to double.
  double element(int64_t i) const {
    switch (elementType) {
    case ElementType::Float32:
      return float32[i];
    case ElementType::Float64:
      return float64[i];
    default:
      return static_cast<double>(integers[i]);
    }
  }
  /// The elements as the bytes of a buffer of the tensor's element type.
  void toBuffer(void *buffer) const;
  /// Reads `numElements()` elements of the tensor's element type from
  /// `buffer` (shape and elementType must be set).
  void fromBuffer(const void *buffer);
};

/// "float32", "float64", "int8", "uint8", "int32", "int64" or "bool", as
/// NumPy names them.
llvm::StringRef elementTypeName(ElementType type);

/// `[1, 3, 224, 224]`; `[]` for a scalar.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Reads a .npy or .pb file. Error messages start with `path: `.
llvm::Expected<Tensor> readTensorFile(llvm::StringRef path);

/// Writes `tensor` as a .npy (version 1.0, C order) or .pb file, by the
/// extension of `path`, through a temporary file so that a failure leaves no
/// partial file. `name` becomes the TensorProto's name.
llvm::Error writeTensorFile(llvm::StringRef path, llvm::StringRef name,
                            const Tensor &tensor);

/// An error unless the extension of `path` names a format readTensorFile and
/// writeTensorFile know, so that a bad --output name fails before a run.
llvm::Error checkTensorFileName(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// The two formats, on bytes. Error messages do not name a file.
//===----------------------------------------------------------------------===//

/// Parses a .npy file of format version 1.0, 2.0 or 3.0 holding a C-order
/// little-endian float32 ('<f4'), float64 ('<f8'), int8 ('|i1'), uint8
/// ('|u1'), int32 ('<i4'), int64 ('<i8') or bool ('|b1') array.
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes);
/// A version 1.0 .npy file.
std::string serializeNpy(const Tensor &tensor);

/// Parses a serialized onnx.TensorProto of dtype FLOAT, DOUBLE, INT8, UINT8,
/// INT32, INT64 or BOOL whose elements are in raw_data or in the typed field.
llvm::Expected<Tensor> parseTensorProto(llvm::StringRef bytes);
/// A serialized onnx.TensorProto with its elements in raw_data.
std::string serializeTensorProto(const Tensor &tensor, llvm::StringRef name);

/// The number of elements of `shape`, or an error when a size is negative or
/// the product does not fit the address space.
llvm::Expected<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> shape,
                                            size_t elementSize);

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_INCEPTRUN_TENSORFILE_H
