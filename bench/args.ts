// Command-line parsing for swiglu-bench: Node's built-in util.parseArgs (zero dependencies; commander 15
// needs Node 22), then validation of every value. A bad argument is a UsageError: cli.ts prints one
// line and the usage on stderr and exits with code 2.
import { parseArgs } from 'node:util';

export const COMMANDS = ['all', 'machine', 'activations', 'glu', 'gate', 'ffn'] as const;
export type Command = (typeof COMMANDS)[number];
export const ISAS = ['avx512', 'avx2', 'neon', 'scalar'] as const;
export const DTYPES = ['f32', 'bf16', 'f16'] as const;
export type Dtype = (typeof DTYPES)[number];
import { FUSED_ACTIVATIONS } from '../lib/activation-table';
export { FUSED_ACTIVATIONS };
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

export interface Shape {
  m: number;
  k: number;
  n: number;
}

export interface Options {
  command: Command;
  threads: number[] | null; // null: the default (1 and the cores available)
  isa: string[] | null; // null: the ISA the addon picked
  ops: string[] | null; // null: the subcommand's default set
  sizes: number[] | null;
  shapes: Shape[] | null;
  dtype: Dtype[] | null;
  /** gate/ffn: the fused activations to time (null: silu only). */
  activation: FusedActivation[] | null;
  repeat: number | null;
  warmup: number | null;
  spinWait: number | null; // microseconds, setSpinWait (null: the package default)
  pause: number; // ms of idle before every timed call (0: calls back to back)
  format: 'table' | 'md' | 'json';
  svg: string | null;
  peers: boolean; // onnxruntime-node when installed
  openblas: boolean; // gate only: also run the C++ harness against OpenBLAS (dev-only)
  onednn: boolean; // gate only: also run oneDNN's fused-epilogue gate (bench/onednn/gate.cc, dev-only)
  help: boolean; // --help or the `help` command
  version: boolean; // --version: print the package version and exit
  check: boolean; // --check: exit 1 when any verdict is below its bar
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: swiglu-bench [command] [options]

commands:
  all          a quick tour in under a minute (default)
  help         this text (as --help)
  machine      the roofline: copy bandwidth per cache level (L1, L2, L3, DRAM) and the FMA peak
  activations  elementwise ops vs the copy bandwidth, the plain-JS loop and onnxruntime-node
  glu          the two-input GLU family (glu, reglu, geglu, swiglu, bilinear)
  gate         the fused SwiGLU gate SiLU(X·Wg)⊙(X·Wu) vs 2×matmul + swiglu (GFLOP/s, % of FMA peak)
  ffn          the whole gated FFN (gate, then ·Wd)
  train        ReLU vs GELU vs SwiGLU vs GEGLU FFNs in a small character-level transformer LM
               (its own options: swiglu-bench train --help; docs/experiment.md)

options:
  --threads LIST   intra-op threads, e.g. 1,2 (default: 1 and the cores available)
  --isa LIST       kernels to run: avx512, avx2, neon, scalar (default: the best this CPU runs)
  --ops LIST       ops to run, e.g. silu,gelu,gelu-tanh (default depends on the command)
  --sizes LIST     elements per call, e.g. 1e3,1e5,1e7
  --shapes LIST    matrix shapes MxKxN, e.g. 1x4096x11008,64x2048x5632
  --dtype LIST     weight dtype for gate/ffn: f32, bf16, f16 (default f32)
  --activation LIST  gate/ffn: the fused activation(s) to time: ${FUSED_ACTIVATIONS.join(', ')}
                   (default silu; with others, each is also judged against silu's time)
  --repeat N       timed samples per figure (median and spread are over these)
  --warmup N       untimed samples first
  --spin-wait US   let the pool's helpers poll up to US microseconds between calls of a burst
                   (setSpinWait; default: the package's, 200; 0: they sleep after every call)
  --pause MS       time each call alone after MS ms of idle, as a server sees sporadic requests (default
                   0: calls back to back; the performance bars are defined for those)
  --json           print only JSON on stdout (schema: docs/bench.md)
  --md             print Markdown tables
  --svg FILE       also write a chart (throughput vs size per op, peers, roofline)
  --no-peers       skip onnxruntime-node even when it is installed
  --openblas       gate only: also run the C++ harness (gemm_bench) against OpenBLAS's two-sgemm gate
                   (dev-only; skipped with a note when the harness or libopenblas is missing)
  --onednn         gate only: also time oneDNN's fused-epilogue gate (bench/onednn/gate.cc, g++ -ldnnl)
                   per ISA and thread count (dev-only; skipped with a note when g++ or libdnnl is missing)
  --check          exit with status 1 if any bar of the run is below, else 0 (a bar that could not be
                   checked does not count); one line on stderr names them. Not with machine (no bars)
  --version        print the package version
  -h, --help       this text`;

function list(value: string | undefined, name: string): string[] | null {
  if (value === undefined) return null;
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new UsageError(`--${name}: empty item in "${value}"`);
  return items;
}

/** A positive integer; accepts 1e5-style exponents (elements are often written that way). */
export function positiveInt(text: string, name: string, max = 2 ** 31): number {
  if (!/^\s*[0-9]+(\.[0-9]+)?([eE][+]?[0-9]+)?\s*$/.test(text)) {
    throw new UsageError(`${name}: expected a positive integer, got "${text}"`);
  }
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > max) {
    throw new UsageError(`${name}: expected an integer in 1..${max}, got "${text}"`);
  }
  return v;
}

function nonNegativeInt(text: string, name: string, max = 1000): number {
  if (text.trim() === '0') return 0;
  return positiveInt(text, name, max);
}

function parseShape(text: string): Shape {
  const parts = text.toLowerCase().split('x');
  if (parts.length !== 3) throw new UsageError(`--shapes: expected MxKxN (e.g. 64x2048x5632), got "${text}"`);
  const [m, k, n] = parts.map((p, i) => positiveInt(p, `--shapes ${'MKN'[i]} in "${text}"`, 1 << 20));
  if (m * k + k * n * 2 > 2 ** 30) throw new UsageError(`--shapes: ${text} needs more than 4 GiB`);
  return { m, k, n };
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function parse(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        threads: { type: 'string' },
        isa: { type: 'string' },
        ops: { type: 'string' },
        sizes: { type: 'string' },
        shapes: { type: 'string' },
        dtype: { type: 'string' },
        activation: { type: 'string' },
        repeat: { type: 'string' },
        warmup: { type: 'string' },
        'spin-wait': { type: 'string' },
        pause: { type: 'string' },
        json: { type: 'boolean' },
        md: { type: 'boolean' },
        svg: { type: 'string' },
        'no-peers': { type: 'boolean' },
        openblas: { type: 'boolean' },
        onednn: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        check: { type: 'boolean' },
      },
    });
  } catch (err) {
    // parseArgs' messages are long and mention internals; keep the first sentence.
    const msg = err instanceof Error ? err.message.split('. ')[0].replace(/\.$/, '') : String(err);
    throw new UsageError(msg);
  }
  const v = parsed.values;
  const pos = parsed.positionals;
  if (pos.length > 1) throw new UsageError(`expected at most one command, got "${pos.join(' ')}"`);
  // `help` as a command is --help; the rest of the line is still parsed (and still checked) as given.
  const helpCommand = pos[0] === 'help';
  const command = (helpCommand ? 'all' : pos[0] ?? 'all') as Command;
  if (!helpCommand && !COMMANDS.includes(command)) throw new UsageError(`unknown command "${pos[0]}" (one of ${COMMANDS.join(', ')})`);
  if (v.json && v.md) throw new UsageError('--json and --md are exclusive');

  const threads = list(v.threads, 'threads')?.map((t) => positiveInt(t, '--threads', 1024)) ?? null;
  const isa = list(v.isa, 'isa');
  for (const name of isa ?? []) {
    if (!(ISAS as readonly string[]).includes(name)) throw new UsageError(`--isa: unknown ISA "${name}" (one of ${ISAS.join(', ')})`);
  }
  const sizes = list(v.sizes, 'sizes')?.map((s) => positiveInt(s, '--sizes', 2 ** 28)) ?? null;
  const shapes = list(v.shapes, 'shapes')?.map(parseShape) ?? null;
  const dtype = list(v.dtype, 'dtype');
  for (const d of dtype ?? []) {
    if (!(DTYPES as readonly string[]).includes(d)) throw new UsageError(`--dtype: unknown dtype "${d}" (one of ${DTYPES.join(', ')})`);
  }
  const activation = list(v.activation, 'activation');
  for (const a of activation ?? []) {
    if (!(FUSED_ACTIVATIONS as readonly string[]).includes(a)) {
      throw new UsageError(`--activation: unknown activation "${a}" (one of ${FUSED_ACTIVATIONS.join(', ')})`);
    }
  }
  if (v.svg !== undefined && v.svg.trim() === '') throw new UsageError('--svg: expected a file name');
  if (v.openblas && command !== 'gate') throw new UsageError(`--openblas applies to gate, not ${command}`);
  if (v.onednn && command !== 'gate') throw new UsageError(`--onednn applies to gate, not ${command}`);
  if (v.check && command === 'machine') throw new UsageError('--check: machine measures the rooflines and judges no bar');
  return {
    command,
    threads: threads && unique(threads),
    isa: isa && unique(isa),
    ops: list(v.ops, 'ops'),
    sizes: sizes && unique(sizes),
    shapes,
    dtype: dtype && (unique(dtype) as Dtype[]),
    activation: activation && (unique(activation) as FusedActivation[]),
    repeat: v.repeat === undefined ? null : positiveInt(v.repeat, '--repeat', 1000),
    warmup: v.warmup === undefined ? null : nonNegativeInt(v.warmup, '--warmup'),
    spinWait: v['spin-wait'] === undefined ? null : nonNegativeInt(v['spin-wait'], '--spin-wait', 10000),
    pause: v.pause === undefined ? 0 : nonNegativeInt(v.pause, '--pause', 10000),
    format: v.json ? 'json' : v.md ? 'md' : 'table',
    svg: v.svg ?? null,
    peers: !v['no-peers'],
    openblas: !!v.openblas,
    onednn: !!v.onednn,
    help: !!v.help || helpCommand,
    version: !!v.version,
    check: !!v.check,
  };
}
