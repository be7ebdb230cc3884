//===- OnnxLibrary.cpp - ONNX's checker, converter, shape inference -------===//
//
// Compiled with -fexceptions (see CMakeLists.txt); nothing thrown here leaves
// this file.
//
//===----------------------------------------------------------------------===//

#include "compiler/Import/OnnxLibrary.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include <exception>

namespace incept {

namespace {

template <typename Fn>
llvm::Error guarded(llvm::StringRef what, Fn &&fn) {
  try {
    fn();
    return llvm::Error::success();
  } catch (const std::exception &e) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s: %s",
                                   what.str().c_str(), e.what());
  } catch (...) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s failed", what.str().c_str());
  }
}

} // namespace

llvm::Error checkModel(const onnx::ModelProto &model) {
  return guarded("ONNX checker", [&] { onnx::checker::check_model(model); });
}

llvm::Error convertOpset(onnx::ModelProto &model, int opset) {
  return guarded("ONNX version converter", [&] {
    model = onnx::version_conversion::ConvertVersion(model, opset);
  });
}

llvm::Error inferShapes(onnx::ModelProto &model) {
  return guarded("ONNX shape inference", [&] {
    onnx::ShapeInferenceOptions options(/*check_type=*/false, /*strict_mode=*/0,
                                        /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       options);
  });
}

int newestKnownOpset() {
  return onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
      .Map()
      .at(onnx::ONNX_DOMAIN)
      .second;
}

int schemaVersionAt(const std::string &opType, int opset) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(opType, opset, onnx::ONNX_DOMAIN);
  return schema ? schema->since_version() : 0;
}

} // namespace incept
