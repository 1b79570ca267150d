import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/*
 * The commands the docs tell a person to run, and the one way the tests run them: as written, through the shell, with
 * only their placeholders filled in. test/docs/documentedCommands.test.ts holds the two together.
 */

export const ROOT = path.resolve(__dirname, '..', '..');

export interface DocumentedCommand {
  file: string;
  line: number;
  command: string;
}

// What starts a command in an inline code span: prose names scripts the same way (`npm start`), so those count too.
const COMMAND_START = /^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:npm|npx|node|temporal|docker|curl|sh|echo)\s/;

/**
 * Every command in a markdown file: each line of a sh/bash block (comments and blank lines aside; a line ending in
 * `&&` or `\` goes on to the next) and each inline code span that reads as a command. A span after "Command:" is a
 * record of a past run (docs/benchmarks.md), not an instruction.
 */
export function commandsIn(file: string, text = readFileSync(path.join(ROOT, file), 'utf8')): DocumentedCommand[] {
  const found: DocumentedCommand[] = [];
  const lines = text.split('\n');
  let fence: 'shell' | 'other' | undefined;
  let pending: DocumentedCommand | undefined;
  const prose: string[] = [];
  lines.forEach((raw, i) => {
    const fenceMark = /^\s*```(\w*)/.exec(raw);
    if (fenceMark) {
      fence = fence ? undefined : /^(sh|bash|shell)$/.test(fenceMark[1]!) ? 'shell' : 'other';
      prose.push('');
      return;
    }
    if (fence) {
      prose.push('');
      if (fence === 'other') return;
      const line = raw.trim();
      if (!pending && (line === '' || line.startsWith('#'))) return;
      const joined = pending ? `${pending.command} ${line}` : line;
      const command = { file, line: pending?.line ?? i + 1, command: joined.replace(/\s*\\$/, '') };
      if (/(&&|\\)$/.test(line)) pending = command;
      else {
        pending = undefined;
        found.push(command);
      }
      return;
    }
    prose.push(raw);
  });
  // Inline spans may wrap across a line break; offsets map back to line numbers.
  const body = prose.join('\n');
  for (const span of body.matchAll(/(Command:\s*)?`([^`]+)`/g)) {
    const command = span[2]!.replace(/\s*\n\s*/g, ' ').trim();
    if (span[1] || !COMMAND_START.test(command)) continue;
    found.push({ file, line: body.slice(0, span.index).split('\n').length, command });
  }
  return found;
}

/**
 * The form a command is compared in: its trailing comment dropped, spaces collapsed, and every word holding a
 * `<placeholder>` read as one placeholder, so `<id>` and `followup-<session>-1` are the same command.
 */
export function normalise(command: string): string {
  return command
    .replace(/\s+#\s.*$/, '')
    .replace(/[^\s[\]"']*<[^>]*>[^\s[\]"']*/g, '<>')
    .replace(/\s+/g, ' ')
    .trim();
}

// The calls that take a documented command as written, as their first argument: these and the operator test's wrappers.
const RUNNERS = new Set(['runDocumented', 'startDocumented', 'runAsWritten', 'startStack']);

/** The commands passed as written to the runners in a test file (read from its syntax tree). */
export function commandsRunIn(testFile: string): string[] {
  const source = ts.createSourceFile(testFile, readFileSync(path.join(ROOT, testFile), 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && RUNNERS.has(node.expression.text)) {
      const [first] = node.arguments;
      if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export interface Ran {
  code: number | null;
  text: string;
}

/**
 * Runs a documented command as written, through `sh -c` in the checkout: each key of `fill` (a `<placeholder>`, an
 * optional `[group]`, or an example value such as a port or a date) is replaced by its value; optional groups left
 * unfilled are dropped, and a placeholder left unfilled is an error in the test.
 */
export function runDocumented(command: string, fill: Record<string, string>, env: NodeJS.ProcessEnv): Promise<Ran> {
  const line = filled(command, fill);
  const unfilled = /<[^>]*>/.exec(line.replace(/\s+#\s.*$/, ''));
  if (unfilled) throw new Error(`${unfilled[0]} is not filled in: ${command}`);
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', line], { cwd: ROOT, env });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', (code) => resolve({ code, text }));
  });
}

/** Fills a documented command in as runDocumented does. */
function filled(command: string, fill: Record<string, string>): string {
  let line = command;
  for (const [key, value] of Object.entries(fill)) line = line.split(key).join(value);
  return line.replace(/\s*\[[^\]]*\]/g, '');
}

/**
 * Starts a long-running documented command (`npm start`) as written, in its own process group, so stopping it stops
 * what npm started too.
 */
export function startDocumented(command: string, fill: Record<string, string>, env: NodeJS.ProcessEnv) {
  const child = spawn('sh', ['-c', filled(command, fill)], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, stop: () => child.pid && process.kill(-child.pid, 'SIGTERM') };
}
