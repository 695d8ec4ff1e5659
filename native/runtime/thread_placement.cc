// Implementation of thread_placement.h (Linux; elsewhere the helpers go wherever the OS puts them).
#include "thread_placement.h"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace swiglu {

int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

OtherCpus::OtherCpus(int cpu) {
#if defined(__linux__)
  if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(set_), &set_) != 0) return;
  CPU_CLR(cpu, &set_);
  empty_ = CPU_COUNT(&set_) == 0;  // the caller is pinned to that one CPU: nowhere else to go
#else
  (void)cpu;
#endif
}

bool OtherCpus::apply(std::thread::native_handle_type thread) const {
#if defined(__linux__)
  return !empty_ && pthread_setaffinity_np(thread, sizeof(set_), &set_) == 0;
#else
  (void)thread;
  return false;
#endif
}

}  // namespace swiglu
