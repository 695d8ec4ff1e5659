// `swiglu-bench grad --matrix`: the fused backward passes beside their forwards and beside the same
// gradients composed from the package's unfused ops, in one run, as ratios (README, Training: ffnBackward
// within 2.3x of ffn at M >= 256, d = 1024, hidden 2816, and >= 2x faster than the composition; the
// same for gluMatmulBackward against gluMatmul). For every ISA, thread count and M the three calls of a
// kind are timed in alternating samples (one call each; the calls last milliseconds) and the medians
// kept, so a slow spell on a shared machine hits all three alike.
//   forward:  ffn(x, packed) / gluMatmul(x, packed), the pack made once outside the timing (weights
//             fixed: the forward's best case);
//   backward: ffnBackward / gluMatmulBackward from the raw weights (their packing included);
//   unfused:  matmul for G and U, the elementwise forward for H (the FFN's dWd needs it), matmul for dH,
//             the *Backward GLU op (or the activation's Backward op) for dG and dU, matmul with transA
//             for every weight gradient, and dx = dG·Wg then += dU·Wu (accumulate).
// Every form writes into arrays allocated once (`out` and its kin), as a training loop keeps them.
import { performance } from 'node:perf_hooks';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { FUSED_ACTIVATIONS } from '../lib/activation-table';
import { type GluName, camelName, gluOfGate, publicForm } from '../lib/ops';
import { printTable } from './table';
import { uniformInputs } from './ops';

type F32 = Float32Array;
type Kind = 'ffn' | 'mlp' | 'glu';
const KINDS: Kind[] = ['ffn', 'mlp', 'glu'];
const BAR_FORWARD = 2.3;
const BAR_UNFUSED = 2;

interface MatrixOptions {
  isas: string[];
  kinds: Kind[];
  ms: number[];
  threads: number[];
  d: number;
  hidden: number;
  activation: sg.FusedActivation;
  samples: number;
  md: boolean;
}

export const GRAD_MATRIX_USAGE = `usage: swiglu-bench grad --matrix [--isa a,b] [--kinds ffn,mlp,glu] [--m 256,512] [--threads 1,2]
                          [--d 1024] [--hidden 2816] [--activation silu] [--samples 5] [--md]
  ffnBackward (GLU 'ffn' and plain 'mlp') and gluMatmulBackward ('glu') against their forward (ffn,
  gluMatmul: backward/forward, bar <= ${BAR_FORWARD}) and against the same gradients composed from unfused ops
  (unfused/backward, bar >= ${BAR_UNFUSED}); medians of alternating samples, one call each, wall time
  (the bars) and the process's CPU time (less inflated by other jobs on a shared machine)`;

function list(v: string): number[] {
  return v.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${s} is not a positive integer`);
    return n;
  });
}

export function parseGradMatrix(argv: string[]): MatrixOptions {
  const o: MatrixOptions = {
    isas: binding.runnableIsas().filter((i) => i !== 'scalar'),
    kinds: ['ffn', 'glu'],
    ms: [256, 512],
    threads: [1, 2],
    d: 1024,
    hidden: 2816,
    activation: 'silu',
    samples: 5,
    md: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--isa') o.isas = val().split(',');
    else if (a === '--kinds') o.kinds = val().split(',') as Kind[];
    else if (a === '--m') o.ms = list(val());
    else if (a === '--threads') o.threads = list(val());
    else if (a === '--d') [o.d] = list(val());
    else if (a === '--hidden') [o.hidden] = list(val());
    else if (a === '--activation') o.activation = val() as sg.FusedActivation;
    else if (a === '--samples') [o.samples] = list(val());
    else if (a === '--md') o.md = true;
    else throw new Error(`unknown option ${a}`);
  }
  for (const k of o.kinds) if (!KINDS.includes(k)) throw new Error(`unknown kind ${k} (ffn, mlp, glu)`);
  for (const isa of o.isas) if (!binding.runnableIsas().includes(isa as never)) throw new Error(`ISA ${isa} cannot run here`);
  if (!(FUSED_ACTIVATIONS as readonly string[]).includes(o.activation)) throw new Error(`unknown activation ${o.activation} (one of ${FUSED_ACTIVATIONS.join(', ')})`);
  return o;
}

// The elementwise ops of a fused activation (package defaults), each writing into its `out`: the GLU op
// whose gate it is (lib/ops.ts's GLU_GATES) and the activation's public form (lib/ops.ts's publicForm).
type GluGrad = (g: F32, u: F32, dh: F32, outGate: F32, outUp: F32) => void;
type AnyOp = (...args: unknown[]) => unknown;
const lib = sg as unknown as Record<string, AnyOp>;

/** The GLU op and options whose gate is fused activation `act`. */
function gluOf(act: sg.FusedActivation): [GluName, object] {
  const glu = gluOfGate(camelName(act));
  if (!glu) throw new Error(`no GLU op has the gate ${act}`);
  return [glu.name, glu.tanh ? { approximate: 'tanh' } : {}];
}
function gluBackward(act: sg.FusedActivation): GluGrad {
  const [name, extra] = gluOf(act);
  const op = lib[`${name}Backward`];
  return (g, u, dh, outGate, outUp) => void op(g, u, dh, { ...extra, outGate, outUp });
}
function gluForward(act: sg.FusedActivation): (g: F32, u: F32, out: F32) => void {
  const [name, extra] = gluOf(act);
  const op = lib[name];
  return (g, u, out) => void op(g, u, { ...extra, out });
}
function actForward(act: sg.FusedActivation): (x: F32, out: F32) => void {
  const form = publicForm(camelName(act));
  if (!form) return (x, out) => out.set(x); // identity
  const op = lib[form.fn];
  return (x, out) => void op(x, { ...form.options, out });
}
function actBackward(act: sg.FusedActivation): (x: F32, dy: F32, out: F32) => void {
  const form = publicForm(camelName(act));
  if (!form) return (_x, dy, out) => out.set(dy); // identity
  const op = lib[`${form.fn}Backward`];
  return (x, dy, out) => void op(x, dy, { ...form.options, out });
}

/**
 * The three calls of one kind at one M (weights nn.Linear 'out-in'). Every result and intermediate has
 * an array allocated once, outside the timing (`out`, `outGate`, ...), as a training loop would keep
 * them: first-touch page faults on fresh multi-megabyte results would otherwise weigh on every form.
 */
function calls(kind: Kind, m: number, d: number, h: number, act: sg.FusedActivation) {
  const x = uniformInputs(m * d, 1, 1);
  const wg = uniformInputs(h * d, 2, 0.03);
  const wu = uniformInputs(h * d, 3, 0.03);
  const wd = uniformInputs(d * h, 4, 0.02);
  const dy = uniformInputs(m * d, 5, 1);
  const dh = uniformInputs(m * h, 6, 1);
  const buf = (n: number) => new Float32Array(n).fill(1);
  const [G, U, H, dH, dG, dU, dx] = [m * h, m * h, m * h, m * h, m * h, m * h, m * d].map(buf);
  const [dWg, dWu, dWd] = [h * d, h * d, d * h].map(buf);
  const glu = gluBackward(act);
  // x·W for W [h][d] (out-in), the weight gradient gᵀ·x in that layout, and dx = g·W (+= with acc).
  const proj = (w: F32, out: F32) => sg.matmul(x, w, { m, k: d, n: h, transB: true, out });
  const wgrad = (g: F32, out: F32) => sg.matmul(g, x, { m: h, k: m, n: d, transA: true, out });
  const back = (g: F32, w: F32, accumulate: boolean) => sg.matmul(g, w, { m, k: h, n: d, accumulate, out: dx });
  if (kind === 'glu') {
    const packed = sg.packGate(wg, wu, { inFeatures: d, outFeatures: h, activation: act });
    const out = { dx, dWGate: dWg, dWUp: dWu };
    return {
      forward: () => void sg.gluMatmul(x, packed, { out: H }),
      backward: () => void sg.gluMatmulBackward(x, wg, wu, dh, { inFeatures: d, outFeatures: h, activation: act, out }),
      unfused: () => {
        proj(wg, G);
        proj(wu, U);
        glu(G, U, dh, dG, dU);
        wgrad(dG, dWg);
        wgrad(dU, dWu);
        back(dG, wg, false);
        back(dU, wu, true);
      },
      flops: 12 * m * d * h, // G, U, dx (2 x 2 M d h each) and dWg, dWu (2 M d h each)
      dispose: () => packed.dispose(),
    };
  }
  const gated = kind === 'ffn';
  const weights = gated ? { gate: wg, up: wu, down: wd } : { up: wu, down: wd };
  const packed = sg.packFfn({ ...weights, inFeatures: d, hiddenFeatures: h, activation: act });
  const y = buf(m * d);
  const out = gated ? { dx, dGate: dWg, dUp: dWu, dDown: dWd } : { dx, dUp: dWu, dDown: dWd };
  const f = actForward(act);
  const fb = actBackward(act);
  const gf = gluForward(act);
  return {
    forward: () => void sg.ffn(x, packed, { out: y }),
    backward: () => void sg.ffnBackward(x, weights, dy, { inFeatures: d, hiddenFeatures: h, activation: act, out }),
    unfused: () => {
      proj(wu, U);
      if (gated) {
        proj(wg, G);
        gf(G, U, H);
      } else {
        f(U, H);
      }
      sg.matmul(dy, wd, { m, k: d, n: h, out: dH }); // Wd [d][h]: dH = dy·Wd
      sg.matmul(dy, H, { m: d, k: m, n: h, transA: true, out: dWd }); // dWd [d][h] = dyᵀ·H
      if (gated) {
        glu(G, U, dH, dG, dU);
        wgrad(dG, dWg);
        wgrad(dU, dWu);
        back(dG, wg, false);
        back(dU, wu, true);
      } else {
        fb(U, dH, dU);
        wgrad(dU, dWu);
        back(dU, wu, false);
      }
    },
    flops: (gated ? 16 : 10) * m * d * h, // the forward's 6 (4) M d h, recomputed, and dH, dWd, dx, dW (2 M d h each)
    dispose: () => packed.dispose(),
  };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Medians of `samples` alternating samples of each fn (one call each, after one warm-up call each): wall
 * ms, and the process's CPU ms (user + system, every thread), which a machine shared with other jobs
 * inflates far less than the wall time.
 */
function alternating(fns: Array<() => void>, samples: number): Array<{ wall: number; cpu: number }> {
  for (const fn of fns) fn();
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let s = 0; s < samples; s++) {
    fns.forEach((fn, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      wall[i].push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu[i].push((c.user + c.system) / 1e3);
    });
  }
  return fns.map((_, i) => ({ wall: median(wall[i]), cpu: median(cpu[i]) }));
}

export function gradMatrixMain(argv: string[]): number {
  let o: MatrixOptions;
  try {
    if (argv.includes('--help')) {
      process.stdout.write(`${GRAD_MATRIX_USAGE}\n`);
      return 0;
    }
    o = parseGradMatrix(argv);
  } catch (err) {
    process.stderr.write(`swiglu-bench grad --matrix: ${err instanceof Error ? err.message : String(err)}\n${GRAD_MATRIX_USAGE}\n`);
    return 2;
  }
  const saved = { isa: binding.isa(), threads: sg.getNumThreads() };
  const rows: string[][] = [];
  let below = 0;
  try {
    for (const isa of o.isas) {
      binding._testing.setIsa(isa);
      for (const threads of o.threads) {
        sg.setNumThreads(threads);
        for (const kind of o.kinds) {
          for (const m of o.ms) {
            const c = calls(kind, m, o.d, o.hidden, o.activation);
            const [fwd, bwd, unf] = alternating([c.forward, c.backward, c.unfused], o.samples);
            c.dispose();
            const rf = bwd.wall / fwd.wall;
            const ru = unf.wall / bwd.wall;
            const ok = rf <= BAR_FORWARD && ru >= BAR_UNFUSED;
            if (!ok) below++;
            const name = kind === 'glu' ? 'gluMatmulBackward' : kind === 'ffn' ? 'ffnBackward (GLU)' : 'ffnBackward (plain)';
            rows.push([
              name,
              isa,
              String(threads),
              String(m),
              fwd.wall.toFixed(1),
              bwd.wall.toFixed(1),
              unf.wall.toFixed(1),
              (c.flops / bwd.wall / 1e6).toFixed(0),
              `${rf.toFixed(2)}x${rf <= BAR_FORWARD ? '' : ' (below)'}`,
              `${ru.toFixed(2)}x${ru >= BAR_UNFUSED ? '' : ' (below)'}`,
              `${(bwd.cpu / fwd.cpu).toFixed(2)}x / ${(unf.cpu / bwd.cpu).toFixed(2)}x`,
            ]);
            process.stderr.write('.');
          }
        }
      }
    }
  } finally {
    binding._testing.setIsa(saved.isa);
    sg.setNumThreads(saved.threads);
  }
  process.stderr.write('\n');
  const head = ['op', 'isa', 'threads', 'M', 'forward ms', 'backward ms', 'unfused ms', 'backward GFLOP/s', `backward/forward (<= ${BAR_FORWARD})`, `unfused/backward (>= ${BAR_UNFUSED})`, 'the same in CPU time'];
  const title = `fused backward: d = ${o.d}, hidden ${o.hidden}, ${o.activation}, weights 'out-in', medians of ${o.samples} alternating samples; ${below} row(s) below a bar`;
  printTable(title, head, rows, o.md);
  return 0;
}
