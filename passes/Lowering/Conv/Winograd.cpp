//===- Winograd.cpp - the winograd conv strategy, F(4x4, 3x3) -------------===//
//
// A 3x3 stride-1 conv by Winograd's minimal filtering F(4x4, 3x3) (Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each 4x4
// tile of output pixels is Y = Aᵀ [U ⊙ V] A, with U = G g Gᵀ the 6x6
// transform of a 3x3 filter g and V = Bᵀ d B that of the 6x6 input tile d
// under it. Summed over the input channels, the 36 elementwise products are
// 36 independent matrix products [tiles × C] · [C × F]: 36 multiplies per 16
// output pixels where the direct convolution does 144, at the price of the
// two transforms and of V and M = U ⊙ V passing through memory.
//
// On the channel-blocked layout [N, C/c, H, W, c], in three parallel loops:
//
//  1. the input transform, per image, input-channel block and tile: V as a
//     blocked tensor [36·N, C/c, 1, T, c], position p of image n at image
//     p·N + n, its T tiles as the pixels of a 1×T plane;
//  2. the 36 products as one 1x1 blocked conv of V (BlockedKernel.h) over
//     those 36·N images, images p·N … p·N + N − 1 with weight set p (U at
//     position p, transformed and packed at compile time; zero past F and
//     C) → M [36·N, F/c, 1, T, c];
//  3. the output transform with the bias and then the epilogue (residual,
//     activation) on each 4x4 tile, into [N, F/c, 4·TH, 4·TW, c].
//
// A plane that is not a whole number of tiles is rounded up: the input is
// zero-padded past its bottom and right edges, the residual too, and the
// extra output pixels are sliced away. A tile whose Y holds a NaN or an
// infinity is computed directly instead (Inf − Inf in the transforms would
// make NaN of the whole tile), so that they spread as in a direct conv and
// ONNX Runtime. Every product is in f32, the
// transforms' constants too (G's 1/6 and 1/24 are not exact): F(4x4, 3x3)
// loses a few bits against the direct convolution, measured in the
// end-to-end tests against PyTorch float64 (docs/performance.md).
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/Conv/BlockedKernel.h"
#include "passes/Lowering/Conv/ConvLowerings.h"
#include "passes/Lowering/BlockedLayout.h"
#include "passes/Lowering/KernelBuilders.h"
#include "passes/Lowering/LinalgBuilders.h"

#include "passes/Graph/Constants.h"

#include "dialects/Incept/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace incept {
namespace {

constexpr int64_t kTile = 4;     // output pixels of a tile, per dimension
constexpr int64_t kAlpha = 6;    // input pixels of a tile: kTile + 3 - 1
constexpr int64_t kPositions = kAlpha * kAlpha;

// The transforms of F(4, 3), with the points 0, ±1, ±2 and ∞ (Lavin's); the
// filters' G is incept_prepare_winograd_filters's (runtime/lib/Prepare.c).
constexpr double kBT[kAlpha][kAlpha] = {
    {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr double kAT[kTile][kAlpha] = {{1, 1, 1, 1, 1, 0},
                                       {0, 1, -1, 2, -2, 0},
                                       {0, 1, 1, 4, 4, 0},
                                       {0, 1, -1, 8, -8, 1}};

/// Σ_k row[k] · values[k] on vectors, leaving out the zero terms: a term
/// of coefficient 1 starts the sum when there is one, ±1 are adds and
/// subtracts, the others FMAs.
Value combine(OpBuilder &b, Location loc, ArrayRef<double> row,
              ArrayRef<Value> values) {
  auto type = cast<VectorType>(values.front().getType());
  Value sum;
  auto first = llvm::find(row, 1.0);
  if (first != row.end())
    sum = values[first - row.begin()];
  for (auto [k, coefficient] : llvm::enumerate(row)) {
    if (coefficient == 0 || (first != row.end() && int64_t(k) == first - row.begin()))
      continue;
    Value x = values[k];
    if (!sum) {
      sum = arith::MulFOp::create(b, loc, x, buildSplat(b, loc, type, coefficient));
    } else if (coefficient == 1) {
      sum = arith::AddFOp::create(b, loc, sum, x);
    } else if (coefficient == -1) {
      sum = arith::SubFOp::create(b, loc, sum, x);
    } else {
      sum = vector::FMAOp::create(b, loc, x, buildSplat(b, loc, type, coefficient), sum);
    }
  }
  return sum;
}

/// M · X · Mᵀ for an R×K matrix M and a K×K tile X (row-major vectors).
template <size_t R, size_t K>
SmallVector<Value> transformTile(OpBuilder &b, Location loc,
                                 const double (&m)[R][K], ArrayRef<Value> x) {
  SmallVector<Value> columns(R * K), result(R * R);
  // (M · X)[r][j] = Σ_k M[r][k] X[k][j]
  for (size_t j = 0; j < K; ++j) {
    SmallVector<Value> column;
    for (size_t k = 0; k < K; ++k)
      column.push_back(x[k * K + j]);
    for (size_t r = 0; r < R; ++r)
      columns[r * K + j] = combine(b, loc, m[r], column);
  }
  // ((M · X) · Mᵀ)[r][s] = Σ_k (M · X)[r][k] M[s][k]
  for (size_t r = 0; r < R; ++r)
    for (size_t s = 0; s < R; ++s)
      result[r * R + s] =
          combine(b, loc, m[s], ArrayRef<Value>(columns).slice(r * K, K));
  return result;
}

/// The shape of one conv in tiles.
struct TiledShape {
  int64_t images, channels, inBlocks, outBlocks, block;
  int64_t outHeight, outWidth, tileRows, tileColumns;
  int64_t tiles() const { return tileRows * tileColumns; }
};

/// What a tile with a NaN or an infinity is computed from instead: the
/// padded, blocked input and the direct weights, packed per output block as
/// [C/c][3][3][c_in][c_out] (a partial last block of input channels dense,
/// BlockedShape::blockChannels).
struct DirectFallback {
  Value input, weights;
};

/// A new f32 tensor of `shape` written tile by tile: work items image ×
/// channel block × row of tiles, each a loop over the row.
using TileBody = llvm::function_ref<Value(OpBuilder &, Value image, Value block,
                                          Value tileRow, Value tileColumn,
                                          Value out)>;
Value buildTileLoops(OpBuilder &b, Location loc, const TiledShape &s,
                     int64_t blocks, ArrayRef<int64_t> shape, TileBody body) {
  Value init = tensor::EmptyOp::create(b, loc, shape, b.getF32Type());
  return buildParallelLoop(
      b, loc, s.images * blocks * s.tileRows, init,
      [&](OpBuilder &b, Value item, ValueRange out) {
        Value row = arith::RemUIOp::create(b, loc, item, buildIndex(b, loc, s.tileRows));
        Value rest = arith::DivUIOp::create(b, loc, item, buildIndex(b, loc, s.tileRows));
        Value block = arith::RemUIOp::create(b, loc, rest, buildIndex(b, loc, blocks));
        Value image = arith::DivUIOp::create(b, loc, rest, buildIndex(b, loc, blocks));
        return buildLoop(b, loc, 0, s.tileColumns, out,
                         [&](OpBuilder &b, Value column, ValueRange out) {
                           return SmallVector<Value>{
                               body(b, image, block, row, column, out[0])};
                         });
      })[0];
}

/// V = Bᵀ d B of every tile of the padded, blocked input.
Value buildInputTransform(OpBuilder &b, Location loc, const TiledShape &s,
                          Value input, VectorType vectorType) {
  Value zero = buildIndex(b, loc, 0);
  return buildTileLoops(
      b, loc, s, s.inBlocks,
      {kPositions * s.images, s.inBlocks, 1, s.tiles(), s.block},
      [&](OpBuilder &b, Value image, Value cb, Value tileRow, Value tileColumn,
          Value out) {
        Value top = buildMulAdd(b, loc, tileRow, kTile, {});
        Value left = buildMulAdd(b, loc, tileColumn, kTile, {});
        SmallVector<Value> d;
        for (int64_t i = 0; i < kAlpha; ++i)
          for (int64_t j = 0; j < kAlpha; ++j)
            d.push_back(buildVectorRead(
                b, loc, vectorType, input,
                {image, cb, buildAddConstant(b, loc, top, i),
                 buildAddConstant(b, loc, left, j), zero}));
        SmallVector<Value> v = transformTile(b, loc, kBT, d);
        Value tile = buildMulAdd(b, loc, tileRow, s.tileColumns, tileColumn);
        for (int64_t p = 0; p < kPositions; ++p) {
          Value at = buildMulAdd(b, loc, buildIndex(b, loc, p), s.images, image);
          out = vector::TransferWriteOp::create(
                    b, loc, v[p], out, ValueRange{at, cb, zero, tile, zero},
                    ArrayRef<bool>{true})
                    .getResult();
        }
        return out;
      });
}

/// Whether any lane of `values` is NaN or ±Inf: Σ (v − v) is NaN then.
Value anyNonFinite(OpBuilder &b, Location loc, ArrayRef<Value> values) {
  Value sum;
  for (Value v : values) {
    Value zeroOrNaN = arith::SubFOp::create(b, loc, v, v);
    sum = sum ? arith::AddFOp::create(b, loc, sum, zeroOrNaN).getResult() : zeroOrNaN;
  }
  Value total = vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD, sum);
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, total, total);
}

/// The direct 3x3 conv of the 4x4 tile at (top, left), output block `fb`,
/// from the padded input and the direct weights (packed one output block a
/// group), without the bias: what a tile with a NaN or an infinity gets
/// instead of Y, so that they spread as a direct conv spreads them.
SmallVector<Value> buildDirectTile(OpBuilder &b, Location loc,
                                   const TiledShape &s, const DirectFallback &direct,
                                   Value image, Value fb, Value top, Value left,
                                   VectorType vectorType) {
  SmallVector<Value> accs(kTile * kTile,
                          arith::ConstantOp::create(
                              b, loc, vectorType, DenseElementsAttr::get(vectorType, 0.0f))
                              .getResult());
  int64_t blockWeights = 9 * s.block * s.block;
  Value outBase = buildMulAdd(b, loc, fb, s.inBlocks * blockWeights, {});
  auto reduceBlock = [&](OpBuilder &b, Value cb, int64_t channels, ValueRange accs) {
    return buildLoop(b, loc, 0, 9, accs, [&](OpBuilder &b, Value tap, ValueRange accs) {
      Value kh = arith::DivUIOp::create(b, loc, tap, buildIndex(b, loc, 3));
      Value kw = arith::RemUIOp::create(b, loc, tap, buildIndex(b, loc, 3));
      Value tapBase = buildMulAdd(
          b, loc, tap, channels * s.block,
          buildMulAdd(b, loc, cb, 9 * s.block * s.block, outBase));
      return buildLoop(b, loc, 0, channels, accs,
                       [&](OpBuilder &b, Value channel, ValueRange accValues) {
        SmallVector<Value> accs(accValues);
        Value w = buildVectorRead(b, loc, vectorType, direct.weights,
                                  {buildMulAdd(b, loc, channel, s.block, tapBase)});
        for (int64_t i = 0; i < kTile; ++i)
          for (int64_t j = 0; j < kTile; ++j) {
            Value row = arith::AddIOp::create(b, loc, buildAddConstant(b, loc, top, i), kh);
            Value column = arith::AddIOp::create(b, loc, buildAddConstant(b, loc, left, j), kw);
            Value x = tensor::ExtractOp::create(
                b, loc, direct.input, ValueRange{image, cb, row, column, channel});
            Value &acc = accs[i * kTile + j];
            acc = vector::FMAOp::create(
                b, loc, vector::BroadcastOp::create(b, loc, vectorType, x), w, acc);
          }
        return accs;
      });
    });
  };
  SmallVector<Value> result = buildLoop(
      b, loc, 0, s.channels / s.block, accs,
      [&](OpBuilder &b, Value cb, ValueRange accs) {
        return reduceBlock(b, cb, s.block, accs);
      });
  if (int64_t lastChannels = s.channels % s.block)
    result = reduceBlock(b, buildIndex(b, loc, s.channels / s.block), lastChannels, result);
  return result;
}

/// Y = Aᵀ m A of every tile of M, plus the bias, then the epilogue; a tile
/// whose Y has a NaN or an infinity is computed directly instead.
Value buildOutputTransform(OpBuilder &b, Location loc, const TiledShape &s,
                           Value products, Value bias, const DirectFallback &direct,
                           const ConvEpilogue &epilogue, VectorType vectorType) {
  Value zero = buildIndex(b, loc, 0);
  return buildTileLoops(
      b, loc, s, s.outBlocks,
      {s.images, s.outBlocks, kTile * s.tileRows, kTile * s.tileColumns, s.block},
      [&](OpBuilder &b, Value image, Value fb, Value tileRow, Value tileColumn,
          Value out) {
        Value tile = buildMulAdd(b, loc, tileRow, s.tileColumns, tileColumn);
        SmallVector<Value> m;
        for (int64_t p = 0; p < kPositions; ++p) {
          Value at = buildMulAdd(b, loc, buildIndex(b, loc, p), s.images, image);
          m.push_back(buildVectorRead(b, loc, vectorType, products,
                                      {at, fb, zero, tile, zero}));
        }
        SmallVector<Value> y = transformTile(b, loc, kAT, m);
        Value top = buildMulAdd(b, loc, tileRow, kTile, {});
        Value left = buildMulAdd(b, loc, tileColumn, kTile, {});
        SmallVector<Type> types(y.size(), vectorType);
        auto ifOp = scf::IfOp::create(b, loc, types, anyNonFinite(b, loc, y),
                                      /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(&ifOp.getThenRegion().front());
          scf::YieldOp::create(b, loc, buildDirectTile(b, loc, s, direct, image, fb,
                                                       top, left, vectorType));
          b.setInsertionPointToStart(&ifOp.getElseRegion().front());
          scf::YieldOp::create(b, loc, y);
        }
        y = SmallVector<Value>(ifOp.getResults());
        Value biasVector;
        if (bias)
          biasVector = buildVectorRead(b, loc, vectorType, bias,
                                       {buildMulAdd(b, loc, fb, s.block, {})});
        for (int64_t i = 0; i < kTile; ++i)
          for (int64_t j = 0; j < kTile; ++j) {
            SmallVector<Value> at = {image, fb, buildAddConstant(b, loc, top, i),
                                     buildAddConstant(b, loc, left, j), zero};
            Value value = y[i * kTile + j];
            if (biasVector)
              value = arith::AddFOp::create(b, loc, value, biasVector);
            value = epilogue.apply(b, loc, value, at);
            out = vector::TransferWriteOp::create(b, loc, value, out, at,
                                                  ArrayRef<bool>{true})
                      .getResult();
          }
        return out;
      });
}

} // namespace

bool isWinogradConv(ConvOp op) {
  auto weight = cast<RankedTensorType>(op.getWeight().getType());
  return op.getGroup() == 1 && weight.getDimSize(2) == 3 &&
         weight.getDimSize(3) == 3 &&
         llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; }) &&
         llvm::all_of(op.getDilations(), [](int64_t d) { return d == 1; });
}

FailureOr<Value> lowerWinogradConv(OpBuilder &b, ConvOp op,
                                   ConvStrategyAttr strategy, Value input,
                                   Value weight, Value bias, Value residual) {
  Location loc = op.getLoc();
  if (!isWeight(weight) || (bias && !isWeight(bias)) || !isWinogradConv(op))
    return failure();

  auto resultType = cast<RankedTensorType>(op.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t block = strategy.getBlock();
  int64_t filters = resultType.getDimSize(1);
  int64_t channels = weightType.getDimSize(1);
  TiledShape s;
  s.images = resultType.getDimSize(0);
  s.channels = channels;
  s.block = block;
  s.inBlocks = ceilDiv(channels, block);
  s.outBlocks = ceilDiv(filters, block);
  s.outHeight = resultType.getDimSize(2);
  s.outWidth = resultType.getDimSize(3);
  s.tileRows = ceilDiv(s.outHeight, kTile);
  s.tileColumns = ceilDiv(s.outWidth, kTile);
  int64_t extraRows = kTile * s.tileRows - s.outHeight;
  int64_t extraColumns = kTile * s.tileColumns - s.outWidth;

  // The 36 products as a 1x1 blocked conv over 36·N images of 1×T pixels.
  BlockedShape gemm;
  gemm.images = kPositions * s.images;
  gemm.inChannels = channels;
  gemm.inBlocks = s.inBlocks;
  gemm.outChannels = filters;
  gemm.outBlocks = s.outBlocks;
  gemm.outHeight = 1;
  gemm.outWidth = s.tiles();
  gemm.kernelHeight = gemm.kernelWidth = 1;
  gemm.strideH = gemm.strideW = gemm.dilationH = gemm.dilationW = 1;
  gemm.block = block;
  gemm.tileF = strategy.getTileF();
  gemm.tileW = strategy.getTileW();
  gemm.imagesPerWeightSet = s.images;
  if (TargetAttr target = lookupTarget(op)) {
    gemm.l1Bytes = target.getL1dBytes();
    gemm.cores = target.getCores();
  }

  Type f32 = resultType.getElementType();
  std::string name = blobName(weight).value_or("conv").str();
  Value u = prepareWeight(
      b, loc, PrepareStep::winograd_filters, {weight}, {filters, channels},
      RankedTensorType::get({kPositions * filters * channels}, f32), name + ".u");
  Value packedWeights =
      createBlockedWeights(b, loc, u, kPositions, gemm, name + ".winograd");
  // The direct weights, for the tiles whose input holds a NaN or an
  // infinity (F(4x4, 3x3) would spread them over the whole tile as NaN).
  BlockedShape directShape = gemm;
  directShape.kernelHeight = directShape.kernelWidth = 3;
  directShape.tileF = 1;
  directShape.imagesPerWeightSet = 0;
  Value directWeights =
      createBlockedWeights(b, loc, weight, 1, directShape, name + ".direct");
  Value packedBias;
  if (bias)
    packedBias = createBlockedBias(b, loc, bias, block, name);

  ArrayRef<int64_t> pads = op.getPads();
  Value paddedInput = buildSpatialPad(b, loc, toBlockedLayout(b, loc, input, block),
                                      pads[0], pads[1], pads[2] + extraRows,
                                      pads[3] + extraColumns, 0.0);
  Value paddedResidual;
  if (residual)
    paddedResidual = buildSpatialPad(b, loc, toBlockedLayout(b, loc, residual, block),
                                     0, 0, extraRows, extraColumns, 0.0);

  auto vectorType = VectorType::get({block}, f32);
  Value transformed = buildInputTransform(b, loc, s, paddedInput, vectorType);
  auto productsType = RankedTensorType::get(
      {gemm.images, s.outBlocks, 1, gemm.outWidth, block}, f32);
  Value products = buildBlockedKernel(b, loc, gemm, transformed, packedWeights,
                                      /*bias=*/Value(), ConvEpilogue(),
                                      productsType);
  Value blocked =
      buildOutputTransform(b, loc, s, products, packedBias,
                           DirectFallback{paddedInput, directWeights},
                           ConvEpilogue::of(op, paddedResidual), vectorType);
  if (extraRows || extraColumns) {
    SmallVector<OpFoldResult> offsets(5, b.getIndexAttr(0)), strides(5, b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = {
        b.getIndexAttr(s.images), b.getIndexAttr(s.outBlocks),
        b.getIndexAttr(s.outHeight), b.getIndexAttr(s.outWidth),
        b.getIndexAttr(block)};
    blocked = tensor::ExtractSliceOp::create(b, loc, blocked, offsets, sizes, strides);
  }
  return fromBlockedLayout(b, loc, blocked, resultType);
}

} // namespace incept
