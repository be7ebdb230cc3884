/*===- soak.c - many contexts of one model, in many threads ---------------===*
 *
 *   incept-soak LIBRARY [--contexts N] [--runs R] [--threads T] [--cycles C]
 *               [--short-input 1]
 *
 * Loads a compiled model with dlopen and checks what the C API promises of
 * contexts (docs/c-api.md, "Threads"):
 *   1. N threads, each with a context of its own (of T threads), run it R
 *      times at once; every output is bitwise equal to one context's
 *      single-threaded result.
 *   2. C cycles of create, run and destroy in one thread leave no memory
 *      behind: over the second half of them, malloc's bytes in use do not
 *      grow at all (mallinfo2, with glibc's per-thread caches off so that
 *      it is exact; the resident size, which follows glibc's thresholds and
 *      the weights' pages, is printed too).
 * The input is a fixed pseudo-random pattern. Prints what it did; exits 1 on
 * any difference, growth or failed call. --short-input 1 allocates the first
 * input one element short: a fault to inject, which a library compiled with
 * --sanitize=address must report as an overflow in its kernels when this
 * host is built with AddressSanitizer (test/Soak/sanitized_soak.sh).
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE /* mallinfo2 */
#include "incept/incept.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const incept_model *model;
static void **inputs, **reference;
static size_t *output_bytes;
static int runs = 3, context_threads = 1;

static size_t element_bytes(int32_t dtype) {
  switch (dtype) {
#define INCEPT_DTYPE(SUFFIX, NUMBER, NAME, CTYPE, ...) case NUMBER: return sizeof(CTYPE);
#include "incept/dtypes.def"
#undef INCEPT_DTYPE
  }
  return 0;
}

static int fail(const char *what, incept_status status) {
  fprintf(stderr, "incept-soak: %s: %s (%s)\n", what, model->status_string(status),
          model->last_error ? model->last_error() : "");
  return 1;
}

static incept_status create(incept_context **context) {
  incept_create_options options = INCEPT_CREATE_OPTIONS_INIT;
  options.threads = context_threads;
  return model->create_with_options(context, &options);
}

/* One thread's work: its context, `runs` runs, each output compared. */
static void *soak(void *unused) {
  (void)unused;
  void **outputs = calloc((size_t)model->num_outputs, sizeof *outputs);
  for (int32_t i = 0; i < model->num_outputs; ++i)
    outputs[i] = malloc(output_bytes[i]);
  incept_context *context;
  intptr_t differences = 0;
  incept_status status = create(&context);
  if (status != INCEPT_OK)
    return (void *)(intptr_t)-fail("create", status);
  for (int run = 0; run < runs; ++run) {
    for (int32_t i = 0; i < model->num_outputs; ++i)
      memset(outputs[i], 0xA5, output_bytes[i]);
    status = model->run(context, (const void *const *)inputs, outputs);
    if (status != INCEPT_OK) {
      differences = -fail("run", status);
      break;
    }
    for (int32_t i = 0; i < model->num_outputs; ++i)
      differences += memcmp(outputs[i], reference[i], output_bytes[i]) != 0;
  }
  model->destroy(context);
  for (int32_t i = 0; i < model->num_outputs; ++i)
    free(outputs[i]);
  free(outputs);
  return (void *)differences;
}

/* Bytes malloc has handed out and not had back (heap and mmapped blocks):
 * what a leak grows, unlike the resident size, which follows glibc's
 * thresholds and the pages of weights touched. */
static long allocated_bytes(void) {
  struct mallinfo2 info = mallinfo2();
  return (long)(info.uordblks + info.hblkhd);
}

/* glibc's per-thread caches (tcache) keep freed chunks that mallinfo2 counts
 * as in use, and which ones a cache holds at a given moment depends on how
 * the pool's threads interleaved: up to about 1 KiB either way from one run
 * to the next, with nothing leaked. The caches are off with a tunable that
 * glibc reads at start-up only, hence the exec of this same program; then
 * the count is exact (0 bytes over any number of cycles here). */
static void exec_with_exact_malloc_counts(char **argv) {
  static const char off[] = "glibc.malloc.tcache_count=0";
  const char *tunables = getenv("GLIBC_TUNABLES");
  if (tunables && strstr(tunables, off))
    return;
  char value[1024];
  snprintf(value, sizeof value, "%s%s%s", tunables ? tunables : "",
           tunables ? ":" : "", off);
  setenv("GLIBC_TUNABLES", value, 1);
  execv("/proc/self/exe", argv);
  fprintf(stderr, "incept-soak: warning: cannot restart with glibc's per-thread "
                  "caches off; the cycles' counts may be off by up to 1 KiB\n");
}

static long resident_bytes(void) {
  long pages = 0, resident = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (!statm)
    return 0;
  if (fscanf(statm, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose(statm);
  return resident * sysconf(_SC_PAGESIZE);
}

int main(int argc, char **argv) {
  int contexts = 8, cycles = 20, short_input = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: incept-soak LIBRARY [--contexts N] [--runs R] "
                    "[--threads T] [--cycles C]\n");
    return 2;
  }
  exec_with_exact_malloc_counts(argv);
  for (int i = 2; i + 1 < argc; i += 2) {
    int value = atoi(argv[i + 1]);
    if (!strcmp(argv[i], "--contexts")) contexts = value;
    else if (!strcmp(argv[i], "--runs")) runs = value;
    else if (!strcmp(argv[i], "--threads")) context_threads = value;
    else if (!strcmp(argv[i], "--cycles")) cycles = value;
    else if (!strcmp(argv[i], "--short-input")) short_input = value;
    else {
      fprintf(stderr, "incept-soak: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  incept_model_entry_fn entry =
      library ? (incept_model_entry_fn)dlsym(library, INCEPT_MODEL_ENTRY_POINT) : NULL;
  model = entry ? entry() : NULL;
  if (!model || model->abi_version != INCEPT_ABI_VERSION ||
      model->struct_size < offsetof(incept_model, last_error) + sizeof model->last_error) {
    fprintf(stderr, "incept-soak: %s: not a library of this ABI (%s)\n", argv[1],
            library ? "no description" : dlerror());
    return 1;
  }

  /* The input pattern, and the reference: one context, alone. */
  inputs = calloc((size_t)model->num_inputs, sizeof *inputs);
  uint32_t state = 12345;
  for (int32_t i = 0; i < model->num_inputs; ++i) {
    const incept_tensor_info *info = &model->inputs[i];
    size_t bytes = (size_t)info->num_elements * element_bytes(info->dtype);
    if (i == 0 && short_input)
      bytes -= element_bytes(info->dtype);
    unsigned char *data = malloc(bytes);
    if (info->dtype == INCEPT_DTYPE_FLOAT32)
      for (int64_t e = 0; e < (int64_t)(bytes / sizeof(float)); ++e) {
        state = state * 1664525u + 1013904223u;
        ((float *)data)[e] = (float)(state >> 8) / 16777216.0f * 2.0f - 1.0f;
      }
    else
      memset(data, 1, bytes);
    inputs[i] = data;
  }
  reference = calloc((size_t)model->num_outputs, sizeof *reference);
  output_bytes = calloc((size_t)model->num_outputs, sizeof *output_bytes);
  for (int32_t i = 0; i < model->num_outputs; ++i) {
    output_bytes[i] = (size_t)model->outputs[i].num_elements *
                      element_bytes(model->outputs[i].dtype);
    reference[i] = malloc(output_bytes[i]);
  }
  incept_create_options alone = INCEPT_CREATE_OPTIONS_INIT;
  alone.threads = 1;
  incept_context *context;
  incept_status status = model->create_with_options(&context, &alone);
  if (status != INCEPT_OK)
    return fail("create", status);
  status = model->run(context, (const void *const *)inputs, reference);
  model->destroy(context);
  if (status != INCEPT_OK)
    return fail("run", status);

  pthread_t *threads = calloc((size_t)contexts, sizeof *threads);
  for (int t = 0; t < contexts; ++t)
    pthread_create(&threads[t], NULL, soak, NULL);
  long differences = 0;
  int failed = 0;
  for (int t = 0; t < contexts; ++t) {
    void *result;
    pthread_join(threads[t], &result);
    if ((intptr_t)result < 0)
      failed = 1;
    else
      differences += (long)(intptr_t)result;
  }
  free(threads);
  printf("%d contexts of %d threads, %d runs each: %ld outputs differ from one "
         "context's alone\n",
         contexts, context_threads, runs, differences);

  long first = 0, first_resident = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    status = create(&context);
    if (status != INCEPT_OK)
      return fail("create", status);
    void **outputs = calloc((size_t)model->num_outputs, sizeof *outputs);
    for (int32_t i = 0; i < model->num_outputs; ++i)
      outputs[i] = malloc(output_bytes[i]);
    status = model->run(context, (const void *const *)inputs, outputs);
    model->destroy(context);
    for (int32_t i = 0; i < model->num_outputs; ++i)
      free(outputs[i]);
    free(outputs);
    if (status != INCEPT_OK)
      return fail("run", status);
    /* From half way on: the first cycles settle what the C library keeps
     * (its buffers); a leak grows the second half as much as the first. */
    if (cycle == cycles / 2) {
      first_resident = resident_bytes(); /* its stdio first: not counted */
      first = allocated_bytes();
    }
  }
  long growth = allocated_bytes() - first, resident = resident_bytes();
  printf("%d cycles of create, run, destroy: the last %d left %ld bytes more "
         "allocated (resident: %+ld KiB)\n",
         cycles, cycles - cycles / 2 - 1, growth,
         (resident - first_resident) / 1024);
  return failed || differences || growth > 0;
}
