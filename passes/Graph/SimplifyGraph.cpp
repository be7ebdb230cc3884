//===- SimplifyGraph.cpp - the incept-simplify-graph pass ===//
//
// One tidy form for every other graph pass to match and to leave behind: the
// canonicalisation patterns and folders of the incept and arith ops, plus the
// folding of elementwise arithmetic on constants (the greedy driver cannot do
// that through folders: a folder's result must be an attribute, and our
// weights are resource blobs, which are read and made in Constants.cpp).
// The greedy driver also erases pure ops nobody reads and merges equal
// constants; CSE afterwards merges equal ops on the same operands.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Rewrite/FrozenRewritePatternSet.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace incept {
#define GEN_PASS_DEF_SIMPLIFYGRAPH
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// The name of a constant folded from `op`: its ONNX node's name.
std::string foldedName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str() + ".folded";
  return "folded";
}

/// For each element of `result` (row-major), the element of an operand of
/// shape `operand` that NumPy broadcasting pairs it with.
std::vector<int64_t> broadcastIndices(ArrayRef<int64_t> result,
                                      ArrayRef<int64_t> operand) {
  // Operand strides aligned on the right; a broadcast dimension has stride 0.
  size_t rank = result.size();
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < operand.size(); ++i) {
    size_t operandDim = operand.size() - 1 - i;
    if (operand[operandDim] != 1)
      strides[rank - 1 - i] = stride;
    stride *= operand[operandDim];
  }
  int64_t count = 1;
  for (int64_t extent : result)
    count *= extent;
  std::vector<int64_t> indices(count);
  std::vector<int64_t> position(rank, 0);
  int64_t index = 0;
  for (int64_t linear = 0; linear < count; ++linear) {
    indices[linear] = index;
    // Odometer step over the result's dimensions, innermost first.
    for (size_t d = rank; d-- > 0;) {
      index += strides[d];
      if (++position[d] < result[d])
        break;
      index -= strides[d] * result[d];
      position[d] = 0;
    }
  }
  return indices;
}

/// add/mul of two f32 constants -> one constant, with NumPy broadcasting.
template <typename OpTy>
struct FoldConstantBinary : OpRewritePattern<OpTy> {
  FoldConstantBinary(MLIRContext *context, float (*apply)(float, float))
      : OpRewritePattern<OpTy>(context), apply(apply) {}

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.getElementType().isF32())
      return failure();
    std::optional<std::vector<float>> lhs = readFloatConstant(op.getLhs());
    std::optional<std::vector<float>> rhs = readFloatConstant(op.getRhs());
    if (!lhs || !rhs)
      return failure();
    std::vector<int64_t> lhsIndex = broadcastIndices(
        type.getShape(), cast<RankedTensorType>(op.getLhs().getType()).getShape());
    std::vector<int64_t> rhsIndex = broadcastIndices(
        type.getShape(), cast<RankedTensorType>(op.getRhs().getType()).getShape());
    std::vector<float> values(type.getNumElements());
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = apply((*lhs)[lhsIndex[i]], (*rhs)[rhsIndex[i]]);
    rewriter.replaceOp(op, createFloatConstant(rewriter, op.getLoc(), type, values,
                                               foldedName(op)));
    return success();
  }

  float (*apply)(float, float);
};

/// relu/clip of an f32 constant -> a constant. NaN stays NaN, as in the
/// lowering's maximumf/minimumf.
template <typename OpTy>
struct FoldConstantClamp : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.getElementType().isF32())
      return failure();
    std::optional<std::vector<float>> values = readFloatConstant(op.getInput());
    if (!values)
      return failure();
    auto [low, high] = bounds(op);
    for (float &v : *values)
      if (!std::isnan(v))
        v = std::min(std::max(v, low), high);
    rewriter.replaceOp(op, createFloatConstant(rewriter, op.getLoc(), type, *values,
                                               foldedName(op)));
    return success();
  }

  static std::pair<float, float> bounds(ReluOp) { return {0.0f, INFINITY}; }
  static std::pair<float, float> bounds(ClipOp clip) {
    return {clip.getMin().convertToFloat(), clip.getMax().convertToFloat()};
  }
};

/// The canonicalisation patterns of every loaded op of `dialect`, as
/// mlir's canonicalizer collects them.
void addCanonicalizationPatterns(MLIRContext *context, StringRef dialectName,
                                 RewritePatternSet &patterns) {
  if (Dialect *dialect = context->getLoadedDialect(dialectName))
    dialect->getCanonicalizationPatterns(patterns);
  // Not getRegisteredOperationsByDialect: in LLVM 22 it misses whole dialects
  // (it finds no func op, nor any incept op).
  for (RegisteredOperationName op : context->getRegisteredOperations())
    if (op.getDialectNamespace() == dialectName)
      op.getCanonicalizationPatterns(patterns, context);
}

struct SimplifyGraph : impl::SimplifyGraphBase<SimplifyGraph> {
  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    addCanonicalizationPatterns(context, "incept", set);
    addCanonicalizationPatterns(context, "arith", set);
    set.add<FoldConstantBinary<AddOp>>(context, [](float a, float b) { return a + b; });
    set.add<FoldConstantBinary<MulOp>>(context, [](float a, float b) { return a * b; });
    set.add<FoldConstantClamp<ReluOp>, FoldConstantClamp<ClipOp>>(context);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    // Not converging within the driver's iterations only means less is
    // simplified; the graph is still correct.
    (void)applyPatternsGreedily(getOperation(), patterns);
    IRRewriter rewriter(&getContext());
    eliminateCommonSubExpressions(rewriter, getAnalysis<DominanceInfo>(),
                                  getOperation());
  }

  FrozenRewritePatternSet patterns;
};

} // namespace
} // namespace incept
