//===- Target.h - the target description on a module -------------*- C++ -*-===//
//
// What code is generated for (vector width, registers, FMA, caches, cores) is
// one `#incept.target<…>` attribute on the module, named `incept.target`.
// Passes read it through `lookupTarget` instead of constants of their own.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_DIALECTS_INCEPT_TARGET_H
#define INCEPT_DIALECTS_INCEPT_TARGET_H

#include "dialects/Incept/InceptOps.h"

namespace incept {

/// The module attribute that holds the target description.
inline constexpr llvm::StringLiteral kTargetAttrName = "incept.target";

/// The target of the module that holds `op`; without one, a plain AVX2+FMA
/// machine (what every x86-64 CPU these models run on has at least).
TargetAttr lookupTarget(mlir::Operation *op);

/// The AVX2+FMA description (Zen 3 caches) that lookupTarget falls back to.
TargetAttr getDefaultTarget(mlir::MLIRContext *context);

} // namespace incept

#endif // INCEPT_DIALECTS_INCEPT_TARGET_H
