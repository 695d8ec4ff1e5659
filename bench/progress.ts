// Progress on stderr: a bar (cli-progress 3.12: small, no native parts, the common choice) when stderr
// is a TTY; nothing otherwise, so that logs and pipes stay clean. Results never go through here.
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Announces the next step; `total` steps were planned with start(). */
  tick(label: string): void;
  start(total: number): void;
  stop(): void;
  /** A note for the person at the terminal (always printed on stderr). */
  note(text: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    return { tick() {}, start() {}, stop() {}, note: (t) => void stream.write(`${t}\n`) };
  }
  const bar = new SingleBar(
    { stream, format: 'swiglu-bench [{bar}] {value}/{total} {label}', barsize: 24, hideCursor: true, clearOnComplete: true, noTTYOutput: false },
  );
  let running = false;
  let done = 0;
  let total = 0;
  return {
    start(n) {
      total = n;
      done = 0;
      bar.start(n, 0, { label: '' });
      running = true;
    },
    tick(label) {
      if (!running) return;
      if (done >= total) bar.setTotal(done + 1);
      bar.update(done, { label });
      done++;
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
    note(text) {
      if (running) {
        bar.stop();
        stream.write(`${text}\n`);
        bar.start(total, done, { label: '' });
      } else stream.write(`${text}\n`);
    },
  };
}
