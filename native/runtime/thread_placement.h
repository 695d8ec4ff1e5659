// Keeps the pool's helper threads off the CPU their caller runs on.
//
// Why: a helper that slept for a few milliseconds can be woken onto the caller's own CPU (when the
// caller has moved to the CPU the helper last ran on, or the wake-up's search for an idle CPU gives
// up); it then waits behind the caller, which is busy with its share of the job, until the load
// balancer moves it, far longer than the job's own start-up. Kept off that CPU, it starts at once on
// another. A job costs one affinity change per helper when the caller's CPU differs from the one the
// helper was last kept off (Node's main thread rarely moves), none otherwise.
#pragma once
#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace swiglu {

// The CPU the calling thread runs on, or -1 where the OS does not say.
int current_cpu();

// The calling thread's allowed CPUs (taskset, cgroup cpusets) except one: read once, applied to as many
// threads as need it. Empty where that leaves no CPU or the OS has no such call (then apply does nothing).
class OtherCpus {
 public:
  explicit OtherCpus(int cpu);
  // Lets `thread` run on these CPUs only; false if empty or refused (a hint either way).
  bool apply(std::thread::native_handle_type thread) const;

 private:
  bool empty_ = true;
#if defined(__linux__)
  cpu_set_t set_;
#endif
};

}  // namespace swiglu
