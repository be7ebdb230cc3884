/*===- Status.c - the sentence for each status, and the last error --------===*/
#include "incept/runtime.h"

#include <stdarg.h>
#include <stdio.h>

const char *incept_status_string(incept_status status) {
  switch (status) {
  case INCEPT_OK:
    return "success";
  case INCEPT_ERROR_INVALID_ARGUMENT:
    return "invalid argument: a null pointer, a context of another model, or a "
           "bad create option (a negative thread count)";
  case INCEPT_ERROR_OUT_OF_MEMORY:
    return "out of memory: the context's scratch arena could not be allocated";
  case INCEPT_ERROR_ABI_MISMATCH:
    return "the library was compiled for another version of the Incept ABI";
  case INCEPT_ERROR_INTERNAL:
    return "internal error in the compiled model";
  case INCEPT_ERROR_NO_DEVICE:
    return "no GPU: the CUDA driver (libcuda.so.1) is missing, or finds no "
           "device it can use";
  case INCEPT_ERROR_DEVICE:
    return "a CUDA driver call failed";
  case INCEPT_ERROR_UNSUPPORTED_DEVICE:
    return "the GPU is older than the architecture the library was compiled "
           "for (--gpu-arch)";
  case INCEPT_ERROR_WEIGHTS:
    return "the weights file is missing, unreadable or not of this model";
  }
  return "unknown status";
}

/* Per thread, so that two threads' failures never mix. */
static _Thread_local char last_error[512];

const char *incept_last_error(void) { return last_error; }

void incept_set_last_error(const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(last_error, sizeof last_error, format, arguments);
  va_end(arguments);
}
