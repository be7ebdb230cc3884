//===- OnnxLibrary.h - ONNX's checker, converter, shape inference -*- C++ -*-===//
//
// ONNX's C++ library reports errors by throwing; the rest of the compiler is
// built without exceptions (as LLVM is). These wrappers are the only code that
// calls into the library's throwing functions, and they turn every exception
// into an llvm::Error.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_IMPORT_ONNXLIBRARY_H
#define INCEPT_COMPILER_IMPORT_ONNXLIBRARY_H

#include "onnx/onnx_pb.h"

#include "llvm/Support/Error.h"

namespace incept {

/// onnx::checker::check_model.
llvm::Error checkModel(const onnx::ModelProto &model);

/// onnx::version_conversion::ConvertVersion to `opset` of the default domain.
llvm::Error convertOpset(onnx::ModelProto &model, int opset);

/// onnx::shape_inference::InferShapes, lenient: shapes it cannot infer stay
/// unknown (the importer reports shape errors, with the node and the numbers).
llvm::Error inferShapes(onnx::ModelProto &model);

/// The newest default-domain opset this ONNX library knows.
int newestKnownOpset();

/// The version of the schema of `opType` (default domain) in force at
/// `opset`: the opset it was last changed in; 0 for no such op.
int schemaVersionAt(const std::string &opType, int opset);

} // namespace incept

#endif // INCEPT_COMPILER_IMPORT_ONNXLIBRARY_H
