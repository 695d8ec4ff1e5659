// The package under test, as the benchmark sees it: lib (through which every op is timed), the raw addon
// beneath lib's checks, and the addon's testing hooks (lib/testing.ts: setIsa, the FMA-peak and
// read-bandwidth probes).
import * as lib from '../lib';
import { binding } from '../lib/binding';
import { _testing } from '../lib/testing';

export const sg = lib;
/** The raw addon, beneath lib's checks. */
export const raw = binding;
export const testing = _testing;
