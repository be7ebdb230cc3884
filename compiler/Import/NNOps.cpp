//===- NNOps.cpp - import of convolution, pooling and normalisation -------===//

#include "compiler/Import/NodeImporter.h"

#include "dialects/Incept/InceptOps.h"
#include "dialects/Incept/WindowShape.h"

using namespace mlir;

namespace incept {

namespace {

/// The window attributes shared by Conv, MaxPool and AveragePool, with
/// auto_pad resolved into explicit pads.
struct Window {
  SmallVector<int64_t> kernel, strides, pads, dilations;
};

FailureOr<Value> fourDimensionalInput(NodeImporter &node, unsigned index,
                                      bool anyElementType = false) {
  FailureOr<Value> input =
      anyElementType ? node.anyInput(index) : node.input(index);
  if (failed(input))
    return failure();
  auto type = cast<RankedTensorType>(input->getType());
  if (type.getRank() != 4)
    return node.emitError() << "only 2-D windows over NCHW inputs are "
                               "supported; input '"
                            << node.node().input(index) << "' is " << type;
  return input;
}

FailureOr<Window> readWindow(NodeImporter &node, RankedTensorType input,
                             ArrayRef<int64_t> kernel) {
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  window.strides = node.intsAttr("strides").value_or(SmallVector<int64_t>{1, 1});
  window.dilations =
      node.intsAttr("dilations").value_or(SmallVector<int64_t>{1, 1});
  window.pads = node.intsAttr("pads").value_or(SmallVector<int64_t>{0, 0, 0, 0});
  if (window.kernel.size() != 2 || window.strides.size() != 2 ||
      window.dilations.size() != 2 || window.pads.size() != 4)
    return node.emitError() << "kernel_shape, strides and dilations must have "
                               "2 values and pads 4 (a 2-D window)";

  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return window;
  if (node.attribute("pads"))
    return node.emitError() << "pads and auto_pad " << autoPad
                            << " cannot both be given";
  if (autoPad == "VALID") {
    window.pads.assign(4, 0);
    return window;
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return node.emitError() << "unknown auto_pad '" << autoPad << "'";
  for (int axis = 0; axis < 2; ++axis) {
    auto [begin, end] =
        samePadding(input.getDimSize(2 + axis), window.kernel[axis],
                    window.strides[axis], window.dilations[axis],
                    autoPad == "SAME_UPPER");
    window.pads[axis] = begin;
    window.pads[axis + 2] = end;
  }
  return window;
}

/// Pools give kernel_shape as an attribute; it is required.
FailureOr<Window> readPoolWindow(NodeImporter &node, RankedTensorType input) {
  std::optional<SmallVector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (!kernel)
    return node.emitError() << "kernel_shape is required";
  return readWindow(node, input, *kernel);
}

LogicalResult importConv(NodeImporter &node) {
  FailureOr<Value> input = fourDimensionalInput(node, 0);
  FailureOr<Value> weight = node.input(1);
  FailureOr<Value> bias = node.optionalInput(2);
  if (failed(input) || failed(weight) || failed(bias))
    return failure();
  auto weightType = cast<RankedTensorType>(weight->getType());
  if (weightType.getRank() != 4)
    return node.emitError() << "weight must be OIHW (rank 4), got " << weightType;
  ArrayRef<int64_t> weightKernel = weightType.getShape().drop_front(2);
  std::optional<SmallVector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (kernel && ArrayRef<int64_t>(*kernel) != weightKernel)
    return node.emitError() << "kernel_shape [" << (*kernel)[0] << ", "
                            << (kernel->size() > 1 ? (*kernel)[1] : 0)
                            << "] does not match the weight " << weightType;
  FailureOr<Window> window =
      readWindow(node, cast<RankedTensorType>(input->getType()), weightKernel);
  if (failed(window))
    return failure();
  FailureOr<Value> conv = node.buildInferred<ConvOp>(
      *input, *weight, *bias, /*residual=*/Value(), window->strides,
      window->pads, window->dilations, node.intAttr("group", 1),
      ActivationKind::none, /*clip_min=*/FloatAttr(), /*clip_max=*/FloatAttr(),
      /*residual_scale=*/APFloat(1.0f), /*strategy=*/ConvStrategyAttr());
  if (failed(conv))
    return failure();
  return node.setResults(*conv);
}

LogicalResult importBatchNormalization(NodeImporter &node) {
  if (node.intAttr("training_mode", 0) != 0)
    return node.emitError() << "training_mode is not supported; Incept "
                               "compiles inference graphs";
  SmallVector<Value, 5> operands;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> operand = i == 0 ? fourDimensionalInput(node, 0) : node.input(i);
    if (failed(operand))
      return failure();
    if (i > 0 && cast<RankedTensorType>(operand->getType()).getRank() != 1)
      return node.emitError() << "input '" << node.node().input(i)
                              << "' must be a per-channel vector, got "
                              << operand->getType();
    operands.push_back(*operand);
  }
  FailureOr<Value> norm = node.buildInferred<BatchNormOp>(
      operands[0], operands[1], operands[2], operands[3], operands[4],
      APFloat(node.floatAttr("epsilon", 1e-5f)));
  if (failed(norm))
    return failure();
  return node.setResults(*norm);
}

LogicalResult importMaxPool(NodeImporter &node) {
  FailureOr<Value> input =
      fourDimensionalInput(node, 0, /*anyElementType=*/true);
  if (failed(input))
    return failure();
  FailureOr<Window> window =
      readPoolWindow(node, cast<RankedTensorType>(input->getType()));
  if (failed(window))
    return failure();
  bool ceilMode = node.intAttr("ceil_mode", 0) != 0;
  // Indices only when something reads them: the plain pool lowers faster.
  if (!node.isOutputUsed(1)) {
    FailureOr<Value> pool = node.buildInferred<MaxPoolOp>(
        *input, window->kernel, window->strides, window->pads,
        window->dilations, ceilMode);
    if (failed(pool))
      return failure();
    return node.setResults(*pool);
  }
  int64_t storageOrder = node.intAttr("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return node.emitError() << "storage_order must be 0 (row-major) or 1 "
                               "(column-major), got "
                            << storageOrder;
  FailureOr<MaxPoolWithIndicesOp> pool =
      node.buildInferredOp<MaxPoolWithIndicesOp>(
          Type(), Type(), *input, window->kernel, window->strides,
          window->pads, window->dilations, ceilMode,
          static_cast<uint64_t>(storageOrder));
  if (failed(pool))
    return failure();
  return node.setResults(pool->getResults());
}

LogicalResult importAveragePool(NodeImporter &node) {
  FailureOr<Value> input = fourDimensionalInput(node, 0);
  if (failed(input))
    return failure();
  FailureOr<Window> window =
      readPoolWindow(node, cast<RankedTensorType>(input->getType()));
  if (failed(window))
    return failure();
  FailureOr<Value> pool = node.buildInferred<AvgPoolOp>(
      *input, window->kernel, window->strides, window->pads,
      node.intAttr("ceil_mode", 0) != 0,
      node.intAttr("count_include_pad", 0) != 0);
  if (failed(pool))
    return failure();
  return node.setResults(*pool);
}

LogicalResult importGlobalAveragePool(NodeImporter &node) {
  FailureOr<Value> input = fourDimensionalInput(node, 0);
  if (failed(input))
    return failure();
  FailureOr<Value> pool = node.buildInferred<GlobalAvgPoolOp>(*input);
  if (failed(pool))
    return failure();
  return node.setResults(*pool);
}

LogicalResult importLRN(NodeImporter &node) {
  FailureOr<Value> input = fourDimensionalInput(node, 0);
  if (failed(input))
    return failure();
  int64_t size = node.intAttr("size", 0);
  if (size <= 0)
    return node.emitError() << "size must be positive, got " << size;
  Value lrn = LrnOp::create(node.builder(), node.loc(), *input,
                            static_cast<uint64_t>(size),
                            APFloat(node.floatAttr("alpha", 1e-4f)),
                            APFloat(node.floatAttr("beta", 0.75f)),
                            APFloat(node.floatAttr("bias", 1.0f)));
  return node.setResults(lrn);
}

} // namespace

void registerNNOpHandlers(OpHandlerTable &table) {
  table.on("Conv", 11, importConv);
  table.on("BatchNormalization", 15, importBatchNormalization);
  table.on("MaxPool", 12, importMaxPool);
  table.on("AveragePool", 11, importAveragePool);
  table.on("GlobalAveragePool", 1, importGlobalAveragePool);
  table.on("LRN", 13, importLRN);
}

} // namespace incept
