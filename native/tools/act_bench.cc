// Microbenchmark of the elementwise activations per ISA (in-cache throughput, 1 thread).
//
//   act_bench [--n 100000] [--ops silu,gelu] [--isa avx512,avx2,scalar] [--min-time 0.2] [--range -8:8]
//             [--clock wall|cpu]
//
// Input: n floats spread over [-8, 8] (the range real activations see, every branch of every kernel
// exercised; --range LO:HI for another); output to a separate buffer. Reports Gelem/s (best of 5 timed
// rounds) and, as the ceiling for a streaming op, the same loop for y = 3x (plain C++ compiled with
// baseline flags). --clock cpu times the thread's CPU time instead of the wall clock: on a machine shared
// with other jobs, the time this thread was descheduled no longer counts (what the caches and the other
// vCPU's load do to it still does).
#include "split_list.h"
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../runtime/cpu.h"
#include "../runtime/dispatch.h"

using namespace swiglu;

namespace {

bool g_cpu_clock = false;

double now() {
#ifdef CLOCK_THREAD_CPUTIME_ID
  if (g_cpu_clock) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  }
#endif
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}


bool pick(const std::vector<std::string>& l, const char* n) {
  return l.empty() || std::find(l.begin(), l.end(), std::string(n)) != l.end();
}

template <class Fn>
double gelems(Fn fn, size_t n, double min_time) {
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    size_t reps = 0;
    const double t0 = now();
    double t;
    do {
      for (int i = 0; i < 16; ++i) fn();
      reps += 16;
      t = now() - t0;
    } while (t < min_time / 5);
    best = std::max(best, double(reps) * double(n) / t / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 100000;
  double min_time = 0.5;
  float lo = -8.0f, hi = 8.0f;
  std::vector<std::string> ops, isas;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--ops")) ops = split_list(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--isa")) isas = split_list(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--min-time")) min_time = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--range")) std::sscanf(argv[i + 1], "%f:%f", &lo, &hi);
    else if (!std::strcmp(argv[i], "--clock")) g_cpu_clock = !std::strcmp(argv[i + 1], "cpu");
  }
  // The ISAs the addon would run here (runtime/cpu.cc), best first.
  struct IsaTable { const char* name; const OpTable* t; };
  std::vector<IsaTable> avail;
  for (const Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kNeon, Isa::kScalar})
    if (isa_runnable(isa)) avail.push_back({isa_name(isa), &op_table(isa)});

  // Every activation of runtime/activation_list.h with its default parameters (identity aside), then the
  // kernels with a beta != 1 (base-2 exponents, math::exp2_parts; quickGelu is silu's with 1.702).
  struct Op { std::string name; int act; ActParams p; };
  std::vector<Op> all;
  for (int a = 0; a < kActCount; ++a)
    if (a != kIdentity) all.push_back({kActInfo[a].name, a, kActInfo[a].defaults});
  all.push_back({"silu(1.5)", kSilu, {1.5, 0}});
  all.push_back({"softplus(2)", kSoftplus, {2.0, 20.0}});
  std::vector<float> x(n), y(n);
  for (size_t i = 0; i < n; ++i) x[i] = lo + (hi - lo) * float((i * 2654435761u) % 1000003u) / 1000003.0f;

  const double copy = gelems([&] { for (size_t i = 0; i < n; ++i) y[i] = 3.0f * x[i]; }, n, min_time);
  const Store store = store_for(2 * n * sizeof(float));  // as the addon decides (runtime/dispatch.h)
  std::printf("n = %zu in [%g, %g), %s clock, y = 3x: %.2f Gelem/s, %s stores\n%-12s", n, double(lo), double(hi),
              g_cpu_clock ? "thread CPU" : "wall", copy, store == Store::kStream ? "streaming" : "plain", "op");
  for (const IsaTable& I : avail) if (pick(isas, I.name)) std::printf(" %9s", I.name);
  std::printf("   (Gelem/s)\n");
  for (const Op& op : all) {
    if (!pick(ops, op.name.c_str())) continue;
    std::printf("%-12s", op.name.c_str());
    for (const IsaTable& I : avail) {
      if (!pick(isas, I.name)) continue;
      const double g = gelems([&] { I.t->unary[op.act](x.data(), y.data(), n, op.p, store); }, n, min_time);
      std::printf(" %9.2f", g);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}
