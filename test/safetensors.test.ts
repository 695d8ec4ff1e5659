// loadSafetensors: valid files (F32/BF16/F16 and listed-only dtypes, metadata, every input form), data as
// views of the input bytes (copies only where misaligned), every malformed case with its documented error
// naming the tensor, and a seeded mutation loop that must only ever parse consistently or throw
// RangeError/TypeError.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { type Entry, dataOf, fileOf, headerOf, safetensorsFile } from './helpers/safetensors';

const f32 = new Float32Array([1, -2, 3.5, 0, -0, 1e-30]);
const bf16 = new Uint16Array([0x3f80, 0xc000, 0x7f80, 0x7fc0]);
const f16 = new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001]);
const i32 = new Int32Array([7, -8, 9]);
const ENTRIES: Entry[] = [
  { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'F32', shape: [2, 3], data: f32 },
  { name: 'b', dtype: 'BF16', shape: [4], data: bf16 },
  { name: 'h', dtype: 'F16', shape: [2, 2], data: f16 },
  { name: 'ints', dtype: 'I32', shape: [3], data: i32 },
  { name: 'empty', dtype: 'F32', shape: [0, 5], data: new Float32Array(0) },
  { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([42]) },
];

function expectParsedLike(t: sg.Safetensors, entries: Entry[]) {
  expect(Object.keys(t).sort()).toEqual(entries.map((e) => e.name).sort());
  for (const e of entries) {
    const got = t[e.name];
    expect(got.dtype).toBe(e.dtype);
    expect(got.shape).toEqual(e.shape);
    const want = new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    expect(new Uint8Array(got.data.buffer, got.data.byteOffset, got.data.byteLength)).toEqual(want);
  }
}

describe('loadSafetensors: valid files', () => {
  it('lists every tensor with its dtype, shape and bytes; F32 as Float32Array, BF16/F16 as Uint16Array, others as Uint8Array', () => {
    const t = sg.loadSafetensors(safetensorsFile(ENTRIES, { format: 'pt' }));
    expectParsedLike(t, ENTRIES);
    expect(t['model.layers.0.mlp.up_proj.weight'].data).toBeInstanceOf(Float32Array);
    expect(Array.from(t['model.layers.0.mlp.up_proj.weight'].data)).toEqual(Array.from(f32));
    expect(t.b.data).toBeInstanceOf(Uint16Array);
    expect(t.h.data).toBeInstanceOf(Uint16Array);
    expect(t.ints.data).toBeInstanceOf(Uint8Array);
    expect(t.ints.data.length).toBe(12);
    expect(t.empty.data.length).toBe(0);
    expect(Array.from(t.scalar.data)).toEqual([42]);
    expect(t.__metadata__).toEqual({ format: 'pt' });
    expect(Object.keys(t)).not.toContain('__metadata__');
  });

  it('views the input bytes (no copy) when offsets are aligned, from a Uint8Array, a Buffer, an ArrayBuffer and a path', () => {
    const bytes = safetensorsFile(ENTRIES);
    for (const input of [bytes, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.buffer]) {
      const t = sg.loadSafetensors(input as Uint8Array);
      for (const e of ENTRIES) expect(t[e.name].data.buffer).toBe(bytes.buffer);
      const up = t['model.layers.0.mlp.up_proj.weight'].data as Float32Array;
      bytes[up.byteOffset] ^= 1; // the view sees a change to the bytes
      expect(up[0]).not.toBe(1);
      bytes[up.byteOffset] ^= 1;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-st-'));
    try {
      const file = path.join(dir, 'model.safetensors');
      fs.writeFileSync(file, bytes);
      expectParsedLike(sg.loadSafetensors(file), ENTRIES);
      expect(() => sg.loadSafetensors(path.join(dir, 'missing.safetensors'))).toThrow(/loadSafetensors: cannot read .*missing\.safetensors/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies a tensor whose bytes are misaligned for its element size, and only that one', () => {
    const file = safetensorsFile(ENTRIES);
    const dataStart = file.length - dataOf(ENTRIES).length;
    const header = headerOf(ENTRIES) as Record<string, { data_offsets: number[] }>;
    for (const shift of [1, 2, 3, 4, 6]) {
      const host = new Uint8Array(file.length + 8);
      host.set(file, shift);
      const t = sg.loadSafetensors(host.subarray(shift, shift + file.length));
      expectParsedLike(t, ENTRIES);
      for (const e of ENTRIES) {
        const d = t[e.name].data;
        const at = host.byteOffset + shift + dataStart + header[e.name].data_offsets[0];
        expect(d.buffer === host.buffer, `${e.name} at shift ${shift}`).toBe(at % d.BYTES_PER_ELEMENT === 0);
      }
    }
    // An unpadded header puts the data at an odd offset: F32 and 16-bit tensors are copies, bytes stay views.
    const odd = fileOf(JSON.stringify(headerOf(ENTRIES)) + ' ', dataOf(ENTRIES), 1);
    const headerLen = odd.length - 8 - dataOf(ENTRIES).length;
    if ((8 + headerLen) % 2 === 1) {
      const t = sg.loadSafetensors(odd);
      expectParsedLike(t, ENTRIES);
      expect(t.b.data.buffer).not.toBe(odd.buffer);
      expect(t['model.layers.0.mlp.up_proj.weight'].data.buffer).not.toBe(odd.buffer);
      expect(t.ints.data.buffer).toBe(odd.buffer);
    }
  });

  it('accepts an empty header object, a null __metadata__, and names such as __proto__', () => {
    expect(Object.keys(sg.loadSafetensors(fileOf({}, new Uint8Array(0))))).toEqual([]);
    expect(sg.loadSafetensors(fileOf({ __metadata__: null }, new Uint8Array(0))).__metadata__).toBeUndefined();
    const t = sg.loadSafetensors(fileOf('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(new Float32Array([5]).buffer)));
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(Array.from(t['__proto__'].data)).toEqual([5]);
  });
});

describe('loadSafetensors: malformed files', () => {
  const one = (entry: unknown, data = new Uint8Array(8)) => fileOf({ w: entry }, data);
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const cases: Array<[string, () => Uint8Array | unknown, typeof RangeError | typeof TypeError, RegExp]> = [
    ['shorter than 8 bytes', () => new Uint8Array(5), RangeError, /too short/],
    ['header length past the end', () => { const f = one(ok); new DataView(f.buffer).setUint32(0, f.length, true); return f; }, RangeError, /header length \d+ runs past the end/],
    ['header length with high bits', () => { const f = one(ok); new DataView(f.buffer).setUint32(4, 1, true); return f; }, RangeError, /runs past the end/],
    ['header not JSON', () => fileOf('{"w": ', new Uint8Array(0)), RangeError, /header is not UTF-8 JSON/],
    ['header not UTF-8', () => { const f = fileOf('{"w":"\u00e9"}', new Uint8Array(0)); f[14] = 0xff; return f; }, RangeError, /not UTF-8 JSON/],
    ['header an array', () => fileOf([1, 2], new Uint8Array(0)), TypeError, /header must be a JSON object, got Array/],
    ['header a number', () => fileOf('42', new Uint8Array(0)), TypeError, /header must be a JSON object/],
    ['entry not an object', () => one(7), TypeError, /tensor 'w' must be an object/],
    ['dtype missing', () => one({ ...ok, dtype: undefined }), TypeError, /tensor 'w': dtype must be a string/],
    ['unknown dtype', () => one({ ...ok, dtype: 'F128' }), RangeError, /tensor 'w': unsupported dtype "F128"/],
    ['shape not an array', () => one({ ...ok, shape: 2 }), TypeError, /tensor 'w': shape must be an array/],
    ['shape entry negative', () => one({ ...ok, shape: [-2] }), RangeError, /tensor 'w': shape\[0\] must be a non-negative integer, got -2/],
    ['shape entry fractional', () => one({ ...ok, shape: [1.5] }), RangeError, /tensor 'w': shape\[0\] must be a non-negative integer/],
    ['shape entry a string', () => one({ ...ok, shape: ['2'] }), TypeError, /tensor 'w': shape\[0\] must be a number/],
    ['shape too large for the bytes', () => one({ ...ok, shape: [2, 2 ** 52] }), RangeError, /tensor 'w': shape \[2, 4503599627370496\] of F32 is \d+ bytes, but data_offsets \[0, 8\] hold 8/],
    ['shape × element size ≠ bytes', () => one({ ...ok, dtype: 'BF16' }), RangeError, /tensor 'w': shape \[2\] of BF16 is 4 bytes, but data_offsets \[0, 8\] hold 8/],
    ['data_offsets missing', () => one({ ...ok, data_offsets: undefined }), TypeError, /tensor 'w': data_offsets must be an array/],
    ['data_offsets of 3', () => one({ ...ok, data_offsets: [0, 4, 8] }), TypeError, /tensor 'w': data_offsets must be an array \[begin, end\]/],
    ['data_offsets not integers', () => one({ ...ok, data_offsets: [0, 7.5] }), RangeError, /tensor 'w': data_offsets end must be a non-negative integer/],
    ['data_offsets strings', () => one({ ...ok, data_offsets: ['0', 8] }), TypeError, /tensor 'w': data_offsets begin must be a number/],
    ['data_offsets negative', () => one({ ...ok, data_offsets: [-8, 0] }), RangeError, /tensor 'w': data_offsets begin must be a non-negative integer/],
    ['data_offsets reversed', () => one({ ...ok, data_offsets: [8, 0] }), RangeError, /tensor 'w': data_offsets \[8, 0\] end before begin/],
    ['data_offsets outside the file', () => one({ ...ok, data_offsets: [8, 16] }), RangeError, /tensor 'w': data_offsets \[8, 16\] past the end of the data \(8 bytes\)/],
    ['data not covered (trailing bytes)', () => one(ok, new Uint8Array(12)), RangeError, /data holds 12 bytes but the tensors cover 8 \(the last, 'w'/],
    ['data not covered (gap)', () => fileOf({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, new Uint8Array(12)), RangeError, /tensor 'b' starts at byte 8, leaving bytes 4..8 of the data unused after tensor 'a'/],
    ['tensors overlap', () => fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), RangeError, /tensor 'b' \(bytes 4..8\) overlaps tensor 'a'/],
    ['__metadata__ not a map of strings', () => fileOf({ __metadata__: { n: 1 } }, new Uint8Array(0)), TypeError, /__metadata__\['n'\] must be a string/],
    ['__metadata__ an array', () => fileOf({ __metadata__: ['x'] }, new Uint8Array(0)), TypeError, /__metadata__ must be an object of strings/],
    ['a number instead of bytes', () => 42, TypeError, /expected a file path \(string\) or the file's bytes/],
    ['a Float32Array instead of bytes', () => new Float32Array(4), TypeError, /expected a file path/],
  ];
  it.each(cases)('%s', (_name, make, Class, message) => {
    const input = make();
    let err: unknown;
    try {
      sg.loadSafetensors(input as Uint8Array);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Class);
    expect((err as Error).message).toMatch(/^loadSafetensors: /);
    expect((err as Error).message).toMatch(message);
  });

  it('rejects a detached input with a TypeError', () => {
    const b = safetensorsFile(ENTRIES);
    structuredClone(b.buffer, { transfer: [b.buffer] });
    expect(() => sg.loadSafetensors(b)).toThrow(TypeError);
  });
});

describe('loadSafetensors: mutated files', () => {
  // xorshift32, seeded: the same mutations on every run.
  let s = 0x9e3779b9;
  const rnd = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  const int = (n: number) => Math.floor(rnd() * n);
  const JUNK: unknown[] = [null, -1, 0, 1, 2.5, 2 ** 53, 1e300, '', 'F32', 'BF16', 'X', [], [0], [0, 0], [1, 0], {}, true, [-1, 4], [0, 2 ** 40]];

  function mutate(): Uint8Array {
    const kind = int(3);
    if (kind === 0) {
      // random bytes anywhere (length, header, data)
      const f = safetensorsFile(ENTRIES, { a: 'b' });
      for (let k = 1 + int(4); k > 0; k--) f[int(f.length)] = int(256);
      return f;
    }
    if (kind === 1) {
      // a header field replaced with junk
      const h = headerOf(ENTRIES) as Record<string, Record<string, unknown>>;
      const name = ENTRIES[int(ENTRIES.length)].name;
      const field = ['dtype', 'shape', 'data_offsets'][int(3)];
      if (rnd() < 0.5) h[name][field] = JUNK[int(JUNK.length)];
      else if (Array.isArray(h[name][field])) (h[name][field] as unknown[])[int(2)] = JUNK[int(JUNK.length)];
      else h[name] = JUNK[int(JUNK.length)] as Record<string, unknown>;
      return fileOf(h, dataOf(ENTRIES));
    }
    // truncated or extended
    const f = safetensorsFile(ENTRIES);
    const n = int(f.length + 16);
    const g = new Uint8Array(n);
    g.set(f.subarray(0, Math.min(n, f.length)));
    return g;
  }

  it('never crashes: each of 4000 mutated files either parses consistently or throws RangeError/TypeError', () => {
    let parsed = 0;
    for (let i = 0; i < 4000; i++) {
      const f = mutate();
      let t: sg.Safetensors;
      try {
        t = sg.loadSafetensors(f);
      } catch (e) {
        if (!(e instanceof RangeError || e instanceof TypeError)) throw new Error(`mutation ${i}: ${String(e)}`);
        expect((e as Error).message).toMatch(/^loadSafetensors: /);
        continue;
      }
      parsed++;
      const headerEnd = 8 + Number(new DataView(f.buffer).getBigUint64(0, true));
      let covered = 0;
      for (const name of Object.keys(t)) {
        const { data, shape, dtype } = t[name];
        const size = { F32: 4, BF16: 2, F16: 2 }[dtype as string] ?? 0;
        const count = shape.reduce((a, b) => a * b, 1);
        if (size) expect(data.length).toBe(count);
        covered += data.byteLength;
        if (data.buffer === f.buffer) {
          expect(data.byteOffset).toBeGreaterThanOrEqual(headerEnd);
          expect(data.byteOffset + data.byteLength).toBeLessThanOrEqual(f.length);
        }
      }
      expect(covered).toBe(f.length - headerEnd);
    }
    expect(parsed).toBeGreaterThan(0); // some mutations (data bytes, metadata) leave a valid file
  });
});
