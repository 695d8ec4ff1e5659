// Which kernels run, and on how many threads.
import { binding } from './binding';
import * as check from './check';

export type IsaName = 'avx512' | 'avx2' | 'neon' | 'scalar';

/** The instruction set in use: the best the CPU runs, or the one SWIGLU_ISA forced at load. */
export function isa(): IsaName {
  return binding.isa();
}

/** Every ISA this CPU (and this build) can run, best last. */
export function runnableIsas(): IsaName[] {
  return binding.runnableIsas();
}

/** Threads used inside one op (default: the cores available to this process). Per Node environment. */
export function setNumThreads(n: number): void {
  binding.setNumThreads(check.integer(n, 'setNumThreads: n', 1, binding.maxThreads));
}

export function getNumThreads(): number {
  return binding.getNumThreads();
}

/**
 * Lets the pool's helper threads poll for up to `microseconds` for the next call before they sleep, after
 * a call that came in a burst (started within 200 µs of the previous call's end). 0, the default: they
 * sleep at once, so nothing spins between calls. Waking a sleeping helper costs ~20–40 µs on a VM, which
 * a loop of sub-millisecond calls (one token through an FFN) feels; 100 is a good value there.
 * Process-wide: the pool is shared by every Node environment of the process.
 */
export function setSpinWait(microseconds: number): void {
  binding.setSpinWait(check.integer(microseconds, 'setSpinWait: microseconds', 0, binding.maxSpinWait));
}

export function getSpinWait(): number {
  return binding.getSpinWait();
}
