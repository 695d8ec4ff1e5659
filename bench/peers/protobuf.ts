// A minimal protocol-buffers writer: just what an ONNX ModelProto needs (varints, length-delimited
// fields, fixed32 floats). Messages are built bottom-up as byte arrays.
export type Bytes = Uint8Array;

function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

export class Message {
  private parts: Bytes[] = [];
  private size = 0;

  private push(b: Bytes): this {
    this.parts.push(b);
    this.size += b.length;
    return this;
  }
  private key(field: number, wire: number): this {
    return this.push(Uint8Array.from(varint((field << 3) | wire)));
  }
  /** int32/int64/enum/bool (wire type 0). */
  int(field: number, v: number | bigint): this {
    return this.key(field, 0).push(Uint8Array.from(varint(v)));
  }
  /** float (wire type 5, little-endian). */
  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.key(field, 5).push(b);
  }
  bytes(field: number, b: Bytes): this {
    return this.key(field, 2).push(Uint8Array.from(varint(b.length))).push(b);
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Message): this {
    return this.bytes(field, m.finish());
  }
  finish(): Bytes {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
