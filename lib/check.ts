// Argument checks shared by every public function. Wrong type or missing option: TypeError; so is
// an array whose ArrayBuffer was detached and a pack used after dispose() (no longer a usable value of
// its type). Wrong length, shape, option value or overlap: RangeError. Messages start with the
// function's name, name the argument and say what was expected and what was given.
import { Buffer, kMaxLength } from 'node:buffer';

/** A short description of a value for error messages: its type and, for arrays, its length. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (ArrayBuffer.isView(v)) {
    const n = (v as { length?: number }).length;
    return `${v.constructor.name}${n === undefined ? '' : `(${n})`}`;
  }
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'number') return `${v}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/**
 * True if the view's ArrayBuffer has been detached (transferred or structuredClone'd away). A detached
 * view has no bytes, so only an empty view is looked at further, and the common path costs one compare.
 * `ArrayBuffer.prototype.detached` answers where the runtime has it (V8 ≥ 11.4, Node ≥ 22); elsewhere
 * (Node 20) making a view over the buffer is the test, as that throws a TypeError exactly when the buffer
 * is detached. SharedArrayBuffers cannot be detached (no `detached` property, views always made).
 */
export function isDetached(v: ArrayBufferView): boolean {
  if (v.byteLength !== 0) return false;
  const buffer = v.buffer;
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === 'boolean') return flag;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * A Float32Array argument. A detached one is a TypeError of its own ("is detached") rather than an
 * array of length 0, which every op would otherwise accept as empty or blame for its length.
 */
export function float32(v: unknown, name: string): Float32Array {
  if (!(v instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array, got ${describe(v)}`);
  if (isDetached(v)) throw new TypeError(`${name} is detached (its ArrayBuffer was transferred)`);
  return v;
}

/** The options object: undefined means {}; anything else must be a plain object with known keys. */
export function options<T extends object>(v: unknown, fn: string, known: readonly string[]): Partial<T> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(v)}`);
  }
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) {
      throw new TypeError(`${fn}: unknown option '${key}' (expected ${known.map((k) => `'${k}'`).join(', ')})`);
    }
  }
  return v as Partial<T>;
}

export function finiteNumber(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be finite, got ${v}`);
  return v;
}

/**
 * A finite scale factor whose magnitude the float32 kernels can carry exactly (split into a float
 * hi + lo pair): 0, or min ≤ |v| ≤ max. Outside that the product with x would over- or underflow
 * inside the kernel and come back as NaN or ±Inf, so it is refused instead (no silent garbage).
 */
export function scale(v: unknown, name: string, fallback: number, min: number, max: number, allowZero = true): number {
  const x = finiteNumber(v, name, fallback);
  const a = Math.abs(x);
  if ((x === 0 && allowZero) || (a >= min && a <= max)) return x;
  throw new RangeError(
    `${name} must be ${allowZero ? '0 or ' : ''}of magnitude in [${fmt(min)}, ${fmt(max)}], got ${x}`,
  );
}

function fmt(v: number): string {
  const e = Math.log2(v);
  return Number.isInteger(e) ? `2^${e}` : `${v}`;
}

export function positiveNumber(v: unknown, name: string, fallback: number): number {
  const x = finiteNumber(v, name, fallback);
  if (!(x > 0)) throw new RangeError(`${name} must be > 0, got ${x}`);
  return x;
}

/** A whole number in [min, max]. */
export function integer(v: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be an integer, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

export function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new TypeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  if (!(allowed as readonly string[]).includes(v)) {
    throw new RangeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${v}'`);
  }
  return v as T;
}

/** True if the two views share any byte. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength === 0 || b.byteLength === 0 || a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * A new Float32Array of `length` floats whose memory is not zero-filled: the result of a call made
 * without `options.out`. It owns its whole ArrayBuffer (byteOffset 0, byteLength = 4·length, never a
 * view into Node's shared Buffer pool, so it keeps no other memory alive and shares none), and the
 * allocator's alignment (≥ 16 bytes) holds at its start. Its contents are whatever the allocator
 * left there: every caller hands it to a kernel that writes all `length` floats before the array is
 * returned (K = 0 products write zeros), and a call that throws drops it unreturned.
 */
export function uninitialized(length: number): Float32Array {
  const bytes = length * Float32Array.BYTES_PER_ELEMENT;
  // Past Buffer's size limit (4 GiB on Node 20) a typed array may still be made, zero-filled: at that
  // size the fill is small beside the kernel that writes it again.
  if (bytes > kMaxLength) return new Float32Array(length);
  return new Float32Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, length);
}

/**
 * The `out` option: uninitialized(length) if absent (the kernel writes every float of it); otherwise a
 * Float32Array of exactly `length` floats that is either disjoint from every input or (where `inPlace`
 * allows) exactly one of them.
 */
export function output(
  out: unknown,
  length: number,
  fn: string,
  inputs: ReadonlyArray<readonly [Float32Array, string]>,
  inPlace = true,
): Float32Array {
  if (out === undefined) return uninitialized(length);
  const o = float32(out, `${fn}: options.out`);
  if (o.length !== length) throw new RangeError(`${fn}: options.out must have length ${length}, got ${o.length}`);
  for (const [input, name] of inputs) {
    if (!overlaps(o, input)) continue;
    const exact = inPlace && o.byteOffset === input.byteOffset && o.length === input.length;
    if (!exact) {
      throw new RangeError(
        `${fn}: options.out overlaps ${name} (bytes ${o.byteOffset}..${o.byteOffset + o.byteLength} vs ` +
          `${input.byteOffset}..${input.byteOffset + input.byteLength})` +
          (inPlace ? `; pass out === ${name} to work in place, or a separate array` : '; pass a separate array'),
      );
    }
  }
  return o;
}
