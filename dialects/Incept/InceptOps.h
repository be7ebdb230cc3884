//===- InceptOps.h - the ops of the incept dialect --------------*- C++ -*-===//

#ifndef INCEPT_DIALECTS_INCEPT_INCEPTOPS_H
#define INCEPT_DIALECTS_INCEPT_INCEPTOPS_H

#include "dialects/Incept/InceptDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Incept/InceptEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Incept/InceptAttrs.h.inc"

#define GET_OP_CLASSES
#include "dialects/Incept/InceptOps.h.inc"

#endif // INCEPT_DIALECTS_INCEPT_INCEPTOPS_H
