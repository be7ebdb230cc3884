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

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace incept {

/// The element types incept-run reads: float32 for inputs and outputs (the
/// only dtype of the Incept ABI), float64 for references computed in double.
enum class ElementType { Float32, Float64 };

/// A dense, row-major tensor in host byte order.
struct Tensor {
  ElementType elementType = ElementType::Float32;
  llvm::SmallVector<int64_t> shape;
  /// Holds the elements when elementType is Float32.
  std::vector<float> float32;
  /// Holds the elements when elementType is Float64.
  std::vector<double> float64;

  int64_t numElements() const;
  /// Element `i` of either type, widened to double.
  double element(int64_t i) const {
    return elementType == ElementType::Float32 ? float32[i] : float64[i];
  }
};

/// "float32" or "float64", as NumPy names them.
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
/// little-endian float32 ('<f4') or float64 ('<f8') array.
llvm::Expected<Tensor> parseNpy(llvm::StringRef bytes);
/// A version 1.0 .npy file.
std::string serializeNpy(const Tensor &tensor);

/// Parses a serialized onnx.TensorProto of dtype FLOAT or DOUBLE whose
/// elements are in raw_data or in float_data/double_data.
llvm::Expected<Tensor> parseTensorProto(llvm::StringRef bytes);
/// A serialized onnx.TensorProto with its elements in raw_data.
std::string serializeTensorProto(const Tensor &tensor, llvm::StringRef name);

/// The number of elements of `shape`, or an error when a size is negative or
/// the product does not fit the address space.
llvm::Expected<int64_t> checkedElementCount(llvm::ArrayRef<int64_t> shape,
                                            size_t elementSize);

} // namespace incept

#endif // INCEPT_COMPILER_TOOLS_INCEPTRUN_TENSORFILE_H
