//===- PaddedBuffers.cpp - reading a padded buffer's interior -------------===//

#include "passes/Lowering/PaddedBuffers.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace incept {

using namespace mlir;

namespace {

/// A box of a buffer: where it starts and how far it reaches, per dimension.
struct Box {
  ArrayRef<int64_t> offsets, sizes;

  int64_t volume() const {
    int64_t product = 1;
    for (int64_t size : sizes)
      product *= size;
    return product;
  }
  bool overlaps(const Box &other) const {
    for (auto [offset, size, otherOffset, otherSize] :
         llvm::zip_equal(offsets, sizes, other.offsets, other.sizes))
      if (offset + size <= otherOffset || otherOffset + otherSize <= offset)
        return false;
    return true;
  }
};

/// `subview` as a box of its source, if it is one: static, unit strides, no
/// dimension dropped.
std::optional<Box> boxOf(memref::SubViewOp subview) {
  if (ShapedType::isDynamicShape(subview.getStaticOffsets()) ||
      ShapedType::isDynamicShape(subview.getStaticSizes()) ||
      !llvm::all_of(subview.getStaticStrides(), [](int64_t s) { return s == 1; }) ||
      subview.getType().getRank() != subview.getSourceType().getRank())
    return std::nullopt;
  return Box{subview.getStaticOffsets(), subview.getStaticSizes()};
}

/// The one fill of a constant that is all `subview` is used for.
linalg::FillOp onlyFillOf(memref::SubViewOp subview) {
  if (!subview->hasOneUse())
    return nullptr;
  auto fill = dyn_cast<linalg::FillOp>(*subview->getUsers().begin());
  if (!fill || fill.getOutputs()[0] != subview.getResult() ||
      !fill.getInputs()[0].getDefiningOp<arith::ConstantOp>())
    return nullptr;
  return fill;
}

/// Whether an op after `from` and before `to` may write into `root`, or
/// `to` is not after `from` in its block.
bool mayWriteBetween(Operation *from, Operation *to, Value root) {
  if (from->getBlock() != to->getBlock() || !from->isBeforeInBlock(to))
    return true;
  for (Operation *op = from->getNextNode(); op != to; op = op->getNextNode()) {
    std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
        getEffectsRecursively(op);
    if (!effects)
      return true;
    for (const MemoryEffects::EffectInstance &effect : *effects)
      if (isa<MemoryEffects::Write>(effect.getEffect()) &&
          (!effect.getValue() || viewedBuffer(effect.getValue()) == root))
        return true;
  }
  return false;
}

} // namespace

Value viewedBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

bool PaddedBuffer::isZeroPadded() const {
  auto constant = dyn_cast<FloatAttr>(value);
  return constant && constant.getValue().isZero();
}

bool PaddedBuffer::padsOnlyRowsAndColumns() {
  MemRefType whole = buffer.getType();
  MemRefType inner = interior.getType();
  return whole.getRank() == 4 && inner.getDimSize(0) == whole.getDimSize(0) &&
         inner.getDimSize(1) == whole.getDimSize(1);
}

bool PaddedBuffer::holdsBorderAt(Operation *reader) const {
  Block *block = reader->getBlock();
  Operation *firstFill = nullptr;
  for (linalg::FillOp fill : borderFills) {
    if (fill->getBlock() != block || !fill->isBeforeInBlock(reader))
      return false;
    if (!firstFill || fill->isBeforeInBlock(firstFill))
      firstFill = fill;
  }
  // The border boxes are the fills' alone; the buffer's other users that
  // are not the interior use it whole.
  for (Operation *user : buffer->getUsers()) {
    if (user == reader || isa<memref::SubViewOp>(user))
      continue;
    Operation *inBlock = block->findAncestorOpInBlock(*user);
    if (!inBlock || (firstFill->isBeforeInBlock(inBlock) && inBlock->isBeforeInBlock(reader))) {
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects || effects.getEffectOnValue<MemoryEffects::Write>(buffer->getResult(0)))
        return false;
    }
  }
  return true;
}

std::optional<PaddedBuffer> paddedBufferOf(Value value) {
  auto alloc = value.getDefiningOp<memref::AllocOp>();
  if (!alloc || !alloc.getType().hasStaticShape())
    return std::nullopt;
  PaddedBuffer padded;
  padded.buffer = alloc;
  SmallVector<Box> boxes;
  std::optional<Box> interior;
  for (Operation *user : alloc->getUsers()) {
    auto subview = dyn_cast<memref::SubViewOp>(user);
    if (!subview)
      continue; // a reader
    std::optional<Box> box = boxOf(subview);
    if (!box)
      return std::nullopt; // a view of what may be the border
    if (linalg::FillOp fill = onlyFillOf(subview)) {
      Attribute constant =
          fill.getInputs()[0].getDefiningOp<arith::ConstantOp>().getValue();
      if (padded.value && padded.value != constant)
        return std::nullopt;
      padded.value = constant;
      padded.borderFills.push_back(fill);
      boxes.push_back(*box);
    } else {
      if (interior)
        return std::nullopt; // two views that may both be written
      interior = box;
      padded.interior = subview;
    }
  }
  if (!interior || boxes.empty())
    return std::nullopt;
  // The boxes and the interior tile the buffer: no two overlap, and their
  // volumes add up to the buffer's.
  boxes.push_back(*interior);
  int64_t volume = 0;
  for (auto [i, box] : llvm::enumerate(boxes)) {
    volume += box.volume();
    for (const Box &other : ArrayRef(boxes).drop_front(i + 1))
      if (box.overlaps(other))
        return std::nullopt;
  }
  if (volume != alloc.getType().getNumElements())
    return std::nullopt;
  padded.low = llvm::to_vector(interior->offsets);
  return padded;
}

Value contentsFor(PaddedBuffer padded, Operation *reader) {
  Value interior = padded.interior.getResult();
  memref::CopyOp copy;
  for (Operation *user : interior.getUsers()) {
    auto userCopy = dyn_cast<memref::CopyOp>(user);
    if (!userCopy || userCopy.getTarget() != interior || copy)
      return interior;
    copy = userCopy;
  }
  if (!copy || mayWriteBetween(copy, reader, viewedBuffer(copy.getSource())))
    return interior;
  return copy.getSource();
}

void eraseUnreadBorder(PaddedBuffer padded) {
  llvm::SmallPtrSet<Operation *, 8> boxes;
  for (linalg::FillOp fill : padded.borderFills)
    boxes.insert(fill.getOutputs()[0].getDefiningOp());
  for (Operation *user : padded.buffer->getUsers())
    if (user != padded.interior && !boxes.contains(user))
      return; // a reader of the whole buffer
  for (linalg::FillOp fill : padded.borderFills) {
    Operation *box = fill.getOutputs()[0].getDefiningOp();
    fill.erase();
    box->erase();
  }
  SmallVector<Operation *> copies(padded.interior->getUsers());
  if (!llvm::all_of(copies, [&](Operation *user) {
        auto copy = dyn_cast<memref::CopyOp>(user);
        return copy && copy.getTarget() == padded.interior.getResult();
      }))
    return; // the interior is read
  for (Operation *copy : copies)
    copy->erase();
  padded.interior.erase();
  padded.buffer.erase();
}

} // namespace incept
