/*===- Driver.h - the CUDA driver, opened at first use ----------*- C -*-===*
 *
 * The CUDA part of the runtime calls the driver API only through this table,
 * which incept_cuda_driver() fills from libcuda.so.1 with dlopen the first
 * time a context is created: a library compiled for CUDA links and loads on
 * a machine with no GPU and no driver, and says so when it is used. No CUDA
 * header is needed to build it: the few types the runtime passes are
 * declared here as the driver's ABI defines them.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_RUNTIME_CUDA_DRIVER_H
#define INCEPT_RUNTIME_CUDA_DRIVER_H

#include "incept/incept.h"

#include <stddef.h>
#include <stdint.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;

enum {
  INCEPT_CUDA_SUCCESS = 0,
  INCEPT_CUDA_ERROR_INVALID_VALUE = 1,
  INCEPT_CUDA_ERROR_OUT_OF_MEMORY = 2,
  INCEPT_CUDA_ERROR_INSUFFICIENT_DRIVER = 35,
  INCEPT_CUDA_ERROR_NO_DEVICE = 100,
  INCEPT_CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
  INCEPT_CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
  INCEPT_CUDA_DEVICE_ATTRIBUTE_CC_MAJOR = 75,
  INCEPT_CUDA_DEVICE_ATTRIBUTE_CC_MINOR = 76,
  INCEPT_CUDA_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_BYTES = 8,
  INCEPT_CUDA_STREAM_NON_BLOCKING = 1,
  INCEPT_CUDA_EVENT_DEFAULT = 0, /* timing */
  INCEPT_CUDA_EVENT_DISABLE_TIMING = 2,
  INCEPT_CUDA_EVENT_RECORD_EXTERNAL = 1, /* in a capture: a node that records */
  INCEPT_CUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1,
};

typedef struct incept_cuda_driver_api {
#define CUDA_ENTRY(field, symbol, parameters) CUresult(*field) parameters;
#include "DriverApi.def"
#undef CUDA_ENTRY
} incept_cuda_driver_api;

/* The driver, opened and initialised (cuInit) on the first call that
 * succeeds; NULL, with the reason in incept_last_error(), while it cannot
 * be: no libcuda.so.1, an entry point missing, or cuInit failing (no GPU, a
 * driver too old). A failure is not remembered, so a later call tries
 * again. INCEPT_CUDA_DRIVER, when set, is the path opened instead of
 * libcuda.so.1 (tests use it for a stub driver). */
const incept_cuda_driver_api *incept_cuda_driver(incept_status *status);

/* The driver already opened, or NULL: for the entry points that must not
 * open it (a module unloaded at exit by a process that never used CUDA). */
const incept_cuda_driver_api *incept_cuda_driver_if_open(void);

/* "cuLaunchKernel: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)". */
void incept_cuda_describe(const incept_cuda_driver_api *driver,
                          const char *call, CUresult result, char *message,
                          size_t size);

#endif /* INCEPT_RUNTIME_CUDA_DRIVER_H */
