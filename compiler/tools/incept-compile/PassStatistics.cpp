//===- PassStatistics.cpp - op counts before and after every pass ----------===//
//
// "Bytes in memory" is what the model writes to memory besides its weights:
// on the graph (incept ops) the results of the function's top-level ops,
// except views (slices, reshapes) and the convs inside a conv chain whose
// intermediate stays in a tile buffer; on linalg before bufferization, the
// bytes that inserts and pads will copy; after bufferization, the bytes that
// copies move. A drop in it is what a pass saved.
//
//===----------------------------------------------------------------------===//

#include "compiler/tools/incept-compile/PassStatistics.h"

#include "dialects/Incept/InceptOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace incept {
namespace {

struct Counts {
  int64_t convs = 0, batchNorms = 0, elementwise = 0, concats = 0, chains = 0,
          blocked = 0, copies = 0, bytes = 0;
};

/// One row of the table: the pass, seven counts and the bytes.
constexpr llvm::StringLiteral kRowFormat =
    "{0,-34} {1,9} {2,9} {3,9} {4,7} {5,7} {6,8} {7,9} {8,14}\n";

int64_t bytesOf(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasStaticShape())
    return 0;
  return shaped.getNumElements() *
         std::max<int64_t>(1, shaped.getElementTypeBitWidth() / 8);
}

/// True if an insert of `source` into `dest` is a no-op after bufferization:
/// the source was computed into the very slice it is inserted at.
bool insertsInPlace(tensor::InsertSliceOp insert) {
  Value value = insert.getSource();
  while (Operation *producer = value.getDefiningOp()) {
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(producer))
      return slice.getSource() == insert.getDest() &&
             slice.getMixedOffsets() == insert.getMixedOffsets() &&
             slice.getMixedSizes() == insert.getMixedSizes() &&
             slice.getMixedStrides() == insert.getMixedStrides();
    auto dps = dyn_cast<DestinationStyleOpInterface>(producer);
    if (!dps || dps.getNumDpsInits() != 1)
      return false;
    value = dps.getDpsInits()[0];
  }
  return false;
}

Counts count(Operation *root) {
  Counts counts;
  root->walk([&](Operation *op) {
    if (auto conv = dyn_cast<ConvOp>(op)) {
      ++counts.convs;
      if (ConvStrategyAttr strategy = conv.getStrategyAttr())
        counts.blocked += strategy.isBlocked();
    }
    else if (isa<BatchNormOp>(op))
      ++counts.batchNorms;
    else if (isa<ReluOp, ClipOp, AddOp, MulOp>(op))
      ++counts.elementwise;
    else if (isa<ConcatOp>(op))
      ++counts.concats;
    else if (isa<ConvChainOp>(op))
      ++counts.chains;

    if (isa<memref::CopyOp, linalg::CopyOp>(op)) {
      ++counts.copies;
      counts.bytes += bytesOf(op->getOperand(0).getType());
    } else if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
      if (!insertsInPlace(insert)) {
        ++counts.copies;
        counts.bytes += bytesOf(insert.getSourceType());
      }
    } else if (auto pad = dyn_cast<tensor::PadOp>(op)) {
      ++counts.copies;
      counts.bytes += bytesOf(pad.getSourceType());
    } else if (auto bytes = op->getAttrOfType<IntegerAttr>(kCopyBytesAttr)) {
      ++counts.copies;
      counts.bytes += bytes.getInt();
    } else if (isa<InceptDialect>(op->getDialect()) &&
               !isa<SliceOp, ReshapeOp, YieldOp>(op) &&
               !op->getParentOfType<ConvChainOp>()) {
      for (Type type : op->getResultTypes())
        counts.bytes += bytesOf(type);
    }
  });
  return counts;
}

class PassStatistics : public PassInstrumentation {
public:
  explicit PassStatistics(llvm::raw_ostream &os) : os(os) {}

  void runBeforePass(Pass *, Operation *op) override { before.push_back(count(op)); }

  void runAfterPass(Pass *pass, Operation *op) override {
    Counts previous = before.pop_back_val();
    Counts now = count(op);
    llvm::StringRef name = pass->getArgument();
    if (name == "incept-plan-arena") {
      // What is left to copy in the generated code, once cse and canonicalize
      // dropped the copies of a slice onto itself left by in-place inserts.
      os << llvm::formatv(kRowFormat.data(),
                          "(bufferized: copies left)", "", "", "", "", "", "",
                          now.copies, now.bytes);
      return;
    }
    if (!llvm::is_contained(optimizationPassNames(), name))
      return;
    auto cell = [](int64_t from, int64_t to) {
      return from == to ? llvm::formatv("{0}", to).str()
                        : llvm::formatv("{0}→{1}", from, to).str();
    };
    os << llvm::formatv(kRowFormat.data(),
                        name,
                        cell(previous.convs, now.convs),
                        cell(previous.batchNorms, now.batchNorms),
                        cell(previous.elementwise, now.elementwise),
                        cell(previous.concats, now.concats),
                        cell(previous.chains, now.chains),
                        cell(previous.blocked, now.blocked),
                        cell(previous.copies, now.copies),
                        llvm::formatv("{0}", previous.bytes - now.bytes).str());
  }

  void runAfterPassFailed(Pass *, Operation *) override { before.pop_back(); }

private:
  llvm::raw_ostream &os;
  SmallVector<Counts> before;
};

} // namespace

void printPassStatisticsHeader(llvm::raw_ostream &os) {
  os << llvm::formatv(kRowFormat.data(), "pass",
                      "convs", "batchnorm", "eltwise", "concat", "chains",
                      "blocked", "copies",
                      "bytes saved");
}

void addPassStatistics(PassManager &pm, llvm::raw_ostream &os) {
  pm.addInstrumentation(std::make_unique<PassStatistics>(os));
}

} // namespace incept
