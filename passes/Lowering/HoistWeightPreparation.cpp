//===- HoistWeightPreparation.cpp - the incept-hoist-weight-preparation pass ===//
//
// External weights are read when a context is created, so whatever the
// compiler would have folded into constants (batch-norms, residual scales,
// merged siblings, blocked packing, Winograd's filter transform) is a chain
// of incept.prepare steps from incept.external_weight tensors. Run on every
// inference those would cost as much as a conv; this pass moves them out of
// the model function into a program the library runs once, at create
// (compiler/Codegen/PreparedWeights.cpp generates it as C calls of
// incept/prepare.h's steps), and the function reads their results from one
// buffer, its new `prepared` argument.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace incept {
#define GEN_PASS_DEF_HOISTWEIGHTPREPARATION
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

/// Offsets are multiples of a cache line of floats, as the arenas'.
constexpr int64_t kPreparedAlignmentFloats = 16;

int64_t alignFloats(int64_t floats) {
  return (floats + kPreparedAlignmentFloats - 1) / kPreparedAlignmentFloats *
         kPreparedAlignmentFloats;
}

int64_t elementsOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getNumElements();
}

bool isPreparation(Operation *op) { return isa<ExternalWeightOp, PrepareOp>(op); }

/// Whether an op outside the preparation reads `value`.
bool readByModel(Value value) {
  return llvm::any_of(value.getUsers(),
                      [](Operation *user) { return !isPreparation(user); });
}

class FunctionHoister {
public:
  FunctionHoister(func::FuncOp func) : func(func), b(func.getContext()) {}

  LogicalResult run() {
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) {
      if (isPreparation(op))
        ops.push_back(op);
    });
    if (ops.empty())
      return success();
    if (!llvm::all_of(ops, [&](Operation *op) {
          return op->getBlock() == &func.getBody().front();
        }))
      return func.emitError("weight preparation inside a region cannot be hoisted");

    for (Operation *op : ops) {
      if (auto weight = dyn_cast<ExternalWeightOp>(op)) {
        slots[weight.getResult()] = slot(PreparationSlot::File, weight.getIndex());
        // Read as it is: copied into the prepared weights.
        if (readByModel(weight.getResult()))
          addStep(PrepareStep::copy, {weight.getResult()},
                  {elementsOf(weight.getResult()), elementsOf(weight.getResult())}, {},
                  {weight.getResult()});
        continue;
      }
      auto prepare = cast<PrepareOp>(op);
      SmallVector<Value> outputs(prepare.getResults());
      if (failed(addStep(prepare.getStep(), prepare.getInputs(), prepare.getParams(),
                         prepare.getScalars(), outputs)))
        return failure();
    }

    // The function reads its prepared weights from a new first argument.
    auto preparedType = RankedTensorType::get({std::max<int64_t>(prepared, 1)},
                                              b.getF32Type());
    if (failed(func.insertArgument(
            0, preparedType,
            b.getDictionaryAttr(
                {b.getNamedAttr("incept.name", b.getStringAttr("prepared"))}),
            func.getLoc())))
      return failure();
    Value argument = func.getArgument(0);
    b.setInsertionPointToStart(&func.getBody().front());
    for (auto &[value, offset] : preparedOffsets) {
      auto type = cast<RankedTensorType>(value.getType());
      Location loc = value.getLoc();
      Value slice = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get({type.getNumElements()}, type.getElementType()),
          argument, ValueRange(), ValueRange(), ValueRange(),
          b.getDenseI64ArrayAttr({offset}),
          b.getDenseI64ArrayAttr({type.getNumElements()}), b.getDenseI64ArrayAttr({1}));
      if (type.getRank() != 1) {
        SmallVector<ReassociationIndices> all = {
            llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))};
        slice = tensor::ExpandShapeOp::create(b, loc, type, slice, all);
      }
      value.replaceUsesWithIf(slice, [](OpOperand &use) {
        return !isPreparation(use.getOwner());
      });
    }
    for (Operation *op : llvm::reverse(ops))
      op->erase();

    func->setAttr(kPreparationAttr, b.getArrayAttr(steps));
    func->setAttr(kPreparationConstantsAttr, b.getArrayAttr(constants));
    func->setAttr(kPreparedFloatsAttr, b.getI64IntegerAttr(prepared));
    func->setAttr(kScratchFloatsAttr, b.getI64IntegerAttr(scratch));
    return success();
  }

private:
  Attribute slot(PreparationSlot kind, int64_t at) {
    return b.getDenseI64ArrayAttr({static_cast<int64_t>(kind), at});
  }

  /// Where the step reading `value` finds it: its slot, or a constant's.
  FailureOr<Attribute> slotOf(Value value, Operation *reader) {
    if (Attribute found = slots.lookup(value))
      return found;
    if (auto constant = value.getDefiningOp<arith::ConstantOp>()) {
      // Inline, whatever held it: the wrapper writes it out as a C array
      // (zeros for a merged conv without a bias may be a resource blob).
      std::optional<std::vector<float>> values = readFloatConstant(value);
      if (!values)
        return reader->emitError("a weight preparation step reads a constant "
                                 "that is not f32");
      constants.push_back(DenseElementsAttr::get(
          cast<RankedTensorType>(value.getType()), ArrayRef<float>(*values)));
      Attribute at = slot(PreparationSlot::Constant, constants.size() - 1);
      slots[value] = at;
      return at;
    }
    return reader->emitError("a weight preparation step reads a value that is "
                             "not a weight");
  }

  /// Records a step writing `outputs`: those the model reads into the
  /// prepared weights, the others into the scratch.
  LogicalResult addStep(PrepareStep step, ValueRange inputs, ArrayRef<int64_t> params,
                        ArrayRef<double> scalars, ArrayRef<Value> outputs) {
    SmallVector<Attribute> in, out;
    for (Value input : inputs) {
      FailureOr<Attribute> at = slotOf(input, func);
      if (failed(at))
        return failure();
      in.push_back(*at);
    }
    for (Value output : outputs) {
      bool kept = readByModel(output);
      int64_t &end = kept ? prepared : scratch;
      Attribute at = slot(kept ? PreparationSlot::Prepared : PreparationSlot::Scratch, end);
      if (kept)
        preparedOffsets.push_back({output, end});
      end = alignFloats(end + elementsOf(output));
      // A file tensor the model reads keeps its file slot for the steps that
      // read it; the copy is what the model sees.
      if (!slots.count(output))
        slots[output] = at;
      out.push_back(at);
    }
    steps.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("step", PrepareStepAttr::get(b.getContext(), step)),
         b.getNamedAttr("params", b.getDenseI64ArrayAttr(params)),
         b.getNamedAttr("scalars", b.getDenseF64ArrayAttr(scalars)),
         b.getNamedAttr("inputs", b.getArrayAttr(in)),
         b.getNamedAttr("outputs", b.getArrayAttr(out))}));
    return success();
  }

  func::FuncOp func;
  OpBuilder b;
  llvm::DenseMap<Value, Attribute> slots;
  SmallVector<std::pair<Value, int64_t>> preparedOffsets;
  SmallVector<Attribute> steps, constants;
  int64_t prepared = 0, scratch = 0;
};

struct HoistWeightPreparation
    : impl::HoistWeightPreparationBase<HoistWeightPreparation> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(FunctionHoister(func).run()))
        return signalPassFailure();
  }
};

} // namespace
} // namespace incept
