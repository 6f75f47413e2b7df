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
  // Coverage is off unless asked for (`--coverage`: `COVERAGE=1 npm test`, deploy/local/stack.ts).
  // One run merges unit and integration files: the services started by startTestServices run in the jest worker,
  // so V8 sees them; the distributed tests' child processes are not measured. Files no test loads count as 0 %.
  coverageProvider: 'v8',
  collectCoverageFrom: ['{apps,libs}/*/src/**/*.ts', '!**/main.ts', '!**/*.spec.ts', '!**/*.d.ts', '!libs/testing/**'],
  coverageReporters: ['json-summary', 'text-summary'],
  // The floor CI enforces: only ever raise it. Measured 2026-12-07 on the unit specs plus four integration files
  // (contact-listing, campaign-delivery, unsubscribe, export): statements/lines 76.7 %, branches 86.2 %; the
  // four integration files alone: branches 65.5 %. Statements can only grow with more tests; V8 counts the
  // branches of executed functions only, so the branch ratio can fall as tests run more code: a wider margin.
  coverageThreshold: { global: { statements: 71, branches: 65, lines: 71 } },
};
