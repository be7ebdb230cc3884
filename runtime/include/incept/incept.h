/*===- incept.h - the ABI of every library Incept compiles ------*- C -*-===*
 *
 * A compiled model exposes two things:
 *   - a typed API in its own header (<name>_create / <name>_run /
 *     <name>_destroy and its shapes as constants), for programs that link it;
 *   - in a shared library, one generic entry point, `incept_model_v1`, that
 *     returns an `incept_model` describing the model and holding pointers to
 *     the same functions, so that any host can dlopen any compiled model.
 *
 * Both follow the same rules: every call returns an `incept_status`, never
 * aborts; a context owns all the scratch memory of one inference, so two
 * contexts of one model can run in two threads at once; inputs and outputs
 * are caller-owned, dense, row-major buffers.
 *
 * ABI versioning: `INCEPT_ABI_VERSION` grows when this header changes in a
 * way an old host could misread; fields are only ever appended, and
 * `struct_size` tells a host how many of them a library has.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_INCEPT_H
#define INCEPT_INCEPT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INCEPT_ABI_VERSION 1
/* The generic entry point of a shared library, for dlsym. */
#define INCEPT_MODEL_ENTRY_POINT "incept_model_v1"

typedef enum incept_status {
  INCEPT_OK = 0,
  INCEPT_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, or a context of another model */
  INCEPT_ERROR_OUT_OF_MEMORY = 2,    /* the context's arena could not be allocated */
  INCEPT_ERROR_ABI_MISMATCH = 3,     /* a host and a library disagree on the ABI */
  INCEPT_ERROR_INTERNAL = 4,
  INCEPT_ERROR_NO_DEVICE = 5,          /* no CUDA driver, or no GPU it can use */
  INCEPT_ERROR_DEVICE = 6,             /* a CUDA driver call failed */
  INCEPT_ERROR_UNSUPPORTED_DEVICE = 7, /* the GPU is older than the library's --gpu-arch */
  INCEPT_ERROR_WEIGHTS = 8,            /* the weights file is missing or not the model's */
} incept_status;

/* Element types, numbered as ONNX's TensorProto.DataType, from the table in
 * incept/dtypes.def: INCEPT_DTYPE_FLOAT32 = 1 (float), _UINT8 = 2 (uint8_t),
 * _INT8 = 3 (int8_t), _INT32 = 6 (int32_t), _INT64 = 7 (int64_t), _BOOL = 9
 * (uint8_t, 0 or 1). A buffer holds elements of that C type. */
typedef enum incept_dtype {
#define INCEPT_DTYPE(SUFFIX, NUMBER, ...) INCEPT_DTYPE_##SUFFIX = NUMBER,
#include "incept/dtypes.def"
#undef INCEPT_DTYPE
} incept_dtype;

typedef struct incept_tensor_info {
  const char *name;     /* the ONNX graph's name for the tensor */
  int32_t dtype;        /* an incept_dtype */
  int32_t rank;
  const int64_t *shape; /* `rank` sizes, all static */
  int64_t num_elements;
} incept_tensor_info;

typedef struct incept_context incept_context;

/* One layer of a model compiled with `incept-compile --profile`: an ONNX node
 * (or the nodes fused into it), as the compiler lowered it. */
typedef struct incept_layer_info {
  const char *name;     /* the ONNX node */
  const char *op;       /* the incept op, e.g. "conv" */
  const char *shape;    /* its result, e.g. "1x192x56x56" */
  const char *strategy; /* e.g. "blocked 16 4x6"; "" where none applies */
  double flops;         /* floating-point operations of one run (a multiply-add is 2) */
} incept_layer_info;

/* The timings a profiled context collected: over all runs so far, and the
 * start and end of each kernel in the last run (nanoseconds of a monotonic
 * clock), for a trace. A layer is one or more kernels. */
typedef struct incept_profile {
  uint64_t runs;
  int32_t num_kernels;
  const int32_t *kernel_layers;    /* the layer (index into layers) of each kernel */
  const uint64_t *kernel_total_ns; /* summed over all runs */
  const uint64_t *kernel_last_begin_ns;
  const uint64_t *kernel_last_end_ns;
} incept_profile;

/* How a context is created. Versioned by size: a caller sets `struct_size`
 * to the sizeof it was compiled with, and a library reads only the fields
 * that fit; later options (a weights file, a device, a stream) are appended.
 * Start from INCEPT_CREATE_OPTIONS_INIT. */
typedef struct incept_create_options {
  uint32_t struct_size;
  /* Threads one inference runs on, the calling thread included: 0 means the
   * machine's physical cores, 1 the calling thread alone. The workers start
   * with the context and end with it. */
  int32_t threads;
  /* Appended in the same ABI version. A library compiled with
   * --target=cuda: the GPU (the driver's ordinal, default 0), and whether a
   * run on host buffers launches its kernels one by one (1) instead of
   * replaying the CUDA graph recorded at its first run (0, the default).
   * CPU libraries ignore both. */
  int32_t device;
  int32_t direct_launches;
  /* Appended in the same ABI version. A library compiled with
   * --weights=external: the weights file to read (null: the one incept-compile
   * wrote, `<output>.weights`, in the directory of the library). `create`
   * reads it, checks it against the library's manifest and prepares the
   * weights (folds, packing) into the context; the file is not kept open.
   * Libraries with embedded weights ignore it. */
  const char *weights_path;
} incept_create_options;

#define INCEPT_CREATE_OPTIONS_INIT {sizeof(incept_create_options), 0, 0, 0, 0}

typedef struct incept_model {
  uint32_t abi_version;  /* INCEPT_ABI_VERSION of the compiler */
  uint32_t struct_size;  /* sizeof(incept_model) as the library knows it */
  const char *name;      /* --name, the symbol prefix of the typed API */
  const char *source;    /* the ONNX file it was compiled from */
  const char *target;    /* e.g. "x86_64-unknown-linux-gnu cpu=skylake-avx512" */
  const char *compiler_version;
  int32_t num_inputs;
  int32_t num_outputs;
  const incept_tensor_info *inputs;
  const incept_tensor_info *outputs;
  uint64_t scratch_bytes; /* what one context allocates for activations */

  /* create() is create_with_options() with the default options. */
  incept_status (*create)(incept_context **context);
  /* inputs[i] and outputs[i] point to buffers of inputs[i].num_elements and
   * outputs[i].num_elements elements of their dtype. */
  incept_status (*run)(incept_context *context, const void *const *inputs,
                       void *const *outputs);
  void (*destroy)(incept_context *context);
  /* Appended in the same ABI version (check struct_size): create with
   * options; `options` may be null for the defaults. */
  incept_status (*create_with_options)(incept_context **context,
                                       const incept_create_options *options);
  /* The layers of a model compiled with --profile (none otherwise), and the
   * timings of a context of it; profile() fails with INVALID_ARGUMENT for a
   * model compiled without. */
  int32_t num_layers;
  const incept_layer_info *layers;
  incept_status (*profile)(const incept_context *context, incept_profile *profile);
  /* Appended in the same ABI version (check struct_size): the library's
   * incept_status_string, for hosts that dlopen it (Python's ctypes) and do
   * not link the runtime. */
  const char *(*status_string)(incept_status status);
  /* Appended in the same ABI version (check struct_size): batches. With
   * `dynamic_batch` 1 (incept-compile --batch dynamic), the first dimension
   * of every input and output is the batch, and run_batch takes any
   * batch >= 1, computed in chunks of shape[0] images (the compiled batch,
   * what run takes), the last one staged through the context when partial:
   * its buffers hold `batch` images (num_elements / shape[0] elements each).
   * With 0, run_batch takes only the compiled batch, shape[0]. */
  int32_t dynamic_batch;
  incept_status (*run_batch)(incept_context *context, int64_t batch,
                             const void *const *inputs, void *const *outputs);
  /* Appended in the same ABI version (check struct_size): the library's
   * incept_last_error, what the last failing call in this thread knows
   * beyond its status (the CUDA driver's error, say). */
  const char *(*last_error)(void);
  /* Appended in the same ABI version (check struct_size): a GPU library's
   * run on buffers in the GPU's memory (inputs[i] and outputs[i] device
   * pointers), enqueued on `stream` (a CUstream; null: the context's own)
   * and not waited for: the caller synchronises the stream. Null in a CPU
   * library. */
  incept_status (*run_device)(incept_context *context,
                              const void *const *inputs, void *const *outputs,
                              void *stream);
  /* Appended in the same ABI version (check struct_size): a library compiled
   * with --weights=external reads `num_weights` tensors from a weights file
   * (its manifest, in the file's order: what a host writing such a file
   * from other weights must give), by default `weights_file` in the library's
   * directory; 0, null and null for embedded weights. */
  int32_t num_weights;
  const incept_tensor_info *weights;
  const char *weights_file;
  /* Appended in the same ABI version (check struct_size): run_batch on
   * device buffers, `batch` images of every input and output (any batch of
   * a `dynamic_batch` library: whole chunks in place, a partial last one
   * staged through the context's device memory; the compiled batch alone
   * otherwise), all enqueued on `stream` as run_device's and not waited for.
   * Null in a CPU library. */
  incept_status (*run_batch_device)(incept_context *context, int64_t batch,
                                    const void *const *inputs, void *const *outputs,
                                    void *stream);
} incept_model;

typedef const incept_model *(*incept_model_entry_fn)(void);

/* A constant English sentence for a status; never null. */
const char *incept_status_string(incept_status status);

/* What only the failure knows, for the last call that failed in the calling
 * thread (the driver's error, the device, the library's --gpu-arch), e.g.
 * "cuLaunchKernel: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)";
 * "" while none has said more than its status. Valid until the thread's next
 * failing call. */
const char *incept_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_INCEPT_H */
