// A bench table on stdout: Markdown (`--md`) or aligned columns, the first two left-aligned (names), the
// rest right-aligned (figures).
export function printTable(title: string, head: string[], rows: string[][], md: boolean): void {
  if (md) {
    const lines = [`${title}\n`, `| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  process.stdout.write(`${title}\n${fmt(head)}\n${rows.map(fmt).join('\n')}\n`);
}
