import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const file = path.resolve(__dirname, '../docs/benchmarks.md');

/** Replaces (or appends) one benchmark's section of docs/benchmarks.md, leaving the others as they are. */
export function writeBenchSection(key: string, title: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const current = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Benchmarks\n\nWritten by the `npm run bench:*` scripts.\n';
  const start = `<!-- bench:${key} -->`;
  const end = `<!-- /bench:${key} -->`;
  const section = `${start}\n## ${title}\n\n${body}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}
