import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import type { Check } from './checks';

const DOC = path.resolve(__dirname, '../../docs/reliability.md');
const START = '<!-- faults:last-run -->';
const END = '<!-- /faults:last-run -->';

/** A titled table of figures. */
export interface Figures {
  title: string;
  rows: Array<[string, string | number]>;
}

function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** The run as text: figures, then every check with its count and a few examples of what broke it. */
export function render(figures: Figures[], checks: Check[]): string {
  const lines: string[] = [];
  for (const f of figures) {
    lines.push(`${f.title}:`);
    const width = Math.max(...f.rows.map(([k]) => k.length));
    for (const [k, v] of f.rows) lines.push(`  ${k.padEnd(width)}  ${v}`);
  }
  lines.push('', 'Promises:');
  for (const c of checks) {
    lines.push(`  ${c.violations === 0 ? 'PASS' : 'FAIL'}  ${c.promise}: ${c.violations} violation(s)`);
    for (const e of c.evidence) lines.push(`          - ${e}`);
  }
  const failed = checks.filter((c) => c.violations > 0).length;
  lines.push('', failed === 0 ? 'All promises held.' : `${failed} of ${checks.length} promises broken.`);
  return lines.join('\n');
}

const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');

/** Replaces the last run's section of docs/reliability.md, keeping the rest of the page as written. */
export function writeReliabilityDoc(figures: Figures[], checks: Check[], started: Date, command: string): void {
  const body = [
    START,
    '## Last run',
    '',
    `Command: \`${command}\``,
    `Machine: ${machine()}, Temporal CLI dev server (file-backed), run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    ...figures.flatMap((f) => [
      `| ${f.title} | |`,
      '| --- | --- |',
      ...f.rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`),
      '',
    ]),
    '| promise | violations | result |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${cell(c.promise)} | ${c.violations} | ${c.violations === 0 ? 'pass' : '**FAIL**'} |`),
    '',
    ...checks
      .filter((c) => c.violations > 0)
      .flatMap((c) => [
        `- ${c.promise}, e.g.:`,
        ...c.evidence.map((e) => `  - \`${e.slice(0, 200).replace(/`/g, "'")}\``),
      ]),
    END,
  ].join('\n');
  const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Reliability\n';
  const pattern = new RegExp(`${START}[\\s\\S]*?${END}`);
  writeFileSync(DOC, pattern.test(current) ? current.replace(pattern, body) : `${current.trimEnd()}\n\n${body}\n`);
}
