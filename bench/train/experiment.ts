// The experiment: every arm × seed trained on the same batches (the data order depends only on the
// data seed; the init seed varies), with validation on fixed windows, and the summary the report shows.
import * as sg from '../../lib';
import { machineInfo } from '../machine';
import type { Progress } from '../progress';
import { packageVersion } from '../version';
import { backwardSources } from './backward-ops';
import { Batches, Corpus, fixedWindows } from './data';
import { TrainConfig } from './config';
import { Arm, ffnParamCount, gluHidden, isGlu } from './ffn';
import { Model, ModelConfig, forwardFlops } from './model';
import { AdamW, clipGradNorm, lrAt } from './optim';

export interface CurvePoint {
  step: number;
  trainLoss: number; // mean over the steps since the previous point (step 0: the first batch before any update)
  valLoss: number; // on the fixed curve windows
  lr: number;
  gradNorm: number | null; // global, before clipping, mean over the same steps
  ffnGradNorm: number[] | null; // per layer
  seconds: number; // training wall-clock so far (evaluations excluded)
}

export interface RunResult {
  seed: number;
  startValLoss: number;
  finalValLoss: number; // nats/char on the final windows
  finalValPerplexity: number;
  finalValBitsPerChar: number;
  curve: CurvePoint[];
  reachBaseline: { target: number; step: number; seconds: number } | null;
  deadFraction: number; // units firing on < 0.1 % of the final validation tokens (all layers)
  deadFractionByLayer: number[];
  neverPositiveFraction: number; // the same with "pre-activation > 0" for every arm
  stepMs: number;
  gflopsPerSec: number;
  trainSeconds: number;
}

export interface ArmResult {
  name: Arm;
  hidden: number;
  params: number;
  ffnParams: number;
  paramsVsBaseline: number; // params / the ReLU-sized model's params − 1
  runs: RunResult[];
  finalValLoss: { mean: number; sd: number | null; n: number };
}

export interface PairedDiff {
  arm: Arm;
  baseline: Arm;
  n: number;
  meanDiff: number; // arm − baseline, nats/char, over paired seeds
  sd: number | null;
  ci95: [number, number] | null;
}

export type { TrainConfig };

export interface TrainReport {
  schema: 'swiglu-bench/train/1';
  version: string;
  command: string[];
  machine: { cpu: string; family: number | null; model: number | null; cores: number; isa: string; node: string; threads: number };
  config: TrainConfig;
  corpus: { name: string; chars: number; vocab: number; trainChars: number; valChars: number };
  backwardOps: Record<string, { source: string; why: string }>;
  baseline: Arm | null;
  arms: ArmResult[];
  paired: PairedDiff[];
  totalSeconds: number;
}

export const DEAD_BELOW = 0.001;

export function armHidden(arm: Arm, plainHidden: number): number {
  return isGlu(arm) ? gluHidden(plainHidden) : plainHidden;
}

export function modelConfig(c: TrainConfig, arm: Arm, vocab: number): ModelConfig {
  return { arm, vocab, layers: c.layers, width: c.width, heads: c.heads, context: c.context, hidden: armHidden(arm, c.plainHidden) };
}

/** Mean loss over the windows at `offsets` (forward only, in chunks of `chunk` windows). */
function evaluate(model: Model, tokens: Int32Array, offsets: number[], chunk: number, firing?: ReturnType<Model['newFiringCounts']>): number {
  const C = model.cfg.context;
  let total = 0;
  for (let i = 0; i < offsets.length; i += chunk) {
    const part = offsets.slice(i, i + chunk);
    const x = new Int32Array(part.length * C);
    const y = new Int32Array(part.length * C);
    part.forEach((o, b) => {
      x.set(tokens.subarray(o, o + C), b * C);
      y.set(tokens.subarray(o + 1, o + C + 1), b * C);
    });
    total += model.forward(x, y, false, firing) * part.length;
  }
  return total / offsets.length;
}

function sqNorm(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

export function runOne(c: TrainConfig, arm: Arm, seed: number, corpus: Corpus, progress: Progress): RunResult {
  const cfg = modelConfig(c, arm, corpus.vocab.length);
  const model = new Model(cfg, seed);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: c.weightDecay });
  const batches = new Batches(corpus.train, c.batch, c.context, c.dataSeed);
  const curveWin = fixedWindows(corpus.val, c.context, c.evalWindows);
  const chunk = Math.max(c.batch, 16);
  const flopsPerStep = 3 * forwardFlops(cfg, c.batch * c.context);
  const curve: CurvePoint[] = [];
  let seconds = 0;
  let winLoss = 0;
  let winNorm = 0;
  let winFfn = new Array<number>(c.layers).fill(0);
  let winSteps = 0;
  for (let step = 0; step < c.steps; step++) {
    const b = batches.next();
    if (step === 0) {
      curve.push({ step: 0, trainLoss: model.forward(b.x, b.y, false), valLoss: evaluate(model, corpus.val, curveWin, chunk), lr: 0, gradNorm: null, ffnGradNorm: null, seconds: 0 });
    }
    const lr = lrAt(step, c.steps, c.lr, c.warmup);
    const t0 = process.hrtime.bigint();
    const loss = model.forward(b.x, b.y, true);
    model.backward();
    const ffnSq = new Array<number>(c.layers).fill(0);
    for (const p of model.params) if (p.ffn && p.layer !== null) ffnSq[p.layer] += sqNorm(p.grad);
    const norm = clipGradNorm(model.params, c.clip);
    opt.step(lr);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    seconds += dt;
    if (!Number.isFinite(loss)) throw new Error(`train: ${arm} seed ${seed}: the loss is ${loss} at step ${step + 1} (try a smaller --lr)`);
    winLoss += loss;
    winNorm += norm;
    winFfn = winFfn.map((v, l) => v + Math.sqrt(ffnSq[l]));
    winSteps++;
    progress.tick(`${arm} seed ${seed} · step ${step + 1}/${c.steps} · loss ${loss.toFixed(3)} · ${(dt * 1000).toFixed(0)} ms/step`);
    if ((step + 1) % c.evalEvery === 0 || step + 1 === c.steps) {
      curve.push({
        step: step + 1,
        trainLoss: winLoss / winSteps,
        valLoss: evaluate(model, corpus.val, curveWin, chunk),
        lr,
        gradNorm: winNorm / winSteps,
        ffnGradNorm: winFfn.map((v) => v / winSteps),
        seconds,
      });
      winLoss = winNorm = winSteps = 0;
      winFfn = winFfn.map(() => 0);
    }
  }
  const firing = model.newFiringCounts();
  const finalValLoss = evaluate(model, corpus.val, fixedWindows(corpus.val, c.context, c.finalWindows), chunk, firing);
  const deadIn = (counts: Float64Array) => counts.reduce((n, v) => n + (v < DEAD_BELOW * firing.rows ? 1 : 0), 0);
  const byLayer = firing.fires.map((f) => deadIn(f) / cfg.hidden);
  const stepSeconds = seconds / c.steps;
  return {
    seed,
    startValLoss: curve[0].valLoss,
    finalValLoss,
    finalValPerplexity: Math.exp(finalValLoss),
    finalValBitsPerChar: finalValLoss / Math.LN2,
    curve,
    reachBaseline: null,
    deadFraction: byLayer.reduce((s, v) => s + v, 0) / byLayer.length,
    deadFractionByLayer: byLayer,
    neverPositiveFraction: firing.positive.reduce((s, f) => s + deadIn(f), 0) / (cfg.hidden * c.layers),
    stepMs: stepSeconds * 1000,
    gflopsPerSec: flopsPerStep / stepSeconds / 1e9,
    trainSeconds: seconds,
  };
}

function meanSd(xs: number[]): { mean: number; sd: number | null; n: number } {
  const n = xs.length;
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n };
}

const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
/** Student's t 0.975 quantile for df degrees of freedom (table to 10, then an approximation). */
export function t975(df: number): number {
  return df <= 10 ? T975[df] : 1.96 + 2.4 / df;
}

/** The first curve point at which valLoss ≤ target. */
function reach(curve: CurvePoint[], target: number): { target: number; step: number; seconds: number } | null {
  const p = curve.find((q) => q.valLoss <= target);
  return p ? { target, step: p.step, seconds: p.seconds } : null;
}

/**
 * Fills each arm's finalValLoss summary and each run's reachBaseline, and returns the paired differences
 * against ReLU (or the first arm). Exported so that runs of several invocations (say --seeds 1,2 and then
 * --seeds 3) can be pooled and summarised exactly as one invocation would.
 */
export function summarize(arms: ArmResult[]): { baseline: Arm | null; paired: PairedDiff[] } {
  const baseline = arms.some((a) => a.name === 'relu') ? 'relu' : null;
  const baseArm = arms.find((a) => a.name === baseline);
  for (const a of arms) {
    a.finalValLoss = meanSd(a.runs.map((r) => r.finalValLoss));
    if (baseArm) {
      for (const r of a.runs) {
        const b = baseArm.runs.find((q) => q.seed === r.seed);
        if (b) r.reachBaseline = reach(r.curve, b.curve[b.curve.length - 1].valLoss);
      }
    }
  }
  const paired: PairedDiff[] = [];
  const ref = baseArm ?? arms[0];
  for (const a of arms) {
    if (a === ref) continue;
    const diffs = a.runs.map((r) => r.finalValLoss - (ref.runs.find((q) => q.seed === r.seed) as RunResult).finalValLoss);
    const s = meanSd(diffs);
    const half = s.sd !== null ? (t975(s.n - 1) * s.sd) / Math.sqrt(s.n) : null;
    paired.push({ arm: a.name, baseline: ref.name, n: s.n, meanDiff: s.mean, sd: s.sd, ci95: half === null ? null : [s.mean - half, s.mean + half] });
  }
  return { baseline, paired };
}

export function runAll(c: TrainConfig, corpus: Corpus, progress: Progress, argv: string[]): TrainReport {
  const started = process.hrtime.bigint();
  const base = modelConfig(c, 'relu', corpus.vocab.length);
  const baseParams = new Model(base, 0).paramCount;
  const arms: ArmResult[] = c.arms.map((name) => {
    const m = new Model(modelConfig(c, name, corpus.vocab.length), 0);
    const hidden = m.cfg.hidden;
    return { name, hidden, params: m.paramCount, ffnParams: c.layers * ffnParamCount(name, c.width, hidden), paramsVsBaseline: m.paramCount / baseParams - 1, runs: [], finalValLoss: { mean: NaN, sd: null, n: 0 } };
  });
  progress.start(c.arms.length * c.seeds.length * c.steps);
  try {
    for (const seed of c.seeds) {
      for (const a of arms) {
        const r = runOne(c, a.name, seed, corpus, progress);
        a.runs.push(r);
        progress.note(`train: ${a.name} seed ${seed}: validation ${r.startValLoss.toFixed(3)} → ${r.finalValLoss.toFixed(3)} nats/char, ${r.stepMs.toFixed(1)} ms/step, ${r.gflopsPerSec.toFixed(1)} GFLOP/s`);
      }
    }
  } finally {
    progress.stop();
  }
  const { baseline, paired } = summarize(arms);
  const mi = machineInfo();
  return {
    schema: 'swiglu-bench/train/1',
    version: packageVersion(),
    command: argv,
    machine: { cpu: mi.cpu, family: mi.family, model: mi.model, cores: mi.cores, isa: mi.isa, node: mi.node, threads: sg.getNumThreads() },
    config: c,
    corpus: { name: corpus.name, chars: corpus.chars, vocab: corpus.vocab.length, trainChars: corpus.train.length, valChars: corpus.val.length },
    backwardOps: backwardSources(c.arms),
    baseline,
    arms,
    paired,
    totalSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
