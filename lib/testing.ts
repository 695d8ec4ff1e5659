// The hooks of the tests, the fuzzer and the bench (the addon's exports._testing, native/addon/testing.cc):
// switching ISA, the GEMM blocking, the roofline probes, leak counters. Not part of the package's API (the
// index does not export it), with no argument checks beyond the addon's own; free to change in any release.
import { binding } from './binding';
import type { TestingBinding } from './binding-types';

export const _testing: TestingBinding = binding._testing;
