//===- InceptOps.cpp - shape inference and verifiers of incept ops --------===//
//
// Each op's result shape is computed in exactly one place, its
// inferReturnTypes; the InferTypeOpInterface verifier compares the declared
// result type against it, so these functions are also the shape verifiers.
// Messages say what is wrong with numbers, since the importer shows them to
// users next to the ONNX node that produced the op.
//
//===----------------------------------------------------------------------===//

#include "dialects/Incept/InceptOps.h"
#include "dialects/Incept/WindowShape.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace incept;

namespace {

RankedTensorType tensorTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

/// Checks the window attributes of a 2-D conv or pool: `kernel` (if given),
/// two positive strides and dilations, four non-negative pads.
LogicalResult verifyWindowAttributes(std::optional<Location> location,
                                     ArrayRef<int64_t> kernel,
                                     ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> pads,
                                     ArrayRef<int64_t> dilations) {
  auto positivePair = [&](ArrayRef<int64_t> values, StringRef name) {
    if (values.size() == 2 && llvm::all_of(values, [](int64_t v) { return v > 0; }))
      return success();
    return emitOptionalError(location, name, " must be two positive values, got ",
                             formatShape(values));
  };
  if (failed(positivePair(kernel, "kernel_shape")) ||
      failed(positivePair(strides, "strides")) ||
      failed(positivePair(dilations, "dilations")))
    return failure();
  if (pads.size() != 4 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOptionalError(location,
                             "pads must be four non-negative values [top, left, "
                             "bottom, right], got ",
                             formatShape(pads));
  return success();
}

/// The NCHW result of sliding a (kernel x kernel) window over `input`.
FailureOr<SmallVector<int64_t>>
inferWindowedShape(std::optional<Location> location, ArrayRef<int64_t> input,
                   int64_t channels, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                   ArrayRef<int64_t> dilations, bool ceilMode) {
  SmallVector<int64_t> shape = {input[0], channels, 0, 0};
  for (int axis = 0; axis < 2; ++axis) {
    int64_t size = windowOutputSize(input[2 + axis], kernel[axis], strides[axis],
                                    pads[axis], pads[axis + 2], dilations[axis],
                                    ceilMode);
    if (size <= 0)
      return emitOptionalError(
          location, "a window of extent ",
          dilatedKernelExtent(kernel[axis], dilations[axis]),
          " does not fit in spatial dimension ", axis, " of extent ",
          input[2 + axis], " padded by ", pads[axis], " and ", pads[axis + 2]);
    shape[2 + axis] = size;
  }
  return shape;
}

/// Pools must not have windows that lie wholly in the padding: such a window
/// has no maximum and no average.
LogicalResult verifyPoolPadding(std::optional<Location> location,
                                ArrayRef<int64_t> kernel, ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations) {
  for (int axis = 0; axis < 2; ++axis) {
    int64_t extent = dilatedKernelExtent(kernel[axis], dilations[axis]);
    if (pads[axis] >= extent || pads[axis + 2] >= extent)
      return emitOptionalError(location, "pads ", formatShape(pads),
                               " must be smaller than the window extent ",
                               extent, " of spatial dimension ", axis);
  }
  return success();
}

/// NumPy broadcasting of two shapes.
FailureOr<SmallVector<int64_t>> broadcastShapes(std::optional<Location> location,
                                                ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return emitOptionalError(location, "shapes ", formatShape(lhs), " and ",
                               formatShape(rhs), " do not broadcast");
    shape[i] = l == 1 ? r : l;
  }
  return shape;
}

} // namespace

//===----------------------------------------------------------------------===//
// ConvOp
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  RankedTensorType inputType = tensorTypeOf(adaptor.getInput());
  RankedTensorType weightType = tensorTypeOf(adaptor.getWeight());
  ArrayRef<int64_t> input = inputType.getShape();
  ArrayRef<int64_t> weight = weightType.getShape();
  int64_t group = static_cast<int64_t>(adaptor.getGroup());
  if (failed(verifyWindowAttributes(location, weight.drop_front(2),
                                    adaptor.getStrides(), adaptor.getPads(),
                                    adaptor.getDilations())))
    return failure();
  if (group < 1 || input[1] % group != 0 || weight[0] % group != 0)
    return emitOptionalError(location, "group ", group,
                             " must divide the input channels (", input[1],
                             ") and the output channels (", weight[0], ")");
  if (weight[1] * group != input[1])
    return emitOptionalError(location, "weight ", formatShape(weight), " expects ",
                             weight[1] * group, " input channels (group ", group,
                             ") but the input ", formatShape(input), " has ",
                             input[1]);
  if (Value bias = adaptor.getBias()) {
    ArrayRef<int64_t> biasShape = tensorTypeOf(bias).getShape();
    if (biasShape[0] != weight[0])
      return emitOptionalError(location, "bias has ", biasShape[0],
                               " values but the convolution has ", weight[0],
                               " output channels");
  }
  FailureOr<SmallVector<int64_t>> shape = inferWindowedShape(
      location, input, weight[0], weight.drop_front(2), adaptor.getStrides(),
      adaptor.getPads(), adaptor.getDilations(), /*ceilMode=*/false);
  if (failed(shape))
    return failure();
  if (Value residual = adaptor.getResidual()) {
    ArrayRef<int64_t> residualShape = tensorTypeOf(residual).getShape();
    if (residualShape != ArrayRef<int64_t>(*shape))
      return emitOptionalError(location, "residual ", formatShape(residualShape),
                               " does not have the convolution's result shape ",
                               formatShape(*shape));
  }
  inferred.push_back(RankedTensorType::get(*shape, inputType.getElementType()));
  return success();
}

LogicalResult ConvOp::verify() {
  bool isClip = getActivation() == ActivationKind::clip;
  if (isClip != (getClipMin().has_value() && getClipMax().has_value()) ||
      (!isClip && (getClipMin() || getClipMax())))
    return emitOpError("clip_min and clip_max are required with a clip "
                       "activation and allowed only with it");
  if (isClip && getClipMin()->convertToFloat() > getClipMax()->convertToFloat())
    return emitOpError("clip_min must not exceed clip_max");
  if (!getResidual() && !getResidualScale().isExactlyValue(1.0))
    return emitOpError("residual_scale needs a residual operand");
  return success();
}

//===----------------------------------------------------------------------===//
// Normalisation and activations
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  RankedTensorType inputType = tensorTypeOf(adaptor.getInput());
  int64_t channels = inputType.getDimSize(1);
  const StringRef names[] = {"scale", "bias", "mean", "variance"};
  const Value params[] = {adaptor.getScale(), adaptor.getBias(),
                          adaptor.getMean(), adaptor.getVariance()};
  for (auto [name, param] : llvm::zip_equal(names, params)) {
    if (tensorTypeOf(param).getDimSize(0) != channels)
      return emitOptionalError(location, name, " has ",
                               tensorTypeOf(param).getDimSize(0),
                               " values but the input has ", channels,
                               " channels");
  }
  if (adaptor.getEpsilon().convertToFloat() < 0)
    return emitOptionalError(location, "epsilon must not be negative");
  inferred.push_back(inputType);
  return success();
}

/// On an integer tensor, a scalar attribute (a clip bound, a pad value) must
/// be an integer that the element type holds, or, where `allowInfinity`, an
/// infinity standing for the type's limit.
static LogicalResult verifyIntegerScalar(Operation *op, llvm::StringRef what,
                                         Type elementType, APFloat value,
                                         bool allowInfinity) {
  auto integer = dyn_cast<IntegerType>(elementType);
  if (!integer)
    return success();
  if (allowInfinity && value.isInfinity())
    return success();
  double v = value.convertToDouble();
  unsigned width = integer.getWidth();
  bool isUnsigned = integer.isUnsigned() || width == 1;
  double low = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double high = isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  if (!value.isFinite() || v != std::trunc(v) || v < low || v > high)
    return op->emitOpError() << what << " " << v << " is not a value of the element type "
                             << elementType;
  return success();
}

LogicalResult ClipOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min must not exceed max");
  Type element = getInput().getType().getElementType();
  if (element.isInteger(1))
    return emitOpError("is not defined on bool (i1) tensors");
  if (failed(verifyIntegerScalar(*this, "min", element, getMin(), true)) ||
      failed(verifyIntegerScalar(*this, "max", element, getMax(), true)))
    return failure();
  return success();
}

LogicalResult SoftmaxOp::verify() {
  if (static_cast<int64_t>(getAxis()) >= getInput().getType().getRank())
    return emitOpError("axis ") << getAxis() << " is out of range for rank "
                                << getInput().getType().getRank();
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Result type of a max or average pool (average pools have no dilation).
static LogicalResult inferPoolType(std::optional<Location> location, Value input,
                                   ArrayRef<int64_t> kernel,
                                   ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                   ArrayRef<int64_t> dilations, bool ceilMode,
                                   SmallVectorImpl<Type> &inferred) {
  RankedTensorType inputType = tensorTypeOf(input);
  if (failed(verifyWindowAttributes(location, kernel, strides, pads, dilations)) ||
      failed(verifyPoolPadding(location, kernel, pads, dilations)))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      inferWindowedShape(location, inputType.getShape(), inputType.getDimSize(1),
                         kernel, strides, pads, dilations, ceilMode);
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, inputType.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferPoolType(location, adaptor.getInput(), adaptor.getKernelShape(),
                       adaptor.getStrides(), adaptor.getPads(),
                       adaptor.getDilations(), adaptor.getCeilMode(), inferred);
}

LogicalResult MaxPoolWithIndicesOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  if (failed(inferPoolType(location, adaptor.getInput(),
                           adaptor.getKernelShape(), adaptor.getStrides(),
                           adaptor.getPads(), adaptor.getDilations(),
                           adaptor.getCeilMode(), inferred)))
    return failure();
  auto output = cast<RankedTensorType>(inferred.back());
  inferred.push_back(
      RankedTensorType::get(output.getShape(), IntegerType::get(context, 64)));
  return success();
}

LogicalResult MaxPoolWithIndicesOp::verify() {
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("storage_order must be 0 (row-major) or 1 "
                       "(column-major), got ")
           << getStorageOrder();
  if (getInput().getType().getElementType().isInteger(1))
    return emitOpError("is not defined on bool (i1) tensors");
  return success();
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  const int64_t unitDilations[] = {1, 1};
  return inferPoolType(location, adaptor.getInput(), adaptor.getKernelShape(),
                       adaptor.getStrides(), adaptor.getPads(), unitDilations,
                       adaptor.getCeilMode(), inferred);
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location>,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &inferred) {
  RankedTensorType inputType = tensorTypeOf(adaptor.getInput());
  inferred.push_back(RankedTensorType::get(
      {inputType.getDimSize(0), inputType.getDimSize(1), 1, 1},
      inputType.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Tensor structure
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(location, "concat needs at least one input");
  RankedTensorType first = tensorTypeOf(adaptor.getInputs().front());
  int64_t axis = static_cast<int64_t>(adaptor.getAxis());
  if (axis >= first.getRank())
    return emitOptionalError(location, "axis ", axis,
                             " is out of range for rank ", first.getRank());
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value input : adaptor.getInputs()) {
    ArrayRef<int64_t> inputShape = tensorTypeOf(input).getShape();
    bool compatible = inputShape.size() == shape.size();
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      compatible = d == static_cast<size_t>(axis) || inputShape[d] == shape[d];
    if (!compatible)
      return emitOptionalError(location, "input ", formatShape(inputShape),
                               " does not match ", formatShape(first.getShape()),
                               " outside axis ", axis);
    shape[axis] += inputShape[axis];
    if (tensorTypeOf(input).getElementType() != first.getElementType())
      return emitOptionalError(location, "inputs must have one element type, got ",
                               first.getElementType(), " and ",
                               tensorTypeOf(input).getElementType());
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> input = getInput().getType().getShape();
  ArrayRef<int64_t> output = getOutput().getType().getShape();
  uint64_t axis = getAxis();
  if (input.size() != output.size() || axis >= input.size())
    return emitOpError("axis ") << axis << " must be a dimension of both "
                                << formatShape(input) << " and "
                                << formatShape(output);
  if (getInput().getType().getElementType() != getOutput().getType().getElementType())
    return emitOpError("result element type must be the input's");
  for (size_t d = 0; d < input.size(); ++d)
    if (d != axis && input[d] != output[d])
      return emitOpError("slice of ") << formatShape(input) << " to "
                                      << formatShape(output)
                                      << " changes dimension " << d
                                      << ", not only axis " << axis;
  if (static_cast<int64_t>(getStart()) + output[axis] > input[axis])
    return emitOpError("elements ")
           << getStart() << " .. " << getStart() + output[axis]
           << " of axis " << axis << " are past its extent " << input[axis];
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  return {};
}

LogicalResult ReshapeOp::verify() {
  if (getInput().getType().getNumElements() !=
      getOutput().getType().getNumElements())
    return emitOpError("cannot reshape ")
           << formatShape(getInput().getType().getShape()) << " ("
           << getInput().getType().getNumElements() << " elements) to "
           << formatShape(getOutput().getType().getShape()) << " ("
           << getOutput().getType().getNumElements() << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  // A chain of reshapes is one reshape of the first input.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  RankedTensorType inputType = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(location, "pads must have ", 2 * rank,
                             " values (begin then end of each dimension), got ",
                             pads.size());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = inputType.getDimSize(d);
    int64_t padded = size + pads[d] + pads[d + rank];
    if (padded <= 0)
      return emitOptionalError(location, "pads ", formatShape(pads),
                               " leave nothing of dimension ", d, " (extent ",
                               size, ")");
    if (adaptor.getMode() == PadMode::reflect &&
        (pads[d] >= size || pads[d + rank] >= size))
      return emitOptionalError(location, "reflect padding of dimension ", d,
                               " must be smaller than its extent ", size);
    shape.push_back(padded);
  }
  inferred.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  return verifyIntegerScalar(*this, "value", getInput().getType().getElementType(),
                             getValue(), /*allowInfinity=*/false);
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic and the classifier
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferBroadcastType(std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  RankedTensorType lhs = tensorTypeOf(adaptor.getLhs());
  Type rhsElement = tensorTypeOf(adaptor.getRhs()).getElementType();
  if (lhs.getElementType() != rhsElement)
    return emitOptionalError(location, "operands must have one element type, got ",
                             lhs.getElementType(), " and ", rhsElement);
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      location, lhs.getShape(), tensorTypeOf(adaptor.getRhs()).getShape());
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
  return success();
}

LogicalResult AddOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferBroadcastType(location, adaptor, inferred);
}

LogicalResult MulOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferBroadcastType(location, adaptor, inferred);
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  RankedTensorType aType = tensorTypeOf(adaptor.getA());
  RankedTensorType bType = tensorTypeOf(adaptor.getB());
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return emitOptionalError(location, "a and b must be matrices, got ",
                             formatShape(aType.getShape()), " and ",
                             formatShape(bType.getShape()));
  int64_t m = aType.getDimSize(adaptor.getTransA() ? 1 : 0);
  int64_t k = aType.getDimSize(adaptor.getTransA() ? 0 : 1);
  int64_t kb = bType.getDimSize(adaptor.getTransB() ? 1 : 0);
  int64_t n = bType.getDimSize(adaptor.getTransB() ? 0 : 1);
  if (k != kb)
    return emitOptionalError(location, "inner dimensions differ: op(a) is ", m,
                             "x", k, ", op(b) is ", kb, "x", n);
  if (Value c = adaptor.getC()) {
    ArrayRef<int64_t> cShape = tensorTypeOf(c).getShape();
    // c broadcasts one way only: to [M, N].
    const int64_t target[] = {m, n};
    bool broadcasts = cShape.size() <= 2;
    for (size_t i = 0; broadcasts && i < cShape.size(); ++i) {
      int64_t size = target[2 - cShape.size() + i];
      broadcasts = cShape[i] == size || cShape[i] == 1;
    }
    if (!broadcasts)
      return emitOptionalError(location, "c ", formatShape(cShape),
                               " does not broadcast to [", m, ", ", n, "]");
  }
  inferred.push_back(RankedTensorType::get({m, n}, aType.getElementType()));
  return success();
}

#define GET_OP_CLASSES
#include "dialects/Incept/InceptOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Fused convolution chains
//===----------------------------------------------------------------------===//

ConvOp ConvChainOp::getProducer() {
  return dyn_cast<ConvOp>(&getBody().front().front());
}

SmallVector<ConvOp, 4> ConvChainOp::getConsumers() {
  SmallVector<ConvOp, 4> consumers;
  for (Value value : getBody().front().getTerminator()->getOperands())
    consumers.push_back(value.getDefiningOp<ConvOp>());
  return consumers;
}

LogicalResult ConvChainOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 || body.getArgument(0).getType() != getInput().getType())
    return emitOpError("body must take one argument of the input's type");
  ConvOp producer = getProducer();
  if (!producer || producer.getInput() != body.getArgument(0))
    return emitOpError("body must start with the producer conv reading the argument");
  Operation *terminator = body.getTerminator();
  if (terminator->getNumOperands() != getNumResults() || getNumResults() == 0)
    return emitOpError("must yield one value per result, and at least one");
  size_t convs = 0;
  for (Operation &op : body.without_terminator()) {
    auto conv = dyn_cast<ConvOp>(op);
    if (!conv)
      return emitOpError("body may hold only convs, found ") << op.getName();
    if (conv != producer && conv.getInput() != producer.getResult())
      return emitOpError("every consumer conv must read the producer's result");
    if (conv != producer && llvm::is_contained(conv->getOperands(), body.getArgument(0)))
      return emitOpError("consumer convs may not read the chain's input");
    ++convs;
  }
  llvm::SmallPtrSet<Operation *, 4> yielded;
  for (auto [value, result] : llvm::zip(terminator->getOperands(), getResults())) {
    auto consumer = value.getDefiningOp<ConvOp>();
    if (!consumer || consumer == producer || consumer->getBlock() != &body ||
        !yielded.insert(consumer).second)
      return emitOpError("must yield each consumer conv's result once");
    if (value.getType() != result.getType())
      return emitOpError("result types must be the yielded values' types");
  }
  if (convs != getNumResults() + 1)
    return emitOpError("every consumer conv's result must be yielded exactly once");
  for (Operation *user : producer->getUsers())
    if (user == terminator || !isa<ConvOp>(user) || user->getOperand(0) != producer.getResult() ||
        llvm::count(user->getOperands(), producer.getResult()) != 1)
      return emitOpError("the producer's result may be read only as the input of consumer convs");
  return success();
}

//===----------------------------------------------------------------------===//
// External weights
//===----------------------------------------------------------------------===//

namespace incept {

LogicalResult PrepareOp::verify() {
  for (Type type : llvm::concat<Type>(getInputs().getTypes(), getResultTypes()))
    if (!cast<RankedTensorType>(type).getElementType().isF32())
      return emitOpError("prepares f32 tensors only");
  // The operands, results, params and scalars of each step (prepare.h).
  size_t inputs = getInputs().size(), results = getNumResults();
  size_t params = getParams().size(), scalars = getScalars().size();
  auto expect = [&](bool valid, llvm::StringRef what) -> LogicalResult {
    if (valid)
      return success();
    return emitOpError() << stringifyPrepareStep(getStep()) << " takes " << what;
  };
  switch (getStep()) {
  case PrepareStep::batch_norm:
    return expect(params == 4 && scalars == 1 && results == 2 &&
                      inputs == (getParams()[3] ? 6u : 5u),
                  "weight, scale, shift, mean, variance (and bias where "
                  "has_bias) to 2 results, 4 params and epsilon");
  case PrepareStep::scale_channels:
    return expect(inputs == 2 && results == 1 && params == 3 && !scalars,
                  "2 operands to 1 result, and 3 params");
  case PrepareStep::add_channels:
    return expect(params == 3 && inputs == (getParams()[2] ? 2u : 1u) &&
                      results == 1 && !scalars,
                  "an addend (and a bias where has_bias) to 1 result, and 3 params");
  case PrepareStep::concat:
    return expect(inputs >= 1 && results == 1 && params == inputs + 1 &&
                      getParams()[0] == static_cast<int64_t>(inputs) && !scalars,
                  "n operands to 1 result, and params n and each one's count");
  case PrepareStep::copy:
  case PrepareStep::transpose:
  case PrepareStep::winograd_filters:
    return expect(inputs == 1 && results == 1 && params == 2 && !scalars,
                  "1 operand to 1 result, and 2 params");
  case PrepareStep::broadcast:
    return expect(inputs == 1 && results == 1 && params == 1 && !scalars,
                  "1 operand to 1 result, and 1 param");
  case PrepareStep::pack_blocked:
    return expect(inputs == 1 && results == 1 && params == 6 && !scalars,
                  "1 operand to 1 result, and 6 params");
  }
  return success();
}

} // namespace incept
