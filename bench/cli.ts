#!/usr/bin/env node
// swiglu-bench: what this package does on this machine, against what you would use otherwise.
// Results on stdout (a table, --md, or only JSON with --json), progress on stderr. See docs/bench.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Options, USAGE, UsageError, parse } from './args';
import { checkVerdicts } from './check';
import { renderSvg } from './report/svg';
import { renderText } from './report/text';
import { packageVersion } from './version';

function usageError(err: UsageError): number {
  process.stderr.write(`swiglu-bench: ${err.message}\n${USAGE}\n`);
  return 2;
}

/**
 * Why `file` cannot be written, or null if it can as far as the file system says now: its folder
 * exists, is a folder and is writable, and the file itself, if it exists, is a writable regular file.
 * Checked before anything runs, so that a wrong path costs no benchmark; nothing is created.
 */
export function unwritable(file: string): string | null {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return `folder ${dir} does not exist`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder`;
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    return `folder ${dir} is not writable`;
  }
  try {
    st = fs.statSync(file);
  } catch {
    return null; // absent: it will be created in a writable folder
  }
  if (!st.isFile()) return 'it exists and is not a regular file';
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch {
    return 'it exists and is not writable';
  }
  return null;
}

/** The options that name a file to write: each with its path, in the order given. */
function outputFiles(o: Options): Array<[option: string, file: string]> {
  return o.svg ? [['--svg', o.svg]] : [];
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'train') {
    // Its own options and output (bench/train, docs/experiment.md).
    const { trainMain } = await import('./train/cli');
    return trainMain(argv.slice(1), unwritable);
  }
  if (argv[0] === 'grad') {
    // The gradients beside their forwards (bench/grad.ts, docs/bench.md).
    const { gradMain } = await import('./grad');
    return gradMain(argv.slice(1));
  }
  let o: Options;
  try {
    o = parse(argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    throw err;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (o.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  for (const [option, file] of outputFiles(o)) {
    const why = unwritable(file);
    if (why !== null) {
      process.stderr.write(`swiglu-bench: ${option} ${file}: cannot write there: ${why}\n`);
      return 2;
    }
  }
  // Loaded only now: parsing and usage errors work even where the addon cannot load.
  const { run, validate } = await import('./run');
  try {
    validate(o);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    throw err;
  }
  const report = await run(o, argv);
  // The results go to stdout first: a chart that still cannot be written (the folder removed during
  // the run, a full disk) costs the chart and the exit code, not the figures.
  process.stdout.write(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report, o.format === 'md')}\n`);
  if (o.svg) {
    try {
      fs.writeFileSync(o.svg, renderSvg(report));
    } catch (err) {
      process.stderr.write(`swiglu-bench: --svg ${o.svg}: cannot write there: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    process.stderr.write(`swiglu-bench: wrote ${o.svg}\n`);
  }
  if (o.check) {
    const c = checkVerdicts(report.verdicts);
    process.stderr.write(`${c.line}\n`);
    return c.code;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // The addon's load error already says why and how to rebuild: no stack unless asked for.
      const detail = err instanceof Error ? (process.env.SWIGLU_BENCH_DEBUG ? err.stack : err.message) : String(err);
      process.stderr.write(`swiglu-bench: ${detail}\n`);
      process.exitCode = 1;
    },
  );
}
