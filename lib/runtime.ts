// Which kernels run, and on how many threads.
import { binding } from './binding';
import * as check from './check';

/** The instruction sets the kernels are built for: AVX-512 (F/BW/DQ/VL), AVX2 with FMA and F16C, AArch64 NEON, portable scalar. */
export type IsaName = 'avx512' | 'avx2' | 'neon' | 'scalar';

/**
 * The instruction set in use: the best this CPU runs (read from CPUID/XGETBV at load), or the one the
 * SWIGLU_ISA environment variable forced at load.
 * @returns 'avx512', 'avx2', 'neon' or 'scalar'.
 * @throws Never: the choice was made (or refused, as a load error) when the addon loaded.
 * @example
 * console.log(`swiglu kernels: ${sg.isa()}`); // e.g. "swiglu kernels: avx512"
 */
export function isa(): IsaName {
  return binding.isa();
}

/**
 * Every instruction set this CPU and this build can run, best last.
 * @returns A new array, e.g. ['scalar', 'avx2', 'avx512'].
 * @throws Never.
 * @example
 * sg.runnableIsas().includes('avx512'); // true on an AVX-512 machine
 */
export function runnableIsas(): IsaName[] {
  return binding.runnableIsas();
}

/**
 * Sets the threads one op may use (the calling thread and n − 1 helpers of a process-wide pool). The
 * setting is per Node environment (each worker_thread has its own); results do not depend on it.
 * @param n A whole number from 1 to the build's maximum; default: the cores available to the process.
 * @returns Nothing.
 * @throws {TypeError} n is not a number.
 * @throws {RangeError} n is not an integer in [1, the build's maximum].
 * @example
 * sg.setNumThreads(1); // one thread per op, e.g. when a server runs one request per core
 */
export function setNumThreads(n: number): void {
  binding.setNumThreads(check.integer(n, 'setNumThreads: n', 1, binding.maxThreads));
}

/**
 * The threads one op may use in this Node environment (see {@link setNumThreads}).
 * @returns A whole number ≥ 1.
 * @throws Never.
 * @example
 * const threads = sg.getNumThreads();
 */
export function getNumThreads(): number {
  return binding.getNumThreads();
}

/**
 * Lets the pool's helper threads poll for up to `microseconds` for the next call before they sleep, after
 * a call that came in a burst (started within 200 µs of the previous call's end); an isolated call
 * leaves nothing polling. The default, 200, keeps the helpers awake through a loop of sub-millisecond
 * calls (one token through an FFN), where waking a sleeping helper (~20–40 µs on a VM) would cost more
 * than splitting the call saves; small matrix and elementwise calls are split across threads only while
 * the helpers poll. 0: they sleep right after every call, and such calls run on the calling thread.
 * Process-wide: the pool is shared by every Node environment of the process.
 * @param microseconds A whole number from 0 to the build's maximum.
 * @returns Nothing.
 * @throws {TypeError} microseconds is not a number.
 * @throws {RangeError} microseconds is not an integer in [0, the build's maximum].
 * @example
 * sg.setSpinWait(0); // a server whose other work should get the idle core between calls at once
 */
export function setSpinWait(microseconds: number): void {
  binding.setSpinWait(check.integer(microseconds, 'setSpinWait: microseconds', 0, binding.maxSpinWait));
}

/**
 * The process-wide spin wait of the pool's helpers (see {@link setSpinWait}).
 * @returns Microseconds (200 unless set); 0 when the helpers sleep right after every call.
 * @throws Never.
 * @example
 * const us = sg.getSpinWait(); // 200 unless set
 */
export function getSpinWait(): number {
  return binding.getSpinWait();
}
