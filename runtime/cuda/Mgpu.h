/*===- Mgpu.h - the host ABI of MLIR's gpu-to-llvm lowering -----*- C -*-===*
 *
 * The functions that host code lowered by gpu-to-llvm in LLVM 22 calls, with
 * the signatures it emits (check them against `mlir-translate
 * --mlir-to-llvmir` output after an LLVM upgrade: older copies of upstream's
 * CudaRuntimeWrappers.cpp differ). See Mgpu.c for what they do here.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_RUNTIME_CUDA_MGPU_H
#define INCEPT_RUNTIME_CUDA_MGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void *mgpuModuleLoad(void *data, size_t size);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t paramCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared);
void mgpuMemFree(void *pointer, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);

/* Ours, not gpu-to-llvm's: the events by which incept-gpu-streams orders
 * launches on different streams, numbered by the generated code. */
void incept_cuda_record_event(void *stream, int32_t index);
void incept_cuda_wait_event(void *stream, int32_t index);

#ifdef __cplusplus
}
#endif

#endif /* INCEPT_RUNTIME_CUDA_MGPU_H */
