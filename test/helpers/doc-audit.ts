// What an editor shows of the published types: walks the exports of a declaration file with the
// TypeScript compiler API and lists every export whose documentation falls short of the package's bar.
//   functions (each overload), callable consts and class methods: a summary, @param for every parameter,
//     @returns (unless the result is void), @throws and @example;
//   classes: a summary and @example, no public constructor, a summary on every public member
//     (inherited ones included, wherever they are declared);
//   interfaces: a summary, and one on every field; type aliases: a summary;
//   namespaces (export * as name): the same rules for every export inside, by its dotted name.
import ts from 'typescript';

function summaryOf(node: ts.Node): string {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  return docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ').trim();
}

function tagsOf(node: ts.Node): readonly ts.JSDocTag[] {
  return ts.getJSDocTags(node);
}

function tagNames(node: ts.Node): Set<string> {
  return new Set(tagsOf(node).map((t) => (t.tagName.text === 'return' ? 'returns' : t.tagName.text)));
}

function documentedParams(node: ts.Node): Set<string> {
  const names = new Set<string>();
  for (const t of tagsOf(node)) if (ts.isJSDocParameterTag(t)) names.add(t.name.getText());
  return names;
}

function isPrivateOrProtected(node: ts.Node): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : [];
  return mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword);
}

/** Every shortfall of the exports of `file` in `program`, one line each: "<dotted name>: <what is missing>". */
export function auditExports(program: ts.Program, file: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`doc-audit: ${file} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`doc-audit: ${file} is not a module`);
  const problems: string[] = [];
  const seen = new Set<ts.Node>();

  const need = (name: string, what: string) => problems.push(`${name}: ${what}`);

  function callable(node: ts.Node, name: string, params: readonly string[], returnsVoid: boolean): void {
    if (!summaryOf(node)) need(name, 'no summary');
    const tags = tagNames(node);
    const documented = documentedParams(node);
    for (const p of params) if (!documented.has(p)) need(name, `no @param ${p}`);
    if (!returnsVoid && !tags.has('returns')) need(name, 'no @returns');
    if (!tags.has('throws')) need(name, 'no @throws');
    if (!tags.has('example')) need(name, 'no @example');
  }

  function paramNames(decl: ts.SignatureDeclaration): string[] {
    return decl.parameters.map((p) => p.name.getText());
  }

  function returnsVoid(decl: ts.SignatureDeclaration): boolean {
    return decl.type?.kind === ts.SyntaxKind.VoidKeyword;
  }

  function member(sym: ts.Symbol, owner: string): void {
    if (sym.name.startsWith('#')) return; // a class's private fields: `#private;` in the .d.ts, invisible to users
    for (const decl of sym.declarations ?? []) {
      if (seen.has(decl) || isPrivateOrProtected(decl)) continue;
      seen.add(decl);
      const name = `${owner}.${sym.name}`;
      if (ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) callable(decl, name, paramNames(decl), returnsVoid(decl));
      else if (!summaryOf(decl)) need(name, 'no summary');
    }
  }

  function visit(exported: ts.Symbol, name: string): void {
    const sym = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const decl of sym.declarations ?? []) {
      if (seen.has(decl)) continue;
      seen.add(decl);
      if (ts.isSourceFile(decl) || ts.isModuleDeclaration(decl)) {
        for (const e of checker.getExportsOfModule(sym)) visit(e, `${name}.${e.name}`);
      } else if (ts.isFunctionDeclaration(decl)) {
        callable(decl, name, paramNames(decl), returnsVoid(decl));
      } else if (ts.isVariableDeclaration(decl)) {
        const signatures = checker.getTypeOfSymbolAtLocation(sym, decl).getCallSignatures();
        if (signatures.length === 0) {
          if (!summaryOf(decl)) need(name, 'no summary');
          continue;
        }
        const params = [...new Set(signatures.flatMap((s) => s.getParameters().map((p) => p.name)))];
        const allVoid = signatures.every((s) => checker.getReturnTypeOfSignature(s).flags & ts.TypeFlags.Void);
        callable(decl, name, params, !!allVoid);
      } else if (ts.isInterfaceDeclaration(decl)) {
        if (!summaryOf(decl)) need(name, 'no summary');
        for (const m of decl.members) {
          if (!m.name) continue;
          const field = `${name}.${m.name.getText()}`;
          if (ts.isMethodSignature(m)) callable(m, field, paramNames(m), returnsVoid(m));
          else if (!summaryOf(m)) need(field, 'no summary');
        }
      } else if (ts.isTypeAliasDeclaration(decl)) {
        if (!summaryOf(decl)) need(name, 'no summary');
      } else if (ts.isClassDeclaration(decl)) {
        if (!summaryOf(decl)) need(name, 'no summary');
        if (!tagNames(decl).has('example')) need(name, 'no @example');
        for (const c of decl.members) {
          if (ts.isConstructorDeclaration(c) && !isPrivateOrProtected(c)) need(name, 'a public constructor in the types (mark it @internal)');
        }
        const instance = checker.getDeclaredTypeOfSymbol(sym);
        for (const p of checker.getPropertiesOfType(instance)) member(p, name);
        const statics = checker.getTypeOfSymbolAtLocation(sym, decl);
        for (const p of checker.getPropertiesOfType(statics)) if (p.name !== 'prototype') member(p, name);
      }
    }
  }

  for (const e of checker.getExportsOfModule(moduleSymbol)) visit(e, e.name);
  return problems;
}
