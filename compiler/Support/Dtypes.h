//===- Dtypes.h - the element types of the Incept ABI, for C++ --*- C++ -*-===//
//
// runtime/include/incept/dtypes.def as a constexpr table, for the parts of
// the compiler and of incept-run that name, size, spell or convert dtypes;
// dialects/Incept/ElementTypes.h maps them to the incept dialect's types.
// Header-only and free of MLIR, so that incept-run can read it.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_SUPPORT_DTYPES_H
#define INCEPT_COMPILER_SUPPORT_DTYPES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace incept {

struct DtypeInfo {
  int32_t number;                // incept_dtype: ONNX's TensorProto.DataType
  llvm::StringLiteral enumerator; // "INCEPT_DTYPE_FLOAT32"
  llvm::StringLiteral name;      // NumPy's: "float32"
  llvm::StringLiteral cType;     // of a buffer's element: "float"
  uint32_t bytes;
  llvm::StringLiteral npyDescr;  // "<f4"
  llvm::StringLiteral onnxName;  // "FLOAT"
  llvm::StringLiteral mlirType;  // "f32"
};

inline constexpr DtypeInfo kDtypes[] = {
#define INCEPT_DTYPE(SUFFIX, NUMBER, NAME, C_TYPE, BYTES, NPY_DESCR, ONNX_NAME, MLIR) \
  {NUMBER, "INCEPT_DTYPE_" #SUFFIX, NAME, #C_TYPE, BYTES, NPY_DESCR, ONNX_NAME, MLIR},
#include "incept/dtypes.def"
#undef INCEPT_DTYPE
};

/// The dtype numbered `number`, or null for one outside the ABI.
inline const DtypeInfo *findDtype(int32_t number) {
  for (const DtypeInfo &info : kDtypes)
    if (info.number == number)
      return &info;
  return nullptr;
}

/// "float32, uint8, ..." (or ONNX's names), for messages that say what is
/// supported.
inline std::string listDtypes(bool onnxNames = false) {
  std::string list;
  for (const DtypeInfo &info : kDtypes)
    list += (list.empty() ? "" : ", ") + (onnxNames ? info.onnxName : info.name).str();
  return list;
}

} // namespace incept

#endif // INCEPT_COMPILER_SUPPORT_DTYPES_H
