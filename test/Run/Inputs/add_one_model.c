/*===- add_one_model.c - a hand-written model for incept-run's tests -------===*
 *
 * y = x + 1 for x and y of shape [2, 3], behind the Incept ABI exactly as a
 * compiled model exposes it: a context from the runtime, the result computed
 * in the context's scratch arena, and the generic entry point. It lets the
 * incept-run tests run without the compiler. Macros give the broken
 * libraries the error tests need:
 *   ABI_VERSION=N      claim another version of the ABI;
 *   SCRATCH_BYTES=N    ask for an arena that cannot be allocated;
 *   RUN_STATUS=S       make run() fail with status S;
 *   NUM_ELEMENTS=N     describe the input with a wrong element count;
 *   ADDEND=A           compute x + A instead (another build of the model).
 *
 *===----------------------------------------------------------------------===*/
#include "incept/runtime.h"

#include <string.h>

#ifndef ABI_VERSION
#define ABI_VERSION INCEPT_ABI_VERSION
#endif
#ifndef SCRATCH_BYTES
#define SCRATCH_BYTES (6 * sizeof(float))
#endif
#ifndef RUN_STATUS
#define RUN_STATUS INCEPT_OK
#endif
#ifndef NUM_ELEMENTS
#define NUM_ELEMENTS 6
#endif
#ifndef ADDEND
#define ADDEND 1.0f
#endif

static const int64_t shape[] = {2, 3};
static const incept_tensor_info input = {"x", INCEPT_DTYPE_FLOAT32, 2, shape,
                                         NUM_ELEMENTS};
static const incept_tensor_info output = {"y", INCEPT_DTYPE_FLOAT32, 2, shape,
                                          6};
static const incept_model model;

static incept_status create(incept_context **context) {
  return incept_context_create(&model, SCRATCH_BYTES, NULL, context);
}

static incept_status run(incept_context *context, const void *const *inputs,
                         void *const *outputs) {
  if (incept_context_model(context) != &model || !inputs || !outputs)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  if (RUN_STATUS != INCEPT_OK)
    return RUN_STATUS;
  const float *x = inputs[0];
  float *scratch = incept_context_scratch(context);
  for (int i = 0; i < 6; ++i)
    scratch[i] = x[i] + ADDEND;
  memcpy(outputs[0], scratch, 6 * sizeof(float));
  return INCEPT_OK;
}

static void destroy(incept_context *context) {
  incept_context_destroy(context);
}

static const incept_model model = {
    .abi_version = ABI_VERSION,
    .struct_size = sizeof(incept_model),
    .name = "add_one",
    .source = "add_one_model.c",
    .target = "the host C compiler",
    .compiler_version = "hand-written",
    .num_inputs = 1,
    .num_outputs = 1,
    .inputs = &input,
    .outputs = &output,
    .scratch_bytes = SCRATCH_BYTES,
    .create = create,
    .run = run,
    .destroy = destroy,
};

const incept_model *incept_model_v1(void) { return &model; }
