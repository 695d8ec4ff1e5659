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
  // A few chunks per thread smooths out a core that the machine's other load slows down.
  size_t chunk = n / (static_cast<size_t>(threads) * 4);
  if (chunk < 8192) chunk = 8192;
  chunk = (chunk + kChunkAlign - 1) / kChunkAlign * kChunkAlign;
  const size_t tasks = (n + chunk - 1) / chunk;
  parallel_for(tasks, threads, [&](size_t t) {
    const size_t begin = t * chunk;
    const size_t end = begin + chunk < n ? begin + chunk : n;
    body(begin, end);
  });
}

}  // namespace swiglu
