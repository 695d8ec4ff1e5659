// The documentation an editor shows: the declarations are emitted from lib/ with the repo's tsconfig (as
// `npm run build` emits dist/, stripInternal included) into a scratch folder, and every export of the
// emitted index.d.ts, the reference namespace's included, is walked with the TypeScript compiler API
// (test/helpers/doc-audit.ts says what each kind of export needs; inside a namespace, the same). The audit
// is first shown to catch each kind of shortfall on a module written to have them. The compiler runs in
// this process: under the ASan suite (a preloaded sanitizer runtime) that is several times slower, hence
// the long time limits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditExports } from './helpers/doc-audit';

const ROOT = path.resolve(__dirname, '..');
let work = '';
let dts = ''; // the emitted dist/lib/index.d.ts
let published: ts.Program; // the emitted declarations and a consumer file using them
const SLOW = 240_000;

function compilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(file, ts.sys.readFile).config, ts.sys, ROOT);
  return parsed.options;
}

/** A program over `files`, resolving types as a consumer with @types/node would. */
function program(files: string[]): ts.Program {
  return ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    noEmit: true,
  });
}

function errors(p: ts.Program): string[] {
  return ts.getPreEmitDiagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-docs-'));
  const options = compilerOptions();
  expect(options.stripInternal, 'tsconfig.json: stripInternal keeps @internal members out of the published types').toBe(true);
  const emitting = ts.createProgram([path.join(ROOT, 'lib', 'index.ts')], {
    ...options,
    outDir: path.join(work, 'dist'),
    rootDir: ROOT,
    declaration: true,
    emitDeclarationOnly: true,
    sourceMap: false,
    noEmit: false,
  });
  const result = emitting.emit();
  expect(result.emitSkipped).toBe(false);
  dts = path.join(work, 'dist', 'lib', 'index.d.ts');
  const use = path.join(work, 'use.ts');
  fs.writeFileSync(
    use,
    [
      "import * as sg from './dist/lib/index';",
      'declare const handle: never;',
      '// @ts-expect-error the constructor is not part of the published types',
      "new sg.PackedGate(Symbol(), handle, 1, 1, 'f32', 'silu');",
      '// @ts-expect-error the constructor is not part of the published types',
      "new sg.PackedFfn(Symbol(), handle, 1, 1, 'f32', 'silu', true);",
      'export {};',
    ].join('\n'),
  );
  published = program([dts, use]);
}, SLOW);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the audit', () => {
  it('names each kind of shortfall', { timeout: SLOW }, () => {
    const file = path.join(work, 'sample.d.ts');
    fs.writeFileSync(
      file,
      [
        '/** Summary only. @param a the first */',
        'export declare function f(a: number, b: number): number;',
        '/** Complete. @param a it @returns it @throws never @example g(1) */',
        'export declare function g(a: number): number;',
        '/** Nothing to return. @param a it @throws never @example h(1) */',
        'export declare function h(a: number): void;',
        'export declare const k: (x: number) => number;',
        '/** An interface. */',
        'export interface I {',
        '  /** Documented. */',
        '  a: number;',
        '  b: number;',
        '}',
        'export type T = number;',
        '/** A class, no example. */',
        'export declare class C {',
        '  constructor(n: number);',
        '  /** A field. */',
        '  readonly n: number;',
        '  get m(): number;',
        '}',
        'declare function inner(x: number): number;',
        'declare namespace ns { export { inner }; }',
        'export { ns };',
      ].join('\n'),
    );
    const problems = auditExports(program([file]), file);
    expect(problems.sort()).toEqual(
      [
        'f: no @param b',
        'f: no @returns',
        'f: no @throws',
        'f: no @example',
        'k: no summary',
        'k: no @param x',
        'k: no @returns',
        'k: no @throws',
        'k: no @example',
        'I.b: no summary',
        'T: no summary',
        'C: no @example',
        'C: a public constructor in the types (mark it @internal)',
        'C.m: no summary',
        'ns.inner: no summary',
        'ns.inner: no @param x',
        'ns.inner: no @returns',
        'ns.inner: no @throws',
        'ns.inner: no @example',
      ].sort(),
    );
  });
});

describe('the published types', () => {
  it('document every export: summary, @param, @returns, @throws and @example on functions; every field and member', { timeout: SLOW }, () => {
    const problems = auditExports(published, dts);
    expect(problems).toEqual([]);
  });

  it('do not let a consumer construct a pack (the constructors are internal), and type-check', { timeout: SLOW }, () => {
    expect(errors(published)).toEqual([]);
  });
});
