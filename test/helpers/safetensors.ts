// Builds safetensors files in memory: 8-byte little-endian header length, JSON header, data. The header
// is padded with spaces to a multiple of 8 bytes, as the format's writers do, unless `pad` says otherwise.
export interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  /** The tensor's raw bytes (a typed array's bytes are taken as they lie in memory, little-endian). */
  data: ArrayBufferView;
}

export function headerOf(entries: Entry[], metadata?: Record<string, string>): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let at = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [at, at + e.data.byteLength] };
    at += e.data.byteLength;
  }
  return header;
}

/** The file for a header object (any JSON value, or a raw string) and a data buffer. */
export function fileOf(header: unknown, data: Uint8Array, pad = 8): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  let json = new TextEncoder().encode(text);
  if (pad > 1) {
    while (json.length % pad !== 0) {
      text += ' ';
      json = new TextEncoder().encode(text);
    }
  }
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

export function dataOf(entries: Entry[]): Uint8Array {
  const total = entries.reduce((s, e) => s + e.data.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), at);
    at += e.data.byteLength;
  }
  return out;
}

export function safetensorsFile(entries: Entry[], metadata?: Record<string, string>, pad = 8): Uint8Array {
  return fileOf(headerOf(entries, metadata), dataOf(entries), pad);
}
