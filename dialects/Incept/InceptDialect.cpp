//===- InceptDialect.cpp - the incept dialect -----------------------------===//

#include "dialects/Incept/InceptDialect.h"
#include "dialects/Incept/InceptOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace incept;

#include "dialects/Incept/InceptDialect.cpp.inc"
#include "dialects/Incept/InceptEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Incept/InceptAttrs.cpp.inc"

void InceptDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Incept/InceptOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Incept/InceptAttrs.cpp.inc"
      >();
}
