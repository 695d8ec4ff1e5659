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
