#!/usr/bin/env node
// swiglu-bench: what this package does on this machine, against what you would use otherwise.
// Results on stdout (a table, --md, or only JSON with --json), progress on stderr. See docs/bench.md.
import * as fs from 'node:fs';
import { Options, USAGE, UsageError, parse } from './args';
import { renderSvg } from './report/svg';
import { renderText } from './report/text';

function usageError(err: UsageError): number {
  process.stderr.write(`swiglu-bench: ${err.message}\n${USAGE}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
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
  // Loaded only now: parsing and usage errors work even where the addon cannot load.
  const { run, validate } = await import('./run');
  try {
    validate(o);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err);
    throw err;
  }
  const report = await run(o, argv);
  if (o.svg) {
    fs.writeFileSync(o.svg, renderSvg(report));
    process.stderr.write(`swiglu-bench: wrote ${o.svg}\n`);
  }
  process.stdout.write(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderText(report, o.format === 'md')}\n`);
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
