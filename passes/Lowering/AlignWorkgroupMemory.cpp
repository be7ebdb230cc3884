//===- AlignWorkgroupMemory.cpp - the incept-align-workgroup-memory pass --===//
//
// A kernel's shared buffers become `.shared` arrays whose `.align` is their
// element's unless the workgroup attribution says otherwise; ldmatrix reads
// 16-byte rows and cp.async may copy 16 bytes, both of which must be
// aligned to 16 bytes in shared memory.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace incept {
#define GEN_PASS_DEF_ALIGNWORKGROUPMEMORY
#include "passes/Passes.h.inc"

using namespace mlir;

namespace {

constexpr int64_t kSharedAlignment = 16;

struct AlignWorkgroupMemory : impl::AlignWorkgroupMemoryBase<AlignWorkgroupMemory> {
  void runOnOperation() override {
    Builder b(&getContext());
    StringAttr name = b.getStringAttr(LLVM::LLVMDialect::getAlignAttrName());
    for (auto kernel : getOperation().getOps<gpu::GPUFuncOp>())
      for (unsigned i = 0; i < kernel.getNumWorkgroupAttributions(); ++i) {
        auto existing =
            dyn_cast_or_null<IntegerAttr>(kernel.getWorkgroupAttributionAttr(i, name));
        if (!existing || existing.getInt() < kSharedAlignment)
          kernel.setWorkgroupAttributionAttr(i, name, b.getI64IntegerAttr(kSharedAlignment));
      }
  }
};

} // namespace
} // namespace incept
