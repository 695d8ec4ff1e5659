// AdamW (decoupled weight decay), global-norm gradient clipping, and the learning-rate schedule (linear
// warmup, then cosine to a floor).

export interface Param {
  name: string;
  data: Float32Array;
  grad: Float32Array;
  /** Weight decay applies to matrices, not to the norms' gains. */
  decay: boolean;
  /** The transformer layer (null: embeddings, final norm, head) and whether it belongs to the FFN. */
  layer: number | null;
  ffn: boolean;
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };

export class AdamW {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  constructor(
    private readonly params: Param[],
    private readonly o: AdamWOptions = ADAMW_DEFAULTS,
  ) {
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
  }

  step(lr: number): void {
    this.t++;
    const { beta1, beta2, eps, weightDecay } = this.o;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    this.params.forEach((p, i) => {
      const m = this.m[i];
      const v = this.v[i];
      const w = p.data;
      const g = p.grad;
      const shrink = p.decay ? 1 - lr * weightDecay : 1;
      for (let j = 0; j < w.length; j++) {
        m[j] = beta1 * m[j] + (1 - beta1) * g[j];
        v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
        w[j] = w[j] * shrink - (lr * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + eps);
      }
    });
  }
}

/** √Σ g² over the given parameters. */
export function gradNorm(params: Param[]): number {
  let s = 0;
  for (const p of params) for (let j = 0; j < p.grad.length; j++) s += p.grad[j] * p.grad[j];
  return Math.sqrt(s);
}

/** Scales every gradient so that the global norm is at most maxNorm; returns the norm before clipping. */
export function clipGradNorm(params: Param[], maxNorm: number): number {
  const n = gradNorm(params);
  if (n > maxNorm) {
    const s = maxNorm / (n + 1e-6);
    for (const p of params) for (let j = 0; j < p.grad.length; j++) p.grad[j] *= s;
  }
  return n;
}

/** Step `step` (0-based) of `total`: linear warmup over `warmup` steps to `peak`, then cosine down to peak·minRatio. */
export function lrAt(step: number, total: number, peak: number, warmup: number, minRatio = 0.1): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const span = Math.max(1, total - warmup - 1);
  const q = Math.min(1, (step - warmup) / span);
  return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * q)));
}
