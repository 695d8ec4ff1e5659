// The types of the arrays the ops allocate and return.

/**
 * The type of what the float32 ops return: a `Float32Array` over an `ArrayBuffer` (not a
 * `SharedArrayBuffer`), which fits `BlobPart`, `BufferSource` and `Buffer.from`. A result the op
 * allocates (no `options.out`) is always one. With `options.out` the op returns that array itself under
 * this type: if you pass an `out` over a `SharedArrayBuffer`, the returned reference is that shared
 * array (the type keeps the signatures free of generics, so that a union such as `useGelu ? sg.gelu :
 * sg.silu` stays callable). Spelt as the return type of `Float32Array.of` so that it is
 * `Float32Array<ArrayBuffer>` under TypeScript ≥ 5.7 (typed arrays generic over their buffer) and plain
 * `Float32Array` under older versions, which have no such parameter.
 * @example
 * const y: sg.Float32Result = sg.silu(x);
 * new Blob([y]); // type-checks: y's buffer is an ArrayBuffer
 */
export type Float32Result = ReturnType<typeof Float32Array.of>;

/**
 * The type of what `toBf16` and `toF16` return: as {@link Float32Result}, a `Uint16Array` over an
 * `ArrayBuffer` (`Uint16Array<ArrayBuffer>` under TypeScript ≥ 5.7), or `options.out` itself when given.
 * @example
 * const bits: sg.Uint16Result = sg.toBf16(x);
 * fs.writeFileSync('w.bf16', bits);
 */
export type Uint16Result = ReturnType<typeof Uint16Array.of>;
