// onnxruntime-node as a peer, when it is installed (never required: `npm i onnxruntime-node` beside
// swiglu, or put it on NODE_PATH). Each op becomes a small ONNX graph built in memory; the session runs
// with intra-op threads = the bench's thread count, sequential execution, all graph optimisations.
import { buildModel, GraphSpec, NodeSpec } from './onnx';
import { Stat, TimingOptions, rate, timeAsync } from '../timing';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Ort = any;
let cached: Ort | null | undefined;

/** The onnxruntime-node module, or null when it is not installed (or cannot load). */
export function loadOrt(): Ort | null {
  if (cached !== undefined) return cached;
  try {
    cached = require('onnxruntime-node');
    cached.env.logLevel = 'error';
  } catch {
    cached = null;
  }
  return cached;
}

export function ortVersion(): string | null {
  const ort = loadOrt();
  if (!ort) return null;
  try {
    return require('onnxruntime-node/package.json').version as string;
  } catch {
    return ort.env?.versions?.node ?? 'unknown';
  }
}

/** The activation `act` from input `x` to output `y` as ONNX nodes (extra initializers for constants). */
export function activationNodes(op: string, x: string, y: string): { nodes: NodeSpec[]; consts: Record<string, number> } | null {
  const one = (type: string, attrs?: NodeSpec['attrs']) => ({ nodes: [{ op: type, inputs: [x], outputs: [y], attrs }], consts: {} });
  switch (op) {
    case 'relu': return one('Relu');
    case 'leakyRelu': return one('LeakyRelu', { alpha: 0.01 });
    case 'relu6': return { nodes: [{ op: 'Clip', inputs: [x, 'c_zero', 'c_six'], outputs: [y] }], consts: { c_zero: 0, c_six: 6 } };
    case 'sigmoid': return one('Sigmoid');
    case 'tanh': return one('Tanh');
    case 'silu':
      return { nodes: [{ op: 'Sigmoid', inputs: [x], outputs: [`${y}_s`] }, { op: 'Mul', inputs: [x, `${y}_s`], outputs: [y] }], consts: {} };
    case 'gelu': return one('Gelu', { approximate: 'none' });
    case 'gelu-tanh': return one('Gelu', { approximate: 'tanh' });
    case 'quickGelu':
      return {
        nodes: [
          { op: 'Mul', inputs: [x, 'c_qg'], outputs: [`${y}_t`] },
          { op: 'Sigmoid', inputs: [`${y}_t`], outputs: [`${y}_s`] },
          { op: 'Mul', inputs: [x, `${y}_s`], outputs: [y] },
        ],
        consts: { c_qg: 1.702 },
      };
    case 'softplus': return one('Softplus');
    case 'mish': return one('Mish');
    case 'elu': return one('Elu', { alpha: 1 });
    case 'selu': return one('Selu');
    case 'hardSigmoid': return one('HardSigmoid', { alpha: 1 / 6, beta: 0.5 });
    case 'hardSwish': return one('HardSwish');
    case 'identity': return { nodes: [{ op: 'Identity', inputs: [x], outputs: [y] }], consts: {} };
    default: return null;
  }
}

function constInits(consts: Record<string, number>) {
  return Object.entries(consts).map(([name, v]) => ({ name, dims: [], data: Float32Array.of(v) }));
}

export function unaryGraph(op: string, n: number): GraphSpec | null {
  const a = activationNodes(op, 'X', 'Y');
  if (!a) return null;
  return { inputs: [{ name: 'X', dims: [n] }], outputs: [{ name: 'Y', dims: [n] }], nodes: a.nodes, initializers: constInits(a.consts) };
}

/** act(G) ⊙ U; gluOp is the activation's name ('sigmoid' for glu, 'identity' for bilinear, …). */
export function gluGraph(act: string, n: number): GraphSpec | null {
  const a = activationNodes(act, 'G', 'A');
  if (!a) return null;
  return {
    inputs: [{ name: 'G', dims: [n] }, { name: 'U', dims: [n] }],
    outputs: [{ name: 'Y', dims: [n] }],
    nodes: [...a.nodes, { op: 'Mul', inputs: ['A', 'U'], outputs: ['Y'] }],
    initializers: constInits(a.consts),
  };
}

/** H = SiLU(X·Wg) ⊙ (X·Wu), and with wd also Y = H·Wd. Weights in [in, out] layout (ONNX MatMul). */
export function gateGraph(m: number, k: number, n: number, wg: Float32Array, wu: Float32Array, wd?: Float32Array): GraphSpec {
  const nodes: NodeSpec[] = [
    { op: 'MatMul', inputs: ['X', 'Wg'], outputs: ['G'] },
    { op: 'MatMul', inputs: ['X', 'Wu'], outputs: ['U'] },
    { op: 'Sigmoid', inputs: ['G'], outputs: ['S'] },
    { op: 'Mul', inputs: ['G', 'S'], outputs: ['A'] },
    { op: 'Mul', inputs: ['A', 'U'], outputs: [wd ? 'H' : 'Y'] },
  ];
  const initializers = [{ name: 'Wg', dims: [k, n], data: wg }, { name: 'Wu', dims: [k, n], data: wu }];
  if (wd) {
    nodes.push({ op: 'MatMul', inputs: ['H', 'Wd'], outputs: ['Y'] });
    initializers.push({ name: 'Wd', dims: [n, k], data: wd });
  }
  return { inputs: [{ name: 'X', dims: [m, k] }], outputs: [{ name: 'Y', dims: [m, wd ? k : n] }], nodes, initializers };
}

export class OrtRunner {
  private constructor(private ort: Ort, private session: Ort, private feeds: Record<string, unknown>) {}

  static async create(graph: GraphSpec, inputs: Record<string, Float32Array>, threads: number): Promise<OrtRunner | null> {
    const ort = loadOrt();
    if (!ort) return null;
    const session = await ort.InferenceSession.create(buildModel(graph), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const feeds: Record<string, unknown> = {};
    for (const x of graph.inputs) feeds[x.name] = new ort.Tensor('float32', inputs[x.name], x.dims);
    return new OrtRunner(ort, session, feeds);
  }

  run(): Promise<unknown> {
    return this.session.run(this.feeds);
  }

  /** The first output of one run (for a sanity check against ours). */
  async output(): Promise<Float32Array> {
    const r = await this.session.run(this.feeds);
    return r[this.session.outputNames[0]].data as Float32Array;
  }

  async time(work: number, t: TimingOptions): Promise<{ rate: Stat; seconds: number[] }> {
    const seconds = await timeAsync(() => this.run(), t);
    return { rate: rate(seconds, work), seconds };
  }

  async release(): Promise<void> {
    await this.session.release?.();
  }
}
