// Packed weights (PackedGate, PackedFfn) and how they are shared with worker_threads.
//
// A pack's panels live in a SharedArrayBuffer, the one kind of memory that V8 shares between threads
// instead of copying it and frees only when no thread (and no message in flight) holds it any more.
// A pack object's own enumerable properties are plain data plus that buffer, so the structured clone
// that postMessage / workerData make of it is a small object over the same memory; the ops take such a
// clone as they take the pack itself, after checking every field of it (a clone is data anyone can
// forge or edit). The native side reads the panels from the buffer on every call and checks its
// length against the dimensions again, so a descriptor that passes here still cannot make it read
// outside the buffer.
import { types } from 'node:util';
import type { DtypeIndex, PackedHandle } from './binding-types';
import { binding } from './binding';
import * as check from './check';
import type { Dtype, FusedActivation } from './matrix';
import { ACT_INDEX, ACTIVATIONS } from './matrix-internal';

export const DTYPES = ['f32', 'bf16', 'f16'] as const;
export const DTYPE_INDEX: Record<Dtype, DtypeIndex> = { f32: 0, bf16: 1, f16: 2 };

type Kind = 'PackedGate' | 'PackedFfn';
const KIND_INDEX: Record<Kind, 0 | 1> = { PackedGate: 0, PackedFfn: 1 };
const TOKEN = Symbol('swiglu.packed');

/**
 * What a worker receives for a PackedGate sent with `postMessage(pack)` or `workerData: { pack }`: the
 * pack's fields and its SharedArrayBuffer, shared, not copied. The ops take it wherever they take a
 * PackedGate. `buffer` is absent if the pack had been disposed before it was sent.
 */
export interface ClonedPackedGate {
  /** What was sent: a PackedGate. */
  readonly kind: 'PackedGate';
  /** Columns of X the pack takes. */
  readonly inFeatures: number;
  /** Outputs of each projection: columns of H. */
  readonly outFeatures: number;
  /** The weights' element type in the pack. */
  readonly dtype: Dtype;
  /** What gluMatmul applies to X·Wg before the product with X·Wu. */
  readonly activation: FusedActivation;
  /** The sender's pack memory, shared (absent if the pack was disposed before it was sent). */
  readonly buffer?: SharedArrayBuffer;
}

/** What a worker receives for a PackedFfn (see ClonedPackedGate). */
export interface ClonedPackedFfn {
  /** What was sent: a PackedFfn. */
  readonly kind: 'PackedFfn';
  /** Columns of X and of Y. */
  readonly inFeatures: number;
  /** The hidden width. */
  readonly hiddenFeatures: number;
  /** The weights' element type in the pack. */
  readonly dtype: Dtype;
  /** The hidden layer's activation. */
  readonly activation: FusedActivation;
  /** True for a GLU FFN (packed with a gate), false for a plain MLP. */
  readonly gated: boolean;
  /** The sender's pack memory, shared (absent if the pack was disposed before it was sent). */
  readonly buffer?: SharedArrayBuffer;
}

/** Using a pack after dispose(): a TypeError (it is no longer a usable pack) naming the call and argument. */
function disposedError(fn: string, name: string, kind: string): TypeError {
  return new TypeError(`${fn}: ${name} (a ${kind}) has been disposed`);
}

/** @internal What an op reads of a pack: the native descriptor, and the dimensions its shape checks need. */
export interface UsablePack {
  readonly handle: PackedHandle;
  readonly inFeatures: number;
  /** A gate's outFeatures; an FFN's hiddenFeatures. */
  readonly outFeatures: number;
  readonly activation: FusedActivation;
  readonly gated: boolean;
}

/** Native packed weights: what PackedGate and PackedFfn share (the buffer, its size, disposal). */
abstract class PackedWeights {
  #usable: UsablePack | null;
  /** 'PackedGate' or 'PackedFfn': says what a clone received by another thread is. */
  declare readonly kind: Kind;
  /** The weights' element type in the pack. */
  declare readonly dtype: Dtype;
  /** The activation the pack's epilogue applies (a gate: to X·Wg before the product with X·Wu; an FFN: in the hidden layer). */
  declare readonly activation: FusedActivation;
  /**
   * The memory holding the packed panels, in the addon's private layout (a header that records what was
   * packed, then the panels): what postMessage shares with another thread. Absent once disposed.
   * Writing into it changes the pack's results for every thread that holds it, or makes the ops refuse
   * it (a header that no longer matches); never memory outside it.
   */
  declare readonly buffer?: SharedArrayBuffer;
  /**
   * dispose(), for `using p = sg.packGate(...)` (TypeScript ≥ 5.2): the handle is disposed at the end of
   * the scope. Defined where the runtime has Symbol.dispose (every Node this package supports).
   * @throws Never.
   * @example
   * { using p = sg.packGate(wGate, wUp, { inFeatures, outFeatures }); h = sg.swigluMatmul(x, p); } // p disposed here
   */
  declare readonly [Symbol.dispose]: () => void;

  /** @internal */
  protected constructor(token: symbol, kind: Kind, usable: UsablePack, fields: Record<string, unknown>) {
    if (token !== TOKEN) throw new TypeError(`${kind}: use pack${kind.slice(6)}() to make one`);
    this.#usable = usable;
    // Own, enumerable and read-only: what a structured clone carries. The ops never read them back from
    // an object of this class (its private state is the truth); only `buffer` can be removed, by dispose().
    const props: PropertyDescriptorMap = {};
    for (const [k, value] of Object.entries({ kind, ...fields })) props[k] = { value, enumerable: true };
    props.buffer = { value: usable.handle[0].buffer, enumerable: true, configurable: true };
    Object.defineProperties(this, props);
  }

  /** Bytes of the pack's buffer this handle holds: the panels, a 64-byte header and alignment slack (0 once disposed). */
  get byteLength(): number {
    return this.#usable ? this.#usable.handle[0].byteLength : 0;
  }

  /** True once dispose() has been called: this handle can no longer be used (a TypeError naming the call); clones sent to other threads are not affected. */
  get disposed(): boolean {
    return this.#usable === null;
  }

  /**
   * Drops this handle's hold on the packed memory. The memory is returned when nothing holds it any
   * more: no other handle, no clone in another thread or in a message not yet received, no async op
   * still running on it, at the next garbage collection after that. Another thread's clone stays
   * usable; this handle is not (its ops throw). A second call does nothing.
   * @throws Never.
   * @example
   * const packed = sg.packGate(wGate, wUp, { inFeatures: 64, outFeatures: 128 });
   * const h = sg.swigluMatmul(x, packed);
   * packed.dispose(); // this handle is done; the memory goes once no thread holds the pack
   */
  dispose(): void {
    if (this.#usable === null) return;
    this.#usable = null;
    delete (this as { buffer?: SharedArrayBuffer }).buffer;
  }

  /** @internal The pack as an op uses it; a TypeError naming `fn` and the argument `name` if disposed. */
  static usable(p: PackedWeights, fn: string, name: string): UsablePack {
    if (p.#usable === null) throw disposedError(fn, name, p.kind);
    return p.#usable;
  }
}

// `using p = sg.packGate(...)` disposes p at the end of the scope. Defined where the runtime has
// Symbol.dispose (every Node this package supports defines it); nothing is polyfilled.
if (typeof Symbol.dispose === 'symbol') {
  Object.defineProperty(PackedWeights.prototype, Symbol.dispose, {
    value: function dispose(this: PackedWeights) {
      this.dispose();
    },
    writable: true,
    configurable: true,
  });
}

/**
 * Weights re-laid once for the fused kernel: gate and up columns of the same outputs side by side,
 * so one micro-kernel computes both, applies the activation and the product in registers and stores H
 * once. Immutable: one pack may serve any number of calls, sync or async, on any thread at once.
 * `worker.postMessage(pack)` or `workerData: { pack }` shares it with a worker_thread without copying
 * the weights (see ClonedPackedGate, docs/workers.md). Made by packGate() (not constructible).
 * @example
 * const packed = sg.packGate(wGate, wUp, { inFeatures: 4096, outFeatures: 11008 });
 * const h = sg.swigluMatmul(x, packed); // rows × 11008
 * new Worker('./worker.js', { workerData: { packed } }); // there: sg.swigluMatmul(x, workerData.packed)
 */
export class PackedGate extends PackedWeights {
  /** 'PackedGate'. */
  declare readonly kind: 'PackedGate';
  /** Columns of X the pack takes. */
  declare readonly inFeatures: number;
  /** Outputs of each projection: columns of H. */
  declare readonly outFeatures: number;

  /** @internal */
  constructor(token: symbol, handle: PackedHandle, inFeatures: number, outFeatures: number, dtype: Dtype, activation: FusedActivation) {
    super(token, 'PackedGate', { handle, inFeatures, outFeatures, activation, gated: true }, { inFeatures, outFeatures, dtype, activation });
  }
}

/**
 * A whole FFN packed once: a GLU FFN (gate/up fused panels + down panels) or, without a gate, a plain
 * MLP act(x·Wu)·Wd. Shared with workers like a PackedGate (see ClonedPackedFfn). Made by packFfn() (not
 * constructible).
 * @example
 * const mlp = sg.packFfn({ up, down, inFeatures: 768, hiddenFeatures: 3072, activation: 'gelu' });
 * const y = sg.ffn(x, mlp); // x's shape
 */
export class PackedFfn extends PackedWeights {
  /** 'PackedFfn'. */
  declare readonly kind: 'PackedFfn';
  /** Columns of X and of Y. */
  declare readonly inFeatures: number;
  /** The hidden width. */
  declare readonly hiddenFeatures: number;
  /** True for a GLU FFN (made with a gate), false for a plain MLP. */
  declare readonly gated: boolean;

  /** @internal */
  constructor(token: symbol, handle: PackedHandle, inFeatures: number, hiddenFeatures: number, dtype: Dtype, activation: FusedActivation, gated: boolean) {
    super(token, 'PackedFfn', { handle, inFeatures, outFeatures: hiddenFeatures, activation, gated }, { inFeatures, hiddenFeatures, dtype, activation, gated });
  }
}

/** The descriptor the addon reads a pack from (binding-types.ts PackedHandle). */
function handleOf(buffer: SharedArrayBuffer, kind: Kind, inFeatures: number, outFeatures: number, dtype: Dtype, activation: FusedActivation, gated: boolean): PackedHandle {
  const dims = Float64Array.of(KIND_INDEX[kind], inFeatures, outFeatures, DTYPE_INDEX[dtype], ACT_INDEX[activation], gated ? 1 : 0);
  return Object.freeze([new Uint8Array(buffer), dims] as const);
}

/**
 * @internal A new, empty pack buffer for these dimensions (outFeatures: an FFN's hiddenFeatures) and
 * the descriptor the addon fills it through. RangeError if it cannot be allocated.
 */
export function newPack(fn: string, kind: Kind, inFeatures: number, outFeatures: number, dtype: Dtype, activation: FusedActivation, gated: boolean): PackedHandle {
  const bytes = binding.packBytes(KIND_INDEX[kind], inFeatures, outFeatures, DTYPE_INDEX[dtype], gated);
  let buffer: SharedArrayBuffer;
  try {
    buffer = new SharedArrayBuffer(bytes);
  } catch (err) {
    throw new RangeError(`${fn}: cannot allocate ${bytes} bytes for the packed weights`, { cause: err });
  }
  return handleOf(buffer, kind, inFeatures, outFeatures, dtype, activation, gated);
}

/** @internal A PackedGate over a buffer newPack made and the addon filled. */
export function makeGate(handle: PackedHandle, inFeatures: number, outFeatures: number, dtype: Dtype, activation: FusedActivation): PackedGate {
  return new PackedGate(TOKEN, handle, inFeatures, outFeatures, dtype, activation);
}

/** @internal A PackedFfn over a buffer newPack made and the addon filled. */
export function makeFfn(handle: PackedHandle, inFeatures: number, hiddenFeatures: number, dtype: Dtype, activation: FusedActivation, gated: boolean): PackedFfn {
  return new PackedFfn(TOKEN, handle, inFeatures, hiddenFeatures, dtype, activation, gated);
}

/** @internal True for what an op should treat as a pack (and check as one): a pack, or an object with a `kind`. */
export function isPackLike(v: unknown): boolean {
  return v instanceof PackedWeights || (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && 'kind' in v);
}

/** One string field of a clone that must be one of `allowed` (no default: a missing field is forged). */
function cloneChoice<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (v === undefined) throw new TypeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got undefined`);
  return check.oneOf(v, name, allowed, allowed[0]);
}

/** A clone's fields as last checked, and what they gave: reused while the clone is unchanged. */
interface CheckedClone {
  readonly buffer: unknown;
  readonly fields: readonly unknown[];
  readonly usable: UsablePack;
}
const checkedClones = new WeakMap<object, CheckedClone>();

/**
 * @internal The pack an op was given as argument `name` of `fn`: a pack of this thread, or a clone of
 * one received from another thread, every field of which is checked (a clone checked before and not
 * changed since is not checked again; the addon checks the buffer's length and header on every call
 * all the same). Errors: not a pack or the other kind, a disposed pack, a field of the wrong type, bytes
 * that hold no pack: TypeError; a field out of range, a buffer whose length does not match the
 * dimensions or fields that do not match the pack it holds: RangeError.
 */
export function usablePack(v: unknown, kind: Kind, fn: string, name: string): UsablePack {
  const Class = kind === 'PackedGate' ? PackedGate : PackedFfn;
  if (v instanceof Class) return PackedWeights.usable(v, fn, name);
  if (!isPackLike(v)) throw new TypeError(`${fn}: ${name} must be a ${kind} (from pack${kind.slice(6)}, or one received from another thread), got ${check.describe(v)}`);
  // A clone (or something posing as one): each field read once, then checked.
  const o = v as Record<string, unknown>;
  const outName = kind === 'PackedGate' ? 'outFeatures' : 'hiddenFeatures';
  const fields = [o.kind, o.inFeatures, o[outName], o.dtype, o.activation, kind === 'PackedGate' ? true : o.gated] as const;
  const buffer = o.buffer;
  const seen = checkedClones.get(o);
  if (seen && seen.buffer === buffer && seen.fields.every((f, i) => f === fields[i])) return seen.usable;
  const usable = checkClone(fields, buffer, kind, fn, name, outName);
  checkedClones.set(o, { buffer, fields, usable });
  return usable;
}

function checkClone(fields: readonly unknown[], buffer: unknown, kind: Kind, fn: string, name: string, outName: string): UsablePack {
  const [got, rawIn, rawOut, rawDtype, rawAct, rawGated] = fields;
  if (got !== kind) {
    const what = got === 'PackedGate' || got === 'PackedFfn' ? `a ${got}` : `an object whose kind is ${check.describe(got)}`;
    throw new TypeError(`${fn}: ${name} must be a ${kind}, got ${what}`);
  }
  if (buffer === undefined) throw new TypeError(`${fn}: ${name} (a ${kind}) has no buffer: it was disposed before it was sent`);
  if (!types.isSharedArrayBuffer(buffer)) throw new TypeError(`${fn}: ${name}.buffer must be a SharedArrayBuffer, got ${check.describe(buffer)}`);
  const inFeatures = check.integer(rawIn, `${fn}: ${name}.inFeatures`, 1);
  const outFeatures = check.integer(rawOut, `${fn}: ${name}.${outName}`, 1);
  const dtype = cloneChoice(rawDtype, `${fn}: ${name}.dtype`, DTYPES);
  const activation = cloneChoice(rawAct, `${fn}: ${name}.activation`, ACTIVATIONS);
  if (typeof rawGated !== 'boolean') throw new TypeError(`${fn}: ${name}.gated must be a boolean, got ${check.describe(rawGated)}`);
  let want: number;
  try {
    want = binding.packBytes(KIND_INDEX[kind], inFeatures, outFeatures, DTYPE_INDEX[dtype], rawGated);
  } catch (err) {
    throw new RangeError(`${fn}: ${name} describes weights too large to exist (inFeatures ${inFeatures}, ${outName} ${outFeatures})`, { cause: err });
  }
  if (buffer.byteLength !== want) {
    throw new RangeError(
      `${fn}: ${name}.buffer must be ${want} bytes long for a ${kind} of inFeatures ${inFeatures}, ${outName} ${outFeatures}, ` +
        `dtype '${dtype}'${kind === 'PackedFfn' ? (rawGated ? ', gated' : ', not gated') : ''}; got ${buffer.byteLength}`,
    );
  }
  const handle = handleOf(buffer, kind, inFeatures, outFeatures, dtype, activation, rawGated);
  // The header in the buffer must record these very fields (the addon checks it on every call too).
  try {
    binding.checkPack(handle, KIND_INDEX[kind]);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    if (err instanceof RangeError) {
      throw new RangeError(`${fn}: ${name}'s fields do not match the pack in its buffer (edited after it was made?): ${detail}`, { cause: err });
    }
    throw new TypeError(`${fn}: ${name}.buffer holds no pack made by this build of swiglu (a forged object, or a pack of another version)`, { cause: err });
  }
  return { handle, inFeatures, outFeatures, activation, gated: rawGated };
}
