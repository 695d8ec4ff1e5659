// Not part of the suite: scripts/test-asan.sh runs it alone, through the same vitest config, to prove
// that LeakSanitizer really runs in vitest's worker processes (this planted leak must be reported).
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';

it('plants a leak', () => {
  const leak = createRequire(__filename)(process.env.SWIGLU_ASAN_CANARY as string) as { leak(): number };
  expect(leak.leak()).toBe(1);
});
