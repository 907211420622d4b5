module.exports = { ...require('../../jest.preset.js'), displayName: 'globs', rootDir: __dirname };
