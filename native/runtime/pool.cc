// Implementation of the sleeping, process-wide thread pool declared in pool.h.
#include "pool.h"

#include "thread_placement.h"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace swiglu {

int available_cores() {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

namespace {

using Clock = std::chrono::steady_clock;

// How long a caller polls for its helpers to finish before it sleeps (see try_run).
constexpr std::chrono::microseconds kJoinSpin{1000};
// Calls in a burst: a job that starts within kBurstGap of the previous parallel_for's end (pooled or
// run on the caller alone) marks a burst, and after such a job the helpers poll up to the spin wait for
// the next one before they sleep: on a VM a helper that went to sleep is slow to wake (its vCPU halts),
// which shows in short calls such as a one-row gate. An isolated call (nothing before it within
// kBurstGap) leaves no thread polling, so a process that is not calling stays idle; in a burst each
// helper polls at most the spin wait per job. The default spin wait equals the burst gap: calls that
// count as a burst find the helpers awake.
constexpr std::chrono::microseconds kBurstGap{200};
std::atomic<int> g_spin_wait_us{kDefaultSpinWaitUs};
static_assert(kDefaultSpinWaitUs == kBurstGap.count(), "the default spin wait is the burst gap");

// When the last parallel_for of any thread ended (steady clock, ns since its epoch; far past at start).
std::atomic<int64_t> g_last_end_ns{INT64_MIN / 2};
std::atomic<unsigned long> g_pooled_jobs{0};
std::atomic<unsigned long> g_withdrawn_slots{0};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Whether the last parallel_for ended less than `us` microseconds ago.
bool ended_within_us(int64_t us) { return now_ns() - g_last_end_ns.load(std::memory_order_relaxed) < us * 1000; }

class Pool {
 public:
  // Runs the job if the pool is free; returns false (having done nothing) if it is busy.
  bool try_run(size_t n_tasks, int threads, void (*fn)(void*, size_t), void* ctx) {
    std::unique_lock<std::mutex> busy(job_mutex_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    const int helpers = threads - 1;
    ensure_workers(helpers);
    const bool burst = ended_within_us(kBurstGap.count());
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = fn;
      ctx_ = ctx;
      n_tasks_ = n_tasks;
      next_.store(0, std::memory_order_relaxed);
      active_helpers_ = helpers;
      unfinished_.store(helpers, std::memory_order_relaxed);
      slots_.store(((generation_ + 1) << kSlotBits) | static_cast<uint64_t>(helpers), std::memory_order_relaxed);
      spin_wait_ = std::chrono::microseconds(g_spin_wait_us.load(std::memory_order_relaxed));
      burst_ = spin_wait_.count() > 0 && burst;
      keep_helpers_off_caller_cpu(helpers);
      ++generation_;
      published_.store(generation_, std::memory_order_release);
    }
    wake_.notify_all();
    g_pooled_jobs.fetch_add(1, std::memory_order_relaxed);
    work();  // the caller takes tasks too
    // Every task is taken. A helper that has not joined the job by now (it has not woken, or the machine
    // has not given it a CPU) is not waited for: its slot is withdrawn, and it skips the job when it
    // comes. Only helpers that joined count in unfinished_.
    uint64_t s = slots_.load(std::memory_order_relaxed);
    while ((s & kSlotMask) != 0 && !slots_.compare_exchange_weak(s, s & ~kSlotMask, std::memory_order_acq_rel)) {
    }
    const int withdrawn = static_cast<int>(s & kSlotMask);
    if (withdrawn) {
      unfinished_.fetch_sub(withdrawn, std::memory_order_acq_rel);
      g_withdrawn_slots.fetch_add(static_cast<unsigned long>(withdrawn), std::memory_order_relaxed);
    }
    // The helpers' last tasks are still running: poll for them for a while before sleeping. This is
    // inside the call (the caller is blocked either way), never between calls. Waking a thread that
    // sleeps on the condition variable is slow on a VM (an interrupt to a halted vCPU), and it would be
    // paid on every call.
    const Clock::time_point spin_until = Clock::now() + kJoinSpin;
    for (unsigned i = 0; unfinished_.load(std::memory_order_acquire) != 0; ++i) {
      cpu_relax();
      if ((i & 63) == 0 && Clock::now() > spin_until) break;
    }
    std::unique_lock<std::mutex> lk(m_);
    done_.wait(lk, [&] { return unfinished_.load(std::memory_order_acquire) == 0; });
    fn_ = nullptr;
    return true;
  }

 private:
  void ensure_workers(int wanted) {
    std::lock_guard<std::mutex> lk(m_);
    while (static_cast<int>(workers_.size()) < wanted) {
      const int index = static_cast<int>(workers_.size());
      // Detached on purpose: the pool lives until the process exits (a static destructor joining
      // threads at exit would race with Node's own teardown).
      // The worker starts from the generation current now, before this job is published, so it
      // cannot miss the job that made it.
      const unsigned long start = generation_;
      std::thread t([this, index, start] { loop(index, start); });
      workers_.push_back(Worker{t.native_handle(), -1});
      t.detach();  // the handle stays valid: the thread never ends
    }
  }

  // Under m_, before the job is published (thread_placement.h says why). Only when the caller's CPU
  // is not the one a helper is already kept off: an affinity change costs a system call.
  void keep_helpers_off_caller_cpu(int helpers) {
    const int cpu = current_cpu();
    if (cpu < 0) return;
    std::optional<OtherCpus> others;  // the caller's mask, read once, only if a helper needs it
    for (int i = 0; i < helpers; ++i) {
      Worker& w = workers_[static_cast<size_t>(i)];
      if (w.kept_off == cpu) continue;
      if (!others) others.emplace(cpu);
      w.kept_off = others->apply(w.handle) ? cpu : -1;
    }
  }

  void loop(int index, unsigned long seen) {
    bool poll = false;  // the last job was part of a burst: poll for the next before sleeping
    std::chrono::microseconds spin{0};
    for (;;) {
      if (poll) {
        const Clock::time_point until = Clock::now() + spin;
        for (unsigned i = 0; published_.load(std::memory_order_acquire) == seen; ++i) {
          cpu_relax();
          if ((i & 63) == 0 && Clock::now() > until) break;
        }
      }
      {
        std::unique_lock<std::mutex> lk(m_);
        wake_.wait(lk, [&] { return generation_ != seen; });
        seen = generation_;
        poll = burst_ && index < active_helpers_;  // a helper this job does not use sleeps on
        spin = spin_wait_;
        if (index >= active_helpers_) continue;     // not needed for this job
        if (!join(seen)) continue;                  // came after the caller had taken every task
      }
      work();
      if (unfinished_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // Under the mutex, so that a caller between its predicate check and its wait cannot miss it.
        std::lock_guard<std::mutex> lk(m_);
        done_.notify_one();
      }
    }
  }

  // Takes one of generation gen's helper slots, if the caller has not withdrawn them (try_run).
  bool join(unsigned long gen) {
    uint64_t s = slots_.load(std::memory_order_acquire);
    while ((s >> kSlotBits) == uint64_t(gen) && (s & kSlotMask) != 0) {
      if (slots_.compare_exchange_weak(s, s - 1, std::memory_order_acq_rel)) return true;
    }
    return false;
  }

  void work() {
    for (;;) {
      size_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks_) return;
      fn_(ctx_, t);
    }
  }

  std::mutex job_mutex_;  // held by the caller for the duration of one job
  std::mutex m_;
  std::condition_variable wake_, done_;
  struct Worker {
    std::thread::native_handle_type handle;
    int kept_off;  // the CPU this helper may not run on (the last caller's), or -1
  };
  std::vector<Worker> workers_;  // under m_
  unsigned long generation_ = 0;
  int active_helpers_ = 0;
  std::atomic<int> unfinished_{0};  // helpers that joined the current job (or may still) and have not finished
  // The current job's generation (high bits) and the helper slots not yet taken (low kSlotBits): a
  // helper joins by taking one, the caller withdraws the rest once every task is taken.
  static constexpr int kSlotBits = 16;
  static constexpr uint64_t kSlotMask = (uint64_t(1) << kSlotBits) - 1;
  static_assert(kMaxThreads < (1 << kSlotBits), "the slots fit their bits");
  std::atomic<uint64_t> slots_{0};
  std::atomic<unsigned long> published_{0};  // generation_, readable without the mutex (polling)
  bool burst_ = false;                       // under m_: this job started soon after the last one
  std::chrono::microseconds spin_wait_{0};   // under m_: the spin wait when this job was published
  void (*fn_)(void*, size_t) = nullptr;
  void* ctx_ = nullptr;
  size_t n_tasks_ = 0;
  std::atomic<size_t> next_{0};
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: see ensure_workers
  return *p;
}

}  // namespace

void set_spin_wait_us(int us) {
  g_spin_wait_us.store(us < 0 ? 0 : us > kMaxSpinWaitUs ? kMaxSpinWaitUs : us, std::memory_order_relaxed);
}

int spin_wait_us() { return g_spin_wait_us.load(std::memory_order_relaxed); }

unsigned long pooled_jobs() { return g_pooled_jobs.load(std::memory_order_relaxed); }

unsigned long withdrawn_slots() { return g_withdrawn_slots.load(std::memory_order_relaxed); }

bool pool_in_burst() {
  const int us = g_spin_wait_us.load(std::memory_order_relaxed);
  return us > 0 && ended_within_us(us < kBurstGap.count() ? us : kBurstGap.count());
}

void parallel_for(size_t n_tasks, int threads, void (*fn)(void*, size_t), void* ctx) {
  if (n_tasks == 0) return;
  if (threads > kMaxThreads) threads = kMaxThreads;
  if (threads > static_cast<int>(n_tasks)) threads = static_cast<int>(n_tasks);
  if (threads <= 1 || !pool().try_run(n_tasks, threads, fn, ctx)) {
    for (size_t t = 0; t < n_tasks; ++t) fn(ctx, t);
  }
  g_last_end_ns.store(now_ns(), std::memory_order_relaxed);
}

}  // namespace swiglu
