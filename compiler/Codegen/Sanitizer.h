//===- Sanitizer.h - generated code for a host built with a sanitizer -*- C++ -*-===//
//
// incept-compile --sanitize=address|thread instruments the model's code as
// clang's -fsanitize does (LLVM's AddressSanitizer or ThreadSanitizer pass
// on every generated function), compiles the wrapper with the same flag and
// links the runtime built with it (libincept_runtime_asan.a or _tsan.a). The
// library then runs inside a host built with that sanitizer, which brings
// the sanitizer's run-time library: ASan sees the kernels read or write
// outside the caller's buffers, TSan sees two threads of one context touch
// the same bytes. For testing hosts and the compiler, not for production.
//
//===----------------------------------------------------------------------===//

#ifndef INCEPT_COMPILER_CODEGEN_SANITIZER_H
#define INCEPT_COMPILER_CODEGEN_SANITIZER_H

namespace incept {

enum class Sanitizer { None, Address, Thread };

/// clang's name of the sanitizer ("address", "thread"); "" for none.
inline const char *sanitizerFlagName(Sanitizer sanitizer) {
  switch (sanitizer) {
  case Sanitizer::Address:
    return "address";
  case Sanitizer::Thread:
    return "thread";
  case Sanitizer::None:
    break;
  }
  return "";
}

} // namespace incept

#endif // INCEPT_COMPILER_CODEGEN_SANITIZER_H
