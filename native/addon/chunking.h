// How an elementwise job is cut for the pool. Small arrays stay on the calling thread: waking a
// sleeping worker costs a few microseconds, as much as an in-cache array of ~100K floats takes, so
// below 256K elements a second thread does not pay (the bench saw 1e5-element relu fall from 12
// Gelem/s on one thread to 4.6 on two when the split started at 64K).
#pragma once
#include <cstddef>

#include "../runtime/pool.h"

namespace swiglu {

constexpr size_t kParallelMinElements = size_t(1) << 18;
constexpr size_t kChunkAlign = 64;  // floats: keeps chunk starts on cache-line multiples of the base

// Calls body(begin, end) over [0, n) in chunks, on up to `threads` threads.
template <class Body>
void run_chunked(size_t n, int threads, Body&& body) {
  if (threads <= 1 || n < kParallelMinElements) {
    body(size_t(0), n);
    return;
  }
  // One contiguous chunk per thread, the same part of the array on every call: the pool's caller takes
  // the first task and the woken worker the next, so a core meets the part of x and out it had last
  // time in its own cache. Four dynamic chunks per thread (as before) balanced a slowed core better,
  // but moved every part between cores from call to call: at 1e7 floats on two cores, with the vCPUs
  // on two L3s, the copy probe (each thread its own arrays) reached 100-128 GB/s and the ops 75-80 % of it.
  size_t chunk = (n + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
  chunk = (chunk + kChunkAlign - 1) / kChunkAlign * kChunkAlign;
  const size_t tasks = (n + chunk - 1) / chunk;
  parallel_for(tasks, threads, [&](size_t t) {
    const size_t begin = t * chunk;
    const size_t end = begin + chunk < n ? begin + chunk : n;
    body(begin, end);
  });
}

}  // namespace swiglu
