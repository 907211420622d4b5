module.exports = { ...require('../../jest.preset.js'), displayName: 'collaboration', rootDir: __dirname };
