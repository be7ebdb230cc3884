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

#include "dialects/Incept/ElementTypes.h"
#include "dialects/Incept/InceptOps.h"
#include "passes/Graph/Constants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/ScopeExit.h"

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

/// First-fit placement of the scratch's values, each freed after the last
/// step that reads it: the scratch holds what is live at once, not every
/// intermediate of the model (Inception v4: its batch-norm-folded weights,
/// before their packing, one conv at a time).
class ScratchPlan {
public:
  int64_t allocate(int64_t floats) {
    floats = alignFloats(floats);
    for (auto it = free.begin(); it != free.end(); ++it)
      if (it->second >= floats) {
        int64_t offset = it->first;
        it->first += floats;
        it->second -= floats;
        if (!it->second)
          free.erase(it);
        return offset;
      }
    int64_t offset = end;
    end += floats;
    return offset;
  }

  void release(int64_t offset, int64_t floats) {
    floats = alignFloats(floats);
    auto it = llvm::lower_bound(free, std::make_pair(offset, int64_t(0)));
    it = free.insert(it, {offset, floats});
    // Merge with the neighbours.
    if (std::next(it) != free.end() && it->first + it->second == std::next(it)->first) {
      it->second += std::next(it)->second;
      free.erase(std::next(it));
    }
    if (it != free.begin() && std::prev(it)->first + std::prev(it)->second == it->first) {
      std::prev(it)->second += it->second;
      free.erase(it);
    }
  }

  int64_t size() const { return end; }

private:
  SmallVector<std::pair<int64_t, int64_t>> free; // (offset, floats), by offset
  int64_t end = 0;
};

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

    // The last preparation op that reads each value: its scratch is free
    // after that op's steps.
    for (auto [index, op] : llvm::enumerate(ops))
      for (Value operand : op->getOperands())
        lastReader[operand] = index;

    for (auto [index, op] : llvm::enumerate(ops)) {
      llvm::scope_exit releaseDead([&, index = index] {
        for (auto it = scratchOffsets.begin(); it != scratchOffsets.end();) {
          auto found = lastReader.find(it->first);
          if (found == lastReader.end() || found->second <= index) {
            plan.release(it->second, elementsOf(it->first));
            it = scratchOffsets.erase(it);
          } else {
            ++it;
          }
        }
      });
      if (auto weight = dyn_cast<ExternalWeightOp>(op)) {
        slots[weight.getResult()] = slot(PreparationSlot::File, weight.getIndex());
        // Read as it is: copied into the prepared weights.
        int64_t elements = elementsOf(weight.getResult());
        if (readByModel(weight.getResult()) &&
            failed(addStep(PrepareStep::copy, {weight.getResult()}, {elements, elements},
                           {}, {weight.getResult()})))
          return failure();
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
                {b.getNamedAttr(kTensorNameAttr, b.getStringAttr("prepared"))}),
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
    func->setAttr(kScratchFloatsAttr, b.getI64IntegerAttr(plan.size()));
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
  /// prepared weights, the others into the scratch (freed after their last
  /// reader, by run()).
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
      Attribute at;
      if (readByModel(output)) {
        at = slot(PreparationSlot::Prepared, prepared);
        preparedOffsets.push_back({output, prepared});
        prepared = alignFloats(prepared + elementsOf(output));
      } else {
        int64_t offset = plan.allocate(elementsOf(output));
        scratchOffsets.push_back({output, offset});
        at = slot(PreparationSlot::Scratch, offset);
      }
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
  int64_t prepared = 0;
  ScratchPlan plan;
  llvm::DenseMap<Value, size_t> lastReader;
  /// The scratch's values now, and where they are.
  SmallVector<std::pair<Value, int64_t>> scratchOffsets;
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
