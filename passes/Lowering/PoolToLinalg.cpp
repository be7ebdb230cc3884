//===- PoolToLinalg.cpp - incept pools to linalg ---------------------------===//
//
// Pools read a padded input: padding with the lowest finite float for max
// (so it never wins; nor does a NaN, as in ONNX Runtime) or 0 for sums, plus,
// in ceil mode, the rows and columns the last window reaches past the
// declared padding. An average divides each window's sum by the
// number of positions that count — a per-position constant computed here,
// since it depends only on the shapes. A max pool whose indices are used is
// one linalg.generic with two outputs, the max and its input position.
//
// From -O1 on (the conversion's plane-loops option), float max and average
// pools read their input unpadded: the output is split into regions whose
// windows all have the same taps inside the input (the interior, the border
// rows and columns, the corners), and each region pools only those taps. Padding never wins a max and adds
// nothing to a sum, so no number changes; but the pool no longer needs a
// padded copy of its input, which costs a copy wherever the input cannot be
// computed in the padded buffer (a block's input that the 1x1 convs also
// read flattened, see incept-concat-in-place).
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/LinalgBuilders.h"
#include "passes/Lowering/Patterns.h"

#include "dialects/Incept/InceptOps.h"
#include "dialects/Incept/WindowShape.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <limits>

using namespace mlir;

namespace incept {
namespace {

/// The spatial padding a pool reads: the declared pads, widened at the end so
/// that the last (ceil-mode) window lies inside the padded input.
struct PoolPadding {
  int64_t top, left, bottom, right;
};

PoolPadding poolPadding(RankedTensorType inputType, RankedTensorType resultType,
                        ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  int64_t end[2];
  for (int d = 0; d < 2; ++d) {
    int64_t reach = (resultType.getDimSize(d + 2) - 1) * strides[d] +
                    dilatedKernelExtent(kernel[d], dilations[d]);
    int64_t padded = inputType.getDimSize(d + 2) + pads[d] + pads[d + 2];
    end[d] = pads[d + 2] + std::max<int64_t>(0, reach - padded);
  }
  return {pads[0], pads[1], end[0], end[1]};
}

/// linalg's pooling ops take the window as a shape-only operand.
Value windowOperand(OpBuilder &b, Location loc, ArrayRef<int64_t> kernel,
                    Type elementType) {
  return tensor::EmptyOp::create(b, loc, kernel, elementType);
}

/// A run of output positions along one spatial dimension whose windows have
/// the same taps inside the input: outputs [begin, end) read taps
/// [firstTap, endTap) of the kernel, none when the run's windows lie in the
/// padding.
struct WindowRun {
  int64_t begin, end, firstTap, endTap;
  bool readsInput() const { return firstTap < endTap; }
};

/// The runs of `outputSize` positions along a dimension of `inputSize`, in
/// order. Tap k of output o reads o * stride + k * dilation - padBefore.
SmallVector<WindowRun> windowRuns(int64_t inputSize, int64_t outputSize,
                                  int64_t kernel, int64_t stride,
                                  int64_t dilation, int64_t padBefore) {
  SmallVector<WindowRun> runs;
  for (int64_t out = 0; out < outputSize; ++out) {
    int64_t start = out * stride - padBefore;
    int64_t first = std::clamp<int64_t>(
        llvm::divideCeilSigned(-start, dilation), 0, kernel);
    int64_t end = std::clamp<int64_t>(
        llvm::divideCeilSigned(inputSize - start, dilation), first, kernel);
    if (!runs.empty() && runs.back().firstTap == first &&
        runs.back().endTap == end)
      runs.back().end = out + 1;
    else
      runs.push_back({out, out + 1, first, end});
  }
  return runs;
}

/// `tensor.extract_slice` of an NCHW tensor's spatial window at
/// (`top`, `left`) of `height` x `width`, all batches and channels; the
/// tensor itself when the window is all of it.
Value spatialSlice(OpBuilder &b, Location loc, Value tensor, int64_t top,
                   int64_t left, int64_t height, int64_t width) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (top == 0 && left == 0 && height == type.getDimSize(2) &&
      width == type.getDimSize(3))
    return tensor;
  MLIRContext *context = b.getContext();
  return tensor::ExtractSliceOp::create(
      b, loc, tensor, getAsIndexOpFoldResult(context, {0, 0, top, left}),
      getAsIndexOpFoldResult(context, {type.getDimSize(0), type.getDimSize(1),
                                       height, width}),
      getAsIndexOpFoldResult(context, {1, 1, 1, 1}));
}

/// A pool of `input` (NCHW, unpadded) accumulated into `init`, the output
/// filled with the reduction's start (-inf, 0), as one named `PoolOp` per
/// region of output positions whose windows have the same taps inside the
/// input, each reading a slice of the input through a window of only those
/// taps, writing a slice of the output in place. A region whose windows lie
/// in the padding keeps its start value, as padding alone would give.
template <typename PoolOp>
Value buildUnpaddedPool(OpBuilder &b, Location loc, Value input, Value init,
                        ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(init.getType());
  SmallVector<WindowRun> runs[2];
  for (int d = 0; d < 2; ++d)
    runs[d] = windowRuns(inputType.getDimSize(d + 2),
                         resultType.getDimSize(d + 2), kernel[d], strides[d],
                         dilations[d], pads[d]);
  // Where a run's first window starts reading, and how far its windows reach.
  auto inputStart = [&](const WindowRun &run, int d) {
    return run.begin * strides[d] + run.firstTap * dilations[d] - pads[d];
  };
  auto inputExtent = [&](const WindowRun &run, int d) {
    return (run.end - run.begin - 1) * strides[d] +
           (run.endTap - run.firstTap - 1) * dilations[d] + 1;
  };
  Value result = init;
  for (const WindowRun &rows : runs[0])
    for (const WindowRun &columns : runs[1]) {
      if (!rows.readsInput() || !columns.readsInput())
        continue;
      Value window = spatialSlice(b, loc, input, inputStart(rows, 0),
                                  inputStart(columns, 1), inputExtent(rows, 0),
                                  inputExtent(columns, 1));
      Value region = spatialSlice(b, loc, result, rows.begin, columns.begin,
                                  rows.end - rows.begin,
                                  columns.end - columns.begin);
      Value taps = windowOperand(
          b, loc,
          {rows.endTap - rows.firstTap, columns.endTap - columns.firstTap},
          resultType.getElementType());
      Value pooled =
          PoolOp::create(b, loc, TypeRange{region.getType()},
                         ValueRange{window, taps}, ValueRange{region},
                         b.getI64TensorAttr(strides),
                         b.getI64TensorAttr(dilations))
              .getResult(0);
      if (region == result) {
        result = pooled;
        continue;
      }
      MLIRContext *context = b.getContext();
      result = tensor::InsertSliceOp::create(
          b, loc, pooled, result,
          getAsIndexOpFoldResult(context, {0, 0, rows.begin, columns.begin}),
          getAsIndexOpFoldResult(
              context, cast<RankedTensorType>(region.getType()).getShape()),
          getAsIndexOpFoldResult(context, {1, 1, 1, 1}));
    }
  return result;
}

/// The iteration space (n, c, oh, ow, kh, kw) of a pool written as a
/// linalg.generic: the input read at (oh*s + kh*d, ow*s + kw*d), the window
/// operand that gives kh and kw their extent, the output, and the iterators.
struct WindowLoops {
  AffineMap input, window, output;
  SmallVector<utils::IteratorType> iterators;
};

WindowLoops windowLoops(MLIRContext *context, ArrayRef<int64_t> strides,
                        ArrayRef<int64_t> dilations) {
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  WindowLoops loops;
  loops.input = AffineMap::get(6, 0,
                               {d(0), d(1), d(2) * strides[0] + d(4) * dilations[0],
                                d(3) * strides[1] + d(5) * dilations[1]},
                               context);
  loops.window = AffineMap::get(6, 0, {d(4), d(5)}, context);
  loops.output = AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, context);
  loops.iterators.assign(4, utils::IteratorType::parallel);
  loops.iterators.append(2, utils::IteratorType::reduction);
  return loops;
}

/// The max over each window of an integer NCHW tensor, signed or unsigned:
/// a linalg.generic over (n, c, oh, ow, kh, kw), since linalg's named NCHW
/// max pool compares signed.
Value buildIntegerMaxPool(OpBuilder &b, Location loc, Value input, Value init,
                          RankedTensorType resultType, ArrayRef<int64_t> kernel,
                          ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                          bool isUnsigned) {
  WindowLoops loops = windowLoops(b.getContext(), strides, dilations);
  Value window = windowOperand(b, loc, kernel, resultType.getElementType());
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{input, window}, init,
             ArrayRef<AffineMap>{loops.input, loops.window, loops.output},
             loops.iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value max = isUnsigned
                               ? arith::MaxUIOp::create(nb, l, args[0], args[2])
                                     .getResult()
                               : arith::MaxSIOp::create(nb, l, args[0], args[2])
                                     .getResult();
               linalg::YieldOp::create(nb, l, max);
             })
      .getResult(0);
}

/// linalg's named max pool propagates NaN (maximumf); ONNX Runtime's never
/// lets a NaN win. This is the named op's float max pool with maxnumf, as a
/// linalg.generic, with the named op's create (for buildUnpaddedPool).
struct FloatMaxPoolOp {
  static linalg::GenericOp create(OpBuilder &b, Location loc, TypeRange resultTypes,
                                  ValueRange inputs, ValueRange inits,
                                  DenseIntElementsAttr strides,
                                  DenseIntElementsAttr dilations) {
    WindowLoops loops =
        windowLoops(b.getContext(), llvm::to_vector(strides.getValues<int64_t>()),
                    llvm::to_vector(dilations.getValues<int64_t>()));
    return linalg::GenericOp::create(
        b, loc, resultTypes, inputs, inits,
        ArrayRef<AffineMap>{loops.input, loops.window, loops.output}, loops.iterators,
        [&](OpBuilder &nb, Location l, ValueRange args) {
          linalg::YieldOp::create(nb, l,
                                  arith::MaxNumFOp::create(nb, l, args[2], args[0])
                                      .getResult());
        });
  }
};

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  MaxPoolLowering(const TypeConverter &converter, MLIRContext *context,
                  bool unpadded)
      : OpConversionPattern(converter, context), unpadded(unpadded) {}
  /// Float pools read their input unpadded, region by region.
  bool unpadded;

  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType =
        getTypeConverter()->convertType<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    if (unpadded && isa<FloatType>(resultType.getElementType())) {
      Value init = buildFilled(rewriter, loc, resultType,
                               maxPoolStart(resultType.getElementType(), false));
      rewriter.replaceOp(op, buildUnpaddedPool<FloatMaxPoolOp>(
                                 rewriter, loc, adaptor.getInput(), init,
                                 op.getKernelShape(), op.getStrides(),
                                 op.getPads(), op.getDilations()));
      return success();
    }
    PoolPadding p = poolPadding(inputType, resultType, op.getKernelShape(),
                                op.getStrides(), op.getPads(), op.getDilations());
    // Padding never wins: the lowest finite float, or the integer type's
    // minimum.
    bool isUnsigned = hasUnsignedElements(op.getType());
    double lowest = maxPoolStart(resultType.getElementType(), isUnsigned);
    Value input = buildSpatialPad(rewriter, loc, adaptor.getInput(), p.top,
                                  p.left, p.bottom, p.right, lowest);
    Value init = buildFilled(rewriter, loc, resultType, lowest);
    if (isa<IntegerType>(resultType.getElementType())) {
      rewriter.replaceOp(op, buildIntegerMaxPool(
                                 rewriter, loc, input, init, resultType,
                                 op.getKernelShape(), op.getStrides(),
                                 op.getDilations(), isUnsigned));
      return success();
    }
    Value pool =
        FloatMaxPoolOp::create(
            rewriter, loc, TypeRange{resultType},
            ValueRange{input, windowOperand(rewriter, loc, op.getKernelShape(),
                                            resultType.getElementType())},
            ValueRange{init}, rewriter.getI64TensorAttr(op.getStrides()),
            rewriter.getI64TensorAttr(op.getDilations()))
            .getResult(0);
    rewriter.replaceOp(op, pool);
    return success();
  }
};

/// max_pool_with_indices: one linalg.generic over (n, c, oh, ow, kh, kw) with
/// two outputs, the max (initially the lowest value) and its flat input
/// position (initially -1). A position is taken when it lies inside the
/// input and either nothing was taken yet or its value is strictly greater:
/// padding never wins and, since the reduction loops run in window order,
/// the first of equal maxima does (ONNX Runtime's rule).
struct MaxPoolWithIndicesLowering
    : OpConversionPattern<MaxPoolWithIndicesOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPoolWithIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = getTypeConverter()->convertType<RankedTensorType>(
        op.getOutput().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations();
    PoolPadding p = poolPadding(inputType, resultType, kernel, strides,
                                op.getPads(), dilations);
    bool isUnsigned = hasUnsignedElements(op.getOutput().getType());
    Type elementType = resultType.getElementType();
    double lowest = lowestValue(elementType, isUnsigned);
    Value input = buildSpatialPad(rewriter, loc, adaptor.getInput(), p.top,
                                  p.left, p.bottom, p.right, lowest);
    Value maxInit = buildFilled(rewriter, loc, resultType, lowest);
    Value indexInit = buildFilled(rewriter, loc, indicesType, -1.0);

    WindowLoops loops = windowLoops(getContext(), strides, dilations);
    Value window = windowOperand(rewriter, loc, kernel, elementType);

    int64_t channels = inputType.getDimSize(1);
    int64_t height = inputType.getDimSize(2), width = inputType.getDimSize(3);
    bool columnMajor = op.getStorageOrder() == 1;
    int64_t top = p.top, left = p.left;
    auto body = [&](OpBuilder &b, Location l, ValueRange args) {
      auto index = [&](int64_t v) -> Value {
        return arith::ConstantIndexOp::create(b, l, v);
      };
      auto mul = [&](Value x, int64_t v) -> Value {
        return arith::MulIOp::create(b, l, x, index(v));
      };
      auto add = [&](Value x, Value y) -> Value {
        return arith::AddIOp::create(b, l, x, y);
      };
      auto loopIndex = [&](unsigned dim) -> Value {
        return linalg::IndexOp::create(b, l, dim);
      };
      // The position in the unpadded input: oh * s + kh * d - top.
      auto inputPosition = [&](unsigned out, unsigned k, int64_t stride,
                               int64_t dilation, int64_t pad) -> Value {
        Value padded = add(mul(loopIndex(out), stride),
                           mul(loopIndex(k), dilation));
        return arith::SubIOp::create(b, l, padded, index(pad));
      };
      Value h = inputPosition(2, 4, strides[0], dilations[0], top);
      Value w = inputPosition(3, 5, strides[1], dilations[1], left);
      // Unsigned comparisons also reject negative positions.
      auto below = [&](Value x, int64_t bound) -> Value {
        return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, x,
                                     index(bound));
      };
      Value inside =
          arith::AndIOp::create(b, l, below(h, height), below(w, width));
      Value plane = mul(add(mul(loopIndex(0), channels), loopIndex(1)),
                        height * width);
      Value spatial =
          columnMajor ? add(mul(w, height), h) : add(mul(h, width), w);
      Value position = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                                  add(plane, spatial));

      Value x = args[0], max = args[2], taken = args[3];
      Value greater;
      if (isa<FloatType>(elementType))
        greater =
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, max);
      else
        greater = arith::CmpIOp::create(b, l,
                                        isUnsigned ? arith::CmpIPredicate::ugt
                                                   : arith::CmpIPredicate::sgt,
                                        x, max);
      Value none = arith::CmpIOp::create(
          b, l, arith::CmpIPredicate::slt, taken,
          arith::ConstantIntOp::create(b, l, b.getI64Type(), 0));
      Value take = arith::AndIOp::create(
          b, l, inside, arith::OrIOp::create(b, l, greater, none));
      linalg::YieldOp::create(
          b, l,
          ValueRange{arith::SelectOp::create(b, l, take, x, max),
                     arith::SelectOp::create(b, l, take, position, taken)});
    };
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType, indicesType},
        ValueRange{input, window}, ValueRange{maxInit, indexInit},
        ArrayRef<AffineMap>{loops.input, loops.window, loops.output, loops.output},
        loops.iterators, body);
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

/// The divisor of every output position of an average pool: how many of its
/// window's positions lie in the input, or with `count_include_pad` in the
/// declared padded input (never in the ceil-mode extension).
DenseElementsAttr averageDivisors(AvgPoolOp op, RankedTensorType inputType,
                                  RankedTensorType resultType) {
  ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                    pads = op.getPads();
  int64_t outH = resultType.getDimSize(2), outW = resultType.getDimSize(3);
  auto countAlong = [&](int d, int64_t out) {
    int64_t low = op.getCountIncludePad() ? -pads[d] : 0;
    int64_t high = inputType.getDimSize(d + 2) +
                   (op.getCountIncludePad() ? pads[d + 2] : 0);
    int64_t start = out * strides[d] - pads[d];
    return std::max<int64_t>(
        0, std::min(start + kernel[d], high) - std::max(start, low));
  };
  SmallVector<float> divisors;
  divisors.reserve(outH * outW);
  for (int64_t h = 0; h < outH; ++h)
    for (int64_t w = 0; w < outW; ++w)
      divisors.push_back(float(countAlong(0, h) * countAlong(1, w)));
  auto type = RankedTensorType::get({outH, outW}, resultType.getElementType());
  return DenseElementsAttr::get(type, ArrayRef<float>(divisors));
}

struct AvgPoolLowering : OpConversionPattern<AvgPoolOp> {
  AvgPoolLowering(MLIRContext *context, bool unpadded)
      : OpConversionPattern(context), unpadded(unpadded) {}
  /// The window sums read the input unpadded, region by region.
  bool unpadded;

  LogicalResult
  matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    SmallVector<int64_t> dilations = {1, 1};
    Value init = buildFilled(rewriter, loc, resultType, 0.0);
    Value sum;
    if (unpadded) {
      sum = buildUnpaddedPool<linalg::PoolingNchwSumOp>(
          rewriter, loc, adaptor.getInput(), init, op.getKernelShape(),
          op.getStrides(), op.getPads(), dilations);
    } else {
      PoolPadding p = poolPadding(inputType, resultType, op.getKernelShape(),
                                  op.getStrides(), op.getPads(), dilations);
      Value input = buildSpatialPad(rewriter, loc, adaptor.getInput(), p.top,
                                    p.left, p.bottom, p.right, 0.0);
      sum = linalg::PoolingNchwSumOp::create(
                rewriter, loc, TypeRange{resultType},
                ValueRange{input,
                           windowOperand(rewriter, loc, op.getKernelShape(),
                                         resultType.getElementType())},
                ValueRange{init}, rewriter.getI64TensorAttr(op.getStrides()),
                rewriter.getI64TensorAttr(dilations))
                .getResult(0);
    }
    Value divisors = arith::ConstantOp::create(
        rewriter, loc, averageDivisors(op, inputType, resultType));
    AffineMap spatial = AffineMap::get(
        4, 0, {rewriter.getAffineDimExpr(2), rewriter.getAffineDimExpr(3)},
        getContext());
    Value average = buildElementwise(
        rewriter, loc, resultType, {sum, divisors},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(b, l, args[0], args[1]);
        },
        {rewriter.getMultiDimIdentityMap(4), spatial});
    rewriter.replaceOp(op, average);
    return success();
  }
};

struct GlobalAvgPoolLowering : OpConversionPattern<GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    auto add = [](OpBuilder &b, Location l, ValueRange args) -> Value {
      return arith::AddFOp::create(b, l, args[0], args[1]);
    };
    // Sum over W, then over H: N,C,H,W → N,C,H → N,C.
    Value sum = buildAxisReduction(rewriter, loc, adaptor.getInput(), 3, 0.0, add);
    sum = buildAxisReduction(rewriter, loc, sum, 2, 0.0, add);
    double count = double(inputType.getDimSize(2) * inputType.getDimSize(3));
    auto planeType = RankedTensorType::get(
        {resultType.getDimSize(0), resultType.getDimSize(1)},
        resultType.getElementType());
    Value mean = buildElementwise(
        rewriter, loc, planeType, sum,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::DivFOp::create(
              b, l, args[0], buildFloat(b, l, args[0].getType(), count));
        });
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, mean,
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    return success();
  }
};

} // namespace

void populatePoolToLinalgPatterns(RewritePatternSet &patterns,
                                  const TypeConverter &converter,
                                  bool unpadded) {
  MLIRContext *context = patterns.getContext();
  patterns.add<MaxPoolLowering>(converter, context, unpadded);
  patterns.add<MaxPoolWithIndicesLowering>(converter, context);
  patterns.add<AvgPoolLowering>(context, unpadded);
  patterns.add<GlobalAvgPoolLowering>(context);
}

} // namespace incept
