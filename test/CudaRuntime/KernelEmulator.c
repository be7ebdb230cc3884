/*===- KernelEmulator.c - running emulation images' kernels on the CPU ----===*
 *
 * A launch runs its blocks one after another. In a block, a kernel that
 * never synchronises runs each thread to its end in turn; one that does
 * (a barrier, a warp collective) runs its threads as coroutines, in rounds:
 * in each round every live thread runs from where it stopped to its next
 * synchronisation point, and switches straight to the next thread (not
 * back to a scheduler: half the switches, which are most of an emulated
 * model's time). As every thread of these kernels meets the same points in
 * the same order, a thread that resumes after a point finds every other
 * thread of its block past the same point: a barrier. A warp
 * collective leaves the lane's operands in its warp's exchange, and the lane
 * reads the others' when it resumes; exchanges alternate between two
 * buffers, so that a lane that resumed first and reached its next collective
 * does not overwrite what a slower lane has still to read.
 *
 * The emulated intrinsics follow the PTX ISA's definitions (fragment
 * layouts of mma.sync and ldmatrix included), written from the ISA manual
 * and not from the compiler that emits them, so that the two check each
 * other, alignment included: a misaligned ldmatrix row or cp.async fails
 * the launch, as it would the GPU's. cp.async copies at once; its waits
 * have nothing left to wait for.
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
#include <stdint.h>
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

/* Switching coroutines: saves the callee-saved registers on the current
 * stack, stores its pointer in *from, and resumes the stack `to` the same
 * way. The floating point controls (MXCSR, x87's control word), which the
 * ABI also has callees preserve, are left alone: every coroutine runs with
 * the launching thread's, and no kernel changes them. (glibc's swapcontext
 * would save those too, and make two system calls for the signal mask: most
 * of an emulated model's time, at a switch per lane and collective.) */
#if !defined(__x86_64__)
#error "the kernel emulator switches coroutines in x86-64 assembly"
#endif
void emu_switch(void **from, void *to);
__asm__(".text\n"
        ".p2align 4\n"
        ".type emu_switch,@function\n"
        "emu_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n"
        "  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  movq %rsp, (%rdi)\n  movq %rsi, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n"
        "  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size emu_switch, .-emu_switch\n");

typedef struct coroutine {
  void *stack_pointer;
  bool done;
  unsigned collectives; /* warp collectives met so far: the exchange parity */
} coroutine;

static coroutine *threads;
static unsigned thread_count, live_threads;
static char *stacks;
static void *scheduler;
static void (*running_entry)(void **);
static void **running_params;
/* A fault of the running launch (a misaligned access that the GPU would
 * refuse), said once on stderr; the launch then fails. */
static bool faulted;

static void fault(const char *what, const void *address) {
  if (!faulted)
    fprintf(stderr, "kernel emulator: %s at %p (block %u,%u,%u thread %u)\n", what, address,
            block_id[0], block_id[1], block_id[2], current);
  faulted = true;
}

/* Whether `address` is a multiple of `bytes`; a fault if not. */
static bool aligned(const void *address, unsigned bytes, const char *what) {
  if ((uintptr_t)address % bytes == 0)
    return true;
  fault(what, address);
  return false;
}

static void set_thread(unsigned linear) {
  current = linear;
  if (block_dim[1] == 1 && block_dim[2] == 1) { /* the common case, no division */
    thread_id[0] = linear;
    return;
  }
  thread_id[0] = linear % block_dim[0];
  thread_id[1] = linear / block_dim[0] % block_dim[1];
  thread_id[2] = linear / (block_dim[0] * block_dim[1]);
}

/* The live thread after `thread`, in the order of the rounds. */
static unsigned next_live(unsigned thread) {
  do
    thread = thread + 1 == thread_count ? 0 : thread + 1;
  while (threads[thread].done);
  return thread;
}

/* Where a coroutine starts; it ends by switching to the next thread for
 * good, or back to the launch after the last. */
static void thread_body(void) {
  running_entry(running_params);
  threads[current].done = true;
  void *unused;
  if (--live_threads == 0)
    emu_switch(&unused, scheduler);
  unsigned next = next_live(current);
  set_thread(next);
  emu_switch(&unused, threads[next].stack_pointer);
  __builtin_unreachable();
}

/* On to the next thread until the next round. */
static void yield(void) {
  if (live_threads <= 1) /* alone, or not in coroutines at all */
    return;
  unsigned self = current, next = next_live(self);
  set_thread(next);
  emu_switch(&threads[self].stack_pointer, threads[next].stack_pointer);
}

/* A fresh stack whose first switch returns into thread_body, as if called
 * (the stack pointer 8 past a multiple of 16 on entry). */
static void *start_stack(char *stack) {
  uint64_t *top = (uint64_t *)(stack + kStackBytes);
  *--top = 0;                        /* thread_body's return address: none */
  *--top = (uint64_t)(uintptr_t)&thread_body;
  for (int i = 0; i < 6; ++i)
    *--top = 0;                      /* rbp, rbx, r12-r15 */
  return top;
}

static void run_block_as_coroutines(unsigned count) {
  thread_count = count;
  for (unsigned t = 0; t < count; ++t) {
    threads[t].done = false;
    threads[t].collectives = 0;
    threads[t].stack_pointer = start_stack(stacks + (size_t)t * kStackBytes);
  }
  live_threads = count;
  set_thread(0);
  emu_switch(&scheduler, threads[0].stack_pointer);
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
  memset(thread_id, 0, sizeof thread_id);
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
  faulted = false;
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
  return !faulted;
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

/*===--- warp collectives -------------------------------------------------===*/

/* What the lanes of a warp leave for one collective, and its results. */
typedef struct warp_exchange {
  unsigned arrived;
  const uint32_t *rows[kWarpSize];
  uint32_t a[kWarpSize][4], b[kWarpSize][2];
  float c[kWarpSize][4];
  uint32_t words[kWarpSize][4];
  float d[kWarpSize][4];
} warp_exchange;

static warp_exchange exchanges[kMaxThreads / kWarpSize][2];

static unsigned lane_of_current(void) { return current % kWarpSize; }

/* The calling lane's exchange for its next collective. */
static warp_exchange *enter_collective(void) {
  unsigned parity = threads[current].collectives++ & 1;
  return &exchanges[current / kWarpSize][parity];
}

/* Whether the calling lane is the warp's last to arrive: it then acts for
 * the warp, with every lane's operands in place. */
static bool last_to_arrive(warp_exchange *exchange) {
  unsigned warp_start = current / kWarpSize * kWarpSize;
  unsigned lanes = thread_count - warp_start < kWarpSize ? thread_count - warp_start
                                                          : kWarpSize;
  if (++exchange->arrived < lanes)
    return false;
  exchange->arrived = 0;
  return true;
}

/* ldmatrix.sync.aligned.m8n8.xN.b16: lanes 8i..8i+7 give the rows of
 * matrix i (8 rows of 16 bytes); lane l receives, of each matrix, the
 * 32-bit word l%4 of row l/4. */
static void load_matrices(uint32_t *out, const void *row, unsigned matrices) {
  warp_exchange *exchange = enter_collective();
  unsigned lane = lane_of_current();
  aligned(row, 16, "ldmatrix of a row not 16-byte aligned");
  exchange->rows[lane] = row;
  if (last_to_arrive(exchange))
    for (unsigned l = 0; l < kWarpSize; ++l)
      for (unsigned i = 0; i < matrices; ++i)
        exchange->words[l][i] = exchange->rows[8 * i + l / 4][l % 4];
  yield();
  memcpy(out, exchange->words[lane], matrices * sizeof *out);
}

EXPORT void __incept_emu_ldmatrix_sync_aligned_m8n8_x1_b16_p3(uint32_t *out, const void *row) {
  load_matrices(out, row, 1);
}
EXPORT void __incept_emu_ldmatrix_sync_aligned_m8n8_x2_b16_p3(uint32_t *out, const void *row) {
  load_matrices(out, row, 2);
}
EXPORT void __incept_emu_ldmatrix_sync_aligned_m8n8_x4_b16_p3(uint32_t *out, const void *row) {
  load_matrices(out, row, 4);
}

/* With STUB_CUDA_EXACT_TF32 set, TF32 keeps every bit of fp32: the
 * tensor cores' products are then fp32's, which tells a kernel's logic from
 * TF32's rounding. */
static bool exact_tf32(void) {
  static int exact = -1;
  if (exact < 0)
    exact = getenv("STUB_CUDA_EXACT_TF32") != NULL;
  return exact;
}

/* cvt.rna.tf32.f32: to the nearest TF32, ties away from zero (adding half
 * of the last kept bit to the magnitude, then dropping the 13 low bits);
 * NaN and infinity as they are. */
EXPORT uint32_t __incept_emu_f2tf32_rna(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  if (exact_tf32() || (bits & UINT32_C(0x7F800000)) == UINT32_C(0x7F800000))
    return bits;
  return (bits + UINT32_C(0x1000)) & ~UINT32_C(0x1FFF);
}

/* A .tf32 operand as the tensor cores read it: the 13 low bits of the
 * mantissa ignored. */
static float tf32(uint32_t bits) {
  if (!exact_tf32())
    bits &= ~UINT32_C(0x1FFF);
  float value;
  memcpy(&value, &bits, sizeof value);
  return value;
}

/* What a warp's mma.sync multiplies: TF32 (m16n8k8, one element a 32-bit
 * register) or a 16-bit type (m16n8k16, a pair a register, the first
 * element in the low half). */
typedef enum { kTf32, kFp16, kBf16 } mma_operands;

/* Element `half` of a register of 16-bit operands, in fp32 (exactly). */
static float element16(uint32_t word, unsigned half, mma_operands operands) {
  uint16_t bits = (uint16_t)(word >> (16 * half));
  if (operands == kFp16) {
    _Float16 value;
    memcpy(&value, &bits, sizeof value);
    return (float)value;
  }
  uint32_t widened = (uint32_t)bits << 16; /* BF16: fp32's high half */
  float value;
  memcpy(&value, &widened, sizeof value);
  return value;
}

/* D = A B + C for the warp whose lanes left their registers in `exchange`,
 * with the PTX ISA's fragments (groupID g = lane/4, threadID_in_group
 * t = lane%4). m16n8k8 TF32: A a0 (g, t), a1 (g+8, t), a2 (g, t+4),
 * a3 (g+8, t+4); B b0 (t, g), b1 (t+4, g). m16n8k16, pairs: A a0a1 (g, 2t),
 * a2a3 (g+8, 2t), a4a5 (g, 2t+8), a6a7 (g+8, 2t+8); B b0b1 (2t, g),
 * b2b3 (2t+8, g). C and D both: c0, c1 (g, 2t and 2t+1), c2, c3 (g+8, 2t
 * and 2t+1). */
static void multiply_warp(warp_exchange *exchange, mma_operands operands) {
  unsigned depth = operands == kTf32 ? 8 : 16;
  float a[16][16], bt[8][16] /* [n][k] */, c[16][8];
  for (unsigned l = 0; l < kWarpSize; ++l) {
    unsigned g = l / 4, t = l % 4;
    for (unsigned r = 0; r < 4; ++r) {
      unsigned row = g + 8 * (r % 2);
      if (operands == kTf32) {
        a[row][t + 4 * (r / 2)] = tf32(exchange->a[l][r]);
        continue;
      }
      for (unsigned half = 0; half < 2; ++half)
        a[row][2 * t + 8 * (r / 2) + half] = element16(exchange->a[l][r], half, operands);
    }
    for (unsigned r = 0; r < 2; ++r) {
      if (operands == kTf32) {
        bt[g][t + 4 * r] = tf32(exchange->b[l][r]);
        continue;
      }
      for (unsigned half = 0; half < 2; ++half)
        bt[g][2 * t + 8 * r + half] = element16(exchange->b[l][r], half, operands);
    }
    for (unsigned i = 0; i < 4; ++i)
      c[g + 8 * (i / 2)][2 * t + i % 2] = exchange->c[l][i];
  }
  for (unsigned l = 0; l < kWarpSize; ++l) {
    unsigned g = l / 4, t = l % 4;
    for (unsigned i = 0; i < 4; ++i) {
      unsigned row = g + 8 * (i / 2), column = 2 * t + i % 2;
      /* The products of TF32, FP16 and BF16 operands are exact in fp32 (at
       * most 11 by 11 significant bits): a multiply and an add, and no call
       * of fmaf where the build's target has no FMA instruction. */
      float sum = c[row][column];
      for (unsigned k = 0; k < depth; ++k)
        sum += a[row][k] * bt[column][k];
      exchange->d[l][i] = sum;
    }
  }
}

/* One lane's mma.sync: its registers into the exchange, the warp's product
 * by the last lane to arrive, its share of D out. */
static void mma_sync(float *d, const uint32_t a[4], const uint32_t b[2], const float c[4],
                     mma_operands operands) {
  warp_exchange *exchange = enter_collective();
  unsigned lane = lane_of_current();
  memcpy(exchange->a[lane], a, sizeof exchange->a[lane]);
  memcpy(exchange->b[lane], b, sizeof exchange->b[lane]);
  memcpy(exchange->c[lane], c, sizeof exchange->c[lane]);
  if (last_to_arrive(exchange))
    multiply_warp(exchange, operands);
  yield();
  memcpy(d, exchange->d[lane], sizeof exchange->d[lane]);
}

#define MMA_SYNC(name, operands)                                                        \
  EXPORT void __incept_emu_mma_##name(float *d, uint32_t a0, uint32_t a1, uint32_t a2,    \
                                      uint32_t a3, uint32_t b0, uint32_t b1, float c0,     \
                                      float c1, float c2, float c3) {                      \
    mma_sync(d, (uint32_t[4]){a0, a1, a2, a3}, (uint32_t[2]){b0, b1},                    \
             (float[4]){c0, c1, c2, c3}, operands);                                       \
  }
/* mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 */
MMA_SYNC(m16n8k8_row_col_tf32, kTf32)
/* mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 (LLVM names it by C
 * and D's types), and its .bf16 */
MMA_SYNC(m16n8k16_row_col_f32_f32, kFp16)
MMA_SYNC(m16n8k16_row_col_bf16, kBf16)
#undef MMA_SYNC

/*===--- cp.async ---------------------------------------------------------===*/

/* cp.async.ca.shared.global [dst], [src], N, src_size: N bytes, of which
 * those past src_size are zeros. Done at once: a wait_group that follows
 * has nothing to wait for, and a correct kernel reads the bytes only after
 * one. */
static void copy_async(void *dst, const void *src, unsigned bytes, unsigned source_bytes) {
  if (!aligned(dst, bytes, "cp.async to shared memory not aligned to its size") ||
      !aligned(src, bytes, "cp.async from global memory not aligned to its size"))
    return;
  unsigned copied = source_bytes < bytes ? source_bytes : bytes;
  memcpy(dst, src, copied);
  memset((char *)dst + copied, 0, bytes - copied);
}
EXPORT void __incept_emu_cp_async_ca_shared_global_4_s(void *dst, const void *src, unsigned n) {
  copy_async(dst, src, 4, n);
}
EXPORT void __incept_emu_cp_async_ca_shared_global_8_s(void *dst, const void *src, unsigned n) {
  copy_async(dst, src, 8, n);
}
EXPORT void __incept_emu_cp_async_ca_shared_global_16_s(void *dst, const void *src, unsigned n) {
  copy_async(dst, src, 16, n);
}
EXPORT void __incept_emu_cp_async_cg_shared_global_16_s(void *dst, const void *src, unsigned n) {
  copy_async(dst, src, 16, n);
}
EXPORT void __incept_emu_cp_async_commit_group(void) {}
EXPORT void __incept_emu_cp_async_wait_group(int pending) { (void)pending; }
EXPORT void __incept_emu_cp_async_wait_all(void) {}
