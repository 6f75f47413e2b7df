#!/usr/bin/env node
// `npm run cli -- …`: the admin CLI (apps/cli). Not `npx missive`: npx may fetch a registry package of that name.
// Runs the TypeScript sources through @swc-node/register with the repository's tsconfig, whatever the working directory.
const { join } = require('node:path');

const root = join(__dirname, '..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || join(root, 'tsconfig.json');
require('@swc-node/register');
require(join(root, 'apps', 'cli', 'src', 'main.ts'));
