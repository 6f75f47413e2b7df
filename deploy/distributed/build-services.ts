// The service bundles of distributed mode (dist/apps/<service>/main.js) for the distributed end-to-end test, built
// only when a source is newer than a bundle, and in one webpack run with one entry per service: the same
// configuration as `nest build <service>` (the Nest CLI's webpack defaults, then deploy/build/webpack.config.js),
// so the bundles are the ones `npm run build` makes, without starting the Nest CLI and compiling libs/ six times.
// Run as a script (`node -r @swc-node/register deploy/distributed/build-services.ts [service…]`) it builds at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export const SERVICES = ['contacts', 'campaigns', 'tracking', 'unsubscribe', 'privacy', 'support'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** Every bundle: one per service, and the single-node host (`missive`, narrowed with SERVICES). */
export const BUNDLES = [...SERVICES, 'missive'] as const;
export type BundleName = (typeof BUNDLES)[number];

export function bundlePath(service: BundleName): string {
  return join(ROOT, 'dist', 'apps', service, 'main.js');
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'test' || entry.name.endsWith('.spec.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** The services whose bundle is missing or older than a source it is built from (apps/, libs/, build config). */
export function staleBundles(services: readonly BundleName[] = SERVICES): BundleName[] {
  const inputs = ['apps', 'libs', '.swcrc', 'tsconfig.json', 'nest-cli.json', 'deploy/build/webpack.config.js'];
  const sources = Math.max(...inputs.map((p) => newestMtime(join(ROOT, p))));
  return services.filter((s) => !existsSync(bundlePath(s)) || statSync(bundlePath(s)).mtimeMs <= sources);
}

/**
 * Builds the stale bundles among `services` in a child process (webpack does not belong in a jest worker's module
 * registry); returns the services built and the seconds it took. Throws with webpack's output on failure.
 */
export function ensureBundles(services: readonly BundleName[] = SERVICES): { built: BundleName[]; seconds: number } {
  const stale = staleBundles(services);
  const t0 = Date.now();
  if (stale.length === 0) return { built: [], seconds: 0 };
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', __filename, ...stale], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`building ${stale.join(', ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { built: stale, seconds: (Date.now() - t0) / 1000 };
}

/* eslint-disable @typescript-eslint/no-require-imports -- the Nest CLI's own webpack and defaults, untyped internals */
function build(services: readonly BundleName[]): Promise<void> {
  // The webpack and defaults factory `nest build` uses (the CLI pins its own webpack), so the output is the same.
  const cli = dirname(require.resolve('@nestjs/cli/package.json', { paths: [ROOT] }));
  const webpack = require(require.resolve('webpack', { paths: [cli] }));
  const { webpackDefaultsFactory } = require(join(cli, 'lib/compiler/defaults/webpack-defaults'));
  const projectConfig = require(join(ROOT, 'deploy/build/webpack.config.js'));
  const noPlugins = { beforeHooks: [], afterHooks: [], afterDeclarationsHooks: [] };
  const [first] = services;
  const defaults = webpackDefaultsFactory(
    `apps/${first}/src`,
    `apps/${first}`,
    'main',
    false,
    `apps/${first}/tsconfig.app.json`,
    noPlugins,
  );
  const config = {
    ...defaults,
    ...projectConfig(defaults, webpack),
    // One entry per service: dist/apps/<service>/main.js, as `nest build <service>` names it.
    entry: Object.fromEntries(services.map((s) => [`apps/${s}/main`, join(ROOT, 'apps', s, 'src', 'main.ts')])),
    output: { path: join(ROOT, 'dist'), filename: '[name].js' },
  };
  return new Promise((resolve, reject) => {
    webpack(config).run((error: Error | null, stats: { hasErrors(): boolean; toString(o: object): string }) => {
      if (error) return reject(error);
      if (stats.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
      resolve();
    });
  });
}
/* eslint-enable @typescript-eslint/no-require-imports */

if (require.main === module) {
  const asked = process.argv.slice(2) as BundleName[];
  const unknown = asked.filter((s) => !BUNDLES.includes(s));
  if (unknown.length) {
    process.stderr.write(`unknown service(s): ${unknown.join(', ')} (${BUNDLES.join(', ')})\n`);
    process.exit(2);
  }
  build(asked.length ? asked : SERVICES).then(
    () => process.exit(0),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
