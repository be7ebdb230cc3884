// FP32 FMA peak of one core: independent vector FMA chains, enough to cover
// the FMA latency on both pipes, in the widest vectors the compiler targets
// (-march=native). Prints GFLOP/s. bench/run.py compiles and runs it in the
// same run as the models, so that "% of peak" means this machine now.
#include <stdio.h>
#include <time.h>

#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 vec;
#define LANES 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256 vec;
#define LANES 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
static float SUM(__m256 v) {
  float f[8];
  _mm256_storeu_ps(f, v);
  return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#else
#error "needs AVX2+FMA or AVX-512"
#endif

#define CHAINS 12

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  vec acc[CHAINS];
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = SET1(0.001f * i);
  vec a = SET1(0.9999f), b = SET1(0.0001f);
  const long iterations = 200000000L / CHAINS;
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    double start = now();
    for (long it = 0; it < iterations; ++it) {
#pragma clang loop unroll(full)
      for (int i = 0; i < CHAINS; ++i)
        acc[i] = FMA(acc[i], a, b);
      __asm__ volatile("" : : : "memory");
    }
    double seconds = now() - start;
    double gflops = 2.0 * LANES * CHAINS * iterations / seconds * 1e-9;
    if (gflops > best)
      best = gflops;
  }
  float sink = 0;
  for (int i = 0; i < CHAINS; ++i)
    sink += SUM(acc[i]);
  printf("%.1f\n", best);
  return sink == 12345.0f; // keeps the chains alive
}
