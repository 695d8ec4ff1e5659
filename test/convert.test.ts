// toBf16 / toF16 / fromBf16 / fromF16 on every ISA this CPU runs, bit for bit against the TypeScript
// reference (lib/reference/convert.ts): all 65536 16-bit patterns widened; a large sample of float32 bit
// patterns narrowed (random, NaN payloads, ±Inf, ±0, float32 subnormals, every rounding tie of both formats
// in many binades, the binary16 overflow threshold 65520 and the whole binary16 subnormal range); every
// length 0..70 at odd offsets with and without out; the multi-threaded path; the errors.
import { afterAll, describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import * as ref from '../lib/reference/convert';
import { xorshift32 } from './helpers/ulp';

const ISAS = binding.runnableIsas();
afterAll(() => binding._testing.setIsa(binding.runnableIsas().at(-1)!));

const bitsOf = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);
const floatsOf = (bits: number[] | Uint32Array) => new Float32Array(Uint32Array.from(bits).buffer);

const ALL16 = Uint16Array.from({ length: 65536 }, (_, i) => i);

/** The float32 sample narrowed: bit patterns, not values (NaN payloads must survive the array). */
const SAMPLE = (() => {
  const b: number[] = [];
  const next = xorshift32(0x5eed16);
  for (let i = 0; i < 200_000; i++) b.push(next());
  // specials: ±0, ±Inf, NaN payloads (quiet, signalling, payload only in low bits, all ones), subnormals
  b.push(0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fbfffff, 0x7fffffff,
    0xffffffff, 0x7fa00000, 0x7f802000, 0x7f801fff, 0x7f80ffff, 0x7fc0ffff, 0x00000001, 0x807fffff, 0x00400000, 0x7f7fffff, 0xff7fffff);
  for (let e = 0; e < 255; e++) {
    for (const sign of [0, 0x80000000]) {
      const base = sign | (e << 23);
      // bf16 ties (low 16 bits 0x8000) on even and odd kept bits, and their neighbours
      for (const m of [0x0000, 0x10000, 0x7f0000, 0x7e0000]) for (const lo of [0x7fff, 0x8000, 0x8001]) b.push((base | m | lo) >>> 0);
      // f16 ties (low 13 bits 0x1000) and neighbours; and a few bits below a subnormal half's quantum
      for (const m of [0x0000, 0x2000, 0x7fe000, 0x7fc000]) for (const lo of [0x0fff, 0x1000, 0x1001]) b.push((base | m | lo) >>> 0);
    }
  }
  // around the binary16 overflow threshold 65520 (0x477ff000) and the largest half 65504 (0x477fe000)
  for (let d = -40; d <= 40; d++) for (const s of [0, 0x80000000]) b.push((s | (0x477ff000 + d)) >>> 0, (s | (0x477fe000 + d)) >>> 0);
  // the binary16 subnormal range, 2^-26 .. 2^-14: every half-quantum tie k·2^-25 and its float neighbours,
  // and a dense stride through every binade
  for (let k = 0; k <= 2 * 1024; k++) {
    const bits = bitsOf(new Float32Array([k * 2 ** -25]))[0];
    for (const s of [0, 0x80000000]) for (const d of [-1, 0, 1]) if (bits + d >= 0) b.push((s | (bits + d)) >>> 0);
  }
  for (let bits = 0x32800000; bits <= 0x38800000; bits += 97) b.push(bits, (bits | 0x80000000) >>> 0);
  return floatsOf(b);
})();

function sameBits16(got: Uint16Array, want: Uint16Array, input: (i: number) => string) {
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`at ${i} (${input(i)}): got 0x${got[i].toString(16)}, want 0x${want[i].toString(16)}`);
  }
  expect(got.length).toBe(want.length);
}
function sameBits32(got: Float32Array, want: Float32Array, input: (i: number) => string) {
  const g = bitsOf(got);
  const w = bitsOf(want);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i]) throw new Error(`at ${i} (${input(i)}): got 0x${g[i].toString(16)}, want 0x${w[i].toString(16)}`);
  }
  expect(got.length).toBe(want.length);
}
const hex32 = (x: Float32Array) => (i: number) => `x = 0x${bitsOf(x)[i].toString(16)} = ${x[i]}`;
const hex16 = (h: Uint16Array) => (i: number) => `h = 0x${h[i].toString(16)}`;

describe('the reference', () => {
  it('rounds to a nearest representable value, ties to an even pattern (checked by value on the sample)', () => {
    const x = SAMPLE;
    for (const [narrow, widen, max] of [
      [ref.f16Bits, ref.f16ToF32Bits, 65504],
      [ref.bf16Bits, ref.bf16ToF32Bits, 3.3895313892515355e38],
    ] as const) {
      const bits = bitsOf(x);
      const one = new Float32Array(1);
      const oneBits = bitsOf(one);
      const val = (h: number) => ((oneBits[0] = widen(h)), one[0]);
      const maxBits = narrow(bitsOf(new Float32Array([max]))[0]);
      const below = val(maxBits - 1);
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        const h = narrow(bits[i]);
        if (Number.isNaN(v)) {
          expect(Number.isNaN(val(h))).toBe(true);
          continue;
        }
        const r = val(h);
        if (!Number.isFinite(r)) {
          if (!(Math.abs(v) >= max + (max - below) / 2)) throw new Error(`x=${v}: ref gives ${r}, below the overflow threshold`);
          continue;
        }
        const up = val((h & 0x7fff) === maxBits ? h : h + 1);
        const down = (h & 0x7fff) === 0 ? -val(h + 1) : val(h - 1);
        const e = Math.abs(v - r);
        for (const n of [up, down]) {
          const en = Math.abs(v - n);
          if (en < e || (en === e && n !== r && (h & 1) === 1)) throw new Error(`x=${v}: ref gives ${r} (0x${h.toString(16)}), ${n} is nearer or an even tie`);
        }
      }
    }
  });
});

describe.each(ISAS)('isa %s', (isa) => {
  const use = () => binding._testing.setIsa(isa);

  it('fromBf16 / fromF16 give the reference bits for all 65536 patterns', () => {
    use();
    sameBits32(sg.fromBf16(ALL16), ref.fromBf16(ALL16), hex16(ALL16));
    sameBits32(sg.fromF16(ALL16), ref.fromF16(ALL16), hex16(ALL16));
  });

  it(`toBf16 / toF16 give the reference bits over ${SAMPLE.length} float32 patterns`, () => {
    use();
    sameBits16(sg.toBf16(SAMPLE), ref.toBf16(SAMPLE), hex32(SAMPLE));
    sameBits16(sg.toF16(SAMPLE), ref.toF16(SAMPLE), hex32(SAMPLE));
  });

  it('round-trips every non-NaN 16-bit pattern exactly (widen, then narrow)', () => {
    use();
    const f16 = ALL16.filter((h) => (h & 0x7c00) !== 0x7c00 || (h & 0x3ff) === 0);
    sameBits16(sg.toF16(sg.fromF16(f16)), f16, hex16(f16));
    const bf16 = ALL16.filter((h) => (h & 0x7f80) !== 0x7f80 || (h & 0x7f) === 0);
    sameBits16(sg.toBf16(sg.fromBf16(bf16)), bf16, hex16(bf16));
  });

  it('gives the same bits for every length 0..70 at odd offsets, with and without out, and leaves the rest of out alone', () => {
    use();
    const x = SAMPLE.subarray(200_000, 200_100);
    const h = ALL16.subarray(0x7bc0, 0x7c40); // normals, the largest, Inf and NaNs
    for (let n = 0; n <= 70; n++) {
      for (const off of [0, 1, 3]) {
        const xs = x.subarray(off, off + n);
        const hs = h.subarray(off, off + n);
        for (const [fn, r] of [[sg.toBf16, ref.toBf16], [sg.toF16, ref.toF16]] as const) {
          sameBits16(fn(xs), r(xs), hex32(xs));
          const host = new Uint16Array(n + 4).fill(0xabcd);
          const out = host.subarray(off, off + n);
          expect(fn(xs, { out })).toBe(out);
          sameBits16(out, r(xs), hex32(xs));
          expect([...host.subarray(0, off), ...host.subarray(off + n)].every((v) => v === 0xabcd)).toBe(true);
        }
        for (const [fn, r] of [[sg.fromBf16, ref.fromBf16], [sg.fromF16, ref.fromF16]] as const) {
          sameBits32(fn(hs), r(hs), hex16(hs));
          const host = new Float32Array(n + 4).fill(7);
          const out = host.subarray(off, off + n);
          expect(fn(hs, { out })).toBe(out);
          sameBits32(out, r(hs), hex16(hs));
          expect([...host.subarray(0, off), ...host.subarray(off + n)].every((v) => v === 7)).toBe(true);
        }
      }
    }
  });

  it('takes SharedArrayBuffer-backed inputs and outputs', () => {
    use();
    const x = new Float32Array(new SharedArrayBuffer(4 * 40), 4, 37);
    x.set(SAMPLE.subarray(0, 37));
    const out = new Uint16Array(new SharedArrayBuffer(2 * 37));
    sameBits16(sg.toF16(x, { out }), ref.toF16(SAMPLE.subarray(0, 37)), hex32(x));
    const back = new Float32Array(new SharedArrayBuffer(4 * 37));
    sameBits32(sg.fromF16(out, { out: back }), ref.fromF16(out), hex16(out));
    sameBits32(sg.fromBf16(out), ref.fromBf16(out), hex16(out));
  });

  it('gives the reference bits on arrays long enough to be split across threads', () => {
    use();
    const n = (1 << 19) + 13;
    const x = SAMPLE.subarray(SAMPLE.length - n);
    sameBits16(sg.toBf16(x), ref.toBf16(x), hex32(x));
    sameBits16(sg.toF16(x), ref.toF16(x), hex32(x));
    const h = new Uint16Array(n).map((_, i) => (i * 40503) & 0xffff);
    sameBits32(sg.fromF16(h), ref.fromF16(h), hex16(h));
    sameBits32(sg.fromBf16(h), ref.fromBf16(h), hex16(h));
  });
});

describe('conversions: errors', () => {
  const x = new Float32Array(8);
  const h = new Uint16Array(8);
  it('a wrong input or out type is a TypeError naming the function and argument', () => {
    expect(() => sg.toBf16(h as never)).toThrow(new TypeError('toBf16: x must be a Float32Array, got Uint16Array(8)'));
    expect(() => sg.toF16(x, { out: new Float32Array(8) } as never)).toThrow(/^toF16: options.out must be a Uint16Array of 16-bit float bit patterns, got Float32Array\(8\)/);
    expect(() => sg.fromF16(x as never)).toThrow(/^fromF16: x must be a Uint16Array/);
    expect(() => sg.fromBf16(h, { out: h } as never)).toThrow(/^fromBf16: options.out must be a Float32Array, got Uint16Array/);
    expect(() => sg.toBf16(x, { outt: h } as never)).toThrow(/^toBf16: unknown option 'outt'/);
    expect(() => sg.toBf16(x, 3 as never)).toThrow(TypeError);
  });
  it('a wrong out length is a RangeError', () => {
    expect(() => sg.toBf16(x, { out: new Uint16Array(7) })).toThrow(new RangeError('toBf16: options.out must have length 8, got 7'));
    expect(() => sg.fromF16(h, { out: new Float32Array(9) })).toThrow(new RangeError('fromF16: options.out must have length 8, got 9'));
  });
  it('an out sharing bytes with x is a RangeError (no in-place form: the element sizes differ)', () => {
    const buf = new ArrayBuffer(64);
    const xf = new Float32Array(buf, 0, 8);
    expect(() => sg.toF16(xf, { out: new Uint16Array(buf, 0, 8) })).toThrow(/^toF16: options.out overlaps x .* no in-place form/);
    expect(() => sg.toBf16(xf, { out: new Uint16Array(buf, 30, 8) })).toThrow(RangeError);
    expect(() => sg.fromBf16(new Uint16Array(buf, 32, 8), { out: new Float32Array(buf, 16, 8) })).toThrow(/^fromBf16: options.out overlaps x/);
    // adjacent is fine
    expect(() => sg.toBf16(xf, { out: new Uint16Array(buf, 32, 8) })).not.toThrow();
  });
  it('a detached array is a TypeError', () => {
    const d = new Float32Array(4);
    structuredClone(d.buffer, { transfer: [d.buffer] });
    expect(() => sg.toBf16(d)).toThrow(/^toBf16: x is detached/);
    const e = new Uint16Array(4);
    structuredClone(e.buffer, { transfer: [e.buffer] });
    expect(() => sg.fromF16(e)).toThrow(/^fromF16: x is detached/);
  });
  it('the binding itself refuses overlap and length mismatches', () => {
    const buf = new ArrayBuffer(64);
    expect(() => binding.f32ToF16(new Float32Array(buf, 0, 8), new Uint16Array(buf, 8, 8))).toThrow(RangeError);
    expect(() => binding.f16ToF32(new Uint16Array(4), new Float32Array(5))).toThrow(RangeError);
    expect(() => binding.bf16ToF32(new Float32Array(4) as never, new Float32Array(4))).toThrow(TypeError);
  });
});
