/*===- Prepare.c - the weight preparation steps ----------------------------===*
 *
 * See incept/prepare.h. Built with -ffp-contract=off: an FMA where the
 * compiler's own build had none would change the last bit of a folded weight
 * between embedded and external weights.
 *
 *===----------------------------------------------------------------------===*/
#include "incept/prepare.h"

#include <math.h>
#include <string.h>

void incept_prepare_batch_norm(const float *const *inputs, float *const *outputs,
                               const int64_t *params, const double *scalars) {
  const float *weight = inputs[0], *scale = inputs[1], *shift = inputs[2];
  const float *mean = inputs[3], *variance = inputs[4];
  const float *bias = params[3] ? inputs[5] : 0;
  int64_t filters = params[0], per_channel = params[1], offset = params[2];
  double epsilon = scalars[0];
  for (int64_t o = 0; o < filters; ++o) {
    int64_t c = offset + o;
    double k = (double)scale[c] / sqrt((double)variance[c] + epsilon);
    for (int64_t i = o * per_channel; i < (o + 1) * per_channel; ++i)
      outputs[0][i] = (float)((double)weight[i] * k);
    double b = bias ? (double)bias[o] : 0.0;
    outputs[1][o] = (float)((b - (double)mean[c]) * k + (double)shift[c]);
  }
}

void incept_prepare_scale_channels(const float *const *inputs,
                                   float *const *outputs, const int64_t *params,
                                   const double *scalars) {
  (void)scalars;
  int64_t channels = params[0], per_channel = params[1];
  int64_t spread = params[2] == 1 ? 0 : 1; /* one factor for all channels */
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t i = c * per_channel; i < (c + 1) * per_channel; ++i)
      outputs[0][i] = inputs[0][i] * inputs[1][c * spread];
}

void incept_prepare_add_channels(const float *const *inputs,
                                 float *const *outputs, const int64_t *params,
                                 const double *scalars) {
  (void)scalars;
  int64_t channels = params[0], spread = params[1] == 1 ? 0 : 1;
  for (int64_t c = 0; c < channels; ++c) {
    float sum = inputs[0][c * spread];
    if (params[2])
      sum += inputs[1][c];
    outputs[0][c] = sum;
  }
}

void incept_prepare_concat(const float *const *inputs, float *const *outputs,
                           const int64_t *params, const double *scalars) {
  (void)scalars;
  float *at = outputs[0];
  for (int64_t i = 0; i < params[0]; ++i) {
    memcpy(at, inputs[i], (size_t)params[1 + i] * sizeof(float));
    at += params[1 + i];
  }
}

void incept_prepare_copy(const float *const *inputs, float *const *outputs,
                         const int64_t *params, const double *scalars) {
  (void)scalars;
  int64_t copied = params[0] < params[1] ? params[0] : params[1];
  memcpy(outputs[0], inputs[0], (size_t)copied * sizeof(float));
  for (int64_t i = copied; i < params[1]; ++i)
    outputs[0][i] = 0.0f;
}

void incept_prepare_broadcast(const float *const *inputs, float *const *outputs,
                              const int64_t *params, const double *scalars) {
  (void)scalars;
  for (int64_t i = 0; i < params[0]; ++i)
    outputs[0][i] = inputs[0][0];
}

void incept_prepare_transpose(const float *const *inputs, float *const *outputs,
                              const int64_t *params, const double *scalars) {
  (void)scalars;
  int64_t rows = params[0], cols = params[1];
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      outputs[0][c * rows + r] = inputs[0][r * cols + c];
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t incept_packed_blocked_floats(int64_t filters, int64_t channels,
                                     int64_t taps, int64_t block, int64_t tile_f) {
  int64_t out_blocks = ceil_div(filters, block);
  return ceil_div(out_blocks, tile_f) * ceil_div(channels, block) * tile_f * taps *
         block * block;
}

void incept_prepare_pack_blocked(const float *const *inputs,
                                 float *const *outputs, const int64_t *params,
                                 const double *scalars) {
  (void)scalars;
  int64_t sets = params[0], filters = params[1], channels = params[2];
  int64_t taps = params[3], c = params[4], tile_f = params[5];
  int64_t in_blocks = ceil_div(channels, c), out_blocks = ceil_div(filters, c);
  int64_t group_floats = in_blocks * tile_f * taps * c * c;
  int64_t set_floats = incept_packed_blocked_floats(filters, channels, taps, c, tile_f);
  for (int64_t set = 0; set < sets; ++set) {
    const float *oihw = inputs[0] + set * filters * channels * taps;
    float *packed = outputs[0] + set * set_floats;
    memset(packed, 0, (size_t)set_floats * sizeof(float));
    for (int64_t group = 0; group * tile_f < out_blocks; ++group) {
      int64_t first = group * tile_f;
      int64_t tf = tile_f < out_blocks - first ? tile_f : out_blocks - first;
      float *base = packed + group * group_floats;
      for (int64_t cb = 0; cb < in_blocks; ++cb) {
        int64_t block_channels = c < channels - cb * c ? c : channels - cb * c;
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t ci = 0; ci < block_channels; ++ci)
            for (int64_t rf = 0; rf < tf; ++rf)
              for (int64_t co = 0; co < c; ++co) {
                int64_t f = (first + rf) * c + co, ch = cb * c + ci;
                if (f >= filters)
                  continue;
                base[cb * taps * c * tf * c +
                     ((tap * block_channels + ci) * tf + rf) * c + co] =
                    oihw[(f * channels + ch) * taps + tap];
              }
      }
    }
  }
}

/* Winograd F(4, 3)'s G, with the points 0, ±1, ±2 and ∞ (Lavin's); the
 * kernels' B and A are in passes/Lowering/Conv/Winograd.cpp. */
static const double winograd_g[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1}};

void incept_prepare_winograd_filters(const float *const *inputs,
                                     float *const *outputs,
                                     const int64_t *params,
                                     const double *scalars) {
  (void)scalars;
  int64_t matrix = params[0] * params[1]; /* F · C */
  for (int64_t fc = 0; fc < matrix; ++fc) {
    const float *g = inputs[0] + fc * 9;
    double gg[6][3]; /* G · g */
    for (int i = 0; i < 6; ++i)
      for (int l = 0; l < 3; ++l)
        gg[i][l] = winograd_g[i][0] * g[l] + winograd_g[i][1] * g[3 + l] +
                   winograd_g[i][2] * g[6 + l];
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j)
        outputs[0][(i * 6 + j) * matrix + fc] =
            (float)(gg[i][0] * winograd_g[j][0] + gg[i][1] * winograd_g[j][1] +
                    gg[i][2] * winograd_g[j][2]);
  }
}
