// Matrix ops on every ISA against the float64 reference (lib/reference/matrix.ts): matmul, the fused
// SwiGLU gate (packed and on-the-fly), the FFN, their async twins, packing, disposal and every
// documented error. Tolerances (README, Accuracy): ‖got − ref‖_F ≤ 1e-5·‖ref‖_F and every element within
// 1e-4·max|ref|; bf16/f16 references use the rounded 16-bit weights, so only float32 rounding remains.
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import * as ref from '../lib/reference/matrix';
import { expectClose, rand, sameBits } from './helpers/matrix';

type Dtype = 'f32' | 'bf16' | 'f16';
type Layout = 'out-in' | 'in-out';

const MS = [1, 2, 3, 7, 64, 129];
const KN = [1, 3, 17, 33, 100, 257];

/**
 * Activations: biased away from zero mean (a float32 dot product of zero-mean terms can cancel far
 * below its own rounding error, which no kernel can fix), with every other row negated so the gate
 * sees negative pre-activations as well as positive ones.
 */
function activations(rows: number, k: number, seed: number): Float32Array {
  const x = rand(rows * k, seed);
  for (let r = 1; r < rows; r += 2) for (let j = 0; j < k; j++) x[r * k + j] = -x[r * k + j];
  return x;
}

/** Weights of a dtype: Float32Array for f32, Uint16Array bits (rounded to nearest even) otherwise. */
function weights(n: number, seed: number, dtype: Dtype): Float32Array | Uint16Array {
  const w = rand(n, seed, -0.5, 1);
  if (dtype === 'f32') return w;
  return Uint16Array.from(w, (v) => (dtype === 'bf16' ? ref.numberToBf16(v) : ref.numberToF16(v)));
}

const initialIsa = binding.isa();
const initialThreads = binding.getNumThreads();
afterAll(() => {
  binding._testing.setIsa(initialIsa);
  binding.setNumThreads(initialThreads);
});

describe.each(binding.runnableIsas())('isa %s', (isa) => {
  it('matmul matches the reference for every M, K, N, both B layouts', () => {
    binding._testing.setIsa(isa);
    let seed = 1;
    for (const m of MS) {
      for (const k of KN) {
        for (const n of KN) {
          const a = rand(m * k, seed++);
          for (const transB of [false, true]) {
            const b = rand(k * n, seed++);
            const got = sg.matmul(a, b, { m, k, n, transB });
            expectClose(got, ref.matmul(a, b, { m, k, n, transB }), `matmul m=${m} k=${k} n=${n} transB=${transB}`);
          }
        }
      }
    }
  });

  it('swigluMatmul (f32) matches the reference for every M, K, N, both layouts', () => {
    binding._testing.setIsa(isa);
    let seed = 100;
    for (const layout of ['out-in', 'in-out'] as const) {
      for (const k of KN) {
        for (const n of KN) {
          const wg = weights(k * n, seed++, 'f32');
          const wu = weights(k * n, seed++, 'f32');
          const packed = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, layout });
          for (const m of MS) {
            if (m === 129 && k * n > 5000 && layout === 'in-out') continue; // the out-in pass covers it
            const x = activations(m, k, seed++);
            const want = ref.swigluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n, layout });
            expectClose(sg.swigluMatmul(x, packed), want, `gate ${layout} m=${m} k=${k} n=${n}`);
          }
          packed.dispose();
        }
      }
    }
  });

  it.each(['bf16', 'f16'] as const)('swigluMatmul with %s weights matches the reference of the 16-bit weights', (dtype) => {
    binding._testing.setIsa(isa);
    let seed = 300;
    for (const layout of ['out-in', 'in-out'] as const) {
      for (const [k, n] of [[1, 1], [3, 33], [17, 100], [257, 17], [100, 257]]) {
        const wg = weights(k * n, seed++, dtype);
        const wu = weights(k * n, seed++, dtype);
        const packed = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, layout, dtype });
        expect(packed.dtype).toBe(dtype);
        for (const m of [1, 3, 64, 129]) {
          const x = activations(m, k, seed++);
          const want = ref.swigluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n, layout, dtype });
          expectClose(sg.swigluMatmul(x, packed), want, `gate ${dtype} ${layout} m=${m} k=${k} n=${n}`);
        }
        packed.dispose();
      }
    }
  });

  // Widening a 16-bit weight is exact, and each output is the same k-ordered fma chain whichever way a
  // tile loads its weights (AVX2's bf16 tile keeps even and odd columns apart: native/kernels/gemm_tile.h),
  // so a 16-bit pack gives the bits of the f32 pack of its widened weights, also with K in several
  // cache blocks (K = 9000: accumulators carried between blocks) and at M = 1 (the GEMV).
  it.each(['bf16', 'f16'] as const)('a %s pack gives the same bits as the f32 pack of its widened weights', (dtype) => {
    binding._testing.setIsa(isa);
    const widen = (w: Uint16Array) => Float32Array.from(w, (h) => (dtype === 'bf16' ? ref.bf16ToNumber(h) : ref.f16ToNumber(h)));
    let seed = 900;
    for (const [k, n] of [[17, 33], [257, 100], [9000, 19]]) {
      const wg = weights(k * n, seed++, dtype) as Uint16Array;
      const wu = weights(k * n, seed++, dtype) as Uint16Array;
      const half = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, dtype });
      const full = sg.packGate(widen(wg), widen(wu), { inFeatures: k, outFeatures: n });
      for (const m of k > 1000 ? [1, 13] : [1, 2, 7, 8, 14, 129]) {
        const x = activations(m, k, seed++);
        expect(sameBits(sg.swigluMatmul(x, half), sg.swigluMatmul(x, full)), `${dtype} m=${m} k=${k} n=${n}`).toBe(true);
      }
      half.dispose();
      full.dispose();
    }
  });

  // K past the GEMM's cache block along K (kc <= 4096 k steps on any machine: runtime/gemm.cc), so each
  // output tile is reduced over several blocks with its accumulators carried between them.
  it('K cut into several cache blocks: matches the reference, and 1 and 2 threads agree bit for bit', () => {
    binding._testing.setIsa(isa);
    const k = 9000;
    let seed = 500;
    for (const [m, n] of [[13, 33], [129, 17]]) {
      const x = activations(m, k, seed++);
      const wg = weights(k * n, seed++, 'f32') as Float32Array;
      const wu = weights(k * n, seed++, 'f32') as Float32Array;
      const packed = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
      const want = ref.swigluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n });
      binding.setNumThreads(1);
      const one = sg.swigluMatmul(x, packed);
      const mm = sg.matmul(x, wg, { m, k, n, transB: true });
      binding.setNumThreads(2);
      expectClose(one, want, `gate m=${m} k=${k} n=${n}`);
      expect(sameBits(sg.swigluMatmul(x, packed), one), `gate m=${m}: 2 threads = 1 thread`).toBe(true);
      expectClose(mm, ref.matmul(x, wg, { m, k, n, transB: true }), `matmul m=${m} k=${k} n=${n}`);
      expect(sameBits(sg.matmul(x, wg, { m, k, n, transB: true }), mm), `matmul m=${m}: 2 threads = 1 thread`).toBe(true);
      binding.setNumThreads(initialThreads);
      packed.dispose();
    }
  });

  // With K in one cache block, several threads split (row block, weight panel) units into one range
  // each and steal from each other's at the end (runtime/unit_ranges.h). The same bits as one thread
  // and as GEMMs cut otherwise (setGemmTuning: one row panel per row block; K in blocks of 64 k steps
  // with 3 weight panels per task; blocking never changes results), also with fewer weight panels
  // than threads.
  it('K in one block on 2 threads (ranges with stealing): the same bits as 1 thread and as other blockings', () => {
    binding._testing.setIsa(isa);
    const shapes = [[129, 300, 1000], [250, 300, 16], [64, 1024, 100]];
    try {
      shapes.forEach(([m, k, n], c) => {
        const x = activations(m, k, 700 + c);
        const wg = weights(k * n, 710 + c, 'f32') as Float32Array;
        const wu = weights(k * n, 720 + c, 'f32') as Float32Array;
        const packed = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
        binding.setNumThreads(1);
        const one = sg.swigluMatmul(x, packed);
        const mm = sg.matmul(x, wg, { m, k, n, transB: true });
        binding.setNumThreads(2);
        expectClose(one, ref.swigluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n }), `gate ${m}x${k}x${n}`);
        const two = sg.swigluMatmul(x, packed, { out: new Float32Array(m * n).fill(NaN) });
        expect(sameBits(two, one), `gate ${m}x${k}x${n}: 2 threads = 1 thread`).toBe(true);
        expect(sameBits(sg.matmul(x, wg, { m, k, n, transB: true }), mm), `matmul ${m}x${k}x${n}: 2 threads = 1 thread`).toBe(true);
        for (const [kc, mc, nc] of [[0, 1, 0], [64, 0, 3], [64, 1, 1]]) {
          binding._testing.setGemmTuning(kc, mc, nc);
          for (const t of [1, 2]) {
            binding.setNumThreads(t);
            const h = sg.swigluMatmul(x, packed, { out: new Float32Array(m * n).fill(NaN) });
            expect(sameBits(h, one), `gate ${m}x${k}x${n}, kc ${kc} mc ${mc} nc ${nc}, ${t} thread(s)`).toBe(true);
          }
          binding._testing.setGemmTuning(0, 0, 0);
        }
        binding.setNumThreads(initialThreads);
        packed.dispose();
      });
    } finally {
      binding._testing.setGemmTuning(0, 0, 0);
      binding.setNumThreads(initialThreads);
    }
  });

  it('the convenience form (raw weights) equals the packed form bit for bit', () => {
    binding._testing.setIsa(isa);
    for (const dtype of ['f32', 'bf16', 'f16'] as const) {
      const [m, k, n] = [7, 33, 17];
      const wg = weights(k * n, 1, dtype);
      const wu = weights(k * n, 2, dtype);
      const x = activations(m, k, 3);
      const packed = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, layout: 'in-out', dtype });
      const a = sg.swigluMatmul(x, packed);
      const b = sg.swigluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n, layout: 'in-out', dtype });
      expect(sameBits(a, b)).toBe(true);
      packed.dispose();
    }
  });

  it.each(['f32', 'bf16', 'f16'] as const)('swigluFfn (%s) matches the reference, both layouts', (dtype) => {
    binding._testing.setIsa(isa);
    let seed = 500;
    for (const layout of ['out-in', 'in-out'] as const) {
      for (const [d, h] of [[1, 1], [3, 17], [33, 100], [100, 33], [17, 257]]) {
        const gate = weights(d * h, seed++, dtype);
        const up = weights(d * h, seed++, dtype);
        const down = weights(d * h, seed++, dtype);
        const packed = sg.packFfn({ gate, up, down, inFeatures: d, hiddenFeatures: h, layout, dtype });
        for (const m of [1, 2, 7, 64]) {
          const x = activations(m, d, seed++);
          const want = ref.swigluFfn(x, { gate, up, down, inFeatures: d, hiddenFeatures: h, layout, dtype });
          expectClose(sg.swigluFfn(x, packed), want, `ffn ${dtype} ${layout} m=${m} d=${d} h=${h}`);
        }
        packed.dispose();
      }
    }
  });

  it('async twins equal the sync forms bit for bit, at 1 and 2 threads alike', async () => {
    binding._testing.setIsa(isa);
    const [m, k, n] = [129, 257, 100];
    const a = activations(m, k, 7);
    const b = rand(k * n, 8);
    const wg = weights(k * n, 9, 'bf16');
    const wu = weights(k * n, 10, 'bf16');
    const gate = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, dtype: 'bf16' });
    const ffn = sg.packFfn({ gate: rand(k * n, 11), up: rand(k * n, 12), down: rand(k * n, 13), inFeatures: k, hiddenFeatures: n });
    const results: Float32Array[][] = [];
    for (const threads of [1, 2]) {
      binding.setNumThreads(threads);
      const r = [
        sg.matmul(a, b, { m, k, n }),
        await sg.matmulAsync(a, b, { m, k, n }),
        sg.swigluMatmul(a, gate),
        await sg.swigluMatmulAsync(a, gate),
        sg.swigluFfn(a, ffn),
        await sg.swigluFfnAsync(a, ffn),
      ];
      expect(sameBits(r[0], r[1]), 'matmulAsync').toBe(true);
      expect(sameBits(r[2], r[3]), 'swigluMatmulAsync').toBe(true);
      expect(sameBits(r[4], r[5]), 'swigluFfnAsync').toBe(true);
      results.push(r);
    }
    binding.setNumThreads(initialThreads);
    for (let i = 0; i < results[0].length; i++) expect(sameBits(results[0][i], results[1][i]), `result ${i}, 1 vs 2 threads`).toBe(true);
    // Many concurrent async calls on one pack.
    const all = await Promise.all(Array.from({ length: 8 }, () => sg.swigluMatmulAsync(a, gate)));
    for (const r of all) expect(sameBits(r, results[0][2])).toBe(true);
    gate.dispose();
    ffn.dispose();
  });
});

describe('small-M matmul (B read unpacked)', () => {
  it('agrees bit for bit across sync, async, in place and thread counts, both B layouts', async () => {
    const initialThreads = sg.getNumThreads();
    // k = n so that out === b is a valid in-place call; wide enough that 2 threads split N.
    const [k, n] = [1031, 1031];
    for (const m of [1, 5, 8]) {
      for (const transB of [false, true]) {
        const a = activations(m, k, 40 + m);
        const b = rand(k * n, 41);
        const want = ref.matmul(a, b, { m, k, n, transB });
        const runs: Float32Array[] = [];
        for (const threads of [1, 2]) {
          binding.setNumThreads(threads);
          const s = sg.matmul(a, b, { m, k, n, transB });
          expectClose(s, want, `small matmul m=${m} transB=${transB}`);
          runs.push(s, await sg.matmulAsync(a, b, { m, k, n, transB }));
          if (m === 1) {
            const ia = a.slice();
            runs.push(sg.matmul(ia, b, { m, k, n, transB, out: ia.length === m * n ? ia : undefined }));
          }
        }
        for (let i = 1; i < runs.length; i++) expect(sameBits(runs[i], runs[0]), `m=${m} transB=${transB} run ${i}`).toBe(true);
      }
    }
    // out === b in place (m = k): B is copied before C is written.
    const [m2, k2, n2] = [4, 4, 300];
    const b2 = rand(k2 * n2, 42);
    const a2 = activations(m2, k2, 43);
    for (const transB of [false, true]) {
      const plain = sg.matmul(a2, b2, { m: m2, k: k2, n: n2, transB });
      const inPlace = b2.slice();
      expect(sameBits(sg.matmul(a2, inPlace, { m: m2, k: k2, n: n2, transB, out: inPlace }), plain)).toBe(true);
    }
    binding.setNumThreads(initialThreads);
  });
});

describe('out, in place and views', () => {
  it('writes and returns options.out; accepts views at any byte offset', () => {
    const [m, k, n] = [3, 17, 33];
    const base = rand(1 + m * k + 3, 21);
    const x = base.subarray(1, 1 + m * k); // odd float offset
    const wg = rand(k * n, 22);
    const wu = rand(k * n, 23);
    const packed = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
    const outBase = new Float32Array(m * n + 5);
    const out = outBase.subarray(3, 3 + m * n);
    expect(sg.swigluMatmul(x, packed, { out })).toBe(out);
    expectClose(out, ref.swigluMatmul(x, wg, wu, { inFeatures: k, outFeatures: n }), 'gate into out');
    expect(outBase[0]).toBe(0);
    expect(outBase[m * n + 3]).toBe(0);
    const c = new Float32Array(m * n);
    expect(sg.matmul(x, wg, { m, k, n, out: c })).toBe(c);
    packed.dispose();
  });

  it('runs in place where the sizes allow it (out === x / out === a)', () => {
    const [m, d, h] = [7, 33, 100];
    const ffn = { gate: rand(d * h, 31), up: rand(d * h, 32), down: rand(d * h, 33), inFeatures: d, hiddenFeatures: h };
    const packed = sg.packFfn(ffn);
    const x = activations(m, d, 34);
    const want = sg.swigluFfn(x, packed);
    const y = x.slice();
    expect(sg.swigluFfn(y, packed, { out: y })).toBe(y);
    expect(sameBits(y, want)).toBe(true);
    packed.dispose();

    const sq = rand(d * d, 35);
    const gate = sg.packGate(sq, rand(d * d, 36), { inFeatures: d, outFeatures: d });
    const gx = x.slice();
    const gw = sg.swigluMatmul(x, gate);
    expect(sameBits(sg.swigluMatmul(gx, gate, { out: gx }), gw)).toBe(true);
    gate.dispose();

    const a = rand(m * d, 37);
    const mm = sg.matmul(a, sq, { m, k: d, n: d });
    expect(sameBits(sg.matmul(a, sq, { m, k: d, n: d, out: a }), mm)).toBe(true);
  });

  it('runs in place on two threads, where the threads share one packing of x', () => {
    // Large enough for the pool (two threads, K in one cache block) and wide enough (65 weight panels,
    // the last one partial) that with a separate out each thread packs its own copy of x; with
    // out === x every thread must pack from x before any stores to out, so the threads share one pack.
    // Both give the bits of a one-thread call.
    const [m, d] = [37, 1030];
    const wg = rand(d * d, 51);
    const wu = rand(d * d, 52);
    const gate = sg.packGate(wg, wu, { inFeatures: d, outFeatures: d });
    const x = activations(m, d, 53);
    binding.setNumThreads(1);
    const want = sg.swigluMatmul(x, gate);
    expectClose(want, ref.swigluMatmul(x, wg, wu, { inFeatures: d, outFeatures: d }), 'gate 37x1030x1030');
    binding.setNumThreads(2);
    expect(sameBits(sg.swigluMatmul(x, gate), want), 'separate out').toBe(true);
    const y = x.slice();
    expect(sg.swigluMatmul(y, gate, { out: y })).toBe(y);
    expect(sameBits(y, want), 'in place').toBe(true);
    binding.setNumThreads(initialThreads);
    gate.dispose();
  });

  it('handles empty inputs', () => {
    expect(sg.matmul(new Float32Array(0), new Float32Array(0), { m: 0, k: 0, n: 0 }).length).toBe(0);
    expect(Array.from(sg.matmul(new Float32Array(0), new Float32Array(0), { m: 2, k: 0, n: 3 }))).toEqual([0, 0, 0, 0, 0, 0]);
    const p = sg.packGate(rand(6, 1), rand(6, 2), { inFeatures: 2, outFeatures: 3 });
    expect(sg.swigluMatmul(new Float32Array(0), p).length).toBe(0);
    p.dispose();
  });
});

describe('packed weights', () => {
  it('reports byteLength, disposes, and rejects use after dispose', () => {
    const p = sg.packGate(rand(33 * 17, 1), rand(33 * 17, 2), { inFeatures: 33, outFeatures: 17 });
    expect(p.byteLength).toBeGreaterThanOrEqual(2 * 33 * 17 * 4);
    expect(p.inFeatures).toBe(33);
    expect(p.outFeatures).toBe(17);
    const half = sg.packGate(weights(33 * 17, 1, 'bf16'), weights(33 * 17, 2, 'bf16'), { inFeatures: 33, outFeatures: 17, dtype: 'bf16' });
    // 16-bit weights stay 16-bit in memory (each buffer also has up to 64 bytes of alignment slack)
    expect(Math.abs(half.byteLength - p.byteLength / 2)).toBeLessThanOrEqual(64);
    p.dispose();
    p.dispose(); // idempotent
    expect(p.disposed).toBe(true);
    expect(p.byteLength).toBe(0);
    expect(() => sg.swigluMatmul(new Float32Array(33), p)).toThrow(/disposed/);
    half.dispose();
    expect(() => new (sg.PackedGate as unknown as new (...a: unknown[]) => unknown)(Symbol('x'), {}, 1, 1, 'f32')).toThrow(TypeError);
  });

  it('a pack disposed while an async op runs stays alive until the op ends', async () => {
    const [m, k, n] = [64, 257, 257];
    const wg = rand(k * n, 3);
    const wu = rand(k * n, 4);
    const x = activations(m, k, 5);
    const p = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
    const want = sg.swigluMatmul(x, p);
    const pending = sg.swigluMatmulAsync(x, p);
    p.dispose();
    expect(sameBits(await pending, want)).toBe(true);
  });
});

describe('errors', () => {
  const k = 4;
  const n = 3;
  const m = 2;
  const a = rand(m * k, 1);
  const b = rand(k * n, 2);
  const wg = rand(k * n, 3);
  const wu = rand(k * n, 4);

  it('matmul: wrong types are TypeErrors naming the argument', () => {
    expect(() => sg.matmul(new Float64Array(m * k) as never, b, { m, k, n })).toThrow(/matmul: a must be a Float32Array, got Float64Array\(8\)/);
    expect(() => sg.matmul(a, Array.from(b) as never, { m, k, n })).toThrow(TypeError);
    expect(() => sg.matmul(a, b, undefined as never)).toThrow(/matmul: options \{m, k, n\} are required/);
    expect(() => sg.matmul(a, b, { m, k } as never)).toThrow(/options\.n must be an integer, got undefined/);
    expect(() => sg.matmul(a, b, { m, k, n, transB: 1 } as never)).toThrow(/transB must be a boolean/);
    expect(() => sg.matmul(a, b, { m, k, n, bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
    expect(() => sg.matmul(a, b, { m, k, n, out: new Float64Array(m * n) as never })).toThrow(TypeError);
  });

  it('matmul: wrong shapes and overlaps are RangeErrors with expected and actual', () => {
    expect(() => sg.matmul(a, b, { m: 3, k, n })).toThrow(/a must have length m·k = 3·4 = 12, got 8/);
    expect(() => sg.matmul(a, b, { m, k, n: 4 })).toThrow(/b must have length k·n = 4·4 = 16, got 12/);
    expect(() => sg.matmul(a, b, { m, k, n, transB: true, out: new Float32Array(5) })).toThrow(/options\.out must have length 6, got 5/);
    expect(() => sg.matmul(a, b, { m: 1.5, k, n })).toThrow(RangeError);
    expect(() => sg.matmul(a, b, { m: -1, k, n })).toThrow(RangeError);
    const buf = new Float32Array(20);
    const A = buf.subarray(0, m * k);
    expect(() => sg.matmul(A, b, { m, k, n, out: buf.subarray(2, 2 + m * n) })).toThrow(/options\.out overlaps a/);
    const sq = rand(16, 5);
    expect(() => sg.matmul(new Float32Array(8), sq, { m: 2, k: 4, n: 4, out: sq.subarray(0, 8) })).toThrow(/overlaps b/);
  });

  it('packGate / packFfn: wrong types, shapes and option values', () => {
    expect(() => sg.packGate(wg, wu, undefined as never)).toThrow(TypeError);
    expect(() => sg.packGate(wg, wu, { inFeatures: k } as never)).toThrow(/outFeatures must be an integer, got undefined/);
    expect(() => sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, dtype: 'bf16' })).toThrow(/wGate must be a Uint16Array of bf16 bit patterns for dtype 'bf16', got Float32Array\(12\)/);
    expect(() => sg.packGate(new Uint16Array(12), new Uint16Array(12), { inFeatures: k, outFeatures: n })).toThrow(TypeError);
    expect(() => sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, layout: 'rows' as never })).toThrow(/layout must be one of 'out-in', 'in-out', got 'rows'/);
    expect(() => sg.packGate(wg, wu, { inFeatures: k, outFeatures: n, dtype: 'fp8' as never })).toThrow(RangeError);
    expect(() => sg.packGate(wg, wu, { inFeatures: 0, outFeatures: n })).toThrow(RangeError);
    expect(() => sg.packGate(wg, wu, { inFeatures: k, outFeatures: 4 })).toThrow(/wGate must have length outFeatures·inFeatures \(\[4, 4\], layout 'out-in'\) = 16, got 12/);
    expect(() => sg.packGate(wg, rand(11, 1), { inFeatures: k, outFeatures: n })).toThrow(/wUp must have length/);
    expect(() => sg.packFfn(undefined as never)).toThrow(TypeError);
    expect(() => sg.packFfn({ gate: wg, up: wu, inFeatures: k, hiddenFeatures: n } as never)).toThrow(/down must be a Float32Array/);
    expect(() => sg.packFfn({ gate: wg, up: wu, down: rand(13, 1), inFeatures: k, hiddenFeatures: n })).toThrow(/down must have length inFeatures·hiddenFeatures \(\[4, 3\], layout 'out-in'\) = 12, got 13/);
  });

  it('swigluMatmul / swigluFfn: wrong types, shapes and overlaps', () => {
    const p = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
    const f = sg.packFfn({ gate: wg, up: wu, down: rand(k * n, 9), inFeatures: k, hiddenFeatures: n });
    expect(() => sg.swigluMatmul(a, {} as never)).toThrow(/packed must be a PackedGate/);
    expect(() => sg.swigluMatmul(a, f as never)).toThrow(TypeError);
    expect(() => sg.swigluMatmul(new Float64Array(8) as never, p)).toThrow(/x must be a Float32Array/);
    expect(() => sg.swigluMatmul(rand(7, 1), p)).toThrow(/x must hold whole rows of inFeatures = 4 values, got length 7/);
    expect(() => sg.swigluMatmul(a, p, { out: new Float32Array(5) })).toThrow(/options\.out must have length 6, got 5/);
    const buf = new Float32Array(20);
    buf.set(a);
    expect(() => sg.swigluMatmul(buf.subarray(0, 8), p, { out: buf.subarray(4, 10) })).toThrow(/options\.out overlaps x/);
    expect(() => sg.swigluMatmul(a, wg, wu, undefined as never)).toThrow(/options \{inFeatures, outFeatures\} are required/);
    expect(() => sg.swigluMatmul(a, wg, wu, { inFeatures: k, outFeatures: n, out: wg.subarray(0, 6) })).toThrow(/overlaps wGate/);
    expect(() => sg.swigluMatmul(a, wg, wu, { inFeatures: 3, outFeatures: n })).toThrow(RangeError);
    expect(() => sg.swigluFfn(a, p as never)).toThrow(/packed must be a PackedFfn/);
    expect(() => sg.swigluFfn(rand(6, 1), f)).toThrow(/x must hold whole rows of inFeatures = 4/);
    expect(() => sg.swigluFfn(a, f, { out: new Float32Array(6) })).toThrow(/options\.out must have length 8, got 6/);
    p.dispose();
    f.dispose();
  });

  it('async twins reject (never throw synchronously) with the same errors', async () => {
    const p = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
    let threw = false;
    let pr: Promise<unknown> | undefined;
    try {
      pr = sg.matmulAsync(a, b, { m: 3, k, n });
    } catch {
      threw = true;
    }
    expect(threw).toBe(false);
    await expect(pr).rejects.toThrow(RangeError);
    await expect(sg.swigluMatmulAsync(rand(7, 1), p)).rejects.toThrow(/whole rows/);
    await expect(sg.swigluFfnAsync(a, p as never)).rejects.toThrow(TypeError);
    p.dispose();
    await expect(sg.swigluMatmulAsync(a, p)).rejects.toThrow(/disposed/);
  });

  it('detached inputs and outputs give a rejected promise, never a crash', async () => {
    const p = sg.packGate(wg, wu, { inFeatures: k, outFeatures: n });
    const f = sg.packFfn({ gate: wg, up: wu, down: rand(k * n, 9), inFeatures: k, hiddenFeatures: n });
    const detached = (len = m * k) => {
      const x = new Float32Array(len);
      structuredClone(x.buffer, { transfer: [x.buffer] });
      return x;
    };
    await expect(sg.swigluMatmulAsync(detached(), p)).rejects.toThrow(/x is detached/);
    await expect(sg.swigluFfnAsync(detached(), f)).rejects.toThrow(/x is detached/);
    await expect(sg.matmulAsync(a, detached(), { m, k: 4, n: 2 })).rejects.toThrow(/b is detached/);
    await expect(sg.swigluMatmulAsync(a, p, { out: detached(m * n) })).rejects.toThrow(/options\.out is detached/);
    // Directly on the binding (no TS checks in front): still a rejection.
    await expect(binding.swigluMatmulAsync(detached(), {} as never, new Float32Array(6))).rejects.toThrow(TypeError);
    // out transferred while the op runs: the result is not written into freed memory; the promise rejects.
    const big = sg.packGate(rand(257 * 257, 1), rand(257 * 257, 2), { inFeatures: 257, outFeatures: 257 });
    const out = new Float32Array(64 * 257);
    const pending = sg.swigluMatmulAsync(activations(64, 257, 3), big, { out });
    structuredClone(out.buffer, { transfer: [out.buffer] });
    await expect(pending).rejects.toThrow(/out was detached/);
    big.dispose();
    p.dispose();
    f.dispose();
  });

  it('the binding itself validates (last line of defence)', () => {
    expect(() => binding.swigluMatmul(a, {} as never, new Float32Array(6))).toThrow(TypeError);
    expect(() => binding.matmul(a, b, new Float32Array(6), 2 ** 40, 2 ** 40, 1, false)).toThrow(RangeError);
    const dest = () => new Uint8Array(new SharedArrayBuffer(binding.packBytes(0, k, n, 0, true)));
    expect(() => binding.packGate(dest(), wg, wu, k, n, false, 3 as never)).toThrow(RangeError);
    // the destination: all of a SharedArrayBuffer of exactly packBytes bytes
    expect(() => binding.packGate(new Uint8Array(dest().length), wg, wu, k, n, false, 0)).toThrow(TypeError);
    expect(() => binding.packGate(dest().subarray(1), wg, wu, k, n, false, 0)).toThrow(RangeError);
    expect(() => binding.packBytes(0, 2 ** 40, 2 ** 40, 0, true)).toThrow(RangeError);
    // a descriptor [bytes, dims] is read afresh and checked on every call: its bytes must be all of a
    // SharedArrayBuffer, exactly as long as its dims need, holding the header of a pack with those dims;
    // the kind must be the op's
    const bytes = dest();
    binding.packGate(bytes, wg, wu, k, n, false, 0);
    const dims = [0, k, n, 0, 5 /* silu */, 1];
    const desc = (d: number[] = dims, b: Uint8Array = bytes) => [b, Float64Array.from(d)] as const;
    const want = binding.swigluMatmul(a, desc(), new Float32Array(6));
    expect(sameBits(binding.swigluMatmul(a, desc(), new Float32Array(6)), want)).toBe(true);
    const edit = (i: number, v: number) => desc(dims.map((d, j) => (j === i ? v : d)));
    expect(() => binding.swigluMatmul(a, desc(dims, new Uint8Array(bytes.length)), new Float32Array(6))).toThrow(TypeError);
    expect(() => binding.swigluMatmul(a, desc(dims, bytes.subarray(0, bytes.length - 1)), new Float32Array(6))).toThrow(RangeError);
    const fresh = new Uint8Array(new SharedArrayBuffer(bytes.length));
    expect(() => binding.swigluMatmul(a, desc(dims, fresh), new Float32Array(6))).toThrow(/holds no pack/);
    expect(() => binding.swigluMatmul(a, edit(2, n + 16), new Float32Array((a.length / k) * (n + 16)))).toThrow(RangeError);
    expect(() => binding.swigluMatmul(a, edit(3, 1), new Float32Array(6))).toThrow(RangeError);
    expect(() => binding.swigluMatmul(a, edit(4, 4 /* tanh */), new Float32Array(6))).toThrow(RangeError);
    expect(() => binding.swigluMatmul(a, edit(4, 0 /* relu: not what was packed */), new Float32Array(6))).toThrow(/activation 'relu', but its bytes hold .*activation 'silu'/);
    expect(() => binding.swigluMatmul(a, edit(4, 7 /* geluTanh */), new Float32Array(6))).toThrow(/activation 'gelu-tanh', but its bytes hold/);
    expect(() => binding.swigluMatmul(a, edit(5, 0), new Float32Array(6))).toThrow(RangeError);
    expect(() => binding.swigluMatmul(a, edit(1, 1.5), new Float32Array(6))).toThrow(RangeError);
    expect(() => binding.swigluFfn(a, desc(), new Float32Array(8))).toThrow(TypeError);
    expect(() => binding.swigluMatmul(a, [bytes, [0, k, n, 0, 5, 1]] as never, new Float32Array(6))).toThrow(TypeError);
    expect(() => binding.swigluMatmul(a, { bytes } as never, new Float32Array(6))).toThrow(TypeError);
  });
});
