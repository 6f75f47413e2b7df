#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bench`… on a fresh clone: it needs nothing but Node.
// 1. installs the locked dependencies (package-lock.json) when node_modules is missing or the lock changed
//    (npm install, not npm ci: npm 11 rejects its own lock over optional platform packages of msgpackr-extract);
// 2. hands over to stack.ts (TypeScript, run with @swc-node/register), which brings the local stack up.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`missive: Node.js 20 or newer is required (this is ${process.version}); install it and retry.`);
  process.exit(1);
}

const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.missive-lock.sha256');
const lockHash = createHash('sha256').update(readFileSync(lock)).digest('hex');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  console.log('missive: installing the locked dependencies…');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('missive: npm install failed; see the output above.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, lockHash);
}

if (process.argv[2] === 'install') process.exit(0);

const child = spawn(
  process.execPath,
  ['-r', '@swc-node/register', join(root, 'deploy/local/stack.ts'), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
