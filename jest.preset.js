// Shared Jest settings: swc compiles TypeScript (and the ESM-only @nestjs packages) to CommonJS,
// and the @plue/source export condition makes workspace libs resolve to their sources.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;
// Builds keep import() native (it loads ESM-only packages at run time); inside Jest's module
// system a native import() fails, so tests compile it to require().
swcrc.module = { ...swcrc.module, ignoreDynamic: false };

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['node', 'require', '@plue/source'] },
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  // Relative ESM-style specifiers ('./x.js', needed by dynamic import()) resolve to the .ts source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: path.join(__dirname, 'libs/testing/src/global-setup.mjs'),
  globalTeardown: path.join(__dirname, 'libs/testing/src/global-teardown.mjs'),
  testTimeout: 60_000,
  maxWorkers: 2,
};
