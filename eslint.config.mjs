// eslint flat config: typescript-eslint's recommended rules on apps/, libs/, deploy/ and bench/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);
