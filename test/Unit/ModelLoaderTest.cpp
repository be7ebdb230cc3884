//===- ModelLoaderTest.cpp - reading models and resolving input shapes ----===//

#include "compiler/Import/ModelLoader.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace incept;

namespace {

/// A one-node model: Relu on input "x" of shape [N, 3].
onnx::ModelProto reluModel(bool dynamicBatch) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name("relu");
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type("Relu");
  node.add_input("x");
  node.add_output("y");
  for (auto [list, name] : {std::make_pair(graph.mutable_input(), "x"),
                            std::make_pair(graph.mutable_output(), "y")}) {
    onnx::ValueInfoProto &info = *list->Add();
    info.set_name(name);
    onnx::TypeProto_Tensor &type = *info.mutable_type()->mutable_tensor_type();
    type.set_elem_type(onnx::TensorProto::FLOAT);
    if (dynamicBatch)
      type.mutable_shape()->add_dim()->set_dim_param("N");
    else
      type.mutable_shape()->add_dim()->set_dim_value(1);
    type.mutable_shape()->add_dim()->set_dim_value(3);
  }
  return model;
}

std::string writeTemp(const onnx::ModelProto &model) {
  llvm::SmallString<128> path;
  EXPECT_FALSE(llvm::sys::fs::createTemporaryFile("incept-loader", "onnx", path));
  std::string bytes;
  model.SerializeToString(&bytes);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  os << bytes;
  return std::string(path);
}

} // namespace

TEST(ParseShape, AcceptsPositiveSizes) {
  EXPECT_EQ(parseShape("1x3x224x224"),
            (llvm::SmallVector<int64_t>{1, 3, 224, 224}));
  EXPECT_FALSE(parseShape("1x0x2"));
  EXPECT_FALSE(parseShape("1xx2"));
  EXPECT_FALSE(parseShape("a"));
}

TEST(LoadModel, BatchResolvesADynamicFirstDimension) {
  std::string path = writeTemp(reluModel(/*dynamicBatch=*/true));
  ModelLoadOptions options;
  options.batch = 4;
  llvm::Expected<LoadedModel> loaded = loadModel(path, options);
  ASSERT_TRUE(static_cast<bool>(loaded)) << llvm::toString(loaded.takeError());
  const auto &shape = loaded->proto->graph().input(0).type().tensor_type().shape();
  EXPECT_EQ(shape.dim(0).dim_value(), 4);
  EXPECT_EQ(loaded->originalOpset, 13);
  llvm::sys::fs::remove(path);
}

TEST(LoadModel, UnresolvedDynamicDimensionIsAnError) {
  std::string path = writeTemp(reluModel(/*dynamicBatch=*/true));
  llvm::Expected<LoadedModel> loaded = loadModel(path, {});
  ASSERT_FALSE(static_cast<bool>(loaded));
  std::string message = llvm::toString(loaded.takeError());
  EXPECT_NE(message.find("input 'x' has a dynamic dimension 0 ('N')"),
            std::string::npos)
      << message;
  llvm::sys::fs::remove(path);
}

TEST(LoadModel, BatchContradictingAFixedDimensionIsAnError) {
  std::string path = writeTemp(reluModel(/*dynamicBatch=*/false));
  ModelLoadOptions options;
  options.batch = 2;
  llvm::Expected<LoadedModel> loaded = loadModel(path, options);
  ASSERT_FALSE(static_cast<bool>(loaded));
  EXPECT_NE(llvm::toString(loaded.takeError()).find("fixed to 1"),
            std::string::npos);
  llvm::sys::fs::remove(path);
}
