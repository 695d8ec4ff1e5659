// Implementation of thread_placement.h (Linux; elsewhere the helpers go wherever the OS puts them).
#include "thread_placement.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace swiglu {

int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

bool keep_off_cpu(const std::thread::native_handle_type* threads, bool* done, size_t n, int cpu) {
  for (size_t i = 0; i < n; ++i) done[i] = false;
#if defined(__linux__)
  if (cpu < 0 || cpu >= CPU_SETSIZE) return false;
  cpu_set_t set;
  // The caller's own mask (taskset, cgroup cpusets): a helper never gets a CPU the caller may not use.
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return false;
  CPU_CLR(cpu, &set);
  if (CPU_COUNT(&set) == 0) return false;  // the caller is pinned to that one CPU: nowhere else to go
  for (size_t i = 0; i < n; ++i) done[i] = pthread_setaffinity_np(threads[i], sizeof(set), &set) == 0;
  return true;
#else
  (void)threads;
  (void)cpu;
  return false;
#endif
}

}  // namespace swiglu
