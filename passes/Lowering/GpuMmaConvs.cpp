//===- GpuMmaConvs.cpp - the incept-gpu-mma-convs pass --------------------===//
//
// Convolutions as implicit GEMM on the tensor cores, in TF32: C[m][n] +=
// A[m][k] B[k][n] with m an output pixel (batch, row, column), n an output
// channel and k an input channel and filter tap, A gathered from the input
// as it is read (no im2col buffer) and B the filter as it lies, [n][k].
//
// A block of 128 threads (4 warps, 2x2) computes a tile of C, 64x64 where
// the grid fills the GPU (each warp 32x32 of it, as 2x4 mma.sync m16n8k8
// tiles whose accumulators live in registers for the whole reduction), and
// smaller where it would not, down to 32x32 and then split-K, whose last
// block to finish a tile adds up the splits' partial sums: see chooseTiling
// and finishTile. The reduction runs over k in steps of 16 through a 3-stage
// ring of shared-memory tiles: while the tensor cores work on one stage,
// cp.async fills the next two, copying 4 bytes a thread with zero-fill where
// a pixel, channel or tap is out of range (so that the tails of M, N and K
// need no other code, and neither does padding: a conv reading a buffer
// that a zero pad became reads its interior instead, see PaddedBuffers.h),
// or, for a filter that is a weight whose rows of k are 16-byte aligned,
// 16 bytes of a row at once; and each warp reads its fragments with
// ldmatrix. A
// tile's rows are padded by 4 floats, so that the 8 rows an ldmatrix reads
// fall in different banks.
//
// The epilogue runs on the accumulators in registers: the op that
// initialised the conv's output just before it (a fill, or the bias's
// broadcast) is evaluated there instead, and the elementwise op that
// follows it in place (an activation, a scaled residual add: see
// incept-gpu-conv-outputs-in-place) is applied before the one store, which
// puts the channels that a copy would then move elsewhere (a merged 1x1
// conv's branch into its concat slice) there directly. Those ops are erased;
// where there is no initialising op, the accumulators are added to the
// output as linalg.conv's semantics say.
//
//===----------------------------------------------------------------------===//

#include "dialects/Incept/ElementTypes.h"
#include "passes/Lowering/Outlining.h"
#include "passes/Lowering/PaddedBuffers.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSwitch.h"

namespace incept {
#define GEN_PASS_DEF_GPUMMACONVS
#define GEN_PASS_DEF_GPUCONVOUTPUTSINPLACE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

constexpr int64_t kWarpSize = 32;

/// One block's share of the GEMM, and how it walks the reduction.
struct MmaTiling {
  int64_t blockM = 64, blockN = 64, blockK = 16;
  int64_t warpsM = 2, warpsN = 2;
  int64_t stages = 3;
  /// Floats after each row of a shared tile, against bank conflicts: 4 for
  /// ldmatrix's 16-byte rows (TF32), 8 for the 16-bit types' 8-byte pairs
  /// (a half-warp reads 8 bytes a lane from 4 rows: distinct banks).
  int64_t rowPadding = 4;
  /// Blocks that share each tile's reduction (split-K), each summing its
  /// own run of k; the last to finish adds up their partial sums.
  int64_t splits = 1;

  int64_t threads() const { return warpsM * warpsN * kWarpSize; }
  int64_t warpM() const { return blockM / warpsM; }
  int64_t warpN() const { return blockN / warpsN; }
  int64_t rowStride() const { return blockK + rowPadding; }
};

/// What the tensor cores multiply: fp32 operands rounded to TF32 (mma.sync
/// m16n8k8), or converted to FP16 or BF16 (m16n8k16); sums in fp32 always.
enum class Operands { Tf32, Fp16, Bf16 };

std::optional<Operands> operandsNamed(StringRef precision) {
  return llvm::StringSwitch<std::optional<Operands>>(precision)
      .Case("tf32", Operands::Tf32)
      .Case("fp16", Operands::Fp16)
      .Case("bf16", Operands::Bf16)
      .Default(std::nullopt);
}

/// mma.sync's tile: m16n8k8 for TF32, m16n8k16 for the 16-bit types.
constexpr int64_t kMmaM = 16, kMmaN = 8, kMmaKTf32 = 8, kMmaK16 = 16;

struct ConvShape {
  int64_t batch, inChannels, inHeight, inWidth;
  int64_t outChannels, kernelHeight, kernelWidth, outHeight, outWidth;
  int64_t strideH, strideW, dilationH, dilationW;
  /// The zeros above and left of the input that the conv reads as it goes
  /// (where it reads a padded buffer's interior).
  int64_t padTop = 0, padLeft = 0;

  int64_t m() const { return batch * outHeight * outWidth; }
  int64_t n() const { return outChannels; }
  int64_t k() const { return inChannels * kernelHeight * kernelWidth; }
};

/// The shape of `conv` reading `input`, `padding` (top, left) zeros around
/// it: its input, or the interior of its padded input.
std::optional<ConvShape> shapeOf(linalg::Conv2DNchwFchwOp conv, Value input,
                                 std::array<int64_t, 2> padding) {
  auto inputType = dyn_cast<MemRefType>(input.getType());
  auto filter = dyn_cast<MemRefType>(conv.getInputs()[1].getType());
  auto output = dyn_cast<MemRefType>(conv.getOutputs()[0].getType());
  if (!inputType || !filter || !output || !inputType.hasStaticShape() ||
      !filter.hasStaticShape() || !output.hasStaticShape() ||
      !inputType.getElementType().isF32() || !filter.getElementType().isF32() ||
      !output.getElementType().isF32())
    return std::nullopt;
  auto strides = llvm::to_vector(conv.getStrides().getValues<int64_t>());
  auto dilations = llvm::to_vector(conv.getDilations().getValues<int64_t>());
  return ConvShape{inputType.getDimSize(0), inputType.getDimSize(1),
                   inputType.getDimSize(2), inputType.getDimSize(3),
                   filter.getDimSize(0),    filter.getDimSize(2),
                   filter.getDimSize(3),    output.getDimSize(2),
                   output.getDimSize(3),    strides[0],
                   strides[1],              dilations[0],
                   dilations[1],            padding[0],
                   padding[1]};
}

/// Floats one cp.async of the filter copies where its rows are aligned:
/// 16 bytes, the most cp.async moves.
constexpr int64_t kFilterCopyFloats = 4;

/// Whether `filter` is a weight laid out [n][k] densely (any conv's filter
/// as it lies, [n][c][kh][kw]) whose rows start at 16 bytes: its root is a
/// constant (incept-plan-weights places each at 64 bytes) or the prepared
/// weights (the runtime's, with each weight at 64 bytes), its offset from
/// there a multiple of 4 floats, and so is k. Then cp.async may copy 16 bytes
/// of a row at once.
bool hasAlignedFilterRows(Value filter, const ConvShape &shape) {
  auto type = cast<MemRefType>(filter.getType());
  SmallVector<int64_t> strides;
  int64_t offset = 0;
  if (shape.k() % kFilterCopyFloats != 0 || failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || offset % kFilterCopyFloats != 0 ||
      strides != SmallVector<int64_t>{shape.k(), shape.kernelHeight * shape.kernelWidth,
                                      shape.kernelWidth, 1})
    return false;
  Value root = filter;
  while (Operation *definition = root.getDefiningOp()) {
    if (isa<memref::GetGlobalOp>(definition))
      return true;
    auto view = dyn_cast<ViewLikeOpInterface>(definition);
    if (!view || !isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
                      memref::CastOp>(definition))
      return false;
    root = view.getViewSource();
  }
  auto argument = dyn_cast<BlockArgument>(root);
  auto func = argument ? dyn_cast<func::FuncOp>(argument.getOwner()->getParentOp()) : nullptr;
  return func && func.getArgAttr(argument.getArgNumber(), kTensorNameAttr) ==
                     StringAttr::get(filter.getContext(), "prepared");
}

/// Fewest reduction steps a split of k is given (each pays the ring's fill
/// and drain), and most splits of one tile (each one more partial sum for
/// the last block to read).
constexpr int64_t kMinStepsPerSplit = 4, kMaxSplits = 16;

/// The tiling of `shape` on a GPU of `multiprocessors` SMs: the largest
/// block tile (64x64, 64x32, 32x64, 32x32; each a 2x2 of warps) whose grid
/// gives every SM a block; where not even 32x32 tiles do (the 8x8 and
/// 17x17 layers at small batches), k split among as many blocks a tile as
/// fill them, each split at least kMinStepsPerSplit steps long.
MmaTiling chooseTiling(const ConvShape &shape, int64_t multiprocessors, Operands operands) {
  MmaTiling tiling;
  if (operands != Operands::Tf32)
    tiling.rowPadding = 8;
  auto blocks = [&]() -> int64_t {
    return llvm::divideCeil(shape.m(), tiling.blockM) *
           llvm::divideCeil(shape.n(), tiling.blockN);
  };
  using Tile = std::pair<int64_t, int64_t>;
  for (auto [blockM, blockN] : {Tile{64, 64}, Tile{64, 32}, Tile{32, 64}, Tile{32, 32}}) {
    tiling.blockM = blockM;
    tiling.blockN = blockN;
    if (blocks() >= multiprocessors)
      return tiling;
  }
  int64_t steps = llvm::divideCeil(shape.k(), tiling.blockK);
  int64_t splits = std::min({static_cast<int64_t>(llvm::divideCeil(multiprocessors, blocks())),
                             steps / kMinStepsPerSplit, kMaxSplits});
  // As many splits as share the steps evenly, so that none is empty.
  if (splits > 1)
    tiling.splits = llvm::divideCeil(steps, llvm::divideCeil(steps, splits));
  return tiling;
}

/// The ops around a conv that its kernel's epilogue does: the one writing
/// its output's initial values just before it, the elementwise one that
/// reads its output just after it and writes the result back in place, and
/// the copies that then move channel ranges of the output elsewhere whole
/// (a merged 1x1 conv's branch into its concat slice; a classifier's whole
/// output, collapsed, into the model's output), which the kernel does by
/// storing those channels there.
struct Epilogue {
  linalg::LinalgOp initializer, consumer;
  SmallVector<memref::CopyOp> copies;
};

/// An op computing each output element from inputs at that element alone:
/// parallel loops, one init read at the identity and never by the body, no
/// linalg.index.
bool isElementwise(linalg::GenericOp op) {
  return op.getNumLoops() == op.getNumParallelLoops() && op.getNumDpsInits() == 1 &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() &&
         !op.hasIndexSemantics() && !op.payloadUsesValueFromOperand(op.getDpsInitOperand(0));
}

/// Whether `map` picks dimensions and constants only (a broadcast or a
/// projection), so that the epilogue can index with it.
bool isIndexable(AffineMap map) {
  return llvm::all_of(map.getResults(), [](AffineExpr e) {
    return isa<AffineDimExpr, AffineConstantExpr>(e);
  });
}

/// `op` if it is an elementwise generic writing `output` whose inputs the
/// epilogue can index.
linalg::GenericOp elementwiseWriterOf(Operation *op, Value output) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getOutputs()[0] != output || !isElementwise(generic) ||
      !llvm::all_of(generic.getIndexingMapsArray(), isIndexable))
    return nullptr;
  return generic;
}

/// The channels (first, count) of `conv`'s output that `slice` is, if it is
/// whole channels: all images, rows and columns.
std::optional<std::pair<int64_t, int64_t>> channelRangeOf(memref::SubViewOp slice) {
  ArrayRef<int64_t> offsets = slice.getStaticOffsets(), sizes = slice.getStaticSizes();
  MemRefType whole = slice.getSourceType();
  if (slice.getType().getRank() != 4 || ShapedType::isDynamicShape(offsets) ||
      ShapedType::isDynamicShape(sizes) ||
      !llvm::all_of(slice.getStaticStrides(), [](int64_t s) { return s == 1; }) ||
      offsets[0] || offsets[2] || offsets[3] || sizes[0] != whole.getDimSize(0) ||
      sizes[2] != whole.getDimSize(2) || sizes[3] != whole.getDimSize(3))
    return std::nullopt;
  return std::pair(offsets[1], sizes[1]);
}

/// The channels of a conv's output `output` that `view` of it copies whole:
/// a channel range (a merged conv's branch), or all of them, collapsed (the
/// classifier's output, [n][c] of [n][c][1][1]).
std::optional<std::pair<int64_t, int64_t>> copiedChannels(Operation *view, Value output) {
  if (auto slice = dyn_cast<memref::SubViewOp>(view))
    return channelRangeOf(slice);
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(view);
      collapse && collapse.getSrc() == output && collapse.getSrcType().hasStaticShape())
    return std::pair<int64_t, int64_t>(0, collapse.getSrcType().getDimSize(1));
  return std::nullopt;
}

/// The ops after `conv` in its block that `value` is defined by, directly
/// or through their operands, in order.
SmallVector<Operation *> definitionsAfter(Operation *conv, Value value) {
  SmallVector<Operation *> definitions;
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val().getDefiningOp();
    if (!op || op->getBlock() != conv->getBlock() || op->isBeforeInBlock(conv) ||
        llvm::is_contained(definitions, op))
      continue;
    definitions.push_back(op);
    llvm::append_range(worklist, op->getOperands());
  }
  llvm::sort(definitions, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return definitions;
}

/// Whether `op`, between a conv and a copy of the channels `range` of its
/// output `output` to `target`, leaves the copy the same done early, at the
/// conv: it neither reads nor writes the target's buffer (allocating it
/// aside), nor writes the output's, and reads the output only through
/// slices of other channels.
bool commutesWithChannelCopy(Operation *op, Value output, std::pair<int64_t, int64_t> range,
                             Value target) {
  std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
      getEffectsRecursively(op);
  if (!effects)
    return false;
  Value targetBuffer = viewedBuffer(target), outputBuffer = viewedBuffer(output);
  for (const MemoryEffects::EffectInstance &effect : *effects) {
    if (isa<MemoryEffects::Allocate>(effect.getEffect()))
      continue;
    Value value = effect.getValue();
    if (!value || isa<MemoryEffects::Free>(effect.getEffect()))
      return false;
    Value buffer = viewedBuffer(value);
    if (buffer == targetBuffer ||
        (buffer == outputBuffer && isa<MemoryEffects::Write>(effect.getEffect())))
      return false;
    if (buffer != outputBuffer)
      continue;
    auto slice = value.getDefiningOp<memref::SubViewOp>();
    std::optional<std::pair<int64_t, int64_t>> read =
        slice && slice.getSource() == output ? channelRangeOf(slice) : std::nullopt;
    if (!read || (read->first < range.first + range.second &&
                  range.first < read->first + read->second))
      return false;
  }
  return true;
}

/// The copies of whole channel ranges of `conv`'s output (copiedChannels),
/// each the only reader of its view, that the conv's kernel can do by storing the
/// channels at the copy's target: every op between the conv and the copy
/// but its epilogue's `consumer` commutes with the copy (the views and
/// allocations that define the target go before the kernel), and the
/// target is no view of a buffer the conv reads or writes.
SmallVector<memref::CopyOp> channelCopiesOf(linalg::Conv2DNchwFchwOp conv,
                                           Operation *consumer) {
  Value output = conv.getOutputs()[0];
  SmallVector<Value> operands = {viewedBuffer(output), viewedBuffer(conv.getInputs()[0]),
                                 viewedBuffer(conv.getInputs()[1])};
  SmallVector<memref::CopyOp> copies;
  for (Operation *view : output.getUsers()) {
    std::optional<std::pair<int64_t, int64_t>> range = copiedChannels(view, output);
    if (!range || !view->hasOneUse())
      continue;
    auto copy = dyn_cast<memref::CopyOp>(*view->getUsers().begin());
    if (!copy || copy.getSource() != view->getResult(0) ||
        copy->getBlock() != conv->getBlock() || !conv->isBeforeInBlock(copy) ||
        llvm::is_contained(operands, viewedBuffer(copy.getTarget())))
      continue;
    bool commutes = true;
    for (Operation *op = conv->getNextNode(); op != copy && commutes; op = op->getNextNode())
      commutes = op == consumer || commutesWithChannelCopy(op, output, *range, copy.getTarget());
    if (commutes && llvm::all_of(definitionsAfter(conv, copy.getTarget()), [](Operation *op) {
          return isa<memref::AllocOp>(op) || isMemoryEffectFree(op);
        }))
      copies.push_back(copy);
  }
  return copies;
}

/// The initializer, consumer and channel copies of `conv`'s output, where
/// there are ones the epilogue can do.
Epilogue epilogueOf(linalg::Conv2DNchwFchwOp conv) {
  Value output = conv.getOutputs()[0];
  Epilogue epilogue;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(conv->getPrevNode());
      fill && fill.getOutputs()[0] == output)
    epilogue.initializer = fill;
  if (auto generic = elementwiseWriterOf(conv->getPrevNode(), output);
      generic && !llvm::is_contained(generic.getInputs(), output))
    epilogue.initializer = generic;
  // The consumer reads the output where it writes it, and nothing else of it.
  if (auto generic = elementwiseWriterOf(conv->getNextNode(), output);
      generic && llvm::any_of(generic.getDpsInputOperands(), [&](OpOperand *operand) {
        return operand->get() == output;
      }) && llvm::all_of(generic.getDpsInputOperands(), [&](OpOperand *operand) {
        return operand->get() != output ||
               generic.getMatchingIndexingMap(operand).isIdentity();
      }))
    epilogue.consumer = generic;
  epilogue.copies = channelCopiesOf(conv, epilogue.consumer);
  return epilogue;
}

/// Builds one conv's kernels.
class MmaConvBuilder {
public:
  /// With split-K, `tilesDone` counts the splits done of each of this
  /// conv's tiles (0 before the kernel, and again after).
  MmaConvBuilder(OpBuilder &b, Location loc, const ConvShape &shape, const MmaTiling &tiling,
                 Operands operands, Value input, Value filter, Value output,
                 Epilogue epilogue, Value tilesDone = nullptr)
      : b(b), loc(loc), shape(shape), tiling(tiling), operands(operands), input(input),
        filter(filter), output(output), epilogue(epilogue), tilesDone(tilesDone) {}

  /// The kernel at the builder's point.
  void build();

private:
  /// The body of the GEMM kernel `launch`: one tile of C, or one split's
  /// partial sums of it.
  void buildTile(gpu::LaunchOp launch);
  Value index(int64_t value) { return arith::ConstantIndexOp::create(b, loc, value); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, int64_t y) {
    return y ? arith::SubIOp::create(b, loc, x, index(y)).getResult() : x;
  }
  Value mul(Value x, int64_t y) { return arith::MulIOp::create(b, loc, x, index(y)); }
  Value div(Value x, int64_t y) { return arith::DivUIOp::create(b, loc, x, index(y)); }
  Value rem(Value x, int64_t y) { return arith::RemUIOp::create(b, loc, x, index(y)); }
  Value less(Value x, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, index(bound));
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  /// `value` where `valid`, else 0: an address the copy may name but not read.
  Value orZero(Value valid, Value value) {
    return arith::SelectOp::create(b, loc, valid, value, index(0));
  }

  /// The output pixel (batch, row, column) of GEMM row `m`.
  std::array<Value, 3> pixelOf(Value m) {
    int64_t plane = shape.outHeight * shape.outWidth;
    Value within = rem(m, plane);
    return {div(m, plane), div(within, shape.outWidth), rem(within, shape.outWidth)};
  }
  /// The input channel and filter tap of GEMM column `k`.
  std::array<Value, 3> tapOf(Value k) {
    int64_t taps = shape.kernelHeight * shape.kernelWidth;
    Value within = rem(k, taps);
    return {div(k, taps), div(within, shape.kernelWidth), rem(within, shape.kernelWidth)};
  }

  /// `fragment` with each element rounded to TF32, to nearest (ties away
  /// from zero, PTX's cvt.rna.tf32.f32). The tensor cores would drop the low
  /// 13 bits instead, a bias towards zero that grows through a model's
  /// layers (GoogLeNet's output: 1.3% of max|ref| truncated, against
  /// 1e-3 rounded, in the emulator).
  Value roundToTf32(Value fragment);
  /// Starts the copies of the block's reduction step `step` into `stage`,
  /// where the block has such a step; either way commits one group, so that
  /// every wait counts the same.
  Value loadStep(Value step, Value stage);
  /// The copies of reduction step `step` of the whole k (k from
  /// step * blockK) into `stage`.
  void loadTiles(Value step, Value stage);
  /// loadTiles' B where the filter's rows are aligned: 16 bytes a copy,
  /// from k0 on.
  void loadFilterRows(Value k0, Value stage);
  /// The warp's mma.sync over one stage, from and to `accumulators`.
  SmallVector<Value> multiplyStage(Value stage, ValueRange accumulators);
  /// multiplyStage in TF32: fragments read with ldmatrix.
  SmallVector<Value> multiplyStageTf32(Value stage, ValueRange accumulators);
  /// multiplyStage in FP16 or BF16: each lane reads the pairs of its
  /// fragments from the fp32 tiles and converts them.
  SmallVector<Value> multiplyStage16(Value stage, ValueRange accumulators);
  /// The pair of consecutive elements at (row, column) of `tiles`' `stage`,
  /// converted to the 16-bit operand type.
  Value loadPair(Value tiles, Value stage, Value row, Value column);
  /// mma.sync m16n8k16 of 16-bit fragments (A four pairs, B two).
  Value multiply16(ArrayRef<Value> a, ArrayRef<Value> bPairs, Value c);
  /// Calls `element` with the GEMM row and column (m, n) of each element of
  /// the thread's accumulators that is one of C's, and the accumulator's
  /// number and the element's place in it.
  void forEachElement(
      llvm::function_ref<void(Value m, Value n, int64_t position, int64_t half, int64_t column)>
          element);
  /// Stores the sums: as the output's elements, or with split-K as the
  /// block's partial sums into the workspace, [split][n][m], after which the
  /// block that finishes a tile's last split adds up its splits' sums.
  void storeAccumulators(ValueRange accumulators, Value split);
  /// With split-K, once the block's partial sums are stored: counts the
  /// split done, and in the block that found the others done, each thread
  /// adds up the splits' sums of its elements (in split order, whichever
  /// came last) and stores the output.
  void finishTile();
  /// Stores the output element at (image, n, row, column) whose sum over k
  /// is `sum`, the epilogue applied.
  void storeResult(ArrayRef<Value> indices, Value sum);
  /// Stores `value` as the output element at `indices` (image, n, row,
  /// column): into the output, or where a copy of its channel goes.
  void storeOutput(Value value, ArrayRef<Value> indices);
  /// The value `op` (elementwise, writing the output) computes at `indices`
  /// of the output, where the output itself reads as `outputValue`.
  Value evaluate(linalg::LinalgOp op, ValueRange indices, Value outputValue);

  OpBuilder &b;
  Location loc;
  const ConvShape &shape;
  const MmaTiling &tiling;
  Operands operands;
  Value input, filter, output;
  // The filter as rows of k, where cp.async copies 16 bytes of them at once.
  Value filterRows;
  Epilogue epilogue;
  // In the kernel: the shared tiles, the thread's and the block's place.
  Value aTiles, bTiles, thread, lane, warpRow, warpColumn, blockRow, blockColumn;
  // The block's run of reduction steps: all of them, or its split's.
  Value firstStep, stepCount;
  // The partial sums of split-K, the count of each tile's splits done, and
  // in the kernel, whether this block is a tile's last (shared).
  Value workspace, tilesDone;
  Value lastOfTile;
  // The pixel of the A rows this thread copies, and whether it is one.
  std::array<Value, 3> copiedPixel;
  Value copiedPixelValid, copiedRow;
};

Value MmaConvBuilder::loadStep(Value step, Value stage) {
  auto token = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  auto load = scf::IfOp::create(b, loc, b.createOrFold<arith::CmpIOp>(
                                            loc, arith::CmpIPredicate::ult, step, stepCount));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&load.getThenRegion().front());
    loadTiles(add(firstStep, step), stage);
  }
  // The copies' tokens stay in the if; cp.async.commit_group commits
  // whatever copies the thread started.
  return nvgpu::DeviceAsyncCreateGroupOp::create(b, loc, token, ValueRange{});
}

void MmaConvBuilder::loadTiles(Value step, Value stage) {
  Value k0 = mul(step, tiling.blockK);
  // A: each thread copies one row (pixel) of the tile, every
  // threads/blockM-th column; consecutive threads take consecutive pixels,
  // which lie side by side in a row of the input.
  int64_t aColumnStep = tiling.threads() / tiling.blockM;
  Value aFirstColumn = div(thread, tiling.blockM);
  for (int64_t j = 0; j < tiling.blockK / aColumnStep; ++j) {
    Value column = add(aFirstColumn, index(j * aColumnStep));
    Value k = add(k0, column);
    auto [channel, tapRow, tapColumn] = tapOf(k);
    // Above or left of the input, the row or column is negative: as
    // unsigned, past the end, so the padding is zero-filled too.
    Value inRow = sub(add(mul(copiedPixel[1], shape.strideH), mul(tapRow, shape.dilationH)),
                      shape.padTop);
    Value inColumn = sub(
        add(mul(copiedPixel[2], shape.strideW), mul(tapColumn, shape.dilationW)),
        shape.padLeft);
    Value valid = both(both(copiedPixelValid, less(k, shape.k())),
                       both(less(inRow, shape.inHeight), less(inColumn, shape.inWidth)));
    nvgpu::DeviceAsyncCopyOp::create(
        b, loc, aTiles, ValueRange{stage, copiedRow, column}, input,
        ValueRange{orZero(valid, copiedPixel[0]), orZero(valid, channel),
                   orZero(valid, inRow), orZero(valid, inColumn)},
        b.getIndexAttr(1), orZero(valid, index(1)), UnitAttr());
  }
  if (filterRows) {
    loadFilterRows(k0, stage);
    return;
  }
  // B: consecutive threads take consecutive k of one output channel's
  // filter, which lie side by side.
  int64_t bRowStep = tiling.threads() / tiling.blockK;
  Value bColumn = rem(thread, tiling.blockK);
  Value bFirstRow = div(thread, tiling.blockK);
  Value k = add(k0, bColumn);
  auto [channel, tapRow, tapColumn] = tapOf(k);
  for (int64_t j = 0; j < tiling.blockN / bRowStep; ++j) {
    Value row = add(bFirstRow, index(j * bRowStep));
    Value outChannel = add(blockColumn, row);
    Value valid = both(less(outChannel, shape.n()), less(k, shape.k()));
    nvgpu::DeviceAsyncCopyOp::create(
        b, loc, bTiles, ValueRange{stage, row, bColumn}, filter,
        ValueRange{orZero(valid, outChannel), orZero(valid, channel),
                   orZero(valid, tapRow), orZero(valid, tapColumn)},
        b.getIndexAttr(1), orZero(valid, index(1)), UnitAttr());
  }
}

void MmaConvBuilder::loadFilterRows(Value k0, Value stage) {
  // B: each thread copies 16 bytes (4 k) of one output channel's row, the
  // row's tail zero-filled past k; consecutive threads take consecutive runs.
  int64_t threadsPerRow = tiling.blockK / kFilterCopyFloats;
  int64_t rowStep = tiling.threads() / threadsPerRow;
  Value column = mul(rem(thread, threadsPerRow), kFilterCopyFloats);
  Value firstRow = div(thread, threadsPerRow);
  Value k = add(k0, column);
  Value rest = arith::SubIOp::create(b, loc, index(shape.k()), k);
  Value floats = arith::MinUIOp::create(b, loc, index(kFilterCopyFloats), rest);
  for (int64_t j = 0; j < tiling.blockN / rowStep; ++j) {
    Value row = add(firstRow, index(j * rowStep));
    Value outChannel = add(blockColumn, row);
    Value valid = both(less(outChannel, shape.n()), less(k, shape.k()));
    nvgpu::DeviceAsyncCopyOp::create(b, loc, bTiles, ValueRange{stage, row, column},
                                     filterRows,
                                     ValueRange{orZero(valid, outChannel), orZero(valid, k)},
                                     b.getIndexAttr(kFilterCopyFloats), orZero(valid, floats),
                                     b.getUnitAttr());
  }
}

Value MmaConvBuilder::roundToTf32(Value fragment) {
  auto type = cast<VectorType>(fragment.getType());
  for (int64_t i = 0; i < type.getDimSize(0); ++i) {
    Value element = vector::ExtractOp::create(b, loc, fragment, ArrayRef<int64_t>{i, 0});
    Value rounded = LLVM::CallIntrinsicOp::create(b, loc, b.getI32Type(),
                                                  b.getStringAttr("llvm.nvvm.f2tf32.rna"),
                                                  ValueRange{element})
                        .getResult(0);
    fragment = vector::InsertOp::create(
        b, loc, arith::BitcastOp::create(b, loc, b.getF32Type(), rounded), fragment,
        ArrayRef<int64_t>{i, 0});
  }
  return fragment;
}

SmallVector<Value> MmaConvBuilder::multiplyStage(Value stage, ValueRange accumulators) {
  return operands == Operands::Tf32 ? multiplyStageTf32(stage, accumulators)
                                    : multiplyStage16(stage, accumulators);
}

Value MmaConvBuilder::loadPair(Value tiles, Value stage, Value row, Value column) {
  Value pair = vector::LoadOp::create(b, loc, VectorType::get({2}, b.getF32Type()), tiles,
                                      ValueRange{stage, row, column});
  Type element = operands == Operands::Fp16 ? Type(b.getF16Type()) : Type(b.getBF16Type());
  return arith::TruncFOp::create(b, loc, VectorType::get({2}, element), pair);
}

Value MmaConvBuilder::multiply16(ArrayRef<Value> a, ArrayRef<Value> bPairs, Value c) {
  if (operands == Operands::Fp16) {
    auto fragment = [&](ArrayRef<Value> pairs) {
      Value result = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(
                      VectorType::get({static_cast<int64_t>(pairs.size()), 2}, b.getF16Type()),
                      APFloat(APFloat::IEEEhalf(), 0)));
      for (auto [i, pair] : llvm::enumerate(pairs))
        result = vector::InsertOp::create(b, loc, pair, result,
                                          ArrayRef<int64_t>{static_cast<int64_t>(i)});
      return result;
    };
    return nvgpu::MmaSyncOp::create(b, loc, fragment(a), fragment(bPairs), c,
                                    ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK16});
  }
  // nvgpu.mma.sync takes no BF16: NVVM's, on the pairs as 32-bit registers.
  auto word = [&](Value pair) {
    Value bits = vector::BitCastOp::create(b, loc, VectorType::get({1}, b.getI32Type()), pair);
    return vector::ExtractOp::create(b, loc, bits, ArrayRef<int64_t>{0}).getResult();
  };
  SmallVector<Value> aWords, bWords, cValues;
  for (Value pair : a)
    aWords.push_back(word(pair));
  for (Value pair : bPairs)
    bWords.push_back(word(pair));
  for (int64_t i = 0; i < 4; ++i)
    cValues.push_back(vector::ExtractOp::create(b, loc, c, ArrayRef<int64_t>{i / 2, i % 2}));
  Type f32 = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  Value d = NVVM::MmaOp::create(
      b, loc, resultType, aWords, bWords, cValues, ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row, NVVM::MMALayout::col});
  Value result = c;
  for (int64_t i = 0; i < 4; ++i)
    result = vector::InsertOp::create(b, loc, LLVM::ExtractValueOp::create(b, loc, d, i),
                                      result, ArrayRef<int64_t>{i / 2, i % 2});
  return result;
}

SmallVector<Value> MmaConvBuilder::multiplyStage16(Value stage, ValueRange accumulators) {
  // The PTX ISA's m16n8k16 fragments, with g = lane/4 and t = lane%4: A's
  // pairs (row g, column 2t), (g+8, 2t), (g, 2t+8), (g+8, 2t+8); B's, stored
  // [n][k], (n g, k 2t) and (g, 2t+8).
  Value g = div(lane, 4), column = mul(rem(lane, 4), 2);
  Value farColumn = add(column, index(8));
  int64_t tilesM = tiling.warpM() / kMmaM, tilesN = tiling.warpN() / kMmaN;
  SmallVector<Value> result(accumulators);
  for (int64_t kk = 0; kk < tiling.blockK / kMmaK16; ++kk) {
    Value near = add(column, index(kk * kMmaK16)), far = add(farColumn, index(kk * kMmaK16));
    SmallVector<SmallVector<Value, 4>> a;
    for (int64_t i = 0; i < tilesM; ++i) {
      Value top = add(add(warpRow, index(i * kMmaM)), g), bottom = add(top, index(8));
      a.push_back({loadPair(aTiles, stage, top, near), loadPair(aTiles, stage, bottom, near),
                   loadPair(aTiles, stage, top, far), loadPair(aTiles, stage, bottom, far)});
    }
    SmallVector<SmallVector<Value, 2>> bFragments;
    for (int64_t j = 0; j < tilesN; ++j) {
      Value n = add(add(warpColumn, index(j * kMmaN)), g);
      bFragments.push_back(
          {loadPair(bTiles, stage, n, near), loadPair(bTiles, stage, n, far)});
    }
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j) {
        Value &c = result[i * tilesN + j];
        c = multiply16(a[i], bFragments[j], c);
      }
  }
  return result;
}

SmallVector<Value> MmaConvBuilder::multiplyStageTf32(Value stage, ValueRange accumulators) {
  // ldmatrix: lanes 8q..8q+7 name the rows of matrix q; lane l receives, of
  // each matrix, the 32-bit word l%4 of row l/4, which is the fragment
  // mma.sync wants when the matrices are: for A, rows +0/+8 by columns
  // +0/+4 (x4); for B, stored [n][k], its columns +0/+4 (x2).
  Value quarter = div(lane, 8), row = rem(lane, 8);
  Type f32 = b.getF32Type();
  auto fragmentType = VectorType::get({4, 1}, f32);
  auto bFragmentType = VectorType::get({2, 1}, f32);
  int64_t tilesM = tiling.warpM() / kMmaM, tilesN = tiling.warpN() / kMmaN;
  SmallVector<Value> result(accumulators);
  for (int64_t kk = 0; kk < tiling.blockK / kMmaKTf32; ++kk) {
    SmallVector<Value> a, bFragments;
    for (int64_t i = 0; i < tilesM; ++i) {
      Value aRow = add(add(warpRow, index(i * kMmaM)), add(row, mul(rem(quarter, 2), 8)));
      Value aColumn = add(index(kk * kMmaKTf32), mul(div(quarter, 2), 4));
      a.push_back(roundToTf32(nvgpu::LdMatrixOp::create(
          b, loc, fragmentType, aTiles, ValueRange{stage, aRow, aColumn},
          /*transpose=*/false, /*numTiles=*/4)));
    }
    for (int64_t j = 0; j < tilesN; ++j) {
      // x2: lanes 0-15 name the rows (lanes 16-31 repeat them, unread).
      Value bRow = add(add(warpColumn, index(j * kMmaN)), row);
      Value bColumn = add(index(kk * kMmaKTf32), mul(rem(quarter, 2), 4));
      bFragments.push_back(roundToTf32(nvgpu::LdMatrixOp::create(
          b, loc, bFragmentType, bTiles, ValueRange{stage, bRow, bColumn},
          /*transpose=*/false, /*numTiles=*/2)));
    }
    for (int64_t i = 0; i < tilesM; ++i)
      for (int64_t j = 0; j < tilesN; ++j) {
        Value &c = result[i * tilesN + j];
        c = nvgpu::MmaSyncOp::create(b, loc, a[i], bFragments[j], c,
                                     ArrayRef<int64_t>{kMmaM, kMmaN, kMmaKTf32},
                                     /*tf32Enabled=*/true);
      }
  }
  return result;
}

void MmaConvBuilder::forEachElement(
    llvm::function_ref<void(Value m, Value n, int64_t position, int64_t half, int64_t column)>
        element) {
  // The accumulator of lane l: rows l/4 and l/4+8, columns 2(l%4) and +1.
  Value group = div(lane, 4), pairColumn = mul(rem(lane, 4), 2);
  int64_t tilesN = tiling.warpN() / kMmaN;
  int64_t tiles = (tiling.warpM() / kMmaM) * tilesN;
  for (int64_t position = 0; position < tiles; ++position) {
    int64_t i = position / tilesN, j = position % tilesN;
    for (int64_t half = 0; half < 2; ++half) {
      Value m = add(add(blockRow, warpRow), add(index(i * kMmaM + half * 8), group));
      for (int64_t column = 0; column < 2; ++column) {
        Value n = add(add(blockColumn, warpColumn), add(index(j * kMmaN + column), pairColumn));
        Value valid = both(less(m, shape.m()), less(n, shape.n()));
        auto inC = scf::IfOp::create(b, loc, valid, /*withElseRegion=*/false);
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&inC.getThenRegion().front());
        element(m, n, position, half, column);
      }
    }
  }
}

void MmaConvBuilder::storeAccumulators(ValueRange accumulators, Value split) {
  forEachElement([&](Value m, Value n, int64_t position, int64_t half, int64_t column) {
    Value sum = vector::ExtractOp::create(b, loc, accumulators[position],
                                          ArrayRef<int64_t>{half, column});
    if (workspace) {
      memref::StoreOp::create(b, loc, sum, workspace, ValueRange{split, n, m});
      return;
    }
    auto [image, outRow, outColumn] = pixelOf(m);
    storeResult({image, n, outRow, outColumn}, sum);
  });
}

void MmaConvBuilder::finishTile() {
  // Every thread's partial sums visible to the whole GPU before the split
  // counts as done (CUDA's __threadfence), then one thread counts it.
  LLVM::FenceOp::create(b, loc, LLVM::AtomicOrdering::acq_rel, StringAttr());
  gpu::BarrierOp::create(b, loc);
  Value zero = index(0);
  {
    int64_t tilesN = llvm::divideCeil(shape.n(), tiling.blockN);
    Value tile =
        add(mul(div(blockRow, tiling.blockM), tilesN), div(blockColumn, tiling.blockN));
    auto first = scf::IfOp::create(
        b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, thread, zero),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&first.getThenRegion().front());
    Value done = memref::AtomicRMWOp::create(
        b, loc, arith::AtomicRMWKind::addi,
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), 1), tilesDone, ValueRange{tile});
    Value last = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq, done,
        arith::ConstantIntOp::create(b, loc, b.getI32Type(), tiling.splits - 1));
    // The last resets the count, for the next run.
    auto reset = scf::IfOp::create(b, loc, last, /*withElseRegion=*/false);
    b.setInsertionPointToStart(&reset.getThenRegion().front());
    memref::StoreOp::create(b, loc, arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0),
                            tilesDone, ValueRange{tile});
    b.setInsertionPointAfter(reset);
    memref::StoreOp::create(b, loc, arith::ExtUIOp::create(b, loc, b.getI32Type(), last),
                            lastOfTile, ValueRange{zero});
  }
  gpu::BarrierOp::create(b, loc);
  Value flag = memref::LoadOp::create(b, loc, lastOfTile, ValueRange{zero});
  auto isLast = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, flag,
                            arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0)),
      /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&isLast.getThenRegion().front());
  LLVM::FenceOp::create(b, loc, LLVM::AtomicOrdering::acq_rel, StringAttr());
  // The other blocks' sums are read volatile: from L2, where their fence
  // put them, never from a line this SM's L1 may hold from before.
  auto pointerType = LLVM::LLVMPointerType::get(b.getContext());
  Value baseAddress = arith::IndexCastOp::create(
      b, loc, b.getI64Type(), memref::ExtractAlignedPointerAsIndexOp::create(b, loc, workspace));
  Value base = LLVM::IntToPtrOp::create(b, loc, pointerType, ValueRange{baseAddress});
  forEachElement([&](Value m, Value n, int64_t, int64_t, int64_t) {
    Value sum;
    for (int64_t split = 0; split < tiling.splits; ++split) {
      Value at = add(mul(add(mul(index(split), shape.n()), n), shape.m()), m);
      Value address = LLVM::GEPOp::create(
          b, loc, pointerType, b.getF32Type(), base,
          ValueRange{arith::IndexCastOp::create(b, loc, b.getI64Type(), at)});
      Value partial = LLVM::LoadOp::create(b, loc, b.getF32Type(), address, /*alignment=*/4,
                                           /*isVolatile=*/true);
      sum = sum ? arith::AddFOp::create(b, loc, sum, partial).getResult() : partial;
    }
    auto [image, outRow, outColumn] = pixelOf(m);
    storeResult({image, n, outRow, outColumn}, sum);
  });
}

void MmaConvBuilder::storeResult(ArrayRef<Value> indices, Value sum) {
  Value initial = epilogue.initializer
                      ? evaluate(epilogue.initializer, indices, nullptr)
                      : memref::LoadOp::create(b, loc, output, indices).getResult();
  Value value = arith::AddFOp::create(b, loc, initial, sum);
  if (epilogue.consumer)
    value = evaluate(epilogue.consumer, indices, value);
  storeOutput(value, indices);
}

void MmaConvBuilder::storeOutput(Value value, ArrayRef<Value> indices) {
  OpBuilder::InsertionGuard guard(b);
  // A collapsed copy of the whole output: its element at the indices
  // linearised within each group of collapsed dimensions.
  for (memref::CopyOp copy : epilogue.copies) {
    auto collapse = copy.getSource().getDefiningOp<memref::CollapseShapeOp>();
    if (!collapse)
      continue;
    ArrayRef<int64_t> shape = collapse.getSrcType().getShape();
    SmallVector<Value> collapsed;
    for (ReassociationIndices group : collapse.getReassociationIndices()) {
      Value linear = indices[group.front()];
      for (int64_t d : ArrayRef<int64_t>(group).drop_front())
        linear = arith::AddIOp::create(
            b, loc, arith::MulIOp::create(b, loc, linear, index(shape[d])), indices[d]);
      collapsed.push_back(linear);
    }
    memref::StoreOp::create(b, loc, value, copy.getTarget(), collapsed);
  }
  for (memref::CopyOp copy : epilogue.copies) {
    auto slice = copy.getSource().getDefiningOp<memref::SubViewOp>();
    if (!slice)
      continue;
    auto [first, count] = *channelRangeOf(slice);
    Value channel = arith::SubIOp::create(b, loc, indices[1], index(first));
    auto inRange = scf::IfOp::create(b, loc, less(channel, count), /*withElseRegion=*/true);
    b.setInsertionPointToStart(&inRange.getThenRegion().front());
    memref::StoreOp::create(b, loc, value, copy.getTarget(),
                            ValueRange{indices[0], channel, indices[2], indices[3]});
    b.setInsertionPointToStart(&inRange.getElseRegion().front());
  }
  memref::StoreOp::create(b, loc, value, output, indices);
}

Value MmaConvBuilder::evaluate(linalg::LinalgOp op, ValueRange indices, Value outputValue) {
  if (auto fill = dyn_cast<linalg::FillOp>(op.getOperation()))
    return fill.getInputs()[0];
  IRMapping values;
  Block &body = op->getRegion(0).front();
  for (OpOperand *operand : op.getDpsInputOperands()) {
    Value argument = body.getArgument(operand->getOperandNumber());
    if (operand->get() == output) {
      values.map(argument, outputValue);
      continue;
    }
    if (!isa<MemRefType>(operand->get().getType())) { // a scalar
      values.map(argument, operand->get());
      continue;
    }
    SmallVector<Value> at;
    for (AffineExpr e : op.getMatchingIndexingMap(operand).getResults())
      at.push_back(isa<AffineDimExpr>(e)
                       ? indices[cast<AffineDimExpr>(e).getPosition()]
                       : index(cast<AffineConstantExpr>(e).getValue()));
    values.map(argument, memref::LoadOp::create(b, loc, operand->get(), at));
  }
  for (Operation &inner : body.without_terminator())
    b.clone(inner, values);
  return values.lookup(body.getTerminator()->getOperand(0));
}

void MmaConvBuilder::build() {
  MLIRContext *context = b.getContext();
  Attribute workgroup = gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  auto tileType = [&](int64_t rows) {
    return MemRefType::get({tiling.stages, rows, tiling.rowStride()}, b.getF32Type(),
                           MemRefLayoutAttrInterface(), workgroup);
  };
  if (tiling.splits > 1)
    workspace = memref::AllocOp::create(
        b, loc, MemRefType::get({tiling.splits, shape.n(), shape.m()}, b.getF32Type()));
  if (hasAlignedFilterRows(filter, shape))
    filterRows = memref::CollapseShapeOp::create(
        b, loc, filter, ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
  Value one = index(1);
  SmallVector<Type> shared = {tileType(tiling.blockM), tileType(tiling.blockN)};
  if (workspace)
    shared.push_back(MemRefType::get({1}, b.getI32Type(), MemRefLayoutAttrInterface(),
                                     workgroup));
  auto launch = gpu::LaunchOp::create(
      b, loc, index(llvm::divideCeil(shape.m(), tiling.blockM)),
      index(llvm::divideCeil(shape.n(), tiling.blockN)), index(tiling.splits),
      index(tiling.threads()), one, one, /*dynamicSharedMemorySize=*/nullptr,
      /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{}, shared);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  buildTile(launch);
}

void MmaConvBuilder::buildTile(gpu::LaunchOp launch) {
  aTiles = launch.getWorkgroupAttributions()[0];
  bTiles = launch.getWorkgroupAttributions()[1];
  if (workspace)
    lastOfTile = launch.getWorkgroupAttributions()[2];
  thread = launch.getThreadIds().x;
  lane = rem(thread, kWarpSize);
  Value warp = div(thread, kWarpSize);
  warpRow = mul(rem(warp, tiling.warpsM), tiling.warpM());
  warpColumn = mul(div(warp, tiling.warpsM), tiling.warpN());
  blockRow = mul(launch.getBlockIds().x, tiling.blockM);
  blockColumn = mul(launch.getBlockIds().y, tiling.blockN);
  copiedRow = rem(thread, tiling.blockM);
  Value copiedM = add(blockRow, copiedRow);
  copiedPixelValid = less(copiedM, shape.m());
  copiedPixel = pixelOf(orZero(copiedPixelValid, copiedM));

  // The block's steps: split s has steps [s * perSplit, (s + 1) * perSplit),
  // the last what remains (chooseTiling leaves none empty).
  int64_t steps = llvm::divideCeil(shape.k(), tiling.blockK);
  int64_t perSplit = llvm::divideCeil(steps, tiling.splits);
  Value split = launch.getBlockIds().z;
  firstStep = index(0);
  stepCount = index(steps);
  if (tiling.splits > 1) {
    firstStep = mul(split, perSplit);
    Value rest = arith::SubIOp::create(b, loc, stepCount, firstStep);
    stepCount = arith::MinUIOp::create(b, loc, index(perSplit), rest);
  }

  // The first stages-1 steps in flight before the loop.
  Value lastGroup;
  for (int64_t s = 0; s + 1 < tiling.stages; ++s)
    lastGroup = loadStep(index(s), index(s));

  int64_t tiles = (tiling.warpM() / kMmaM) * (tiling.warpN() / kMmaN);
  Value zero = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(VectorType::get({2, 2}, b.getF32Type()), 0.0f));
  SmallVector<Value> initial(tiles, zero);
  auto loop = scf::ForOp::create(b, loc, index(0), stepCount, index(1), initial);
  {
    OpBuilder::InsertionGuard inLoop(b);
    b.setInsertionPointToStart(loop.getBody());
    Value step = loop.getInductionVar();
    // This step's group has landed (this thread's copies) once at most
    // stages-2 younger ones are pending; the barrier makes every thread's
    // copies visible, and frees the stage the last step read.
    nvgpu::DeviceAsyncWaitOp::create(b, loc, lastGroup,
                                     b.getI32IntegerAttr(tiling.stages - 2));
    gpu::BarrierOp::create(b, loc);
    Value next = add(step, index(tiling.stages - 1));
    loadStep(next, rem(next, tiling.stages));
    SmallVector<Value> updated =
        multiplyStage(rem(step, tiling.stages), loop.getRegionIterArgs());
    scf::YieldOp::create(b, loc, updated);
  }
  storeAccumulators(loop.getResults(), split);
  if (workspace)
    finishTile();
  gpu::TerminatorOp::create(b, loc);
}

struct GpuMmaConvs : impl::GpuMmaConvsBase<GpuMmaConvs> {
  using GpuMmaConvsBase::GpuMmaConvsBase;

  void runOnOperation() override {
    std::optional<Operands> operands = operandsNamed(precision);
    if (!operands) {
      getOperation().emitError() << "incept-gpu-mma-convs: precision '" << precision
                                 << "' is not one of tf32, fp16, bf16";
      return signalPassFailure();
    }
    // Every conv's input is settled before any kernel replaces a conv (an
    // input read through a copy's source needs the ops between as they
    // are).
    struct PlannedConv {
      linalg::Conv2DNchwFchwOp conv;
      Value input;
      ConvShape shape;
    };
    SmallVector<PlannedConv> planned;
    llvm::MapVector<Operation *, PaddedBuffer> paddedInputs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (!conv.hasPureBufferSemantics())
        return;
      Value input = conv.getInputs()[0];
      std::optional<PaddedBuffer> padded = paddedBufferOf(input);
      if (padded && padded->isZeroPadded() && padded->padsOnlyRowsAndColumns() &&
          padded->holdsBorderAt(conv)) {
        Value contents = contentsFor(*padded, conv);
        if (std::optional<ConvShape> shape =
                shapeOf(conv, contents, {padded->low[2], padded->low[3]})) {
          planned.push_back({conv, contents, *shape});
          paddedInputs.try_emplace(padded->buffer, *padded);
          return;
        }
      }
      if (std::optional<ConvShape> shape = shapeOf(conv, input, {0, 0}))
        planned.push_back({conv, input, *shape});
    });
    // One count of splits done for each tile of a split conv, zeroed at the
    // start of a run (the buffer is the arena's) and live through the last.
    SmallVector<MmaTiling> tilings;
    int64_t splitTiles = 0;
    for (PlannedConv &plan : planned) {
      tilings.push_back(chooseTiling(plan.shape, multiprocessors, *operands));
      if (tilings.back().splits > 1)
        splitTiles += llvm::divideCeil(plan.shape.m(), tilings.back().blockM) *
                      llvm::divideCeil(plan.shape.n(), tilings.back().blockN);
    }
    Value tilesDone;
    if (splitTiles) {
      Block &entry = getOperation().getBody().front();
      auto b = OpBuilder::atBlockBegin(&entry);
      // Of no ONNX node: named for --profile's table.
      Location loc = NameLoc::get(b.getStringAttr("(split-K tile counts)"),
                                  getOperation().getLoc());
      tilesDone = memref::AllocOp::create(
          b, loc, MemRefType::get({splitTiles}, b.getI32Type()));
      Value zero = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0);
      linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{tilesDone});
    }
    // Each conv's tiles, by node, for the profile's table.
    llvm::MapVector<StringAttr, Attribute> strategies;
    Builder builder(&getContext());
    for (auto [plan, tiling] : llvm::zip_equal(planned, tilings)) {
      StringRef node = nodeName(plan.conv);
      std::string text = "mma " + std::to_string(tiling.blockM) + "x" +
                         std::to_string(tiling.blockN);
      if (tiling.splits > 1)
        text += " k/" + std::to_string(tiling.splits);
      if (!node.empty())
        strategies.insert({builder.getStringAttr(node), builder.getStringAttr(text)});
    }
    if (!strategies.empty())
      getOperation()->setAttr(
          kGpuConvStrategiesAttr,
          builder.getDictionaryAttr(llvm::to_vector(llvm::map_range(
              strategies, [](auto entry) { return NamedAttribute(entry.first, entry.second); }))));
    int64_t firstTile = 0;
    for (auto [plan, tiling] : llvm::zip_equal(planned, tilings)) {
      linalg::Conv2DNchwFchwOp conv = plan.conv;
      OpBuilder b(conv);
      Epilogue epilogue = epilogueOf(conv);
      // The kernel stores into the copies' targets.
      for (memref::CopyOp copy : epilogue.copies)
        for (Operation *definition : definitionsAfter(conv, copy.getTarget()))
          definition->moveBefore(conv);
      // A split conv counts in its own part of the counts, so that convs on
      // different streams (incept-gpu-streams) share no memory.
      Value counts;
      if (tiling.splits > 1) {
        int64_t tiles = llvm::divideCeil(plan.shape.m(), tiling.blockM) *
                        llvm::divideCeil(plan.shape.n(), tiling.blockN);
        counts = memref::SubViewOp::create(b, conv.getLoc(), tilesDone,
                                           ArrayRef<OpFoldResult>{b.getIndexAttr(firstTile)},
                                           ArrayRef<OpFoldResult>{b.getIndexAttr(tiles)},
                                           ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
        firstTile += tiles;
      }
      MmaConvBuilder(b, conv.getLoc(), plan.shape, tiling, *operands, plan.input,
                     conv.getInputs()[1], conv.getOutputs()[0], epilogue, counts)
          .build();
      conv.erase();
      if (epilogue.initializer)
        epilogue.initializer->erase();
      if (epilogue.consumer)
        epilogue.consumer->erase();
      for (memref::CopyOp copy : epilogue.copies) {
        Operation *slice = copy.getSource().getDefiningOp();
        copy.erase();
        slice->erase();
      }
    }
    for (const PaddedBuffer &padded : llvm::make_second_range(paddedInputs))
      eraseUnreadBorder(padded);
  }
};

/// An elementwise op on a conv's result, writing a new tensor, writes the
/// conv's result instead (once nothing else reads it): bufferized, it then
/// works in place on the conv's output, where the conv's kernel finds it.
struct GpuConvOutputsInPlace : impl::GpuConvOutputsInPlaceBase<GpuConvOutputsInPlace> {
  void runOnOperation() override {
    getOperation().walk([](linalg::GenericOp generic) {
      if (!generic.hasPureTensorSemantics() || !isElementwise(generic))
        return;
      OpOperand *init = generic.getDpsInitOperand(0);
      if (!init->get().getDefiningOp<tensor::EmptyOp>())
        return;
      for (OpOperand *input : generic.getDpsInputOperands()) {
        Value result = input->get();
        if (result.getDefiningOp<linalg::Conv2DNchwFchwOp>() && result.hasOneUse() &&
            result.getType() == init->get().getType() &&
            generic.getMatchingIndexingMap(input).isIdentity()) {
          init->set(result);
          return;
        }
      }
    });
  }
};

} // namespace

} // namespace incept
