// matmul's training forms: transA (C = Aᵀ·B, A given [k×m]) and accumulate (out += A·B), on every ISA,
// both B layouts, small M (the unpacked kernel) and large (the packed GEMM), sync and async alike;
// against the float64 reference (README, Accuracy), and bit for bit against the forms they stand for
// (A transposed by hand; out + a separate product).
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import * as ref from '../lib/reference/matrix';
import { expectClose, rand, sameBits } from './helpers/matrix';

const initialIsa = binding.isa();
afterAll(() => binding._testing.setIsa(initialIsa));

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

const SHAPES: Array<[number, number, number]> = [
  [1, 7, 5],
  [3, 40, 33],
  [37, 65, 70],
  [130, 20, 9],
];

describe.each(binding.runnableIsas())('isa %s', (isa) => {
  it('transA: the same bits as A transposed by hand, and the reference', async () => {
    binding._testing.setIsa(isa);
    SHAPES.forEach(([m, k, n], c) => {
      for (const transB of [false, true]) {
        const at = rand(k * m, 10 + c); // [k×m]
        const b = rand(k * n, 20 + c);
        const y = sg.matmul(at, b, { m, k, n, transA: true, transB });
        expect(sameBits(y, sg.matmul(transpose(at, k, m), b, { m, k, n, transB })), `${m}x${k}x${n} transB ${transB}`).toBe(true);
        expectClose(y, ref.matmul(at, b, { m, k, n, transA: true, transB }), `transA ${m}x${k}x${n}`);
      }
    });
    const [m, k, n] = SHAPES[2];
    const at = rand(k * m, 1);
    const b = rand(k * n, 2);
    expect(sameBits(await sg.matmulAsync(at, b, { m, k, n, transA: true }), sg.matmul(at, b, { m, k, n, transA: true }))).toBe(true);
    // in place (out === a, m = k = n past the small kernel's rows): A is read transposed in place by the
    // packed GEMM, all of it before C is stored, on one thread and on two
    const threads = binding.getNumThreads();
    for (const t of [1, 2]) {
      binding.setNumThreads(t);
      const s = 130; // 2·s³ FLOPs: past the size that runs on the calling thread alone
      const sq = rand(s * s, 40 + t);
      const b2 = rand(s * s, 50 + t);
      const want = sg.matmul(transpose(sq, s, s), b2, { m: s, k: s, n: s });
      expect(sameBits(sg.matmul(sq, b2, { m: s, k: s, n: s, transA: true, out: sq }), want), `in place, ${t} thread(s)`).toBe(true);
    }
    binding.setNumThreads(threads);
  });

  it('accumulate: out + the product, sync and async, also in place', async () => {
    binding._testing.setIsa(isa);
    for (const [m, k, n] of SHAPES) {
      const a = rand(m * k, 30);
      const b = rand(k * n, 31);
      const base = rand(m * n, 32);
      const prod = sg.matmul(a, b, { m, k, n });
      const want = Float32Array.from(base, (v, i) => v + prod[i]);
      const out = base.slice();
      expect(sg.matmul(a, b, { m, k, n, accumulate: true, out })).toBe(out);
      expect(sameBits(out, want), `${m}x${k}x${n}`).toBe(true);
      expectClose(out, ref.matmul(a, b, { m, k, n, add: base }), `accumulate ${m}x${k}x${n}`);
      const outAsync = base.slice();
      expect(sameBits(await sg.matmulAsync(a, b, { m, k, n, accumulate: true, out: outAsync }), want)).toBe(true);
      if (m === k) {
        // out === a: the product of the original a, added to it
        const sq = rand(m * m, 33);
        const b2 = rand(m * n, 34);
        if (m === n) {
          const p2 = sg.matmul(sq, b2, { m, k: m, n });
          const w2 = Float32Array.from(sq, (v, i) => v + p2[i]);
          expect(sameBits(sg.matmul(sq, b2, { m, k: m, n, accumulate: true, out: sq }), w2)).toBe(true);
        }
      }
    }
    // a weight gradient over two batches: dW += dYᵀ·X
    const [rows, inF, outF] = [24, 17, 11];
    const dW = new Float32Array(outF * inF);
    const batches = [0, 1].map((s) => ({ x: rand(rows * inF, 40 + s), dy: rand(rows * outF, 50 + s) }));
    for (const { x, dy } of batches) sg.matmul(dy, x, { m: outF, k: rows, n: inF, transA: true, accumulate: true, out: dW });
    const want = ref.matmul(batches[1].dy, batches[1].x, { m: outF, k: rows, n: inF, transA: true, add: ref.matmul(batches[0].dy, batches[0].x, { m: outF, k: rows, n: inF, transA: true }) });
    expectClose(dW, want, 'dW over two batches');
  });
});

describe('matmul training forms: errors', () => {
  it('accumulate without out is a TypeError naming both options; wrong shapes name the transposed form', () => {
    expect(() => sg.matmul(new Float32Array(6), new Float32Array(6), { m: 2, k: 3, n: 2, accumulate: true })).toThrow(/matmul: options\.accumulate needs options\.out/);
    expect(() => sg.matmul(new Float32Array(5), new Float32Array(6), { m: 2, k: 3, n: 2, transA: true })).toThrow(/a must have length k·m = 3·2 = 6, got 5/);
    expect(() => sg.matmul(new Float32Array(6), new Float32Array(6), { m: 2, k: 3, n: 2, transA: 1 as never })).toThrow(TypeError);
    expect(() => binding.matmul(new Float32Array(6), new Float32Array(6), new Float32Array(4), 2, 3, 2, false, 'yes' as never)).toThrow(TypeError);
  });
});
