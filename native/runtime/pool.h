// The intra-op thread pool: one per process, shared by every Node environment (worker_threads).
// Workers sleep on a condition variable between jobs (no spinning while idle). Within a job, the caller
// polls for up to 1 ms for the helpers' last tasks before it sleeps too (a wake-up through the
// condition variable is slow on a VM, an interrupt to a halted vCPU, and would show in a short call).
// Between calls, only calls in a burst (a job that starts within 200 us of the last one's end) leave the
// helpers polling for the next job, for up to the spin wait (set_spin_wait_us, setSpinWait; 200 us by
// default, 0 turns it off) before they sleep; an isolated call leaves nothing polling (pool.cc).
// A helper that has not joined a job by the time its caller has taken every task (not yet woken, or
// not given a CPU by the machine) is not waited for: it skips that job.
// One job runs at a time; a caller that finds the pool busy (another environment, or an async op on a
// libuv thread) runs its whole job on its own thread instead of waiting, so no caller can block or
// deadlock another.
// Helpers are kept off the caller's CPU (thread_placement.h: otherwise a sleeping helper can be woken
// onto it and wait behind the caller).
// Results never depend on how tasks are spread: callers give each task a disjoint slice of output.
#pragma once
#include <cstddef>

namespace swiglu {

// Number of hardware threads this process may use (sched affinity aware), at least 1.
int available_cores();

// Runs fn(ctx, task) for every task in [0, n_tasks) using up to `threads` threads (the caller is one
// of them). Returns when all tasks are done. fn must not throw.
void parallel_for(size_t n_tasks, int threads, void (*fn)(void* ctx, size_t task), void* ctx);

template <class F>
void parallel_for(size_t n_tasks, int threads, F&& f) {
  parallel_for(n_tasks, threads, [](void* c, size_t t) { (*static_cast<F*>(c))(t); }, &f);
}

// A pause for spin-wait loops (lets the sibling hyperthread run, saves power while polling).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long helpers poll for the next job after a job that came in a burst, in microseconds, before
// they sleep. 0 means they sleep at once after every job. Process-wide (the pool is).
constexpr int kMaxSpinWaitUs = 10000;
constexpr int kDefaultSpinWaitUs = 200;
void set_spin_wait_us(int us);
int spin_wait_us();

// Whether calls are coming in a burst that keeps the helpers polling: a spin wait is set and the last
// parallel_for (of any thread, pooled or not) ended less than the spin wait (at most the burst gap) ago.
// A job then finds the helpers awake (or wakes them once, after which they poll), so a smaller job is
// worth splitting than when they sleep (gemm.h pool_min_flops).
bool pool_in_burst();

// Jobs the pool has run on more than one thread since the process started, and the helper places in
// them that were withdrawn because the helper had not joined by the time every task was taken (for tests).
unsigned long pooled_jobs();
unsigned long withdrawn_slots();

// Upper bound accepted by setNumThreads: more threads than this is a RangeError, not a fork bomb.
constexpr int kMaxThreads = 256;

}  // namespace swiglu
