module.exports = { ...require('../../jest.preset.js'), displayName: 'git', rootDir: __dirname };
