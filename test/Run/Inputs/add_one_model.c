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
 *   ADDEND=A           compute x + A instead (another build of the model);
 *   PROFILE            report a profile of three kernels, the last two of
 *                      which overlap (as a GPU library's branches do);
 *   RUN_DEVICE         have run_device (a GPU library's), which fails.
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

#ifdef PROFILE
/* Layer "add" is kernel 0, 1 us; layer "branches" kernels 1 (2 us) and 2
 * (1 us), which starts while 1 runs. */
static const incept_layer_info layers[] = {{"add", "add", "2x3", "", 6000},
                                           {"branches", "add", "2x3", "", 0}};
static const int32_t kernel_layers[] = {0, 1, 1};
static const uint64_t total_ns[] = {1000, 2000, 1000};
static const uint64_t begin_ns[] = {5000, 6000, 6500};
static const uint64_t end_ns[] = {6000, 8000, 7500};
static incept_status profile(const incept_context *context, incept_profile *out) {
  (void)context;
  *out = (incept_profile){1, 3, kernel_layers, total_ns, begin_ns, end_ns};
  return INCEPT_OK;
}
#endif

#ifdef RUN_DEVICE
static incept_status run_device(incept_context *context, const void *const *inputs,
                                void *const *outputs, void *stream) {
  (void)context, (void)inputs, (void)outputs, (void)stream;
  return INCEPT_ERROR_NO_DEVICE;
}
#endif

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
#ifdef PROFILE
    .num_layers = 2,
    .layers = layers,
    .profile = profile,
#endif
#ifdef RUN_DEVICE
    .run_device = run_device,
#endif
};

const incept_model *incept_model_v1(void) { return &model; }
