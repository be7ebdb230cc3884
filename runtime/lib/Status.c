/*===- Status.c - the sentence for each status -----------------------------===*/
#include "incept/incept.h"

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
  }
  return "unknown status";
}
