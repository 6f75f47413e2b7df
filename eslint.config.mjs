// eslint flat config: typescript-eslint's recommended rules on apps/, libs/, deploy/ and bench/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { readdirSync } from 'node:fs';
import { URL } from 'node:url';

// Import boundaries (STYLE.md: apps never import each other; a lib never imports an app). The core
// no-restricted-imports rule matches the import string as written, so a relative path is judged by how many
// levels it climbs: a file DEPTH folders below apps/X/src reaches apps/ with DEPTH + 2 `../` and the repository
// root with DEPTH + 3. One config object per app and depth; a file deeper than MAX_DEPTH fails outright.
// Tests (apps/*/test, libs/*/test, deploy/, bench/) may start several services and are not covered; the one
// source file that composes every app's service definition by design is apps/missive/src/all-services.ts.
const MAX_DEPTH = 10;
const APPS = readdirSync(new URL('./apps', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const up = (levels) => `(\\.\\./){${levels}}`;
const atDepth = (root, depth) => `${root}/src/${'*/'.repeat(depth)}*.ts`;
const depths = [...Array(MAX_DEPTH).keys()];
const importBoundaries = [
  ...APPS.flatMap((app) =>
    depths.map((depth) => ({
      files: [atDepth(`apps/${app}`, depth)],
      ...(app === 'missive' ? { ignores: ['apps/missive/src/all-services.ts'] } : {}),
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: `^(${up(depth + 2)}(?!${app}(/|$)|\\.\\./)|${up(depth + 3)}apps(/(?!${app}(/|$))|$)|apps/(?!${app}(/|$)))`,
                message: `apps/${app} may not import another app (STYLE.md); share code through libs/ or an event.`,
              },
            ],
          },
        ],
      },
    })),
  ),
  ...depths.map((depth) => ({
    files: [atDepth('libs/*', depth)],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(${up(depth + 3)})?apps(/|$)`,
              message: 'A lib may not import an app (STYLE.md); move the shared code into a lib.',
            },
          ],
        },
      ],
    },
  })),
  {
    files: [`{apps,libs}/*/src/${'*/'.repeat(MAX_DEPTH)}**/*.ts`],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Program', message: `Deeper than MAX_DEPTH in eslint.config.mjs: raise it (import boundaries).` },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['jest.config.js', 'dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'test-output/**', 'deploy/build/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through MissiveConfig (libs/config) only.' },
      ],
    },
  },
  {
    // Tools outside the services: the admin CLI reads its own MISSIVE_* client settings, not MissiveConfig.
    files: ['libs/config/**', 'deploy/local/**', 'deploy/regions/start-regions.ts', 'libs/testing/**', 'bench/**', 'jest.config.js', 'apps/cli/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...importBoundaries,
);
