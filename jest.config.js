// One jest run: unit specs beside the code (*.spec.ts) and integration tests against the real services
// (apps/*/test, libs/*/test: *.int-spec.ts). `npm test` brings the stack up first (deploy/local/stack.mjs).
const fs = require('fs');
const swcrc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
const { paths } = require('./tsconfig.json').compilerOptions;

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(paths)) {
  moduleNameMapper[`^${alias}$`] = `<rootDir>/${target}`;
}

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/deploy'],
  testRegex: '\\.(spec|int-spec)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false, jsc: { ...swcrc.jsc, baseUrl: __dirname } }] },
  moduleNameMapper,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/libs/testing/src/after-env.ts'],
  testTimeout: 60000,
  // Under CI a run must always end (issue 3); locally a leaked handle still shows as "did not exit".
  forceExit: process.env.CI === 'true',
  slowTestThreshold: 20,
};
