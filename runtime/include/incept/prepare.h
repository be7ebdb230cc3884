/*===- prepare.h - the weight preparation steps -----------------*- C -*-===*
 *
 * What the compiler does to a model's weights before its kernels read them:
 * batch-norm and residual-scale folding, merged siblings, blocked packing,
 * Winograd's filter transform. With embedded weights the compiler runs these
 * on the constants while it compiles; with `--weights=external` the library's
 * generated `<name>_prepare` runs the same functions on the weights file's
 * tensors when a context is created. One implementation for both, so that the
 * two modes give the same bits.
 *
 * Every step has the same signature: `inputs` and `outputs` are dense f32
 * arrays, `params` its integer parameters and `scalars` its real ones, as
 * each step below lists them. The outputs never alias the inputs.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_PREPARE_H
#define INCEPT_PREPARE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*incept_prepare_fn)(const float *const *inputs,
                                  float *const *outputs, const int64_t *params,
                                  const double *scalars);

/* A batch-norm's channels [offset, offset + O) folded into a conv:
 * k = scale / sqrt(variance + epsilon) in double, weight' = weight · k and
 * bias' = (bias - mean) · k + shift, each rounded once to f32.
 * inputs: weight [O, perChannel], scale, shift, mean, variance (each of the
 * batch-norm's channels), then bias [O] where has_bias.
 * outputs: weight' [O, perChannel], bias' [O].
 * params: O, perChannel, offset, has_bias. scalars: epsilon. */
void incept_prepare_batch_norm(const float *const *inputs, float *const *outputs,
                               const int64_t *params, const double *scalars);

/* x' = x · factor of its channel, in f32 (a residual branch's scale).
 * inputs: x [channels, perChannel], factors (channels values, or 1 for all).
 * outputs: x'. params: channels, perChannel, number of factors. */
void incept_prepare_scale_channels(const float *const *inputs,
                                   float *const *outputs, const int64_t *params,
                                   const double *scalars);

/* A per-channel addend folded into a bias: sum = addend + bias, in f32.
 * inputs: addend (channels values, or 1 for all), then bias [channels] where
 * has_bias. outputs: sum [channels]. params: channels, number of addends,
 * has_bias. */
void incept_prepare_add_channels(const float *const *inputs,
                                 float *const *outputs, const int64_t *params,
                                 const double *scalars);

/* The inputs one after another (merged sibling convs' weights or biases).
 * params: the number of inputs, then each one's element count. */
void incept_prepare_concat(const float *const *inputs, float *const *outputs,
                           const int64_t *params, const double *scalars);

/* The input's elements, then zeros up to the output's count (a bias padded
 * to whole blocks; a reshape). params: input count, output count. */
void incept_prepare_copy(const float *const *inputs, float *const *outputs,
                         const int64_t *params, const double *scalars);

/* One value everywhere: output[i] = input[0]. params: output count. */
void incept_prepare_broadcast(const float *const *inputs, float *const *outputs,
                              const int64_t *params, const double *scalars);

/* [rows, cols] → [cols, rows]. params: rows, cols. */
void incept_prepare_transpose(const float *const *inputs, float *const *outputs,
                              const int64_t *params, const double *scalars);

/* Weight sets, each [F, C, taps] (OIHW), packed for the blocked kernel one
 * set after another: per group of tile_f output blocks (the last group may
 * be narrower) and input block, [tap][input channel][tf][block] (a partial
 * last input block holds only its channels), zeros past F.
 * inputs: the sets back to back. params: sets, F, C, taps, block, tile_f. */
void incept_prepare_pack_blocked(const float *const *inputs,
                                 float *const *outputs, const int64_t *params,
                                 const double *scalars);
/* The floats of one set that incept_prepare_pack_blocked writes. */
int64_t incept_packed_blocked_floats(int64_t filters, int64_t channels,
                                     int64_t taps, int64_t block, int64_t tile_f);

/* Winograd F(4x4, 3x3)'s filter transform U = G g Gᵀ of every [3, 3]
 * filter, in double, rounded once: 36 sets of [F, C], position-major.
 * inputs: weight [F, C, 3, 3]. params: F, C. */
void incept_prepare_winograd_filters(const float *const *inputs,
                                     float *const *outputs,
                                     const int64_t *params,
                                     const double *scalars);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_PREPARE_H */
