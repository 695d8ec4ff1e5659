// `swiglu-bench grad`: the gradients (lib/backward.ts) beside their forwards, in one run. For every op
// and ISA: forward and backward Gelem/s at one size on one thread (in cache by default: 1e5), and the
// backward's rate as a % of its forward's (the README's bar: >= 70 % in cache). Forward and backward are
// timed in alternating samples, the best sample of each kept, so that a slow spell on a shared machine
// hits both alike. GLU rows: the two-input backward against the two-input forward.
//   swiglu-bench grad [--isa avx512,avx2] [--ops silu,gelu] [--n 100000] [--threads 1] [--samples 15] [--md]
// With --matrix: the fused backward passes of the gate and the FFN instead (bench/grad-matrix.ts).
import { performance } from 'node:perf_hooks';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { gradMatrixMain } from './grad-matrix';
import { UNARY as OPS, uniformInputs } from './ops';
import { GLU_FORMS } from '../lib/ops';
import { printTable } from './table';

type F32 = Float32Array;
interface GradOp {
  name: string;
  fwd: (x: F32, out: F32) => void;
  bwd: (x: F32, dy: F32, out: F32) => void;
}
interface GluGradOp {
  name: string;
  fwd: (g: F32, u: F32, out: F32) => void;
  bwd: (g: F32, u: F32, dh: F32, og: F32, ou: F32) => void;
}

// The bench's elementwise ops (bench/ops.ts) and silu with a beta (its general kernel).
const UNARY: GradOp[] = OPS.flatMap((o) => {
  const op = { name: o.name, fwd: o.native, bwd: o.backward };
  if (o.name !== 'silu') return [op];
  const beta = { name: 'silu(beta=1.5)', fwd: (x: F32, out: F32) => sg.silu(x, { beta: 1.5, out }), bwd: (x: F32, dy: F32, out: F32) => sg.siluBackward(x, dy, { beta: 1.5, out }) };
  return [op, beta];
});

// The GLU family (lib/ops.ts's GLU_GATES), each approximate 'tanh' form as its own row (geglu-tanh).
type GluForward = (g: F32, u: F32, options: object) => unknown;
type GluBackward = (g: F32, u: F32, dh: F32, options: object) => unknown;
const lib = sg as unknown as Record<string, GluForward & GluBackward>;
const GLU: GluGradOp[] = GLU_FORMS.map(({ op, tanh, options: o }) => {
  const f = lib[op];
  const b = lib[`${op}Backward`];
  return {
    name: tanh ? `${op}-tanh` : op,
    fwd: (g: F32, u: F32, out: F32) => void f(g, u, { ...o, out }),
    bwd: (g: F32, u: F32, dh: F32, og: F32, ou: F32) => void b(g, u, dh, { ...o, outGate: og, outUp: ou }),
  };
});

interface GradOptions {
  isas: string[];
  ops: string[] | null;
  n: number;
  threads: number;
  samples: number;
  md: boolean;
}

export const GRAD_USAGE = `usage: swiglu-bench grad [--isa a,b] [--ops a,b] [--n N] [--threads T] [--samples S] [--md]
  forward and backward Gelem/s per op and ISA, backward as a % of forward (default: every op, every
  runnable ISA, n = 100000, 1 thread, 15 alternating samples of >= 20 ms each)
swiglu-bench grad --matrix [...]: gluMatmulBackward and ffnBackward (see swiglu-bench grad --matrix --help)`;

function parseGrad(argv: string[]): GradOptions {
  const o: GradOptions = { isas: binding.runnableIsas(), ops: null, n: 1e5, threads: 1, samples: 15, md: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--isa') o.isas = val().split(',');
    else if (a === '--ops') o.ops = val().split(',');
    else if (a === '--n') o.n = Number(val());
    else if (a === '--threads') o.threads = Number(val());
    else if (a === '--samples') o.samples = Number(val());
    else if (a === '--md') o.md = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!(Number.isInteger(o.n) && o.n >= 1)) throw new Error('--n must be a positive integer');
  if (!(Number.isInteger(o.threads) && o.threads >= 1)) throw new Error('--threads must be a positive integer');
  if (!(Number.isInteger(o.samples) && o.samples >= 1)) throw new Error('--samples must be a positive integer');
  for (const isa of o.isas) if (!binding.runnableIsas().includes(isa as never)) throw new Error(`ISA ${isa} cannot run here`);
  return o;
}

/** Seconds per call of the best of `samples` samples of each fn, the samples of the two alternating. */
function bestPair(a: () => void, b: () => void, samples: number): [number, number] {
  const sample = (fn: () => void) => {
    const t0 = performance.now();
    let calls = 0;
    do {
      fn();
      calls++;
    } while (performance.now() - t0 < 20);
    return (performance.now() - t0) / 1e3 / calls;
  };
  sample(a);
  sample(b); // warm-up
  let ba = Infinity;
  let bb = Infinity;
  for (let s = 0; s < samples; s++) {
    ba = Math.min(ba, sample(a));
    bb = Math.min(bb, sample(b));
  }
  return [ba, bb];
}

export function gradMain(argv: string[]): number {
  // The fused matrix backward passes (bench/grad-matrix.ts).
  if (argv.includes('--matrix')) return gradMatrixMain(argv.filter((a) => a !== '--matrix'));
  let o: GradOptions;
  try {
    if (argv.includes('--help')) {
      process.stdout.write(`${GRAD_USAGE}\n`);
      return 0;
    }
    o = parseGrad(argv);
  } catch (err) {
    process.stderr.write(`swiglu-bench grad: ${err instanceof Error ? err.message : String(err)}\n${GRAD_USAGE}\n`);
    return 2;
  }
  const saved = { isa: binding.isa(), threads: sg.getNumThreads() };
  sg.setNumThreads(o.threads);
  const x = uniformInputs(o.n, 7, 8);
  const dy = uniformInputs(o.n, 11, 2);
  const u = uniformInputs(o.n, 13, 2);
  const out = new Float32Array(o.n);
  const out2 = new Float32Array(o.n);
  const rows: string[][] = [];
  const want = (name: string) => o.ops === null || o.ops.includes(name);
  try {
    for (const isa of o.isas) {
      binding._testing.setIsa(isa);
      for (const op of UNARY.filter((p) => want(p.name))) {
        const [f, b] = bestPair(() => op.fwd(x, out), () => op.bwd(x, dy, out), o.samples);
        rows.push([op.name, isa, (o.n / f / 1e9).toFixed(2), (o.n / b / 1e9).toFixed(2), `${((f / b) * 100).toFixed(0)} %`]);
        process.stderr.write('.');
      }
      for (const op of GLU.filter((p) => want(p.name))) {
        const [f, b] = bestPair(() => op.fwd(x, u, out), () => op.bwd(x, u, dy, out, out2), o.samples);
        rows.push([`${op.name} (GLU)`, isa, (o.n / f / 1e9).toFixed(2), (o.n / b / 1e9).toFixed(2), `${((f / b) * 100).toFixed(0)} %`]);
        process.stderr.write('.');
      }
    }
  } finally {
    binding._testing.setIsa(saved.isa);
    sg.setNumThreads(saved.threads);
  }
  process.stderr.write('\n');
  const head = ['op', 'isa', 'forward Gelem/s', 'backward Gelem/s', 'backward/forward'];
  const title = `gradients: n = ${o.n}, ${o.threads} thread(s), best of ${o.samples} alternating samples`;
  printTable(title, head, rows, o.md);
  return 0;
}
