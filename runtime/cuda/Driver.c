/*===- Driver.c - opening libcuda.so.1 ------------------------------------===*/
/* dlopen/dlsym and pthread mutexes under -std=c11. */
#define _POSIX_C_SOURCE 200809L
#include "Driver.h"

#include "incept/runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The one piece of process-wide state in the runtime: the driver is a
 * process-wide library. Written once under the lock, read-only after. */
static pthread_mutex_t driver_lock = PTHREAD_MUTEX_INITIALIZER;
static incept_cuda_driver_api driver_table;
static const incept_cuda_driver_api *_Atomic driver_opened;

static incept_status open_driver(void) {
  const char *path = getenv("INCEPT_CUDA_DRIVER");
  if (!path || !*path)
    path = "libcuda.so.1";
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    incept_set_last_error("no CUDA driver: %s could not be opened (%s)", path,
                          why ? why : "not found");
    return INCEPT_ERROR_NO_DEVICE;
  }
  incept_cuda_driver_api api;
#define CUDA_ENTRY(field, symbol, parameters)                                  \
  *(void **)(&api.field) = dlsym(library, #symbol);                            \
  if (!api.field) {                                                            \
    incept_set_last_error("the CUDA driver %s has no " #symbol                 \
                          " (CUDA 12 or later is needed)", path);              \
    dlclose(library);                                                          \
    return INCEPT_ERROR_NO_DEVICE;                                             \
  }
#include "DriverApi.def"
#undef CUDA_ENTRY
  CUresult result = api.init(0);
  if (result != INCEPT_CUDA_SUCCESS) {
    char message[256];
    incept_cuda_describe(&api, "cuInit", result, message, sizeof message);
    incept_set_last_error("the CUDA driver could not start: %s%s", message,
                          result == INCEPT_CUDA_ERROR_NO_DEVICE
                              ? " (this machine has no GPU the driver can use)"
                              : "");
    dlclose(library);
    return INCEPT_ERROR_NO_DEVICE;
  }
  /* The library stays open for the life of the process: modules and
   * contexts may outlive any one model. */
  driver_table = api;
  driver_opened = &driver_table;
  return INCEPT_OK;
}

const incept_cuda_driver_api *incept_cuda_driver(incept_status *status) {
  const incept_cuda_driver_api *driver = driver_opened;
  incept_status result = INCEPT_OK;
  if (!driver) {
    pthread_mutex_lock(&driver_lock);
    if (!driver_opened)
      result = open_driver();
    driver = driver_opened;
    pthread_mutex_unlock(&driver_lock);
  }
  if (status)
    *status = result;
  return driver;
}

const incept_cuda_driver_api *incept_cuda_driver_if_open(void) {
  return driver_opened;
}

void incept_cuda_describe(const incept_cuda_driver_api *driver,
                          const char *call, CUresult result, char *message,
                          size_t size) {
  const char *name = NULL, *text = NULL;
  if (driver) {
    if (driver->getErrorName(result, &name) != INCEPT_CUDA_SUCCESS)
      name = NULL;
    if (driver->getErrorString(result, &text) != INCEPT_CUDA_SUCCESS)
      text = NULL;
  }
  if (name)
    snprintf(message, size, "%s: %s (%s)", call, name, text ? text : "");
  else
    snprintf(message, size, "%s: CUDA error %d", call, result);
}
