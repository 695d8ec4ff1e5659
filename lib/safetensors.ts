// Reads the safetensors checkpoint format (https://huggingface.co/docs/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON header ({name: {dtype, shape, data_offsets}} and an
// optional "__metadata__" string map), then the data buffer the offsets point into.
//
// Guarantees: every tensor's `data` lies inside the file's data buffer, the tensors tile that buffer
// exactly (no overlap, no gap, no trailing bytes, as the format's reference implementation requires),
// and shape × element size equals the tensor's byte count, so a malformed or hostile file is an error
// and never an out-of-bounds view. Errors name `loadSafetensors` and the tensor: TypeError when a
// header field has the wrong JSON type (or the argument is not a path or bytes), RangeError when a
// value is wrong (lengths, offsets, shape, unknown dtype, header that is not JSON).
import * as fs from 'node:fs';
import { describe, isDetached } from './check';

/** The element types the format defines. F32, BF16 and F16 are the ones packGate/packFfn take (convert others first). */
export type SafetensorsDtype =
  | 'F32' | 'BF16' | 'F16' | 'F64' | 'I64' | 'U64' | 'I32' | 'U32' | 'I16' | 'U16'
  | 'I8' | 'U8' | 'BOOL' | 'F8_E4M3' | 'F8_E5M2' | 'F8_E8M0';

/**
 * One tensor of a checkpoint. `data` is a view of the input's bytes (Float32Array for F32, Uint16Array
 * of bit patterns for BF16/F16, Uint8Array of raw little-endian bytes for every other dtype), copied
 * only when its offset in memory is not a multiple of the element size (which typed arrays require).
 */
export interface SafeTensor {
  /** The element type, as the file's header names it. */
  dtype: SafetensorsDtype;
  /** The dimensions, outermost first (e.g. [outFeatures, inFeatures] for an nn.Linear weight); product × element size = data's bytes. */
  shape: number[];
  /** The elements: a view of the input's bytes (a copy where they are not aligned to the element size). */
  data: Float32Array | Uint16Array | Uint8Array;
}

/**
 * Tensors by name (an object without prototype, so any name is a plain key). The header's
 * "__metadata__" map, if any, is the non-enumerable `__metadata__` property: Object.keys lists tensors only.
 */
export type Safetensors = Record<string, SafeTensor> & { readonly __metadata__?: Record<string, string> };

const FN = 'loadSafetensors';
const ELEMENT_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, BF16: 2, F16: 2, I16: 2, U16: 2,
  I8: 1, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1,
};
/** The reference implementation's limit; a larger length is a corrupt file, not a header. */
const MAX_HEADER_BYTES = 100_000_000;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function inputBytes(src: unknown): Uint8Array {
  if (typeof src === 'string') {
    try {
      return fs.readFileSync(src);
    } catch (err) {
      throw new Error(`${FN}: cannot read '${src}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  if (src instanceof Uint8Array) {
    if (isDetached(src)) throw new TypeError(`${FN}: bytes is detached (its ArrayBuffer was transferred)`);
    return src;
  }
  if (src instanceof ArrayBuffer) {
    if ((src as { detached?: boolean }).detached === true) throw new TypeError(`${FN}: bytes is detached (its ArrayBuffer was transferred)`);
    return new Uint8Array(src);
  }
  throw new TypeError(`${FN}: expected a file path (string) or the file's bytes (Uint8Array, Buffer or ArrayBuffer), got ${describe(src)}`);
}

/**
 * Bytes [begin, end) of `bytes` as the dtype's array: a view, or a copy where the offset in memory is
 * not a multiple of the element size (typed arrays cannot view it).
 */
function view(dtype: SafetensorsDtype, bytes: Uint8Array, begin: number, end: number): Float32Array | Uint16Array | Uint8Array {
  const size = dtype === 'F32' ? 4 : dtype === 'BF16' || dtype === 'F16' ? 2 : 1;
  const at = bytes.byteOffset + begin;
  const count = (end - begin) / size;
  const aligned = at % size === 0;
  const buffer = aligned ? bytes.buffer : new Uint8Array(bytes.subarray(begin, end)).buffer;
  const offset = aligned ? at : 0;
  if (size === 4) return new Float32Array(buffer, offset, count);
  if (size === 2) return new Uint16Array(buffer, offset, count);
  return new Uint8Array(buffer, offset, count);
}

function tensorEntry(name: string, entry: unknown, dataBytes: number): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  const t = `${FN}: tensor '${name}'`;
  if (!isPlainObject(entry)) throw new TypeError(`${t} must be an object {dtype, shape, data_offsets}, got ${describe(entry)}`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string') throw new TypeError(`${t}: dtype must be a string, got ${describe(dtype)}`);
  if (!Object.prototype.hasOwnProperty.call(ELEMENT_BYTES, dtype)) {
    throw new RangeError(`${t}: unsupported dtype ${describe(dtype)} (known: ${Object.keys(ELEMENT_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape)) throw new TypeError(`${t}: shape must be an array, got ${describe(shape)}`);
  let elements = 1;
  shape.forEach((d, i) => {
    if (typeof d !== 'number') throw new TypeError(`${t}: shape[${i}] must be a number, got ${describe(d)}`);
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`${t}: shape[${i}] must be a non-negative integer, got ${d}`);
    // Past the data size the product only grows (or is 0): cap it, so it never loses exactness.
    elements = Math.min(elements * d, Number.MAX_SAFE_INTEGER);
  });
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new TypeError(`${t}: data_offsets must be an array [begin, end], got ${describe(offsets)}`);
  }
  const [begin, end] = offsets as unknown[];
  for (const [v, which] of [[begin, 'begin'], [end, 'end']] as const) {
    if (typeof v !== 'number') throw new TypeError(`${t}: data_offsets ${which} must be a number, got ${describe(v)}`);
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${t}: data_offsets ${which} must be a non-negative integer, got ${v}`);
  }
  const b = begin as number;
  const e = end as number;
  if (e < b) throw new RangeError(`${t}: data_offsets [${b}, ${e}] end before begin`);
  if (e > dataBytes) throw new RangeError(`${t}: data_offsets [${b}, ${e}] past the end of the data (${dataBytes} bytes)`);
  const size = ELEMENT_BYTES[dtype as SafetensorsDtype];
  if (elements * size !== e - b) {
    throw new RangeError(
      `${t}: shape [${shape.join(', ')}] of ${dtype} is ${elements * size} bytes, but data_offsets [${b}, ${e}] hold ${e - b}`,
    );
  }
  return { dtype: dtype as SafetensorsDtype, shape: (shape as number[]).slice(), begin: b, end: e };
}

/**
 * Reads a safetensors checkpoint from a path or from its bytes (Uint8Array, Buffer, ArrayBuffer) and
 * returns its tensors by name: `{ [name]: { dtype, shape, data } }` with `data` a view of the bytes
 * (see SafeTensor). F32/BF16/F16 tensors can be handed straight to packGate/packFfn. Synchronous (a path
 * is read with fs.readFileSync). The file is checked whole before anything is returned: every tensor lies
 * inside the data, the tensors tile it exactly, and each shape matches its byte count.
 * @param pathOrBytes A file path, or the file's bytes.
 * @returns The tensors by name (an object without prototype); the header's "__metadata__" map, if any, as
 *   the non-enumerable property `__metadata__`.
 * @throws {TypeError} pathOrBytes is not a string, Uint8Array or ArrayBuffer, or is detached; a header field has the wrong JSON type (naming the tensor).
 * @throws {RangeError} The file is too short, its header length runs past the end or over 100,000,000 bytes, the header is not UTF-8 JSON; a tensor (named) has an unknown dtype, a shape that does not match its bytes, offsets outside the data, or overlaps another; bytes of the data are left unused.
 * @throws {Error} The path cannot be read (the message names the path and the file system's reason).
 * @example
 * const w = sg.loadSafetensors('model.safetensors');
 * w['model.layers.0.mlp.up_proj.weight']; // { dtype: 'BF16', shape: [11008, 4096], data: Uint16Array }
 */
export function loadSafetensors(pathOrBytes: string | Uint8Array | ArrayBuffer): Safetensors {
  const bytes = inputBytes(pathOrBytes);
  if (bytes.length < 8) throw new RangeError(`${FN}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length first)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const n = dv.getUint32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  if (n > bytes.length - 8) {
    throw new RangeError(`${FN}: header length ${n} runs past the end of the file (${bytes.length - 8} bytes after the length)`);
  }
  if (n > MAX_HEADER_BYTES) throw new RangeError(`${FN}: header length ${n} is over the format's limit of ${MAX_HEADER_BYTES} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new RangeError(`${FN}: the ${n}-byte header is not UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (!isPlainObject(header)) throw new TypeError(`${FN}: the header must be a JSON object, got ${describe(header)}`);

  const data = bytes.subarray(8 + n);
  const result = Object.create(null) as Safetensors;
  const placed: Array<{ name: string; begin: number; end: number }> = [];
  for (const name of Object.keys(header)) {
    if (name === '__metadata__') continue;
    const e = tensorEntry(name, header[name], data.length);
    placed.push({ name, begin: e.begin, end: e.end });
    result[name] = { dtype: e.dtype, shape: e.shape, data: view(e.dtype, data, e.begin, e.end) };
  }
  // The tensors must tile the data buffer: sorted by offset, each starts where the previous ended.
  placed.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let last = '';
  for (const p of placed) {
    if (p.begin < at) throw new RangeError(`${FN}: tensor '${p.name}' (bytes ${p.begin}..${p.end}) overlaps tensor '${last}' (ending at ${at})`);
    if (p.begin > at) {
      throw new RangeError(`${FN}: tensor '${p.name}' starts at byte ${p.begin}, leaving bytes ${at}..${p.begin} of the data unused` + (last ? ` after tensor '${last}'` : ''));
    }
    at = p.end;
    last = p.name;
  }
  if (at !== data.length) {
    throw new RangeError(`${FN}: the data holds ${data.length} bytes but the tensors cover ${at}` + (last ? ` (the last, '${last}', ends there)` : ''));
  }

  const meta = header.__metadata__;
  if (meta !== undefined && meta !== null) {
    if (!isPlainObject(meta)) throw new TypeError(`${FN}: __metadata__ must be an object of strings, got ${describe(meta)}`);
    const copy = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== 'string') throw new TypeError(`${FN}: __metadata__['${k}'] must be a string, got ${describe(v)}`);
      copy[k] = v;
    }
    Object.defineProperty(result, '__metadata__', { value: copy, enumerable: false });
  }
  return result;
}
