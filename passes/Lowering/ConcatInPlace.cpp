//===- ConcatInPlace.cpp - the incept-concat-in-place pass -----------------===//
//
// On linalg on tensors, right before bufferization: make every op that feeds
// a concat's branch or a padded buffer compute straight into its place there,
// so that bufferization copies nothing. Three steps:
//
// 1. A store (an elementwise generic writing a tensor.empty, such as a conv's
//    last op) whose result is only read through slices — a merged sibling
//    conv read channel range by channel range, a conv chain's input read row
//    band by row band — becomes one store per slice, each writing a
//    tensor.empty of its slice's type.
// 2. Every tensor.pad with a constant value becomes a fill of its border and
//    a tensor.insert_slice of its source into the interior, the same form as
//    a concat's branches. Only the border: a fill of the whole buffer would
//    write the interior twice, on one thread (1.5% of GoogLeNet's samples at
//    two threads went to that memset).
// 3. MLIR's empty-tensor elimination replaces the tensor.empty that a
//    tensor.insert_slice's source was computed into with the destination's
//    slice, nested concats and pads included.
//
// Step 3 is refused where it would cost more than it saves: the rows of a
// padded buffer's interior are not adjacent, so flattening a tensor placed
// there (a row conv reading a block's input) could no longer be a view and
// would copy the tensor once per reader instead of once for the pad.
//
//===----------------------------------------------------------------------===//

#include "passes/Lowering/BlockedLayout.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotModuleBufferize.h"
#include "mlir/Dialect/Bufferization/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/SubsetOpInterface.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

namespace incept {
#define GEN_PASS_DEF_CONCATINPLACE
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// An elementwise generic that writes a tensor.empty without reading it: a
/// conv's store, an activation, a batch norm. Any part of its result can be
/// computed alone.
bool isStore(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1 || !generic.isAllParallelLoops())
    return false;
  OpOperand *init = generic.getDpsInitOperand(0);
  return init->get().getDefiningOp<tensor::EmptyOp>() &&
         !generic.payloadUsesValueFromOperand(init) &&
         generic.getMatchingIndexingMap(init).isIdentity();
}

/// store → slice, slice, ... (a merged sibling conv read by channel range, a
/// conv chain's input read by row band) becomes one store per slice, each
/// computing only its slice into a tensor.empty of its own, which step 3 can
/// then replace with the slice's place in a concat or a padded band. The
/// accumulator a conv's store reads is sliced too (a view), not recomputed;
/// overlapping bands recompute their few halo rows of the store, which costs
/// less than writing the whole result and copying every band out of it.
struct SplitStoreBySlices : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp store,
                                PatternRewriter &rewriter) const override {
    if (!isStore(store) || store->getResult(0).use_empty() ||
        isFromBlockedLayout(store))
      return rewriter.notifyMatchFailure(store, "not a store read by slices");
    SmallVector<tensor::ExtractSliceOp> slices;
    for (Operation *user : store->getResult(0).getUsers()) {
      auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
      if (!slice || !slice.hasUnitStride())
        return rewriter.notifyMatchFailure(store, "read other than by slices");
      slices.push_back(slice);
    }
    bool changed = false;
    for (tensor::ExtractSliceOp slice : slices) {
      rewriter.setInsertionPoint(slice);
      FailureOr<TilingResult> tiled = tensor::replaceExtractSliceWithTiledProducer(
          rewriter, slice, cast<OpResult>(store->getResult(0)));
      if (failed(tiled) || tiled->tiledValues.size() != 1 ||
          tiled->tiledValues[0].getType() != slice.getType())
        continue;
      rewriter.replaceOp(slice, tiled->tiledValues[0]);
      changed = true;
    }
    if (store->use_empty())
      rewriter.eraseOp(store);
    return success(changed);
  }
};

/// Whether `collapse`, of a tensor computed in place at `insert`'s subset,
/// could no longer be a view of it: every group of dimensions it merges must
/// be whole in the subset after the group's first dimension (a channel range
/// keeps the rows that a row conv flattens whole; a padded interior does not).
bool breaksCollapse(tensor::InsertSliceOp insert,
                    tensor::CollapseShapeOp collapse) {
  RankedTensorType destType = insert.getDestType();
  if (!insert.hasUnitStride() ||
      insert.getSourceType().getRank() != destType.getRank())
    return true;
  ArrayRef<int64_t> sizes = insert.getStaticSizes();
  for (ReassociationIndices group : collapse.getReassociationIndices())
    for (int64_t d : llvm::drop_begin(group))
      if (sizes[d] != destType.getDimSize(d))
        return true;
  return false;
}

/// Whether computing `subset`'s source in place would turn a reshape into a
/// copy. The tensors that would live in the subset are the source, what its
/// producers computed into (their inits, back to a tensor.empty), and the
/// branches inserted into such a tensor (a concat's branches, in turn);
/// expanding one is always a view, collapsing one may not be.
bool copiesReshape(SubsetInsertionOpInterface subset) {
  auto insert = dyn_cast<tensor::InsertSliceOp>(subset.getOperation());
  SmallVector<Value> worklist = {subset.getSourceOperand().get()};
  llvm::DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    for (Operation *user : value.getUsers()) {
      if (isa<tensor::ReshapeOp>(user))
        return true;
      if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(user))
        if (!insert || breaksCollapse(insert, collapse))
          return true;
    }
    Operation *producer = value.getDefiningOp();
    if (auto inner = dyn_cast_or_null<tensor::InsertSliceOp>(producer)) {
      worklist.append({inner.getSource(), inner.getDest()});
    } else if (auto dps = dyn_cast_or_null<DestinationStyleOpInterface>(producer)) {
      if (auto result = dyn_cast<OpResult>(value))
        worklist.push_back(dps.getTiedOpOperand(result)->get());
    }
  }
  return false;
}

/// `padded` as a tensor.empty whose border alone is filled with the pad
/// value, a box per padded side (the sides of dimension d span the interior
/// of the dimensions before d and the whole of those after, so the boxes do
/// not overlap), and its source inserted into the interior. Fails for
/// dynamic shapes (then the caller fills the whole buffer).
LogicalResult rewritePadAsBorderFill(RewriterBase &rewriter, tensor::PadOp padded) {
  RankedTensorType type = padded.getResultType();
  RankedTensorType sourceType = padded.getSourceType();
  Value value = padded.getConstantPaddingValue();
  ArrayRef<int64_t> low = padded.getStaticLow(), high = padded.getStaticHigh();
  if (!type.hasStaticShape() || !sourceType.hasStaticShape() ||
      ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high))
    return failure();
  Location loc = padded.getLoc();
  int64_t rank = type.getRank();
  Value buffer = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
  MLIRContext *context = rewriter.getContext();
  SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
  auto fillBox = [&](ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
    Value box = tensor::EmptyOp::create(rewriter, loc, sizes, type.getElementType());
    Value filled = linalg::FillOp::create(rewriter, loc, value, box).getResult(0);
    buffer = tensor::InsertSliceOp::create(
        rewriter, loc, filled, buffer, getAsIndexOpFoldResult(context, offsets),
        getAsIndexOpFoldResult(context, sizes), strides);
  };
  for (int64_t d = 0; d < rank; ++d) {
    SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape());
    for (int64_t k = 0; k < d; ++k) {
      offsets[k] = low[k];
      sizes[k] = sourceType.getDimSize(k);
    }
    if (low[d]) {
      sizes[d] = low[d];
      fillBox(offsets, sizes);
    }
    if (high[d]) {
      offsets[d] = low[d] + sourceType.getDimSize(d);
      sizes[d] = high[d];
      fillBox(offsets, sizes);
    }
  }
  rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
      padded, padded.getSource(), buffer, getAsIndexOpFoldResult(context, low),
      getAsIndexOpFoldResult(context, sourceType.getShape()), strides);
  return success();
}

struct ConcatInPlace : impl::ConcatInPlaceBase<ConcatInPlace> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();

    // 1. One store per slice; the inits of the sliced stores (slices of a
    //    tensor.empty) fold to tensor.empty.
    RewritePatternSet patterns(context);
    patterns.add<SplitStoreBySlices>(context);
    tensor::populateFoldTensorEmptyPatterns(patterns);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();

    // 2. Pads as a fill and an insert.
    IRRewriter rewriter(context);
    SmallVector<tensor::PadOp> pads;
    module.walk([&](tensor::PadOp padded) {
      // One value (a constant or one from outside): a fill.
      if (padded.getConstantPaddingValue())
        pads.push_back(padded);
    });
    for (tensor::PadOp padded : pads) {
      rewriter.setInsertionPoint(padded);
      if (succeeded(rewritePadAsBorderFill(rewriter, padded)))
        continue;
      if (failed(linalg::rewriteInDestinationPassingStyle(rewriter, padded)))
        return signalPassFailure();
    }

    // 3. Empty-tensor elimination, as eliminate-empty-tensors analyses a
    //    module (function boundaries included), but refusing subsets where
    //    a reshape would then copy.
    bufferization::OneShotBufferizationOptions options;
    options.allowReturnAllocsFromLoops = true;
    options.bufferizeFunctionBoundaries = true;
    bufferization::OneShotAnalysisState state(module, options);
    if (failed(bufferization::analyzeModuleOp(module, state)))
      return signalPassFailure();
    auto buildSlot = [](RewriterBase &rewriter,
                        SubsetInsertionOpInterface subset,
                        tensor::EmptyOp empty, Operation *user) -> Value {
      if (copiesReshape(subset))
        return {};
      Value slot =
          bufferization::buildSubsetExtraction(rewriter, subset, empty, user);
      if (!slot)
        return {};
      // Inserts are visited inner first: a concat's first branch already
      // reads its slot as a slice of the concat's tensor.empty when the pad
      // of the concat replaces that tensor.empty (at its use as the insert's
      // destination only). Those slices must move into the padded buffer too,
      // or the branch would be computed aside and copied.
      auto isSlice = [](OpOperand &use) {
        return isa<tensor::ExtractSliceOp>(use.getOwner());
      };
      if (llvm::none_of(empty->getUses(), isSlice))
        return slot;
      DominanceInfo dominance;
      // The slot is built just before `user`; the slices may come earlier.
      (void)moveValueDefinitions(rewriter, slot, empty, dominance);
      rewriter.replaceUsesWithIf(empty, slot, [&](OpOperand &use) {
        return isSlice(use) && dominance.properlyDominates(slot, use.getOwner());
      });
      return slot;
    };
    if (failed(bufferization::eliminateEmptyTensors(rewriter, module, state,
                                                    buildSlot)))
      return signalPassFailure();

    // The tensor.empty ops replaced above, and those of the split stores.
    module.walk([&](tensor::EmptyOp empty) {
      if (empty->use_empty())
        rewriter.eraseOp(empty);
    });
  }
};

} // namespace
} // namespace incept
