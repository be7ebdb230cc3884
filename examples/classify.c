/*===- classify.c - run a compiled image classifier, print its top 5 -------===*
 *
 * Usage: classify [input.npy | input.raw]
 *
 * The model is compiled into this program (incept_add_model(... NAME classifier
 * STATIC) in CMakeLists.txt) and called through its typed API, classifier.h.
 * The input is a NumPy .npy file of float32 (little-endian, C order) or a raw
 * file of float32 values, holding exactly the model's input; without one, a
 * fixed pattern is used so that runs can be compared. For every image of the
 * batch it prints the five highest-scoring classes.
 *
 *===----------------------------------------------------------------------===*/
#include "classifier.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CLASSIFIER_NUM_INPUTS == 1 && CLASSIFIER_NUM_OUTPUTS == 1,
               "classify drives a model of one input and one output");

enum { TOP_K = 5 };

static const int64_t input_shape[] = CLASSIFIER_INPUT0_SHAPE;
static const int64_t output_shape[] = CLASSIFIER_OUTPUT0_SHAPE;
static const size_t input_rank = sizeof input_shape / sizeof input_shape[0];
static const size_t output_rank = sizeof output_shape / sizeof output_shape[0];

static void print_shape(const int64_t *shape, size_t rank) {
  printf("[");
  for (size_t i = 0; i < rank; ++i)
    printf("%s%lld", i ? ", " : "", (long long)shape[i]);
  printf("]");
}

/* Reports a failed call; returns whether `status` is INCEPT_OK. */
static int succeeded(incept_status status, const char *call) {
  if (status == INCEPT_OK)
    return 1;
  fprintf(stderr, "classify: %s failed: %s\n", call,
          incept_status_string(status));
  return 0;
}

/* The same numbers on every machine: (37 i mod 101) / 50 - 1, in [-1, 1]. */
static void fill_pattern(float *input, size_t count) {
  for (size_t i = 0; i < count; ++i)
    input[i] = (float)((i * 37) % 101) / 50.0f - 1.0f;
}

/* Reads a whole file; returns its size or -1 (and says why). */
static long read_file(const char *path, unsigned char **contents) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "classify: cannot open %s\n", path);
    return -1;
  }
  long size = -1;
  if (fseek(file, 0, SEEK_END) == 0)
    size = ftell(file);
  if (size < 0 || fseek(file, 0, SEEK_SET) != 0) {
    fprintf(stderr, "classify: cannot read %s\n", path);
    fclose(file);
    return -1;
  }
  *contents = malloc(size ? (size_t)size : 1);
  if (!*contents || fread(*contents, 1, (size_t)size, file) != (size_t)size) {
    fprintf(stderr, "classify: cannot read %s\n", path);
    free(*contents);
    *contents = NULL;
    size = -1;
  }
  fclose(file);
  return size;
}

/* Finds where the data of a .npy file starts, after checking that its header
 * says `count` little-endian float32 values in C order; 0 if it does not. */
static size_t npy_data_offset(const unsigned char *file, size_t size,
                              const char *path, size_t count) {
  /* "\x93NUMPY", major, minor, header length (2 bytes in 1.x, 4 after). */
  size_t header_start = file[6] == 1 ? 10 : 12;
  if (size < header_start || (file[6] != 1 && file[6] != 2 && file[6] != 3)) {
    fprintf(stderr, "classify: %s: unknown .npy version\n", path);
    return 0;
  }
  size_t header_size = file[8] | (size_t)file[9] << 8;
  if (file[6] != 1)
    header_size |= (size_t)file[10] << 16 | (size_t)file[11] << 24;
  if (header_size > size - header_start) {
    fprintf(stderr, "classify: %s: truncated .npy header\n", path);
    return 0;
  }
  char *header = malloc(header_size + 1);
  if (!header)
    return 0;
  memcpy(header, file + header_start, header_size);
  header[header_size] = '\0';

  size_t offset = 0;
  const char *shape = strstr(header, "'shape':");
  if (!strstr(header, "'descr': '<f4'")) {
    fprintf(stderr, "classify: %s: elements are not little-endian float32\n",
            path);
  } else if (!strstr(header, "'fortran_order': False")) {
    fprintf(stderr, "classify: %s: array is not in C order\n", path);
  } else if (!shape || !(shape = strchr(shape, '('))) {
    fprintf(stderr, "classify: %s: no shape in the .npy header\n", path);
  } else {
    /* The product of the sizes in "(1, 3, 224, 224)"; "()" is a scalar. */
    size_t elements = 1;
    for (const char *c = shape + 1; *c && *c != ')';) {
      char *end;
      unsigned long long dim = strtoull(c, &end, 10);
      if (end == c) {
        ++c; /* a comma or a space */
        continue;
      }
      elements *= dim;
      c = end;
    }
    if (elements != count)
      fprintf(stderr,
              "classify: %s holds %zu elements; the model's input has %zu\n",
              path, elements, count);
    else
      offset = header_start + header_size;
  }
  free(header);
  return offset;
}

/* Loads the model's input from a .npy or raw float32 file. */
static int load_input(const char *path, float *input, size_t count) {
  unsigned char *file = NULL;
  long size = read_file(path, &file);
  if (size < 0)
    return 0;
  size_t offset = 0;
  int ok = 1;
  if ((size_t)size >= 10 && memcmp(file, "\x93NUMPY", 6) == 0) {
    offset = npy_data_offset(file, (size_t)size, path, count);
    ok = offset != 0;
  }
  if (ok && (size_t)size - offset != count * sizeof(float)) {
    fprintf(stderr,
            "classify: %s has %zu bytes of data; the model's input is %zu "
            "float32 values (%zu bytes)\n",
            path, (size_t)size - offset, count, count * sizeof(float));
    ok = 0;
  }
  if (ok)
    memcpy(input, file + offset, count * sizeof(float));
  free(file);
  return ok;
}

/* Prints the `TOP_K` highest of `scores` (ties: the lower class first). */
static void print_top_classes(const float *scores, size_t classes) {
  size_t best[TOP_K];
  size_t found = 0;
  for (; found < TOP_K && found < classes; ++found) {
    size_t top = classes;
    for (size_t c = 0; c < classes; ++c) {
      int taken = 0;
      for (size_t i = 0; i < found; ++i)
        taken |= best[i] == c;
      if (!taken && (top == classes || scores[c] > scores[top]))
        top = c;
    }
    best[found] = top;
  }
  for (size_t i = 0; i < found; ++i)
    printf("  %zu. class %zu: %.6f\n", i + 1, best[i], scores[best[i]]);
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: %s [input.npy | input.raw]\n", argv[0]);
    return 2;
  }

  const incept_model *model = classifier_model();
  printf("model %s (from %s, for %s): input \"%s\" ", model->name,
         model->source, model->target, CLASSIFIER_INPUT0_NAME);
  print_shape(input_shape, input_rank);
  printf(", output \"%s\" ", CLASSIFIER_OUTPUT0_NAME);
  print_shape(output_shape, output_rank);
  printf("\n");

  float *input = malloc(CLASSIFIER_INPUT0_NUM_ELEMENTS * sizeof(float));
  float *output = malloc(CLASSIFIER_OUTPUT0_NUM_ELEMENTS * sizeof(float));
  if (!input || !output) {
    fprintf(stderr, "classify: out of memory\n");
    return 1;
  }
  if (argc == 2) {
    if (!load_input(argv[1], input, CLASSIFIER_INPUT0_NUM_ELEMENTS))
      return 1;
    printf("input: %s\n", argv[1]);
  } else {
    fill_pattern(input, CLASSIFIER_INPUT0_NUM_ELEMENTS);
    printf("input: the built-in pattern\n");
  }

  classifier_context *context = NULL;
  if (!succeeded(classifier_create(&context), "classifier_create"))
    return 1;
  int ok = succeeded(classifier_run(context, input, output), "classifier_run");
  classifier_destroy(context);
  if (!ok)
    return 1;

  /* The output is [images, classes...]; a rank-1 output is one image. */
  size_t images = output_rank > 1 ? (size_t)output_shape[0] : 1;
  size_t classes = CLASSIFIER_OUTPUT0_NUM_ELEMENTS / images;
  for (size_t image = 0; image < images; ++image) {
    printf("image %zu: top %d of %zu classes\n", image,
           classes < TOP_K ? (int)classes : TOP_K, classes);
    print_top_classes(output + image * classes, classes);
  }
  free(input);
  free(output);
  return 0;
}
