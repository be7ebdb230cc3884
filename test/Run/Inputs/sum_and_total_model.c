/*===- sum_and_total_model.c - two inputs, two outputs, for incept-run -----===*
 *
 * sum = a + b (a of shape [2, 3], b of shape [3], broadcast over rows) and
 * total = the sum of all of `sum`, a rank-0 tensor: inputs of different
 * shapes so that their order matters, and a scalar output.
 *
 *===----------------------------------------------------------------------===*/
#include "incept/runtime.h"

static const int64_t a_shape[] = {2, 3};
static const int64_t b_shape[] = {3};
static const incept_tensor_info inputs[] = {
    {"a", INCEPT_DTYPE_FLOAT32, 2, a_shape, 6},
    {"b", INCEPT_DTYPE_FLOAT32, 1, b_shape, 3},
};
static const incept_tensor_info outputs[] = {
    {"sum", INCEPT_DTYPE_FLOAT32, 2, a_shape, 6},
    {"total", INCEPT_DTYPE_FLOAT32, 0, NULL, 1},
};
static const incept_model model;

static incept_status create(incept_context **context) {
  return incept_context_create(&model, 0, NULL, context);
}

static incept_status run(incept_context *context, const void *const *in,
                         void *const *out) {
  if (incept_context_model(context) != &model || !in || !out)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  const float *a = in[0], *b = in[1];
  float *sum = out[0], *total = out[1];
  *total = 0.0f;
  for (int i = 0; i < 6; ++i) {
    sum[i] = a[i] + b[i % 3];
    *total += sum[i];
  }
  return INCEPT_OK;
}

static void destroy(incept_context *context) {
  incept_context_destroy(context);
}

static const incept_model model = {
    .abi_version = INCEPT_ABI_VERSION,
    .struct_size = sizeof(incept_model),
    .name = "sum_and_total",
    .source = "sum_and_total_model.c",
    .target = "the host C compiler",
    .compiler_version = "hand-written",
    .num_inputs = 2,
    .num_outputs = 2,
    .inputs = inputs,
    .outputs = outputs,
    .scratch_bytes = 0,
    .create = create,
    .run = run,
    .destroy = destroy,
};

const incept_model *incept_model_v1(void) { return &model; }
