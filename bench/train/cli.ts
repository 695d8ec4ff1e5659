// `swiglu-bench train`: parse, check the output path and the corpus before anything trains, run, print.
import * as fs from 'node:fs';
import { UsageError } from '../args';
import { createProgress } from '../progress';
import { TRAIN_USAGE, parseTrain } from './args';
import { CorpusError, loadCorpus } from './data';

export async function trainMain(argv: string[], unwritable: (file: string) => string | null): Promise<number> {
  let o;
  try {
    o = parseTrain(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`swiglu-bench: ${err.message}\n${TRAIN_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (o.help) {
    process.stdout.write(`${TRAIN_USAGE}\n`);
    return 0;
  }
  if (o.svg) {
    const why = unwritable(o.svg);
    if (why !== null) {
      process.stderr.write(`swiglu-bench: --svg ${o.svg}: cannot write there: ${why}\n`);
      return 2;
    }
  }
  let corpus;
  try {
    corpus = loadCorpus(o.corpus);
  } catch (err) {
    if (err instanceof CorpusError) {
      process.stderr.write(`swiglu-bench: train: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (corpus.val.length < o.config.context + 2 || corpus.train.length < o.config.context + 2) {
    process.stderr.write(`swiglu-bench: train: ${corpus.name} is too short for context ${o.config.context} (${corpus.chars} characters)\n`);
    return 2;
  }
  // Loaded only now: usage and corpus errors work even where the addon cannot load.
  const { runAll } = await import('./experiment');
  const { renderTrainSvg, renderTrainText } = await import('./report');
  const report = runAll(o.config, corpus, createProgress(), ['train', ...argv]);
  process.stdout.write(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${renderTrainText(report, o.format === 'md')}\n`);
  if (o.svg) {
    try {
      fs.writeFileSync(o.svg, renderTrainSvg(report));
    } catch (err) {
      process.stderr.write(`swiglu-bench: --svg ${o.svg}: cannot write there: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    process.stderr.write(`swiglu-bench: wrote ${o.svg}\n`);
  }
  return 0;
}
