//===- ElementTypes.cpp - dtypes as element types of the dialect ----------===//

#include "dialects/Incept/ElementTypes.h"

#include "mlir/IR/BuiltinTypes.h"

namespace incept {

mlir::Type elementTypeOf(const DtypeInfo &dtype, mlir::MLIRContext *context) {
  llvm::StringRef spelling = dtype.mlirType;
  if (spelling == "f32")
    return mlir::Float32Type::get(context);
  bool isUnsigned = spelling.consume_front("ui");
  unsigned width = 0;
  if ((isUnsigned || spelling.consume_front("i")) && !spelling.getAsInteger(10, width))
    return mlir::IntegerType::get(context, width,
                                  isUnsigned ? mlir::IntegerType::Unsigned
                                             : mlir::IntegerType::Signless);
  llvm_unreachable("a dtype of dtypes.def that the dialect has no type for");
}

const DtypeInfo *dtypeOf(mlir::Type type) {
  for (const DtypeInfo &info : kDtypes)
    if (elementTypeOf(info, type.getContext()) == type)
      return &info;
  return nullptr;
}

} // namespace incept
