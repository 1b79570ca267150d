import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { imageEnvironment } from '../compose/checks';
import { renderCompose, SAMPLE_SECRETS, SAMPLE_SETTINGS, type RenderedService } from '../compose/render';
import { repoRoot, type AppProcess } from './processes';

/** compose host:port → this host's address of the process standing in for it. */
export type HostMap = Record<string, string>;

/**
 * docker-compose.yml, rendered with the sample secrets, as the cluster test runs it: every service built from this
 * project is started with exactly compose's command and environment (plus the image's ENV and PATH), its compose
 * host names replaced by the local processes', its listening ports by free ones.
 */
export interface ComposeTopology {
  services: RenderedService[];
  service(name: string): RenderedService;
  /** The environment a service gets, hosts mapped and the listed variables overridden (listening ports). */
  environment(name: string, listen?: Record<string, string>): Record<string, string>;
  start(name: string, instance: string, listen?: Record<string, string>): AppProcess;
}

/** The operator's own settings: where Agntix and the outcome receiver are (this host's fakes). */
export function composeTopology(workDir: string, settings: Record<string, string>, hosts: HostMap): ComposeTopology {
  const services = renderCompose(undefined, { ...SAMPLE_SECRETS, ...SAMPLE_SETTINGS, ...settings });
  const appDir = imageLayout(workDir);
  const service = (name: string) => {
    const found = services.find((s) => s.name === name);
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
    return found;
  };
  const environment = (name: string, listen: Record<string, string> = {}) => {
    const mapped = Object.fromEntries(
      Object.entries(service(name).environment).map(([k, v]) => [
        k,
        Object.entries(hosts).reduce((text, [from, to]) => text.split(from).join(to), v),
      ]),
    );
    return { ...mapped, ...listen };
  };
  return {
    services,
    service,
    environment,
    start(name, instance, listen = {}) {
      const s = service(name);
      if (!s.built) throw new Error(`${name} is not built from this project`);
      const env = {
        ...imageEnvironment(),
        ...environment(name, listen),
        PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        HOME: appDir,
      };
      return spawnLogged(instance, s.command, env, appDir, workDir);
    },
  };
}

/** The image's /app: the compiled output, the production modules and the rules file, and its own .data. */
function imageLayout(workDir: string): string {
  const appDir = path.join(workDir, 'app');
  mkdirSync(path.join(appDir, 'src/automations'), { recursive: true });
  mkdirSync(path.join(appDir, '.data'), { recursive: true });
  for (const entry of ['dist', 'node_modules', 'package.json', 'src/automations/rules.json']) {
    symlinkSync(path.join(repoRoot, entry), path.join(appDir, entry));
  }
  return appDir;
}

function spawnLogged(
  name: string,
  command: string[],
  env: Record<string, string>,
  cwd: string,
  logDir: string,
): AppProcess {
  const logFile = path.join(logDir, `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const [file, ...args] = command;
  const child = spawn(file!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    name,
    pid: child.pid ?? -1,
    child,
    exited,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
