#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs node modules when they are missing or older than the lock file,
// so the two commands work on a fresh clone. (The Temporal CLI is provisioned by src/dev/temporalCli.ts.)
'use strict';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node 24 or newer is needed; this is Node ${process.versions.node}. ` +
      'With nvm: `nvm install` (it reads .nvmrc); other ways are in the README, under Prerequisites.',
  );
  process.exit(1);
}

const { execSync } = require('node:child_process');
const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  console.log('Installing node modules (npm ci)...');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
