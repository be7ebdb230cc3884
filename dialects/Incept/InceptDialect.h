//===- InceptDialect.h - the incept dialect ---------------------*- C++ -*-===//

#ifndef INCEPT_DIALECTS_INCEPT_INCEPTDIALECT_H
#define INCEPT_DIALECTS_INCEPT_INCEPTDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Incept/InceptDialect.h.inc"

#endif // INCEPT_DIALECTS_INCEPT_INCEPTDIALECT_H
