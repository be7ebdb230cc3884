/*===- KernelEmulator.h - running emulation images' kernels on the CPU ----===*
 *
 * `incept-compile --target=cuda --gpu-emulator` compiles a library's kernels
 * for the host (compiler/Codegen/GpuEmulation.h says the image's ABI); the
 * stub driver loads such an image in place of a cubin and launches its
 * kernels here, on the calling thread, each launch to its end.
 *
 *===----------------------------------------------------------------------===*/
#ifndef INCEPT_TEST_CUDARUNTIME_KERNELEMULATOR_H
#define INCEPT_TEST_CUDARUNTIME_KERNELEMULATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct emu_kernel {
  void (*entry)(void **params);
  /* parameters, whether it synchronises, each parameter's size */
  const int64_t *info;
} emu_kernel;

/* Whether `image` is an emulation image (an ELF shared object). */
bool emu_is_image(const void *image);

/* Loads an emulation image; NULL on failure, with the loader's message on
 * stderr. */
void *emu_load_image(const void *image);

void emu_unload_image(void *handle);

/* The kernel `name` of a loaded image; false if there is none. */
bool emu_find_kernel(void *handle, const char *name, emu_kernel *kernel);

/* Runs every thread of a launch; false (with a message on stderr) if the
 * launch cannot run here. */
bool emu_launch(const emu_kernel *kernel, const unsigned grid[3], const unsigned block[3],
                unsigned shared_bytes, void **params);

#endif /* INCEPT_TEST_CUDARUNTIME_KERNELEMULATOR_H */
