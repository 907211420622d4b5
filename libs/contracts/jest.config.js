// Contracts are pure values: no test database, so the shared preset's database setup is skipped.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'contracts',
  rootDir: __dirname,
  globalSetup: undefined,
  globalTeardown: undefined,
};
