// How an elementwise job is cut for the pool. Small arrays stay on the calling thread: waking a
// sleeping worker costs tens of microseconds on a VM, as much as an in-cache array of ~100K floats
// takes, so below 256K elements a second thread does not pay while the helpers sleep; in a burst of
// calls, where they poll (runtime/pool.h), it does from 32K (docs/tuning-log.md has the figures).
#pragma once
#include <cstddef>

#include "../runtime/pool.h"
#include "../runtime/unit_ranges.h"

namespace swiglu {

constexpr size_t kParallelMinElements = size_t(1) << 18;
// In a burst of calls the helpers poll rather than sleep (runtime/pool.h), and a hand-off costs about a
// microsecond: from this many elements a second thread pays then.
constexpr size_t kBurstParallelMinElements = size_t(1) << 15;
constexpr size_t kChunkAlign = 64;  // floats: keeps chunk starts on cache-line multiples of the base

// Calls body(begin, end) over [0, n) in chunks, on up to `threads` threads.
template <class Body>
void run_chunked(size_t n, int threads, Body&& body) {
  if (threads <= 1 || n < kBurstParallelMinElements) {
    body(size_t(0), n);
    return;
  }
  if (n < kParallelMinElements && !pool_in_burst()) {
    // Through parallel_for on this thread alone, so that the pool sees the call (its end starts a burst).
    parallel_for(1, 1, [&](size_t) { body(size_t(0), n); });
    return;
  }
  // One contiguous range per thread, the same part of the array on every call: the pool's caller owns
  // the first and a woken worker the next, so a core meets the part of x and out it had last time in
  // its own cache (dynamic chunks would balance a slowed core better, but move every part between
  // cores from call to call). The ranges are cut into units that a thread done with its own takes from
  // the back of another's (runtime/unit_ranges.h): a worker that wakes late (after an idle pause on a
  // VM) does not leave its whole range for itself to do after it arrives. Units: at least 16K floats (a
  // unit costs a compare-and-swap and a kernel call), at most ~32 per thread.
  const size_t per_thread_units = 32;
  size_t unit = n / (static_cast<size_t>(threads) * per_thread_units);
  if (unit < (size_t(1) << 14)) unit = size_t(1) << 14;
  unit = (unit + kChunkAlign - 1) / kChunkAlign * kChunkAlign;
  const size_t units = (n + unit - 1) / unit;
  StealingSplit<kMaxThreads> split(units, static_cast<size_t>(threads));
  parallel_for(split.ranges(), threads, [&](size_t t) {
    split.run(t, [&](uint32_t u, int64_t) {
      const size_t begin = size_t(u) * unit;
      body(begin, begin + unit < n ? begin + unit : n);
    });
  });
}

// Calls row(r) for every r in [0, rows), rows of `width` elements each: whole blocks of rows per pool
// task, on up to `threads` threads once the rows together reach kParallelMinElements (in a burst,
// kBurstParallelMinElements, with tasks of half that).
template <class Row>
void run_rows(size_t rows, size_t width, int threads, Row&& row) {
  if (rows == 1) {
    row(size_t(0));
    return;
  }
  const size_t total = rows * width;
  const bool burst = total < kParallelMinElements && total >= kBurstParallelMinElements && pool_in_burst();
  const size_t task_min = burst ? kBurstParallelMinElements / 2 : kParallelMinElements;
  const size_t rows_per_task = width >= task_min ? 1 : (task_min + width - 1) / width;
  const size_t tasks = (rows + rows_per_task - 1) / rows_per_task;
  parallel_for(tasks, total >= kParallelMinElements || burst ? threads : 1, [&](size_t t) {
    const size_t r0 = t * rows_per_task;
    const size_t r1 = r0 + rows_per_task < rows ? r0 + rows_per_task : rows;
    for (size_t r = r0; r < r1; ++r) row(r);
  });
}

}  // namespace swiglu
