//===- ConvChainToLinalg.cpp - incept.conv_chain, band by band ------------===//
//
// A conv chain is computed one image at a time, over bands of the consumers'
// output rows. For each band the producer runs on just the rows of the
// intermediate that the consumers' windows reach (rows that two bands both
// need are computed twice) into a slab small enough to stay in cache, each
// consumer runs on that slab, and the band is inserted into its result. The
// intermediate never exists as a whole tensor.
//
// A band is written as incept.conv ops on static-shape slices, which the
// conversion then lowers with the conv patterns like any other conv. The
// producer reads its input's rows unpadded; a conv keeps its top (bottom)
// padding only in a band that reaches its input's top (bottom) edge. Bands of
// one shape (the inner ones) run in an scf.for whose offsets move with the
// band index; the others (the edge bands, a shorter last band) are peeled, so
// every shape is static.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/ConvChainBands.h"
#include "passes/Lowering/Patterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

using namespace mlir;

namespace incept {
namespace {

/// The rows of a conv's input that a range of its output rows reads, cut to
/// the input; what the windows reach past its edges is zero padding.
struct RowWindow {
  int64_t begin = 0, end = 0;  // input rows read
  int64_t top = 0, bottom = 0; // padding rows above and below them
  int64_t size() const { return end - begin; }
};

RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Rows one window spans (dilation included).
int64_t windowRows(ConvOp conv) {
  int64_t kernel = typeOf(conv.getWeight()).getDimSize(2);
  return (kernel - 1) * conv.getDilations()[0] + 1;
}

/// The input rows that output rows [first, first + count) of `conv` read.
RowWindow rowsRead(ConvOp conv, int64_t first, int64_t count) {
  int64_t rows = typeOf(conv.getInput()).getDimSize(2);
  int64_t stride = conv.getStrides()[0], top = conv.getPads()[0];
  int64_t begin = first * stride - top;
  int64_t end = (first + count - 1) * stride - top + windowRows(conv);
  return {std::max<int64_t>(begin, 0), std::min(end, rows),
          std::max<int64_t>(-begin, 0), std::max<int64_t>(end - rows, 0)};
}

/// Output rows [first, first + count) of every consumer, in one image.
struct Band {
  int64_t first = 0, count = 0;
  /// Rows of the intermediate the producer computes: the union of what the
  /// consumers read.
  int64_t slabBegin = 0, slabEnd = 0;
  /// Rows of the chain's input the producer reads for them.
  RowWindow producerInput;
  /// Rows of the intermediate each consumer reads.
  SmallVector<RowWindow, 4> consumerInputs;

  /// Everything but the offsets: bands of one shape differ only in where
  /// they are, so they can be the iterations of one loop.
  SmallVector<int64_t> shape() const {
    SmallVector<int64_t> key = {count, slabEnd - slabBegin,
                                producerInput.size(), producerInput.top,
                                producerInput.bottom};
    for (const RowWindow &input : consumerInputs)
      key.append(
          {input.begin - slabBegin, input.size(), input.top, input.bottom});
    return key;
  }
};

Band planBand(ConvOp producer, ArrayRef<ConvOp> consumers, int64_t first,
              int64_t count) {
  Band band;
  band.first = first;
  band.count = count;
  band.slabBegin = std::numeric_limits<int64_t>::max();
  band.slabEnd = std::numeric_limits<int64_t>::min();
  for (ConvOp consumer : consumers) {
    RowWindow input = rowsRead(consumer, first, count);
    band.consumerInputs.push_back(input);
    band.slabBegin = std::min(band.slabBegin, input.begin);
    band.slabEnd = std::max(band.slabEnd, input.end);
  }
  band.producerInput =
      rowsRead(producer, band.slabBegin, band.slabEnd - band.slabBegin);
  return band;
}

SmallVector<Band> planBands(ConvOp producer, ArrayRef<ConvOp> consumers,
                            const ConvChainBands &plan) {
  ConvOp consumer = consumers.front();
  int64_t outputRows = consumer.getType().getDimSize(2);
  SmallVector<Band> bands;
  for (int64_t first = 0; first < outputRows; first += plan.rows)
    bands.push_back(planBand(producer, consumers, first,
                             std::min(plan.rows, outputRows - first)));
  return bands;
}

/// The offsets of a band that move from one band to the next: its first
/// output row, the first row of the chain's input the producer reads, and
/// the first row of the intermediate (only for a producer's residual).
struct BandOffsets {
  OpFoldResult first, producerBegin, slabBegin;
};

/// Builds the bands of one image into `results` (one per consumer).
class ChainBuilder {
public:
  ChainBuilder(ConvChainOp chain, Value input)
      : producer(chain.getProducer()), consumers(chain.getConsumers()),
        input(input) {}

  ConvOp producer;
  SmallVector<ConvOp, 4> consumers;
  Value input;

  /// The bands of image `image`, consecutive bands of one shape in a loop.
  SmallVector<Value> buildImage(OpBuilder &b, Location loc,
                                ArrayRef<Band> bands, OpFoldResult image,
                                ValueRange results) {
    SmallVector<Value> current(results);
    for (size_t begin = 0; begin < bands.size();) {
      size_t end = runEnd(bands, begin);
      const Band &band = bands[begin];
      if (end - begin == 1) {
        BandOffsets offsets = {b.getIndexAttr(band.first),
                               b.getIndexAttr(band.producerInput.begin),
                               b.getIndexAttr(band.slabBegin)};
        current = buildBand(b, loc, band, image, offsets, current);
        begin = end;
        continue;
      }
      // Offsets of band k of the run: those of its first band plus
      // (k - begin) steps.
      const Band &next = bands[begin + 1];
      int64_t inputStep = next.producerInput.begin - band.producerInput.begin;
      int64_t slabStep = next.slabBegin - band.slabBegin;
      int64_t k0 = static_cast<int64_t>(begin);
      auto index = [&](int64_t value) {
        return arith::ConstantIndexOp::create(b, loc, value).getResult();
      };
      auto loop = scf::ForOp::create(
          b, loc, index(k0), index(static_cast<int64_t>(end)), index(1),
          current,
          [&](OpBuilder &nb, Location l, Value k, ValueRange iterArgs) {
            auto linear = [&](int64_t step, int64_t at) -> OpFoldResult {
              Value offset = arith::MulIOp::create(
                  nb, l, k, arith::ConstantIndexOp::create(nb, l, step));
              if (at != k0 * step)
                offset = arith::AddIOp::create(
                    nb, l, offset,
                    arith::ConstantIndexOp::create(nb, l, at - k0 * step));
              return offset;
            };
            BandOffsets offsets;
            offsets.first = linear(next.first - band.first, band.first);
            offsets.producerBegin = linear(inputStep, band.producerInput.begin);
            if (producer.getResidual())
              offsets.slabBegin = linear(slabStep, band.slabBegin);
            scf::YieldOp::create(
                nb, l, buildBand(nb, l, band, image, offsets, iterArgs));
          });
      current.assign(loop.getResults().begin(), loop.getResults().end());
      begin = end;
    }
    return current;
  }

private:
  /// The end of the run of bands that starts at `begin`: bands of one shape
  /// whose offsets grow by the same steps.
  static size_t runEnd(ArrayRef<Band> bands, size_t begin) {
    size_t end = begin + 1;
    auto steps = [&](size_t k) {
      return std::make_tuple(bands[k].first - bands[k - 1].first,
                             bands[k].producerInput.begin -
                                 bands[k - 1].producerInput.begin,
                             bands[k].slabBegin - bands[k - 1].slabBegin);
    };
    while (end < bands.size() && bands[end].shape() == bands[begin].shape() &&
           (end == begin + 1 || steps(end) == steps(begin + 1)))
      ++end;
    return end;
  }

  /// Rows [row, row + count) of image `image` of an NCHW tensor.
  static Value rowsOf(OpBuilder &b, Location loc, Value source,
                      OpFoldResult image, OpFoldResult row, int64_t count) {
    RankedTensorType type = typeOf(source);
    auto sliceType = RankedTensorType::get(
        {1, type.getDimSize(1), count, type.getDimSize(3)},
        type.getElementType());
    SmallVector<OpFoldResult> offsets = {image, b.getIndexAttr(0), row,
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {
        b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(1)),
        b.getIndexAttr(count), b.getIndexAttr(type.getDimSize(3))};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, loc, sliceType, source, offsets,
                                          sizes, strides);
  }

  /// `conv` on the rows `rows` of its input (given as `input`), with the
  /// padding rows of that window: `outputRows` rows of one image.
  static Value convOnRows(OpBuilder &b, ConvOp conv, Value input,
                          Value residual, const RowWindow &rows,
                          int64_t outputRows) {
    ArrayRef<int64_t> pads = conv.getPads();
    RankedTensorType type = conv.getType();
    auto bandType = RankedTensorType::get(
        {1, type.getDimSize(1), outputRows, type.getDimSize(3)},
        type.getElementType());
    // A clone keeps every attribute (the epilogue, the strategy); only the
    // rows, the band's padding and the residual change.
    auto band = cast<ConvOp>(b.clone(*conv));
    band.getInputMutable().assign(input);
    if (residual)
      band.getResidualMutable().assign(residual);
    band.setPads({rows.top, pads[1], rows.bottom, pads[3]});
    band.getResult().setType(bandType);
    return band;
  }

  SmallVector<Value> buildBand(OpBuilder &b, Location loc, const Band &band,
                               OpFoldResult image, const BandOffsets &offsets,
                               ValueRange results) {
    int64_t slabRows = band.slabEnd - band.slabBegin;
    Value producerRows = rowsOf(b, loc, input, image, offsets.producerBegin,
                                band.producerInput.size());
    Value producerResidual;
    if (Value residual = producer.getResidual())
      producerResidual =
          rowsOf(b, loc, residual, image, offsets.slabBegin, slabRows);
    Value slab = convOnRows(b, producer, producerRows, producerResidual,
                            band.producerInput, slabRows);

    SmallVector<Value> updated;
    for (auto [index, rows] : llvm::enumerate(band.consumerInputs)) {
      ConvOp consumer = consumers[index];
      Value consumerRows =
          rowsOf(b, loc, slab, b.getIndexAttr(0),
                 b.getIndexAttr(rows.begin - band.slabBegin), rows.size());
      Value residual;
      if (Value whole = consumer.getResidual())
        residual = rowsOf(b, loc, whole, image, offsets.first, band.count);
      Value out =
          convOnRows(b, consumer, consumerRows, residual, rows, band.count);
      RankedTensorType outType = typeOf(out);
      SmallVector<OpFoldResult> at = {image, b.getIndexAttr(0), offsets.first,
                                      b.getIndexAttr(0)};
      SmallVector<OpFoldResult> sizes;
      for (int64_t size : outType.getShape())
        sizes.push_back(b.getIndexAttr(size));
      SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
      updated.push_back(tensor::InsertSliceOp::create(
          b, loc, out, results[index], at, sizes, strides));
    }
    return updated;
  }
};

struct ConvChainLowering : OpConversionPattern<ConvChainOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvChainOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ChainBuilder chain(op, adaptor.getInput());
    FailureOr<ConvChainBands> plan =
        planConvChainBands(chain.producer, chain.consumers);
    if (failed(plan)) {
      // No common bands: the convs one after the other, as if never fused.
      IRMapping mapping;
      Block &body = op.getBody().front();
      mapping.map(body.getArgument(0), adaptor.getInput());
      for (Operation &conv : body.without_terminator())
        rewriter.clone(conv, mapping);
      SmallVector<Value> results;
      for (Value value : body.getTerminator()->getOperands())
        results.push_back(mapping.lookup(value));
      rewriter.replaceOp(op, results);
      return success();
    }

    Location loc = op.getLoc();
    SmallVector<Band> bands = planBands(chain.producer, chain.consumers, *plan);
    SmallVector<Value> results;
    for (Type type : op.getResultTypes()) {
      auto tensorType = cast<RankedTensorType>(type);
      results.push_back(tensor::EmptyOp::create(
          rewriter, loc, tensorType.getShape(), tensorType.getElementType()));
    }
    int64_t images = typeOf(op.getInput()).getDimSize(0);
    if (images == 1) {
      results = chain.buildImage(rewriter, loc, bands, rewriter.getIndexAttr(0),
                                 results);
    } else {
      auto index = [&](int64_t value) {
        return arith::ConstantIndexOp::create(rewriter, loc, value).getResult();
      };
      auto loop = scf::ForOp::create(
          rewriter, loc, index(0), index(images), index(1), results,
          [&](OpBuilder &b, Location l, Value image, ValueRange iterArgs) {
            scf::YieldOp::create(
                b, l, chain.buildImage(b, l, bands, image, iterArgs));
          });
      results.assign(loop.getResults().begin(), loop.getResults().end());
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

FailureOr<ConvChainBands> planConvChainBands(ConvOp producer,
                                             ArrayRef<ConvOp> consumers) {
  if (consumers.empty())
    return failure();
  ConvOp first = consumers.front();
  int64_t outputRows = first.getType().getDimSize(2);
  int64_t stride = first.getStrides()[0];
  // Rows of the intermediate that one output row needs: the union of the
  // consumers' windows, `above` rows before the row times the stride and
  // `below` from it on. A band of T rows needs (T - 1) * stride + above +
  // below of them.
  int64_t above = 0, below = 0;
  for (ConvOp consumer : consumers) {
    if (consumer.getType().getDimSize(2) != outputRows ||
        consumer.getStrides()[0] != stride)
      return failure();
    above = std::max(above, consumer.getPads()[0]);
    below = std::max(below, windowRows(consumer) - consumer.getPads()[0]);
  }
  RankedTensorType intermediate = producer.getType();
  int64_t rowBytes = intermediate.getDimSize(1) * intermediate.getDimSize(3) *
                     llvm::divideCeil(intermediate.getElementTypeBitWidth(), 8);
  int64_t fitting =
      (kConvChainSlabBytes / rowBytes - above - below) / stride + 1;
  int64_t maxRows = std::clamp<int64_t>(fitting, 1, outputRows);
  // As few bands as fit, then evened out: 35 rows under a limit of 17 are
  // 12 + 12 + 11 rather than 17 + 17 + 1.
  ConvChainBands plan;
  int64_t count = llvm::divideCeil(outputRows, maxRows);
  plan.rows = llvm::divideCeil(outputRows, count);
  plan.count = llvm::divideCeil(outputRows, plan.rows);
  for (const Band &band : planBands(producer, consumers, plan))
    plan.producerRows += band.slabEnd - band.slabBegin;
  return plan;
}

void populateConvChainToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvChainLowering>(patterns.getContext());
}

} // namespace incept
