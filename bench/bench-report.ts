import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';

export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  note?: string;
}

export interface BenchResult {
  bench: string;
  at: string;
  machine: string;
  rows: BenchRow[];
}

const RESULTS = join(__dirname, 'results');
const DOC = join(__dirname, '..', 'docs', 'benchmarks.md');

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes one bench's result as JSON under bench/results/ and regenerates docs/benchmarks.md from the latest of each. */
export function record(result: BenchResult): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    join(RESULTS, `${result.bench}-${result.at.replace(/[:.]/g, '-')}.json`),
    JSON.stringify(result, null, 2) + '\n',
  );
  const latest = new Map<string, BenchResult>();
  for (const file of readdirSync(RESULTS)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const r = JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) as BenchResult;
    latest.set(r.bench, r);
  }
  const [intro, previous = ''] = existsSync(DOC)
    ? readFileSync(DOC, 'utf8').split('<!-- results -->')
    : ['# Benchmarks\n\n'];
  // Sections of benches with no result file here (results are not committed; a fresh clone has none) stay as
  // they were: running one bench must not erase the others' last numbers.
  const sections = new Map<string, string>();
  for (const part of previous.split(/^(?=## )/m)) {
    const name = /^## (\S+)/.exec(part)?.[1];
    if (name) sections.set(name, part.trimEnd() + '\n');
  }
  for (const r of latest.values()) sections.set(r.bench, render(r));
  const ordered = [...sections.keys()].sort().map((name) => sections.get(name)!);
  writeFileSync(DOC, `${intro.trimEnd()}\n\n<!-- results -->\n\n${ordered.join('\n')}`);
}

function render(r: BenchResult): string {
  return [
    `## ${r.bench}`,
    '',
    `${r.at} — ${r.machine}`,
    '',
    '| metric | value | unit | note |',
    '|---|---:|---|---|',
    ...r.rows.map((row) => `| ${row.metric} | ${formatNumber(row.value)} | ${row.unit} | ${row.note ?? ''} |`),
    '',
  ].join('\n');
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
