/*===- ThreadPool.c - the worker threads of one context --------------------===*
 *
 * A context with T threads owns T-1 workers; the thread that calls run() is
 * the T-th. Generated kernels split a layer into `count` items and call
 * incept_parallel_for, which returns when all are done. Thread t first runs
 * its share, the t-th of T runs of consecutive items, taking them one at a
 * time from a counter of its own, then helps the others with what is left
 * of theirs (run_items): a thread that the OS preempts (another process on
 * the core) delays the layer by the item it holds, not by its share. With
 * one counter for all items instead, the cores passed its cache line back
 * and forth for every item, and a thread's items of a layer were wherever
 * the other thread's were not, reading weights and pixels from all over
 * (docs/performance.md has what each cost). Workers spin on the pool's
 * generation counter for 2 ms after each job (layers follow each other
 * within microseconds), then sleep on a condition variable, so an idle
 * context costs no CPU. Threads start when the context is created, never
 * when the library is loaded.
 *
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include <time.h>
#include "incept/runtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The spin loops wait on plain loads, without PAUSE: in a virtual machine
 * the hypervisor's pause-loop exiting (Intel PLE, AMD's pause filter) takes a
 * vCPU that executes PAUSEs in a tight loop off its host CPU, and a worker
 * descheduled so joins the next layer late or not at all (measured on a
 * 2-vCPU KVM guest: GoogLeNet at 2 threads 20-22 ms with PAUSE, 15.8 ms
 * without; 30.8 ms at 1 thread). By default there is one thread per
 * physical core (incept_default_threads), so no SMT sibling loses issue
 * slots to a spinning one. */
#define CPU_RELAX() __asm__ __volatile__("" ::: "memory")

/* How long a worker spins for the next job before it sleeps: longer than the
 * gaps between the layers of a run (the serial kernels between two parallel
 * ones), short enough that an idle context soon costs nothing. */
enum { SPIN_NS = 2000000, SPIN_CHECK_EVERY = 64 };

typedef struct worker {
  struct incept_thread_pool *pool;
  int index;
  pthread_t thread;
} worker;

/* Thread t's share of the current job: items [next, end) at first, on a
 * cache line of its own, so that a thread taking its own items touches no
 * line another thread writes. */
typedef struct share {
  _Alignas(64) atomic_llong next;
  int64_t end;
} share;

struct incept_thread_pool {
  int threads;
  worker *workers;
  share *shares; /* one a thread; [0] is the caller's */
  pthread_mutex_t mutex;
  pthread_cond_t wake;
  atomic_uint generation; /* bumped once per job */
  atomic_int pending;     /* workers still running the current job */
  atomic_bool stopping;
  /* The current job, written before `generation` is bumped. */
  incept_task task;
  void *data;
};

/* Thread `self` runs its own share of the items in order, then helps the
 * others with theirs, taking their next item each time: every item is run
 * once, by whoever increments its share's counter to it. A blocked conv's
 * consecutive items are the chunks of pixels of one group of output blocks
 * (BlockedKernel.cpp), so a share reads the weights of a few groups only,
 * which stay in its core's caches from one item to the next. */
static void run_items(incept_thread_pool *pool, int self) {
  incept_task task = pool->task;
  void *data = pool->data;
  for (int k = 0; k < pool->threads; ++k) {
    share *victim = &pool->shares[(self + k) % pool->threads];
    for (;;) {
      int64_t item = atomic_fetch_add_explicit(&victim->next, 1, memory_order_relaxed);
      if (item >= victim->end)
        break;
      task(data, item, item + 1);
    }
  }
}

static void *worker_main(void *argument) {
  worker *self = argument;
  incept_thread_pool *pool = self->pool;
  unsigned seen = 0;
  for (;;) {
    unsigned now = atomic_load_explicit(&pool->generation, memory_order_acquire);
    uint64_t deadline = incept_monotonic_ns() + SPIN_NS;
    for (unsigned spin = 1; now == seen; ++spin) {
      CPU_RELAX();
      now = atomic_load_explicit(&pool->generation, memory_order_acquire);
      if (spin % SPIN_CHECK_EVERY == 0 && incept_monotonic_ns() > deadline)
        break;
    }
    if (now == seen) {
      pthread_mutex_lock(&pool->mutex);
      while ((now = atomic_load(&pool->generation)) == seen &&
             !atomic_load(&pool->stopping))
        pthread_cond_wait(&pool->wake, &pool->mutex);
      pthread_mutex_unlock(&pool->mutex);
    }
    if (atomic_load(&pool->stopping))
      return NULL;
    seen = now;
    run_items(pool, self->index);
    atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_release);
  }
}

int incept_default_threads(void) {
  /* Physical cores: SMT siblings share the FMA units the kernels saturate. */
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  int cores = 0;
  cpu_set_t seen;
  CPU_ZERO(&seen);
  for (long cpu = 0; cpu < online && cpu < CPU_SETSIZE; ++cpu) {
    char path[96];
    snprintf(path, sizeof path,
             "/sys/devices/system/cpu/cpu%ld/topology/thread_siblings_list", cpu);
    FILE *file = fopen(path, "r");
    long first = cpu;
    if (file) {
      if (fscanf(file, "%ld", &first) != 1)
        first = cpu;
      fclose(file);
    }
    if (first >= 0 && first < CPU_SETSIZE && !CPU_ISSET(first, &seen)) {
      CPU_SET(first, &seen);
      ++cores;
    }
  }
  return cores > 0 ? cores : (online > 0 ? (int)online : 1);
}

incept_status incept_thread_pool_create(int threads, incept_thread_pool **pool) {
  *pool = NULL;
  if (threads < 1)
    return INCEPT_ERROR_INVALID_ARGUMENT;
  incept_thread_pool *result = calloc(1, sizeof *result);
  if (!result)
    return INCEPT_ERROR_OUT_OF_MEMORY;
  result->threads = threads;
  pthread_mutex_init(&result->mutex, NULL);
  pthread_cond_init(&result->wake, NULL);
  atomic_init(&result->generation, 0);
  atomic_init(&result->pending, 0);
  atomic_init(&result->stopping, false);
  if (threads > 1) {
    result->workers = calloc((size_t)threads, sizeof(worker));
    result->shares = aligned_alloc(_Alignof(share), (size_t)threads * sizeof(share));
    if (!result->workers || !result->shares) {
      result->threads = 1; /* no worker started: none to join */
      incept_thread_pool_destroy(result);
      return INCEPT_ERROR_OUT_OF_MEMORY;
    }
    for (int i = 1; i < threads; ++i) {
      result->workers[i].pool = result;
      result->workers[i].index = i;
      if (pthread_create(&result->workers[i].thread, NULL, worker_main,
                         &result->workers[i]) != 0) {
        result->threads = i; /* the ones started so far get joined */
        incept_thread_pool_destroy(result);
        return INCEPT_ERROR_OUT_OF_MEMORY;
      }
    }
  }
  *pool = result;
  return INCEPT_OK;
}

void incept_thread_pool_destroy(incept_thread_pool *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->mutex);
  atomic_store(&pool->stopping, true);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (int i = 1; i < pool->threads && pool->workers; ++i)
    pthread_join(pool->workers[i].thread, NULL);
  free(pool->workers);
  free(pool->shares);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
  free(pool);
}

int incept_thread_pool_threads(const incept_thread_pool *pool) {
  return pool ? pool->threads : 1;
}

void incept_thread_pool_run(incept_thread_pool *pool, incept_task task,
                            void *data, int64_t count) {
  if (count <= 0)
    return;
  if (!pool || pool->threads == 1 || count == 1) {
    task(data, 0, count);
    return;
  }
  pool->task = task;
  pool->data = data;
  for (int t = 0; t < pool->threads; ++t) {
    atomic_store_explicit(&pool->shares[t].next, count * t / pool->threads,
                          memory_order_relaxed);
    pool->shares[t].end = count * (t + 1) / pool->threads;
  }
  atomic_store_explicit(&pool->pending, pool->threads - 1, memory_order_relaxed);
  pthread_mutex_lock(&pool->mutex);
  atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  run_items(pool, 0);
  /* The job's data lives in the caller's frame: every worker must be done
   * with it (and so have seen this job) before the caller returns. */
  while (atomic_load_explicit(&pool->pending, memory_order_acquire) != 0)
    CPU_RELAX();
}
