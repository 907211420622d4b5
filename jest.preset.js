// Shared Jest settings: swc compiles TypeScript (and the ESM-only @nestjs packages) to CommonJS,
// and the @plue/source export condition makes workspace libs resolve to their sources.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const swcrc = JSON.parse(readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['node', 'require', '@plue/source'] },
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: path.join(__dirname, 'libs/testing/src/global-setup.mjs'),
  globalTeardown: path.join(__dirname, 'libs/testing/src/global-teardown.mjs'),
  testTimeout: 60_000,
  maxWorkers: 2,
};
