/*===- runtime.h - what generated code calls --------------------*- C -*-===*
 *
 * The small library every compiled model links: contexts that own their
 * scratch arena, and the status strings. Generated wrappers call these; an
 * application needs only incept.h and the model's own header.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_RUNTIME_H
#define INCEPT_RUNTIME_H

#include "incept/incept.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The alignment of every arena: a cache line, and enough for AVX-512 loads. */
#define INCEPT_ARENA_ALIGNMENT 64

/* Allocates a context for `model` whose arena holds `scratch_bytes`.
 * On failure *context is null. */
incept_status incept_context_create(const incept_model *model,
                                    uint64_t scratch_bytes,
                                    incept_context **context);
void incept_context_destroy(incept_context *context);

/* The model a context was created for, so that run() can refuse another's. */
const incept_model *incept_context_model(const incept_context *context);
/* The context's arena: INCEPT_ARENA_ALIGNMENT-aligned, never null for a
 * valid context (a model with no activations still gets one line). */
void *incept_context_scratch(incept_context *context);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_RUNTIME_H */
