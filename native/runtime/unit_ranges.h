// Work split for one pool job into contiguous ranges of units, one range per thread, with stealing:
// each thread takes units from the front of its own range (in order, so it knows which unit comes
// next and can prefetch for it), and once its range is empty takes them one at a time from the back
// of the others'. The load balances to one unit at the end (whole tasks of fixed size could leave one
// thread idle for up to a task), and no unit is ever run twice or skipped.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace swiglu {

// One range [front, back): both ends in one 64-bit word, so that an owner taking the front and a thief
// taking the back can never both get the last unit (a compare-and-swap decides).
class alignas(64) UnitRange {  // a cache line each: owners claim from their own without contention
 public:
  void reset(uint32_t begin, uint32_t end) { v_.store(pack(begin, end), std::memory_order_relaxed); }

  // The owner: the next unit from the front.
  bool take_front(uint32_t* unit) {
    uint64_t v = v_.load(std::memory_order_relaxed);
    for (;;) {
      const uint32_t f = front(v), b = back(v);
      if (f >= b) return false;
      if (v_.compare_exchange_weak(v, pack(f + 1, b), std::memory_order_relaxed)) {
        *unit = f;
        return true;
      }
    }
  }

  // A thief: the last unit.
  bool take_back(uint32_t* unit) {
    uint64_t v = v_.load(std::memory_order_relaxed);
    for (;;) {
      const uint32_t f = front(v), b = back(v);
      if (f >= b) return false;
      if (v_.compare_exchange_weak(v, pack(f, b - 1), std::memory_order_relaxed)) {
        *unit = b - 1;
        return true;
      }
    }
  }

  // The unit the owner would take next, or -1 (a hint: a thief may take it first).
  int64_t peek_front() const {
    const uint64_t v = v_.load(std::memory_order_relaxed);
    return front(v) < back(v) ? int64_t(front(v)) : -1;
  }

  // Units left (a hint for choosing a victim: it may change at once).
  uint32_t left() const {
    const uint64_t v = v_.load(std::memory_order_relaxed);
    return front(v) < back(v) ? back(v) - front(v) : 0;
  }

 private:
  static uint64_t pack(uint32_t f, uint32_t b) { return uint64_t(b) << 32 | f; }
  static uint32_t front(uint64_t v) { return static_cast<uint32_t>(v); }
  static uint32_t back(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
  std::atomic<uint64_t> v_;  // set by reset(); left uninitialised until then (StealingSplit holds
                            // kMaxRanges of them and resets only those it uses: 64 bytes each)
};

// Runs unit(u, next) for every u in [0, units) over `ranges` ranges (one per task of a pool job; call
// run(t, unit) from task t). next is the unit this thread will likely run after u (for prefetching:
// a hint only), or -1.
// The memory each unit writes must be its own (the pool's job end orders the results).
template <size_t kMaxRanges>
class StealingSplit {
 public:
  StealingSplit(size_t units, size_t ranges) : n_(ranges < 1 ? 1 : ranges > kMaxRanges ? kMaxRanges : ranges) {
    for (size_t t = 0; t < n_; ++t) {
      r_[t].reset(static_cast<uint32_t>(units * t / n_), static_cast<uint32_t>(units * (t + 1) / n_));
    }
  }
  size_t ranges() const { return n_; }

  // True once every unit has been taken (a hint for skipping set-up work: units may be running still).
  bool all_taken() const {
    for (size_t i = 0; i < n_; ++i)
      if (r_[i].left() != 0) return false;
    return true;
  }

  template <class Unit>
  void run(size_t t, Unit&& unit) {
    UnitRange& own = r_[t % n_];
    uint32_t u;
    while (own.take_front(&u)) unit(u, own.peek_front());  // its successor, unless stolen meanwhile
    // Own range done: steal from the back of the fullest other range, one unit at a time.
    for (;;) {
      size_t victim = n_;
      uint32_t most = 0;
      for (size_t i = 0; i < n_; ++i) {
        const uint32_t l = r_[i].left();
        if (l > most) most = l, victim = i;
      }
      if (victim == n_) return;
      if (r_[victim].take_back(&u)) unit(u, u > 0 ? int64_t(u) - 1 : -1);  // the next steal, likely
    }
  }

 private:
  size_t n_;
  UnitRange r_[kMaxRanges];
};

}  // namespace swiglu
