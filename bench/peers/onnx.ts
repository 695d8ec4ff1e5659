// ONNX graphs built in memory (no files, no onnx package): a ModelProto encoded with the tiny protobuf
// writer, field numbers from onnx/onnx.proto. Only what the bench needs: float tensors, nodes with
// float/int/string attributes, initializers given as raw little-endian bytes.
import { Message } from './protobuf';

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR = { FLOAT: 1, INT: 2, STRING: 3 } as const;

export type Attr = number | string | { int: number };
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
  domain?: string;
}
export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array;
}
export interface GraphSpec {
  inputs: Array<{ name: string; dims: number[] }>;
  outputs: Array<{ name: string; dims: number[] }>;
  nodes: NodeSpec[];
  initializers?: Initializer[];
  opset?: number;
}

function valueInfo(name: string, dims: number[]): Message {
  const shape = new Message();
  for (const d of dims) shape.message(1, new Message().int(1, d)); // Dimension.dim_value
  const tensor = new Message().int(1, FLOAT).message(2, shape); // TypeProto.Tensor
  return new Message().string(1, name).message(2, new Message().message(1, tensor));
}

function attribute(name: string, v: Attr): Message {
  const a = new Message().string(1, name);
  if (typeof v === 'number') return a.float(2, v).int(20, ATTR.FLOAT);
  if (typeof v === 'string') return a.bytes(4, new TextEncoder().encode(v)).int(20, ATTR.STRING);
  return a.int(3, v.int).int(20, ATTR.INT);
}

function tensor(init: Initializer): Message {
  const t = new Message();
  for (const d of init.dims) t.int(1, d);
  t.int(2, FLOAT).string(8, init.name);
  const bytes = new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength);
  return t.bytes(9, bytes); // raw_data (little-endian on every platform Node runs on)
}

/** Serialized ModelProto (IR version 9, default-domain opset 20 unless given). */
export function buildModel(g: GraphSpec): Uint8Array {
  const graph = new Message();
  g.nodes.forEach((n, i) => {
    const node = new Message();
    for (const x of n.inputs) node.string(1, x);
    for (const y of n.outputs) node.string(2, y);
    node.string(3, `n${i}`).string(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, attribute(k, v));
    if (n.domain) node.string(7, n.domain);
    graph.message(1, node);
  });
  graph.string(2, 'swiglu_bench');
  for (const init of g.initializers ?? []) graph.message(5, tensor(init));
  for (const x of g.inputs) graph.message(11, valueInfo(x.name, x.dims));
  for (const y of g.outputs) graph.message(12, valueInfo(y.name, y.dims));
  const model = new Message()
    .int(1, 9) // ir_version
    .string(2, 'swiglu-bench')
    .message(7, graph)
    .message(8, new Message().string(1, '').int(2, g.opset ?? 20));
  return model.finish();
}
