/*===- KernelEmulator.c - running emulation images' kernels on the CPU ----===*
 *
 * A launch runs its blocks one after another. In a block, a kernel that
 * never synchronises runs each thread to its end in turn; one that does
 * (a barrier, a warp collective) runs its threads as coroutines, in rounds:
 * in each round every live thread runs from where it stopped to its next
 * synchronisation point. As every thread of these kernels meets the same
 * points in the same order, a thread that resumes after a point finds every
 * other thread of its block past the same point: a barrier. A warp
 * collective leaves the lane's operands in its warp's exchange, and the lane
 * reads the others' when it resumes; exchanges alternate between two
 * buffers, so that a lane that resumed first and reached its next collective
 * does not overwrite what a slower lane has still to read.
 *
 * The emulated intrinsics follow the PTX ISA's definitions (fragment
 * layouts of mma.sync and ldmatrix included), written from the ISA manual
 * and not from the compiler that emits them, so that the two check each
 * other. cp.async copies at once; its waits have nothing left to wait for.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "KernelEmulator.h"

#include <dlfcn.h>
#include <elf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

/*===--- images -----------------------------------------------------------===*/

bool emu_is_image(const void *image) { return !memcmp(image, ELFMAG, SELFMAG); }

void *emu_load_image(const void *image) {
  /* The image's size: its section headers come last (lld). */
  const Elf64_Ehdr *header = image;
  size_t size = header->e_shoff + (size_t)header->e_shnum * header->e_shentsize;
  /* The image calls the __incept_emu_ functions of this library: they must
   * be in the global scope when it is loaded. */
  Dl_info self;
  if (!dladdr((void *)&emu_is_image, &self) ||
      !dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL)) {
    fprintf(stderr, "kernel emulator: cannot make its own symbols global: %s\n", dlerror());
    return NULL;
  }
  int fd = memfd_create("incept-emulation-image", MFD_CLOEXEC);
  if (fd < 0 || write(fd, image, size) != (ssize_t)size) {
    perror("kernel emulator: memfd");
    if (fd >= 0)
      close(fd);
    return NULL;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  close(fd);
  if (!handle)
    fprintf(stderr, "kernel emulator: %s\n", dlerror());
  return handle;
}

void emu_unload_image(void *handle) { dlclose(handle); }

bool emu_find_kernel(void *handle, const char *name, emu_kernel *kernel) {
  char symbol[512];
  snprintf(symbol, sizeof symbol, "%s__emu", name);
  kernel->entry = (void (*)(void **))dlsym(handle, symbol);
  snprintf(symbol, sizeof symbol, "%s__emu_info", name);
  kernel->info = dlsym(handle, symbol);
  return kernel->entry && kernel->info;
}

/*===--- threads ----------------------------------------------------------===*/

enum { kWarpSize = 32, kMaxThreads = 1024, kStackBytes = 256 * 1024 };

/* The launch being run, and the thread of it running now. */
static unsigned grid_dim[3], block_dim[3], block_id[3], thread_id[3];
static unsigned current; /* linear thread index in the block */

typedef struct coroutine {
  ucontext_t context;
  bool done;
  unsigned collectives; /* warp collectives met so far: the exchange parity */
} coroutine;

static coroutine *threads;
static char *stacks;
static ucontext_t scheduler;
static void (*running_entry)(void **);
static void **running_params;

static void set_thread(unsigned linear) {
  current = linear;
  thread_id[0] = linear % block_dim[0];
  thread_id[1] = linear / block_dim[0] % block_dim[1];
  thread_id[2] = linear / (block_dim[0] * block_dim[1]);
}

static void thread_body(void) {
  running_entry(running_params);
  threads[current].done = true;
}

/* Back to the scheduler until the next round. */
static void yield(void) {
  if (threads)
    swapcontext(&threads[current].context, &scheduler);
}

static bool run_block_as_coroutines(unsigned count) {
  for (unsigned t = 0; t < count; ++t) {
    coroutine *thread = &threads[t];
    thread->done = false;
    thread->collectives = 0;
    getcontext(&thread->context);
    thread->context.uc_stack.ss_sp = stacks + (size_t)t * kStackBytes;
    thread->context.uc_stack.ss_size = kStackBytes;
    thread->context.uc_link = &scheduler;
    makecontext(&thread->context, thread_body, 0);
  }
  for (bool live = true; live;) {
    live = false;
    for (unsigned t = 0; t < count; ++t) {
      if (threads[t].done)
        continue;
      set_thread(t);
      swapcontext(&scheduler, &threads[t].context);
      live |= !threads[t].done;
    }
  }
  return true;
}

bool emu_launch(const emu_kernel *kernel, const unsigned grid[3], const unsigned block[3],
                unsigned shared_bytes, void **params) {
  (void)shared_bytes; /* the image defines its shared memory */
  unsigned count = block[0] * block[1] * block[2];
  if (count == 0 || count > kMaxThreads) {
    fprintf(stderr, "kernel emulator: a block of %u threads\n", count);
    return false;
  }
  memcpy(grid_dim, grid, sizeof grid_dim);
  memcpy(block_dim, block, sizeof block_dim);
  bool synchronises = kernel->info[1] != 0;
  if (synchronises && !threads) {
    threads = calloc(kMaxThreads, sizeof *threads);
    stacks = mmap(NULL, (size_t)kMaxThreads * kStackBytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!threads || stacks == MAP_FAILED) {
      fprintf(stderr, "kernel emulator: out of memory for threads\n");
      return false;
    }
  }
  running_entry = kernel->entry;
  running_params = params;
  for (block_id[2] = 0; block_id[2] < grid[2]; ++block_id[2])
    for (block_id[1] = 0; block_id[1] < grid[1]; ++block_id[1])
      for (block_id[0] = 0; block_id[0] < grid[0]; ++block_id[0]) {
        if (synchronises) {
          run_block_as_coroutines(count);
          continue;
        }
        for (unsigned t = 0; t < count; ++t) {
          set_thread(t);
          kernel->entry(params);
        }
      }
  return true;
}

/*===--- special registers ------------------------------------------------===*/

#define SREG(name, value)                                                      \
  EXPORT unsigned __incept_emu_read_ptx_sreg_##name(void) { return value; }
SREG(tid_x, thread_id[0])
SREG(tid_y, thread_id[1])
SREG(tid_z, thread_id[2])
SREG(ntid_x, block_dim[0])
SREG(ntid_y, block_dim[1])
SREG(ntid_z, block_dim[2])
SREG(ctaid_x, block_id[0])
SREG(ctaid_y, block_id[1])
SREG(ctaid_z, block_id[2])
SREG(nctaid_x, grid_dim[0])
SREG(nctaid_y, grid_dim[1])
SREG(nctaid_z, grid_dim[2])
SREG(laneid, current % kWarpSize)
SREG(warpsize, kWarpSize)
#undef SREG

/*===--- arithmetic -------------------------------------------------------===*/

/* max.f32 and min.f32: NaN only if both are. */
EXPORT float __incept_emu_fmax_f(float a, float b) { return fmaxf(a, b); }
EXPORT float __incept_emu_fmin_f(float a, float b) { return fminf(a, b); }
/* sqrt.rn.f32: correctly rounded. */
EXPORT float __incept_emu_sqrt_rn_f(float x) { return sqrtf(x); }
/* ex2.approx.f32: within 2 ulp of 2^x (here within less). */
EXPORT float __incept_emu_ex2_approx_f32(float x) { return exp2f(x); }

/*===--- barriers ---------------------------------------------------------===*/

EXPORT void __incept_emu_barrier0(void) { yield(); }
EXPORT void __incept_emu_barrier_cta_sync_aligned_all(unsigned id) { (void)id; yield(); }
EXPORT void __incept_emu_barrier_cta_sync_all(unsigned id) { (void)id; yield(); }
