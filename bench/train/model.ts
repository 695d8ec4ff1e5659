// A decoder-only character-level transformer: token + learned position embeddings, `layers` pre-norm
// blocks x += Attn(RMSNorm(x)); x += FFN(RMSNorm(x)), a final RMSNorm and an untied linear head, softmax
// cross-entropy. Only the FFN depends on the arm (./ffn). Init: N(0, 0.02²) for every matrix, the two
// projections into the residual stream (Wo, W2) scaled by 1/√(2·layers) (GPT-2); gains 1. Each matrix
// draws from its own named stream (./rng), so everything but the FFN is identical across arms.
import { FfnCache, Arm, FfnKernels, FfnTensors, countFiring, ffnKernels, ffnShapes } from './ffn';
import { AttnCache, AttnShape, NormCache, attnBackward, attnForward, crossEntropy, embedBackward, embedForward, linearBackward, rmsBackward, rmsForward } from './layers';
import { mm } from './mm';
import { Param } from './optim';
import { normal, streamSeed, uniform } from './rng';

export interface ModelConfig {
  arm: Arm;
  vocab: number;
  layers: number;
  width: number; // d
  heads: number;
  context: number;
  hidden: number; // the FFN's hidden width for this arm
}

interface LayerCache {
  n1: NormCache;
  attn: AttnCache;
  n2: NormCache;
  ffn: FfnCache;
}

export interface FiringCounts {
  rows: number;
  fires: Float64Array[]; // per layer, per unit
  positive: Float64Array[];
}

export class Model {
  readonly params: Param[] = [];
  private readonly byName = new Map<string, Param>();
  readonly ffn: FfnKernels;
  private cache: { tokens: Int32Array; batch: number; x0: Float32Array; layers: LayerCache[]; nf: NormCache; nfy: Float32Array; dlogits: Float32Array } | null = null;

  constructor(
    readonly cfg: ModelConfig,
    seed: number,
  ) {
    const { vocab: V, layers: L, width: d, context: C, hidden } = cfg;
    if (d % cfg.heads !== 0) throw new RangeError(`width ${d} is not a multiple of heads ${cfg.heads}`);
    const std = 0.02;
    const outStd = std / Math.sqrt(2 * L);
    this.add('tok', V * d, std, true, null, false, seed);
    this.add('pos', C * d, std, true, null, false, seed);
    for (let l = 0; l < L; l++) {
      this.add(`l${l}.norm1`, d, 0, false, l, false, seed);
      this.add(`l${l}.wqkv`, d * 3 * d, std, true, l, false, seed);
      this.add(`l${l}.wo`, d * d, outStd, true, l, false, seed);
      this.add(`l${l}.norm2`, d, 0, false, l, false, seed);
      for (const w of ffnShapes(cfg.arm, d, hidden)) this.add(`l${l}.ffn.${w.name}`, w.rows * w.cols, w.out ? outStd : std, true, l, true, seed);
    }
    this.add('normf', d, 0, false, null, false, seed);
    this.add('head', d * V, std, true, null, false, seed);
    this.ffn = ffnKernels(cfg.arm, d, hidden);
  }

  /** std 0: a gain initialised to 1. */
  private add(name: string, n: number, std: number, decay: boolean, layer: number | null, ffn: boolean, seed: number): void {
    const data = new Float32Array(n);
    if (std === 0) data.fill(1);
    else {
      const z = normal(uniform(streamSeed(seed, name)));
      for (let i = 0; i < n; i++) data[i] = std * z();
    }
    const p: Param = { name, data, grad: new Float32Array(n), decay, layer, ffn };
    this.params.push(p);
    this.byName.set(name, p);
  }

  p(name: string): Param {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no parameter ${name}`);
    return p;
  }

  get paramCount(): number {
    return this.params.reduce((s, p) => s + p.data.length, 0);
  }

  private ffnTensors(l: number, grads: boolean): FfnTensors {
    const t: FfnTensors = {};
    for (const w of ffnShapes(this.cfg.arm, this.cfg.width, this.cfg.hidden)) {
      const p = this.p(`l${l}.ffn.${w.name}`);
      t[w.name] = grads ? p.grad : p.data;
    }
    return t;
  }

  /**
   * Mean cross-entropy (nats/token) of predicting targets[t] from tokens[..t] within each of the `batch`
   * sequences of `context` tokens. train: keep what backward() needs. firing: count FFN units that fire.
   */
  forward(tokens: Int32Array, targets: Int32Array, train: boolean, firing?: FiringCounts): number {
    const { vocab: V, layers: L, width: d, context: C, heads } = this.cfg;
    const batch = tokens.length / C;
    if (!Number.isInteger(batch)) throw new RangeError('tokens must hold whole sequences of `context` tokens');
    const shape: AttnShape = { batch, context: C, d, heads };
    const x0 = embedForward(tokens, this.p('tok').data, this.p('pos').data, C, d);
    let x = x0;
    const caches: LayerCache[] = [];
    for (let l = 0; l < L; l++) {
      const n1 = rmsForward(x, this.p(`l${l}.norm1`).data, d);
      const a = attnForward(n1.y, this.p(`l${l}.wqkv`).data, this.p(`l${l}.wo`).data, shape);
      const h = new Float32Array(x.length);
      for (let i = 0; i < h.length; i++) h[i] = x[i] + a.y[i];
      const n2 = rmsForward(h, this.p(`l${l}.norm2`).data, d);
      const f = this.ffn.forward(n2.y, this.ffnTensors(l, false), train || firing !== undefined);
      if (firing && f.cache) countFiring(f.cache, this.cfg.hidden, firing.fires[l], firing.positive[l]);
      const nx = new Float32Array(x.length);
      for (let i = 0; i < nx.length; i++) nx[i] = h[i] + f.y[i];
      if (train) caches.push({ n1: n1.cache, attn: a.cache, n2: n2.cache, ffn: f.cache as FfnCache });
      x = nx;
    }
    if (firing) firing.rows += tokens.length;
    const nf = rmsForward(x, this.p('normf').data, d);
    const logits = mm(nf.y, this.p('head').data, tokens.length, d, V);
    const ce = crossEntropy(logits, targets, V, train);
    this.cache = train ? { tokens, batch, x0, layers: caches, nf: nf.cache, nfy: nf.y, dlogits: ce.dlogits as Float32Array } : null;
    return ce.loss;
  }

  /** Gradients of the last forward(train = true) into every param.grad. */
  backward(): void {
    const c = this.cache;
    if (!c) throw new Error('backward() needs a forward(..., train = true) first');
    const { vocab: V, layers: L, width: d, context: C, heads } = this.cfg;
    const T = c.tokens.length;
    const shape: AttnShape = { batch: c.batch, context: C, d, heads };
    const dnf = linearBackward(c.nfy, this.p('head').data, c.dlogits, this.p('head').grad, T, d, V);
    let dx = rmsBackward(c.nf, this.p('normf').data, dnf, this.p('normf').grad, d);
    for (let l = L - 1; l >= 0; l--) {
      const lc = c.layers[l];
      const dn2 = this.ffn.backward(lc.ffn, dx, this.ffnTensors(l, false), this.ffnTensors(l, true));
      const dh = rmsBackward(lc.n2, this.p(`l${l}.norm2`).data, dn2, this.p(`l${l}.norm2`).grad, d);
      for (let i = 0; i < dh.length; i++) dh[i] += dx[i];
      const dn1 = attnBackward(lc.attn, this.p(`l${l}.wqkv`).data, this.p(`l${l}.wo`).data, dh, this.p(`l${l}.wqkv`).grad, this.p(`l${l}.wo`).grad, shape);
      const dx1 = rmsBackward(lc.n1, this.p(`l${l}.norm1`).data, dn1, this.p(`l${l}.norm1`).grad, d);
      for (let i = 0; i < dx1.length; i++) dx1[i] += dh[i];
      dx = dx1;
    }
    embedBackward(c.tokens, dx, this.p('tok').grad, this.p('pos').grad, C, d);
    this.cache = null;
  }

  newFiringCounts(): FiringCounts {
    const L = this.cfg.layers;
    const h = this.cfg.hidden;
    return { rows: 0, fires: Array.from({ length: L }, () => new Float64Array(h)), positive: Array.from({ length: L }, () => new Float64Array(h)) };
  }
}

/**
 * FLOP of one forward pass over `tokens` tokens (2 per multiply-add; the causal attention counted in
 * full, as the kernels compute it); a training step is ≈ 3× this.
 */
export function forwardFlops(cfg: ModelConfig, tokens: number): number {
  const { vocab: V, layers: L, width: d, context: C, hidden } = cfg;
  const ffnMacs = (cfg.arm === 'swiglu' || cfg.arm === 'geglu' ? 3 : 2) * d * hidden;
  const perLayer = tokens * (3 * d * d + d * d + ffnMacs) + tokens * C * d * 2;
  return 2 * (L * perLayer + tokens * d * V);
}
