/*===- Context.c - contexts and their scratch arenas -----------------------===*
 *
 * One context is one inference's worth of memory: every activation the
 * compiler could not keep in registers lives at an offset it planned in this
 * arena. Nothing here is global or mutable, so contexts are independent.
 *
 *===----------------------------------------------------------------------===*/
#include "incept/runtime.h"

#include <stdlib.h>

struct incept_context {
  const incept_model *model;
  void *scratch;
};

incept_status incept_context_create(const incept_model *model,
                                    uint64_t scratch_bytes,
                                    incept_context **context) {
  if (!context)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  *context = NULL;
  if (!model)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  /* aligned_alloc wants a multiple of the alignment, and not zero. */
  uint64_t rounded = (scratch_bytes + INCEPT_ARENA_ALIGNMENT - 1) /
                     INCEPT_ARENA_ALIGNMENT * INCEPT_ARENA_ALIGNMENT;
  if (rounded == 0)
    rounded = INCEPT_ARENA_ALIGNMENT;
  if (rounded < scratch_bytes || rounded > (uint64_t)SIZE_MAX)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  incept_context *result = malloc(sizeof *result);
  if (!result)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  result->model = model;
  result->scratch = aligned_alloc(INCEPT_ARENA_ALIGNMENT, (size_t)rounded);
  if (!result->scratch) {
    free(result);
    return INCEPT_ERROR_OUT_OF_MEMORY;
  }
  *context = result;
  return INCEPT_OK;
}

void incept_context_destroy(incept_context *context) {
  if (!context)
    return;
  free(context->scratch);
  free(context);
}

const incept_model *incept_context_model(const incept_context *context) {
  return context ? context->model : NULL;
}

void *incept_context_scratch(incept_context *context) {
  return context ? context->scratch : NULL;
}
