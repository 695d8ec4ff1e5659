// The whole vitest suite against the ASan+UBSan build; scripts/test-asan.sh runs vitest itself under
// the preloaded sanitizer runtime. Test files run in worker threads of that one process (pool
// 'threads'), not in forks: vitest SIGKILLs fork workers 500 ms after SIGTERM, before LeakSanitizer's
// exit-time check (seconds in a process this size) can finish. With threads, each test file's Node
// environment is torn down (running the addon's finalizers) and the process exits normally, so the
// leak check at exit covers everything the suite allocated. Child processes the tests spawn inherit
// the sanitizer environment and are checked at their own exit.
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config.mts';

const root = path.resolve(__dirname, '..', '..');
const canary = process.env.SWIGLU_ASAN_CANARY;

export default defineConfig({
  ...base,
  root,
  test: {
    ...base.test,
    pool: 'threads',
    include: canary ? ['test/reliability/asan-canary.ts'] : base.test?.include ?? ['test/**/*.test.ts'],
  },
});
