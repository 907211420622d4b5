module.exports = { ...require('../../jest.preset.js'), displayName: 'db-core', rootDir: __dirname };
