//===- Target.cpp - the target description on a module ---------------------===//

#include "dialects/Incept/Target.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace incept {

TargetAttr getDefaultTarget(MLIRContext *context) {
  return TargetAttr::get(context, "x86-64-v3", /*vector_bits=*/256,
                         /*vector_registers=*/16, /*fma=*/true,
                         /*l1d_bytes=*/32 * 1024, /*l2_bytes=*/512 * 1024,
                         /*l3_bytes=*/32 * 1024 * 1024, /*cores=*/1);
}

TargetAttr lookupTarget(Operation *op) {
  for (Operation *at = op; at; at = at->getParentOp())
    if (auto target = at->getAttrOfType<TargetAttr>(kTargetAttrName))
      return target;
  return getDefaultTarget(op->getContext());
}

} // namespace incept
